import re

from compilelint.checks import is_on
from compilelint.diagnostics import Effect
from compilelint.rule import Example, Finding, Rule

_TEST_PATH = re.compile(r"(^|/)(tests?|testing)/|(^|/)test_[^/]*\.py$|_test\.py$|(^|/)conftest\.py$")


class RunEagerlyEnabled(Rule):
    """run_eagerly=True outside tests (off by default).

    ## What it does
    Finds `compile(run_eagerly=True)` in files that are not tests.

    ## Why is this bad?
    Eager execution is a debugging aid: every step runs op by op in Python, typically
    several times slower than a compiled `tf.function` (Keras 2) or backend-compiled step
    (Keras 3), and XLA is off. Left in training code, it silently wastes accelerator time.

    ## Fix
    Remove `run_eagerly=True`, or drive it from a debug flag.
    """

    code = "CL109"
    name = "run-eagerly-enabled"
    default_enabled = False
    valid = [
        Example("import keras\nmodel = keras.Sequential([keras.layers.Dense(1)])\nmodel.compile(optimizer='adam', loss='mse')\n"),
        Example("import keras, os\nmodel = keras.Sequential([keras.layers.Dense(1)])\nmodel.compile(optimizer='adam', loss='mse', run_eagerly=bool(os.environ.get('DEBUG')))\n"),
    ]
    invalid = [Example("import keras\nmodel = keras.Sequential([keras.layers.Dense(1)])\nmodel.compile(optimizer='adam', loss='mse', run_eagerly=True)\n")]

    def check(self, site, ctx):
        if _TEST_PATH.search(ctx.path.replace("\\", "/")) or not is_on(ctx.value(site, "run_eagerly")):
            return
        yield Finding(
            ctx.arg(site, "run_eagerly").report_node,
            "run_eagerly=True makes Keras train op by op in Python (Keras 2 and 3 alike), several times slower "
            "and without XLA. Remove it, or set it from a debug flag.",
            Effect.SLOW,
        )
