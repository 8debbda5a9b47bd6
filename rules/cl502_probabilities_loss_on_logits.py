from compilelint.checks import non_probability_effect, trained_only_inside_other_models
from compilelint.diagnostics import Effect
from compilelint.facts.heads import BINARY, LINEAR, SIGNED, describe_output, output_losses
from compilelint.rule import Example, Finding, Rule

SEQUENTIAL = "import keras\nmodel = keras.Sequential([keras.Input(shape=(8,)), keras.layers.Dense(16, activation='relu'), {head}])\n"


class ProbabilitiesLossOnLogits(Rule):
    """A crossentropy loss expecting probabilities on an output without an activation.

    ## What it does
    Finds categorical, sparse categorical or binary crossentropy with `from_logits=False`
    (the default, and what the string names mean) for a model output whose last layer is
    linear: a `Dense` or convolution without `activation`, or `activation='linear'`. A
    linear `Activation` after a softmax (the mixed-precision float32 cast) keeps the
    softmax output and is not reported, nor is a model only ever trained as a part of
    another one (a GAN generator compiled with a placeholder loss).

    ## Why is this bad?
    The loss takes the raw outputs for probabilities, and nothing warns. Measured on small
    models, the same in Keras 2 and Keras 3: categorical crossentropy divides the outputs
    by their sum, which for signed outputs can be zero or negative, so training is erratic
    and the loss often rises; sparse categorical crossentropy clips them to
    `[1e-7, 1 - 1e-7]` before its log, so every output at or below 0 gets no gradient and
    training stalls near chance level; binary crossentropy clips them the same way, so the
    outputs outside (0, 1) get no gradient and `predict()` returns values that are no
    probabilities.

    ## Fix
    Keep the linear output and tell the loss it receives logits
    (`keras.losses.SparseCategoricalCrossentropy(from_logits=True)`), or add
    `activation='softmax'` (`'sigmoid'` for binary crossentropy) to the output layer.
    """

    code = "CL502"
    name = "probabilities-loss-on-logits"
    valid = [
        Example(SEQUENTIAL.format(head="keras.layers.Dense(5)") + "model.compile(optimizer='adam', loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))\n"),
        Example(SEQUENTIAL.format(head="keras.layers.Dense(5, activation='softmax')") + "model.compile(optimizer='adam', loss='sparse_categorical_crossentropy')\n"),
        Example(SEQUENTIAL.format(head="keras.layers.Dense(1)") + "model.compile(optimizer='adam', loss='mse')\n"),
        Example(SEQUENTIAL.format(head="keras.layers.Dense(1)") + "model.compile(optimizer='adam', loss=keras.losses.BinaryCrossentropy(from_logits=True))\n"),
        Example(SEQUENTIAL.format(head="keras.layers.Dense(5), keras.layers.Activation('softmax', dtype='float32')") + "model.compile(optimizer='adam', loss='categorical_crossentropy')\n"),
        Example(SEQUENTIAL.format(head="keras.layers.Dense(5, activation=keras.activations.softmax)") + "model.compile(optimizer='adam', loss='categorical_crossentropy')\n"),
        Example("import keras\nfrom my_project import ProbabilityHead\nmodel = keras.Sequential([keras.Input(shape=(8,)), keras.layers.Dense(5), ProbabilityHead()])\nmodel.compile(optimizer='adam', loss='categorical_crossentropy')\n"),
        Example(SEQUENTIAL.format(head="keras.layers.Dense(5)") + "def loss_fn(y_true, y_pred):\n    return keras.losses.categorical_crossentropy(y_true, y_pred, from_logits=True)\nmodel.compile(optimizer='adam', loss=loss_fn)\n"),
        Example(SEQUENTIAL.format(head="keras.layers.Dense(5)") + "model.compile(optimizer='adam', loss=keras.losses.CategoricalCrossentropy(from_logits=use_logits))\n"),
        Example("import keras\nmodel = keras.Sequential([keras.Input(shape=(8,)), keras.layers.LSTM(5)])\nmodel.compile(optimizer='adam', loss='binary_crossentropy')\n"),
    ]
    invalid = [
        Example(SEQUENTIAL.format(head="keras.layers.Dense(5)") + "model.compile(optimizer='adam', loss='sparse_categorical_crossentropy')\n"),
        Example(SEQUENTIAL.format(head="keras.layers.Dense(1, activation='linear')") + "model.compile(optimizer='adam', loss=keras.losses.BinaryCrossentropy())\n"),
        Example(
            "import tensorflow as tf\ninputs = tf.keras.Input(shape=(8,))\nhidden = tf.keras.layers.Dense(16, activation='relu')(inputs)\n"
            "kind = tf.keras.layers.Dense(4, name='kind')(hidden)\nscore = tf.keras.layers.Dense(1, name='score')(hidden)\n"
            "model = tf.keras.Model(inputs=inputs, outputs={'kind': kind, 'score': score})\n"
            "model.compile(optimizer='adam', loss={'kind': tf.keras.losses.CategoricalCrossentropy(from_logits=False), 'score': 'mse'})\n"
        ),
        Example(SEQUENTIAL.format(head="keras.layers.Dense(5)") + "model.compile(optimizer='adam', loss=keras.losses.get('categorical_crossentropy'))\n"),
    ]

    def check(self, site, ctx):
        if trained_only_inside_other_models(site, ctx):
            return
        reported = set()
        for pair in output_losses(site, ctx.arg(site, "loss"), ctx.keras.major):
            if pair.head.activation != LINEAR or pair.loss.from_logits is not False or id(pair.node) in reported:
                continue
            reported.add(id(pair.node))
            activation = "sigmoid" if pair.loss.kind == BINARY else "softmax"
            message = (
                f"{pair.loss.label} expects probabilities, but {describe_output(pair)} is linear (no activation): "
                f"{ctx.shared_label} silently {non_probability_effect(pair.loss.kind, SIGNED, 'linear')}. "
                f"Pass from_logits=True to the loss, or add activation='{activation}' to the output layer."
            )
            yield Finding(pair.node, message, Effect.SILENT)
