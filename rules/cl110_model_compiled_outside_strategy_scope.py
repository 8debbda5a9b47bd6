from compilelint.checks import compile_node
from compilelint.diagnostics import Effect
from compilelint.facts.model import NO_STRATEGY, ModelValue, StrategyValue
from compilelint.facts.values import CallValue
from compilelint.rule import Example, Finding, Rule

PRELUDE = (
    "import tensorflow as tf\n"
    "import keras\n"
    "strategy = tf.distribute.MirroredStrategy()\n"
    "with strategy.scope():\n"
    "    model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])\n"
)


def optimizer_made_outside(site, ctx) -> str | None:
    """What compile() gets as its optimizer, when it is certainly not created inside a
    strategy scope (a string, the default, an object built outside every scope); None when
    it may have been (or is not known)."""
    argument = ctx.arg(site, "optimizer")
    if argument is None:
        return None if site.unknown_keywords or site.unknown_positional else "the default optimizer ('rmsprop')"
    value = argument.value
    if isinstance(value, str):
        return f"the string optimizer {value!r}"
    if isinstance(value, CallValue) and value.strategy == NO_STRATEGY:
        return "an optimizer created outside the scope"
    return None


class ModelCompiledOutsideStrategyScope(Rule):
    """A model created inside a distribution strategy's scope is compiled outside it (Keras 3).

    ## What it does
    Finds a model created inside `with strategy.scope():` (MirroredStrategy, TPUStrategy,
    MultiWorkerMirroredStrategy, OneDeviceStrategy, ...) whose `compile()` runs outside
    every strategy scope with an optimizer that is not created inside that scope: a string
    (`optimizer="adam"`), the default, or an optimizer object created outside.

    ## Why is this bad?
    `compile()` then builds the optimizer under the default strategy while the model's
    variables belong to the other one. Keras 3 accepts `compile()` and the first `fit()`
    (or `evaluate()`) fails with `RuntimeError: Mixing different tf.distribute.Strategy
    objects: <...MirroredStrategy...> is not <..._DefaultDistributionStrategy...>`,
    even when `fit()` itself runs inside the scope. Keras 2 accepts it and trains. This is the
    other way round from CL107 (created outside, compiled inside).

    ## Fix
    Call `compile()` inside the same `with strategy.scope():` block that creates the model
    (or create the optimizer object inside it).
    """

    code = "CL110"
    name = "model-compiled-outside-strategy-scope"
    valid = [
        Example(PRELUDE + "    model.compile(optimizer='adam', loss='mse')\nmodel.fit(x, y)\n"),
        Example(PRELUDE + "    optimizer = keras.optimizers.Adam()\nmodel.compile(optimizer=optimizer, loss='mse')\n"),
        Example(PRELUDE + "model.compile(optimizer='adam', loss='mse')\n", keras="2"),
        Example(PRELUDE + "def train(model):\n    model.compile(optimizer='adam', loss='mse')\n"),
        Example(
            "import tensorflow as tf\nimport keras\nstrategy = tf.distribute.get_strategy()\nwith strategy.scope():\n"
            "    model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])\nmodel.compile(optimizer='adam', loss='mse')\n"
        ),
    ]
    invalid = [
        Example(PRELUDE + "model.compile(optimizer='adam', loss='mse')\nmodel.fit(x, y)\n", keras="3"),
        Example(PRELUDE + "model.compile(loss='mse')\n", keras="3"),
        Example(
            "import tensorflow as tf\nimport keras\noptimizer = keras.optimizers.Adam()\n"
            "strategy = tf.distribute.MirroredStrategy()\nwith strategy.scope():\n"
            "    model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])\n"
            "model.compile(optimizer=optimizer, loss='mse')\n",
            keras="3",
        ),
    ]

    def check(self, site, ctx):
        if ctx.keras.major != 3 or site.strategy != NO_STRATEGY or not isinstance(site.model, ModelValue):
            return
        strategy = site.model.strategy
        if not isinstance(strategy, StrategyValue) or strategy.is_parameter_server:
            return  # ParameterServerStrategy has no Keras 3 support at all: CL106
        optimizer = optimizer_made_outside(site, ctx)
        if optimizer is None:
            return
        yield Finding(
            compile_node(site),
            f"the model was created inside `with strategy.scope()` ({strategy.kind}) but is compiled outside it with "
            f"{optimizer}: Keras 3 accepts compile() and the first fit() fails with RuntimeError (\"Mixing different "
            "tf.distribute.Strategy objects\"). Compile inside the scope (Keras 2 accepts this).",
            Effect.ERROR_AT_FIT,
        )
