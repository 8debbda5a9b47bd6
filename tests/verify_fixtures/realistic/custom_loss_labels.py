"""A loss of the program's own that takes integer labels per time step, as the data gives
them: targets shaped like the outputs would fail only under verify."""
import keras
import tensorflow as tf

vocabulary = 12


def per_step_loss(labels, predictions):
    labels = tf.cast(labels, "int32")
    return tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(labels, predictions))


frames = keras.Input(shape=(None, 8))
x = keras.layers.GRU(16, return_sequences=True)(frames)
outputs = keras.layers.Dense(vocabulary, activation="softmax")(x)
model = keras.Model(frames, outputs)
model.compile(optimizer="adam", loss=per_step_loss)
