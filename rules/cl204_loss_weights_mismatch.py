from compilelint.checks import output_count, plural
from compilelint.diagnostics import Effect
from compilelint.facts.values import UNKNOWN, CallValue, DictValue, Ref, SeqValue, is_scalar
from compilelint.example_models import TWO_OUTPUTS
from compilelint.rule import Example, Finding, Rule



def loss_count(loss):
    """How many losses Keras 3 counts in ``loss`` (its flattened length), or None."""
    if isinstance(loss, SeqValue):
        return len(loss.items)
    if isinstance(loss, DictValue):
        return len(loss.entries)
    if isinstance(loss, (str, CallValue, Ref)):
        return 1
    return None


class LossWeightsMismatch(Rule):
    """loss_weights does not have one weight per output (Keras 2) or per loss (Keras 3).

    ## What it does
    Compares the length of a `loss_weights` list or tuple with the number of outputs of a
    model built in the same module (Keras 2), or with the number of losses given (Keras 3),
    and checks the type Keras 3 requires.

    ## Why is this bad?
    Keras 2 zips weights with outputs: a list that is too short silently drops the loss of
    every output past its end (it is reported as 0.0 and that head is not trained), and a
    list that is too long is silently cut. Keras 3 fails at the first `fit()` with
    ``ValueError: `loss_weights` must match the number of losses, got 2 losses and 1
    weights.`` — also when one loss is broadcast to several outputs but several weights are
    given. Keras 3 also rejects an `int` (`loss_weights=1`) in `compile()`.

    ## Fix
    Give one weight per output, in output order (or a dict keyed by output name), and a
    list of losses of the same length; use a float for a single weight.
    """

    code = "CL204"
    name = "loss-weights-mismatch"
    valid = [
        Example(TWO_OUTPUTS + "model.compile(optimizer='adam', loss=['mse', 'mae'], loss_weights=[1.0, 0.5])\n"),
        Example(TWO_OUTPUTS + "model.compile(optimizer='adam', loss='mse', loss_weights=[1.0, 0.5])\n", keras="2"),
        Example("import keras\nmodel = keras.Sequential([keras.layers.Dense(1)])\nmodel.compile(optimizer='adam', loss='mse', loss_weights=1.0)\n"),
        Example(TWO_OUTPUTS + "model.compile(optimizer='adam', loss=['mse', 'mae'], loss_weights=weights)\n"),
    ]
    invalid = [
        Example(TWO_OUTPUTS + "model.compile(optimizer='adam', loss=['mse', 'mae'], loss_weights=[1.0])\n"),
        Example(TWO_OUTPUTS + "model.compile(optimizer='adam', loss='mse', loss_weights=[1.0, 0.5])\n", keras="3"),
        Example("import keras\nmodel = keras.Sequential([keras.layers.Dense(1)])\nmodel.compile(optimizer='adam', loss='mse', loss_weights=1)\n", keras="3"),
    ]

    def check(self, site, ctx):
        argument = ctx.arg(site, "loss_weights")
        weights = ctx.value(site, "loss_weights")
        if argument is None:
            return
        if ctx.keras.major == 3 and is_scalar(weights) and isinstance(weights, int) and not isinstance(weights, bool) and weights:
            yield Finding(
                argument.report_node,
                "loss_weights is an int: Keras 3 raises ValueError in compile() (\"Expected `loss_weights` argument "
                "to be a float (single output case) or a list, tuple, or dict\"). Write it as a float.",
                Effect.ERROR_AT_COMPILE,
            )
            return
        if not isinstance(weights, SeqValue):
            return
        given = len(weights.items)
        if ctx.keras.major == 2:
            count = output_count(site)
            if count is None or count == given:
                return
            if given < count:
                message = (
                    f"{plural(given, 'loss weight')} for {plural(count, 'output')}: Keras 2 silently drops the loss of "
                    f"the last {plural(count - given, 'output')}, which is then not trained."
                )
            else:
                message = f"{plural(given, 'loss weight')} for {plural(count, 'output')}: Keras 2 silently ignores the extra weights."
            yield Finding(argument.report_node, f"{message} Give one weight per output.", Effect.SILENT)
            return
        losses = loss_count(ctx.value(site, "loss"))
        if losses is None or losses == given or (losses == 1 and ctx.value(site, "loss") is UNKNOWN):
            return
        yield Finding(
            argument.report_node,
            f"{plural(given, 'loss weight')} for {plural(losses, 'loss')}: Keras 3 fails at the first fit() with "
            f"\"ValueError: `loss_weights` must match the number of losses, got {losses} losses and {given} weights.\" "
            "Give one loss per output and one weight per loss.",
            Effect.ERROR_AT_FIT,
        )
