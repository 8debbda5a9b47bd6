from compilelint.checks import optimizers_with_keyword
from compilelint.diagnostics import Effect
from compilelint.rule import Example, Finding, Rule


class OptimizerDecayArgument(Rule):
    """An optimizer is built with the removed `decay=` argument.

    ## What it does
    Finds Keras optimizers (not the `legacy` ones) constructed with `decay=`, the
    learning-rate decay of the old optimizers.

    ## Why is this bad?
    Keras 2's current optimizers (TF 2.11 and later) raise `ValueError: decay is deprecated
    in the new TF-Keras optimizer, ...` when the optimizer is built. Keras 3 warns
    (``Argument `decay` is no longer supported and will be ignored.``) and trains without
    any decay, a silent change of the learning-rate schedule.

    ## Fix
    Pass a schedule as the learning rate, e.g.
    `learning_rate=keras.optimizers.schedules.InverseTimeDecay(lr, decay_steps=1, decay_rate=decay)`
    (the old `decay` was inverse-time decay per step). `weight_decay=` is a different thing
    (decoupled weight decay), not a replacement.
    """

    code = "CL402"
    name = "optimizer-decay-argument"
    valid = [
        Example("import keras\nopt = keras.optimizers.AdamW(learning_rate=1e-3, weight_decay=1e-4)\nmodel.compile(optimizer=opt, loss='mse')\n"),
        Example("import tensorflow as tf\nopt = tf.keras.optimizers.legacy.SGD(learning_rate=0.1, decay=1e-6)\nmodel.compile(optimizer=opt, loss='mse')\n", keras="2"),
        Example("import keras\nopt = keras.optimizers.SGD(learning_rate=keras.optimizers.schedules.InverseTimeDecay(0.1, 1, 1e-6))\nmodel.compile(optimizer=opt, loss='mse')\n"),
    ]
    invalid = [
        Example("import keras\nopt = keras.optimizers.SGD(learning_rate=0.1, decay=1e-6)\nmodel.compile(optimizer=opt, loss='mse')\n"),
        Example("from tensorflow.keras.optimizers import Adam\nmodel.compile(optimizer=Adam(1e-3, decay=1e-5), loss='mse')\n", keras="2"),
        Example("import keras\ndef build(model):\n    model.compile(optimizer=keras.optimizers.Adam(decay=0.01), loss='mse')\n", keras="3"),
    ]

    def check_module(self, ctx):
        for call, class_name, arg in optimizers_with_keyword(ctx, "decay"):
            value = call.kwargs.get("decay")
            if ctx.keras.major == 2:
                message = (
                    f"{class_name}(decay=...): Keras 2 (TF 2.11 and later) raises ValueError when the optimizer is built "
                    "(\"decay is deprecated in the new TF-Keras optimizer\")."
                )
                effect = Effect.ERROR_AT_COMPILE
            else:
                if value is None:
                    continue  # Keras 3 drops decay=None without a word, and nothing changes
                message = (
                    f"{class_name}(decay=...): Keras 3 warns and ignores it (\"Argument `decay` is no longer supported "
                    "and will be ignored.\"), so the learning rate never decays."
                )
                effect = Effect.SILENT
            yield Finding(
                arg,
                message + " Pass a learning-rate schedule instead (keras.optimizers.schedules.InverseTimeDecay).",
                effect,
            )
