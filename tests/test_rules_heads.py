"""Output-layer and loss facts (compilelint/facts/heads.py) and the CL5xx rules built on them."""

import libcst as cst
import pytest

from compilelint.facts.collector import collect_facts
from compilelint.facts.heads import (
    BINARY,
    CACHED,
    CATEGORICAL,
    LINEAR,
    OP,
    OTHER,
    OTHER_LOSS,
    SIGMOID,
    SOFTMAX,
    SPARSE_CATEGORICAL,
    loss_fact,
    output_head,
    output_losses,
)
from compilelint.facts.values import UNKNOWN
from compilelint.versions import KERAS_2, KERAS_3


def pairs_of(code, keras=KERAS_3):
    facts = collect_facts(cst.parse_module(code), code)
    (site,) = facts.sites
    loss = site.bind(keras.compile_parameters).get("loss")
    return [(p.output.name, p.head.activation, p.head.units, p.loss.kind, p.loss.from_logits) for p in output_losses(site, loss, keras.major)]


def full_head_of(layers):
    code = f"import keras\nimport tensorflow as tf\nmodel = keras.Sequential([keras.Input(shape=(8,)), {layers}])\nmodel.compile(loss='mse')\n"
    facts = collect_facts(cst.parse_module(code), code)
    return output_head(facts.sites[0].outputs.items[0].tensor)


def head_of(layers):
    head = full_head_of(layers)
    return head.activation, head.units


@pytest.mark.parametrize(
    "layers, expected",
    [
        ("keras.layers.Dense(10, activation='softmax')", (SOFTMAX, 10)),
        ("keras.layers.Dense(10, 'sigmoid')", (SIGMOID, 10)),
        ("keras.layers.Dense(units=4)", (LINEAR, 4)),
        ("keras.layers.Dense(4, activation=None)", (LINEAR, 4)),
        ("keras.layers.Dense(4, activation='relu')", (OTHER, 4)),
        ("keras.layers.Dense(4, activation=tf.nn.softmax)", (SOFTMAX, 4)),
        ("keras.layers.Dense(4, activation=keras.activations.sigmoid)", (SIGMOID, 4)),
        ("keras.layers.Dense(4), keras.layers.Activation('softmax', dtype='float32')", (SOFTMAX, 4)),
        ("keras.layers.Dense(4), keras.layers.Softmax()", (SOFTMAX, 4)),
        ("keras.layers.Dense(4), keras.layers.Softmax(axis=1)", (OTHER, 4)),
        ("keras.layers.Dense(4), keras.layers.ReLU()", (OTHER, 4)),
        ("keras.layers.Conv2D(3, 1, activation='softmax')", (SOFTMAX, UNKNOWN)),
        ("keras.layers.Conv2D(3, 1)", (LINEAR, UNKNOWN)),
        # Not known: the producer is no built-in affine or activation layer, or its argument is unknown.
        ("keras.layers.Dense(4, activation=act)", (UNKNOWN, 4)),
        ("keras.layers.Dense(n, activation='softmax')", (SOFTMAX, UNKNOWN)),
        ("keras.layers.Dense(4, **options)", (UNKNOWN, 4)),
        ("keras.layers.LSTM(4)", (UNKNOWN, UNKNOWN)),
        ("keras.layers.Dense(4, activation='softmax'), keras.layers.Dropout(0.1)", (UNKNOWN, UNKNOWN)),
        ("keras.layers.Dense(4), keras.layers.Lambda(tf.nn.softmax)", (UNKNOWN, UNKNOWN)),
        ("keras.layers.Dense(4), MyHead()", (UNKNOWN, UNKNOWN)),
        ("keras.layers.Dense(4), keras.layers.Activation()", (UNKNOWN, 4)),
    ],
)
def test_output_head(layers, expected):
    assert head_of(layers) == expected


@pytest.mark.parametrize(
    "layers, expected",
    [
        # The mixed-precision cast after a softmax keeps the probabilities; whether the loss
        # still sees the softmax op depends on the dtype policy.
        ("keras.layers.Dense(10, activation='softmax'), keras.layers.Activation('linear', dtype='float32')", (SOFTMAX, 10, "softmax", UNKNOWN)),
        ("keras.layers.Dense(10, activation='softmax'), keras.layers.Activation('linear')", (SOFTMAX, 10, "softmax", CACHED)),
        ("keras.layers.Dense(10), keras.layers.Softmax(), keras.layers.Activation(None)", (SOFTMAX, 10, "softmax", CACHED)),
        ("keras.layers.Dense(10, activation='softmax'), keras.layers.Softmax()", (SOFTMAX, 10, "softmax", CACHED)),
        ("keras.layers.Dense(3, activation='relu'), keras.layers.Softmax()", (SOFTMAX, 3, "softmax", CACHED)),
        ("keras.layers.Dense(10, activation=tf.nn.softmax)", (SOFTMAX, 10, "softmax", OP)),
        ("keras.layers.Dense(10, activation=tf.nn.sigmoid), keras.layers.Activation('linear')", (SIGMOID, 10, "sigmoid", OP)),
        ("keras.layers.Dense(10), keras.layers.Activation(keras.activations.sigmoid)", (SIGMOID, 10, "sigmoid", CACHED)),
        # ReLU-like layers leave probabilities as they are, but hide the squash from the loss.
        ("keras.layers.Dense(10, activation='softmax'), keras.layers.ReLU()", (SOFTMAX, 10, "softmax", None)),
        ("keras.layers.Dense(10, activation='sigmoid'), keras.layers.Activation('relu')", (SIGMOID, 10, "sigmoid", None)),
        ("keras.layers.Dense(10, activation='softmax'), keras.layers.PReLU()", (SOFTMAX, 10, "softmax", None)),
        # The activation's own name, wherever it is written.
        ("keras.layers.Dense(10), keras.layers.ReLU()", (OTHER, 10, "relu", None)),
        ("keras.layers.Dense(10), keras.layers.LeakyReLU()", (OTHER, 10, "leaky_relu", None)),
        ("keras.layers.Dense(10, activation=tf.nn.relu)", (OTHER, 10, "relu", None)),
        ("keras.layers.Dense(10, activation=keras.activations.tanh)", (OTHER, 10, "tanh", None)),
        ("keras.layers.Dense(10, activation='exponential')", (OTHER, 10, "exponential", None)),
        # Not known: a ReLU with arguments, an activation over something not a probability.
        ("keras.layers.Dense(10), keras.layers.ReLU(max_value=1.0)", (OTHER, 10, UNKNOWN, None)),
        ("keras.layers.Dense(10, activation='softmax'), keras.layers.Activation('tanh')", (UNKNOWN, 10, UNKNOWN, None)),
        ("keras.layers.Dense(10, activation='tanh'), keras.layers.ReLU()", (UNKNOWN, 10, UNKNOWN, None)),
        ("keras.layers.LSTM(4), keras.layers.Activation('linear')", (UNKNOWN, UNKNOWN, UNKNOWN, None)),
        ("keras.layers.LSTM(4), keras.layers.ReLU()", (UNKNOWN, UNKNOWN, UNKNOWN, None)),
        ("keras.layers.LSTM(4), keras.layers.Activation('sigmoid')", (SIGMOID, UNKNOWN, "sigmoid", CACHED)),
    ],
)
def test_head_is_what_the_last_layers_compute(layers, expected):
    head = full_head_of(layers)
    assert (head.activation, head.units, head.function, head.logits) == expected


def loss_kind_of(expression):
    code = f"import keras\nmodel = keras.Sequential([keras.layers.Dense(1)])\nmodel.compile(loss={expression})\n"
    facts = collect_facts(cst.parse_module(code), code)
    fact = loss_fact(facts.sites[0].bind(KERAS_3.compile_parameters)["loss"].value)
    return fact if fact is UNKNOWN else (fact.kind, fact.from_logits, fact.label)


@pytest.mark.parametrize(
    "expression, expected",
    [
        ("'mse'", (OTHER_LOSS, UNKNOWN, "mse")),
        ("'Huber'", (OTHER_LOSS, UNKNOWN, "Huber")),
        ("keras.losses.MeanSquaredError()", (OTHER_LOSS, UNKNOWN, "MeanSquaredError")),
        ("keras.losses.mean_absolute_error", (OTHER_LOSS, UNKNOWN, "mean_absolute_error")),
        ("keras.losses.CategoricalFocalCrossentropy()", (OTHER_LOSS, UNKNOWN, "CategoricalFocalCrossentropy")),
        ("keras.losses.get('hinge')", (OTHER_LOSS, UNKNOWN, "hinge")),
        ("keras.losses.BinaryCrossentropy(from_logits=True)", (BINARY, True, "binary crossentropy")),
        ("'sparse_categorical_crossentropy'", (SPARSE_CATEGORICAL, False, "sparse categorical crossentropy")),
        ("'msee'", UNKNOWN),
        ("keras.losses.Loss()", UNKNOWN),
        ("my_losses.mse", UNKNOWN),
    ],
)
def test_loss_facts(expression, expected):
    assert loss_kind_of(expression) == expected


TWO_OUTPUTS = (
    "import keras\n"
    "inputs = keras.Input(shape=(8,))\n"
    "a = keras.layers.Dense(3, activation='softmax', name='a')(inputs)\n"
    "b = keras.layers.Dense(1, name='b')(inputs)\n"
    "model = keras.Model(inputs, [a, b])\n"
)


@pytest.mark.parametrize(
    "loss, expected",
    [
        ("'categorical_crossentropy'", [("a", SOFTMAX, 3, CATEGORICAL, False), ("b", LINEAR, 1, CATEGORICAL, False)]),
        ("['CategoricalCrossentropy', 'BCE']", [("a", SOFTMAX, 3, CATEGORICAL, False), ("b", LINEAR, 1, BINARY, False)]),
        ("['mse', keras.losses.BinaryCrossentropy(True)]", [("a", SOFTMAX, 3, OTHER_LOSS, UNKNOWN), ("b", LINEAR, 1, BINARY, True)]),
        ("{'b': keras.losses.SparseCategoricalCrossentropy(from_logits=True)}", [("b", LINEAR, 1, SPARSE_CATEGORICAL, True)]),
        ("(keras.losses.categorical_crossentropy, keras.losses.get('binary_crossentropy'))", [("a", SOFTMAX, 3, CATEGORICAL, False), ("b", LINEAR, 1, BINARY, False)]),
        ("[keras.losses.CategoricalCrossentropy(from_logits=flag), 'mse']", [("a", SOFTMAX, 3, CATEGORICAL, UNKNOWN), ("b", LINEAR, 1, OTHER_LOSS, UNKNOWN)]),
        # Lengths that do not match the outputs, custom and unknown losses: no pairs.
        ("['categorical_crossentropy']", []),
        ("[my_loss, lambda t, p: p]", []),
        ("keras.losses.get(name)", []),
        ("losses", []),
        ("{'c': 'categorical_crossentropy'}", []),
    ],
)
def test_losses_are_paired_with_outputs(loss, expected):
    assert pairs_of(TWO_OUTPUTS + f"model.compile(optimizer='adam', loss={loss})\n") == expected


def test_dict_loss_on_sequential_pairs_only_where_keras_accepts_it():
    code = "import keras\nmodel = keras.Sequential([keras.layers.Dense(1, name='out')])\nmodel.compile(loss={'out': 'categorical_crossentropy'})\n"
    assert pairs_of(code, KERAS_2) == [("out", LINEAR, 1, CATEGORICAL, False)]
    assert pairs_of(code, KERAS_3) == []


def test_model_of_unknown_origin_gives_no_pairs():
    code = "import keras\nmodel = get_model()\nmodel.compile(optimizer='adam', loss='categorical_crossentropy')\n"
    facts = collect_facts(cst.parse_module(code), code)
    (site,) = facts.sites
    assert site.model is UNKNOWN
    assert output_losses(site, site.bind(KERAS_3.compile_parameters).get("loss"), 3) == []


def codes(lint, code, keras="2,3"):
    return sorted({d.code for d in lint(code, keras=keras, select=["CL5"])})


SEQUENTIAL = "import keras\nmodel = keras.Sequential([keras.Input(shape=(8,)), keras.layers.Dense(16, activation='relu'), {head}])\n"


@pytest.mark.parametrize(
    "code",
    [
        # Classifiers as people write them.
        SEQUENTIAL.format(head="keras.layers.Dense(10, activation='softmax')") + "model.compile('adam', 'sparse_categorical_crossentropy', metrics=['accuracy'])\n",
        SEQUENTIAL.format(head="keras.layers.Dense(10)") + "model.compile(optimizer='adam', loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=['accuracy'])\n",
        SEQUENTIAL.format(head="keras.layers.Dense(1, activation='sigmoid')") + "model.compile(optimizer='rmsprop', loss='binary_crossentropy')\n",
        SEQUENTIAL.format(head="keras.layers.Dense(1)") + "model.compile(optimizer='adam', loss=keras.losses.BinaryCrossentropy(from_logits=True))\n",
        SEQUENTIAL.format(head="keras.layers.Dense(5, activation='sigmoid')") + "model.compile(optimizer='adam', loss='binary_crossentropy')\n",
        # Mixed precision: the softmax runs in float32 in its own layer.
        "import keras\nfrom keras import layers\ninputs = keras.Input(shape=(784,))\nx = layers.Dense(64, activation='relu')(inputs)\n"
        "x = layers.Dense(10)(x)\noutputs = layers.Activation('softmax', dtype='float32', name='predictions')(x)\n"
        "model = keras.Model(inputs=inputs, outputs=outputs)\nmodel.compile(loss='sparse_categorical_crossentropy', optimizer=keras.optimizers.RMSprop())\n",
        # Regression losses on squashed outputs are not reported.
        SEQUENTIAL.format(head="keras.layers.Dense(1, activation='sigmoid')") + "model.compile(optimizer='adam', loss='mae')\n",
        SEQUENTIAL.format(head="keras.layers.Dense(4, activation='softmax')") + "model.compile(optimizer='adam', loss=keras.losses.KLDivergence())\n",
        # Multi-output with dict losses and names.
        "import tensorflow as tf\ninputs = tf.keras.Input(shape=(32,))\nh = tf.keras.layers.Dense(32, activation='relu')(inputs)\n"
        "priority = tf.keras.layers.Dense(1, name='priority')(h)\ndepartment = tf.keras.layers.Dense(4, activation=tf.nn.softmax, name='department')(h)\n"
        "model = tf.keras.Model(inputs=[inputs], outputs=[priority, department])\n"
        "model.compile(optimizer='rmsprop', loss={'priority': tf.keras.losses.BinaryCrossentropy(from_logits=True), 'department': tf.keras.losses.CategoricalCrossentropy()}, loss_weights=[1.0, 0.2])\n",
        # Custom losses and layers, loss from a config: silent.
        SEQUENTIAL.format(head="keras.layers.Dense(1)") + "def dice(y_true, y_pred):\n    return 1 - y_pred\nmodel.compile(optimizer='adam', loss=dice)\n",
        SEQUENTIAL.format(head="keras.layers.Dense(1)") + "class Focal(keras.losses.Loss):\n    def call(self, y_true, y_pred):\n        return y_pred\nmodel.compile(optimizer='adam', loss=Focal())\n",
        SEQUENTIAL.format(head="keras.layers.Dense(1)") + "model.compile(optimizer='adam', loss=config['loss'])\n",
        "import keras\nbase = keras.applications.MobileNetV2(include_top=False)\nmodel = keras.Sequential([base, keras.layers.GlobalAveragePooling2D(), keras.layers.Dense(1)])\nmodel.compile(optimizer='adam', loss=keras.losses.BinaryCrossentropy(from_logits=True))\n",
        "import keras\nclass Net(keras.Model):\n    def call(self, x):\n        return x\nmodel = Net()\nmodel.compile(optimizer='adam', loss='categorical_crossentropy')\n",
        "import keras\nmodel = keras.models.load_model('m.keras')\nmodel.compile(optimizer='adam', loss=keras.losses.CategoricalCrossentropy(from_logits=True))\n",
        # A layer added in a branch: the last layer is not known.
        "import keras\nmodel = keras.Sequential([keras.Input(shape=(8,)), keras.layers.Dense(3)])\nif probs:\n    model.add(keras.layers.Softmax())\nmodel.compile(loss=keras.losses.CategoricalCrossentropy(from_logits=True))\n",
    ],
)
def test_correct_and_unknown_models_are_not_reported(lint, code):
    assert codes(lint, code) == []


def test_from_logits_on_softmax_message_per_version(lint):
    code = SEQUENTIAL.format(head="keras.layers.Dense(5, activation='softmax')") + "model.compile(optimizer='adam', loss=keras.losses.CategoricalCrossentropy(from_logits=True))\n"
    (k2,) = lint(code, keras="2", select=["CL501"])
    (k3,) = lint(code, keras="3", select=["CL501"])
    assert k2.severity == "warning" and "Keras 2 warns at the first fit()" in k2.message
    assert "JAX or PyTorch silently applies softmax" in k3.message
    assert "Drop the activation" in k3.message
    compile_line = code.splitlines()[2]
    assert (k3.span.line, k3.span.column) == (3, compile_line.index('loss=') + 1)  # the loss= argument


def test_mismatched_squash_says_what_tensorflow_trains(lint):
    code = SEQUENTIAL.format(head="keras.layers.Dense(3, activation='softmax')") + "model.compile(loss=keras.losses.BinaryCrossentropy(from_logits=True))\n"
    (finding,) = lint(code, keras="2", select=["CL501"])
    assert "with a sigmoid, so training optimises sigmoid outputs while predict() returns softmax ones" in finding.message


def test_each_output_is_checked_against_its_own_loss(lint):
    code = TWO_OUTPUTS + "model.compile(optimizer='adam', loss=[keras.losses.CategoricalCrossentropy(from_logits=True), 'binary_crossentropy'])\n"
    line = code.splitlines()[-1]
    found = {(d.code, d.span.column) for d in lint(code, keras="3", select=["CL5"])}
    assert found == {("CL501", line.index("keras.losses") + 1), ("CL502", line.index("'binary_crossentropy'") + 1)}
    messages = " ".join(d.message for d in lint(code, keras="3", select=["CL5"]))
    assert "output 'a'" in messages and "output 'b'" in messages


def test_one_broadcast_loss_is_reported_once(lint):
    code = (
        "import keras\ninputs = keras.Input(shape=(8,))\na = keras.layers.Dense(1, name='a')(inputs)\n"
        "b = keras.layers.Dense(1, name='b')(inputs)\nmodel = keras.Model(inputs, [a, b])\nmodel.compile(loss='categorical_crossentropy')\n"
    )
    assert [d.code for d in lint(code, keras="3", select=["CL503"])] == ["CL503"]


def test_one_unit_outputs(lint):
    categorical = SEQUENTIAL.format(head="keras.layers.Dense(1, activation='sigmoid')") + "model.compile(loss='categorical_crossentropy')\n"
    sparse = SEQUENTIAL.format(head="keras.layers.Dense(1, activation='sigmoid')") + "model.compile(loss='sparse_categorical_crossentropy')\n"
    (finding,) = lint(categorical, keras="3", select=["CL503"])
    assert "always 0" in finding.message and finding.severity == "warning"
    (finding,) = lint(sparse, keras="2", select=["CL503"])
    assert "outside the valid range of [0, 1)" in finding.message and finding.severity == "error"


def test_binary_crossentropy_on_softmax_only_without_logits_and_over_several_units(lint):
    base = SEQUENTIAL.format(head="keras.layers.Dense({units}, activation='softmax')")
    assert codes(lint, base.format(units=2) + "model.compile(loss='binary_crossentropy')\n") == ["CL503"]
    assert codes(lint, base.format(units=2) + "model.compile(loss=keras.losses.BinaryCrossentropy(from_logits=True))\n") == ["CL501"]


def test_linear_output_with_probability_loss(lint):
    code = SEQUENTIAL.format(head="keras.layers.Dense(10)") + "model.compile(optimizer='adam', loss='categorical_crossentropy')\n"
    (finding,) = lint(code, keras="2,3", select=["CL502"])
    assert "divide the outputs by their sum" in finding.message and "can be zero or negative" in finding.message
    assert "from_logits=True" in finding.message and "activation='softmax'" in finding.message


@pytest.mark.parametrize(
    "code",
    [
        "import keras\nmodel = keras.Sequential([keras.layers.Dense(units=True, activation=3)])\nmodel.compile(loss=keras.losses.CategoricalCrossentropy(from_logits='yes'))\n",
        "import keras\nmodel = keras.Sequential([keras.layers.Softmax(axis=[1, 2])])\nmodel.compile(loss=keras.losses.CategoricalCrossentropy(*args))\n",
        "import keras\nmodel = keras.Sequential([keras.layers.Activation(), keras.layers.Dense()])\nmodel.compile(loss=keras.losses.get())\n",
        "import keras\nx = keras.Input((3,))\nmodel = keras.Model(x, {'a': keras.layers.Dense(2)(x)})\nmodel.compile(loss={'a': keras.losses.get(1)})\n",
    ],
)
def test_odd_code_does_not_crash(lint, code):
    lint(code, keras="2,3", select=["CL5"])
