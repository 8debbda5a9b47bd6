"""One message for a finding that both targeted versions report (``--keras-version 2,3``)."""

from compilelint.config import default_settings
from compilelint.engine import lint_text, merge_messages


def test_a_shared_lead_in_with_a_colon_inside_is_said_once():
    keras_2 = "loss key 'c' is not an output (outputs: a, b): Keras 2 fails at the first fit(). Use the names."
    keras_3 = "loss key 'c' is not an output (outputs: a, b): Keras 3 fails at the first fit(). Use the names."
    assert merge_messages([keras_2, keras_3]) == (
        "loss key 'c' is not an output (outputs: a, b): Keras 2 fails at the first fit(). Use the names. "
        "Keras 3 fails at the first fit()."
    )


def test_messages_without_a_shared_lead_in_are_joined_whole():
    assert merge_messages(["Keras 2 ignores it.", "Keras 3 raises TypeError."]) == "Keras 2 ignores it. Keras 3 raises TypeError."


def test_unknown_output_key_under_both_versions_reads_as_one_message():
    code = (
        "import keras\ninputs = keras.Input(shape=(4,))\n"
        "a = keras.layers.Dense(1, name='output_a')(inputs)\nb = keras.layers.Dense(1, name='output_b')(inputs)\n"
        "model = keras.Model(inputs, [a, b])\nmodel.compile(optimizer='adam', loss={'output_a': 'mse', 'output_c': 'mse'})\n"
    )
    result = lint_text(code, "train.py", default_settings(keras_version="2,3", select=["CL202"]))
    [diagnostic] = result.diagnostics
    assert diagnostic.message.count("output_a, output_b)") == 1
    assert "Keras 2 fails" in diagnostic.message and "Keras 3 fails" in diagnostic.message
