"""run_eagerly=True alone: Keras never jits this model, so verify must not either."""
import keras

model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(4, activation="relu"), keras.layers.Dense(1)])
model.compile(optimizer="sgd", loss="mse", run_eagerly=True)
