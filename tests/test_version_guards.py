"""Version guards: code that asks which Keras or TensorFlow it runs on takes one branch.

The targeted Keras decides the branch (hasattr(optimizers, "legacy") is true on Keras 3 and
on the Keras 2 with the current optimizers); a guard the target cannot decide merges both
branches as before, so nothing is reported from either alone.
"""

import libcst as cst
import pytest
from conftest import found

from compilelint.facts.collector import collect_facts

# The tensorflow-addons optimizer tests: legacy optimizers where they exist, the old
# optimizers (which took lr= and decay=) on TensorFlow before 2.11.
ADDONS = """
import tensorflow as tf

def test_config():
    if hasattr(tf.keras.optimizers, "legacy"):
        sgd = tf.keras.optimizers.legacy.SGD(lr=2.0, nesterov=True, momentum=0.3, decay=0.1)
    else:
        sgd = tf.keras.optimizers.SGD(lr=2.0, nesterov=True, momentum=0.3, decay=0.1)
    return sgd
"""


def codes(lint, code, keras):
    return sorted(d.code for d in lint(code, keras=keras))



def test_addons_pattern_reports_only_the_branch_each_keras_takes(lint):
    # Keras 2: the legacy branch runs, and legacy optimizers take lr= and decay=.
    assert codes(lint, ADDONS, "2") == []
    # Keras 3: the legacy branch runs too, and building a legacy optimizer raises.
    assert found(lint, ADDONS, "3") == [("CL403", 6)]
    assert found(lint, ADDONS, "2,3") == [("CL403", 6)]


def test_keras_3_twin_of_the_addons_pattern(lint):
    # The same guard the other way round: the current optimizers where legacy ones exist.
    code = ADDONS.replace("if hasattr", "if not hasattr")
    assert found(lint, code, "2") == [("CL401", 8), ("CL402", 8)]
    assert found(lint, code, "3") == [("CL401", 8), ("CL402", 8)]


def test_guard_on_an_unknown_flag_still_merges_both_branches(lint):
    code = ADDONS.replace('hasattr(tf.keras.optimizers, "legacy")', "use_legacy")
    # Both branches may run: each one's problems are reported where they are written.
    assert found(lint, code, "3") == [("CL401", 8), ("CL402", 8), ("CL403", 6)]


KERAS_VERSION_GUARDS = [
    'keras.__version__.startswith("3")',
    'keras.__version__[0] == "3"',
    'int(keras.__version__.split(".")[0]) >= 3',
    'version.parse(keras.__version__) >= version.parse("3.0")',
    'version.parse(keras.__version__).major == 3',
    'tuple(map(int, keras.__version__.split(".")[:2])) >= (3, 0)',
    'hasattr(keras, "ops")',
]


@pytest.mark.parametrize("guard", KERAS_VERSION_GUARDS)
def test_keras_major_guards_take_the_targeted_branch(lint, guard):
    code = f"""
import keras
from packaging import version
IS_KERAS_3 = {guard}
model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])
if IS_KERAS_3:
    model.compile(optimizer="adam", loss="mse", metrics="mae")
else:
    model.compile(optimizer=keras.optimizers.legacy.Adam(lr=0.1), loss="mse", sample_weight_mode=None)
"""
    assert found(lint, code, "3") == [("CL304", 7)]
    assert found(lint, code, "2") == [("CL302", 9)]


def test_elif_chain_and_conditional_expression(lint):
    code = """
import tensorflow as tf
if tf.__version__ < "2.0":
    opt = tf.train.AdamOptimizer(0.1)
elif hasattr(tf.keras.optimizers, "legacy"):
    opt = tf.keras.optimizers.legacy.Adam(0.1)
else:
    opt = tf.keras.optimizers.Adam(lr=0.1)
other = tf.keras.optimizers.legacy.SGD(0.1) if hasattr(tf.keras.optimizers, "legacy") else tf.keras.optimizers.SGD(lr=0.1)
model = tf.keras.Sequential([tf.keras.layers.Dense(1)])
model.compile(optimizer=opt, loss="mse")
"""
    # Keras 3 with tf.keras is TensorFlow 2.16 or later: the first test is false.
    assert found(lint, code, "3") == [("CL403", 6), ("CL403", 9)]
    assert found(lint, code, "2") == []


@pytest.mark.parametrize(
    "guard, keras_3_branch",
    [
        ('version.parse(tf.__version__) >= version.parse("2.16")', "if"),
        ('tf.__version__ >= "2.16"', "if"),
        ('int(tf.__version__.split(".")[1]) < 16', "else"),
        ('version.parse("2.5.0") <= version.parse(tf.__version__) < version.parse("2.7.0")', "else"),
    ],
)
def test_tensorflow_version_guards_in_a_tf_keras_file(lint, guard, keras_3_branch):
    code = f"""
import tensorflow as tf
from packaging import version
model = tf.keras.Sequential([tf.keras.layers.Dense(1)])
if {guard}:
    model.compile(optimizer="adam", loss="mse", metrics="mae")
else:
    model.compile(optimizer="adam", loss="mse", metrics="accuracy", sample_weight_mode=None)
"""
    expected = [("CL304", 6)] if keras_3_branch == "if" else [("CL302", 8), ("CL304", 8)]
    assert found(lint, code, "3") == expected


def test_tensorflow_version_without_tf_keras_says_nothing_about_keras(lint):
    # A standalone-keras file: TensorFlow's version does not follow from the Keras target.
    code = """
import keras
import tensorflow as tf
model = keras.Sequential([keras.layers.Dense(1)])
if tf.__version__ >= "2.16":
    model.compile(optimizer="adam", loss=["mse", "mse"])
else:
    model.compile(optimizer="adam", loss=["mse", "mse"], metrics="mae")
"""
    assert found(lint, code, "3") == [("CL201", 6), ("CL201", 8), ("CL304", 8)]


def test_a_guard_the_target_cannot_decide_stays_unknown(lint):
    # Keras 2 via tf.keras may be any TensorFlow up to 2.15: ">= 2.11" is not decided there.
    code = """
import tensorflow as tf
if tf.__version__ >= "2.11":
    opt = tf.keras.optimizers.legacy.Adam(0.1)
else:
    opt = tf.keras.optimizers.Adam(lr=0.1)
"""
    assert found(lint, code, "2") == [("CL401", 6)]
    assert found(lint, code, "3") == [("CL403", 4)]


@pytest.mark.parametrize(
    "imports",
    [
        "from tensorflow.keras.optimizers.legacy import Adam",
        "from keras.optimizers.legacy import Adam",
        "from tensorflow.keras.optimizers import legacy\n    Adam = legacy.Adam",
    ],
)
def test_try_import_of_legacy_optimizers_succeeds_on_both(lint, imports):
    code = f"""
try:
    {imports}
except ImportError:
    from tensorflow.keras.optimizers import Adam
opt = Adam(lr=0.1)
"""
    if "\n" in imports:
        # The try body does more than import: both paths are merged, nothing is known.
        assert codes(lint, code, "2,3") == []
        return
    # The import succeeds on Keras 2 and on Keras 3 (only building one raises there).
    assert codes(lint, code, "2") == []
    assert found(lint, code, "3") == [("CL403", 6)]


def test_try_import_that_fails_runs_the_handler(lint):
    code = """
try:
    from tensorflow.keras.optimizers import rmsprop as make_optimizer
except ImportError:
    from tensorflow.keras.optimizers import RMSprop as make_optimizer
opt = make_optimizer(lr=0.1)
"""
    assert found(lint, code, "2,3") == [("CL401", 6)]


def test_find_spec_guard(lint):
    code = """
import importlib
import tensorflow as tf
if importlib.util.find_spec("tensorflow.keras.optimizers.legacy") is not None:
    Optimizer = tf.keras.optimizers.legacy.Adam
else:
    Optimizer = tf.keras.optimizers.Adam
opt = Optimizer(lr=0.1)
"""
    assert codes(lint, code, "2") == []
    assert found(lint, code, "3") == [("CL403", 8)]


def test_tf_keras_is_keras_2_whatever_the_setting(lint):
    code = """
import tf_keras as keras
model = keras.Sequential([keras.layers.Dense(1)])
model.compile(optimizer=keras.optimizers.legacy.Adam(lr=0.1), loss="mse", metrics="mae", sample_weight_mode=None)
"""
    for setting in ("2", "3", "2,3", "auto"):
        diagnostics = lint(code, keras=setting)
        assert [d.code for d in diagnostics] == ["CL302"], setting
        assert "Keras 3" not in diagnostics[0].message


def test_facts_are_collected_again_only_for_files_whose_guards_need_a_target():
    def first_pass(code):
        return collect_facts(cst.parse_module(code), code)

    assert first_pass(ADDONS).version_dependent is False  # hasattr(..., "legacy"): the same on both
    keras_guard = "import keras\nif keras.__version__.startswith('3'):\n    x = 1\n"
    assert first_pass(keras_guard).version_dependent is True
    assert first_pass("import keras\nprint(keras.__version__)\n").version_dependent is False


def test_an_exact_version_is_never_decided_by_the_major_alone(lint):
    code = """
import tensorflow as tf
if tf.__version__ != "2.16.1":
    opt = tf.keras.optimizers.legacy.Adam(0.1)
else:
    opt = tf.keras.optimizers.Adam(lr=0.1)
"""
    assert found(lint, code, "3") == [("CL401", 6), ("CL403", 4)]
