from compilelint import keras_data
from compilelint.checks import unknown_names
from compilelint.diagnostics import Effect
from compilelint.rule import Example, Finding, Rule

SEQUENTIAL = "import keras\nmodel = keras.Sequential([keras.layers.Dense(1)])\n"


class UnknownOptimizerName(Rule):
    """An optimizer given by a name the targeted Keras does not know.

    ## What it does
    Checks a string `optimizer=` against the optimizer names the targeted Keras version
    accepts (case-insensitive, as Keras matches them) and suggests the closest one. Some
    names exist in one version only: `lion`, `adafactor` and `muon` are Keras 3 only;
    `experimentaladam` and friends are Keras 2 only.

    ## Why is this bad?
    `compile()` raises at once: Keras 2 with `ValueError: Unknown optimizer: '...'`,
    Keras 3 with `ValueError: Could not interpret optimizer identifier: ...`.

    ## Fix
    Use a name the targeted version knows, or pass an optimizer object.
    """

    code = "CL307"
    name = "unknown-optimizer-name"
    valid = [
        Example(SEQUENTIAL + "model.compile(optimizer='Adam', loss='mse')\n"),
        Example(SEQUENTIAL + "model.compile(optimizer='lion', loss='mse')\n", keras="3"),
        Example("import keras\nimport keras_hub\ntask = keras_hub.models.TextClassifier.from_preset('bert_base_en')\ntask.compile(optimizer='auto')\n"),
    ]
    invalid = [
        Example(SEQUENTIAL + "model.compile(optimizer='adamm', loss='mse')\n"),
        Example(SEQUENTIAL + "model.compile(optimizer='lion', loss='mse')\n", keras="2"),
        Example("import keras\ndef train(model):\n    model.compile(optimizer='rmsprob', loss='mse')\n"),
    ]

    def check(self, site, ctx):
        argument = ctx.arg(site, "optimizer")
        if argument is None or not isinstance(argument.value, str):
            return
        error = "Unknown optimizer" if ctx.keras.major == 2 else "Could not interpret optimizer identifier"
        for name, node, note, hint in unknown_names(site, ctx, "optimizer", keras_data.is_known_optimizer, keras_data.optimizer_names):
            yield Finding(
                node,
                f"Unknown optimizer name '{name}'{note}: {ctx.keras.label} raises ValueError in compile() ({error}).{hint}",
                Effect.ERROR_AT_COMPILE,
            )
