from compilelint.checks import is_on, later_settings, under_parameter_server
from compilelint.diagnostics import Effect
from compilelint.rule import Example, Finding, Rule

PSS = (
    "import tensorflow as tf\n"
    "strategy = tf.distribute.experimental.ParameterServerStrategy(cluster_resolver)\n"
    "with strategy.scope():\n"
    "    model = tf.keras.Sequential([tf.keras.layers.Dense(1, input_shape=(4,))])\n"
)


class RunEagerlyWithParameterServer(Rule):
    """run_eagerly is on for a model trained with ParameterServerStrategy (Keras 2).

    ## What it does
    Finds `run_eagerly=True` (in `compile()` or assigned to `model.run_eagerly` later) on a
    model created or compiled under a `ParameterServerStrategy` scope.

    ## Why is this bad?
    Keras 2 accepts it in `compile()` and fails at the first `fit()` with
    `ValueError: When using Model with ParameterServerStrategy, run_eagerly is not
    supported.` — after the cluster is up and the data is loaded. (Keras 3 has no
    ParameterServerStrategy support at all: see CL106.)

    ## Fix
    Remove `run_eagerly=True`; debug the model without the strategy instead.
    """

    code = "CL103"
    name = "run-eagerly-with-parameter-server"
    valid = [
        Example(PSS + '    model.compile(optimizer="adam", loss="mse")\n', keras="2"),
        Example("import tensorflow as tf\nstrategy = tf.distribute.MirroredStrategy()\nwith strategy.scope():\n    model = tf.keras.Sequential([tf.keras.layers.Dense(1)])\n    model.compile(optimizer='adam', loss='mse', run_eagerly=True)\n", keras="2"),
    ]
    invalid = [
        Example(PSS + '    model.compile(optimizer="adam", loss="mse", run_eagerly=True)\n', keras="2"),
        Example(PSS + '    model.compile(optimizer="adam", loss="mse")\nmodel.run_eagerly = True\n', keras="2"),
    ]

    def check(self, site, ctx):
        if ctx.keras.major != 2 or not under_parameter_server(site):
            return
        message = (
            "run_eagerly is on for a ParameterServerStrategy model: Keras 2 fails at the first fit() with "
            "\"ValueError: When using `Model` with `ParameterServerStrategy`, `run_eagerly` is not supported.\" "
            "Remove run_eagerly."
        )
        if is_on(ctx.value(site, "run_eagerly")):
            yield Finding(ctx.arg(site, "run_eagerly").report_node, message, Effect.ERROR_AT_FIT)
            return
        for event in later_settings(site, "run_eagerly"):
            yield Finding(event.node, message, Effect.ERROR_AT_FIT)
