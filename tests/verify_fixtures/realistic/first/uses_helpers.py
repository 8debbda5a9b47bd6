"""Imports a module that sits next to it (another folder has one with the same name)."""
import keras
from helpers import head

model = keras.Sequential([keras.Input((4,)), head()])
model.compile(optimizer="adam", loss="categorical_crossentropy")
