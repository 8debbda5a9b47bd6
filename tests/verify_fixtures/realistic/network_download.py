"""The builder downloads its vocabulary: verify blocks the network and says so."""
from urllib.request import urlopen as fetch

import keras

VOCABULARY_URL = "https://example.invalid/vocabulary.txt"


def vocabulary_size():
    with fetch(VOCABULARY_URL) as response:
        return len(response.read().splitlines())


model = keras.Sequential([keras.Input((10,), dtype="int32"), keras.layers.Embedding(vocabulary_size(), 8), keras.layers.GlobalAveragePooling1D(), keras.layers.Dense(1)])
model.compile(optimizer="adam", loss="mse")
