"""Changes process-wide Keras settings; the next file must not see them."""
import keras

keras.config.set_floatx("float64")
keras.mixed_precision.set_global_policy("float64")
model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
model.compile(optimizer="adam", loss="mse")
