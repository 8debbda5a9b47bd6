"""Plotting and notebook imports the model never uses: their absence must not matter."""
import compilelint_absent_plotting_module as plotting
import keras
import matplotlib.pyplot as plt
from IPython.display import display
from PIL import Image

model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Conv2D(4, 3), keras.layers.Flatten(), keras.layers.Dense(10)])
model.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
plt.plot([1, 2])
display(Image.new("RGB", (2, 2)))
plotting.show(model)
