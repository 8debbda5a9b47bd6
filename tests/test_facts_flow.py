"""Values and models the way real projects pass them around: containers changed after they
are made, partial builders, loops over models, instances, nested models, layer subclasses,
models picked in a branch, training helpers, and ``**config`` arguments.

Each pattern has its twin where the analysis cannot know, which must stay silent."""

import pytest
from conftest import found

MODEL = "import keras\nmodel = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])\n"
TWO_OUTPUTS = """
import keras
inputs = keras.Input(shape=(4,))
model = keras.Model(inputs, [keras.layers.Dense(2, name="a")(inputs), keras.layers.Dense(1, name="b")(inputs)])
"""



# -- values that change after they are made ----------------------------------------------

@pytest.mark.parametrize(
    "change",
    [
        "cfg.update(run_eagerly=True)",
        "cfg.update({'run_eagerly': True})",
        "cfg['run_eagerly'] = True",
        "cfg |= {'run_eagerly': True}",
        "cfg.setdefault('run_eagerly', True)",
    ],
)
def test_a_kwargs_dict_changed_before_compile(lint, change):
    code = MODEL + f"cfg = dict(optimizer='adam', loss='mse', jit_compile=True)\n{change}\nmodel.compile(**cfg)\n"
    assert ("CL101", 5) in found(lint, code)


def test_changes_apply_in_order(lint):
    code = MODEL + (
        "cfg = {'optimizer': 'adam', 'loss': 'mse', 'jit_compile': True, 'run_eagerly': True}\n"
        "cfg.pop('run_eagerly')\nmodel.compile(**cfg)\n"
        "cfg['run_eagerly'] = True\n"
        "model.compile(**cfg)\n"
    )
    assert [code for code, line in found(lint, code) if code == "CL101"] == ["CL101"]
    assert ("CL101", 7) in found(lint, code)
    deleted = MODEL + "cfg = {'optimizer': 'adam', 'loss': 'mse', 'jit_compile': True, 'run_eagerly': True}\ndel cfg['run_eagerly']\nmodel.compile(**cfg)\n"
    assert found(lint, deleted) == []


@pytest.mark.parametrize(
    "change",
    [
        "if args.debug:\n    cfg['run_eagerly'] = False",
        "for key in args.extra:\n    cfg[key] = True",
        "cfg.update(args.overrides)",
        "cfg[args.key] = True",
        "configure(cfg)",
        "my_project.configure(cfg)",
        "configure(options=cfg)",
    ],
)
def test_a_change_the_analysis_cannot_follow_leaves_the_dict_unknown(lint, change):
    code = (
        MODEL
        + "import argparse\nimport my_project\nfrom my_project import configure\nargs = argparse.ArgumentParser().parse_args()\n"
        + f"cfg = dict(optimizer='adam', loss='mse', jit_compile=True, run_eagerly=True)\n{change}\nmodel.compile(**cfg)\n"
    )
    assert [c for c, _ in found(lint, code) if c == "CL101"] == []
    # Its twin: without the change the dict is known, and CL101 is reported.
    assert "CL101" in [c for c, _ in found(lint, code.replace(change, "pass"))]


@pytest.mark.parametrize("reader", ["print(cfg)", "logging.info(cfg)", "json.dumps(cfg)", "n = len(cfg)", "tf.print(cfg)"])
def test_a_dict_only_read_by_the_call_it_is_given_stays_known(lint, reader):
    code = MODEL + (
        "import json\nimport logging\nimport tensorflow as tf\n"
        f"cfg = dict(optimizer='adam', loss='mse', jit_compile=True, run_eagerly=True)\n{reader}\nmodel.compile(**cfg)\n"
    )
    assert "CL101" in [c for c, _ in found(lint, code)]


def test_an_earlier_compile_keeps_what_the_dict_held_then(lint):
    code = MODEL + "cfg = {'optimizer': 'adam', 'loss': 'mse', 'jit_compile': True}\nmodel.compile(**cfg)\ncfg['run_eagerly'] = True\n"
    assert found(lint, code) == []


def test_a_helper_that_changes_a_module_dict(lint):
    code = MODEL + (
        "cfg = {'optimizer': 'adam', 'loss': 'mse', 'jit_compile': True}\n"
        "def debug_mode(settings):\n    settings['run_eagerly'] = True\n"
        "debug_mode(cfg)\nmodel.compile(**cfg)\n"
    )
    assert ("CL101", 7) in found(lint, code)


@pytest.mark.parametrize("keras", ["2", "3"])
def test_appended_losses_and_list_concatenation(lint, keras):
    code = TWO_OUTPUTS + "losses = ['mse']\nlosses.append('mae')\nlosses += ['mse']\nmodel.compile(optimizer='adam', loss=losses)\n"
    assert found(lint, code, keras) == [("CL201", 8)]
    code = TWO_OUTPUTS + "model.compile(optimizer='adam', loss=['mse'] + ['mae'] + ['mse'])\n"
    assert found(lint, code, keras) == [("CL201", 5)]


def test_functools_partial_builder(lint):
    code = """
import functools
import keras
def build(width, name="out"):
    inputs = keras.Input(shape=(4,))
    return keras.Model(inputs, keras.layers.Dense(width, name=name)(inputs))
make = functools.partial(build, name="score")
model = make(8)
model.compile(optimizer="adam", loss={"out": "mse"})
"""
    assert "CL202" in [c for c, _ in found(lint, code, "2,3")]
    assert [c for c, _ in found(lint, code.replace('name="score"', 'name="out"'), "2,3")] == []
    unknown = code.replace("functools.partial(build,", "functools.partial(imported_builder,")
    assert found(lint, unknown, "2,3") == []


SHARED_IN_LOOP = """
import keras
optimizer = keras.optimizers.Adam()
members = [keras.Sequential([keras.layers.Dense(1)]), keras.Sequential([keras.layers.Dense(1)])]
for member in members:
    member.compile(optimizer=optimizer, loss="mse")
for member in members:
    member.fit(x, y)
"""


def test_one_compile_in_a_loop_over_known_models(lint):
    assert found(lint, SHARED_IN_LOOP) == [("CL404", 6)]


@pytest.mark.parametrize(
    "change",
    [
        ("members = [", "members = load_members() or ["),  # an unknown list
        ('    member.compile(optimizer=optimizer, loss="mse")\n', '    member.compile(optimizer=optimizer, loss="mse")\n    break\n'),
        ("optimizer=optimizer", "optimizer=keras.optimizers.Adam()"),  # a new optimizer each time
    ],
)
def test_loop_twins_stay_silent(lint, change):
    assert found(lint, SHARED_IN_LOOP.replace(*change)) == []


TRAINER = """
import keras
import tensorflow as tf
class Trainer:
    def __init__(self, width):
        self.strategy = tf.distribute.MirroredStrategy()
        with self.strategy.scope():
            self.model = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(width)])
    def train(self):
        self.model.compile(optimizer="adam", loss="mse")
        self.model.fit(x, y)
trainer = Trainer(8)
trainer.train()
"""


def test_models_in_self_attributes_across_methods(lint):
    assert found(lint, TRAINER, "3") == [("CL110", 10)]
    assert found(lint, TRAINER, "2") == []
    inside = TRAINER.replace(
        '        self.model.compile(optimizer="adam", loss="mse")\n',
        '        with self.strategy.scope():\n            self.model.compile(optimizer="adam", loss="mse")\n',
    )
    assert found(lint, inside, "2,3") == []
    # Only the class, no caller: train() may run inside any scope.
    assert found(lint, TRAINER.split("trainer = ")[0], "2,3") == []


# -- model structure across calls ---------------------------------------------------------

GAN = """
import keras
from keras.layers import Dense, Input
generator = keras.Sequential([Input(shape=(2,)), Dense(4)])
discriminator = keras.Sequential([Input(shape=(4,)), Dense(1, activation="sigmoid")])
z = Input(shape=(2,))
combined = keras.Model(z, discriminator(generator(z)))
combined.compile(optimizer="adam", loss=LOSS)
"""


@pytest.mark.parametrize("keras", ["2", "3"])
def test_a_model_called_as_a_layer_gives_its_outputs(lint, keras):
    logits = GAN.replace("LOSS", "keras.losses.BinaryCrossentropy(from_logits=True)")
    assert [c for c, _ in found(lint, logits, keras)] == ["CL501"]
    assert found(lint, GAN.replace("LOSS", "'binary_crossentropy'"), keras) == []
    assert [c for c, _ in found(lint, GAN.replace("LOSS", "['mse', 'mse']"), keras)] == ["CL201"]
    # Loaded models keep unknown outputs.
    loaded = GAN.replace('keras.Sequential([Input(shape=(4,)), Dense(1, activation="sigmoid")])', "keras.models.load_model('d.keras')")
    assert found(lint, loaded.replace("LOSS", "['mse', 'mse']"), keras) == []


@pytest.mark.parametrize("keras", ["2", "3"])
def test_a_multi_output_model_called_as_a_layer(lint, keras):
    code = TWO_OUTPUTS + "x = keras.Input(shape=(4,))\nouter = keras.Model(x, model(x))\nouter.compile(optimizer='adam', loss=['mse', 'mse', 'mse'])\n"
    assert found(lint, code, keras) == [("CL201", 7)]
    # Output names come from the nested model, not its layers: dict keys are not judged.
    named = code.replace("['mse', 'mse', 'mse']", "{'c': 'mse'}")
    assert [c for c, _ in found(lint, named, keras)] == []


LAYER_SUBCLASS = """
import keras
class MyDense(keras.layers.Dense):
    BODY
inputs = keras.Input(shape=(4,))
model = keras.Model(inputs, MyDense(3, activation="softmax")(inputs))
model.compile(optimizer="adam", loss=keras.losses.CategoricalCrossentropy(from_logits=True))
"""


@pytest.mark.parametrize("keras", ["2", "3"])
def test_a_layer_subclass_that_keeps_its_base_is_that_layer(lint, keras):
    assert [c for c, _ in found(lint, LAYER_SUBCLASS.replace("BODY", "pass"), keras)] == ["CL501"]


@pytest.mark.parametrize("keras", ["2", "3"])
def test_a_layer_subclass_with_its_own_call_gives_one_unknown_output(lint, keras):
    own_call = LAYER_SUBCLASS.replace("BODY", "def call(self, x):\n        return super().call(x) * 2")
    assert found(lint, own_call, keras) == []
    count = own_call.replace("keras.losses.CategoricalCrossentropy(from_logits=True)", "['mse', 'mse']")
    assert [c for c, _ in found(lint, count, keras)] == ["CL201"]
    several = count.replace("return super().call(x) * 2", "return x, x")
    assert found(lint, several, keras) == []


BRANCH = """
import sys
import keras
inputs = keras.Input(shape=(4,))
if "--wide" in sys.argv:
    model = keras.Model(inputs, [keras.layers.Dense(8)(inputs), keras.layers.Dense(1)(inputs)])
else:
    model = keras.Model(inputs, [keras.layers.Dense(2)(inputs), keras.layers.Dense(1)(inputs)])
model.compile(optimizer="adam", loss=LOSS)
model.fit(x, y)
"""


@pytest.mark.parametrize("keras", ["2", "3"])
def test_a_model_picked_in_a_branch_is_checked_for_every_branch(lint, keras):
    assert found(lint, BRANCH.replace("LOSS", "['mse', 'mse', 'mse']"), keras) == [("CL201", 9)]
    assert found(lint, BRANCH.replace("LOSS", "['mse', 'mse']"), keras) == []


@pytest.mark.parametrize("keras", ["2", "3"])
def test_what_holds_for_one_branch_only_is_not_reported(lint, keras):
    one_output = BRANCH.replace("[keras.layers.Dense(8)(inputs), keras.layers.Dense(1)(inputs)]", "keras.layers.Dense(1)(inputs)")
    assert found(lint, one_output.replace("LOSS", "['mse', 'mse']"), keras) == []
    # A shared optimizer is not two models when one call compiles one of two.
    shared = one_output.replace("LOSS", "'mse'").replace('optimizer="adam"', "optimizer=opt")
    assert found(lint, "import keras\nopt = keras.optimizers.Adam()\n" + shared, keras) == []


# -- training through helpers -------------------------------------------------------------

def test_a_model_trained_by_a_local_helper(lint):
    code = MODEL + "def train(m, **options):\n    m.fit(x, y, **options)\nmodel.compile(optimizer='adam')\ntrain(model, epochs=3)\n"
    assert found(lint, code) == [("CL207", 5)]
    imported = MODEL + "from my_project import train\nmodel.compile(optimizer='adam')\ntrain(model, epochs=3)\n"
    assert found(lint, imported) == []


def test_a_loss_added_by_a_custom_layer_matters_only_to_its_models(lint):
    code = """
import keras
class Penalty(keras.layers.Layer):
    def call(self, x):
        self.add_loss(keras.ops.mean(x))
        return x
plain = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])
plain.compile(optimizer="adam")
plain.fit(x, y)
inputs = keras.Input(shape=(4,))
penalised = keras.Model(inputs, Penalty()(keras.layers.Dense(1)(inputs)))
penalised.compile(optimizer="adam")
penalised.fit(x, y)
"""
    assert found(lint, code) == [("CL207", 8)]
    # add_loss anywhere else (a model's, a helper's) still exempts every model.
    assert found(lint, code + "plain.layers[0].add_loss(0.0)\n") == []


# -- where a **config value is reported ---------------------------------------------------

SHARED_CONFIG = MODEL + """other = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])
settings = dict(
    loss="mse",
    jit_compile=True,
    run_eagerly=True,
)
model.compile(optimizer="adam", **settings)
other.compile(optimizer="sgd", **settings)
"""


def test_a_config_value_is_reported_at_each_compile_call_that_uses_it(lint):
    diagnostics = [d for d in lint(SHARED_CONFIG, keras="2,3") if d.code == "CL101"]
    assert [(d.span.line, d.span.column) for d in diagnostics] == [(9, 33), (10, 32)]
    assert all("`jit_compile` comes from `**settings`, line 6" in d.message for d in diagnostics)


def test_noqa_on_the_call_or_on_the_dict_entry(lint):
    on_call = SHARED_CONFIG.replace('model.compile(optimizer="adam", **settings)', 'model.compile(optimizer="adam", **settings)  # noqa: CL101')
    assert [d.span.line for d in lint(on_call, keras="2,3") if d.code == "CL101"] == [10]
    on_entry = SHARED_CONFIG.replace("    jit_compile=True,", "    jit_compile=True,  # noqa: CL101")
    assert [d.span.line for d in lint(on_entry, keras="2,3") if d.code == "CL101"] == []


def test_config_values_inside_the_dict_value_move_too(lint):
    code = MODEL + "cfg = {'optimizer': 'adam', 'loss': 'msee'}\nmodel.compile(**cfg)\n"
    (diagnostic,) = lint(code, keras="3")
    assert (diagnostic.code, diagnostic.span.line) == ("CL305", 4)
    assert "`loss` comes from `**cfg`, line 3" in diagnostic.message
