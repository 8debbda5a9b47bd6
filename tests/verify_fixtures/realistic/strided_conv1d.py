"""Text of unknown length through two Conv1D(7, strides=3): a length of 8 is too short."""
import keras
from keras import layers

vocabulary, width = 500, 16
tokens = keras.Input(shape=(None,), dtype="int64")
x = layers.Embedding(vocabulary, width)(tokens)
x = layers.Conv1D(32, 7, padding="valid", strides=3, activation="relu")(x)
x = layers.Conv1D(32, 7, padding="valid", strides=3, activation="relu")(x)
x = layers.GlobalMaxPooling1D()(x)
outputs = layers.Dense(1, activation="sigmoid")(x)
model = keras.Model(tokens, outputs)
model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
