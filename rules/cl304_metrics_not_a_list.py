from compilelint.checks import metric_object_kind, output_count
from compilelint.diagnostics import Effect
from compilelint.facts.values import SetValue
from compilelint.rule import Example, Finding, FixSpec, Rule

SEQUENTIAL = "import keras\nmodel = keras.Sequential([keras.layers.Dense(1)])\n"
PARAMETERS = ("metrics", "weighted_metrics")


def single_metric_kind(value) -> str | None:
    """"a string" / "a metric object" when the value is one metric, not a collection."""
    if isinstance(value, str) and value:
        return "a string"
    kind = metric_object_kind(value)
    if kind is not None:
        return f"a metric {kind}"
    return None


def as_list(node):
    """The same expression written as a one-element list, or a set literal as a list."""
    import libcst as cst

    if isinstance(node, cst.Set):
        return cst.List(
            node.elements,
            lbracket=cst.LeftSquareBracket(node.lbrace.whitespace_after),
            rbracket=cst.RightSquareBracket(node.rbrace.whitespace_before),
            lpar=node.lpar,
            rpar=node.rpar,
        )
    return cst.List([cst.Element(node.with_changes(lpar=(), rpar=()) if hasattr(node, "lpar") else node)])


class MetricsNotAList(Rule):
    """metrics is a bare string, a single metric object or a set instead of a list.

    ## What it does
    Finds `metrics=` and `weighted_metrics=` given one metric (`metrics="accuracy"`,
    `metrics=keras.metrics.AUC()`) or a set (`metrics={"accuracy"}`).

    ## Why is this bad?
    Keras 3 raises in `compile()`: ``ValueError: Expected `metrics` argument to be a list,
    tuple, or dict. Received instead: metrics=accuracy of type <class 'str'>``. Keras 2
    accepts a single metric, so this code breaks when it moves to Keras 3. A set fails in
    both: Keras 2 at the first `fit()` (`Could not interpret metric identifier`), Keras 3 in
    `compile()`.

    ## Fix
    Use a list: `metrics=["accuracy"]`. The automatic fix wraps the value in a list (a set
    literal becomes a list literal). It is safe on a model known to have one output; on a
    multi-output model (or one whose outputs are not known) Keras 3 reads a flat list as one
    metric per output and fails at the first `fit()` when the lengths differ, so there the
    fix is unsafe (`--unsafe-fixes`): give a dict keyed by output name instead.
    """

    code = "CL304"
    name = "metrics-not-a-list"
    fix_safety = (
        "Safe on a model known to have one output: a one-element list means the same to Keras 2 as the single "
        "metric, and is what Keras 3 requires. Unsafe otherwise (applied only with --unsafe-fixes): on a "
        "multi-output model Keras 3 reads a flat list as one metric per output and fails at the first fit()."
    )
    valid = [
        Example(SEQUENTIAL + "model.compile(optimizer='adam', loss='mse', metrics=['mae'])\n"),
        Example(SEQUENTIAL + "model.compile(optimizer='adam', loss='mse', metrics=('mae',), weighted_metrics={'dense': ['mae']})\n"),
        Example("import tf_keras as keras\nmodel = keras.Sequential([keras.layers.Dense(1)])\nmodel.compile(optimizer='adam', loss='mse', metrics='mae')\n", keras="2"),
        Example(SEQUENTIAL + "model.compile(optimizer='adam', loss='mse', metrics=keras.metrics.clone_metrics(['mae']))\n"),
        Example(SEQUENTIAL + "from my_lib import default_metrics\nmodel.compile(optimizer='adam', loss='mse', metrics=default_metrics())\n"),
    ]
    invalid = [
        Example(SEQUENTIAL + "model.compile(optimizer='adam', loss='binary_crossentropy', metrics='accuracy')\n"),
        Example(SEQUENTIAL + "auc = keras.metrics.AUC()\nmodel.compile(optimizer='adam', loss='binary_crossentropy', metrics=auc)\n", keras="3"),
        Example(SEQUENTIAL + "model.compile(optimizer='adam', loss='mse', metrics={'mae'})\n", keras="2"),
        Example(SEQUENTIAL + "model.compile(optimizer='adam', loss='mse', weighted_metrics='mae')\n", keras="3"),
    ]

    def check(self, site, ctx):
        for parameter in PARAMETERS:
            argument = ctx.arg(site, parameter)
            if argument is None:
                continue
            value = argument.value
            if isinstance(value, SetValue):
                if ctx.keras.major == 3:
                    message = f"`{parameter}` is a set: Keras 3 raises ValueError in compile() (\"Expected `{parameter}` argument to be a list, tuple, or dict\")."
                    effect = Effect.ERROR_AT_COMPILE
                else:
                    message = f"`{parameter}` is a set: Keras 2 fails at the first fit() (\"Could not interpret metric identifier\")."
                    effect = Effect.ERROR_AT_FIT
                yield Finding(argument.report_node, message + " Use a list.", effect, self.fix(argument, "set", site))
                continue
            kind = single_metric_kind(value)
            if kind is None or ctx.keras.major != 3:
                continue
            message = (
                f"`{parameter}` is {kind}, not a list: Keras 3 raises ValueError in compile() "
                f"(\"Expected `{parameter}` argument to be a list, tuple, or dict\"). Wrap it in a list."
            )
            yield Finding(argument.report_node, message, Effect.ERROR_AT_COMPILE, self.fix(argument, kind, site))

    @staticmethod
    def fix(argument, kind, site):
        node = argument.node
        if argument.arg.value is not node:  # folded from **kwargs or a variable: no local text to edit
            return None
        if kind == "set" and type(node).__name__ != "Set":
            return None
        description = "Turn the set into a list" if kind == "set" else "Wrap the metric in a list"
        # One output: a one-element list means the metric. More (or unknown): Keras 3 reads a
        # flat list as one metric per output, so the fix would move the error to fit().
        return FixSpec(description, [(node, as_list(node))], safe=output_count(site) == 1)
