"""The second and third models need the results of training: verify refuses them, and
never runs fit (the callback would write a marker file)."""
import os

import keras
import numpy as np

MARKER = os.environ.get("COMPILELINT_TEST_MARKER", "fit-ran.txt")


class Marker(keras.callbacks.Callback):
    def on_train_begin(self, logs=None):
        with open(MARKER, "a") as handle:
            handle.write("fit ran\n")


x, y = np.random.rand(8, 4), np.random.rand(8, 1)
model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
model.compile(optimizer="adam", loss="mse")
hist = model.fit(x, y, epochs=1, callbacks=[Marker()], verbose=0)
units = 8 if hist.history["loss"][-1] > 0.1 else 4

wider = keras.Sequential([keras.Input((4,)), keras.layers.Dense(units), keras.layers.Dense(1)])
wider.compile(optimizer="adam", loss="mse")


def train_teacher():
    teacher = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    teacher.compile(optimizer="adam", loss="mse")
    teacher.fit(x, y, epochs=1, callbacks=[Marker()], verbose=0)
    return teacher


teacher = train_teacher()
student = keras.Sequential([teacher, keras.layers.Dense(1)])
student.compile(optimizer="adam", loss="mse")
