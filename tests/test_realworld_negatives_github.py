"""Patterns from ordinary GitHub projects (Keras-GAN, keras-tcn, keras-retinanet, scripts).

Each snippet is a minimal rewrite of a pattern seen there; the linter must stay silent on it
for both Keras majors. Where a near twin of the pattern is a real mistake, the twin must
still be reported, so the silence cannot come from a rule that never fires.
"""

import pytest

PRETRAINED_MODEL_COMPILED_WITHOUT_LOSS = '''
import tensorflow as tf
from transformers import TFBertModel

model = TFBertModel.from_pretrained("bert-base-uncased")
model.compile(jit_compile=True, run_eagerly=False)
tf.saved_model.save(model, "./saved_model")
'''

ONE_TENSOR_UNDER_TWO_OUTPUT_KEYS = '''
from tensorflow import keras

def build_student(backbone):
    y = backbone.output
    return keras.Model(backbone.input, {"soft": y, "hard": y})

inputs = keras.Input(shape=(8,))
backbone = keras.Model(inputs, keras.layers.Dense(1, activation="sigmoid")(inputs))
student = build_student(backbone)
student.compile(
    optimizer=keras.optimizers.Adam(learning_rate=1e-3),
    loss={"soft": keras.losses.KLDivergence(), "hard": "binary_crossentropy"},
    loss_weights={"soft": 0.7, "hard": 0.3},
    metrics={"hard": ["accuracy"]},
)
'''

PER_OUTPUT_METRIC_AS_BARE_STRING = '''
import tensorflow as tf
from tensorflow.keras.layers import Input, Dense
from tensorflow.keras.models import Model

inp = Input((4,))
steps = Dense(1, name="output_steps")(inp)
success = Dense(1, activation="sigmoid", name="output_success")(inp)
model = Model(inp, [steps, success])
model.compile(
    optimizer=tf.keras.optimizers.Adam(1e-3),
    loss={"output_steps": "mse", "output_success": "binary_crossentropy"},
    loss_weights={"output_steps": 1.0, "output_success": 0.5},
    metrics={"output_success": "accuracy"},
)
'''

GAN_WITH_ONE_OPTIMIZER_PER_MODEL = '''
from tensorflow.keras.layers import Input, Dense
from tensorflow.keras.models import Model, Sequential
from tensorflow.keras.optimizers import Adam

class GAN:
    def __init__(self):
        self.discriminator = self.build_discriminator()
        self.discriminator.compile(loss="binary_crossentropy", optimizer=Adam(2e-4, 0.5))
        self.generator = self.build_generator()
        z = Input(shape=(16,))
        self.discriminator.trainable = False
        validity = self.discriminator(self.generator(z))
        self.combined = Model(z, [validity, self.generator(z)])
        self.combined.compile(loss=["binary_crossentropy", "mae"], loss_weights=[1, 100],
                              optimizer=Adam(2e-4, 0.5))

    def train(self, images, noise, labels):
        self.discriminator.train_on_batch(images, labels)
        self.combined.train_on_batch(noise, [labels, images])

    def build_generator(self):
        return Sequential([Dense(8, input_dim=16, activation="tanh")])

    def build_discriminator(self):
        return Sequential([Dense(1, input_dim=8, activation="sigmoid")])
'''

RUN_EAGERLY_IN_A_TEST_MODULE = '''
import tensorflow as tf
from tensorflow.keras import layers, models

def test_eager():
    model = models.Sequential([layers.Input(shape=(2,)), layers.Dense(1)])
    model.compile(loss="mse", run_eagerly=True)
    model.fit(tf.zeros((2, 2)), tf.zeros((2, 1)), verbose=0)
'''


@pytest.mark.parametrize("keras", ["2", "3"])
@pytest.mark.parametrize(
    "code",
    [
        PRETRAINED_MODEL_COMPILED_WITHOUT_LOSS,
        ONE_TENSOR_UNDER_TWO_OUTPUT_KEYS,
        PER_OUTPUT_METRIC_AS_BARE_STRING,
        GAN_WITH_ONE_OPTIMIZER_PER_MODEL,
    ],
)
def test_github_patterns_stay_silent(lint, code, keras):
    assert [d.code for d in lint(code, keras=keras)] == []


@pytest.mark.parametrize("keras", ["2", "3"])
def test_run_eagerly_in_a_test_module_stays_silent(lint, keras):
    assert [d.code for d in lint(RUN_EAGERLY_IN_A_TEST_MODULE, keras=keras, path="tests/test_mapper.py")] == []


def test_gan_sharing_one_optimizer_is_still_reported_where_it_fails(lint):
    shared = GAN_WITH_ONE_OPTIMIZER_PER_MODEL.replace(
        "    def __init__(self):\n", "    def __init__(self):\n        optimizer = Adam(2e-4, 0.5)\n"
    ).replace("optimizer=Adam(2e-4, 0.5)", "optimizer=optimizer")
    assert [d.code for d in lint(shared, keras="2")] == ["CL404"]
    # Keras 3 reads `trainable` at every step: the frozen discriminator trains nothing and
    # the shared optimizer only ever meets the generator's variables, so nothing fails.
    assert [d.code for d in lint(shared, keras="3")] == []
    unfrozen_to_train = shared.replace(
        "        self.discriminator.train_on_batch(images, labels)\n",
        "        self.discriminator.trainable = True\n        self.discriminator.train_on_batch(images, labels)\n"
        "        self.discriminator.trainable = False\n",
    )
    assert [d.code for d in lint(unfrozen_to_train, keras="3")] == ["CL404"]


ACGAN_DISCRIMINATOR_WITH_FLAT_METRICS = '''
from keras.layers import Input, Dense
from keras.models import Model

class ACGAN:
    def __init__(self):
        self.discriminator = self.build_discriminator()
        self.discriminator.compile(loss=["binary_crossentropy", "sparse_categorical_crossentropy"],
                                   optimizer="adam", metrics=["accuracy"])

    def build_discriminator(self):
        img = Input(shape=(8,))
        validity = Dense(1, activation="sigmoid")(img)
        label = Dense(11, activation="softmax")(img)
        return Model(img, [validity, label])
'''


def test_flat_metrics_on_a_two_output_discriminator_is_reported_for_keras_3_only(lint):
    assert [d.code for d in lint(ACGAN_DISCRIMINATOR_WITH_FLAT_METRICS, keras="3")] == ["CL205"]
    assert [d.code for d in lint(ACGAN_DISCRIMINATOR_WITH_FLAT_METRICS, keras="2")] == []
