from compilelint import keras_data
from compilelint.checks import jit_requested
from compilelint.diagnostics import Effect
from compilelint.facts.model import LayerValue, ModelValue
from compilelint.rule import Example, Finding, Rule

PRELUDE = "import keras\n"


class JitCompileWithUnsupportedLayer(Rule):
    """jit_compile is on for a model with layers XLA cannot compile.

    ## What it does
    Finds `jit_compile=True` on a model that contains a string preprocessing layer
    (TextVectorization, StringLookup, IntegerLookup, Hashing, HashedCrossing, and the other
    layers Keras marks as not XLA-compatible).

    ## Why is this bad?
    These layers run string or hash-table ops that XLA has no kernels for. Keras 2 compiles
    the train step with XLA anyway and fails at the first `fit()` with an XLA error
    ("Detected unsupported operations when trying to compile graph ..."). Keras 3 warns
    (`Model doesn't support jit_compile=True. Proceeding with jit_compile=False.`) and trains
    without XLA, so the flag silently does nothing.

    ## Fix
    Move the preprocessing layers into the `tf.data` pipeline (`dataset.map(vectorizer)`)
    and keep `jit_compile` for the model, or drop `jit_compile`.
    """

    code = "CL108"
    name = "jit-compile-with-unsupported-layer"
    valid = [
        Example(PRELUDE + "model = keras.Sequential([keras.layers.Embedding(100, 8), keras.layers.GlobalAveragePooling1D(), keras.layers.Dense(1)])\nmodel.compile(optimizer='adam', loss='mse', jit_compile=True)\n"),
        Example(PRELUDE + "vectorize = keras.layers.TextVectorization(max_tokens=100)\nmodel = keras.Sequential([keras.layers.Embedding(100, 8), keras.layers.Dense(1)])\nmodel.compile(optimizer='adam', loss='mse', jit_compile=True)\n"),
    ]
    invalid = [
        Example(PRELUDE + "model = keras.Sequential([keras.layers.TextVectorization(max_tokens=100), keras.layers.Embedding(100, 8), keras.layers.Dense(1)])\nmodel.compile(optimizer='adam', loss='mse', jit_compile=True)\n"),
        Example(PRELUDE + "inputs = keras.Input(shape=(1,), dtype='string')\nx = keras.layers.StringLookup(vocabulary=['a', 'b'])(inputs)\noutputs = keras.layers.Dense(1)(x)\nmodel = keras.Model(inputs, outputs)\nmodel.compile(optimizer='adam', loss='mse', jit_compile=True)\n"),
    ]

    def check(self, site, ctx):
        if not isinstance(site.model, ModelValue) or not jit_requested(ctx, site):
            return
        unsupported = set(keras_data.load(ctx.keras.major)["layers_without_xla"])
        found = sorted({layer.class_name for layer in site.model.layers if isinstance(layer, LayerValue) and layer.class_name in unsupported})
        if not found:
            return
        names = ", ".join(found)
        if ctx.keras.major == 2:
            message = (
                f"jit_compile is on but the model has {names}, which XLA cannot compile: Keras 2 fails at the first "
                "fit() with an XLA error. Move the layer into the tf.data pipeline or drop jit_compile."
            )
            effect = Effect.ERROR_AT_FIT
        else:
            message = (
                f"jit_compile is on but the model has {names}, which does not support XLA: Keras 3 warns and "
                "silently trains without XLA. Move the layer into the tf.data pipeline or drop jit_compile."
            )
            effect = Effect.WARNING
        yield Finding(ctx.arg(site, "jit_compile").report_node, message, effect)
