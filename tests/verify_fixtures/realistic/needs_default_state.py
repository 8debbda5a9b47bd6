"""Builds only with Keras's default settings (it follows changes_global_state.py in a run)."""
import keras


def checked_width():
    if keras.config.floatx() != "float32" or keras.mixed_precision.global_policy().name != "float32":
        raise RuntimeError("Keras settings leaked from another file")
    return 2


model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(checked_width())])
model.compile(optimizer="adam", loss="mse")
