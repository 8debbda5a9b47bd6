"""Patterns from public Keras example scripts that once drew false positives.

Each snippet is a minimal rewrite of a real-world pattern; the linter must stay silent on
it for both Keras majors. Every case also has a near twin that must still be reported, so
the fix cannot pass by silencing the rule altogether.
"""

import pytest

BUILDER_COMPILES_UNDER_CALLERS_SCOPE = '''
import tensorflow as tf
from tensorflow import keras

def create_model():
    inputs = keras.Input((4,))
    outputs = keras.layers.Dense(1)(inputs)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="adam", loss="mse")
    return model

strategy = tf.distribute.MirroredStrategy()
with strategy.scope():
    model = create_model()
'''

BUILDER_ENTERS_SCOPE_AFTER_BUILDING = '''
import tensorflow as tf
from tensorflow import keras

strategy = tf.distribute.MirroredStrategy()

def create_model():
    model = keras.Sequential([keras.layers.Dense(1, input_shape=(4,))])
    with strategy.scope():
        model.compile(optimizer="adam", loss="mse")
    return model

model = create_model()
'''


@pytest.mark.parametrize("keras", ["2", "3"])
def test_builder_that_compiles_called_inside_scope(lint, keras):
    assert [d.code for d in lint(BUILDER_COMPILES_UNDER_CALLERS_SCOPE, keras=keras)] == []


@pytest.mark.parametrize("keras", ["2", "3"])
def test_builder_that_enters_scope_after_building_is_still_reported(lint, keras):
    assert [d.code for d in lint(BUILDER_ENTERS_SCOPE_AFTER_BUILDING, keras=keras)] == ["CL107"]
