from compilelint import keras_data
from compilelint.checks import unknown_names
from compilelint.diagnostics import Effect
from compilelint.rule import Example, Finding, Rule

SEQUENTIAL = "import keras\nmodel = keras.Sequential([keras.layers.Dense(1)])\n"


class UnknownLossName(Rule):
    """A loss given by a name the targeted Keras does not know.

    ## What it does
    Checks every string in `loss=` (also inside lists and dicts) against the loss names
    the targeted Keras version accepts, and suggests the closest one. Some names exist in
    one version only: `logcosh` and `kullback_leibler_divergence` are Keras 2 only;
    `bce`'s sibling names `ce`, `dice`, `tversky`, `circle` are Keras 3 only. Names with a
    `>` (registered custom objects such as `Addons>...`) are never reported.

    ## Why is this bad?
    `compile()` accepts any string; the first `fit()` then fails, in Keras 2 with
    `ValueError: Unknown loss function: '...'`, in Keras 3 with
    `ValueError: Could not interpret loss identifier: ...`.

    ## Fix
    Use a name from the targeted version's `keras.losses`, or pass the loss object.
    """

    code = "CL305"
    name = "unknown-loss-name"
    valid = [
        Example(SEQUENTIAL + "model.compile(optimizer='adam', loss='categorical_crossentropy')\n"),
        Example(SEQUENTIAL + "model.compile(optimizer='adam', loss='logcosh')\n", keras="2"),
        Example(SEQUENTIAL + "model.compile(optimizer='adam', loss='Addons>SigmoidFocalCrossEntropy')\n"),
        Example(SEQUENTIAL + "keras.utils.get_custom_objects().update({'my_loss': my_loss})\nmodel.compile(optimizer='adam', loss='my_loss')\n"),
        # KerasHub tasks take "auto"; the receiver is not known to be a plain Keras model.
        Example("import keras\nimport keras_hub\nclassifier = keras_hub.models.BertClassifier.from_preset('bert_base_en')\nclassifier.compile(optimizer='auto', loss='auto')\n"),
    ]
    invalid = [
        Example(SEQUENTIAL + "model.compile(optimizer='adam', loss='categorical_crossentropyy')\n"),
        Example(SEQUENTIAL + "model.compile(optimizer='adam', loss='logcosh')\n", keras="3"),
        Example(SEQUENTIAL + "model.compile(optimizer='adam', loss='dice')\n", keras="2"),
        Example("import keras\ndef train(model):\n    model.compile(optimizer='adam', loss={'out': 'mean_sqared_error'})\n"),
    ]

    def check(self, site, ctx):
        error = "Unknown loss function" if ctx.keras.major == 2 else "Could not interpret loss identifier"
        for name, node, note, hint in unknown_names(site, ctx, "loss", keras_data.is_known_loss, keras_data.loss_names):
            yield Finding(
                node,
                f"Unknown loss name '{name}'{note}: {ctx.keras.label} accepts it in compile() and fails at the "
                f"first fit() (ValueError: {error}).{hint}",
                Effect.ERROR_AT_FIT,
            )
