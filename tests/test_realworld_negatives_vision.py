"""Patterns from keras-io vision, generative, audio examples and guides.

Each snippet is a minimal rewrite of a pattern seen in those scripts; the linter must stay
silent on it for both Keras majors. Where a near twin of the pattern is a real mistake,
that twin must still be reported, so the silence cannot come from a rule that never fires.
"""

import pytest

GAN_WITH_OWN_COMPILE_SIGNATURE = '''
from tensorflow import keras

class GAN(keras.Model):
    def __init__(self, discriminator, generator):
        super().__init__()
        self.discriminator = discriminator
        self.generator = generator

    def compile(self, d_optimizer, g_optimizer, loss_fn):
        super().compile()
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer
        self.loss_fn = loss_fn

    def train_step(self, real_images):
        return {}

gan = GAN(discriminator=None, generator=None)
gan.compile(
    d_optimizer=keras.optimizers.Adam(learning_rate=0.0003),
    g_optimizer=keras.optimizers.Adam(learning_rate=0.0003),
    loss_fn=keras.losses.BinaryCrossentropy(from_logits=True),
)
'''

FUNCTIONAL_SUBCLASS_WITH_TRAIN_STEP_AND_NO_LOSS = '''
import tensorflow as tf
from tensorflow import keras

class CustomModel(keras.Model):
    def train_step(self, data):
        x, y = data
        with tf.GradientTape() as tape:
            y_pred = self(x, training=True)
            loss = keras.losses.mean_squared_error(y, y_pred)
        return {"loss": loss}

inputs = keras.Input(shape=(32,))
outputs = keras.layers.Dense(1)(inputs)
model = CustomModel(inputs, outputs)
model.compile(optimizer="adam")
'''

PLAIN_FUNCTIONAL_MODEL_WITH_NO_LOSS = '''
from tensorflow import keras

inputs = keras.Input(shape=(32,))
outputs = keras.layers.Dense(1)(inputs)
model = keras.Model(inputs, outputs)
model.compile(optimizer="adam")
model.fit(x, y)
'''

LAYER_RETURNING_A_PAIR_THEN_LOGITS = '''
from tensorflow import keras

class Involution(keras.layers.Layer):
    def call(self, x):
        return x, x

inputs = keras.Input(shape=(32, 32, 3))
x, _ = Involution(name="inv_1")(inputs)
x = keras.layers.Flatten()(x)
outputs = keras.layers.Dense(10)(x)
model = keras.Model(inputs=[inputs], outputs=[outputs])
model.compile(
    optimizer="adam",
    loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    metrics=["accuracy"],
)
'''

LOSS_FACTORY_NAMED_LOSS = '''
import tensorflow as tf
from tensorflow import keras

def loss(margin=1):
    def contrastive_loss(y_true, y_pred):
        return tf.math.reduce_mean(tf.math.square(y_pred - y_true))
    return contrastive_loss

inputs = keras.Input((4,))
outputs = keras.layers.Dense(1, activation="sigmoid")(inputs)
siamese = keras.Model(inputs, outputs)
siamese.compile(loss=loss(margin=1), optimizer="RMSprop", metrics=["accuracy"])
'''


@pytest.mark.parametrize("keras", ["2", "3"])
@pytest.mark.parametrize(
    "code",
    [
        GAN_WITH_OWN_COMPILE_SIGNATURE,
        FUNCTIONAL_SUBCLASS_WITH_TRAIN_STEP_AND_NO_LOSS,
        LAYER_RETURNING_A_PAIR_THEN_LOGITS,
        LOSS_FACTORY_NAMED_LOSS,
    ],
    ids=["gan-own-compile", "subclass-train-step-no-loss", "pair-layer-logits", "loss-factory"],
)
def test_keras_io_patterns_stay_silent(lint, code, keras):
    assert [d.code for d in lint(code, keras=keras)] == []


@pytest.mark.parametrize("keras", ["2", "3"])
def test_plain_model_without_loss_is_still_reported(lint, keras):
    assert "CL207" in [d.code for d in lint(PLAIN_FUNCTIONAL_MODEL_WITH_NO_LOSS, keras=keras)]


@pytest.mark.parametrize("keras", ["2", "3"])
def test_probabilities_loss_on_logits_after_pair_layer_is_still_reported(lint, keras):
    code = LAYER_RETURNING_A_PAIR_THEN_LOGITS.replace("from_logits=True", "from_logits=False")
    assert "CL502" in [d.code for d in lint(code, keras=keras)]
