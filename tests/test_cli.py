"""The command line as a user runs it: exit codes, formats, selection, bad input."""

import json
import os
import subprocess
import sys

from conftest import REPO

BROKEN = "import keras\nmodel = keras.Sequential([keras.layers.Dense(1)])\nmodel.compile(optimizer='adam', loss='mse', jit_compile=True, run_eagerly=True)\n"
CLEAN = "import keras\nmodel = keras.Sequential([keras.layers.Dense(1)])\nmodel.compile(optimizer='adam', loss='mse')\n"


def run(*args, cwd=None, stdin=None, env=None):
    full_env = {**os.environ, **(env or {})}
    full_env.pop("TF_USE_LEGACY_KERAS", None)
    return subprocess.run(
        [sys.executable, "-m", "compilelint", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        env=full_env,
        timeout=120,
    )


def test_problem_exits_1_and_clean_exits_0(tmp_path):
    (tmp_path / "bad.py").write_text(BROKEN)
    (tmp_path / "good.py").write_text(CLEAN)
    bad = run("check", "bad.py", cwd=tmp_path)
    assert bad.returncode == 1, bad.stderr
    assert "bad.py:3:" in bad.stdout and "CL101" in bad.stdout
    good = run("check", "good.py", cwd=tmp_path)
    assert good.returncode == 0, good.stdout + good.stderr
    assert good.stdout == ""


def test_exit_zero(tmp_path):
    (tmp_path / "bad.py").write_text(BROKEN)
    result = run("check", "--exit-zero", "bad.py", cwd=tmp_path)
    assert result.returncode == 0 and "CL101" in result.stdout


def test_json_output_fields(tmp_path):
    (tmp_path / "bad.py").write_text(BROKEN)
    result = run("check", "--output-format", "json", "bad.py", cwd=tmp_path)
    data = json.loads(result.stdout)
    assert len(data) == 1
    item = data[0]
    for key in ("code", "name", "message", "path", "line", "column", "end_line", "end_column", "severity", "fixable", "cell"):
        assert key in item
    assert item["code"] == "CL101" and item["name"] == "jit-compile-with-run-eagerly"
    assert item["line"] == 3 and item["cell"] is None and item["severity"] == "warning"
    assert item["column"] == BROKEN.splitlines()[2].index("jit_compile") + 1


def test_select_ignore_by_code_prefix_and_name(tmp_path):
    (tmp_path / "bad.py").write_text(BROKEN)
    assert run("check", "--ignore", "CL101", "bad.py", cwd=tmp_path).returncode == 0
    assert run("check", "--ignore", "jit-compile-with-run-eagerly", "bad.py", cwd=tmp_path).returncode == 0
    assert run("check", "--select", "CL2", "bad.py", cwd=tmp_path).returncode == 0
    assert run("check", "--select", "CL1", "bad.py", cwd=tmp_path).returncode == 1


def test_unknown_code_is_a_usage_error(tmp_path):
    (tmp_path / "bad.py").write_text(BROKEN)
    result = run("check", "--select", "CL999", "bad.py", cwd=tmp_path)
    assert result.returncode == 2
    assert "unknown rule code or name: 'CL999'" in result.stderr
    assert "Traceback" not in result.stderr


def test_keras_version_changes_the_message(tmp_path):
    (tmp_path / "bad.py").write_text(BROKEN)
    two = run("check", "--keras-version", "2", "bad.py", cwd=tmp_path).stdout
    three = run("check", "--keras-version", "3", "bad.py", cwd=tmp_path).stdout
    both = run("check", "--keras-version", "2,3", "bad.py", cwd=tmp_path).stdout
    assert "Keras 2 raises ValueError" in two and "Keras 3" not in two
    assert "Keras 3 warns" in three and "Keras 2" not in three
    assert "Keras 2 raises ValueError" in both and "Keras 3 warns" in both
    assert run("check", "--keras-version", "4", "bad.py", cwd=tmp_path).returncode == 2


def test_tf_use_legacy_keras_means_keras_2(tmp_path):
    (tmp_path / "bad.py").write_text(BROKEN)
    result = run("check", "bad.py", cwd=tmp_path, env={"TF_USE_LEGACY_KERAS": "1"})
    assert "Keras 3" in result.stdout  # the variable was removed by run(); see next call
    result = subprocess.run(
        [sys.executable, "-m", "compilelint", "check", "bad.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "TF_USE_LEGACY_KERAS": "1"},
    )
    assert "Keras 2 raises ValueError" in result.stdout


def test_syntax_error_is_reported_and_the_run_goes_on(tmp_path):
    (tmp_path / "a_broken.py").write_text("model.compile(loss='mse'\n")
    (tmp_path / "b_bad.py").write_text(BROKEN)
    result = run("check", ".", cwd=tmp_path)
    assert result.returncode == 1
    assert "a_broken.py:" in result.stdout and "CL001" in result.stdout
    assert "b_bad.py:3:" in result.stdout
    assert "Traceback" not in result.stderr


def test_undecodable_file_is_one_line_error_and_others_still_linted(tmp_path):
    (tmp_path / "latin.py").write_bytes(b"x = '\xe9'\nmodel.compile(loss='mse')\n")
    (tmp_path / "bad.py").write_text(BROKEN)
    result = run("check", ".", cwd=tmp_path)
    assert result.returncode == 2
    assert "latin.py: cannot decode as utf-8" in result.stderr
    assert "CL101" in result.stdout
    assert "Traceback" not in result.stderr


def test_missing_path(tmp_path):
    result = run("check", "nope.py", cwd=tmp_path)
    assert result.returncode == 2
    assert "nope.py: no such file or directory" in result.stderr


def test_stdin_with_filename(tmp_path):
    result = run("check", "-", "--stdin-filename", "train.py", cwd=tmp_path, stdin=BROKEN)
    assert result.returncode == 1
    assert result.stdout.startswith("train.py:3:")


def test_rule_command(tmp_path):
    by_code = run("rule", "CL201")
    by_name = run("rule", "loss-count-mismatch")
    assert by_code.returncode == 0 and by_code.stdout == by_name.stdout
    assert "## CL201 loss-count-mismatch" in by_code.stdout and "Why is this bad?" in by_code.stdout
    everything = json.loads(run("rule", "--all", "--output-format", "json").stdout)
    assert {"CL101", "CL201", "CL207"} <= {r["code"] for r in everything}
    assert run("rule", "CL999").returncode == 2


def test_version():
    result = run("--version")
    assert result.returncode == 0 and "compilelint" in result.stdout


def test_python_dash_m_from_the_checkout_finds_the_rules():
    result = run("rule", "CL101", cwd=REPO)
    assert result.returncode == 0, result.stderr
