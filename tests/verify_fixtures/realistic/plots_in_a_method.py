"""Plotting only in a method the build never calls: matplotlib need not be installed."""
import keras
import matplotlib.pyplot as plt


class Autoencoder(keras.Model):
    def show_reconstructions(self, images):
        plt.figure(figsize=(8, 2))
        for index, image in enumerate(self.predict(images)):
            plt.subplot(1, len(images), index + 1)
            plt.imshow(image)
        plt.show()


inputs = keras.Input((6, 6, 1))
encoded = keras.layers.Conv2D(4, 3, padding="same", activation="relu")(inputs)
decoded = keras.layers.Conv2D(1, 3, padding="same", activation="sigmoid")(encoded)
autoencoder = Autoencoder(inputs, decoded)
autoencoder.compile(optimizer="adam", loss="binary_crossentropy")
