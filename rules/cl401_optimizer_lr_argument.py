from compilelint.checks import optimizers_with_keyword
from compilelint.diagnostics import Effect
from compilelint.rule import Example, Finding, FixSpec, Rule

SEQUENTIAL = "import keras\nmodel = keras.Sequential([keras.layers.Dense(1)])\n"


class OptimizerLrArgument(Rule):
    """An optimizer is built with `lr=` instead of `learning_rate=`.

    ## What it does
    Finds Keras optimizers constructed with the old `lr` keyword, wherever the optimizer
    is later used (passed to `compile()` directly or through a variable).

    ## Why is this bad?
    Since TF 2.11 the Keras 2 optimizers log a warning and **discard** `lr`: the model
    trains with the default learning rate (0.001 for Adam) and nothing fails. This silently
    ruined many fine-tuning runs (`Adam(lr=5e-5)` trains at 1e-3). Keras 3 raises
    `ValueError: Argument(s) not recognized: {'lr': ...}` when the optimizer is built.
    The `tf.keras.optimizers.legacy` optimizers still take `lr` (Keras 2 only).

    ## Fix
    Use `learning_rate=`; the automatic fix renames the keyword (not when
    `learning_rate` is passed as well).
    """

    code = "CL401"
    name = "optimizer-lr-argument"
    fix_safety = "Safe: `learning_rate` is the name the `lr` value was meant for; no fix when both are passed."
    valid = [
        Example(SEQUENTIAL + "model.compile(optimizer=keras.optimizers.Adam(learning_rate=5e-5), loss='mse')\n"),
        Example("import tensorflow as tf\nopt = tf.keras.optimizers.legacy.Adam(lr=5e-5)\nmodel.compile(optimizer=opt, loss='mse')\n", keras="2"),
        Example("import keras\nschedule = keras.optimizers.schedules.ExponentialDecay(0.1, decay_steps=100, decay_rate=0.9)\nopt = keras.optimizers.SGD(schedule)\nmodel.compile(optimizer=opt, loss='mse')\n"),
        Example("import torch\nopt = torch.optim.Adam(params, lr=1e-3)\ncompiled = torch.compile(model)\n"),
    ]
    invalid = [
        Example(SEQUENTIAL + "model.compile(optimizer=keras.optimizers.Adam(lr=5e-5), loss='mse')\n"),
        Example("from tensorflow.keras.optimizers import Adam\nopt = Adam(lr=5e-5)\nmodel.compile(optimizer=opt, loss='mse')\n", keras="2"),
        Example("from keras import optimizers\nopt = optimizers.RMSprop(lr=0.01, rho=0.9)\nmodel.compile(optimizer=opt, loss='mse')\n", keras="3"),
    ]

    def check_module(self, ctx):
        for call, class_name, arg in optimizers_with_keyword(ctx, "lr"):
            if ctx.keras.major == 2:
                message = (
                    f"{class_name}(lr=...): Keras 2 (TF 2.11 and later) logs a warning and silently discards `lr`, "
                    "so training uses the default learning rate. Use `learning_rate=`."
                )
                effect = Effect.SILENT
            else:
                message = (
                    f"{class_name}(lr=...): Keras 3 raises ValueError when the optimizer is built "
                    "(\"Argument(s) not recognized: {'lr': ...}\"). Use `learning_rate=`."
                )
                effect = Effect.ERROR_AT_COMPILE
            yield Finding(arg, message, effect, self.rename_fix(call, arg))

    @staticmethod
    def rename_fix(call, arg):
        # learning_rate is the first positional parameter of every Keras optimizer.
        if call.args or not call.complete or "learning_rate" in call.kwargs:
            return None
        return FixSpec("Rename `lr` to `learning_rate`", [(arg.keyword, "learning_rate")])
