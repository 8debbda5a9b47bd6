from compilelint.example_models import CLEAN_CLASSIFIER as CLEAN
from compilelint.rule import Example, Rule


class ModelBuildFailed(Rule):
    """verify: the model could not be built (or building it timed out).

    ## What it does
    Reported by `compilelint verify` only. Verify builds each compiled model without running
    the rest of the program: it calls the enclosing builder function when it takes no
    required arguments, or runs only the statements the model and its compile call depend
    on (never `fit`, data loading, downloads or saving). This rule reports a model whose
    building failed: the code raised (for instance it imports a `keras` /
    `tensorflow.keras` module this Keras does not have, such as
    `tensorflow.keras.layers.experimental` under Keras 3), called `sys.exit`, exited the
    process, hung past `--timeout` or printed without end. A model verify cannot build
    faithfully (it depends on data or on a trained model, has no input shape, downloads)
    is not reported here: its site is listed as *refused*, with the reason.

    ## Why is this bad?
    Nothing was verified for this model: the XLA, loss and warning checks of CL902-CL904
    did not run. When the builder itself raised, the real program fails the same way before
    training starts.

    ## Fix
    Fix the error the message names. When the builder needs something verify does not give
    it, name a factory that builds and compiles the model from constants:
    `compilelint verify train.py::build_model`.
    """

    code = "CL901"
    name = "model-build-failed"
    verify_only = True
    valid = [Example(CLEAN, keras="3")]
    invalid = [
        Example(
            "import keras\n"
            "model = keras.Sequential([keras.Input((28, 28)), keras.layers.Reshape((28, 27)), keras.layers.Flatten(), keras.layers.Dense(10, activation='softmax')])\n"
            "model.compile(optimizer='adam', loss='sparse_categorical_crossentropy')\n",
            keras="3",
        )
    ]
