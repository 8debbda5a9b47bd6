"""RandomZoom does not support XLA: Keras's default quietly trains without it."""
import keras

model = keras.Sequential(
    [
        keras.Input((16, 16, 3)),
        keras.layers.RandomZoom(0.1),
        keras.layers.Conv2D(4, 3, activation="relu"),
        keras.layers.Flatten(),
        keras.layers.Dense(2, activation="softmax"),
    ]
)
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
