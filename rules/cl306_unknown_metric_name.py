from compilelint import keras_data
from compilelint.checks import unknown_names
from compilelint.diagnostics import Effect
from compilelint.rule import Example, Finding, Rule

SEQUENTIAL = "import keras\nmodel = keras.Sequential([keras.layers.Dense(1)])\n"


class UnknownMetricName(Rule):
    """A metric given by a name the targeted Keras does not know.

    ## What it does
    Checks every string in `metrics=` and `weighted_metrics=` (also inside nested lists and
    dicts) against the metric names the targeted Keras version accepts (`"acc"` and
    `"accuracy"` in any case included), and suggests the closest one. Names valid in one
    version only are reported for the other (`ce`, `crossentropy` and `cosine_proximity`
    are Keras 2 only; `mean`, `sum`, `auc`, `f1_score` are Keras 3 only). Names with a `>`
    (registered custom objects) are never reported.

    ## Why is this bad?
    `compile()` accepts any string; the first `fit()` or `evaluate()` fails. Keras 2 keeps
    the unknown string as the metric function and fails with
    `TypeError: 'str' object is not callable`; Keras 3 with
    `ValueError: Could not interpret metric identifier: ...`.

    ## Fix
    Use a name from the targeted version's `keras.metrics`, or pass the metric object.
    """

    code = "CL306"
    name = "unknown-metric-name"
    valid = [
        Example(SEQUENTIAL + "model.compile(optimizer='adam', loss='mse', metrics=['mae', 'ACC', 'Accuracy'])\n"),
        Example(SEQUENTIAL + "model.compile(optimizer='adam', loss='mse', metrics=['cosine_proximity'])\n", keras="2"),
        Example(SEQUENTIAL + "model.compile(optimizer='adam', loss='mse', metrics=['Addons>F1Score'])\n"),
        Example("import keras\nimport keras_hub\ntask = keras_hub.models.TextClassifier.from_preset('bert_base_en')\ntask.compile(optimizer='adam', metrics='auto')\n"),
    ]
    invalid = [
        Example(SEQUENTIAL + "model.compile(optimizer='adam', loss='mse', metrics=['acc', 'accuracyy'])\n"),
        Example(SEQUENTIAL + "model.compile(optimizer='adam', loss='mse', metrics=['cosine_proximity'])\n", keras="3"),
        Example(SEQUENTIAL + "model.compile(optimizer='adam', loss='mse', weighted_metrics=[['mae'], ['f1_score']])\n", keras="2"),
        Example("import keras\ndef train(model):\n    model.compile(optimizer='adam', loss='mse', metrics={'out': ['mean_absolute_eror']})\n"),
    ]

    def check(self, site, ctx):
        if ctx.keras.major == 2:
            effect_text = "fails at the first fit() (TypeError: 'str' object is not callable)"
        else:
            effect_text = "fails at the first fit() (ValueError: Could not interpret metric identifier)"
        for parameter in ("metrics", "weighted_metrics"):
            for name, node, note, hint in unknown_names(site, ctx, parameter, keras_data.is_known_metric, keras_data.metric_names):
                yield Finding(
                    node,
                    f"Unknown metric name '{name}'{note}: {ctx.keras.label} accepts it in compile() and {effect_text}.{hint}",
                    Effect.ERROR_AT_FIT,
                )
