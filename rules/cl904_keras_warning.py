from compilelint.example_models import CLEAN_CLASSIFIER as CLEAN
from compilelint.rule import Example, Rule


class KerasWarning(Rule):
    """verify: Keras warned during compile or the training step.

    ## What it does
    Reported by `compilelint verify` only. Verify records the Python warnings and the
    `tensorflow` / `absl` log warnings Keras emits while the model is compiled (with
    `jit_compile=True`) and trained for one step, e.g. jit silently dropped when the call
    asks for both `jit_compile=True` and `run_eagerly=True`, a model that does not support
    XLA, gradients that do not exist for some variables (an output without a loss),
    `from_logits` on a softmax output, an API Keras 3 deprecates (`compiled_loss`).

    ## Why is this bad?
    These warnings are easy to miss in a long log, and most of them mean the model trains
    differently from what the code asks for: without XLA, or with part of it untrained.

    ## Fix
    Follow the warning: e.g. drop `run_eagerly=True` (or `jit_compile`), give every output
    a loss.
    """

    code = "CL904"
    name = "keras-warning"
    verify_only = True
    valid = [Example(CLEAN, keras="3")]
    invalid = [
        Example(
            "import keras\n"
            "model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])\n"
            "model.compile(optimizer='adam', loss='mse', jit_compile=True, run_eagerly=True)\n",
            keras="3",
        )
    ]
