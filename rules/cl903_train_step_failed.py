from compilelint.example_models import CLEAN_CLASSIFIER as CLEAN
from compilelint.rule import Example, Rule


class TrainStepFailed(Rule):
    """verify: one training step raised (shapes, dtypes, losses).

    ## What it does
    Reported by `compilelint verify` only. Verify runs one step of `fit` (the model's own
    `train_function`, given `(x, y)` as `fit` gives it, or `x` alone to a `train_step` that
    takes only that) on a synthetic batch made from the model's input specs, with targets
    shaped by each output's loss (integer labels for sparse losses, one-hot for categorical
    ones); unknown sizes grow (8, 32, 128) until the model takes the batch. This rule
    reports the error that step (or `compile()` itself) raised, summarised from the Keras
    message: a custom loss that does not fit the output shapes, a loss structure that does
    not match the outputs, a dtype clash.

    ## Why is this bad?
    The real program raises the same error at its first `fit`, after loading its data,
    possibly minutes or hours into a job.

    ## Fix
    Make the loss, metrics and output shapes agree; the message names what Keras rejected.
    """

    code = "CL903"
    name = "train-step-failed"
    verify_only = True
    valid = [Example(CLEAN, keras="3")]
    invalid = [
        Example(
            "import keras\nimport tensorflow as tf\n\n"
            "def loss(y_true, y_pred):\n    return tf.reduce_mean(tf.square(y_true - tf.reshape(y_pred, (-1, 7))))\n\n"
            "model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])\n"
            "model.compile(optimizer='adam', loss=loss)\n",
            keras="3",
        )
    ]
