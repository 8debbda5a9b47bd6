"""Optimizer spellings real code uses: local subclasses, removed lowercase aliases, TF1
optimizers, and legacy optimizers strategy-scoped compile calls reach."""

import pytest
from conftest import found

SEQUENTIAL = "import keras\nimport tensorflow as tf\nmodel = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])\n"



SUBCLASS = """
import keras
class MyAdam(keras.optimizers.Adam):
    BODY
class Tuned(MyAdam):
    pass
opt = Tuned(lr=1e-3)
"""


@pytest.mark.parametrize("keras", ["2", "3"])
def test_a_local_subclass_keeping_the_constructor_is_that_optimizer(lint, keras):
    diagnostics = lint(SUBCLASS.replace("BODY", "def get_config(self):\n        return super().get_config()"), keras=keras)
    assert [(d.code, d.span.line) for d in diagnostics] == [("CL401", 8)]
    assert diagnostics[0].message.startswith("Tuned(lr=...)")


@pytest.mark.parametrize(
    "body",
    [
        "def __init__(self, lr=0.001, **kwargs):\n        super().__init__(learning_rate=lr, **kwargs)",
        "pass\nfrom my_project import MyAdam",  # rebound to something imported
    ],
)
def test_a_subclass_with_its_own_constructor_stays_silent(lint, body):
    assert found(lint, SUBCLASS.replace("BODY", body), "2,3") == []


@pytest.mark.parametrize("keras", ["2", "3"])
def test_removed_lowercase_aliases(lint, keras):
    code = "from keras import optimizers\n\ndef make(rate):\n    return optimizers.rmsprop(lr=rate, rho=0.9)\n"
    (diagnostic,) = lint(code, keras=keras)
    assert (diagnostic.code, diagnostic.span.line) == ("CL403", 4)
    assert "RMSprop" in diagnostic.message and "AttributeError" in diagnostic.message
    not_keras = code.replace("from keras import optimizers", "from my_project import optimizers")
    assert lint(not_keras, keras=keras) == []


def test_tf1_train_optimizer_passed_to_compile(lint):
    code = SEQUENTIAL + "model.compile(optimizer=tf.train.AdamOptimizer(1e-3), loss='mse')\n"
    assert found(lint, code, "3") == [("CL403", 4)]
    assert found(lint, code, "2") == []  # TF 1.x has it, and Keras 2 takes it
    unused = SEQUENTIAL + "opt = tf.train.AdamOptimizer(1e-3)\ntrain_op = opt.minimize(loss)\nmodel.compile(optimizer='adam', loss='mse')\n"
    assert found(lint, unused, "2,3") == []
    v1 = "import tensorflow.compat.v1 as tf\nimport keras\nmodel = keras.Sequential([keras.layers.Dense(1)])\nmodel.compile(optimizer=tf.train.AdamOptimizer(1e-3), loss='mse')\n"
    (diagnostic,) = lint(v1, keras="3")
    assert diagnostic.code == "CL403" and "tf.compat.v1.train.AdamOptimizer" in diagnostic.message


# -- CL110: created inside a strategy scope, compiled outside --------------------------------

SCOPED = """
import tensorflow as tf
import keras
strategy = tf.distribute.STRATEGY
with strategy.scope():
    model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])
    inner = keras.optimizers.Adam()
model.compile(optimizer=OPTIMIZER, loss="mse")
model.fit(x, y)
"""


@pytest.mark.parametrize("strategy", ["MirroredStrategy()", "OneDeviceStrategy('/cpu:0')", "experimental.CentralStorageStrategy()"])
@pytest.mark.parametrize("optimizer, fails", [("'adam'", True), ("keras.optimizers.SGD()", True), ("inner", False)])
def test_compiled_outside_the_scope_it_was_created_in(lint, strategy, optimizer, fails):
    code = SCOPED.replace("STRATEGY", strategy).replace("OPTIMIZER", optimizer)
    assert found(lint, code, "3") == ([("CL110", 8)] if fails else [])
    assert found(lint, code, "2") == []


def test_parameter_server_models_are_cl106_not_cl110(lint):
    code = SCOPED.replace("STRATEGY", "experimental.ParameterServerStrategy(resolver)").replace("OPTIMIZER", "'adam'")
    assert [c for c, _ in found(lint, code, "3")] == ["CL106"]


def test_strategy_chosen_in_a_branch_is_unknown(lint):
    code = SCOPED.replace("strategy = tf.distribute.STRATEGY", "strategy = tf.distribute.MirroredStrategy() if gpus else tf.distribute.get_strategy()")
    assert found(lint, code.replace("OPTIMIZER", "'adam'"), "3") == []
