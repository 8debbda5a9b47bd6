from compilelint.checks import compile_node
from compilelint.diagnostics import Effect
from compilelint.facts.model import LayerValue, ModelValue
from compilelint.rule import Example, Finding, Rule

MODEL = "import keras\nmodel = keras.Sequential([keras.layers.Dense(1, input_shape=(4,))])\n"


def adds_no_loss_itself(model: ModelValue, facts) -> bool:
    """Every layer is a known Keras layer without regularisers, and nothing calls add_loss."""
    if model.kind not in ("sequential", "functional") or not model.layers_complete or facts.adds_loss_somewhere:
        return False
    for layer in model.layers:
        if not isinstance(layer, LayerValue) or not layer.builtin or not layer.call.complete:
            return False
        if any(name.endswith("_regularizer") for name in layer.call.kwargs):
            return False
    return True


class MissingLoss(Rule):
    """compile() without a loss on a model that is then trained and adds no loss itself.

    ## What it does
    Finds `compile()` without `loss` for a Sequential or functional model made only of
    built-in Keras layers (no `add_loss`, no regularisers) that is later passed to `fit()` /
    `train_on_batch()` in the same module.

    ## Why is this bad?
    With nothing to minimise, Keras 2 fails at the first `fit()` with `ValueError: No loss
    found. You may have forgotten to provide a loss argument in the compile() method.`
    Keras 3 on TensorFlow fails the same way (`No loss to compute. Provide a loss argument
    in compile().`); on JAX it trains silently with a loss of 0.0 and nothing learns.

    ## Fix
    Pass the loss: `model.compile(optimizer=..., loss=...)`.
    """

    code = "CL207"
    name = "missing-loss"
    valid = [
        Example(MODEL + "model.compile(optimizer='adam', loss='mse')\nmodel.fit(x, y)\n"),
        Example(MODEL + "model.compile(optimizer='adam')\npredictions = model.predict(x)\n"),
        Example("import keras\nclass VAE(keras.Model):\n    def train_step(self, data):\n        ...\nvae = VAE()\nvae.compile(optimizer='adam')\nvae.fit(x)\n"),
        Example(MODEL + "model.add_loss(keras.ops.mean(model.output))\nmodel.compile(optimizer='adam')\nmodel.fit(x)\n"),
    ]
    invalid = [Example(MODEL + "model.compile(optimizer='adam', metrics=['mae'])\nmodel.fit(x, y, epochs=3)\n")]

    def check(self, site, ctx):
        model = site.model
        if not isinstance(model, ModelValue) or ctx.passes(site, "loss") is not False:
            return
        if not model.events_after(site.order, "fit") or not adds_no_loss_itself(model, ctx.facts):
            return
        if ctx.keras.major == 2:
            message = "compile() has no loss and the model adds none: Keras 2 fails at the first fit() with \"ValueError: No loss found.\""
        else:
            message = (
                "compile() has no loss and the model adds none: Keras 3 fails at the first fit() on TensorFlow "
                "(\"No loss to compute.\") and silently trains nothing on JAX (loss 0.0)."
            )
        yield Finding(compile_node(site), f"{message} Pass loss= to compile().", Effect.ERROR_AT_FIT)
