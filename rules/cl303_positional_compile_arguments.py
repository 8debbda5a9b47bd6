from compilelint.checks import metric_object_kind
from compilelint.diagnostics import Effect
from compilelint.facts.values import DictValue, SeqValue
from compilelint.rule import Example, Finding, FixSpec, Rule

SEQUENTIAL = "import keras\nmodel = keras.Sequential([keras.layers.Dense(1)])\n"
# Parameters at positions 3 and 4: Keras 2 (metrics, loss_weights), Keras 3 the reverse.
SWAPPED_POSITIONS = (2, 3)
ORDINAL = {2: "3rd", 3: "4th"}


def looks_like(value) -> str | None:
    """"metrics" or "loss_weights" when the value can only be one of them, else None."""
    if isinstance(value, str) or metric_object_kind(value) is not None:
        return "metrics"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return "loss_weights"
    if isinstance(value, SeqValue):
        items = value.items
    elif isinstance(value, DictValue):
        items = list(value.entries.values())
    else:
        return None
    kinds = {looks_like(item) for item in items}
    return kinds.pop() if len(kinds) == 1 else None


class PositionalCompileArguments(Rule):
    """A third (or fourth) positional argument of compile(), whose meaning changed in Keras 3.

    ## What it does
    Finds `model.compile(optimizer, loss, x, ...)` calls with more than two positional
    arguments when Keras 3 is targeted.

    ## Why is this bad?
    Keras 2's signature is `compile(optimizer, loss, metrics, loss_weights, ...)`; Keras 3's
    is `compile(optimizer, loss, loss_weights, metrics, ...)`. The classic
    `model.compile('adam', 'categorical_crossentropy', ['accuracy'])` passes the metrics as
    `loss_weights` in Keras 3 and fails at the first `fit()` (`ValueError: dtype='string' is
    not a valid dtype for Keras type promotion.`); a bare string fails in `compile()`. Code
    meant for both versions cannot pass either argument by position.

    ## Fix
    Pass `metrics=` and `loss_weights=` by keyword. The automatic fix does this when the
    value shows which one it is (strings and metric objects are metrics, numbers are
    weights).
    """

    code = "CL303"
    name = "positional-compile-arguments"
    fix_safety = (
        "Safe: the positional argument becomes a keyword argument named after what its value is "
        "(strings and metric objects: `metrics`; numbers: `loss_weights`); no fix when the value "
        "does not say, or when more positional arguments follow."
    )
    valid = [
        Example(SEQUENTIAL + "model.compile('adam', 'mse', metrics=['mae'])\n"),
        Example(SEQUENTIAL + "model.compile('adam', 'categorical_crossentropy', ['accuracy'])\n", keras="2"),
        Example(SEQUENTIAL + "model.compile('adam', 'mse', [0.5])\n", keras="3"),
        Example("import keras\nclass Task(keras.Model):\n    def compile(self, optimizer, loss, metrics):\n        super().compile(optimizer=optimizer, loss=loss, metrics=metrics)\n\ntask = Task()\ntask.compile('adam', 'mse', ['mae'])\n"),
    ]
    invalid = [
        Example(SEQUENTIAL + "model.compile('adam', 'categorical_crossentropy', ['accuracy'])\n", keras="3"),
        Example(SEQUENTIAL + "model.compile('adam', 'categorical_crossentropy', ['accuracy'])\n"),
        Example(SEQUENTIAL + "model.compile('adam', 'mse', [0.5])\n"),
        Example(SEQUENTIAL + "from my_lib import chosen_metrics\nmodel.compile('sgd', 'mse', chosen_metrics())\n"),
    ]

    def check(self, site, ctx):
        if ctx.keras.major != 3 or len(site.positional) <= SWAPPED_POSITIONS[0]:
            return
        both = any(target.major == 2 for target in ctx.targets)
        swapped = [site.positional[i] for i in SWAPPED_POSITIONS if i < len(site.positional)]
        kinds = [looks_like(argument.value) for argument in swapped]
        if not both and "metrics" not in kinds:
            return  # Keras 3 only, and nothing shows the arguments were meant the Keras 2 way
        fix = self.keyword_fix(site, swapped, kinds)
        for index, (argument, kind) in enumerate(zip(swapped, kinds)):
            position = SWAPPED_POSITIONS[index]
            k2_name, k3_name = ("metrics", "loss_weights") if position == 2 else ("loss_weights", "metrics")
            head = f"The {ORDINAL[position]} positional argument of compile() is `{k3_name}` in Keras 3 but `{k2_name}` in Keras 2"
            if kind == k2_name:
                effect = Effect.ERROR_AT_COMPILE if isinstance(argument.value, str) else Effect.ERROR_AT_FIT
                when = "in compile()" if effect is Effect.ERROR_AT_COMPILE else "at the first fit()"
                body = f"; this value is meant as `{k2_name}`, so Keras 3 fails {when}."
            elif both:
                body = f"; Keras 2 takes this value as `{k2_name}`."
                effect = Effect.ERROR_AT_FIT
            else:
                continue
            advice = f" Pass it as `{kind}=`." if kind else " Pass it by keyword (`metrics=` or `loss_weights=`)."
            yield Finding(argument.node, head + body + advice, effect, fix)

    @staticmethod
    def keyword_fix(site, swapped, kinds):
        if len(site.positional) > SWAPPED_POSITIONS[-1] + 1 or None in kinds or len(set(kinds)) != len(kinds):
            return None
        if any(kind in site.keywords for kind in kinds):
            return None
        import libcst as cst

        replacements = []
        for argument, kind in zip(swapped, kinds):
            arg = argument.arg
            if arg.star or arg.keyword is not None:
                return None
            keyword_arg = arg.with_changes(
                keyword=cst.Name(kind),
                equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")),
                comma=cst.MaybeSentinel.DEFAULT,
                whitespace_after_arg=cst.SimpleWhitespace(""),
            )
            replacements.append((arg, keyword_arg))
        names = " and ".join(f"`{kind}=`" for kind in kinds)
        return FixSpec(f"Pass {names} by keyword", replacements)
