"""A layer computes with a module this environment lacks: an error naming it, never a finding."""
import compilelint_absent_signal_module as signal
import keras


class Spectrogram(keras.layers.Layer):
    def call(self, waves):
        return signal.magnitude(waves)


model = keras.Sequential([keras.Input((16,)), Spectrogram(), keras.layers.Dense(1)])
model.compile(optimizer="adam", loss="mse")
