"""A keras-io style script: data loading, model, compile and fit at module level.

Verify must build and train the model without running the loader or fit: both write a
marker file next to this script and raise.
"""
import os

import keras
import numpy as np

MARKER = os.environ.get("COMPILELINT_TEST_MARKER", "marker.txt")
num_classes = 10
input_shape = (28, 28, 1)


def load_data():
    with open(MARKER, "a") as handle:
        handle.write("loader ran\n")
    raise RuntimeError("the data loader must not run under verify")


(x_train, y_train), (x_test, y_test) = load_data()
x_train = x_train.astype("float32") / 255
y_train = keras.utils.to_categorical(y_train, num_classes)

model = keras.Sequential(
    [
        keras.Input(shape=input_shape),
        keras.layers.Conv2D(4, kernel_size=(3, 3), activation="relu"),
        keras.layers.MaxPooling2D(pool_size=(2, 2)),
        keras.layers.Flatten(),
        keras.layers.Dense(num_classes, activation="softmax"),
    ]
)
model.summary()
model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])


class Marker(keras.callbacks.Callback):
    def on_train_begin(self, logs=None):
        with open(MARKER, "a") as handle:
            handle.write("fit ran\n")


model.fit(x_train, y_train, batch_size=128, epochs=15, validation_split=0.1, callbacks=[Marker()])
np.save("predictions.npy", model.predict(x_test))
