"""Loss / output-layer and learning-rate patterns seen in tutorials and project code
(tensorflow/docs guides, the Deep Learning with Python notebooks, TPU colabs, TF Addons
and TF Privacy tests), rewritten in small programs of our own.

Each silent pattern must stay silent for both Keras majors; each has a mistaken twin that
must still be reported, so the silence cannot come from a rule that never fires.
"""

import pytest

FLOAT32_OUTPUT_CAST = '''
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers

keras.mixed_precision.set_global_policy("mixed_float16")
inputs = keras.Input(shape=(784,), name="pixels")
width = 4096 if tf.config.list_physical_devices("GPU") else 64
x = layers.Dense(width, activation="relu")(inputs)
x = layers.Dense(10, name="scores")(x)
x = layers.Activation("softmax", dtype="float32", name="probabilities")(x)
# An identity that only casts: the output stays the float32 softmax.
outputs = layers.Activation("linear", dtype="float32")(x)
model = keras.Model(inputs=inputs, outputs=outputs)
model.compile(loss="sparse_categorical_crossentropy", optimizer=keras.optimizers.RMSprop(), metrics=["accuracy"])
model.fit(x_train, y_train, batch_size=8192, epochs=5)
'''

RATE_DISTORTION_TRAINER = '''
import tensorflow as tf

class CompressionTrainer(tf.keras.Model):
    def __init__(self, latent_dims):
        super().__init__()
        self.encoder = tf.keras.layers.Dense(latent_dims)
        self.decoder = tf.keras.layers.Dense(784)

    def call(self, images, training):
        latent = self.encoder(images)
        rebuilt = self.decoder(latent)
        bits = tf.reduce_mean(tf.abs(latent))
        error = tf.reduce_mean(tf.abs(images - rebuilt))
        return dict(bits=bits, error=error)

def identity_loss(_, value):
    return value

def make_trainer(tradeoff):
    trainer = CompressionTrainer(32)
    trainer.compile(
        optimizer=tf.keras.optimizers.Adam(learning_rate=1e-3),
        loss=dict(bits=identity_loss, error=identity_loss),
        metrics=dict(bits=identity_loss, error=identity_loss),
        loss_weights=dict(bits=1.0, error=tradeoff),
    )
    return trainer

trainer = make_trainer(tradeoff=500)
trainer.fit(dataset, epochs=10)
'''

WORD_CONTEXT_CLASSIFIER = '''
import keras
from keras import layers

vocabulary = 20000
inputs = keras.Input(shape=(8,))
x = layers.Embedding(vocabulary, 64)(inputs)
x = layers.GlobalAveragePooling1D()(x)
outputs = layers.Dense(vocabulary, activation="softmax")(x)
word_model = keras.Model(inputs, outputs)
word_model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["sparse_categorical_accuracy"])
word_model.fit(context_ds, epochs=4)
'''

EXPORT_WITH_SOFTMAX = '''
import tensorflow as tf
from tensorflow.keras import layers, losses

num_tags = 4
model = tf.keras.Sequential([layers.Embedding(10001, 16), layers.GlobalAveragePooling1D(), layers.Dense(num_tags)])
model.compile(loss=losses.SparseCategoricalCrossentropy(from_logits=True), optimizer="adam", metrics=["accuracy"])
model.fit(train_ds, epochs=5)

export_model = tf.keras.Sequential([vectorize_layer, model, layers.Activation("softmax")])
export_model.compile(loss=losses.SparseCategoricalCrossentropy(from_logits=False), optimizer="adam", metrics=["accuracy"])
export_model.evaluate(raw_test_ds)
'''

WARM_UP_FROM_ZERO = '''
import keras

def warmup(epoch, lr):
    return 0.1 * min(1.0, (epoch + 1) / 5)

model = keras.Sequential([keras.Input((32,)), keras.layers.Dense(10, activation="softmax")])
model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.0, momentum=0.9), loss="categorical_crossentropy")
model.fit(x, y, epochs=20, callbacks=[keras.callbacks.LearningRateScheduler(warmup)])
'''

FROZEN_BLOCK_WITH_A_ZERO_RATE = '''
import tensorflow as tf
import tensorflow_addons as tfa

model = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(8), tf.keras.layers.Dense(1)])
parts = [
    (tf.keras.optimizers.SGD(learning_rate=0.0), model.layers[0]),
    (tf.keras.optimizers.Adam(learning_rate=1e-3), model.layers[1]),
]
model.compile(optimizer=tfa.optimizers.MultiOptimizer(parts), loss="mse")
model.fit(x, y, epochs=2)
'''

SILENT = {
    "float32-output-cast": FLOAT32_OUTPUT_CAST,
    "rate-distortion-trainer": RATE_DISTORTION_TRAINER,
    "word-context-classifier": WORD_CONTEXT_CLASSIFIER,
    "export-with-softmax": EXPORT_WITH_SOFTMAX,
    "warm-up-from-zero": WARM_UP_FROM_ZERO,
    "frozen-block-zero-rate": FROZEN_BLOCK_WITH_A_ZERO_RATE,
}

TWINS = {
    "float32-output-cast": (
        FLOAT32_OUTPUT_CAST.replace('x = layers.Activation("softmax", dtype="float32", name="probabilities")(x)\n', ""),
        "2,3",
        "CL502",
    ),
    "rate-distortion-trainer": (RATE_DISTORTION_TRAINER.replace("return dict(bits=bits, error=error)", "return [bits, error]"), "3", "CL206"),
    "word-context-classifier": (WORD_CONTEXT_CLASSIFIER.replace('activation="softmax"', 'activation="sigmoid"'), "2,3", "CL503"),
    # A sigmoid appended to a multi-class model for export (copied from the binary recipe).
    "export-with-softmax": (EXPORT_WITH_SOFTMAX.replace('layers.Activation("softmax")', 'layers.Activation("sigmoid")'), "2,3", "CL503"),
    "warm-up-from-zero": (WARM_UP_FROM_ZERO.replace(", callbacks=[keras.callbacks.LearningRateScheduler(warmup)]", ""), "2,3", "CL405"),
    "frozen-block-zero-rate": (
        FROZEN_BLOCK_WITH_A_ZERO_RATE.replace(
            "optimizer=tfa.optimizers.MultiOptimizer(parts)", "optimizer=tf.keras.optimizers.SGD(learning_rate=0.0)"
        ),
        "2,3",
        "CL405",
    ),
}


@pytest.mark.parametrize("keras", ["2", "3"])
@pytest.mark.parametrize("name", sorted(SILENT))
def test_loss_and_learning_rate_patterns_stay_silent(lint, name, keras):
    assert [d.code for d in lint(SILENT[name], keras=keras)] == []


@pytest.mark.parametrize("name", sorted(TWINS))
def test_mistaken_twin_is_still_reported(lint, name):
    code, keras, expected = TWINS[name]
    assert expected in [d.code for d in lint(code, keras=keras)]


WRONG_THEN_RIGHT = '''
import keras
from keras import layers

# What goes wrong: a softmax over one unit is always 1.0.
wrong = keras.Sequential([keras.Input((20,)), layers.Dense(16, activation="relu"), layers.Dense(1, activation="softmax")])
wrong.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
wrong.fit(x, y, epochs=3)

# The fix: one sigmoid unit.
right = keras.Sequential([keras.Input((20,)), layers.Dense(16, activation="relu"), layers.Dense(1, activation="sigmoid")])
right.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
right.fit(x, y, epochs=3)
'''


@pytest.mark.parametrize("keras", ["2", "3", "2,3"])
def test_a_tutorial_that_shows_the_wrong_model_first_is_still_reported(lint, keras):
    found = lint(WRONG_THEN_RIGHT, keras=keras)
    assert [(d.code, d.span.line) for d in found] == [("CL503", 7)]
