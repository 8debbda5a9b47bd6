"""Two outputs, one flat metrics list: Keras 3 fails at the first fit on every backend."""
import keras

inputs = keras.Input((4,))
score = keras.layers.Dense(1, activation="sigmoid", name="score")(inputs)
value = keras.layers.Dense(1, name="value")(inputs)
model = keras.Model(inputs, [score, value])
model.compile(optimizer="adam", loss=["binary_crossentropy", "mse"], metrics=["accuracy"])
