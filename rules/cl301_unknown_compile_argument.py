from compilelint import keras_data
from compilelint.checks import is_plain_keras_model
from compilelint.diagnostics import Effect
from compilelint.rule import Example, Finding, Rule
from compilelint.versions import KerasTarget

SEQUENTIAL = "import keras\nmodel = keras.Sequential([keras.layers.Dense(1)])\n"


def legacy_keywords() -> set[str]:
    """Keywords Keras 2 still takes for old code; CL302 reports those, not this rule."""
    return set(keras_data.load(2)["compile_legacy_kwargs"])


def other_major(major: int) -> int:
    return 3 if major == 2 else 2


class UnknownCompileArgument(Rule):
    """compile() is given a keyword it does not take.

    ## What it does
    Finds keyword arguments of `model.compile()` that the targeted Keras version's
    `compile()` does not accept (for example `jit_complie=True`), on receivers known to be
    plain Keras models, and suggests the closest real parameter.

    ## Why is this bad?
    `compile()` raises a TypeError before anything is trained. Keras 2 says
    ``Invalid keyword argument(s) in `compile()` ``; Keras 3 says
    `Trainer.compile() got an unexpected keyword argument`. Some names exist in one version
    only: `auto_scale_loss` is Keras 3 only, `pss_evaluation_shards` Keras 2 only. Old
    Keras 2 keywords (`sample_weight_mode`, `distribute`, ...) are reported by CL302 instead.

    ## Fix
    Correct the spelling, or drop the argument for the version you target.
    """

    code = "CL301"
    name = "unknown-compile-argument"
    valid = [
        Example(SEQUENTIAL + "model.compile(optimizer='adam', loss='mse', jit_compile=True, steps_per_execution=4)\n"),
        Example(SEQUENTIAL + "model.compile(optimizer='adam', loss='mse', auto_scale_loss=False)\n", keras="3"),
        # A compile() overridden with its own signature (KerasHub tasks, custom models).
        Example("import keras\nclass Task(keras.Model):\n    def compile(self, optimizer='auto', loss='auto', *, metrics='auto', **kwargs):\n        super().compile(optimizer=optimizer, loss=loss, metrics=metrics, **kwargs)\n\ntask = Task()\ntask.compile(optimizer='adam', sampler='greedy')\n"),
        # The receiver is not known to be a Keras model.
        Example("import keras\nfrom my_lib import Trainer\ntrainer = Trainer()\ntrainer.compile(loss='mse', backend='xla')\n"),
    ]
    invalid = [
        Example(SEQUENTIAL + "model.compile(optimizer='adam', loss='mse', jit_complie=True)\n"),
        Example(SEQUENTIAL + "model.compile(optimizer='adam', loss='mse', auto_scale_loss=False)\n", keras="2"),
        Example("import tf_keras as keras\nmodel = keras.Sequential([keras.layers.Dense(1)])\nmodel.compile(optimizer='adam', loss='mse', metric=['mae'])\n", keras="2"),
    ]

    def check(self, site, ctx):
        if not is_plain_keras_model(site):
            return
        major = ctx.keras.major
        parameters = ctx.keras.compile_parameters
        legacy = legacy_keywords()
        for name, argument in site.keywords.items():
            if name in parameters or name in legacy:
                continue
            message = f"compile() got an unexpected keyword argument `{name}`: {ctx.keras.label} raises TypeError in compile()."
            if name in KerasTarget(other_major(major)).compile_parameters:
                message += f" `{name}` exists only in Keras {other_major(major)}; drop it for Keras {major}."
            else:
                suggestion = keras_data.suggest(name, parameters)
                message += f" Did you mean `{suggestion}`?" if suggestion else " Remove it or correct its name."
            yield Finding(argument.report_node, message, Effect.ERROR_AT_COMPILE)

