from compilelint.checks import jit_requested, under_parameter_server
from compilelint.diagnostics import Effect
from compilelint.rule import Example, Finding, Rule

PSS = (
    "import tensorflow as tf\n"
    "strategy = tf.distribute.experimental.ParameterServerStrategy(cluster_resolver)\n"
    "with strategy.scope():\n"
    "    model = tf.keras.Sequential([tf.keras.layers.Dense(1, input_shape=(4,))])\n"
)


class JitCompileWithParameterServer(Rule):
    """jit_compile is on for a ParameterServerStrategy model (Keras 2).

    ## What it does
    Finds `jit_compile=True` on a model created or compiled under a
    `ParameterServerStrategy` scope.

    ## Why is this bad?
    XLA cannot read variables that live on a parameter server. Keras 2 accepts the call and
    fails at the first `fit()` with `InvalidArgumentError: Trying to access resource ...
    located in device /job:ps/... from device /job:worker/...`.

    ## Fix
    Drop `jit_compile` for parameter-server training.
    """

    code = "CL105"
    name = "jit-compile-with-parameter-server"
    valid = [Example(PSS + '    model.compile(optimizer="adam", loss="mse", steps_per_execution=10)\n', keras="2")]
    invalid = [Example(PSS + '    model.compile(optimizer="adam", loss="mse", jit_compile=True)\n', keras="2")]

    def check(self, site, ctx):
        if ctx.keras.major != 2 or not under_parameter_server(site) or not jit_requested(ctx, site):
            return
        yield Finding(
            ctx.arg(site, "jit_compile").report_node,
            "jit_compile is on for a ParameterServerStrategy model: Keras 2 fails at the first fit() with an "
            "XLA InvalidArgumentError (a variable on /job:ps read from a worker). Drop jit_compile.",
            Effect.ERROR_AT_FIT,
        )
