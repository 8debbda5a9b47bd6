from compilelint.checks import trained_only_inside_other_models
from compilelint.diagnostics import Effect
from compilelint.facts.heads import BINARY, CACHED, OP, SIGMOID, SOFTMAX, describe_output, output_losses
from compilelint.facts.values import UNKNOWN
from compilelint.rule import Example, Finding, Rule

SEQUENTIAL = "import keras\nmodel = keras.Sequential([keras.Input(shape=(8,)), keras.layers.Dense(16, activation='relu'), {head}])\n"
FUNCTIONAL_TWO_HEADS = (
    "import keras\n"
    "inputs = keras.Input(shape=(8,))\n"
    "hidden = keras.layers.Dense(16, activation='relu')(inputs)\n"
    "label = keras.layers.Dense(5, name='label')(hidden)\n"
    "flag = keras.layers.Dense(1, activation='sigmoid', name='flag')(hidden)\n"
    "model = keras.Model(inputs, [label, flag])\n"
)
FIX = (
    "Drop the activation from the output layer and keep from_logits=True (numerically the "
    "most stable), or keep the activation and set from_logits=False."
)


class FromLogitsOnProbabilities(Rule):
    """A loss with `from_logits=True` on an output that already applies softmax or sigmoid.

    ## What it does
    Finds a crossentropy loss built with `from_logits=True` for a model output whose last
    layer applies `softmax` or `sigmoid` (an `activation=` argument, an `Activation` or
    `Softmax` layer, or `tf.nn.softmax` / `keras.activations.sigmoid` passed as activation),
    also when a linear `Activation` or a ReLU follows it. A model only ever trained as a
    part of another one (a GAN generator compiled with a placeholder loss) is not reported.

    ## Why is this bad?
    `from_logits=True` tells the loss to apply softmax (or sigmoid) itself, so the squashing
    happens twice: the probabilities are squeezed towards uniform and the gradients shrink,
    and training stalls. On the TensorFlow backend Keras 2 and Keras 3 notice when the loss
    sees the matching softmax / sigmoid op directly: they warn ("`categorical_crossentropy`
    received `from_logits=True`, but the `output` argument was produced by a Softmax
    activation and thus does not represent logits. Was this intended?") and quietly use the
    logits behind it. When the activation does not match the loss (softmax under binary
    crossentropy, sigmoid under categorical crossentropy) that rescue trains the wrong thing:
    the loss squashes the logits its own way, so training optimises sigmoid outputs while
    `predict()` returns softmax ones. The rescue needs TensorFlow to see the squash: after
    another layer (a `ReLU` after the softmax), or for a `tf.nn.softmax` under binary
    crossentropy, the loss squashes twice without a warning. Keras 3 on JAX or PyTorch has
    no rescue at all and trains on the doubly squashed probabilities without a word. A
    softmax over a single unit is CL503's (it is wrong under any loss).

    ## Fix
    Remove the activation from the output layer and keep `from_logits=True` (apply
    `keras.activations.softmax` to predictions when you need probabilities), or keep the
    activation and set `from_logits=False`.
    """

    code = "CL501"
    name = "from-logits-on-probabilities"
    valid = [
        Example(SEQUENTIAL.format(head="keras.layers.Dense(5)") + "model.compile(optimizer='adam', loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))\n"),
        Example(SEQUENTIAL.format(head="keras.layers.Dense(5, activation='softmax')") + "model.compile(optimizer='adam', loss=keras.losses.SparseCategoricalCrossentropy())\n"),
        Example(SEQUENTIAL.format(head="keras.layers.Dense(5, activation='softmax')") + "model.compile(optimizer='adam', loss='sparse_categorical_crossentropy')\n"),
        Example(FUNCTIONAL_TWO_HEADS + "model.compile(optimizer='adam', loss=[keras.losses.CategoricalCrossentropy(from_logits=True), keras.losses.BinaryCrossentropy()])\n"),
        Example(FUNCTIONAL_TWO_HEADS + "model.compile(optimizer='adam', loss={'label': keras.losses.CategoricalCrossentropy(from_logits=True), 'flag': 'binary_crossentropy'})\n"),
        Example("import keras\nfrom my_project import Classifier\nmodel = keras.Sequential([keras.Input(shape=(8,)), Classifier(5)])\nmodel.compile(optimizer='adam', loss=keras.losses.CategoricalCrossentropy(from_logits=True))\n"),
        Example("import keras\ninputs = keras.Input(shape=(8,))\nprobs = keras.layers.Lambda(lambda t: keras.activations.softmax(t))(keras.layers.Dense(5)(inputs))\nmodel = keras.Model(inputs, probs)\nmodel.compile(optimizer='adam', loss=keras.losses.CategoricalCrossentropy(from_logits=True))\n"),
        Example(SEQUENTIAL.format(head="keras.layers.Dense(5, activation='softmax')") + "def my_loss(y_true, y_pred):\n    return keras.losses.categorical_crossentropy(y_true, y_pred, from_logits=True)\nmodel.compile(optimizer='adam', loss=my_loss)\n"),
        Example(SEQUENTIAL.format(head="keras.layers.Dense(5, activation=final_activation)") + "model.compile(optimizer='adam', loss=keras.losses.CategoricalCrossentropy(from_logits=True))\n"),
    ]
    invalid = [
        Example(SEQUENTIAL.format(head="keras.layers.Dense(5, activation='softmax')") + "model.compile(optimizer='adam', loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))\n"),
        Example("import tensorflow as tf\nmodel = tf.keras.Sequential([tf.keras.layers.Dense(10, activation=tf.nn.softmax)])\nmodel.compile(optimizer='adam', loss=tf.keras.losses.CategoricalCrossentropy(True))\n", keras="2"),
        Example(
            "import keras\nfrom keras import layers\ninputs = keras.Input(shape=(8,))\nlogits = layers.Dense(5)(inputs)\n"
            "probs = layers.Activation('softmax', dtype='float32')(logits)\nmodel = keras.Model(inputs, probs)\n"
            "model.compile(optimizer='adam', loss=keras.losses.CategoricalCrossentropy(from_logits=True))\n"
        ),
        Example(FUNCTIONAL_TWO_HEADS + "model.compile(optimizer='adam', loss={'label': 'categorical_crossentropy', 'flag': keras.losses.BinaryCrossentropy(from_logits=True)})\n"),
        Example(SEQUENTIAL.format(head="keras.layers.Dense(3), keras.layers.Softmax()") + "model.compile(optimizer='adam', loss=keras.losses.BinaryCrossentropy(from_logits=True))\n", keras="3"),
        Example(SEQUENTIAL.format(head="keras.layers.Dense(3, activation='softmax'), keras.layers.ReLU()") + "model.compile(optimizer='adam', loss=keras.losses.CategoricalCrossentropy(from_logits=True))\n"),
    ]

    def check(self, site, ctx):
        if trained_only_inside_other_models(site, ctx):
            return
        reported = set()
        for pair in output_losses(site, ctx.arg(site, "loss"), ctx.keras.major):
            activation = pair.head.activation
            if pair.loss.from_logits is not True or activation not in (SOFTMAX, SIGMOID) or id(pair.node) in reported:
                continue
            if activation == SOFTMAX and pair.head.units == 1:
                continue  # a softmax over one unit is broken under any loss: CL503 says so
            reported.add(id(pair.node))
            yield self.finding(pair, ctx.keras)

    @staticmethod
    def finding(pair, keras):
        activation = pair.head.activation
        squash = SIGMOID if pair.loss.kind == BINARY else SOFTMAX
        head = f"{pair.loss.label} with from_logits=True, but {describe_output(pair)} already applies {activation}"
        squeezed = (
            f"applies {squash} on top of the {activation} probabilities (squeezed towards uniform: small "
            "gradients, training stalls)"
        )
        rescued = tensorflow_reads_logits(pair.head, squash)
        if rescued is False:
            # Another layer after the squash, or a TensorFlow op the loss does not look for.
            message = f"{head}: {keras.label} silently {squeezed}, on every backend and without a warning. {FIX}"
            return Finding(pair.node, message, Effect.SILENT)
        if squash == activation:
            tensorflow = f"uses the logits behind the {activation}, so the loss happens to be right"
        else:
            tensorflow = (
                f"computes the loss from the logits behind the {activation} with a {squash}, so training "
                f"optimises {squash} outputs while predict() returns {activation} ones"
            )
        if rescued is UNKNOWN:
            message = (
                f"{head}: {keras.label} {squeezed}, unless TensorFlow sees the {activation} itself through the dtype "
                f"cast after it; then it warns at the first fit() and {tensorflow}. {FIX}"
            )
            return Finding(pair.node, message, Effect.SILENT)
        if keras.major == 2:
            message = (
                f"{head}: Keras 2 warns at the first fit() (\"received `from_logits=True`, but the `output` "
                f"argument was produced by a {squash.capitalize()} activation\") and {tensorflow}; this "
                f"relies on TensorFlow seeing the {activation} op. {FIX}"
            )
            return Finding(pair.node, message, Effect.WARNING)
        message = (
            f"{head}: Keras 3 on JAX or PyTorch silently {squeezed}; on TensorFlow it warns at the first fit() and "
            f"{tensorflow}. {FIX}"
        )
        return Finding(pair.node, message, Effect.SILENT)


def tensorflow_reads_logits(head, squash: str):
    """Whether the TensorFlow backend's crossentropy finds the logits behind the output's
    softmax / sigmoid: a Keras activation keeps them for every crossentropy, a TensorFlow op
    only for the matching one; another layer after the squash hides them."""
    if head.logits == CACHED:
        return True
    if head.logits == OP:
        return squash == head.activation
    return UNKNOWN if head.logits is UNKNOWN else False
