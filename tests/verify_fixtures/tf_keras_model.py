"""Keras 2 (tf_keras): run_eagerly with jit_compile raises ValueError in compile()."""
import tf_keras as keras


def clean():
    model = keras.Sequential([keras.layers.Dense(3, activation="softmax", input_shape=(4,))])
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    return model


def eager_and_jit():
    model = keras.Sequential([keras.layers.Dense(1, input_shape=(4,))])
    model.compile(optimizer="adam", loss="mse", run_eagerly=True)
    return model
