"""Builders whose model depends on misbehaving user code: verify must survive each one."""
import os
import sys

import keras


def noisy_width():
    for _ in range(400):
        sys.stdout.write("x" * 100_000 + "\n")  # 40 MB of output
    return 1


def exiting_width():
    os._exit(3)


def failing_width():
    raise RuntimeError("the builder broke")


def floods_stdout():
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(noisy_width())])
    model.compile(optimizer="adam", loss="mse")
    return model


def hard_exit():
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(exiting_width())])
    model.compile(optimizer="adam", loss="mse")
    return model


def crashes():
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(failing_width())])
    model.compile(optimizer="adam", loss="mse")
    return model


def still_verified_afterwards():
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    return model
