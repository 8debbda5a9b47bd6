"""compilelint verify: planning runs anywhere; building and training need TensorFlow.

The TensorFlow tests run the real CLI. One run (the ``run`` fixture) verifies most fixture
files together, as a user verifying a folder would: one worker per Keras flavour serves
them all, so the backend is imported once; the tests then read their file's sites from it.
"""

import ast
import importlib.util
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from compilelint.cli import main
from compilelint.registry import rules_by_code
from compilelint.verify import batch
from compilelint.verify.planner import plan_file
from compilelint.verify.runner import STATUSES, VerifyOptions, VerifySession
from compilelint.verify.worker import MissingModuleError, lazy_imports, missing_module_stand_in, summarise, summarise_error

FIXTURES = Path(__file__).parent / "verify_fixtures"
REALISTIC = FIXTURES / "realistic"
SARIF_SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text())
# find_spec rather than importorskip: the tests never import TensorFlow in this process.
needs_tf = pytest.mark.skipif(importlib.util.find_spec("tensorflow") is None, reason="tensorflow is not installed")
needs_tf_keras = pytest.mark.skipif(importlib.util.find_spec("tf_keras") is None, reason="tf_keras is not installed")


def verify(*args, env=None):
    """Run ``compilelint verify``; returns (exit code, stdout, stderr)."""
    result = CliRunner().invoke(main, ["verify", *map(str, args)], env=env)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def verify_json(*args, env=None):
    """``verify --output-format json``: (exit code, report, stderr)."""
    code, stdout, stderr = verify("--output-format", "json", *args, env=env)
    return code, json.loads(stdout), stderr


# ---------------------------------------------------------------------------- planning
def plan(code, factory=None):
    return plan_file("example.py", code, factory)


def program_lines(site):
    return [statement.lineno for statement in site.program]


def program_text(site):
    return "\n".join(ast.unparse(statement) for statement in site.program)


def test_top_level_slice_skips_loading_fit_and_main_block():
    code = (
        "import keras\n"  # 1
        "import numpy as np\n"  # 2: only the data loading uses it
        "classes = 10\n"  # 3
        "data = np.load('big.npz')\n"  # 4
        "model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(classes)])\n"  # 5
        "model.add(keras.layers.Dense(2))\n"  # 6
        "print('built')\n"  # 7
        "model.summary()\n"  # 8
        "model.compile(optimizer='adam', loss='mse')\n"  # 9
        "model.fit(data['x'], data['y'])\n"  # 10
        "if __name__ == '__main__':\n"  # 11
        "    model.save('m.keras')\n"  # 12
    )
    (site,) = plan(code).sites
    assert site.mode == "slice"
    assert program_lines(site) == [1, 3, 5, 6, 9]


def test_only_the_imports_the_model_needs_are_run():
    code = (
        "import matplotlib.pyplot as plt\n"  # 1
        "from IPython.display import display\n"  # 2
        "import keras\n"  # 3
        "from keras import layers\n"  # 4
        "model = keras.Sequential([keras.Input((4,)), layers.Dense(1)])\n"  # 5
        "model.compile(optimizer='adam', loss='mse')\n"  # 6
        "plt.plot(model.predict([[1, 2, 3, 4]]))\n"  # 7
    )
    (site,) = plan(code).sites
    assert program_lines(site) == [3, 4, 5, 6]


def test_model_that_needs_data_is_refused_with_advice():
    code = (
        "import keras\n"
        "(x_train, y_train), _ = keras.datasets.mnist.load_data()\n"
        "model = keras.Sequential([keras.Input(x_train.shape[1:]), keras.layers.Dense(10)])\n"
        "model.compile(optimizer='adam', loss='mse')\n"
    )
    (site,) = plan(code).sites
    assert site.mode == "refuse"
    assert "depends on data" in site.refusal and "load_data" in site.refusal and "::FUNCTION" in site.refusal


def test_builder_without_arguments_is_called_cut_to_what_compile_needs():
    code = (
        "import keras\n"  # 1
        "def build(units=3):\n"  # 2
        "    rows = open('data.csv').read()\n"  # 3
        "    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(units)])\n"  # 4
        "    model.compile(optimizer='adam', loss='mse')\n"  # 5
        "    model.fit(rows)\n"  # 6
        "model = build()\n"  # 7
        "model.fit(x, y)\n"  # 8
    )
    (site,) = plan(code).sites
    assert site.mode == "call" and site.call == "build"
    function = site.program[-1]
    assert [s.lineno for s in function.body] == [4, 5]


def test_builder_with_arguments_is_reached_through_its_call_in_the_main_block():
    code = (
        "import keras\n"  # 1
        "def build(units):\n"  # 2
        "    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(units)])\n"  # 3
        "    model.compile(optimizer='adam', loss='mse')\n"  # 4
        "    return model\n"  # 5
        "if __name__ == '__main__':\n"  # 6
        "    units = 8\n"  # 7
        "    model = build(units)\n"  # 8
    )
    (site,) = plan(code).sites
    assert site.mode == "slice"
    assert program_lines(site) == [1, 2, 7, 8]


def test_function_is_cut_at_its_compile_call_so_fit_data_is_never_needed():
    code = (
        "import keras\n"  # 1
        "import numpy as np\n"  # 2
        "train = np.load('train.npz')\n"  # 3
        "def run_experiment(model, data, epochs=5):\n"  # 4
        "    optimizer = keras.optimizers.Adam(1e-3)\n"  # 5
        "    model.compile(optimizer=optimizer, loss='mse')\n"  # 6
        "    return model.fit(data['x'], data['y'], epochs=epochs)\n"  # 7
        "model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])\n"  # 8
        "history = run_experiment(model, train, epochs=2)\n"  # 9
    )
    (site,) = plan(code).sites
    assert site.mode == "slice"
    assert program_lines(site) == [1, 4, 8, 9]
    function = site.program[1]
    assert [s.lineno for s in function.body] == [5, 6]
    # The data argument the cut function no longer reads is not evaluated.
    assert ast.unparse(site.program[-1]) == "history = run_experiment(model, None, epochs=2)"


def test_a_function_without_arguments_that_calls_the_builder_is_called():
    code = (
        "import keras\n"
        "def build(units):\n"
        "    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(units)])\n"
        "    model.compile(optimizer='adam', loss='mse')\n"
        "    return model\n"
        "def main():\n"
        "    data = open('train.csv').read()\n"
        "    model = build(16)\n"
        "    model.fit(data)\n"
    )
    (site,) = plan(code).sites
    assert site.mode == "call" and site.call == "main"
    assert [s.lineno for s in site.program[-1].body] == [8]


def test_method_parameters_and_class_body_names_are_not_free_names():
    code = (
        "import keras\n"  # 1
        "import numpy as np\n"  # 2
        "x = np.loadtxt('data.csv')\n"  # 3
        "scale = x.std()\n"  # 4
        "class Scale(keras.layers.Layer):\n"  # 5
        "    scale = 2.0\n"  # 6
        "    def call(self, x):\n"  # 7
        "        scale = self.scale\n"  # 8
        "        return [x * scale for _ in range(1)][0]\n"  # 9
        "model = keras.Sequential([keras.Input((4,)), Scale()])\n"  # 10
        "model.compile(optimizer='adam', loss='mse')\n"  # 11
    )
    (site,) = plan(code).sites
    assert site.mode == "slice", site.refusal
    assert program_lines(site) == [1, 5, 10, 11]


def test_a_list_filled_in_a_loop_from_a_file_makes_the_model_data_dependent():
    code = (
        "import csv\n"  # 1
        "import keras\n"  # 2
        "names = []\n"  # 3
        "reader = csv.reader(open('columns.csv'))\n"  # 4
        "for row in reader:\n"  # 5
        "    if row[1] == 'numeric':\n"  # 6
        "        names.append(row[0])\n"  # 7
        "model = keras.Sequential([keras.Input((len(names),)), keras.layers.Dense(1)])\n"  # 8
        "model.compile(optimizer='adam', loss='mse')\n"  # 9
    )
    (site,) = plan(code).sites
    assert site.mode == "refuse"
    assert "line 4" in site.refusal and "open()" in site.refusal


def test_a_loop_that_only_adds_layers_is_kept():
    code = (
        "import keras\n"
        "model = keras.Sequential([keras.Input((4,))])\n"
        "for units in (8, 4):\n"
        "    model.add(keras.layers.Dense(units))\n"
        "model.compile(optimizer='adam', loss='mse')\n"
    )
    (site,) = plan(code).sites
    assert program_lines(site) == [1, 2, 3, 5]


def test_data_read_through_a_local_helper_is_followed():
    code = (
        "import keras\n"
        "import numpy as np\n"
        "def parse(name):\n"
        "    return np.loadtxt(name)\n"
        "def split(name):\n"
        "    table = parse(name)\n"
        "    return table[:, 1:], table[:, 0]\n"
        "x_train, y_train = split('https://example.invalid/TRAIN.tsv')\n"
        "model = keras.Sequential([keras.Input(x_train.shape[1:]), keras.layers.Dense(2)])\n"
        "model.compile(optimizer='adam', loss='mse')\n"
    )
    (site,) = plan(code).sites
    assert site.mode == "refuse"
    assert "calls split(), which calls parse(), which calls loadtxt()" in site.refusal


def test_statements_that_train_are_never_run():
    code = (
        "import keras\n"  # 1
        "model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])\n"  # 2
        "model.compile(optimizer='adam', loss='mse')\n"  # 3
        "hist = model.fit(x, y)\n"  # 4
        "model.trainable = True\n"  # 5
        "model.compile(optimizer=keras.optimizers.SGD(1e-4), loss='mse')\n"  # 6
        "epochs = len(hist.history['loss'])\n"  # 7
        "model.compile(optimizer='adam', loss='mse', steps_per_execution=epochs)\n"  # 8
    )
    first, fine_tune, from_history = plan(code).sites
    assert program_lines(fine_tune) == [1, 2, 3, 5, 6]  # the fit in between never runs
    assert from_history.mode == "refuse"
    assert "line 4 `hist = model.fit(x, y)` trains a model" in from_history.refusal


def test_compile_override_is_reached_through_the_class_compile_call():
    code = (
        "import keras\n"  # 1
        "class GAN(keras.Model):\n"  # 2
        "    def compile(self, d_optimizer, loss_fn):\n"  # 3
        "        super().compile()\n"  # 4
        "        self.d_optimizer = d_optimizer\n"  # 5
        "        self.loss_fn = loss_fn\n"  # 6
        "gan = GAN()\n"  # 7
        "gan.compile(d_optimizer=keras.optimizers.Adam(), loss_fn=keras.losses.MeanSquaredError())\n"  # 8
        "gan.fit(dataset, epochs=20)\n"  # 9
    )
    (site,) = plan(code).sites
    assert site.span.line == 4 and site.override == "GAN"
    assert site.mode == "slice" and program_lines(site) == [1, 2, 7, 8]
    # The override is kept whole: what it does after super().compile() is part of the build.
    assert [s.lineno for s in site.program[1].body[0].body] == [4, 5, 6]


def test_compile_override_without_a_call_is_refused_with_the_reason():
    code = "import keras\nclass GAN(keras.Model):\n    def compile(self, lr):\n        super().compile(optimizer=keras.optimizers.Adam(lr))\n"
    (site,) = plan(code).sites
    assert site.mode == "refuse" and "override `GAN.compile`" in site.refusal


def test_factory_named_on_the_command_line():
    code = "import keras\nimport numpy as np\ndata = np.load('x.npy')\ndef make():\n    return keras.Sequential([keras.layers.Dense(1)])\n"
    factory = plan(code, "make").factory
    assert factory.mode == "factory" and program_lines(factory) == [1, 4]
    assert plan(code, "missing").factory.mode == "refuse"


def test_verify_rules_are_documented_and_marked_verify_only():
    for code in ("CL901", "CL902", "CL903", "CL904"):
        rule = rules_by_code()[code]
        assert rule.verify_only and rule.invalid and rule.valid
        assert list(rule.check(None, None)) == []


# ---------------------------------------------------------------------------- messages and batches
KERAS_TENSOR_ERROR = (
    "A KerasTensor cannot be used as input to a TensorFlow function. You can only use it as input to a Keras layer. "
    "You are likely doing something like:\n\n```\nx = Input(...)\ntf_fn(x)  # Invalid.\n```\n\n"
    "What you should do instead is wrap `tf_fn` in a layer:\n\n```\nclass MyLayer(Layer):\n    pass\n```\n"
)
GRAPH_ERROR = (
    "in user code:\n\n"
    '    File "/site-packages/keras/src/backend/tensorflow/trainer.py", line 105, in one_step_on_data  **\n'
    "        return self.train_step(data)\n"
    '    File "/work/train.py", line 12, in train_step\n'
    "        inputs, targets = data\n\n"
    "    ValueError: too many values to unpack (expected 2)\n"
)
LAYER_ERROR = (
    "Exception encountered when calling Conv1D.call().\n\n\x1b[1mNegative dimension size caused by subtracting 7 from 2\x1b[0m\n\n"
    "Arguments received by Conv1D.call():\n  • inputs=tf.Tensor(shape=(2, 8, 16), dtype=float32)\n"
)


def test_errors_are_summarised_from_their_meaningful_lines():
    assert summarise(KERAS_TENSOR_ERROR) == (
        "A KerasTensor cannot be used as input to a TensorFlow function. You can only use it as input to a Keras layer."
    )
    assert summarise_error(ValueError(GRAPH_ERROR)) == "ValueError: too many values to unpack (expected 2)"
    assert summarise_error(ValueError(LAYER_ERROR)) == "ValueError: Negative dimension size caused by subtracting 7 from 2"
    assert "```" not in summarise("`compiled_metrics()` is deprecated. Instead, use e.g.:\n```\nfor m in self.metrics:\n    pass\n```\n")


def test_an_import_that_fails_binds_a_stand_in_that_fails_only_when_used():
    program = ast.parse(
        "import compilelint_absent_module.plots as plots\n"
        "from compilelint_absent_module import show\n"
        "try:\n"
        "    import compilelint_absent_optional\n"
        "except ImportError:\n"
        "    compilelint_absent_optional = None\n"
        "def draw():\n"
        "    import compilelint_absent_inner\n"
        "    return compilelint_absent_inner.WIDTH\n"
        "width = 4\n"
    ).body
    namespace = {"__compilelint_missing__": missing_module_stand_in}
    exec(compile(ast.Module(body=lazy_imports(program), type_ignores=[]), "example.py", "exec"), namespace)
    assert namespace["width"] == 4 and namespace["compilelint_absent_optional"] is None  # the program's own fallback
    with pytest.raises(MissingModuleError, match="uses 'compilelint_absent_module.plots', which cannot be imported here"):
        namespace["plots"].figure()
    with pytest.raises(MissingModuleError, match="'compilelint_absent_module.show'"):
        namespace["show"]()
    with pytest.raises(MissingModuleError, match="'compilelint_absent_inner'"):
        namespace["draw"]()
    with pytest.raises(MissingModuleError):
        exec("class Layer(plots.Base): pass", namespace)


class _KerasLike:
    def train_step(self, data):  # stands in for Keras's own step
        return data


_KerasLike.__module__ = "keras.src.trainers.trainer"


class _UnpacksPairs(_KerasLike):
    def train_step(self, data):
        inputs, targets = data
        return inputs, targets


class _UnpacksWeights(_KerasLike):
    def train_step(self, data):
        x, y, sample_weight = data
        return x, y, sample_weight


class _UsesBatchItself(_KerasLike):
    def train_step(self, real_images):
        return real_images * 2


class _ChecksForTuple(_KerasLike):
    def train_step(self, data):
        if isinstance(data, tuple):
            data = data[0]
        return data


class _PassesToKeras(_KerasLike):
    def train_step(self, data):
        return super().train_step(data)


@pytest.mark.parametrize(
    ("model_class", "arity"),
    [(_KerasLike, 2), (_UnpacksPairs, 2), (_UnpacksWeights, 3), (_UsesBatchItself, 1), (_ChecksForTuple, 1), (_PassesToKeras, 2)],
)
def test_the_batch_is_shaped_as_fit_gives_it_to_the_step(model_class, arity):
    assert batch.train_data_arity(model_class()) == arity


# ---------------------------------------------------------------------------- one run, many files
@dataclass
class Run:
    code: int
    report: dict
    stderr: str
    folder: Path
    written_before: list

    def sites(self, name):
        return [s for s in self.report["sites"] if s["path"].endswith(name)]

    def site(self, name):
        (found,) = self.sites(name)
        return found

    def diagnostics(self, name):
        return [d for d in self.report["diagnostics"] if d["path"].endswith(name)]


REALISTIC_ORDER = [
    "train_step_unpacks_pairs.py",
    "eager_compile.py",
    "strided_conv1d.py",
    "fit_after_compile.py",
    "class_body_names.py",
    "loop_filled_features.py",
    "local_data_helper.py",
    "trained_before_compile.py",
    "plotting_imports.py",
    "keras3_experimental_import.py",
    "compile_override.py",
    "vae_wrapper.py",
    "network_download.py",
    "custom_loss_labels.py",
    "custom_loss_unknown_labels.py",
    "plots_in_a_method.py",
    "missing_module_in_layer.py",
    "forced_jit_unsupported.py",
    "changes_global_state.py",
    "needs_default_state.py",  # after the file that changes the settings
    "first/uses_helpers.py",
    "second/uses_helpers.py",  # after the file with another `helpers`
]


def _rule_examples(folder: Path) -> dict:
    """One file per verify rule's invalid example, and the valid one: name -> code expected."""
    expected = {}
    for code in ("CL901", "CL902", "CL903", "CL904"):
        rule = rules_by_code()[code]
        (folder / f"invalid_{code}.py").write_text(rule.invalid[0].code)
        expected[f"invalid_{code}.py"] = code
        (folder / "valid.py").write_text(rule.valid[0].code)
        expected["valid.py"] = None
    return expected


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    if importlib.util.find_spec("tensorflow") is None:
        pytest.skip("tensorflow is not installed")
    folder = tmp_path_factory.mktemp("verify-run")
    _rule_examples(folder)
    shutil.copy(FIXTURES / "keras_io_script.py", folder / "mnist_convnet.py")
    written_before = sorted(p.name for p in folder.iterdir())
    files = [REALISTIC / name for name in REALISTIC_ORDER]
    files += [FIXTURES / "several_models.py", FIXTURES / "misbehaving_user_code.py", *sorted(folder.glob("*.py"))]
    if importlib.util.find_spec("tf_keras") is not None:
        files.append(FIXTURES / "tf_keras_model.py")
    marker = folder / "marker.txt"
    code, report, stderr = verify_json(*files, "--timeout", "60", env={"COMPILELINT_TEST_MARKER": str(marker)})
    return Run(code, report, stderr, folder, written_before)


def statuses(run, name):
    return [(s["line"], s["status"]) for s in run.sites(name)]


@needs_tf
def test_a_train_step_that_unpacks_pairs_gets_pairs_as_from_fit(run):
    assert statuses(run, "train_step_unpacks_pairs.py") == [(20, "verified")]


@needs_tf
def test_a_run_eagerly_compile_is_not_jitted_and_says_so(run):
    site = run.site("realistic/eager_compile.py")
    assert site["status"] == "verified" and run.diagnostics("realistic/eager_compile.py") == []
    assert site["notes"] == ["not jitted: the compile call sets run_eagerly=True"]


@needs_tf
def test_unknown_lengths_grow_until_strided_convolutions_fit(run):
    site = run.site("strided_conv1d.py")
    assert site["status"] == "verified", run.diagnostics("strided_conv1d.py")
    assert "unknown input sizes set to 32" in site["notes"]


@needs_tf
def test_fit_after_compile_in_the_same_function_needs_no_data(run):
    assert statuses(run, "fit_after_compile.py") == [(15, "verified")]


@needs_tf
def test_class_body_names_do_not_pull_in_data(run):
    assert statuses(run, "class_body_names.py") == [(23, "verified")]


@needs_tf
def test_a_model_sized_by_a_loop_over_a_file_is_refused_not_built_empty(run):
    site = run.site("loop_filled_features.py")
    assert site["status"] == "refused"
    assert "line 7 `with open('columns_that_do_not_exist.csv') as handle:` calls open()" in site["reason"]


@needs_tf
def test_data_read_through_a_local_helper_is_refused(run):
    site = run.site("local_data_helper.py")
    assert site["status"] == "refused"
    assert "calls series_from(), which calls loadtxt()" in site["reason"]


@needs_tf
def test_models_that_need_training_are_refused_and_fit_never_runs(run):
    sites = run.sites("trained_before_compile.py")
    # The teacher's own compile (line 29) is reached by calling train_teacher cut at it.
    assert [(s["line"], s["status"]) for s in sites] == [(19, "verified"), (24, "refused"), (29, "verified"), (36, "refused")]
    assert "`hist = model.fit(" in sites[1]["reason"] and "trains a model (fit())" in sites[1]["reason"]
    assert "trains a model (train_teacher(), which calls fit())" in sites[3]["reason"]
    assert not (run.folder / "marker.txt").exists()


@needs_tf
def test_plotting_imports_the_model_does_not_use_do_not_matter(run):
    assert statuses(run, "plotting_imports.py") == [(9, "verified")]


@needs_tf
def test_a_keras_submodule_this_keras_lacks_is_a_finding(run):
    site = run.site("keras3_experimental_import.py")
    (diagnostic,) = run.diagnostics("keras3_experimental_import.py")
    assert site["status"] == "finding" and diagnostic["code"] == "CL901"
    assert "there is no module 'tensorflow.keras.layers.experimental' in keras 3." in diagnostic["message"]


@needs_tf
def test_a_compile_override_runs_to_its_end_before_the_step(run):
    site = run.site("compile_override.py")
    assert (site["line"], site["status"]) == (15, "verified"), run.diagnostics("compile_override.py")
    assert site["notes"] == ["inputs shaped like those of the inner model `discriminator`"]


@needs_tf
def test_a_wrapper_model_takes_its_inputs_from_the_inner_model_the_data_enters(run):
    site = run.site("vae_wrapper.py")
    assert site["status"] == "verified", run.diagnostics("vae_wrapper.py")
    assert site["notes"] == ["inputs shaped like those of the inner model `encoder`"]


@needs_tf
def test_a_blocked_download_is_a_refusal_that_names_the_url(run):
    site = run.site("network_download.py")
    assert site["status"] == "refused"
    assert site["reason"].startswith("network access is blocked by verify: the program tried to download https://example.invalid/vocabulary.txt")


@needs_tf
def test_a_custom_loss_gets_integer_labels_when_values_shaped_like_the_outputs_fail(run):
    site = run.site("custom_loss_labels.py")
    assert site["status"] == "verified", run.diagnostics("custom_loss_labels.py")
    assert site["notes"] == ["unknown input sizes set to 8", "targets for the custom loss: integer labels"]


@needs_tf
def test_a_custom_loss_no_synthetic_target_suits_is_refused_not_reported(run):
    site = run.site("custom_loss_unknown_labels.py")
    assert site["status"] == "refused" and run.diagnostics("custom_loss_unknown_labels.py") == []
    assert site["reason"].startswith("the program's own loss rejects every kind of synthetic target (")


@needs_tf
def test_a_module_used_only_in_a_method_the_build_never_calls_does_not_matter(run):
    assert statuses(run, "plots_in_a_method.py") == [(19, "verified")]


@needs_tf
def test_a_module_a_layer_uses_is_an_error_that_names_it_even_through_keras_wrapping(run):
    site = run.site("missing_module_in_layer.py")
    assert site["status"] == "error" and run.diagnostics("missing_module_in_layer.py") == []
    assert site["reason"].startswith("the model's code uses 'compilelint_absent_signal_module', which cannot be imported here")
    assert f"missing_module_in_layer.py:{site['line']}: cannot verify: the model's code uses" in run.stderr


@needs_tf
def test_xla_that_keras_turns_off_by_default_is_a_note_not_a_warning(run):
    site = run.site("forced_jit_unsupported.py")
    assert (site["status"], run.diagnostics("forced_jit_unsupported.py")) == ("verified", [])
    assert site["notes"] == ["not jitted: Keras turns XLA off for this model (one of its layers does not support it)"]


@needs_tf
def test_each_file_starts_from_keras_default_settings(run):
    assert statuses(run, "changes_global_state.py") == [(7, "verified")]
    assert statuses(run, "needs_default_state.py") == [(12, "verified")]


@needs_tf
def test_local_modules_of_one_file_do_not_leak_into_the_next(run):
    assert [s["status"] for s in run.sites("uses_helpers.py")] == ["verified", "verified"]


@needs_tf
def test_several_models_in_one_file(run):
    found = {s["line"]: s for s in run.sites("several_models.py")}
    codes = {}
    for d in run.diagnostics("several_models.py"):
        codes.setdefault(d["line"], []).append(d)
    assert found[8]["status"] == "verified"  # the clean classifier
    assert [d["code"] for d in codes[18]] == ["CL902"] and "PyFunc" in codes[18][0]["message"]
    assert [d["code"] for d in codes[28]] == ["CL903"] and "divisible by 7" in codes[28][0]["message"]
    # Asking for both jit_compile=True and run_eagerly=True: Keras 3 drops jit, and says so.
    assert [d["code"] for d in codes[34]] == ["CL904"] and "run_eagerly" in codes[34][0]["message"]
    assert [d["code"] for d in codes[45]] == ["CL901"] and "sys.exit(2)" in codes[45][0]["message"]


@needs_tf
def test_keras_io_script_is_verified_without_loading_data_or_fitting(run):
    assert statuses(run, "mnist_convnet.py") == [(36, "verified")]
    assert not (run.folder / "marker.txt").exists()  # neither the loader nor fit ran
    assert sorted(p.name for p in run.folder.iterdir()) == run.written_before  # nothing written next to it


@needs_tf
def test_rule_examples_run_for_real(run):
    """Each verify rule's invalid example is reported by that rule; the valid one by none."""
    for name, code in _rule_examples(run.folder).items():
        reported = {d["code"] for d in run.report["diagnostics"] if os.path.basename(d["path"]) == name}
        assert reported == ({code} if code else set()), name


@needs_tf
def test_user_code_that_floods_output_exits_hard_or_raises_becomes_diagnostics(run):
    lines = {}
    for d in run.diagnostics("misbehaving_user_code.py"):
        lines.setdefault(d["line"], []).append(d)
    assert [d["code"] for d in lines[24]] == ["CL901"] and "printed more than" in lines[24][0]["message"]
    assert [d["code"] for d in lines[30]] == ["CL901"] and "exited with status 3" in lines[30][0]["message"]
    assert [d["code"] for d in lines[36]] == ["CL901"] and "the builder broke" in lines[36][0]["message"]
    assert statuses(run, "misbehaving_user_code.py")[-1] == (42, "verified")  # the run went on
    assert "Traceback" not in run.stderr


@needs_tf
@needs_tf_keras
def test_tf_keras_models(run):
    found = {s["line"]: s for s in run.sites("tf_keras_model.py")}
    (diagnostic,) = run.diagnostics("tf_keras_model.py")
    assert (diagnostic["code"], diagnostic["line"]) == ("CL903", 13)
    assert "You cannot enable `run_eagerly` and `jit_compile` at the same time." in diagnostic["message"]
    assert found[7]["status"] == found[19]["status"] == found[32]["status"] == "verified"
    assert found[19]["notes"] == ["not jitted: the compile call sets run_eagerly=True"]
    assert "tf_keras 2." in run.stderr


@needs_tf
def test_every_site_has_a_status_and_the_summary_counts_them(run):
    expected = 0
    for site in run.report["sites"]:
        assert site["status"] in STATUSES
        assert site["status"] not in ("refused", "error") or site["reason"]
    for path in {site["path"] for site in run.report["sites"]}:
        expected += len(plan_file(path, Path(path).read_text()).sites)
    assert len(run.report["sites"]) == expected == 44
    assert run.report["summary"] == {"verified": 24, "finding": 13, "refused": 6, "error": 1}
    assert "verify: 44 compile sites: 24 verified, 13 with findings, 6 refused, 1 error; on CPU (tensorflow " in run.stderr
    refused = [s for s in run.report["sites"] if s["status"] == "refused"]
    for site in refused:
        assert f"{site['path']}:{site['line']}:{site['column']}: refused: {site['reason']}" in run.stderr
    assert run.code == 2  # a site could not be verified in this environment


# ---------------------------------------------------------------------------- other runs
DATA_DEPENDENT_SCRIPT = (
    "import keras\n"
    "import numpy as np\n"
    "data = np.load('features.npz')\n"
    "model = keras.Sequential([keras.Input((data['x'].shape[1],)), keras.layers.Dense(1)])\n"
    "model.compile(optimizer='adam', loss='mse')\n"
)


def test_a_folder_stands_for_its_python_files_that_call_compile(tmp_path, monkeypatch):
    # The only site is refused while planning, so no backend is needed.
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "train.py").write_text(DATA_DEPENDENT_SCRIPT)
    (tmp_path / "pkg" / "helpers.py").write_text("def compile_report(x):\n    return x\n")
    (tmp_path / "pkg" / "notes.ipynb").write_text(json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    (tmp_path / ".venv").mkdir()
    (tmp_path / ".venv" / "installed.py").write_text(DATA_DEPENDENT_SCRIPT)
    monkeypatch.chdir(tmp_path)
    code, report, stderr = verify_json(".")
    assert [(s["path"], s["status"]) for s in report["sites"]] == [("pkg/train.py", "refused")]
    assert code == 0 and "compilelint: error" not in stderr


def test_a_notebook_or_missing_target_is_an_error_line_and_the_others_still_run(tmp_path, monkeypatch):
    (tmp_path / "train.py").write_text(DATA_DEPENDENT_SCRIPT)
    (tmp_path / "explore.ipynb").write_text(json.dumps({"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    monkeypatch.chdir(tmp_path)
    code, report, stderr = verify_json("explore.ipynb", "gone.py", "train.py")
    assert [(s["path"], s["status"]) for s in report["sites"]] == [("train.py", "refused")]
    assert code == 2
    assert "compilelint: error: explore.ipynb: verify runs Python files, not notebooks; export it first" in stderr
    assert "compilelint: error: gone.py: no such file" in stderr
    code, _, stderr = verify("gone.py")
    assert code == 2 and stderr.strip().endswith("compilelint: error: gone.py: no such file")


@needs_tf
def test_sarif_carries_each_site_status_and_errors_exit_2(tmp_path):
    missing = tmp_path / "train.py"
    missing.write_text(
        "import keras\n"
        "import compilelint_test_module_that_is_not_installed as extra\n"
        "model = keras.Sequential([keras.Input((extra.WIDTH,)), keras.layers.Dense(1)])\n"
        "model.compile(optimizer='adam', loss='mse')\n"
    )
    code, stdout, stderr = verify("--output-format", "sarif", REALISTIC / "eager_compile.py", REALISTIC / "loop_filled_features.py", missing)
    log = json.loads(stdout)
    jsonschema.validate(log, SARIF_SCHEMA)
    (run_log,) = log["runs"]
    assert run_log["results"] == []
    sites = run_log["properties"]["verify"]["sites"]
    assert [(Path(s["path"]).name, s["status"]) for s in sites] == [("eager_compile.py", "verified"), ("loop_filled_features.py", "refused"), ("train.py", "error")]
    assert run_log["properties"]["verify"]["summary"] == {"verified": 1, "finding": 0, "refused": 1, "error": 1}
    (invocation,) = run_log["invocations"]
    assert invocation["executionSuccessful"] is False
    assert [(n["level"], n["message"]["text"].split(":")[0]) for n in invocation["toolExecutionNotifications"]] == [("note", "refused"), ("error", "error")]
    # The model may be fine; only this environment cannot build it (exit 2, no CL901).
    assert code == 2
    assert "train.py:4: cannot verify: the model's code uses 'compilelint_test_module_that_is_not_installed', which cannot be imported here" in stderr


@needs_tf
def test_factories_and_select_ignore():
    code, report, stderr = verify_json(f"{FIXTURES / 'several_models.py'}::clean_classifier", f"{FIXTURES / 'several_models.py'}::eager_model", "--ignore", "CL904")
    assert (code, report["diagnostics"]) == (0, [])
    assert [s["status"] for s in report["sites"]] == ["verified", "verified"]  # the warning is ignored
    assert "verify: 2 compile sites: 2 verified," in stderr


@needs_tf
def test_builder_that_hangs_is_stopped_after_the_timeout():
    code, report, _ = verify_json(FIXTURES / "sleeps_forever.py", "--timeout", "3")
    assert code == 1
    assert [(d["code"], d["line"]) for d in report["diagnostics"]] == [("CL901", 15)]
    assert "timed out after 3 s" in report["diagnostics"][0]["message"]


@needs_tf
def test_without_a_usable_backend_verify_is_an_error_not_a_finding():
    code, report, stderr = verify_json(REALISTIC / "eager_compile.py", env={"KERAS_BACKEND": "no_such_backend"})
    assert code == 2 and report["diagnostics"] == []
    assert [s["status"] for s in report["sites"]] == ["error"]
    assert "cannot verify: cannot import keras here (ValueError: Unable to import backend : no_such_backend)" in stderr


@needs_tf
def test_a_missing_backend_is_tried_once_per_run(monkeypatch):
    monkeypatch.setenv("KERAS_BACKEND", "no_such_backend")
    with VerifySession(VerifyOptions(timeout=60)) as session:
        results = [session.verify(str(REALISTIC / name)) for name in ("eager_compile.py", "strided_conv1d.py")]
    assert [[s.status for s in r.sites] for r in results] == [["error"], ["error"]]
    assert "no_such_backend" in results[1].sites[0].reason
    assert session.started_workers == 1


@needs_tf
def test_one_worker_serves_many_files_and_a_crash_costs_only_its_file(tmp_path):
    clean = "import keras\nmodel = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])\nmodel.compile(optimizer='adam', loss='mse')\n"
    (tmp_path / "a.py").write_text(clean)
    (tmp_path / "b.py").write_text(clean.replace("(1)", "(2)"))
    (tmp_path / "crash.py").write_text(clean.replace("(1)", "(width())").replace("import keras\n", "import os\nimport keras\ndef width():\n    os._exit(5)\n"))
    (tmp_path / "c.py").write_text(clean.replace("(1)", "(3)"))
    with VerifySession(VerifyOptions(timeout=60)) as session:
        first = [session.verify(str(tmp_path / name)) for name in ("a.py", "b.py")]
        assert session.started_workers == 1
        crashed = session.verify(str(tmp_path / "crash.py"))
        after = session.verify(str(tmp_path / "c.py"))
    assert [r.sites[0].status for r in first] == ["verified", "verified"]
    (outcome,) = crashed.sites
    assert outcome.status == "finding" and "exited with status 5" in outcome.diagnostics[0].message
    assert after.sites[0].status == "verified" and session.started_workers == 2
