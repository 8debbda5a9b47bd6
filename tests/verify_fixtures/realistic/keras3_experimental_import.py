"""`tensorflow.keras.layers.experimental` is gone in Keras 3: the program fails at its import."""
from tensorflow import keras
from tensorflow.keras.layers.experimental import preprocessing

model = keras.Sequential([keras.Input((8, 8, 3)), preprocessing.Rescaling(1.0 / 255), keras.layers.Flatten(), keras.layers.Dense(2, activation="softmax")])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
