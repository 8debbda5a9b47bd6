"""Loss against the output layer (CL501-CL503), learning rates (CL405), loss tuples (CL201),
GAN freezes (CL404) and dict-returning subclassed models (CL202 / CL206).

Each loss/output pattern is reported on a Sequential, a functional and a builder-function
model, under Keras 2, 3 and 2,3, and its correct twin is not; unknown activations, widths
and losses stay silent. The behaviour behind each message was measured on tf_keras 2.21 and
keras 3.15 (TensorFlow, and JAX where it differs); see the rules' docs.
"""

import pytest

PRELUDE = "import sys\nimport keras\nimport tensorflow as tf\nfrom keras import layers\nnum_classes = int(sys.argv[1])\n"


def sequential(head, loss):
    layers = ", ".join(["keras.Input(shape=(8,))", "layers.Dense(16, activation='relu')", *head])
    return PRELUDE + f"model = keras.Sequential([{layers}])\nmodel.compile(optimizer='adam', loss={loss})\n"


def functional(head, loss):
    chain = "".join(f"x = {layer}(x)\n" for layer in head)
    return (
        PRELUDE + "inputs = keras.Input(shape=(8,))\nx = layers.Dense(16, activation='relu')(inputs)\n" + chain
        + f"model = keras.Model(inputs, x)\nmodel.compile(optimizer='adam', loss={loss})\n"
    )


def builder(head, loss):
    chain = "".join(f"    x = {layer}(x)\n" for layer in head)
    return (
        PRELUDE + "def build_model():\n    inputs = keras.Input(shape=(8,))\n    x = layers.Dense(16, activation='relu')(inputs)\n"
        + chain + "    return keras.Model(inputs=inputs, outputs=x)\n\n"
        + f"model = build_model()\nmodel.compile(optimizer='adam', loss={loss})\nmodel.fit(x_train, y_train)\n"
    )


FORMS = {"sequential": sequential, "functional": functional, "builder": builder}
KERAS = ["2", "3", "2,3"]

# id: (head layers, loss, rule), correct twin: (head layers, loss)
PATTERNS = {
    "softmax-one-unit-bce": ((["layers.Dense(1, activation='softmax')"], "'binary_crossentropy'", "CL503"), (["layers.Dense(1, activation='sigmoid')"], "'binary_crossentropy'")),
    "softmax-one-unit-mse": ((["layers.Dense(1, activation='softmax')"], "'mse'", "CL503"), (["layers.Dense(1)"], "'mse'")),
    "softmax-layer-one-unit-hinge": ((["layers.Dense(1)", "layers.Softmax()"], "keras.losses.Hinge()", "CL503"), (["layers.Dense(1, activation='tanh')"], "keras.losses.Hinge()")),
    "softmax-one-unit-logits-bce": ((["layers.Dense(1, activation=tf.nn.softmax)"], "keras.losses.BinaryCrossentropy(from_logits=True)", "CL503"), (["layers.Dense(1)"], "keras.losses.BinaryCrossentropy(from_logits=True)")),
    "sigmoid-several-units-cce": ((["layers.Dense(5, activation='sigmoid')"], "'categorical_crossentropy'", "CL503"), (["layers.Dense(5, activation='softmax')"], "'categorical_crossentropy'")),
    "sigmoid-unknown-width-scce": ((["layers.Dense(num_classes)", "layers.Activation('sigmoid')"], "'sparse_categorical_crossentropy'", "CL503"), (["layers.Dense(num_classes)", "layers.Activation('softmax')"], "'sparse_categorical_crossentropy'")),
    "softmax-unknown-width-bce": ((["layers.Dense(num_classes, activation='softmax')"], "'binary_crossentropy'", "CL503"), (["layers.Dense(num_classes, activation='sigmoid')"], "'binary_crossentropy'")),
    "tf-softmax-bce": ((["layers.Dense(4, activation=tf.nn.softmax)"], "keras.losses.BinaryCrossentropy()", "CL503"), (["layers.Dense(4, activation=tf.nn.sigmoid)"], "keras.losses.BinaryCrossentropy()")),
    "relu-cce": ((["layers.Dense(3, activation='relu')"], "'categorical_crossentropy'", "CL503"), (["layers.Dense(3, activation='softmax')"], "'categorical_crossentropy'")),
    "relu-layer-scce": ((["layers.Dense(3)", "layers.ReLU()"], "'sparse_categorical_crossentropy'", "CL503"), (["layers.Dense(3)", "layers.Softmax()"], "'sparse_categorical_crossentropy'")),
    "tanh-bce": ((["layers.Dense(1, activation='tanh')"], "'binary_crossentropy'", "CL503"), (["layers.Dense(1, activation='sigmoid')"], "'binary_crossentropy'")),
    "elu-cce": ((["layers.Dense(4, activation=tf.nn.elu)"], "keras.losses.CategoricalCrossentropy()", "CL503"), (["layers.Dense(4, activation=tf.nn.softmax)"], "keras.losses.CategoricalCrossentropy()")),
    "selu-bce": ((["layers.Dense(2, activation='selu')"], "'bce'", "CL503"), (["layers.Dense(2, activation='sigmoid')"], "'bce'")),
    "softplus-cce": ((["layers.Dense(4, activation='softplus')"], "'categorical_crossentropy'", "CL503"), (["layers.Dense(4)"], "keras.losses.CategoricalCrossentropy(from_logits=True)")),
    "exponential-bce": ((["layers.Dense(1, activation=keras.activations.exponential)"], "'binary_crossentropy'", "CL503"), (["layers.Dense(1, activation=keras.activations.exponential)"], "'poisson'")),
    "linear-after-dense-scce": ((["layers.Dense(10)", "layers.Activation('linear', dtype='float32')"], "'sparse_categorical_crossentropy'", "CL502"), (["layers.Dense(10, activation='softmax')", "layers.Activation('linear', dtype='float32')"], "'sparse_categorical_crossentropy'")),
    "logits-loss-after-softmax-relu": ((["layers.Dense(3, activation='softmax')", "layers.ReLU()"], "keras.losses.CategoricalCrossentropy(from_logits=True)", "CL501"), (["layers.Dense(3)", "layers.ReLU()", "layers.Dense(3)"], "keras.losses.CategoricalCrossentropy(from_logits=True)")),
}


@pytest.mark.parametrize("keras", KERAS)
@pytest.mark.parametrize("form", sorted(FORMS))
@pytest.mark.parametrize("pattern", sorted(PATTERNS))
def test_pattern_is_reported_and_its_twin_is_not(lint, pattern, form, keras):
    (head, loss, rule), (twin_head, twin_loss) = PATTERNS[pattern]
    build = FORMS[form]
    assert [d.code for d in lint(build(head, loss), keras=keras, select=["CL5"])] == [rule]
    assert [d.code for d in lint(build(twin_head, twin_loss), keras=keras, select=["CL5"])] == []


SILENT = {
    "unknown-activation": (["layers.Dense(3, activation=output_activation)"], "'categorical_crossentropy'"),
    "activation-from-a-dict": (["layers.Dense(3, activation=config['activation'])"], "'binary_crossentropy'"),
    "unknown-width-softmax-cce": (["layers.Dense(num_classes, activation='softmax')"], "'categorical_crossentropy'"),
    "unknown-width-linear-mse": (["layers.Dense(num_classes)"], "'mse'"),
    "custom-loss-on-one-unit-softmax": (["layers.Dense(1, activation='softmax')"], "custom_loss"),
    "custom-loss-on-relu": (["layers.Dense(3, activation='relu')"], "losses_module.focal"),
    "custom-layer-after-relu": (["layers.Dense(3, activation='relu')", "ProbabilityHead()"], "'categorical_crossentropy'"),
    "relu-with-from-logits": (["layers.Dense(3, activation='relu')"], "keras.losses.SparseCategoricalCrossentropy(from_logits=True)"),
    "hard-sigmoid-bce": (["layers.Dense(1, activation='hard_sigmoid')"], "'binary_crossentropy'"),
    "relu-regression": (["layers.Dense(1, activation='relu')"], "'mae'"),
    "softmax-over-softmax": (["layers.Dense(3, activation='softmax')", "layers.Softmax()"], "'categorical_crossentropy'"),
    "softmax-then-relu": (["layers.Dense(3, activation='softmax')", "layers.ReLU()"], "'categorical_crossentropy'"),
    "sigmoid-then-linear-bce": (["layers.Dense(3, activation='sigmoid')", "layers.Activation('linear')"], "'binary_crossentropy'"),
    "unknown-from-logits": (["layers.Dense(3, activation='sigmoid')"], "keras.losses.CategoricalCrossentropy(from_logits=use_logits)"),
    "tanh-after-unknown": (["layers.LSTM(4)", "layers.ReLU()"], "'categorical_crossentropy'"),
}


@pytest.mark.parametrize("keras", KERAS)
@pytest.mark.parametrize("form", sorted(FORMS))
@pytest.mark.parametrize("case", sorted(SILENT))
def test_unknown_or_correct_outputs_stay_silent(lint, case, form, keras):
    head, loss = SILENT[case]
    assert [d.code for d in lint(FORMS[form](head, loss), keras=keras, select=["CL5"])] == []


def message(lint, code, keras, rule="CL5"):
    (finding,) = lint(code, keras=keras, select=[rule])
    return finding


def test_single_unit_softmax_messages_say_what_each_loss_does(lint):
    bce = message(lint, sequential(["layers.Dense(1, activation='softmax')"], "'binary_crossentropy'"), "3")
    assert "always outputs 1.0" in bce.message and "the loss still falls" in bce.message and "on JAX or PyTorch it stays constant" in bce.message
    mse = message(lint, sequential(["layers.Dense(1, activation='softmax')"], "'mse'"), "2")
    assert "mse gets no gradient through it, so the loss stays constant" in mse.message
    tf_op = message(lint, sequential(["layers.Dense(1, activation=tf.nn.softmax)"], "'binary_crossentropy'"), "2")
    assert "the loss stays constant" in tf_op.message  # a TensorFlow softmax keeps no logits
    focal = message(lint, sequential(["layers.Dense(1, activation='softmax')"], "keras.losses.BinaryFocalCrossentropy()"), "3")
    assert "always outputs 1.0" in focal.message and "stays constant" not in focal.message


def test_categorical_on_sigmoid_message_depends_on_who_computes_the_sigmoid(lint):
    keras_sigmoid = message(lint, sequential(["layers.Dense(5, activation='sigmoid')"], "'categorical_crossentropy'"), "3")
    assert "on TensorFlow (Keras 3) the loss is silently computed as a softmax over the logits behind the sigmoid" in keras_sigmoid.message
    assert "on JAX or PyTorch it divides the sigmoid outputs by their sum" in keras_sigmoid.message
    tensorflow_sigmoid = message(lint, sequential(["layers.Dense(5, activation=tf.nn.sigmoid)"], "'categorical_crossentropy'"), "2")
    assert "in Keras 2 the sigmoid outputs are silently divided by their sum" in tensorflow_sigmoid.message


def test_behaviour_both_versions_share_is_said_once_under_both_targets(lint):
    both = message(lint, sequential(["layers.Dense(5, activation='sigmoid')"], "'categorical_crossentropy'"), "2,3")
    assert "on TensorFlow (Keras 2 and 3) the loss is silently computed as a softmax" in both.message
    assert "(on Keras 3 with JAX or PyTorch it divides the sigmoid outputs by their sum)" in both.message
    assert both.message.count("logits behind the sigmoid") == 1
    keras_2 = message(lint, sequential(["layers.Dense(5, activation='sigmoid')"], "'categorical_crossentropy'"), "2")
    assert "JAX" not in keras_2.message


def test_binary_on_softmax_message_reads_right(lint):
    finding = message(lint, sequential(["layers.Dense(3, activation='softmax')"], "'binary_crossentropy'"), "2")
    assert "on TensorFlow (Keras 2) the loss is silently computed from the logits behind the softmax with a sigmoid" in finding.message
    unknown = message(lint, sequential(["layers.Dense(num_classes, activation='softmax')"], "'binary_crossentropy'"), "2")
    assert "binary crossentropy on a softmax output" in unknown.message and "over a single unit the softmax is always 1.0" in unknown.message


@pytest.mark.parametrize(
    "activation, loss, expected",
    [
        ("relu", "'categorical_crossentropy'", "the loss is NaN from the first epoch"),
        ("relu6", "'categorical_crossentropy'", "the loss is NaN from the first epoch"),
        ("tanh", "'categorical_crossentropy'", "can be zero or negative"),
        ("softplus", "'categorical_crossentropy'", "do not sum to 1"),
        ("relu", "'sparse_categorical_crossentropy'", "training stalls near chance level"),
        ("exponential", "'sparse_categorical_crossentropy'", "outputs above 1 get no gradient"),
        ("elu", "'binary_crossentropy'", "outside (0, 1) get no gradient"),
    ],
)
def test_non_probability_messages_per_activation_and_loss(lint, activation, loss, expected):
    units = 1 if loss == "'binary_crossentropy'" else 3
    finding = message(lint, functional([f"layers.Dense({units}, activation='{activation}')"], loss), "2,3")
    assert finding.code == "CL503" and expected in finding.message and f"applies {activation}" in finding.message
    assert "Keras 2 and 3" in finding.message


def test_mixed_precision_softmax_cast_to_float32_is_a_probability_output(lint):
    code = functional(["layers.Dense(10, name='dense_logits')", "layers.Activation('softmax', dtype='float32', name='predictions')", "layers.Activation('linear', dtype='float32')"], "'sparse_categorical_crossentropy'")
    assert lint(code, keras="2,3") == []


def test_from_logits_behind_a_relu_is_not_rescued(lint):
    finding = message(lint, sequential(["layers.Dense(3, activation='softmax')", "layers.ReLU()"], "keras.losses.CategoricalCrossentropy(from_logits=True)"), "2")
    assert finding.code == "CL501" and "without a warning" in finding.message and finding.severity == "warning"
    rescued = message(lint, sequential(["layers.Dense(3, activation='softmax')", "layers.Activation('linear')"], "keras.losses.CategoricalCrossentropy(from_logits=True)"), "2")
    assert "Keras 2 warns at the first fit()" in rescued.message


# -- CL405: learning rates that cannot train ---------------------------------------------------

MODEL = "import keras\nmodel = keras.Sequential([keras.Input(shape=(8,)), keras.layers.Dense(1)])\n"


@pytest.mark.parametrize("keras", KERAS)
@pytest.mark.parametrize(
    "code",
    [
        MODEL + "model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.0), loss='mse')\n",
        MODEL + "model.compile(optimizer=keras.optimizers.SGD(-0.01), loss='mse')\n",
        MODEL + "LR = -1e-4\noptimizer = keras.optimizers.AdamW(learning_rate=LR, weight_decay=1e-4)\nmodel.compile(optimizer, 'mse')\n",
        "import keras\ndef train(x, y):\n    model = keras.Sequential([keras.Input(shape=(8,)), keras.layers.Dense(1)])\n"
        "    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=0), loss='mse')\n    model.fit(x, y)\n",
    ],
)
def test_non_positive_learning_rate_is_reported(lint, code, keras):
    assert [d.code for d in lint(code, keras=keras)] == ["CL405"]


@pytest.mark.parametrize("keras", KERAS)
@pytest.mark.parametrize(
    "code",
    [
        MODEL + "model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3), loss='mse')\n",
        MODEL + "model.compile(optimizer=keras.optimizers.SGD(learning_rate=100.0), loss='mse')\n",
        MODEL + "import sys\nmodel.compile(optimizer=keras.optimizers.Adam(float(sys.argv[1])), loss='mse')\n",
        MODEL + "schedule = keras.optimizers.schedules.CosineDecay(0.0, 1000, warmup_target=1e-3, warmup_steps=100)\n"
        "model.compile(optimizer=keras.optimizers.Adam(schedule), loss='mse')\n",
        # Changed while training: a warm-up callback, or an assignment in a custom callback.
        MODEL + "opt = keras.optimizers.SGD(0.0)\nmodel.compile(optimizer=opt, loss='mse')\n"
        "model.fit(x, y, callbacks=[keras.callbacks.LearningRateScheduler(lambda epoch: 0.01 * (epoch + 1))])\n",
        MODEL + "class WarmUp(keras.callbacks.Callback):\n    def on_epoch_begin(self, epoch, logs=None):\n"
        "        self.model.optimizer.learning_rate = 0.001 * epoch\n"
        "model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.0), loss='mse')\n",
        # Built but never compiled: a frozen part of a test, a custom loop.
        MODEL + "frozen = keras.optimizers.SGD(learning_rate=0)\nmodel.compile(optimizer='adam', loss='mse')\n",
    ],
)
def test_learning_rates_that_train_or_are_not_known_stay_silent(lint, code, keras):
    assert [d.code for d in lint(code, keras=keras)] == []


def test_learning_rate_messages(lint):
    zero = message(lint, MODEL + "model.compile(optimizer=keras.optimizers.Adam(0), loss='mse')\n", "2,3", "CL405")
    assert "Adam(learning_rate=0)" in zero.message and "the weights never change" in zero.message
    negative = message(lint, MODEL + "model.compile(optimizer=keras.optimizers.Adam(learning_rate=-1e-3), loss='mse')\n", "3", "CL405")
    assert "the loss rises instead of falling" in negative.message and negative.severity == "warning"
    legacy = "import tensorflow as tf\nmodel = tf.keras.Sequential([tf.keras.layers.Dense(1)])\nmodel.compile(optimizer=tf.keras.optimizers.legacy.Adam(lr={lr}), loss='mse')\n"
    rejected = message(lint, legacy.format(lr=-0.01), "2", "CL405")
    assert "Expected lr >= 0, received: -0.01" in rejected.message and rejected.severity == "error"
    assert "the weights never change" in message(lint, legacy.format(lr=0.0), "2", "CL405").message
    # A current optimizer discards lr= in Keras 2 and rejects it in Keras 3: CL401's business.
    current = MODEL + "model.compile(optimizer=keras.optimizers.Adam(lr=0.0), loss='mse')\n"
    assert [d.code for d in lint(current, keras="2,3")] == ["CL401"]


# -- CL201: a loss tuple on Keras 3 -------------------------------------------------------------

TWO_OUTPUTS = (
    "import keras\ninputs = keras.Input(shape=(8,))\nprice = keras.layers.Dense(1, name='price')(inputs)\n"
    "volume = keras.layers.Dense(1, name='volume')(inputs)\nmodel = keras.Model(inputs, {outputs})\n"
)


def test_loss_tuple_on_list_outputs_trains_a_combined_loss_on_keras_3(lint):
    code = TWO_OUTPUTS.format(outputs="[price, volume]") + "model.compile(optimizer='adam', loss=('mse', 'mae', 'huber'))\n"
    finding = message(lint, code, "3", "CL201")
    assert "applies each loss in this tuple to all the outputs stacked together" in finding.message
    assert finding.severity == "warning"
    listed = TWO_OUTPUTS.format(outputs="[price, volume]") + "model.compile(optimizer='adam', loss=['mse', 'mae', 'huber'])\n"
    assert "KeyError" in message(lint, listed, "3", "CL201").message
    # The same tuple on Keras 2 is zipped like a list: the extra loss is dropped.
    assert "silently ignores the extra 1 loss" in message(lint, code, "2", "CL201").message


def test_loss_container_is_matched_against_the_outputs_container(lint):
    code = TWO_OUTPUTS.format(outputs="(price, volume)") + "model.compile(optimizer='adam', loss=['mse', 'mae', 'huber'])\n"
    assert "stacked together" in message(lint, code, "3", "CL201").message
    shorter = TWO_OUTPUTS.format(outputs="(price, volume)") + "model.compile(optimizer='adam', loss=('mse',))\n"
    assert "without any loss" in message(lint, shorter, "3", "CL201").message
    on_dict = TWO_OUTPUTS.format(outputs="{'price': price, 'volume': volume}") + "model.compile(optimizer='adam', loss=['mse'])\n"
    assert "Expected any non-tensor type" in message(lint, on_dict, "3", "CL201").message


# -- CL404: the classic GAN freeze ---------------------------------------------------------------

GAN = '''
import keras
from keras import layers

generator = keras.Sequential([keras.Input((16,)), layers.Dense(8, activation="tanh")])
discriminator = keras.Sequential([keras.Input((8,)), layers.Dense(1, activation="sigmoid")])
optimizer = keras.optimizers.Adam(2e-4, 0.5)
discriminator.compile(loss="binary_crossentropy", optimizer=optimizer)
discriminator.trainable = False
noise = keras.Input((16,))
combined = keras.Model(noise, discriminator(generator(noise)))
combined.compile(loss="binary_crossentropy", optimizer=optimizer)

def train_step(images, z, real, fake):
{body}
'''
FROZEN_STEPS = "    discriminator.train_on_batch(images, real)\n    combined.train_on_batch(z, real)\n"
TOGGLED_STEPS = (
    "    discriminator.trainable = True\n    discriminator.train_on_batch(images, real)\n"
    "    discriminator.trainable = False\n    combined.train_on_batch(z, real)\n"
)


def test_frozen_gan_with_one_optimizer_fails_on_keras_2_only(lint):
    code = GAN.format(body=FROZEN_STEPS)
    assert [d.code for d in lint(code, keras="2")] == ["CL404"]
    assert [d.code for d in lint(code, keras="3")] == []


def test_gan_unfrozen_to_train_the_discriminator_fails_on_both(lint):
    code = GAN.format(body=TOGGLED_STEPS)
    assert [d.code for d in lint(code, keras="2")] == ["CL404"]
    finding = message(lint, code, "3", "CL404")
    assert "Unknown variable" in finding.message


# -- CL206 / CL202: subclassed models whose call() returns a dict --------------------------------

SUBCLASS = '''
import keras

class Trainer(keras.Model):
    def __init__(self):
        super().__init__()
        self.encode = keras.layers.Dense(4)

    def call(self, x, training=False):
        y = self.encode(x)
        rate = keras.ops.mean(y)
        distortion = keras.ops.mean(keras.ops.abs(x - y))
        return {returned}

def pass_through(_, value):
    return value

trainer = Trainer()
trainer.compile(optimizer="adam", loss={loss})
'''


@pytest.mark.parametrize("keras", KERAS)
@pytest.mark.parametrize("returned", ["dict(rate=rate, distortion=distortion)", "{'rate': rate, 'distortion': distortion}"])
def test_dict_returning_subclass_takes_a_loss_dict(lint, returned, keras):
    code = SUBCLASS.format(returned=returned, loss="dict(rate=pass_through, distortion=pass_through)")
    assert [d.code for d in lint(code, keras=keras)] == []


def test_dict_returning_subclass_keys_are_its_output_names(lint):
    code = SUBCLASS.format(returned="dict(rate=rate, distortion=distortion)", loss="{'rate': pass_through, 'distorsion': pass_through}")
    found = lint(code, keras="3")
    assert [d.code for d in found] == ["CL202"] and "'distorsion'" in found[0].message and "KeyError" in found[0].message
    assert [d.code for d in lint(code, keras="2")] == ["CL202"]


@pytest.mark.parametrize("returned", ["{**parts}", "dict(parts)", "dict(rate=rate) if training else {'rate': rate, 'distortion': distortion}"])
def test_dict_returning_subclass_with_keys_not_known_stays_silent(lint, returned):
    code = SUBCLASS.format(returned=returned, loss="{'rate': pass_through, 'other': pass_through}")
    assert [d.code for d in lint(code, keras="2,3")] == []


def test_list_returning_subclass_still_rejects_a_loss_dict_on_keras_3(lint):
    code = SUBCLASS.format(returned="[rate, distortion]", loss="dict(rate=pass_through, distortion=pass_through)")
    assert [d.code for d in lint(code, keras="3")] == ["CL206"]


# -- a model compiled only as a part of another one ------------------------------------------

GENERATOR_COMPILED_FOR_NOTHING = '''
import keras
from keras import layers

def build_generator():
    model = keras.Sequential([keras.Input((16,)), layers.Dense(64), layers.Dense(784), layers.Activation("tanh")])
    return model

generator = build_generator()
discriminator = keras.Sequential([keras.Input((784,)), layers.Dense(1, activation="sigmoid")])
discriminator.compile(loss="binary_crossentropy", optimizer="adam")
generator.compile(loss="binary_crossentropy", optimizer="adam")
{combined}
combined.compile(loss="binary_crossentropy", optimizer="adam")

def train_step(images, noise, real):
    discriminator.train_on_batch(images, real)
    combined.train_on_batch(noise, real)
'''
FUNCTIONAL_COMBINED = "z = keras.Input((16,))\ncombined = keras.Model(z, discriminator(generator(z)))"
SEQUENTIAL_COMBINED = "combined = keras.Sequential()\ncombined.add(generator)\ncombined.add(discriminator)"


@pytest.mark.parametrize("combined", [FUNCTIONAL_COMBINED, SEQUENTIAL_COMBINED])
def test_generator_trained_only_through_the_combined_model_is_not_reported(lint, combined):
    code = GENERATOR_COMPILED_FOR_NOTHING.format(combined=combined)
    assert [d.code for d in lint(code, keras="2,3")] == []
    trained_itself = code + "generator.fit(noise, images)\n"
    assert [d.code for d in lint(trained_itself, keras="2,3")] == ["CL503"]
