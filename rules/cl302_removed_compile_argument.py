from compilelint import keras_data
from compilelint.diagnostics import Effect
from compilelint.facts.values import UNKNOWN
from compilelint.rule import Example, Finding, FixSpec, Rule

SEQUENTIAL = "import keras\nmodel = keras.Sequential([keras.layers.Dense(1)])\n"
RENAMED = {"experimental_steps_per_execution": "steps_per_execution"}

# How to replace each old keyword, whatever the version.
ADVICE = {
    "sample_weight_mode": "Remove it; pass per-timestep weights as `sample_weight` to fit() instead.",
    "target_tensors": "Remove it; pass the targets to fit() instead.",
    "distribute": "Remove it; create and compile the model inside `with strategy.scope():` instead.",
    "experimental_steps_per_execution": "Rename it to `steps_per_execution`.",
    "experimental_run_tf_function": "Remove it; it has no effect.",
    "cloning": "Remove it; it has no effect.",
    "from_serialized": "Remove it; it is internal to Keras 2's model loading.",
}


def keras2_behaviour(name: str, value, site, ctx) -> tuple[str, Effect] | None:
    """What Keras 2 does with an old keyword, from the data generated from tf_keras."""
    entry = keras_data.load(2)["compile_legacy_kwargs"][name]
    effect = entry["effect"]
    if effect == "ignored":
        return f"Keras 2 silently ignores `{name}`, so it does nothing.", Effect.SILENT
    if effect == "error-if-not-none":
        if value is None:
            return f"Keras 2 silently ignores `{name}=None`.", Effect.SILENT
        if value is UNKNOWN:
            return None
        error = entry["error"]
        first_sentence = error["message"].split(". ")[0]
        return f"Keras 2 raises {error['type']} in compile() (\"{first_sentence}.\").", Effect.ERROR_AT_COMPILE
    if effect == "used":
        other = ctx.passes(site, RENAMED.get(name, ""))
        if other is True:
            return (
                "Keras 2 logs a warning and, because `steps_per_execution` is passed too, raises TypeError in "
                "compile() (\"Invalid keyword argument(s) in `compile()`\").",
                Effect.ERROR_AT_COMPILE,
            )
        return f"Keras 2 still uses it but logs a warning (\"{entry['warning']}\").", Effect.WARNING
    return None


class RemovedCompileArgument(Rule):
    """compile() is given a keyword that only old Keras 2 code used.

    ## What it does
    Finds the Keras 2 era keywords `sample_weight_mode`, `target_tensors`, `distribute`,
    `experimental_steps_per_execution`, `experimental_run_tf_function`, `cloning` (and
    the internal `from_serialized`) in `model.compile()`.

    ## Why is this bad?
    Keras 3's `compile()` has none of them: each raises
    `TypeError: Trainer.compile() got an unexpected keyword argument`. Keras 2 takes them
    without a signature error, but does little with them: `sample_weight_mode`, `cloning`
    and `experimental_run_tf_function` are silently ignored, `target_tensors` and
    `distribute` are ignored when None and raise ValueError otherwise, and
    `experimental_steps_per_execution` works with a deprecation warning (and raises
    TypeError when `steps_per_execution` is passed as well).

    ## Fix
    Remove the argument; rename `experimental_steps_per_execution` to
    `steps_per_execution` (the automatic fix does this when `steps_per_execution` is not
    passed too).
    """

    code = "CL302"
    name = "removed-compile-argument"
    fix_safety = (
        "Safe: `experimental_steps_per_execution` is renamed to `steps_per_execution`, which Keras 2 "
        "already uses for it; no fix when both are passed."
    )
    valid = [
        Example(SEQUENTIAL + "model.compile(optimizer='adam', loss='mse', steps_per_execution=8)\n"),
        Example("import tf_keras as keras\nmodel = keras.Sequential([keras.layers.Dense(1)])\nmodel.compile(optimizer='adam', loss='mse', target_tensors=targets_from_flags())\n", keras="2"),
        Example("import keras\nfrom my_lib import make_model\nmodel = make_model()\nmodel.compile(optimizer='adam', loss='mse')\n"),
    ]
    invalid = [
        Example(SEQUENTIAL + "model.compile(optimizer='adam', loss='mse', sample_weight_mode='temporal')\n"),
        Example(SEQUENTIAL + "model.compile(optimizer='adam', loss='mse', experimental_steps_per_execution=4)\n"),
        Example("import tf_keras as keras\nmodel = keras.Sequential([keras.layers.Dense(1)])\nmodel.compile(optimizer='adam', loss='mse', experimental_run_tf_function=False)\n", keras="2"),
        Example("import keras\ndef train(model):\n    model.compile(optimizer='adam', loss='mse', distribute=None)\n", keras="3"),
    ]

    def check(self, site, ctx):
        legacy = keras_data.load(2)["compile_legacy_kwargs"]
        for name, argument in site.keywords.items():
            if name not in legacy:
                continue
            if ctx.keras.major == 3:
                head = f"`{name}` was removed from compile(): Keras 3 raises TypeError in compile() (unexpected keyword argument)."
                effect = Effect.ERROR_AT_COMPILE
            else:
                behaviour = keras2_behaviour(name, argument.value, site, ctx)
                if behaviour is None:
                    continue
                head, effect = behaviour
                head = f"`{name}` is a Keras 2 leftover: {head}"
            yield Finding(argument.report_node, f"{head} {ADVICE[name]}", effect, self.rename_fix(name, argument, site, ctx))

    @staticmethod
    def rename_fix(name, argument, site, ctx):
        new_name = RENAMED.get(name)
        arg = argument.arg
        if new_name is None or ctx.passes(site, new_name) is not False:
            return None
        if arg.keyword is None or arg.value is not argument.node:  # folded from **kwargs
            return None
        return FixSpec(f"Rename `{name}` to `{new_name}`", [(arg.keyword, new_name)])
