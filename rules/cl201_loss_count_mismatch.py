from compilelint.checks import output_count, plural
from compilelint.diagnostics import Effect
from compilelint.facts.values import SeqValue
from compilelint.example_models import TWO_OUTPUTS
from compilelint.rule import Example, Finding, Rule


class LossCountMismatch(Rule):
    """The loss list has a different length than the model has outputs.

    ## What it does
    Compares the length of a `loss` list or tuple with the number of outputs of a model
    built in the same module.

    ## Why is this bad?
    Keras matches losses to outputs by position and checks nothing in `compile()`.
    Keras 2 zips them, so an extra loss is silently dropped and an output without a loss is
    silently never trained (only a "Gradients do not exist" log warning hints at it).
    Keras 3 matches a loss list against a model whose outputs are a list (a tuple against a
    tuple) the same way for a missing loss, but an extra loss on a multi-output model fails
    at the first `fit()` with `KeyError: "The path: (2,) in the loss argument, can't be
    found ..."`. A loss container of the other kind (a tuple for list outputs) raises
    nothing: Keras 3 applies each loss in it to all the outputs stacked together, so it
    silently trains on a wrong combined loss, or fails at the first `fit()` with a shape
    `ValueError` when the outputs' shapes differ. On dict outputs any loss list or tuple of
    the wrong length fails the first `fit()` with `TypeError: Expected any non-tensor type,
    but got a tensor instead`. On a single-output model every loss after the first is
    ignored.

    ## Fix
    Give exactly one loss per output, in the order of the model's outputs (or use a dict
    keyed by output name).
    """

    code = "CL201"
    name = "loss-count-mismatch"
    valid = [
        Example(TWO_OUTPUTS + "model.compile(optimizer='adam', loss=['mse', 'mae'])\n"),
        Example(TWO_OUTPUTS + "model.compile(optimizer='adam', loss='mse')\n"),
        Example("import keras\nfrom my_project import make_outputs\ninputs = keras.Input(shape=(8,))\nmodel = keras.Model(inputs, make_outputs(inputs))\nmodel.compile(optimizer='adam', loss=['mse', 'mae'])\n"),
    ]
    invalid = [
        Example(TWO_OUTPUTS + "model.compile(optimizer='adam', loss=['mse', 'mae', 'mse'])\n"),
        Example(TWO_OUTPUTS + "model.compile(optimizer='adam', loss=['mse'])\n"),
        Example("import keras\nmodel = keras.Sequential([keras.layers.Dense(3, activation='softmax')])\nmodel.compile(optimizer='adam', loss=['categorical_crossentropy', 'mse'])\n"),
        Example(TWO_OUTPUTS + "model.compile(optimizer='adam', loss=('mse', 'mae', 'huber'))\n"),
    ]

    def check(self, site, ctx):
        loss = ctx.value(site, "loss")
        count = output_count(site)
        if not isinstance(loss, SeqValue) or count is None or len(loss.items) == count:
            return
        given = len(loss.items)
        head = f"{plural(given, 'loss')} for {plural(count, 'output')}: "
        fix = "Give exactly one loss per output."
        if ctx.keras.major == 3 and site.outputs.container == "dict":
            message = (
                f"{head}Keras 3 fails at the first fit() with \"TypeError: Expected any non-tensor type, but got a "
                f"tensor instead\" (a loss list must match dict outputs one to one). {fix}"
            )
            effect = Effect.ERROR_AT_FIT
        elif ctx.keras.major == 3 and count > 1 and not same_container(loss, site.outputs):
            message = (
                f"{head}Keras 3 applies each loss in this {loss.kind} to all the outputs stacked together: it "
                "silently trains on that wrong combined loss, or fails at the first fit() with a shape ValueError "
                f"when the outputs' shapes differ. {fix}"
            )
            effect = Effect.SILENT
        elif given < count:
            message = (
                f"{head}{ctx.keras.label} trains the last {plural(count - given, 'output')} without any loss, "
                f"silently (only a 'Gradients do not exist' warning). {fix}"
            )
            effect = Effect.SILENT
        elif ctx.keras.major == 2 or count == 1:
            message = f"{head}{ctx.keras.label} silently ignores the extra {plural(given - count, 'loss')}. {fix}"
            effect = Effect.SILENT
        else:
            message = (
                f"{head}Keras 3 fails at the first fit() with KeyError (\"The path: ({count},) in the `loss` "
                f"argument, can't be found ...\"). {fix}"
            )
            effect = Effect.ERROR_AT_FIT
        yield Finding(ctx.arg(site, "loss").report_node, message, effect)


def same_container(loss: SeqValue, outputs) -> bool:
    """Keras 3 matches a loss list to list outputs (a tuple to tuple outputs) by position;
    a loss container of any other kind is applied whole to every output."""
    return outputs.container in (None, loss.kind)
