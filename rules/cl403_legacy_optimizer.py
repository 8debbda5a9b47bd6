from compilelint import keras_data
from compilelint.checks import keras_optimizer_kind
from compilelint.diagnostics import Effect
from compilelint.facts.keras_names import keras_name
from compilelint.facts.values import CallValue
from compilelint.rule import Example, Finding, Rule

SEQUENTIAL = "import tensorflow as tf\nmodel = tf.keras.Sequential([tf.keras.layers.Dense(1)])\n"


class LegacyOptimizer(Rule):
    """A legacy optimizer (`tf.keras.optimizers.legacy.*`, `tf.compat.v1.train.*`) with Keras 3.

    ## What it does
    Under a Keras 3 target, finds `tf.keras.optimizers.legacy.*` optimizers where they are
    built, and `tf.compat.v1.train.*Optimizer` objects passed to `compile()` (directly or
    through a variable).

    ## Why is this bad?
    Keras 3 has no legacy optimizers: building one raises ``ImportError:
    `keras.optimizers.legacy` is not supported in Keras 3.`` A TF1 optimizer is refused by
    `compile()` with `ValueError: Could not interpret optimizer identifier`. Keras 2 accepts
    both, so this code breaks when TensorFlow (2.16 and later) brings Keras 3.

    ## Fix
    Use `keras.optimizers.<Name>` with `learning_rate=`; or stay on Keras 2 by installing
    `tf_keras` and setting `TF_USE_LEGACY_KERAS=1`.
    """

    code = "CL403"
    name = "legacy-optimizer"
    valid = [
        Example(SEQUENTIAL + "model.compile(optimizer=tf.keras.optimizers.legacy.Adam(), loss='mse')\n", keras="2"),
        Example(SEQUENTIAL + "model.compile(optimizer=tf.keras.optimizers.Adam(), loss='mse')\n"),
        # A TF1 optimizer used outside Keras is not this rule's business.
        Example(SEQUENTIAL + "opt = tf.compat.v1.train.AdamOptimizer(1e-3)\ntrain_op = opt.minimize(loss_tensor)\nmodel.compile(optimizer='adam', loss='mse')\n"),
        Example("import tf_keras\nmodel = tf_keras.Sequential([tf_keras.layers.Dense(1)])\nmodel.compile(optimizer=tf_keras.optimizers.legacy.Adam(), loss='mse')\n"),
    ]
    invalid = [
        Example(SEQUENTIAL + "model.compile(optimizer=tf.keras.optimizers.legacy.Adam(learning_rate=1e-3), loss='mse')\n", keras="3"),
        Example(SEQUENTIAL + "opt = tf.compat.v1.train.GradientDescentOptimizer(0.1)\nmodel.compile(optimizer=opt, loss='mse')\n"),
        Example("from tensorflow.keras.optimizers.legacy import SGD\nopt = SGD(0.1)\n\ndef train(model):\n    model.compile(optimizer=opt, loss='mse')\n", keras="3"),
    ]

    def check(self, site, ctx):
        if ctx.keras.major != 3:
            return
        argument = ctx.arg(site, "optimizer")
        value = argument.value if argument is not None else None
        if not isinstance(value, CallValue):
            return
        kind = keras_optimizer_kind(value.qualname)
        if kind is None or kind[0] != "compat_v1":
            return
        error = keras_data.load(3)["tf_compat_v1_optimizer_in_compile"]["error"]
        message = (
            f"tf.compat.v1.train.{kind[1]} is a TF1 optimizer: Keras 3 raises {error['type'] if error else 'ValueError'} "
            "in compile() (\"Could not interpret optimizer identifier\"). Use a keras.optimizers optimizer."
        )
        yield Finding(argument.report_node, message, Effect.ERROR_AT_COMPILE)

    def check_module(self, ctx):
        if ctx.keras.major != 3:
            return
        error = keras_data.load(3)["legacy_optimizers"]["error"] or {"type": "ImportError"}
        for call in ctx.facts.optimizer_calls:
            kind = keras_optimizer_kind(call.qualname)
            name = keras_name(call.qualname)
            if kind is None or kind[0] != "legacy" or name is None or name.flavour == "tf_keras":
                continue
            message = (
                f"optimizers.legacy.{kind[1]}: Keras 3 has no legacy optimizers and raises {error['type']} when it is built "
                f"(\"`keras.optimizers.legacy` is not supported in Keras 3\"). Use keras.optimizers.{kind[1]}, or keep "
                "Keras 2 with tf_keras and TF_USE_LEGACY_KERAS=1."
            )
            yield Finding(call.node.func, message, Effect.ERROR_AT_COMPILE)
