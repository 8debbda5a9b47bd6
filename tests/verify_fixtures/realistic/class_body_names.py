"""Module-level data named like a method's parameters and a class attribute: the layer does not need it."""
import keras
import numpy as np

x = np.loadtxt("measurements_that_do_not_exist.csv", delimiter=",")
units = x.shape[1]


class ScaledDense(keras.layers.Layer):
    units = 8

    def __init__(self, scale=2.0, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale
        self.dense = keras.layers.Dense(self.units)

    def call(self, x):
        units = self.dense(x)
        return units * self.scale


model = keras.Sequential([keras.Input((3,)), ScaledDense(), keras.layers.Dense(1)])
model.compile(optimizer="adam", loss="mse")
