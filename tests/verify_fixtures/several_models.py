"""Four compile sites, each in a builder with no arguments (verify calls them one by one)."""
import keras
import tensorflow as tf


def clean_classifier():
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"), keras.layers.Dense(3, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def numpy_function_model():
    inputs = keras.Input((4,))
    hidden = keras.layers.Lambda(
        lambda t: tf.reshape(tf.numpy_function(lambda a: a * 2, [t], tf.float32), (-1, 4)), output_shape=(4,)
    )(inputs)
    model = keras.Model(inputs, keras.layers.Dense(1)(hidden))
    model.compile(optimizer="adam", loss="mse")
    return model


def broken_loss(y_true, y_pred):
    return tf.reduce_mean(tf.square(y_true - tf.reshape(y_pred, (-1, 7))))


def broken_loss_model():
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    model.compile(optimizer="adam", loss=broken_loss)
    return model


def eager_model():
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse", jit_compile=True, run_eagerly=True)  # noqa: CL101 (what verify reports too)
    return model


def exits_before_compiling():
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, required=True)
    args = parser.parse_args()  # no --units on the command line: argparse calls sys.exit(2)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(args.units)])
    model.compile(optimizer="adam", loss="mse")
    return model
