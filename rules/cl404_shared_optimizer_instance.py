from compilelint.checks import keras_optimizer_kind
from compilelint.diagnostics import Effect
from compilelint.facts.model import ModelValue
from compilelint.facts.values import CallValue
from compilelint.rule import Example, Finding, Rule

TWO_MODELS = (
    "import keras\n"
    "def build():\n"
    "    return keras.Sequential([keras.layers.Dense(1)])\n"
    "model_a, model_b = build(), build()\n"
)
GAN = (
    "import keras\n"
    "generator = keras.Sequential([keras.Input((2,)), keras.layers.Dense(4)])\n"
    "discriminator = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1, activation='sigmoid')])\n"
    "opt = keras.optimizers.Adam(2e-4)\n"
    "discriminator.compile(optimizer=opt, loss='binary_crossentropy')\n"
)
GAN_STEPS = "discriminator.train_on_batch(x, y)\ncombined.train_on_batch(z, y)\n"


def shareable(call: CallValue, major: int) -> bool:
    """Keras 2's legacy and TF1 optimizers handle new variables; current ones do not."""
    kind = keras_optimizer_kind(call.qualname)
    return kind is not None and (kind[0] == "keras" or (major == 3 and kind[0] in ("legacy", "compat_v1")))


def is_distinct_model(model) -> bool:
    """A model object of its own (``super().compile()`` in a method stands for no one model)."""
    return isinstance(model, ModelValue) and not (model.kind == "subclass" and model.cls is None)


def trained(model: ModelValue) -> bool:
    return any(event.kind == "fit" for event in model.events)


def frozen_before_training(model: ModelValue, compiled_at: int) -> bool:
    """``model.trainable = False`` after this compile and before the model's first fit, and
    never set back: Keras 3 then trains none of its variables (the classic GAN freeze)."""
    settings = [event for event in model.events_after(compiled_at, "set") if event.attr == "trainable"]
    if not settings or any(event.value is not False for event in settings):
        return False
    fits = [event.order for event in model.events_after(compiled_at, "fit")]
    return not fits or settings[0].order < min(fits)


UNKNOWN_VARIABLE_ERROR = {
    2: "KeyError (\"The optimizer cannot recognize variable ...\")",
    3: "ValueError (\"Unknown variable: ... This optimizer can only be called for the variables it was originally built with.\")",
}


class SharedOptimizerInstance(Rule):
    """One optimizer object is compiled into two different models.

    ## What it does
    Follows optimizer objects through variables and finds one instance passed to the
    `compile()` of two different models (two models built in the module, or one builder
    function called twice with the same optimizer) that are both trained (`fit`,
    `train_on_batch`) in the module. A model compiled but never trained there (a GAN's
    generator trained only through the combined model) is not reported.

    ## Why is this bad?
    An optimizer builds its slot variables for the first model it trains. Training the
    second model fails at its first `fit()`: Keras 2 with `KeyError: 'The optimizer cannot
    recognize variable ...'`, Keras 3 with `ValueError: Unknown variable: ... This
    optimizer can only be called for the variables it was originally built with.`

    Keras 3 reads `trainable` at every training step, so the classic GAN recipe
    (`discriminator.trainable = False` after the discriminator's compile, before building
    and compiling the combined model) raises nothing there even with one shared optimizer:
    the frozen discriminator has no trainable variables, its own `train_on_batch` trains
    nothing ("The model does not have any trainable weights"), and the optimizer only ever
    meets the generator's variables. The discriminator silently stops training with two
    optimizers just the same, so under Keras 3 this rule does not report that pattern;
    Keras 2 still fails at the combined model's first training step.

    ## Fix
    Create a new optimizer for each model (e.g. build it inside the function that builds
    and compiles the model).
    """

    code = "CL404"
    name = "shared-optimizer-instance"
    valid = [
        Example(TWO_MODELS + "model_a.compile(optimizer=keras.optimizers.Adam(), loss='mse')\nmodel_b.compile(optimizer=keras.optimizers.Adam(), loss='mse')\n"),
        # Recompiling the same model with its optimizer is fine.
        Example(TWO_MODELS + "opt = keras.optimizers.Adam()\nmodel_a.compile(optimizer=opt, loss='mse')\nmodel_a.trainable = False\nmodel_a.compile(optimizer=opt, loss='mse')\n"),
        # A GAN's generator compiled with the discriminator's optimizer but only ever trained
        # through the combined model: the optimizer never meets the generator's variables.
        Example(TWO_MODELS + "opt = keras.optimizers.Adam()\nmodel_a.compile(optimizer=opt, loss='mse')\nmodel_b.compile(optimizer=opt, loss='mse')\nmodel_a.train_on_batch(x, y)\n"),
        Example(TWO_MODELS + "import sys\nopt = keras.optimizers.Adam()\nif sys.argv[1] == 'a':\n    model_a.compile(optimizer=opt, loss='mse')\nelse:\n    model_b.compile(optimizer=opt, loss='mse')\n"),
        Example("import keras\nopt = keras.optimizers.Adam()\ndef train_a():\n    m = keras.Sequential([keras.layers.Dense(1)])\n    m.compile(optimizer=opt, loss='mse')\ndef train_b():\n    m = keras.Sequential([keras.layers.Dense(2)])\n    m.compile(optimizer=opt, loss='mse')\n"),
        Example(GAN + "discriminator.trainable = False\ncombined = keras.Sequential([generator, discriminator])\ncombined.compile(optimizer=opt, loss='binary_crossentropy')\n" + GAN_STEPS, keras="3"),
        Example("import tensorflow as tf\nopt = tf.keras.optimizers.legacy.Adam()\nm1 = tf.keras.Sequential([tf.keras.layers.Dense(1)])\nm2 = tf.keras.Sequential([tf.keras.layers.Dense(1)])\nm1.compile(optimizer=opt, loss='mse')\nm2.compile(optimizer=opt, loss='mse')\n", keras="2"),
    ]
    invalid = [
        Example(TWO_MODELS + "opt = keras.optimizers.Adam(1e-3)\nmodel_a.compile(optimizer=opt, loss='mse')\nmodel_b.compile(optimizer=opt, loss='mse')\nmodel_a.fit(x, y)\nmodel_b.fit(x, y)\n"),
        # The classic GAN freeze: Keras 2 fails at the combined model's first step.
        Example(GAN + "discriminator.trainable = False\ncombined = keras.Sequential([generator, discriminator])\ncombined.compile(optimizer=opt, loss='binary_crossentropy')\n" + GAN_STEPS, keras="2"),
        # Unfrozen again to train it: the optimizer meets both models' variables.
        Example(GAN + "combined = keras.Sequential([generator, discriminator])\ncombined.compile(optimizer=opt, loss='binary_crossentropy')\n"
                "discriminator.trainable = True\ndiscriminator.train_on_batch(x, y)\ndiscriminator.trainable = False\ncombined.train_on_batch(z, y)\n", keras="3"),
        Example(
            "import keras\nopt = keras.optimizers.SGD()\ndef build_and_compile(optimizer):\n"
            "    model = keras.Sequential([keras.layers.Dense(1)])\n    model.compile(optimizer=optimizer, loss='mse')\n    return model\n"
            "student = build_and_compile(opt)\nteacher = build_and_compile(opt)\n"
            "teacher.fit(x, y)\nstudent.fit(x, y)\n"
        ),
    ]

    def check_module(self, ctx):
        first_site_of: dict[int, object] = {}
        for site in ctx.facts.sites:
            argument = ctx.arg(site, "optimizer")
            if argument is None or site.conditional or not is_distinct_model(site.model):
                continue
            optimizer = argument.value
            if not isinstance(optimizer, CallValue) or not shareable(optimizer, ctx.keras.major):
                continue
            first = first_site_of.setdefault(id(optimizer), site)
            # Two functions that each compile a model may never both run; one function run
            # twice, or module-level code, certainly does.
            if first.model is site.model or first.function != site.function:
                continue
            if site.choice is not None and site.choice is first.choice:
                continue  # one call on one of several models: only one of them is compiled
            # The optimizer only breaks once it has met both models' variables in training.
            if not (trained(first.model) and trained(site.model)):
                continue
            if ctx.keras.major == 3 and (
                frozen_before_training(first.model, first.order) or frozen_before_training(site.model, site.order)
            ):
                continue
            yield Finding(
                argument.report_node,
                "this optimizer object is already compiled into another model: "
                f"{ctx.keras.label} fails at this model's first fit() with {UNKNOWN_VARIABLE_ERROR[ctx.keras.major]}. "
                "An optimizer only knows the variables it was built with: create a new optimizer for each model.",
                Effect.ERROR_AT_FIT,
            )
