from compilelint.checks import non_probability_effect, trained_only_inside_other_models
from compilelint.diagnostics import Effect
from compilelint.facts.heads import (
    BINARY,
    CACHED,
    CATEGORICAL,
    OP,
    OTHER,
    OTHER_LOSS,
    SIGMOID,
    SOFTMAX,
    SPARSE_CATEGORICAL,
    describe_output,
    output_losses,
)
from compilelint.rule import Example, Finding, Rule

SEQUENTIAL = "import keras\nmodel = keras.Sequential([keras.Input(shape=(8,)), keras.layers.Dense(16, activation='relu'), {head}])\n"
CLASSES_FIX = (
    "For two classes use one sigmoid unit with binary_crossentropy; otherwise "
    "Dense(num_classes, activation='softmax')."
)


class LossActivationMismatch(Rule):
    """The loss does not fit the output layer's unit count or activation.

    ## What it does
    Compares each output's last activation and unit count with its loss, and finds:
    a softmax over a single unit (under any Keras loss); categorical or sparse categorical
    crossentropy on one unit, or on a sigmoid output; binary crossentropy (expecting
    probabilities) on a softmax output, whatever its width; and a crossentropy expecting
    probabilities on an output whose activation cannot produce them (`relu`, `relu6`, `elu`,
    `selu`, `tanh`, `softsign`, `gelu`, `silu`, `leaky_relu`, `log_softmax`, `softplus`,
    `exponential`). The activation is what the last layers compute: an `activation=`
    argument or callable (`tf.nn.softmax`), an `Activation` / `Softmax` / `ReLU` layer,
    and a softmax followed by `Activation("linear")` or a ReLU is still a softmax. Outputs
    whose activation, or losses whose kind, are not known are not reported, nor is a model
    only ever trained as a part of another one (a GAN generator compiled with a placeholder
    loss); a linear output is CL502's.

    ## Why is this bad?
    Keras 2 and Keras 3 check none of this; measured on small models:
    - A softmax over one unit is always 1.0: `predict()` never changes. Under MSE, MAE,
      hinge and the other regression losses the loss stays constant; under binary
      crossentropy on TensorFlow the loss still falls (it is computed from the logits
      behind the softmax) while accuracy stays at the majority rate.
    - Categorical crossentropy on one unit: the class probabilities of a single unit
      always sum to 1, so the loss is always 0 and nothing is learned; Keras only warns at
      the first `fit()` ("expected y_pred.shape to be (batch_size, num_classes) with
      num_classes > 1"). Sparse categorical crossentropy on one unit: any label but 0 fails
      the first `fit()` with `InvalidArgumentError: Received a label value of 1 which is
      outside the valid range of [0, 1)`.
    - Binary crossentropy on a softmax: it scores each unit as an independent yes/no
      probability, softmax makes the units compete. On TensorFlow the loss is silently
      computed from the logits behind a Keras softmax with a sigmoid, so training optimises
      sigmoid outputs while `predict()` returns softmax ones; elsewhere (a `tf.nn.softmax`,
      JAX, PyTorch) the softmax outputs cannot express several labels at once.
    - Categorical crossentropy on a sigmoid output (the mirror case): on TensorFlow the loss
      is silently computed as a softmax over the logits behind a Keras sigmoid (elsewhere
      from the sigmoid outputs divided by their sum), so a softmax classifier is trained
      while `predict()` returns sigmoid scores that do not sum to 1.
    - Outputs that are no probabilities: categorical crossentropy divides the outputs by
      their sum, so a relu output (all zeros for some inputs) gives NaN from the first
      epoch, and a signed one (tanh, elu, ...) makes training erratic; softplus and
      exponential train but predict values that do not sum to 1. Sparse categorical and
      binary crossentropy clip the outputs to `[1e-7, 1 - 1e-7]`: outputs outside get no
      gradient (sparse categorical training stalls near chance level).

    ## Fix
    Two classes: one unit with `activation='sigmoid'` and `binary_crossentropy`. One label
    out of N: `Dense(N, activation='softmax')` with `categorical_crossentropy` (one-hot
    labels) or `sparse_categorical_crossentropy` (integer labels). Several labels at once:
    `activation='sigmoid'` with `binary_crossentropy`. Or drop the output activation and
    pass `from_logits=True` to the crossentropy.
    """

    code = "CL503"
    name = "loss-activation-mismatch"
    valid = [
        Example(SEQUENTIAL.format(head="keras.layers.Dense(1, activation='sigmoid')") + "model.compile(optimizer='adam', loss='binary_crossentropy')\n"),
        Example(SEQUENTIAL.format(head="keras.layers.Dense(10, activation='softmax')") + "model.compile(optimizer='adam', loss='categorical_crossentropy')\n"),
        Example(SEQUENTIAL.format(head="keras.layers.Dense(10, activation='sigmoid')") + "model.compile(optimizer='adam', loss='binary_crossentropy')\n"),
        Example(SEQUENTIAL.format(head="keras.layers.Dense(1, activation='sigmoid')") + "model.compile(optimizer='adam', loss='mse')\n"),
        Example(SEQUENTIAL.format(head="keras.layers.Dense(4, activation='softmax')") + "model.compile(optimizer='adam', loss='mean_squared_error')\n"),
        Example(SEQUENTIAL.format(head="keras.layers.Dense(num_classes, activation='softmax')") + "model.compile(optimizer='adam', loss='sparse_categorical_crossentropy')\n"),
        Example(SEQUENTIAL.format(head="keras.layers.Dense(1, activation='softmax')") + "model.compile(optimizer='adam', loss=my_losses.focal)\n"),
        Example("import keras\nfrom my_project import Head\nmodel = keras.Sequential([keras.Input(shape=(8,)), keras.layers.Dense(1), Head(10)])\nmodel.compile(optimizer='adam', loss='categorical_crossentropy')\n"),
        Example(SEQUENTIAL.format(head="keras.layers.Dense(3, activation='softmax')") + "model.compile(optimizer='adam', loss=keras.losses.BinaryCrossentropy(from_logits=flag))\n"),
        Example(SEQUENTIAL.format(head="keras.layers.Dense(3, activation='relu')") + "model.compile(optimizer='adam', loss=keras.losses.CategoricalCrossentropy(from_logits=True))\n"),
        Example(SEQUENTIAL.format(head="keras.layers.Dense(1, activation='relu')") + "model.compile(optimizer='adam', loss='mse')\n"),
        Example(SEQUENTIAL.format(head="keras.layers.Dense(3, activation='softmax'), keras.layers.Activation('linear', dtype='float32')") + "model.compile(optimizer='adam', loss='categorical_crossentropy')\n"),
        Example(SEQUENTIAL.format(head="keras.layers.Dense(3, activation=output_activation)") + "model.compile(optimizer='adam', loss='categorical_crossentropy')\n"),
        Example("import keras\nmodel = keras.Sequential([keras.Input(shape=(8,)), keras.layers.LSTM(4), keras.layers.ReLU()])\nmodel.compile(optimizer='adam', loss='categorical_crossentropy')\n"),
    ]
    invalid = [
        Example(SEQUENTIAL.format(head="keras.layers.Dense(1, activation='sigmoid')") + "model.compile(optimizer='adam', loss='categorical_crossentropy', metrics=['accuracy'])\n"),
        Example(SEQUENTIAL.format(head="keras.layers.Dense(1)") + "model.compile(optimizer='adam', loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))\n"),
        Example(SEQUENTIAL.format(head="keras.layers.Dense(3, activation='softmax')") + "model.compile(optimizer='adam', loss='binary_crossentropy')\n"),
        Example(
            "import tf_keras as keras\ninputs = keras.Input(shape=(8,))\nlogits = keras.layers.Dense(2)(inputs)\n"
            "out = keras.layers.Activation('softmax', dtype='float32', name='out')(logits)\naux = keras.layers.Dense(1, name='aux')(inputs)\n"
            "model = keras.Model(inputs, [out, aux])\nmodel.compile(optimizer='adam', loss=['bce', 'mse'])\n",
            keras="2",
        ),
        Example(SEQUENTIAL.format(head="keras.layers.Dense(1, activation='softmax')") + "model.compile(optimizer='adam', loss='mse')\n"),
        Example(SEQUENTIAL.format(head="keras.layers.Dense(1), keras.layers.Softmax()") + "model.compile(optimizer='adam', loss='binary_crossentropy')\n"),
        Example(SEQUENTIAL.format(head="keras.layers.Dense(num_classes, activation='softmax')") + "model.compile(optimizer='adam', loss='binary_crossentropy')\n"),
        Example(SEQUENTIAL.format(head="keras.layers.Dense(5, activation='sigmoid')") + "model.compile(optimizer='adam', loss='categorical_crossentropy')\n"),
        Example(SEQUENTIAL.format(head="keras.layers.Dense(3, activation='relu')") + "model.compile(optimizer='adam', loss='categorical_crossentropy')\n"),
        Example(SEQUENTIAL.format(head="keras.layers.Dense(1, activation='tanh')") + "model.compile(optimizer='adam', loss='binary_crossentropy')\n"),
        Example(SEQUENTIAL.format(head="keras.layers.Dense(3), keras.layers.ReLU()") + "model.compile(optimizer='adam', loss='sparse_categorical_crossentropy')\n"),
    ]

    def check(self, site, ctx):
        if trained_only_inside_other_models(site, ctx):
            return
        reported = set()
        for pair in output_losses(site, ctx.arg(site, "loss"), ctx.keras.major):
            if id(pair.node) in reported:
                continue
            message = self.mismatch(pair, ctx)
            if message is not None:
                reported.add(id(pair.node))
                yield Finding(pair.node, *message)

    @classmethod
    def mismatch(cls, pair, ctx):
        """(message, effect) for the first mismatch of this output and its loss, or None."""
        head, loss = pair.head, pair.loss
        keras_label = ctx.shared_label
        output = describe_output(pair)
        if head.activation == SOFTMAX and head.units == 1 and loss.kind in (BINARY, OTHER_LOSS):
            return cls.single_unit_softmax(pair, output, ctx), Effect.SILENT
        if loss.kind == CATEGORICAL and head.units == 1:
            return (
                f"categorical crossentropy on {output}, which has 1 unit: the class probabilities of a single unit "
                f"always sum to 1, so the loss is always 0 and nothing is learned ({keras_label}: only a warning at the "
                f"first fit()). {CLASSES_FIX}",
                Effect.WARNING,
            )
        if loss.kind == SPARSE_CATEGORICAL and head.units == 1:
            return (
                f"sparse categorical crossentropy on {output}, which has 1 unit: the only valid label is 0, so "
                f"the first fit() fails in {keras_label} with InvalidArgumentError ('Received a label value of 1 "
                f"which is outside the valid range of [0, 1)'). {CLASSES_FIX}",
                Effect.ERROR_AT_FIT,
            )
        if loss.from_logits is not False:
            return None
        if loss.kind == BINARY and head.activation == SOFTMAX:
            return cls.binary_on_softmax(pair, output, ctx), Effect.SILENT
        if loss.kind in (CATEGORICAL, SPARSE_CATEGORICAL) and head.activation == SIGMOID:
            return cls.categorical_on_sigmoid(pair, output, ctx), Effect.SILENT
        if loss.is_crossentropy and head.activation == OTHER and head.output_range is not None:
            squash = "sigmoid" if loss.kind == BINARY else "softmax"
            return (
                f"{loss.label} expects probabilities, but {output} applies {head.function}: {keras_label} silently "
                f"{non_probability_effect(loss.kind, head.output_range, head.function)}. Use activation='{squash}' on "
                "the output layer, or drop the activation and pass from_logits=True to the loss.",
                Effect.SILENT,
            )
        return None

    @staticmethod
    def single_unit_softmax(pair, output, ctx):
        keras_label, other_backends = ctx.shared_label, _other_backends(ctx)
        loss = pair.loss
        message = (
            f"softmax over a single unit ({output}) always outputs 1.0, so predict() never changes whatever the "
            "model learns"
        )
        if loss.kind == BINARY and pair.head.logits == CACHED:
            message += (
                f": on TensorFlow ({keras_label}) binary crossentropy is computed from the logits behind the softmax, so "
                "the loss still falls while accuracy stays at the majority rate"
            )
            if other_backends:
                message += f" ({other_backends} it stays constant)"
        elif (loss.kind == BINARY and pair.head.logits in (OP, None)) or (
            loss.kind == OTHER_LOSS and "crossentropy" not in loss.name.lower()
        ):
            message += f": {loss.label} gets no gradient through it, so the loss stays constant ({keras_label})"
        return (
            f"{message}. For two classes use Dense(1, activation='sigmoid') with binary_crossentropy, for N classes "
            "Dense(N, activation='softmax'); for regression drop the activation."
        )

    @staticmethod
    def binary_on_softmax(pair, output, ctx):
        keras_label, other_backends = ctx.shared_label, _other_backends(ctx)
        units = pair.head.units
        over = f"a softmax over {units} units" if isinstance(units, int) else "a softmax output"
        if pair.head.logits == CACHED:
            effect = (
                f"on TensorFlow ({keras_label}) the loss is silently computed from the logits behind the softmax "
                "with a sigmoid, so training optimises sigmoid outputs while predict() returns softmax ones"
            )
            if other_backends:
                effect += f"; {other_backends} the softmax outputs compete and cannot express several labels at once"
        else:
            effect = (
                f"in {keras_label} each softmax output is scored as an independent probability, but the softmax outputs "
                "compete (they sum to 1) and cannot express several labels at once"
            )
        if not isinstance(units, int):
            effect += "; and over a single unit the softmax is always 1.0"
        return (
            f"binary crossentropy on {over} ({output}): {effect}. For one label per example use "
            "categorical_crossentropy (one-hot) or sparse_categorical_crossentropy (integers); for several labels "
            "use activation='sigmoid'."
        )

    @staticmethod
    def categorical_on_sigmoid(pair, output, ctx):
        keras_label, other_backends = ctx.shared_label, _other_backends(ctx)
        if pair.head.logits == CACHED:
            effect = f"on TensorFlow ({keras_label}) the loss is silently computed as a softmax over the logits behind the sigmoid"
            if other_backends:
                effect += f" ({other_backends} it divides the sigmoid outputs by their sum)"
        else:
            effect = f"in {keras_label} the sigmoid outputs are silently divided by their sum"
        single = "" if isinstance(pair.head.units, int) else " (and over a single unit it cannot learn at all)"
        return (
            f"{pair.loss.label} on a sigmoid output ({output}) treats the outputs as one distribution over the "
            f"classes, but sigmoid scores each unit on its own: {effect}, so it trains a softmax classifier while "
            f"predict() returns sigmoid scores that do not sum to 1{single}. For one label per example use "
            "activation='softmax'; for several labels at once use binary_crossentropy."
        )


def _other_backends(ctx) -> str:
    """Where a message tells what Keras 3's other backends do ("" when Keras 3 is not targeted)."""
    if not ctx.targets_keras_3:
        return ""
    return "on JAX or PyTorch" if ctx.shared_label == "Keras 3" else "on Keras 3 with JAX or PyTorch"
