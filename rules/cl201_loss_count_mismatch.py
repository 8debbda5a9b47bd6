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
    Keras 3 also leaves a missing output untrained, but an extra loss on a multi-output
    model fails at the first `fit()` with `KeyError: "The path: (2,) in the loss argument,
    can't be found ..."`; on a single-output model every loss after the first is ignored.

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
    ]

    def check(self, site, ctx):
        loss = ctx.value(site, "loss")
        count = output_count(site)
        if not isinstance(loss, SeqValue) or count is None or len(loss.items) == count:
            return
        given = len(loss.items)
        head = f"{plural(given, 'loss')} for {plural(count, 'output')}: "
        fix = "Give exactly one loss per output."
        if given < count:
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
