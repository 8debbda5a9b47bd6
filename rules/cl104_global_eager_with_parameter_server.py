from compilelint.checks import compile_node, under_parameter_server
from compilelint.diagnostics import Effect
from compilelint.rule import Example, Finding, Rule

PSS = (
    "import tensorflow as tf\n"
    "{eager}"
    "strategy = tf.distribute.ParameterServerStrategy(cluster_resolver)\n"
    "with strategy.scope():\n"
    "    model = tf.keras.Sequential([tf.keras.layers.Dense(1, input_shape=(4,))])\n"
    '    model.compile(optimizer="adam", loss="mse")\n'
)


class GlobalEagerWithParameterServer(Rule):
    """tf.config.run_functions_eagerly(True) with a ParameterServerStrategy model (Keras 2).

    ## What it does
    Finds a model compiled under `ParameterServerStrategy` in a module that unconditionally
    calls `tf.config.run_functions_eagerly(True)`.

    ## Why is this bad?
    The ClusterCoordinator can only schedule `tf.function`s. Keras 2 fails at the first
    `fit()` with `TypeError: tf.distribute.experimental.coordinator.ClusterCoordinator.schedule
    only accepts a tf.function or a concrete function.`

    ## Fix
    Remove the global `run_functions_eagerly(True)` call from training code.
    """

    code = "CL104"
    name = "global-eager-with-parameter-server"
    valid = [Example(PSS.format(eager=""), keras="2")]
    invalid = [Example(PSS.format(eager="tf.config.run_functions_eagerly(True)\n"), keras="2")]

    def check(self, site, ctx):
        if ctx.keras.major != 2 or ctx.facts.global_eager is not True or not under_parameter_server(site):
            return
        yield Finding(
            compile_node(site),
            "tf.config.run_functions_eagerly(True) is on for a ParameterServerStrategy model: Keras 2 fails at "
            "the first fit() with \"TypeError: ClusterCoordinator.schedule only accepts a tf.function or a "
            "concrete function.\" Remove the global eager switch.",
            Effect.ERROR_AT_FIT,
        )
