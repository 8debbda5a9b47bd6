from compilelint.checks import built_outside_scope, compile_node, model_has_weights
from compilelint.diagnostics import Effect
from compilelint.facts.model import StrategyValue
from compilelint.rule import Example, Finding, Rule

PRELUDE = "import tensorflow as tf\nstrategy = tf.distribute.MirroredStrategy()\n"
MODEL = "tf.keras.Sequential([tf.keras.layers.Dense(1, input_shape=(4,))])"


class ModelOutsideStrategyScope(Rule):
    """A model created outside a distribution strategy's scope is compiled inside it.

    ## What it does
    Finds `with strategy.scope(): model.compile(...)` where `model` (with its weights) was
    created before, outside that scope.

    ## Why is this bad?
    The model's variables are not mirrored by the strategy. Keras 2 raises in `compile()`:
    `ValueError: Variable (...) was not created in the distribution strategy scope of
    (...)`. Keras 3 accepts `compile()` and fails at the first `fit()` with
    `RuntimeError: Need to be inside "with strategy.scope()" for ...`.

    ## Fix
    Create the model (and its optimizer and metrics) inside the same `with
    strategy.scope():` block that compiles it.
    """

    code = "CL107"
    name = "model-outside-strategy-scope"
    valid = [
        Example(PRELUDE + f"with strategy.scope():\n    model = {MODEL}\n    model.compile(optimizer='adam', loss='mse')\n"),
        Example(PRELUDE + "def build():\n    return " + MODEL + "\nwith strategy.scope():\n    model = build()\n    model.compile(optimizer='adam', loss='mse')\n"),
        Example(PRELUDE + "model = tf.keras.Sequential([tf.keras.layers.Dense(1)])\nwith strategy.scope():\n    model.compile(optimizer='adam', loss='mse')\n"),
        Example("import tensorflow as tf\nstrategy = tf.distribute.get_strategy()\nmodel = " + MODEL + "\nwith strategy.scope():\n    model.compile(optimizer='adam', loss='mse')\n"),
    ]
    invalid = [
        Example(PRELUDE + f"model = {MODEL}\nwith strategy.scope():\n    model.compile(optimizer='adam', loss='mse')\n"),
    ]

    def check(self, site, ctx):
        if not isinstance(site.strategy, StrategyValue) or not built_outside_scope(site):
            return
        if not model_has_weights(site.model):
            return
        strategy = site.strategy.kind
        if ctx.keras.major == 2:
            message = (
                f"the model was created outside `with strategy.scope()` but is compiled inside it: Keras 2 raises "
                f"ValueError in compile() (\"Variable (...) was not created in the distribution strategy scope of "
                f"{strategy}\"). Create the model inside the scope."
            )
            effect = Effect.ERROR_AT_COMPILE
        else:
            message = (
                f"the model was created outside `with strategy.scope()` but is compiled inside it: Keras 3 accepts "
                f"compile() and the first fit() fails with RuntimeError (\"Need to be inside \\\"with "
                f"strategy.scope()\\\" for {strategy}\"). Create the model inside the scope."
            )
            effect = Effect.ERROR_AT_FIT
        yield Finding(compile_node(site), message, effect)
