
from compilelint.diagnostics import Effect
from compilelint.facts.model import ModelValue
from compilelint.facts.values import DictValue
from compilelint.rule import Example, Finding, Rule


class LossDictWithoutOutputNames(Rule):
    """A loss dict on a Sequential or subclassed model (Keras 3).

    ## What it does
    Finds a `loss` dict passed to a `Sequential` model, or to a subclassed model whose
    `call()` returns a tensor or a list (not a dict), when the file targets Keras 3.

    ## Why is this bad?
    Keras 3 gives these models no output names (`model.output_names` is None), so any loss
    dict — even one keyed by the right layer name — fails at the first `fit()` with
    `TypeError: 'NoneType' object is not iterable`. Keras 2 matched the last layer's name
    (Sequential) or the pseudo names `output_1`, `output_2` (subclassed models).

    ## Fix
    Pass the loss directly (`loss='mse'`), or a list in output order; for named outputs
    build a functional model.
    """

    code = "CL206"
    name = "loss-dict-without-output-names"
    valid = [
        Example("import keras\nmodel = keras.Sequential([keras.layers.Dense(1, name='out')])\nmodel.compile(optimizer='adam', loss={'out': 'mse'})\n", keras="2"),
        Example("import keras\nmodel = keras.Sequential([keras.layers.Dense(1, name='out')])\nmodel.compile(optimizer='adam', loss='mse')\n"),
        Example("import keras\nclass Net(keras.Model):\n    def call(self, x):\n        return {'a': self.a(x), 'b': self.b(x)}\nmodel = Net()\nmodel.compile(optimizer='adam', loss={'a': 'mse', 'b': 'mae'})\n", keras="3"),
    ]
    invalid = [
        Example("import keras\nmodel = keras.Sequential([keras.layers.Dense(1, name='out')])\nmodel.compile(optimizer='adam', loss={'out': 'mse'})\n", keras="3"),
        Example("import keras\nclass Net(keras.Model):\n    def call(self, x):\n        return [self.a(x), self.b(x)]\nmodel = Net()\nmodel.compile(optimizer='adam', loss={'output_1': 'mse', 'output_2': 'mae'})\n", keras="3"),
    ]

    def check(self, site, ctx):
        model = site.model
        if ctx.keras.major != 3 or not isinstance(model, ModelValue):
            return
        if not isinstance(ctx.value(site, "loss"), DictValue):
            return
        if model.kind == "sequential":
            kind = "a Sequential model"
        elif model.kind == "subclass" and model.cls is not None and model.cls.call_returns_dict is False:
            kind = "a subclassed model"
        else:
            return
        yield Finding(
            ctx.arg(site, "loss").report_node,
            f"a loss dict on {kind}: Keras 3 gives it no output names, and the first fit() fails with "
            "\"TypeError: 'NoneType' object is not iterable\". Pass the loss directly or as a list.",
            Effect.ERROR_AT_FIT,
        )


