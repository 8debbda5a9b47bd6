"""The builder hangs: verify stops it after --timeout and reports CL901."""
import time

import keras


def units_from_a_server_that_never_answers():
    while True:
        time.sleep(1)


def build():
    units = units_from_a_server_that_never_answers()
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(units)])
    model.compile(optimizer="adam", loss="mse")
    return model
