"""The series come from a local helper that reads them from a URL."""
import keras
import numpy as np

SOURCE = "https://example.invalid/series/"


def series_from(name):
    table = np.loadtxt(SOURCE + name, delimiter="\t")
    return table[:, 1:], table[:, 0].astype(int)


x_train, y_train = series_from("TRAIN.tsv")
x_train = x_train.reshape((x_train.shape[0], x_train.shape[1], 1))

model = keras.Sequential([keras.Input(x_train.shape[1:]), keras.layers.Conv1D(8, 3), keras.layers.GlobalAveragePooling1D(), keras.layers.Dense(2, activation="softmax")])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
