from compilelint.checks import output_names
from compilelint.diagnostics import Effect
from compilelint.facts.values import DictValue
from compilelint.example_models import TWO_OUTPUTS
from compilelint.rule import Example, Finding, Rule



class OutputWithoutLoss(Rule):
    """A loss dict leaves a model output without a loss.

    ## What it does
    Finds a `loss` dict that has no entry for one of the outputs of a model built in the
    same module.

    ## Why is this bad?
    Keras 2 silently gives that output no loss: its head is never trained (only a
    "Gradients do not exist" log warning appears). Keras 3 requires the keys of a loss dict
    to equal the output names and fails at the first `fit()` with `ValueError: Expected keys
    [...] in loss dict`.

    ## Fix
    Add a loss for every output, or map the output to `None` explicitly when it is meant to
    have no loss.
    """

    code = "CL203"
    name = "output-without-loss"
    valid = [
        Example(TWO_OUTPUTS + "model.compile(optimizer='adam', loss={'out_a': 'mse', 'out_b': 'mae'})\n"),
        Example(TWO_OUTPUTS + "model.compile(optimizer='adam', loss={'out_a': 'mse', 'out_b': None})\n"),
        Example(TWO_OUTPUTS + "losses = {'out_a': 'mse'}\nlosses.update(extra_losses)\nmodel.compile(optimizer='adam', loss=losses)\n"),
    ]
    invalid = [Example(TWO_OUTPUTS + "model.compile(optimizer='adam', loss={'out_a': 'mse'})\n")]

    def check(self, site, ctx):
        names = output_names(site, ctx)
        loss = ctx.value(site, "loss")
        if names is None or not isinstance(loss, DictValue):
            return
        missing = [name for name in names if name not in loss.entries]
        if not missing:
            return
        listed = ", ".join(repr(name) for name in missing)
        if ctx.keras.major == 2:
            message = f"the loss dict has no entry for {listed}: Keras 2 silently trains that output with no loss."
            effect = Effect.SILENT
        elif site.outputs.structure == "dict":
            return
        else:
            message = f"the loss dict has no entry for {listed}: Keras 3 fails at the first fit() with \"ValueError: Expected keys {names} in loss dict\"."
            effect = Effect.ERROR_AT_FIT
        yield Finding(ctx.arg(site, "loss").report_node, f"{message} Add a loss for it, or map it to None on purpose.", effect)
