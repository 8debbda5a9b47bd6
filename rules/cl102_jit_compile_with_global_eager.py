from compilelint.checks import jit_requested
from compilelint.diagnostics import Effect
from compilelint.rule import Example, Finding, Rule

PRELUDE = "import tensorflow as tf\nfrom tensorflow import keras\n"
MODEL = 'model = keras.Sequential([keras.layers.Dense(1)])\n'


class JitCompileWithGlobalEager(Rule):
    """jit_compile is on while tf.config.run_functions_eagerly(True) is in effect.

    ## What it does
    Finds `compile(jit_compile=True)` in a module that unconditionally calls
    `tf.config.run_functions_eagerly(True)`.

    ## Why is this bad?
    Running every `tf.function` eagerly turns off graph compilation, and XLA with it. In
    Keras 2 and Keras 3 alike nothing is raised or logged: the model trains eagerly and
    `jit_compile` is silently ignored (Keras 3 even reports `model.run_eagerly == False`).

    ## Fix
    Remove the global `run_functions_eagerly(True)` call (keep it for a debugging session
    only), or drop `jit_compile`.
    """

    code = "CL102"
    name = "jit-compile-with-global-eager"
    valid = [
        Example(PRELUDE + MODEL + 'model.compile(optimizer="adam", loss="mse", jit_compile=True)\n'),
        Example(PRELUDE + "import sys\nif '--debug' in sys.argv:\n    tf.config.run_functions_eagerly(True)\n" + MODEL + 'model.compile(optimizer="adam", loss="mse", jit_compile=True)\n'),
        Example(PRELUDE + "tf.config.run_functions_eagerly(False)\n" + MODEL + 'model.compile(optimizer="adam", loss="mse", jit_compile=True)\n'),
    ]
    invalid = [
        Example(PRELUDE + "tf.config.run_functions_eagerly(True)\n" + MODEL + 'model.compile(optimizer="adam", loss="mse", jit_compile=True)\n'),
    ]

    def check(self, site, ctx):
        if ctx.facts.global_eager is not True or not jit_requested(ctx, site):
            return
        yield Finding(
            ctx.arg(site, "jit_compile").report_node,
            f"jit_compile is on but tf.config.run_functions_eagerly(True) runs everything eagerly: "
            f"{ctx.keras.label} silently trains without XLA. Remove the global eager switch or drop jit_compile.",
            Effect.SILENT,
        )
