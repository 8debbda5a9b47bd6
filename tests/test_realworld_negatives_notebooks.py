"""Patterns from the Keras book notebooks (handson-ml3, deep-learning-with-python) that must stay quiet.

Each case is a minimal rewrite of a notebook pattern, linted as a multi-cell notebook for both
Keras majors; each has a near twin that must still be reported, so a regression cannot pass by
silencing the rule altogether.
"""

import pytest

from test_notebooks import lint_notebook, notebook_bytes

TWO_OUTPUT_MODEL_CELL = (
    "import keras\n"
    "from keras import layers\n"
    "wide = keras.Input((5,))\n"
    "deep = keras.Input((6,))\n"
    "hidden = layers.Dense(30)(deep)\n"
    "main = layers.Dense(1)(layers.concatenate([wide, hidden]))\n"
    "aux = layers.Dense(1)(hidden)\n"
    "model = keras.Model([wide, deep], [main, aux])\n"
)

SUBCLASSED_TWO_OUTPUT_CELL = (
    "import keras\n"
    "class WideAndDeep(keras.Model):\n"
    "    def call(self, inputs):\n"
    "        wide, deep = inputs\n"
    "        return wide, deep\n"
)

CUSTOM_TRAIN_STEP_CELL = (
    "import keras\n"
    "class TrainsItself(keras.Model):\n"
    "    def train_step(self, data):\n"
    "        return {}\n"
)

FUNCTIONAL_BODY = "inputs = keras.Input((4,))\noutputs = keras.layers.Dense(1)(inputs)\n"


def tuner_builder(optimizer_expression: str) -> str:
    return (
        "import keras\n"
        "def build_model(hp):\n"
        '    model = keras.Sequential([keras.layers.Dense(10, activation="softmax")])\n'
        f"    optimizer = {optimizer_expression}\n"
        '    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy")\n'
        "    return model\n"
    )


# (cells, codes expected for Keras 2, codes expected for Keras 3)
CASES = {
    # `model` is rebound to a one-output Sequential in a later cell: the compile belongs to it.
    "rebinding_across_cells": (
        (
            TWO_OUTPUT_MODEL_CELL,
            "model = keras.Sequential([layers.Dense(30, input_shape=[8]), layers.Dense(1)])\n",
            'model.compile(loss="mse", loss_weights=[1.0], optimizer="sgd")\n',
        ),
        [],
        [],
    ),
    "rebinding_across_cells_twin": (
        (TWO_OUTPUT_MODEL_CELL, 'model.compile(loss="mse", loss_weights=[1.0], optimizer="sgd")\n'),
        ["CL204"],
        [],
    ),
    # KerasTuner: the optimizer name comes from hp.Choice, unknown to the linter.
    "tuner_choice_optimizer": ((tuner_builder('hp.Choice(name="optimizer", values=["rmsprop", "adam"])'),), [], []),
    "tuner_choice_optimizer_twin": ((tuner_builder('"rmsprops"'),), ["CL307"], ["CL307"]),
    # A model that overrides train_step may be compiled with an optimizer only.
    "custom_train_step_without_loss": (
        (CUSTOM_TRAIN_STEP_CELL, FUNCTIONAL_BODY + "model = TrainsItself(inputs, outputs)\nmodel.compile(optimizer=keras.optimizers.Adam())\n", "model.fit(x, y)\n"),
        [],
        [],
    ),
    "custom_train_step_without_loss_twin": (
        ("import keras\n", FUNCTIONAL_BODY + "model = keras.Model(inputs, outputs)\nmodel.compile(optimizer=keras.optimizers.Adam())\n", "model.fit(x, y)\n"),
        ["CL207"],
        ["CL207"],
    ),
    # One metrics list per output.
    "metrics_list_per_output": (
        (TWO_OUTPUT_MODEL_CELL, 'model.compile(optimizer="adam", loss=["mse", "mse"], metrics=[["mae"], ["mse"]])\n'),
        [],
        [],
    ),
    "metrics_list_per_output_twin": (
        (TWO_OUTPUT_MODEL_CELL, 'model.compile(optimizer="adam", loss=["mse", "mse"], metrics=[["mae"], ["mse"], ["mae"]])\n'),
        ["CL205"],
        ["CL205"],
    ),
    # Subclassed two-output model: a loss per output with a weight per output is fine ...
    "subclassed_loss_per_output": (
        (SUBCLASSED_TWO_OUTPUT_CELL, 'model = WideAndDeep()\nmodel.compile(loss=["mse", "mse"], loss_weights=[0.9, 0.1], optimizer="sgd")\n'),
        [],
        [],
    ),
    # ... while one shared loss with two weights fails in Keras 3 (handson-ml chapter 10).
    "subclassed_loss_per_output_twin": (
        (SUBCLASSED_TWO_OUTPUT_CELL, 'model = WideAndDeep()\nmodel.compile(loss="mse", loss_weights=[0.9, 0.1], optimizer="sgd")\n'),
        [],
        ["CL204"],
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("keras", ["2", "3"])
def test_book_notebook_pattern(name, keras):
    cells, expected_keras2, expected_keras3 = CASES[name]
    codes = sorted(d.code for d in lint_notebook(notebook_bytes(*cells), keras=keras))
    assert codes == (expected_keras2 if keras == "2" else expected_keras3)
