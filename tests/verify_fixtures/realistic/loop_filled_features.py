"""The input width comes from a loop over a CSV file: without the file the list is empty."""
import csv

import keras

feature_columns = []
with open("columns_that_do_not_exist.csv") as handle:
    for row in csv.reader(handle):
        if row[1] == "numeric":
            feature_columns.append(row[0])

model = keras.Sequential([keras.Input((len(feature_columns),)), keras.layers.Dense(1, activation="sigmoid")])
model.compile(optimizer="adam", loss="binary_crossentropy")
