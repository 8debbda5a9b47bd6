from compilelint.diagnostics import Effect
from compilelint.facts.heads import BINARY, CATEGORICAL, SOFTMAX, SPARSE_CATEGORICAL, describe_output, output_losses
from compilelint.rule import Example, Finding, Rule

SEQUENTIAL = "import keras\nmodel = keras.Sequential([keras.Input(shape=(8,)), keras.layers.Dense(16, activation='relu'), {head}])\n"


class LossActivationMismatch(Rule):
    """The loss does not fit the output layer's unit count or activation.

    ## What it does
    Finds categorical or sparse categorical crossentropy on an output with a single unit,
    and binary crossentropy (expecting probabilities) on a softmax over more than one unit.
    A sigmoid or softmax output under a regression loss is not reported.

    ## Why is this bad?
    - Categorical crossentropy on one unit: the class probabilities are normalised over a
      single unit, which is always 1, so the loss is always 0 and nothing is learned. Keras 2
      and Keras 3 only warn at the first `fit()` ("expected y_pred.shape to be (batch_size,
      num_classes) with num_classes > 1").
    - Sparse categorical crossentropy on one unit: the only valid label is 0; any other
      label fails the first `fit()` with `InvalidArgumentError: Received a label value of 1
      which is outside the valid range of [0, 1)`.
    - Binary crossentropy on a softmax: binary crossentropy scores each unit as an
      independent yes/no probability, softmax makes the units compete. On TensorFlow,
      Keras 2 and 3 silently compute the loss from the logits behind the softmax with a
      sigmoid, so training optimises sigmoid outputs while `predict()` returns softmax
      ones; on JAX or PyTorch the softmax cannot express several labels at once.

    ## Fix
    Two classes: one unit with `activation='sigmoid'` and `binary_crossentropy`. One label
    out of N: `Dense(N, activation='softmax')` with `categorical_crossentropy` (one-hot
    labels) or `sparse_categorical_crossentropy` (integer labels). Several labels at once:
    `activation='sigmoid'` with `binary_crossentropy`.
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
    ]

    def check(self, site, ctx):
        reported = set()
        for pair in output_losses(site, ctx.arg(site, "loss"), ctx.keras.major):
            if id(pair.node) in reported:
                continue
            finding = self.mismatch(pair, ctx.keras.label)
            if finding is not None:
                reported.add(id(pair.node))
                yield finding

    @staticmethod
    def mismatch(pair, keras_label):
        output = describe_output(pair)
        kind, units = pair.loss.kind, pair.head.units
        if kind == CATEGORICAL and units == 1:
            return Finding(
                pair.node,
                f"categorical crossentropy on {output}, which has 1 unit: the class probabilities of a single unit "
                f"always sum to 1, so the loss is always 0 and nothing is learned ({keras_label} only warns at the "
                "first fit()). For two classes use one sigmoid unit with binary_crossentropy; otherwise "
                "Dense(num_classes, activation='softmax').",
                Effect.WARNING,
            )
        if kind == SPARSE_CATEGORICAL and units == 1:
            return Finding(
                pair.node,
                f"sparse categorical crossentropy on {output}, which has 1 unit: the only valid label is 0, so "
                f"{keras_label} fails at the first fit() with InvalidArgumentError ('Received a label value of 1 "
                "which is outside the valid range of [0, 1)'). For two classes use one sigmoid unit with "
                "binary_crossentropy; otherwise Dense(num_classes, activation='softmax').",
                Effect.ERROR_AT_FIT,
            )
        if kind == BINARY and pair.head.activation == SOFTMAX and isinstance(units, int) and units > 1 and pair.loss.from_logits is False:
            backends = (
                "on TensorFlow it silently computes the loss from the logits behind the softmax with a sigmoid, "
                "so training optimises sigmoid outputs while predict() returns softmax ones"
            )
            if keras_label == "Keras 3":
                backends += "; on JAX or PyTorch the softmax units compete and cannot express several labels at once"
            return Finding(
                pair.node,
                f"binary crossentropy on a softmax over {units} units ({output}): {keras_label} {backends}. "
                "For one label per example use categorical_crossentropy (one-hot) or "
                "sparse_categorical_crossentropy (integers); for several labels use activation='sigmoid'.",
                Effect.SILENT,
            )
        return None
