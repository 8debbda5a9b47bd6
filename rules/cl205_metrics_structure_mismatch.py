from compilelint.checks import output_count, plural
from compilelint.diagnostics import Effect
from compilelint.facts.values import SeqValue
from compilelint.example_models import TWO_OUTPUTS
from compilelint.rule import Example, Finding, Rule



class MetricsStructureMismatch(Rule):
    """Per-output metrics do not match the model's outputs.

    ## What it does
    Checks `metrics` and `weighted_metrics` lists against the outputs of a model built in
    the same module: a list of per-output lists must have one entry per output, and under
    Keras 3 a flat list on a multi-output model must have one metric per output.

    ## Why is this bad?
    A list of per-output lists of the wrong length fails at the first `fit()` in both
    versions (`The two structures don't have the same sequence length` / `tuple arity
    mismatch`). A flat list such as `metrics=['mae']` on a two-output model is broadcast to
    every output by Keras 2 but fails at the first `fit()` in Keras 3 (`ValueError: tuple
    arity mismatch; expected: 2, got: 1`). A flat list as long as the outputs works in both,
    with a different meaning: Keras 2 puts every metric on every output, Keras 3 one metric
    per output (reported when targeting both).

    ## Fix
    Use a dict keyed by output name (`metrics={'out_a': ['mae'], 'out_b': ['mse']}`), or
    one list per output.
    """

    code = "CL205"
    name = "metrics-structure-mismatch"
    valid = [
        Example(TWO_OUTPUTS + "model.compile(optimizer='adam', loss='mse', metrics=[['mae'], ['mse']])\n"),
        Example(TWO_OUTPUTS + "model.compile(optimizer='adam', loss='mse', metrics={'out_a': ['mae'], 'out_b': ['mse']})\n"),
        Example(TWO_OUTPUTS + "model.compile(optimizer='adam', loss='mse', metrics=['mae'])\n", keras="2"),
        Example("import keras\nmodel = keras.Sequential([keras.layers.Dense(1)])\nmodel.compile(optimizer='adam', loss='mse', metrics=['mae', 'mse'])\n"),
    ]
    invalid = [
        Example(TWO_OUTPUTS + "model.compile(optimizer='adam', loss='mse', metrics=[['mae']])\n"),
        Example(TWO_OUTPUTS + "model.compile(optimizer='adam', loss='mse', metrics=['mae'])\n", keras="3"),
        Example(TWO_OUTPUTS + "model.compile(optimizer='adam', loss='mse', metrics=['mae', 'mse'])\n", keras="2,3"),
    ]

    def check(self, site, ctx):
        count = output_count(site)
        if count is None or site.outputs.structure == "dict":
            return
        for argument in ("metrics", "weighted_metrics"):
            value = ctx.value(site, argument)
            if not isinstance(value, SeqValue) or not value.items:
                continue
            finding = self.finding(ctx, argument, value, count)
            if finding is not None:
                yield Finding(ctx.arg(site, argument).report_node, *finding)

    @staticmethod
    def finding(ctx, argument, value, count):
        given = len(value.items)
        nested = [isinstance(item, SeqValue) for item in value.items]
        if all(nested):
            if given == count:
                return None
            return (
                f"{argument} has {plural(given, 'per-output list')} for {plural(count, 'output')}: {ctx.keras.label} fails "
                "at the first fit() with a structure mismatch. Give one list per output, or a dict keyed by output name.",
                Effect.ERROR_AT_FIT,
            )
        if any(nested) or count < 2 or ctx.keras.major != 3:
            return None
        if given != count:
            return (
                f"{argument} is a flat list of {given} on a model with {count} outputs: Keras 3 fails at the first fit() "
                f"(\"ValueError: tuple arity mismatch; expected: {count}, got: {given}\"); Keras 2 put every metric on "
                "every output. Use a dict keyed by output name.",
                Effect.ERROR_AT_FIT,
            )
        if len(ctx.targets) > 1:
            return (
                f"{argument} is a flat list of {given} on a model with {count} outputs: Keras 2 puts every metric on every "
                "output, Keras 3 one metric per output — same code, different metrics. Use a dict keyed by output name.",
                Effect.SILENT,
            )
        return None
