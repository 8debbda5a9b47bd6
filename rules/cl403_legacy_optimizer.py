from compilelint import keras_data
from compilelint.checks import keras_optimizer_kind
from compilelint.diagnostics import Effect
from compilelint.facts.keras_names import keras_name
from compilelint.facts.values import CallValue
from compilelint.rule import Example, Finding, Rule

SEQUENTIAL = "import tensorflow as tf\nmodel = tf.keras.Sequential([tf.keras.layers.Dense(1)])\n"


class LegacyOptimizer(Rule):
    """A legacy optimizer (`optimizers.legacy.*`, TF1 or removed lowercase spellings) that the targeted Keras refuses.

    ## What it does
    Under a Keras 3 target, finds `tf.keras.optimizers.legacy.*` optimizers where they are
    built (also through a local subclass or a `try:` import), and TF1 optimizers
    (`tf.compat.v1.train.*Optimizer`, `tf.train.*Optimizer`) passed to `compile()`
    (directly or through a variable). Under any target, finds calls of the lowercase
    aliases Keras 2.3 and earlier had (`keras.optimizers.rmsprop(lr=...)`, `sgd`, `adam`).

    ## Why is this bad?
    Keras 3 has no legacy optimizers: building one raises ``ImportError:
    `keras.optimizers.legacy` is not supported in Keras 3.`` A TF1 optimizer is refused by
    `compile()` with `ValueError: Could not interpret optimizer identifier`, and TensorFlow 2
    has no `tf.train.AdamOptimizer` at all (`AttributeError`; only `tf.compat.v1.train`
    keeps them). Keras 2 accepts the legacy and `tf.compat.v1` optimizers, so this code breaks
    when TensorFlow (2.16 and later) brings Keras 3. The lowercase aliases are gone from
    Keras 2 (TensorFlow 2) and Keras 3 alike: `keras.optimizers.rmsprop` raises
    `AttributeError`.

    ## Fix
    Use `keras.optimizers.<Name>` with `learning_rate=`; or stay on Keras 2 by installing
    `tf_keras` and setting `TF_USE_LEGACY_KERAS=1` (not for the lowercase aliases, which no
    current Keras has).
    """

    code = "CL403"
    name = "legacy-optimizer"
    valid = [
        Example(SEQUENTIAL + "model.compile(optimizer=tf.keras.optimizers.legacy.Adam(), loss='mse')\n", keras="2"),
        Example(SEQUENTIAL + "model.compile(optimizer=tf.keras.optimizers.Adam(), loss='mse')\n"),
        # A TF1 optimizer used outside Keras is not this rule's business.
        Example(SEQUENTIAL + "opt = tf.compat.v1.train.AdamOptimizer(1e-3)\ntrain_op = opt.minimize(loss_tensor)\nmodel.compile(optimizer='adam', loss='mse')\n"),
        Example("import tf_keras\nmodel = tf_keras.Sequential([tf_keras.layers.Dense(1)])\nmodel.compile(optimizer=tf_keras.optimizers.legacy.Adam(), loss='mse')\n"),
        Example(SEQUENTIAL + "if hasattr(tf.keras.optimizers, 'legacy'):\n    opt = tf.keras.optimizers.Adam()\nelse:\n    opt = tf.keras.optimizers.legacy.Adam()\nmodel.compile(optimizer=opt, loss='mse')\n"),
    ]
    invalid = [
        Example(SEQUENTIAL + "model.compile(optimizer=tf.keras.optimizers.legacy.Adam(learning_rate=1e-3), loss='mse')\n", keras="3"),
        Example(SEQUENTIAL + "opt = tf.compat.v1.train.GradientDescentOptimizer(0.1)\nmodel.compile(optimizer=opt, loss='mse')\n"),
        Example("from tensorflow.keras.optimizers.legacy import SGD\nopt = SGD(0.1)\n\ndef train(model):\n    model.compile(optimizer=opt, loss='mse')\n", keras="3"),
        Example(SEQUENTIAL + "model.compile(optimizer=tf.train.AdamOptimizer(1e-3), loss='mse')\n", keras="3"),
        Example("from keras import optimizers\n\ndef make_optimizer():\n    return optimizers.rmsprop(lr=1e-3)\n", keras="2"),
        Example("import tensorflow as tf\n\ndef make_optimizer():\n    if hasattr(tf.keras.optimizers, 'legacy'):\n        return tf.keras.optimizers.legacy.Adam(1e-3)\n    return tf.keras.optimizers.Adam(1e-3)\n", keras="3"),
    ]

    def check(self, site, ctx):
        if ctx.keras.major != 3:
            return
        argument = ctx.arg(site, "optimizer")
        value = argument.value if argument is not None else None
        if not isinstance(value, CallValue):
            return
        kind = keras_optimizer_kind(value.qualname)
        if kind is None or kind[0] not in ("compat_v1", "tf1"):
            return
        error = keras_data.load(3)["tf_compat_v1_optimizer_in_compile"]["error"]
        refused = (
            f"Keras 3 raises {error['type'] if error else 'ValueError'} in compile() (\"Could not interpret optimizer identifier\")"
        )
        if kind[0] == "tf1":
            message = (
                f"tf.train.{kind[1]} is a TF1 optimizer: the TensorFlow 2 that Keras 3 runs on has no tf.train.{kind[1]} "
                f"(AttributeError), and even tf.compat.v1.train.{kind[1]} is refused: {refused}. Use a keras.optimizers optimizer."
            )
        else:
            message = f"tf.compat.v1.train.{kind[1]} is a TF1 optimizer: {refused}. Use a keras.optimizers optimizer."
        yield Finding(argument.report_node, message, Effect.ERROR_AT_COMPILE)

    def check_module(self, ctx):
        error = keras_data.load(3)["legacy_optimizers"]["error"] or {"type": "ImportError"}
        for call in ctx.facts.optimizer_calls:
            kind = keras_optimizer_kind(call.qualname)
            name = keras_name(call.qualname)
            if kind is not None and kind[0] == "removed_alias":
                alias = name.leaf if name is not None else kind[1].lower()
                yield Finding(
                    call.node.func,
                    f"optimizers.{alias} was the Keras 2.3 alias of {kind[1]}: {ctx.keras.label} has no such name, so "
                    f"this call fails (AttributeError). Use keras.optimizers.{kind[1]}(learning_rate=...).",
                    Effect.ERROR_AT_COMPILE,
                )
                continue
            if ctx.keras.major != 3 or kind is None or kind[0] != "legacy" or name is None or name.flavour == "tf_keras":
                continue
            message = (
                f"optimizers.legacy.{kind[1]}: Keras 3 has no legacy optimizers and raises {error['type']} when it is built "
                f"(\"`keras.optimizers.legacy` is not supported in Keras 3\"). Use keras.optimizers.{kind[1]}, or keep "
                "Keras 2 with tf_keras and TF_USE_LEGACY_KERAS=1."
            )
            yield Finding(call.node.func, message, Effect.ERROR_AT_COMPILE)
