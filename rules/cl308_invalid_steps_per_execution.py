from compilelint.diagnostics import Effect
from compilelint.facts.values import UNKNOWN
from compilelint.rule import Example, Finding, Rule

SEQUENTIAL = "import keras\nmodel = keras.Sequential([keras.layers.Dense(1)])\n"
ADVICE = "Use a positive integer (1 is the default)."


def keras2_problem(value) -> tuple[str, Effect] | None:
    if value == "auto" or value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        return f"Keras 2 raises TypeError in compile() (\"Cannot convert {value!r} to EagerTensor of dtype int64\").", Effect.ERROR_AT_COMPILE
    if value == 0:
        return "Keras 2 silently runs 1 step per execution instead.", Effect.SILENT
    if value < 0:
        return (
            "Keras 2 fails at the first fit() (tf_keras: \"Expected steps_per_execution to be positive\"; "
            "TF <= 2.15: \"loop must iterate at least once\").",
            Effect.ERROR_AT_FIT,
        )
    return None


def keras3_problem(value) -> tuple[str, Effect] | None:
    if isinstance(value, int) and not isinstance(value, bool):
        if value == 0:
            return "Keras 3 accepts it in compile() and fails at the first fit() (ValueError: range() arg 3 must not be zero).", Effect.ERROR_AT_FIT
        if value < 0:
            return (
                "Keras 3 accepts it and, on the TensorFlow backend, fit() silently runs zero training steps "
                "(JAX fails at the first fit()).",
                Effect.SILENT,
            )
        return None
    if value == "auto":
        return "'auto' exists only in Keras 2: Keras 3 accepts it in compile() and fails at the first fit() (TypeError: 'str' object cannot be interpreted as an integer).", Effect.ERROR_AT_FIT
    kind = type(value).__name__
    return f"Keras 3 accepts it in compile() and fails at the first fit() (TypeError: '{kind}' object cannot be interpreted as an integer).", Effect.ERROR_AT_FIT


class InvalidStepsPerExecution(Rule):
    """steps_per_execution is a literal the targeted Keras mishandles.

    ## What it does
    Checks a literal `steps_per_execution=` in `compile()`: zero, negative numbers,
    non-integers, `None`, and `"auto"` under Keras 3.

    ## Why is this bad?
    Keras 3 stores the value without any check and uses it in `range()` when `fit()`
    starts: 0, `None`, `"auto"`, floats and strings fail at the first `fit()`, and a
    negative value on the TensorFlow backend makes `fit()` return after **zero** training
    steps without any error. Keras 2 turns 0 (and None) silently into 1, fails at the first
    `fit()` for negative values, raises TypeError in `compile()` for non-integers, and
    supports `"auto"` (the autotuner).

    ## Fix
    Pass a positive integer; use `"auto"` only with Keras 2.
    """

    code = "CL308"
    name = "invalid-steps-per-execution"
    valid = [
        Example(SEQUENTIAL + "model.compile(optimizer='adam', loss='mse', steps_per_execution=32)\n"),
        Example("import tf_keras as keras\nmodel = keras.Sequential([keras.layers.Dense(1)])\nmodel.compile(optimizer='adam', loss='mse', steps_per_execution='auto')\n", keras="2"),
        Example(SEQUENTIAL + "import sys\nmodel.compile(optimizer='adam', loss='mse', steps_per_execution=int(sys.argv[1]))\n"),
    ]
    invalid = [
        Example(SEQUENTIAL + "model.compile(optimizer='adam', loss='mse', steps_per_execution=-1)\n"),
        Example(SEQUENTIAL + "model.compile(optimizer='adam', loss='mse', steps_per_execution='auto')\n", keras="3"),
        Example(SEQUENTIAL + "model.compile(optimizer='adam', loss='mse', steps_per_execution=0)\n", keras="2"),
        Example(SEQUENTIAL + "STEPS = 2.5\nmodel.compile(optimizer='adam', loss='mse', steps_per_execution=STEPS)\n"),
    ]

    def check(self, site, ctx):
        argument = ctx.arg(site, "steps_per_execution")
        if argument is None:
            return
        value = argument.value
        if value is UNKNOWN or not isinstance(value, (int, float, str, type(None))):
            return
        problem = keras2_problem(value) if ctx.keras.major == 2 else keras3_problem(value)
        if problem is None:
            return
        text, effect = problem
        yield Finding(argument.report_node, f"steps_per_execution={value!r}: {text} {ADVICE}", effect)
