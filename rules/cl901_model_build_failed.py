from compilelint.example_models import CLEAN_CLASSIFIER as CLEAN
from compilelint.rule import Example, Rule


class ModelBuildFailed(Rule):
    """verify: the model could not be built (or building it timed out).

    ## What it does
    Reported by `compilelint verify` only. Verify builds each compiled model without running
    the rest of the program: it calls the enclosing builder function when it takes no
    required arguments, or runs only the module-level statements the model and its compile
    call depend on (never `fit`, data loading, saving, or a `__main__` block). This rule
    reports a model that could not be built that way: the builder raised, called
    `sys.exit`, exited the process, hung past `--timeout`, printed without end, never
    reached the compile call, has no input shape before it sees data, or depends on data
    (e.g. `input_shape=x_train.shape[1:]`), which verify never loads.

    ## Why is this bad?
    Nothing was verified for this model: the XLA, loss and warning checks of CL902-CL904
    did not run. When the builder itself raised, the real program fails the same way before
    training starts.

    ## Fix
    Fix the error in the builder, or give verify a factory that builds and compiles the
    model from constants: `compilelint verify train.py::build_model`. Give the model's first
    layer an input shape (`keras.Input(shape=...)`) so a batch can be made for it.
    """

    code = "CL901"
    name = "model-build-failed"
    verify_only = True
    valid = [Example(CLEAN, keras="3")]
    invalid = [
        Example(
            "import keras\n"
            "(x_train, y_train), _ = keras.datasets.mnist.load_data()\n"
            "model = keras.Sequential([keras.Input(x_train.shape[1:]), keras.layers.Flatten(), keras.layers.Dense(10)])\n"
            "model.compile(optimizer='adam', loss='sparse_categorical_crossentropy')\n",
            keras="3",
        )
    ]
