"""A CTC loss of the program's own: its labels are shorter sequences than the outputs, which
no synthetic target reproduces. Verify refuses rather than report its own targets' failure."""
from tensorflow import keras
import tensorflow as tf

characters = 10


def ctc_loss(labels, predictions):
    rows = tf.shape(predictions)[0]
    label_length = tf.fill([rows, 1], tf.shape(labels)[1])
    frame_length = tf.fill([rows, 1], tf.shape(predictions)[1])
    return keras.backend.ctc_batch_cost(labels, predictions, frame_length, label_length)


spectrogram = keras.Input(shape=(None, 12))
x = keras.layers.Conv1D(16, 3, strides=2, padding="same", activation="relu")(spectrogram)
x = keras.layers.Bidirectional(keras.layers.GRU(8, return_sequences=True))(x)
outputs = keras.layers.Dense(characters + 1, activation="softmax")(x)
model = keras.Model(spectrogram, outputs)
model.compile(optimizer="adam", loss=ctc_loss)
