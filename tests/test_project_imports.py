"""Models and optimizers followed into the project's own modules (one level deep).

Each test writes a small project: a package with relative imports, a flat scripts folder,
a ``src/`` layout. The twins of each finding are the cases where the imported name cannot be
known (third-party code, a cycle, a dynamic import, an argparse value, ...): silent.
"""

import json
import os
import subprocess
import sys
import textwrap

import pytest

from compilelint import cache as cache_module
from compilelint import engine, project, runner
from compilelint.cache import CacheSet
from compilelint.config import RawOptions, build_settings
from compilelint.runner import lint_file, lint_files
from conftest import REPO

TWO_HEADS = '''\
import keras

HIDDEN = 16


def build_model(classes=3):
    inputs = keras.Input(shape=(8,))
    hidden = keras.layers.Dense(HIDDEN, activation="relu")(inputs)
    label = keras.layers.Dense(classes, activation="softmax", name="label")(hidden)
    flag = keras.layers.Dense(1, activation="sigmoid", name="flag")(hidden)
    return keras.Model(inputs, [label, flag])
'''
TWO_HEADS_MODEL_LINE = 11  # the keras.Model(...) call above


def write(root, files: dict) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


def check(root, target, keras="2,3", select=("ALL",), settings_root=None):
    settings = build_settings(RawOptions(), settings_root or root, keras_version=keras, select=list(select))
    result = lint_file(str(root / target), settings)
    assert not result.errors, result.errors
    return result


def codes(result) -> list[tuple[str, int]]:
    return [(d.code, d.span.line) for d in result.diagnostics]


# ----------------------------------------------------------------------------- layouts
def test_relative_import_in_a_package_reads_the_builder(tmp_path):
    write(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/models.py": TWO_HEADS,
        "pkg/train.py": """\
            from .models import build_model

            model = build_model()
            model.compile(optimizer="adam", loss=["categorical_crossentropy"])
            model.fit(x, y)
            """,
    })
    result = check(tmp_path, "pkg/train.py", select=["CL201"])
    assert codes(result) == [("CL201", 4)]
    message = result.diagnostics[0].message
    assert "1 loss for 2 outputs" in message
    assert message.endswith(f"(the model is built in models.py:{TWO_HEADS_MODEL_LINE})")
    # The span is in train.py: `loss=[...]` of its compile call.
    assert result.diagnostics[0].span.column == 33
    assert [os.path.relpath(path, tmp_path) for path, _, _ in result.dependencies] == [os.path.join("pkg", "models.py")]


def test_flat_scripts_folder_absolute_import_beside_the_file(tmp_path):
    write(tmp_path, {
        "scripts/models.py": TWO_HEADS,
        "scripts/train.py": """\
            from models import build_model

            model = build_model(classes=10)
            model.compile(optimizer="adam", loss=["categorical_crossentropy", "binary_crossentropy"], metrics=["accuracy"])
            """,
    })
    result = check(tmp_path, "scripts/train.py", keras="3", select=["CL201", "CL205"])
    assert codes(result) == [("CL205", 4)]
    assert "flat list of 1 on a model with 2 outputs" in result.diagnostics[0].message
    assert "(the model is built in models.py:11)" in result.diagnostics[0].message


def test_src_layout_from_a_script_folder(tmp_path):
    write(tmp_path, {
        "pyproject.toml": "[tool.compilelint]\n",
        "src/proj/__init__.py": "",
        "src/proj/models.py": TWO_HEADS,
        "scripts/train.py": """\
            import keras
            from proj.models import build_model

            model = build_model()
            model.compile(
                optimizer="adam",
                loss=[keras.losses.CategoricalCrossentropy(from_logits=True), "binary_crossentropy"],
            )
            """,
    })
    result = check(tmp_path, "scripts/train.py", select=["CL501"])
    assert codes(result) == [("CL501", 7)]
    message = result.diagnostics[0].message
    assert "output 'label' already applies softmax" in message
    assert message.endswith("(the model is built in src/proj/models.py:11)")


def test_package_top_is_where_a_packaged_trainer_imports_from(tmp_path):
    """``trainer/task.py`` with ``from trainer import model``, run as ``python -m trainer.task``."""
    write(tmp_path, {
        "course/trainer/__init__.py": "",
        "course/trainer/model.py": TWO_HEADS,
        "course/trainer/task.py": """\
            from trainer import model

            net = model.build_model()
            net.compile(optimizer="adam", loss=["mse", "mse", "mse"])
            """,
    })
    result = check(tmp_path, "course/trainer/task.py", select=["CL201"])
    assert codes(result) == [("CL201", 4)]
    assert "3 losses for 2 outputs" in result.diagnostics[0].message


@pytest.mark.parametrize(
    "imports, builder",
    [
        ("import pkg.models as m", "m.build_model"),
        ("from pkg import models", "models.build_model"),
        ("import pkg.models", "pkg.models.build_model"),
        ("from pkg.models import build_model as make", "make"),
    ],
)
def test_module_imports_and_aliases(tmp_path, imports, builder):
    write(tmp_path, {
        "pkg/__init__.py": "",
        "pkg/models.py": TWO_HEADS,
        "train.py": f"{imports}\nmodel = {builder}()\nmodel.compile(optimizer='adam', loss=['mse'])\n",
    })
    assert codes(check(tmp_path, "train.py", select=["CL201"])) == [("CL201", 3)]


def test_module_level_model_and_optimizer(tmp_path):
    """A model built at the top of models.py; one optimizer object shared by two models."""
    write(tmp_path, {
        "models.py": TWO_HEADS + "\nmodel = build_model()\nshared_optimizer = keras.optimizers.Adam(1e-3)\n",
        "train.py": """\
            from models import build_model, model, shared_optimizer

            model.compile(optimizer=shared_optimizer, loss=["mse"])
            other = build_model()
            other.compile(optimizer=shared_optimizer, loss=["mse", "mse"])
            model.fit(x, y)
            other.fit(x, y)
            """,
    })
    result = check(tmp_path, "train.py", select=["CL201", "CL404"])
    assert codes(result) == [("CL201", 3), ("CL404", 5)]
    assert "already compiled into another model" in result.diagnostics[1].message


def test_builder_runs_with_the_call_sites_arguments_in_its_own_module(tmp_path):
    """The builder's constants and helpers are its module's; its arguments are the caller's."""
    write(tmp_path, {
        "models.py": """\
            import keras

            ACTIVATION = "softmax"


            def head(x, units):
                return keras.layers.Dense(units, activation=ACTIVATION)(x)


            def build(units):
                inputs = keras.Input(shape=(4,))
                return keras.Model(inputs, head(inputs, units))
            """,
        "train.py": """\
            from models import build

            ACTIVATION = "linear"  # not the builder's
            binary = build(1)
            binary.compile(optimizer="adam", loss="binary_crossentropy")
            many = build(5)
            many.compile(optimizer="adam", loss="categorical_crossentropy")
            """,
    })
    result = check(tmp_path, "train.py", select=["CL503"])
    # A softmax over one unit is wrong under any loss; over five units it is right.
    assert codes(result) == [("CL503", 5)]


# ----------------------------------------------------------------------------- unknown twins
def test_third_party_module_of_the_same_name_is_never_read(tmp_path):
    for folder in (".venv/lib/python3.11/site-packages", "env/lib/python3.11/site-packages"):
        write(tmp_path, {f"{folder}/models.py": TWO_HEADS})
    write(tmp_path, {"train.py": "from models import build_model\nmodel = build_model()\nmodel.compile(optimizer='adam', loss=['mse'])\n"})
    result = check(tmp_path, "train.py")
    assert codes(result) == [] and result.dependencies == []
    # Installed code is never read, even beside an importing file that is installed too.
    installed = ".venv/lib/python3.11/site-packages/pkg"
    write(tmp_path, {f"{installed}/__init__.py": "", f"{installed}/models.py": TWO_HEADS, f"{installed}/train.py": "from .models import build_model\nmodel = build_model()\nmodel.compile(optimizer='adam', loss=['mse'])\n"})
    result = check(tmp_path, f"{installed}/train.py")
    assert codes(result) == [] and result.dependencies == []
    # Its twin: the same package in the project is read.
    write(tmp_path, {"pkg/__init__.py": "", "pkg/models.py": TWO_HEADS, "pkg/train.py": "from .models import build_model\nmodel = build_model()\nmodel.compile(optimizer='adam', loss=['mse'])\n"})
    assert [code for code, _ in codes(check(tmp_path, "pkg/train.py"))] == ["CL201"]


def test_excluded_folder_and_virtualenv_are_not_read(tmp_path):
    write(tmp_path, {
        "vendor/models.py": TWO_HEADS,
        "tools/pyvenv.cfg": "home = /usr/bin\n",
        "tools/helpers.py": TWO_HEADS,
        "train.py": """\
            from vendor.models import build_model
            from tools.helpers import build_model as other_builder
            model = build_model()
            model.compile(optimizer="adam", loss=["mse"])
            other = other_builder()
            other.compile(optimizer="adam", loss=["mse"])
            """,
    })
    settings = build_settings(RawOptions(extend_exclude=["vendor"]), tmp_path, keras_version="2,3", select=["ALL"])
    result = lint_file(str(tmp_path / "train.py"), settings)
    assert codes(result) == [] and result.dependencies == []


def test_keras_named_folder_in_the_project_is_not_read(tmp_path):
    write(tmp_path, {"keras/__init__.py": "Sequential = None\n", "train.py": "import keras\nmodel = keras.Sequential([keras.layers.Dense(3, activation='softmax')])\nmodel.compile(optimizer='adam', loss=['mse', 'mse'])\n"})
    result = check(tmp_path, "train.py", select=["CL201"])
    assert codes(result) == [("CL201", 3)] and result.dependencies == []


def test_cycle_stays_unknown(tmp_path):
    write(tmp_path, {
        "models.py": """\
            import keras
            from train import HEADS


            def build():
                inputs = keras.Input(shape=(3,))
                return keras.Model(inputs, [keras.layers.Dense(1)(inputs) for _ in range(HEADS)])
            """,
        "train.py": "from models import build\nHEADS = 2\nmodel = build()\nmodel.compile(optimizer='adam', loss=['mse'])\n",
    })
    assert codes(check(tmp_path, "train.py")) == []


def test_a_module_importing_itself_is_not_read(tmp_path):
    write(tmp_path, {"train.py": "import keras\nfrom train import model\nmodel.compile(optimizer='adam', loss=['mse'])\n"})
    result = check(tmp_path, "train.py")
    assert codes(result) == [] and result.dependencies == []


def test_dynamic_import_stays_unknown(tmp_path):
    write(tmp_path, {
        "models.py": TWO_HEADS,
        "train.py": """\
            import importlib
            models = importlib.import_module("models")
            model = models.build_model()
            model.compile(optimizer="adam", loss=["mse"])
            builder = __import__("models").build_model
            other = builder()
            other.compile(optimizer="adam", loss=["mse"])
            """,
    })
    result = check(tmp_path, "train.py")
    assert codes(result) == [] and result.dependencies == []


def test_sys_path_tricks_leave_absolute_imports_unknown(tmp_path):
    write(tmp_path, {
        "lib/models.py": TWO_HEADS,
        "models.py": TWO_HEADS,
        "train.py": "import sys\nsys.path.insert(0, 'lib')\nfrom models import build_model\nmodel = build_model()\nmodel.compile(optimizer='adam', loss=['mse'])\n",
    })
    assert codes(check(tmp_path, "train.py")) == []


def test_star_import_of_a_project_module_stays_unknown(tmp_path):
    write(tmp_path, {"models.py": TWO_HEADS, "train.py": "import keras\nfrom models import *\nmodel = build_model()\nmodel.compile(optimizer='adam', loss=['mse'])\n"})
    assert codes(check(tmp_path, "train.py")) == []


def test_builder_whose_outputs_depend_on_an_argparse_value(tmp_path):
    write(tmp_path, {
        "models.py": """\
            import keras


            def build(heads):
                inputs = keras.Input(shape=(3,))
                if heads > 1:
                    return keras.Model(inputs, [keras.layers.Dense(1)(inputs), keras.layers.Dense(1)(inputs)])
                return keras.Model(inputs, keras.layers.Dense(1)(inputs))
            """,
        "train.py": """\
            import argparse
            from models import build

            parser = argparse.ArgumentParser()
            parser.add_argument("--heads", type=int, default=1)
            args = parser.parse_args()
            model = build(args.heads)
            model.compile(optimizer="adam", loss=["mse", "mse"])
            """,
    })
    assert codes(check(tmp_path, "train.py")) == []


def test_module_that_does_not_parse_stays_unknown(tmp_path):
    write(tmp_path, {"models.py": "def build(:\n", "train.py": "import keras\nfrom models import build\nmodel = build()\nmodel.compile(optimizer='adam', loss=['mse'], metrics=['accuracy'])\n"})
    result = check(tmp_path, "train.py")
    assert codes(result) == []
    assert [os.path.basename(path) for path, _, _ in result.dependencies] == ["models.py"]  # its content still decides


def test_dependencies_own_project_imports_stay_unknown(tmp_path):
    """One level deep: models.py's import of layers.py is not followed."""
    write(tmp_path, {
        "layers.py": "import keras\n\ndef heads(x):\n    return [keras.layers.Dense(1)(x), keras.layers.Dense(1)(x)]\n",
        "models.py": "import keras\nfrom layers import heads\n\ndef build():\n    inputs = keras.Input(shape=(3,))\n    return keras.Model(inputs, heads(inputs))\n",
        "train.py": "from models import build\nmodel = build()\nmodel.compile(optimizer='adam', loss=['mse'])\n",
    })
    result = check(tmp_path, "train.py")
    assert codes(result) == []
    assert [os.path.basename(path) for path, _, _ in result.dependencies] == ["models.py"]


def test_main_block_of_an_imported_module_does_not_run(tmp_path):
    write(tmp_path, {
        "models.py": TWO_HEADS + "\nif __name__ == '__main__':\n    def build_model():\n        return None\n",
        "train.py": "from models import build_model\nmodel = build_model()\nmodel.compile(optimizer='adam', loss=['mse'])\n",
    })
    assert codes(check(tmp_path, "train.py", select=["CL201"])) == [("CL201", 3)]


# ----------------------------------------------------------------------------- whose sites
def test_compile_calls_inside_the_dependency_are_its_own(tmp_path):
    write(tmp_path, {
        "models.py": """\
            import keras


            def build_and_compile():
                model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1)])
                model.compile(optimizer="adam", loss=["mse", "mse"], jit_compile=True, run_eagerly=True)
                return model
            """,
        "train.py": """\
            from models import build_and_compile
            model = build_and_compile()
            model.fit(x, y)
            again = build_and_compile()
            again.compile(optimizer="adam", loss="mse")
            """,
    })
    assert codes(check(tmp_path, "train.py")) == []
    assert {code for code, _ in codes(check(tmp_path, "models.py"))} >= {"CL101", "CL201"}


def test_optimizers_built_in_the_dependency_are_reported_there(tmp_path):
    write(tmp_path, {
        "config.py": "import keras\noptimizer = keras.optimizers.Adam(lr=0.01)\n",
        "train.py": "import keras\nfrom config import optimizer\nmodel = keras.Sequential([keras.layers.Dense(1)])\nmodel.compile(optimizer=optimizer, loss='mse')\n",
    })
    assert codes(check(tmp_path, "train.py", select=["CL401"])) == []
    assert codes(check(tmp_path, "config.py", select=["CL401"])) == [("CL401", 2)]


def test_finding_at_a_node_of_the_other_module_is_reported_in_this_file(tmp_path):
    """Nodes of another module never get positions in this one: the finding moves to the
    compile call's argument that holds them, and says where the node is."""
    write(tmp_path, {
        "config.py": "LOSSES = ['mse', 'mean_squared_eror']\nCFG = dict(optimizer='adam', jit_compile=True, run_eagerly=True)\n",
        "train.py": """\
            import keras
            from config import CFG, LOSSES
            from models import build_model

            model = build_model()
            model.compile(optimizer="adam", loss=LOSSES)
            plain = keras.Sequential([keras.layers.Dense(1)])
            plain.compile(loss="mse", **CFG)
            """,
        "models.py": TWO_HEADS,
    })
    result = check(tmp_path, "train.py", keras="3", select=["CL305", "CL101"])
    assert codes(result) == [("CL305", 6), ("CL101", 8)]
    unknown, both = result.diagnostics
    assert unknown.span.column == 33  # loss=LOSSES in train.py
    assert unknown.message.endswith("(at config.py:1) (the model is built in models.py:11)")
    assert both.message.endswith("(`jit_compile` comes from `**CFG`, config.py:2)")


def test_event_in_a_helper_module_is_reported_at_the_compile_call(tmp_path):
    write(tmp_path, {
        "helpers.py": "def debug(model):\n    model.run_eagerly = True\n",
        "train.py": "import keras\nfrom helpers import debug\nmodel = keras.Sequential([keras.layers.Dense(1)])\nmodel.compile(optimizer='adam', loss='mse', jit_compile=True)\ndebug(model)\n",
    })
    result = check(tmp_path, "train.py", keras="3", select=["CL101"])
    assert codes(result) == [("CL101", 4)]
    assert result.diagnostics[0].message.endswith("(at helpers.py:2)")


def test_text_facts_of_the_dependency_count(tmp_path):
    """A model whose module adds losses itself needs no loss= (CL207 stays silent)."""
    builder = "import keras\n\ndef build():\n    return keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1)])\n"
    train = "from models import build\nmodel = build()\nmodel.compile(optimizer='adam')\nmodel.fit(x)\n"
    write(tmp_path / "plain", {"models.py": builder, "train.py": train})
    write(tmp_path / "adds", {"models.py": builder + "\nclass Regularised(keras.layers.Layer):\n    def call(self, x):\n        self.add_loss(1.0)\n        return x\n", "train.py": train})
    assert codes(check(tmp_path / "plain", "train.py", keras="3", select=["CL207"])) == [("CL207", 3)]
    assert codes(check(tmp_path / "adds", "train.py", keras="3", select=["CL207"])) == []


def test_noqa_in_the_importing_file_applies(tmp_path):
    write(tmp_path, {"models.py": TWO_HEADS, "train.py": "from models import build_model\nmodel = build_model()\nmodel.compile(optimizer='adam', loss=['mse'])  # noqa: CL201\n"})
    assert codes(check(tmp_path, "train.py", select=["CL201"])) == []


def test_tf_keras_in_the_dependency_makes_the_model_keras_2(tmp_path):
    write(tmp_path, {
        "models.py": "import tf_keras as keras\n\ndef build():\n    return keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1)])\n",
        "train.py": "from models import build\nmodel = build()\nmodel.compile(optimizer='adam', loss='mse', metrics='accuracy')\n",
    })
    # A bare metrics string fails only in Keras 3; a tf_keras model is Keras 2.
    assert codes(check(tmp_path, "train.py", keras="3", select=["CL304"])) == []


# ----------------------------------------------------------------------------- front ends
def test_flake8_and_lint_text_read_the_same_dependencies(tmp_path, monkeypatch):
    from compilelint.engine import lint_text
    from compilelint.flake8_plugin import CompileLintChecker

    write(tmp_path, {"models.py": TWO_HEADS, "train.py": "from models import build_model\nmodel = build_model()\nmodel.compile(optimizer='adam', loss=['mse'])\n"})
    path = str(tmp_path / "train.py")
    text = (tmp_path / "train.py").read_text()
    monkeypatch.setattr(CompileLintChecker, "keras_version", "2,3")
    flake8 = [(line, message.split()[0]) for line, _, message, _ in CompileLintChecker(None, path, text.splitlines(True)).run()]
    assert ("3", "CL201") in [(str(line), code) for line, code in flake8]
    settings = build_settings(RawOptions(), tmp_path, keras_version="2,3", select=["CL201"])
    assert [d.code for d in lint_text(text, path, settings).diagnostics] == ["CL201"]
    # stdin without a file name has no folder to find modules in.
    assert lint_text(text, "-", settings).diagnostics == []


def test_cli_json_names_the_module(tmp_path):
    write(tmp_path, {"pyproject.toml": "[tool.compilelint]\nkeras-version = '2,3'\n", "pkg/__init__.py": "", "pkg/models.py": TWO_HEADS, "pkg/train.py": "from .models import build_model\nmodel = build_model()\nmodel.compile(optimizer='adam', loss=['mse'])\n"})
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    completed = subprocess.run(
        [sys.executable, "-m", "compilelint", "check", "--output-format", "json", "--no-cache", "pkg"], cwd=tmp_path, capture_output=True, text=True, env=env, timeout=120
    )
    found = json.loads(completed.stdout)
    assert [(d["path"], d["code"], d["line"]) for d in found] == [(os.path.join("pkg", "train.py"), "CL201", 3)]
    assert "(the model is built in models.py:11)" in found[0]["message"]


# ----------------------------------------------------------------------------- cache
def project_with_cache(tmp_path):
    write(tmp_path, {
        "pyproject.toml": "[tool.compilelint]\nkeras-version = '3'\nselect = ['CL201']\n",
        "models.py": TWO_HEADS,
        "train.py": "from models import build_model\nmodel = build_model()\nmodel.compile(optimizer='adam', loss=['mse'])\n",
    })
    settings = build_settings(RawOptions(select=["CL201"], keras_version="3"), tmp_path, source=str(tmp_path / "pyproject.toml"))
    return [str(tmp_path / "train.py"), str(tmp_path / "models.py")], settings


def test_editing_the_dependency_relints_the_importing_file(tmp_path, monkeypatch):
    paths, settings = project_with_cache(tmp_path)
    linted: list[str] = []
    real = runner.lint_guarded
    monkeypatch.setattr(runner, "lint_guarded", lambda source, s: linted.append(os.path.basename(source.path)) or real(source, s))

    # models.py has no compile(): it is read as train.py's dependency only.
    first = lint_files(paths, settings, jobs=1, cache=CacheSet())
    assert codes(first[0]) == [("CL201", 3)] and linted == ["train.py"]

    digests: list[str] = []
    real_digest = cache_module._digest_of
    monkeypatch.setattr(cache_module, "_digest_of", lambda path: digests.append(path) or real_digest(path))
    linted.clear()
    warm = lint_files(paths, settings, jobs=1, cache=CacheSet())
    assert codes(warm[0]) == [("CL201", 3)] and linted == [] and digests == []  # answered from the stamps

    os.utime(tmp_path / "models.py", ns=(1, 1))  # touched, same content: the digest still matches
    linted.clear()
    touched = lint_files(paths, settings, jobs=1, cache=CacheSet())
    assert codes(touched[0]) == [("CL201", 3)] and linted == [] and digests == [str(tmp_path / "models.py")]

    (tmp_path / "models.py").write_text(TWO_HEADS.replace("[label, flag]", "label"))
    linted.clear()
    edited = lint_files(paths, settings, jobs=1, cache=CacheSet())
    assert codes(edited[0]) == [] and linted == ["train.py"]

    linted.clear()
    assert codes(lint_files(paths, settings, jobs=1, cache=CacheSet())[0]) == [] and linted == []


def test_deleting_the_dependency_relints_the_importing_file(tmp_path):
    paths, settings = project_with_cache(tmp_path)
    assert codes(lint_files(paths[:1], settings, jobs=1, cache=CacheSet())[0]) == [("CL201", 3)]
    (tmp_path / "models.py").unlink()
    result = lint_files(paths[:1], settings, jobs=1, cache=CacheSet())[0]
    assert codes(result) == [] and result.dependencies == []


def test_a_process_parses_a_dependency_once_per_content(tmp_path, monkeypatch):
    write(tmp_path, {"models.py": TWO_HEADS})
    for name in ("a.py", "b.py"):
        write(tmp_path, {name: "from models import build_model\nmodel = build_model()\nmodel.compile(optimizer='adam', loss=['mse'])\n"})
    parsed: list[str] = []
    real = engine._parse_dependency
    monkeypatch.setattr(engine, "_parse_dependency", lambda text: parsed.append(text) or real(text))
    monkeypatch.setattr(project, "_LAYOUTS", type(project._LAYOUTS)())
    settings = build_settings(RawOptions(), tmp_path, keras_version="2,3", select=["CL201"])
    results = lint_files([str(tmp_path / "a.py"), str(tmp_path / "b.py")], settings, jobs=1)
    assert [codes(result) for result in results] == [[("CL201", 3)], [("CL201", 3)]]
    # Its top-level statements, then the builder when first called: once for both files.
    assert [text.split()[0] for text in parsed] == ["import", "def"]
    (tmp_path / "models.py").write_text(TWO_HEADS + "\n")
    lint_files([str(tmp_path / "a.py")], settings, jobs=1)
    assert len(parsed) == 4  # new content, new trees


# ----------------------------------------------------------------------------- what is read
def test_a_file_compiling_its_own_models_reads_no_module(tmp_path):
    """Reading models.py cannot change a compile call on a model built here from Keras
    layers: the module is not read, and the cache entry depends on this file alone."""
    write(tmp_path, {
        "models.py": TWO_HEADS,
        "train.py": """\
            import keras
            from models import HIDDEN, build_model

            model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(HIDDEN), keras.layers.Dense(1)])
            model.compile(optimizer="adam", loss=["mse", "mse"])
            """,
    })
    result = check(tmp_path, "train.py", select=["CL201"])
    assert codes(result) == [("CL201", 5)] and result.dependencies == []


def test_only_the_modules_a_compile_call_needs_are_read(tmp_path):
    write(tmp_path, {
        "models.py": TWO_HEADS,
        "data.py": "def load():\n    return None\n",
        "train.py": "from data import load\nfrom models import build_model\nx = load()\nmodel = build_model()\nmodel.compile(optimizer='adam', loss=['mse'])\n",
    })
    result = check(tmp_path, "train.py", select=["CL201"])
    assert codes(result) == [("CL201", 5)]
    assert [os.path.basename(path) for path, _, _ in result.dependencies] == ["models.py"]


def test_a_builder_picked_by_a_branch_of_a_local_function(tmp_path):
    """The models of two imported builders merge into an unknown in the first pass; the
    module is read all the same, and a finding must hold for both."""
    write(tmp_path, {
        "models.py": TWO_HEADS + "\n\ndef other_model():\n    return build_model(classes=5)\n",
        "train.py": """\
            import sys
            import models


            def create():
                if sys.argv[1] == "a":
                    return models.build_model()
                return models.other_model()


            model = create()
            model.compile(optimizer="adam", loss=["mse"])
            """,
    })
    assert codes(check(tmp_path, "train.py", select=["CL201"])) == [("CL201", 12)]


def test_class_of_another_modules_class_is_not_read(tmp_path):
    """One level deep: a class whose base is imported by its own module stays unknown, and
    its methods are never parsed."""
    write(tmp_path, {
        "base.py": "import keras\nclass Base(keras.Model):\n    pass\n",
        "nets.py": "import keras\nfrom base import Base\n\nclass Net(Base):\n    def call(self, x):\n        return {'a': x}\n\nclass Plain(keras.Model):\n    def call(self, x):\n        return {'a': x, 'b': x}\n",
        "train.py": "from nets import Net, Plain\nnet = Net()\nnet.compile(optimizer='adam', loss={'a': 'mse', 'c': 'mse'})\nplain = Plain()\nplain.compile(optimizer='adam', loss={'a': 'mse', 'c': 'mse'})\n",
    })
    result = check(tmp_path, "train.py", keras="3", select=["CL202"])
    assert codes(result) == [("CL202", 5)]  # Plain's outputs are known: 'c' is no output


def test_pieces_keep_line_numbers_and_leave_the_main_block_out():
    text = "import keras\n\n@decorate\ndef build():\n    return 1\nX = 1; Y = 2\n\nclass A(keras.Model):\n    '''doc'''\n    def call(self, x):\n        return x\nif __name__ == '__main__':\n    build()\n"
    pieces = project.cut_pieces(text, lambda source: None)
    assert [(piece.first_line, piece.name) for piece in pieces] == [(1, None), (3, "build"), (6, None), (8, "A")]
    assert pieces[1].text.startswith("@decorate\ndef build")
    assert pieces[3].header == "class A(keras.Model):\n    pass\n"
    assert project.cut_pieces("def broken(:\n", lambda source: None) is None


@pytest.mark.parametrize(
    "content",
    [b"import keras\x00\n", "x = 'caf\u00e9'\n".encode("latin-1"), b"X = " + b"(" * 5000 + b")" * 5000 + b"\n", b"print 'python 2'\n"],
    ids=["nul-bytes", "undecodable", "deeply-nested", "python-2"],
)
def test_a_broken_dependency_stays_unknown_without_an_error(tmp_path, content):
    (tmp_path / "models.py").write_bytes(content)
    write(tmp_path, {"train.py": "import keras\nfrom models import build\nmodel = build()\nmodel.compile(optimizer='adam', loss=['mse'], metrics=['accuracy'])\n"})
    result = check(tmp_path, "train.py")
    assert codes(result) == [] and not result.errors


def test_a_layer_from_a_project_module_in_a_local_model(tmp_path):
    write(tmp_path, {
        "blocks.py": "import keras\n\ndef head(units):\n    return keras.layers.Dense(units, activation='softmax')\n",
        "train.py": "import keras\nfrom blocks import head\nmodel = keras.Sequential([keras.Input(shape=(4,)), head(1)])\nmodel.compile(optimizer='adam', loss='categorical_crossentropy')\n",
    })
    result = check(tmp_path, "train.py", select=["CL503"])
    assert codes(result) == [("CL503", 4)]
    assert [os.path.basename(path) for path, _, _ in result.dependencies] == ["blocks.py"]
