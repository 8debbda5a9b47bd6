from compilelint.checks import output_names
from compilelint.diagnostics import Effect
from compilelint.example_models import TWO_OUTPUTS
from compilelint.facts.values import DictValue
from compilelint.rule import Example, Finding, Rule


class OutputWithoutLoss(Rule):
    """A loss dict leaves a model output without a loss.

    ## What it does
    Finds a `loss` dict that has no entry for one of the (list or single) outputs of a
    model built in the same module, when the file targets Keras 3.

    ## Why is this bad?
    Keras 3 requires the keys of a loss dict to equal the output names and fails at the
    first `fit()` with `ValueError: Expected keys [...] in loss dict`. Keras 2 accepted a
    partial dict and left the other outputs without a loss — a documented way to train some
    heads only — so code written for Keras 2 breaks when it moves to Keras 3. (Keras 2 alone
    is not reported: there it is legal.)

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
        Example(TWO_OUTPUTS + "model.compile(optimizer='adam', loss={'out_a': 'mse'})\n", keras="2"),
    ]
    invalid = [Example(TWO_OUTPUTS + "model.compile(optimizer='adam', loss={'out_a': 'mse'})\n", keras="3")]

    def check(self, site, ctx):
        names = output_names(site, ctx)
        loss = ctx.value(site, "loss")
        if names is None or not isinstance(loss, DictValue):
            return
        missing = [name for name in names if name not in loss.entries]
        if not missing:
            return
        if ctx.keras.major == 2 or site.outputs.structure == "dict":
            return
        listed = ", ".join(repr(name) for name in missing)
        yield Finding(
            ctx.arg(site, "loss").report_node,
            f"the loss dict has no entry for {listed}: Keras 3 fails at the first fit() with \"ValueError: Expected "
            f"keys {names} in loss dict\" (Keras 2 left that output untrained). Add a loss for it, or map it to None "
            "on purpose.",
            Effect.ERROR_AT_FIT,
        )
