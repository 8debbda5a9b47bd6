from compilelint.checks import is_explicit_true, is_on, later_settings
from compilelint.diagnostics import Effect
from compilelint.rule import Example, Finding, Rule

FIX = "Drop one of them: run_eagerly alone to debug, jit_compile alone for speed."


class JitCompileWithRunEagerly(Rule):
    """jit_compile and run_eagerly are both on for one model.

    ## What it does
    Finds a model compiled with both `jit_compile` and `run_eagerly` turned on, in the
    `compile()` call or by assigning `model.run_eagerly` / `model.jit_compile` after it.

    ## Why is this bad?
    Keras 2 (tf_keras, tf.keras in TF <= 2.15) raises `ValueError: You cannot enable
    run_eagerly and jit_compile at the same time.` inside `compile()` (any truthy
    `jit_compile`, "auto" included). Keras 3 only warns (`If run_eagerly is True, then
    jit_compile cannot also be True. Disabling jit_compile.`) and trains eagerly without XLA,
    so the speed-up you asked for never happens. Setting `model.run_eagerly = True` after
    `compile(jit_compile=True)` (or `model.jit_compile = True` after
    `compile(run_eagerly=True)`) is silent in Keras 3: eager wins and XLA is dropped, while
    `model.jit_compile` still reads True. Keras 2 keeps XLA in those two cases.

    ## Fix
    Use `run_eagerly=True` alone while debugging and `jit_compile=True` alone for speed.
    """

    code = "CL101"
    name = "jit-compile-with-run-eagerly"
    valid = [
        Example('import keras\nmodel = keras.Sequential([keras.layers.Dense(1)])\nmodel.compile(optimizer="adam", loss="mse", jit_compile=True)\n'),
        Example('import keras\nmodel = keras.Sequential([keras.layers.Dense(1)])\nmodel.compile(optimizer="adam", loss="mse", run_eagerly=True, jit_compile="auto")\n', keras="3"),
        Example('import keras\nmodel = keras.Sequential([keras.layers.Dense(1)])\nmodel.compile(optimizer="adam", loss="mse", jit_compile=True)\nmodel.run_eagerly = True\n', keras="2"),
        Example('import keras, sys\nmodel = keras.Sequential([keras.layers.Dense(1)])\nmodel.compile(optimizer="adam", loss="mse", jit_compile=True, run_eagerly="--debug" in sys.argv)\n'),
    ]
    invalid = [
        Example('import keras\nmodel = keras.Sequential([keras.layers.Dense(1)])\nmodel.compile(optimizer="adam", loss="mse", jit_compile=True, run_eagerly=True)\n'),
        Example('import tf_keras as keras\nmodel = keras.Sequential([keras.layers.Dense(1)])\nmodel.compile(optimizer="adam", loss="mse", run_eagerly=True, jit_compile="auto")\n', keras="2"),
        Example('import keras\nmodel = keras.Sequential([keras.layers.Dense(1)])\nmodel.compile(optimizer="adam", loss="mse", jit_compile=True)\nmodel.run_eagerly = True\n', keras="3"),
        Example('import keras\nmodel = keras.Sequential([keras.layers.Dense(1)])\nsettings = dict(run_eagerly=True, jit_compile=True)\nmodel.compile(optimizer="adam", loss="mse", **settings)\n'),
    ]

    def check(self, site, ctx):
        jit_arg = ctx.arg(site, "jit_compile")
        jit, eager = ctx.value(site, "jit_compile"), ctx.value(site, "run_eagerly")
        if ctx.keras.major == 2:
            if is_on(jit) and is_on(eager):
                yield Finding(
                    jit_arg.report_node,
                    "jit_compile and run_eagerly are both on: Keras 2 raises ValueError in compile() "
                    f"(\"You cannot enable `run_eagerly` and `jit_compile` at the same time.\"). {FIX}",
                    Effect.ERROR_AT_COMPILE,
                )
            return
        if is_explicit_true(jit) and is_on(eager):
            yield Finding(
                jit_arg.report_node,
                "jit_compile and run_eagerly are both on: Keras 3 warns in compile() and trains "
                f"eagerly without XLA, so jit_compile has no effect. {FIX}",
                Effect.WARNING,
            )
            return
        if is_explicit_true(jit) and eager is not True:
            for event in later_settings(site, "run_eagerly"):
                yield Finding(
                    event.node,
                    "model.run_eagerly is set after compile(jit_compile=True): Keras 3 silently "
                    f"drops XLA (model.jit_compile still reads True). {FIX}",
                    Effect.SILENT,
                )
        if is_on(eager) and not is_on(jit):
            for event in later_settings(site, "jit_compile"):
                if is_explicit_true(event.value):
                    yield Finding(
                        event.node,
                        "model.jit_compile is set after compile(run_eagerly=True): Keras 3 silently "
                        f"runs eagerly without XLA (model.jit_compile reads True). {FIX}",
                        Effect.SILENT,
                    )
