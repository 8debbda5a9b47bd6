"""compilelint verify: planning runs anywhere; building and training need TensorFlow.

The TensorFlow tests run the real CLI, which runs one worker process per file; the fixtures
share files so that each file costs one backend import.
"""

import importlib.util
import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from compilelint.cli import main
from compilelint.registry import rules_by_code
from compilelint.verify.planner import plan_file

FIXTURES = Path(__file__).parent / "verify_fixtures"
# find_spec rather than importorskip: the tests never import TensorFlow in this process.
needs_tf = pytest.mark.skipif(importlib.util.find_spec("tensorflow") is None, reason="tensorflow is not installed")
needs_tf_keras = pytest.mark.skipif(importlib.util.find_spec("tf_keras") is None, reason="tf_keras is not installed")


def verify(*args, env=None):
    """Run ``compilelint verify --output-format json``; returns (exit code, diagnostics, stderr)."""
    result = CliRunner().invoke(main, ["verify", "--output-format", "json", *map(str, args)], env=env)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, json.loads(result.stdout or "[]"), result.stderr


def by_line(diagnostics):
    found = {}
    for d in diagnostics:
        found.setdefault(d["line"], []).append(d)
    return found


# ---------------------------------------------------------------------------- planning
def plan(code, factory=None):
    return plan_file("example.py", code, factory)


def program_lines(site):
    return [statement.lineno for statement in site.program]


def test_top_level_slice_skips_loading_fit_and_main_block():
    code = (
        "import keras\n"  # 1
        "import numpy as np\n"  # 2
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
    assert program_lines(site) == [1, 2, 3, 5, 6, 9]


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


def test_factory_named_on_the_command_line():
    code = "import keras\nimport numpy as np\ndata = np.load('x.npy')\ndef make():\n    return keras.Sequential([keras.layers.Dense(1)])\n"
    factory = plan(code, "make").factory
    assert factory.mode == "factory" and program_lines(factory) == [1, 2, 4]
    assert plan(code, "missing").factory.mode == "refuse"


def test_verify_rules_are_documented_and_marked_verify_only():
    for code in ("CL901", "CL902", "CL903", "CL904"):
        rule = rules_by_code()[code]
        assert rule.verify_only and rule.invalid and rule.valid
        assert list(rule.check(None, None)) == []


# ---------------------------------------------------------------------------- running
@needs_tf
def test_several_models_in_one_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, diagnostics, stderr = verify(FIXTURES / "several_models.py")
    found = by_line(diagnostics)
    assert code == 1
    assert 8 not in found  # the clean classifier
    assert [d["code"] for d in found[18]] == ["CL902"] and "PyFunc" in found[18][0]["message"]
    assert [d["code"] for d in found[28]] == ["CL903"] and "divisible by 7" in found[28][0]["message"]
    assert [d["code"] for d in found[34]] == ["CL904"] and "run_eagerly" in found[34][0]["message"]
    assert [d["code"] for d in found[45]] == ["CL901"] and "sys.exit(2)" in found[45][0]["message"]
    assert "verified 4 models on CPU (tensorflow " in stderr
    assert list(tmp_path.iterdir()) == []  # nothing written in the working directory


@needs_tf
def test_factory_of_a_clean_model_exits_zero():
    code, diagnostics, stderr = verify(f"{FIXTURES / 'several_models.py'}::clean_classifier", "--select", "CL9")
    assert (code, diagnostics) == (0, [])
    assert "verified 1 model on" in stderr


@needs_tf
def test_a_module_missing_from_this_environment_is_an_error_not_a_finding(tmp_path):
    """The model may be fine; only this environment cannot build it (exit 2, no CL901)."""
    script = tmp_path / "train.py"
    script.write_text(
        "import keras\n"
        "import compilelint_test_module_that_is_not_installed as extra\n"
        "model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])\n"
        "model.compile(optimizer='adam', loss='mse')\n"
    )
    code, diagnostics, stderr = verify(script)
    assert (code, diagnostics) == (2, [])
    assert "train.py:4: cannot verify: the model's code imports 'compilelint_test_module_that_is_not_installed'" in stderr
    assert "verified 0 models" in stderr


@needs_tf
def test_select_and_ignore_filter_verify_findings():
    code, diagnostics, _ = verify(f"{FIXTURES / 'several_models.py'}::eager_model", "--ignore", "CL904")
    assert (code, diagnostics) == (0, [])


@needs_tf
def test_builder_that_hangs_is_stopped_after_the_timeout():
    code, diagnostics, _ = verify(FIXTURES / "sleeps_forever.py", "--timeout", "3")
    assert code == 1
    assert [(d["code"], d["line"]) for d in diagnostics] == [("CL901", 15)]
    assert "timed out after 3 s" in diagnostics[0]["message"]


@needs_tf
def test_keras_io_script_is_verified_without_loading_data_or_fitting(tmp_path):
    script = tmp_path / "mnist_convnet.py"
    shutil.copy(FIXTURES / "keras_io_script.py", script)
    marker = tmp_path / "marker.txt"
    code, diagnostics, stderr = verify(script, env={"COMPILELINT_TEST_MARKER": str(marker)})
    assert (code, diagnostics) == (0, [])
    assert "verified 1 model" in stderr
    assert not marker.exists()  # neither the loader nor fit ran
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mnist_convnet.py"]


@needs_tf
@needs_tf_keras
def test_tf_keras_models():
    code, diagnostics, stderr = verify(FIXTURES / "tf_keras_model.py")
    assert code == 1
    assert [(d["code"], d["line"]) for d in diagnostics] == [("CL903", 13)]
    assert "You cannot enable `run_eagerly` and `jit_compile` at the same time." in diagnostics[0]["message"]
    assert "tf_keras 2." in stderr


@needs_tf
def test_rule_examples_run_for_real(tmp_path):
    """Each verify rule's invalid example is reported by that rule; the valid one by none."""
    examples = {}
    for code in ("CL901", "CL902", "CL903", "CL904"):
        rule = rules_by_code()[code]
        examples[f"invalid_{code}.py"] = (rule.invalid[0].code, code)
        examples["valid.py"] = (rule.valid[0].code, None)
    for name, (text, _) in examples.items():
        (tmp_path / name).write_text(text)
    _, diagnostics, _ = verify(*sorted(tmp_path / name for name in examples))
    reported = {}
    for d in diagnostics:
        reported.setdefault(os.path.basename(d["path"]), set()).add(d["code"])
    for name, (_, code) in examples.items():
        assert reported.get(name, set()) == ({code} if code else set()), name


@needs_tf
def test_user_code_that_floods_output_exits_hard_or_raises_becomes_diagnostics():
    code, diagnostics, stderr = verify(FIXTURES / "misbehaving_user_code.py", "--timeout", "60")
    lines = by_line(diagnostics)
    assert [d["code"] for d in lines[24]] == ["CL901"] and "printed more than" in lines[24][0]["message"]
    assert [d["code"] for d in lines[30]] == ["CL901"] and "exited with status 3" in lines[30][0]["message"]
    assert [d["code"] for d in lines[36]] == ["CL901"] and "the builder broke" in lines[36][0]["message"]
    assert 42 not in lines  # the run went on and verified the last model cleanly
    assert code == 1 and "Traceback" not in stderr
