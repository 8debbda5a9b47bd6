from compilelint.example_models import CLEAN_CLASSIFIER as CLEAN
from compilelint.rule import Example, Rule


class XlaCompileFailed(Rule):
    """verify: the jitted training step does not compile under XLA.

    ## What it does
    Reported by `compilelint verify` only. Verify compiles the model with
    `jit_compile=True` (unless the compile call sets `run_eagerly=True` or
    `jit_compile=False`, which Keras honours) and runs one step of `fit`; this rule reports
    the op XLA rejected
    (e.g. `PyFunc` from `tf.numpy_function` or `tf.py_function`, string ops, some
    lookups), or, on JAX, a step that cannot be traced.

    ## Why is this bad?
    With `jit_compile=True` the first `fit` raises. With the Keras 3 default
    (`jit_compile="auto"`) the same model trains on a CPU-only TensorFlow machine and fails
    on a GPU one, where "auto" turns XLA on; on JAX it fails everywhere.

    ## Fix
    Move the op out of the model (into the `tf.data` input pipeline), replace it with
    backend ops, or compile with `jit_compile=False`.
    """

    code = "CL902"
    name = "xla-compile-failed"
    verify_only = True
    valid = [Example(CLEAN, keras="3")]
    invalid = [
        Example(
            "import keras\nimport tensorflow as tf\n"
            "inputs = keras.Input((4,))\n"
            "hidden = keras.layers.Lambda(lambda t: tf.reshape(tf.numpy_function(lambda a: a, [t], tf.float32), (-1, 4)), output_shape=(4,))(inputs)\n"
            "model = keras.Model(inputs, keras.layers.Dense(1)(hidden))\n"
            "model.compile(optimizer='adam', loss='mse')\n",
            keras="3",
        )
    ]
