"""Model definitions shared by several rules' inline examples (docs and tests)."""

TWO_OUTPUTS = (
    "import keras\n"
    "inputs = keras.Input(shape=(8,))\n"
    "out_a = keras.layers.Dense(2, name='out_a')(inputs)\n"
    "out_b = keras.layers.Dense(1, name='out_b')(inputs)\n"
    "model = keras.Model(inputs, [out_a, out_b])\n"
)

# A model verify builds and trains without complaint.
CLEAN_CLASSIFIER = (
    "import keras\n"
    "model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation='softmax')])\n"
    "model.compile(optimizer='adam', loss='sparse_categorical_crossentropy')\n"
)
