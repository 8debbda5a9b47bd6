"""Patterns from keras-io nlp, structured_data, timeseries, graph, keras_recipes examples
and the Keras tutorials of tensorflow/docs.

Each snippet is a small rewrite of a pattern seen in those scripts; the linter must stay
silent on it for both Keras majors. Each has a near twin that is a real mistake and must
still be reported, so the silence cannot come from a rule that never fires.
"""

import pytest

AUXILIARY_OUTPUT_WITHOUT_LOSS = '''
from tensorflow import keras
from tensorflow.keras import layers

def create_model():
    inputs = layers.Input(shape=(200,))
    x = layers.Embedding(2000, 32)(inputs)
    outputs = layers.Dense(2000, activation="softmax")(x)
    model = keras.Model(inputs=inputs, outputs=[outputs, x])
    model.compile("adam", loss=["sparse_categorical_crossentropy", None])
    return model

model = create_model()
model.fit(x_lm, y_lm, batch_size=64, epochs=50)
'''

DICT_OUTPUTS_THEN_RECOMPILE_WITH_WEIGHTS = '''
import tensorflow as tf

def mse_with_positive_pressure(y_true, y_pred):
    return tf.reduce_mean((y_true - y_pred) ** 2 + 10 * tf.maximum(-y_pred, 0.0))

inputs = tf.keras.Input((25, 3))
x = tf.keras.layers.LSTM(128)(inputs)
outputs = {
    "pitch": tf.keras.layers.Dense(128, name="pitch")(x),
    "step": tf.keras.layers.Dense(1, name="step")(x),
}
model = tf.keras.Model(inputs, outputs)
loss = {
    "pitch": tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    "step": mse_with_positive_pressure,
}
optimizer = tf.keras.optimizers.Adam(learning_rate=0.005)
model.compile(loss=loss, optimizer=optimizer)
model.compile(loss=loss, loss_weights={"pitch": 0.05, "step": 1.0}, optimizer=optimizer)
model.fit(train_ds, epochs=50)
'''

OWN_COMPILE_AND_METRICS_ONLY_EVALUATION = '''
import keras

class Distiller(keras.Model):
    def __init__(self, student, teacher):
        super().__init__()
        self.student = student
        self.teacher = teacher

    def compile(self, optimizer, metrics, distillation_loss_fn, temperature=10):
        super().compile(optimizer=optimizer, metrics=metrics)
        self.distillation_loss_fn = distillation_loss_fn

    def train_step(self, data):
        return {}

student_model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(3)])
distiller = Distiller(student=student_model, teacher=None)
distiller.compile(
    keras.optimizers.AdamW(weight_decay=0.001, learning_rate=0.003, clipnorm=1.0),
    metrics=[keras.metrics.SparseCategoricalAccuracy()],
    distillation_loss_fn=keras.losses.KLDivergence(),
)
distiller.fit(train_ds, epochs=30)
student_model.compile(metrics=["accuracy"])
student_model.evaluate(test_ds)
'''

FRESH_OPTIMIZER_PER_MODEL_FROM_A_FACTORY = '''
import tensorflow as tf
from tensorflow.keras import layers

lr_schedule = tf.keras.optimizers.schedules.InverseTimeDecay(0.001, decay_steps=1000, decay_rate=1)

def get_optimizer():
    return tf.keras.optimizers.Adam(lr_schedule)

def compile_and_fit(model, optimizer=None):
    if optimizer is None:
        optimizer = get_optimizer()
    model.compile(optimizer=optimizer,
                  loss=tf.keras.losses.BinaryCrossentropy(from_logits=True),
                  metrics=[tf.keras.losses.BinaryCrossentropy(from_logits=True, name="bce"), "accuracy"])
    return model.fit(train_ds, epochs=10)

tiny = tf.keras.Sequential([layers.Dense(16, activation="elu", input_shape=(28,)), layers.Dense(1)])
small = tf.keras.Sequential([layers.Dense(16, activation="elu", input_shape=(28,)), layers.Dense(1)])
compile_and_fit(tiny)
compile_and_fit(small)
'''

SIGMOID_APPENDED_FOR_EXPORT = '''
import tensorflow as tf
from tensorflow.keras import layers, losses

model = tf.keras.Sequential([layers.Embedding(10000, 16), layers.GlobalAveragePooling1D(), layers.Dense(1)])
model.compile(loss=losses.BinaryCrossentropy(from_logits=True), optimizer="adam",
              metrics=[tf.keras.metrics.BinaryAccuracy(threshold=0.0)])
model.fit(train_ds, epochs=10)

export_model = tf.keras.Sequential([vectorize_layer, model, layers.Activation("sigmoid")])
export_model.compile(loss=losses.BinaryCrossentropy(from_logits=False), optimizer="adam", metrics=["accuracy"])
export_model.evaluate(raw_test_ds)
'''

BUILT_IN_SCOPE_RECOMPILED_OUTSIDE = '''
import tensorflow as tf

strategy = tf.distribute.MirroredStrategy()
with strategy.scope():
    inputs = tf.keras.layers.Input(shape=(128,), dtype=tf.int32)
    x = tf.keras.layers.Embedding(1000, 8)(inputs)
    x = tf.keras.layers.GlobalAveragePooling1D()(x)
    output = tf.keras.layers.Dense(3, activation="softmax")(x)
    model = tf.keras.models.Model(inputs=inputs, outputs=output)
    model.compile(optimizer=tf.keras.optimizers.Adam(), loss="categorical_crossentropy", metrics=["acc"])

model.fit(train_data, epochs=2)
model.compile(optimizer=tf.keras.optimizers.Adam(1e-5), loss="categorical_crossentropy", metrics=["accuracy"])
model.fit(train_data, epochs=2)
'''

SILENT = {
    "auxiliary-output-none-loss": AUXILIARY_OUTPUT_WITHOUT_LOSS,
    "dict-outputs-recompile-weights": DICT_OUTPUTS_THEN_RECOMPILE_WITH_WEIGHTS,
    "own-compile-metrics-only-evaluate": OWN_COMPILE_AND_METRICS_ONLY_EVALUATION,
    "optimizer-factory": FRESH_OPTIMIZER_PER_MODEL_FROM_A_FACTORY,
    "sigmoid-export-wrapper": SIGMOID_APPENDED_FOR_EXPORT,
    "scope-then-recompile": BUILT_IN_SCOPE_RECOMPILED_OUTSIDE,
}

# The mistaken twin of each pattern, and the code that must report it.
TWINS = {
    "auxiliary-output-none-loss": (
        AUXILIARY_OUTPUT_WITHOUT_LOSS.replace(
            'loss=["sparse_categorical_crossentropy", None]', 'loss=["sparse_categorical_crossentropy"]'
        ),
        "CL201",
    ),
    "dict-outputs-recompile-weights": (
        DICT_OUTPUTS_THEN_RECOMPILE_WITH_WEIGHTS.replace(
            '"step": mse_with_positive_pressure', '"velocity": mse_with_positive_pressure'
        ),
        "CL202",
    ),
    "own-compile-metrics-only-evaluate": (
        """
import keras
inputs = keras.Input((8,))
student_model = keras.Model(inputs, keras.layers.Dense(3)(inputs))
student_model.compile(metrics=["accuracy"])
student_model.fit(train_ds)
""",
        "CL207",
    ),
    "optimizer-factory": (
        FRESH_OPTIMIZER_PER_MODEL_FROM_A_FACTORY.replace(
            "compile_and_fit(tiny)\ncompile_and_fit(small)",
            "shared = get_optimizer()\n"
            "tiny.compile(optimizer=shared, loss='mse')\nsmall.compile(optimizer=shared, loss='mse')\n"
            "tiny.fit(train_ds)\nsmall.fit(train_ds)",
        ),
        "CL404",
    ),
    "sigmoid-export-wrapper": (
        SIGMOID_APPENDED_FOR_EXPORT.replace("from_logits=False", "from_logits=True"),
        "CL501",
    ),
    "scope-then-recompile": (
        """
import tensorflow as tf
strategy = tf.distribute.MirroredStrategy()
model = tf.keras.Sequential([tf.keras.Input((4,)), tf.keras.layers.Dense(3)])
with strategy.scope():
    model.compile(optimizer="adam", loss="mse")
model.fit(x, y)
""",
        "CL107",
    ),
}


# Not silent everywhere: recompiling outside the scope the model was built in fails on
# Keras 3 at the next fit() (RuntimeError "Mixing different tf.distribute.Strategy
# objects", checked with keras 3.15), while Keras 2 trains.
KERAS_3_ONLY = {"scope-then-recompile": ["CL110"]}


@pytest.mark.parametrize("keras", ["2", "3"])
@pytest.mark.parametrize("name", sorted(SILENT))
def test_text_and_tabular_patterns_stay_silent(lint, name, keras):
    expected = KERAS_3_ONLY.get(name, []) if keras == "3" else []
    assert [d.code for d in lint(SILENT[name], keras=keras)] == expected


@pytest.mark.parametrize("name", sorted(TWINS))
def test_mistaken_twin_is_still_reported(lint, name):
    code, expected = TWINS[name]
    assert expected in [d.code for d in lint(code, keras="2,3")]
