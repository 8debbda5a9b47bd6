"""What the facts pass resolves (aliases, builders, scopes) and what it must leave unknown."""

import functools

import pytest

TWO_OUTPUT_BODY = """
inputs = {ns}Input(shape=(8,))
a = {layers}Dense(2, name="a")(inputs)
b = {layers}Dense(1, name="b")(inputs)
model = {model}(inputs, [a, b])
model.compile(optimizer="adam", loss=["mse", "mae", "mse"])
"""

ALIASES = {
    "keras": ("import keras\n", "keras.", "keras.layers.", "keras.Model"),
    "tf.keras": ("import tensorflow as tf\n", "tf.keras.", "tf.keras.layers.", "tf.keras.Model"),
    "from tensorflow import keras": ("from tensorflow import keras\n", "keras.", "keras.layers.", "keras.models.Model"),
    "from-imports": ("from tensorflow.keras.layers import Dense, Input\nfrom tensorflow.keras.models import Model\n", "", "", "Model"),
    "module alias": ("import tensorflow.keras as tfk\n", "tfk.", "tfk.layers.", "tfk.Model"),
    "tf_keras": ("import tf_keras as keras\n", "keras.", "keras.layers.", "keras.Model"),
    "layers module": ("import keras\nfrom keras import layers as L\n", "keras.", "L.", "keras.Model"),
}


@pytest.mark.parametrize("spelling", ALIASES)
def test_every_import_spelling_is_keras(lint, spelling):
    header, ns, layers, model = ALIASES[spelling]
    code = header + TWO_OUTPUT_BODY.format(ns=ns, layers=layers, model=model)
    assert [d.code for d in lint(code, keras="2,3")] == ["CL201"]


def test_tf_keras_import_targets_keras_2_under_auto(lint):
    header, ns, layers, model = ALIASES["tf_keras"]
    (diagnostic,) = lint(header + TWO_OUTPUT_BODY.format(ns=ns, layers=layers, model=model), keras="auto")
    assert "Keras 2" in diagnostic.message and "Keras 3" not in diagnostic.message


def test_try_except_import_fallback_still_resolves(lint):
    code = "try:\n    import tf_keras as keras\nexcept ImportError:\n    from tensorflow import keras\n" + TWO_OUTPUT_BODY.format(ns="keras.", layers="keras.layers.", model="keras.Model")
    assert [d.code for d in lint(code)] == ["CL201"]


def test_builder_function_and_tuple_return(lint):
    code = """
import keras
def build():
    inputs = keras.Input(shape=(4,))
    out = keras.layers.Dense(1, name="out")(inputs)
    encoder = keras.Model(inputs, out)
    return keras.Model(inputs, [out, out]), encoder
model, encoder = build()
model.compile(optimizer="adam", loss=["mse"])
encoder.compile(optimizer="adam", loss=["mse", "mse"])
"""
    assert [(d.code, d.span.line) for d in lint(code)] == [("CL201", 9), ("CL201", 10)]


def test_self_attribute_model(lint):
    code = """
import keras
class Trainer:
    def __init__(self):
        inputs = keras.Input(shape=(4,))
        self.model = keras.Model(inputs, [keras.layers.Dense(1)(inputs), keras.layers.Dense(1)(inputs)])
    def train(self):
        self.model.compile(optimizer="adam", loss=["mse", "mse", "mse"])
"""
    assert [d.code for d in lint(code)] == ["CL201"]


def test_sequential_add_and_compile_inside_main_guard(lint):
    code = """
import keras
if __name__ == "__main__":
    model = keras.Sequential()
    model.add(keras.layers.Dense(4, input_shape=(3,)))
    model.add(keras.layers.Dense(1, name="out"))
    model.compile(optimizer="adam", loss={"out": "mse"})
"""
    assert [d.code for d in lint(code, keras="3")] == ["CL206"]
    assert lint(code, keras="2") == []


# Real-world shapes where the analysis cannot know enough: nothing may be reported.
NEGATIVES = {
    "model is a parameter": """
import keras
def train(model, data):
    model.compile(optimizer="adam", loss=["mse", "mae", "mse"], metrics=["mae"])
    model.fit(data)
""",
    "outputs from a comprehension": """
import keras
inputs = keras.Input(shape=(8,))
heads = [keras.layers.Dense(1, name=f"head_{i}")(inputs) for i in range(3)]
model = keras.Model(inputs, heads)
model.compile(optimizer="adam", loss=["mse", "mse"])
""",
    "outputs from an imported block": """
import keras
from my_project.blocks import make_heads
inputs = keras.Input(shape=(8,))
model = keras.Model(inputs, make_heads(inputs))
model.compile(optimizer="adam", loss=["mse", "mse", "mse"])
""",
    "model chosen in a branch": """
import keras, sys
inputs = keras.Input(shape=(8,))
one = keras.Model(inputs, keras.layers.Dense(1)(inputs))
inputs2 = keras.Input(shape=(8,))
two = keras.Model(inputs2, [keras.layers.Dense(1)(inputs2), keras.layers.Dense(1)(inputs2)])
if "--two" in sys.argv:
    model = two
else:
    model = one
model.compile(optimizer="adam", loss=["mse", "mse"])
""",
    "losses built in a loop": """
import keras
inputs = keras.Input(shape=(8,))
model = keras.Model(inputs, [keras.layers.Dense(1)(inputs), keras.layers.Dense(1)(inputs)])
losses = ["mse"]
for _ in range(1):
    losses.append("mae")
model.compile(optimizer="adam", loss=losses)
""",
    "losses appended without a loop": """
import keras
inputs = keras.Input(shape=(8,))
model = keras.Model(inputs, [keras.layers.Dense(1)(inputs), keras.layers.Dense(1)(inputs)])
losses = ["mse"]
losses.append("mae")
model.compile(optimizer="adam", loss=losses)
""",
    "flags from argparse": """
import argparse, keras
args = argparse.ArgumentParser().parse_args()
model = keras.Sequential([keras.layers.Dense(1)])
model.compile(optimizer="adam", loss="mse", jit_compile=args.xla, run_eagerly=args.debug)
""",
    "kwargs from a config file": """
import json, keras
config = json.load(open("config.json"))
model = keras.Sequential([keras.layers.Dense(1)])
model.compile(optimizer="adam", loss="mse", jit_compile=True, **config["compile"])
""",
    "loaded model": """
import keras
model = keras.models.load_model("model.keras")
model.compile(optimizer="adam", loss=["mse", "mse", "mse"], metrics=["mae"])
""",
    "strategy chosen in a branch": """
import tensorflow as tf
if tf.config.list_logical_devices("TPU"):
    strategy = tf.distribute.TPUStrategy()
else:
    strategy = tf.distribute.experimental.ParameterServerStrategy(resolver)
with strategy.scope():
    model = tf.keras.Sequential([tf.keras.layers.Dense(1, input_shape=(3,))])
    model.compile(optimizer="adam", loss="mse", jit_compile=True)
""",
    "lstm with return_state as output": """
import keras
inputs = keras.Input(shape=(10, 4))
outputs = keras.layers.LSTM(8, return_state=True)(inputs)
model = keras.Model(inputs, outputs)
model.compile(optimizer="adam", loss=["mse", "mse"])
""",
    "eager switch only in a debug branch": """
import tensorflow as tf, os
if os.environ.get("DEBUG"):
    tf.config.run_functions_eagerly(True)
model = tf.keras.Sequential([tf.keras.layers.Dense(1)])
model.compile(optimizer="adam", loss="mse", jit_compile=True)
""",
    "run_eagerly set only when debugging": """
import keras, os
model = keras.Sequential([keras.layers.Dense(1)])
model.compile(optimizer="adam", loss="mse", jit_compile=True)
if os.environ.get("DEBUG"):
    model.run_eagerly = True
""",
    "not keras at all": """
import re, torch
pattern = re.compile("x")
code = compile("1", "<s>", "eval")
fast = torch.compile(torch.nn.Linear(1, 1))
class Pipeline:
    def compile(self, loss=None, jit_compile=None, run_eagerly=None):
        pass
Pipeline().compile(loss=["a", "b", "c"], jit_compile=True, run_eagerly=True)
""",
    "keras import but another library's compile": """
import keras
import tensorflow_model_optimization as tfmot
converter = SomethingElse()
converter.compile(target="tpu")
""",
    "recursion and self-reference": """
import keras
def build(depth):
    if depth:
        return build(depth - 1)
    return keras.Sequential([keras.layers.Dense(1)])
model = build(3)
model.compile(optimizer="adam", loss="mse")
""",
}


@pytest.mark.parametrize("name", NEGATIVES)
def test_stays_silent_when_unsure(lint, name):
    assert lint(NEGATIVES[name], keras="2,3") == []


def test_noqa_on_line_and_file(lint):
    lint = functools.partial(lint, select=["CL1"])
    base = "import keras\nmodel = keras.Sequential([keras.layers.Dense(1)])\n"
    call = "model.compile(optimizer='adam', loss='mse', jit_compile=True, run_eagerly=True)"
    assert len(lint(base + call + "\n")) == 1
    assert lint(base + call + "  # noqa\n") == []
    assert lint(base + call + "  # noqa: CL101\n") == []
    assert lint(base + call + "  # noqa: jit-compile-with-run-eagerly\n") == []
    assert len(lint(base + call + "  # noqa: CL201\n")) == 1
    assert lint("# compilelint: noqa\n" + base + call + "\n") == []
    assert lint("# compilelint: noqa: CL1\n" + base + call + "\n") == []
    multi = base + "model.compile(\n    optimizer='adam',\n    loss='mse',\n    jit_compile=True,\n    run_eagerly=True,\n)  # noqa: CL101\n"
    assert len(lint(base + "model.compile(\n    optimizer='adam',\n    loss='mse',\n    jit_compile=True,\n    run_eagerly=True,\n)\n")) == 1
    assert len(lint(multi.replace("jit_compile=True,", "jit_compile=True,  # noqa: CL101"))) == 0


def test_wrapped_rnn_returning_states_has_unknown_outputs(lint):
    code = """
import keras
inputs = keras.Input(shape=(10, 4))
outputs = keras.layers.Bidirectional(keras.layers.LSTM(8, return_state=True))(inputs)
model = keras.Model(inputs, outputs)
model.compile(optimizer="adam", loss=["mse", "mse"])
"""
    assert lint(code, keras="2,3") == []
    plain = code.replace(", return_state=True", "")
    assert [d.code for d in lint(plain, keras="2,3")] == ["CL201"]


def test_model_built_by_a_method_of_a_plain_class(lint):
    code = """
import keras
class Experiment:
    def __init__(self, width):
        self.model = self.build_model(width)
    def build_model(self, width):
        inputs = keras.Input(shape=(4,))
        return keras.Model(inputs, [keras.layers.Dense(width)(inputs), keras.layers.Dense(1)(inputs)])
    def train(self):
        self.model.compile(optimizer="adam", loss=["mse"])
"""
    assert [d.code for d in lint(code, keras="3")] == ["CL201"]


def test_instance_used_by_module_code(lint):
    code = """
import keras
class Experiment:
    def build(self):
        inputs = keras.Input(shape=(4,))
        self.model = keras.Model(inputs, [keras.layers.Dense(2)(inputs), keras.layers.Dense(1)(inputs)])
    def train(self):
        self.model.compile(optimizer="adam", loss=["mse", "mse", "mse"])
experiment = Experiment()
experiment.build()
experiment.train()
"""
    assert [d.code for d in lint(code, keras="3")] == ["CL201"]


def test_tensorflow_top_level_shortcuts_are_keras(lint):
    code = """
import tensorflow as tf
model = tf.keras.Sequential([tf.keras.layers.Dense(1)])
model.compile(optimizer=tf.optimizers.Adam(lr=0.1), loss=tf.losses.BinaryCrossentropy(from_logits=True), metrics=tf.metrics.BinaryAccuracy(threshold=0.0))
"""
    assert sorted(d.code for d in lint(code, keras="3")) == ["CL304", "CL401"]


def test_sequential_starting_with_input_is_complete(lint):
    code = """
import keras
model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(8), keras.layers.Dense(1)])
model.compile(optimizer="adam", metrics=["mae"])
model.fit(x, y)
"""
    assert [d.code for d in lint(code, keras="3")] == ["CL207"]


def test_merge_functions_and_called_models_give_known_outputs(lint):
    code = """
import keras
from keras.layers import Input, Dense, concatenate
generator = keras.Sequential([Dense(4, input_dim=2)])
discriminator = keras.Sequential([Dense(1, input_dim=4, activation="sigmoid")])
z = Input(shape=(2,))
features = Input(shape=(3,))
fake = generator(z)
joined = concatenate([fake, features])
combined = keras.Model([z, features], [discriminator(fake), fake, Dense(1)(joined)])
combined.compile(optimizer="adam", loss=["binary_crossentropy", "mae"], metrics=["accuracy"])
"""
    assert sorted(d.code for d in lint(code, keras="3")) == ["CL201", "CL205"]
