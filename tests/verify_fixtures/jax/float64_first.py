"""Asks for float64, which JAX gives only with x64 enabled: the model trains in float32."""
import keras

keras.config.set_floatx("float64")
model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
model.compile(optimizer="adam", loss="mse")
