"""The flake8 plugin, run by the real flake8 through its entry point."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("flake8")

REPO = Path(__file__).resolve().parent.parent

CODE = """import keras

model = keras.Sequential([keras.layers.Dense(1)])
model.compile(optimizer="adam", loss="mse", jit_compile=True, run_eagerly=True)
"""


@pytest.fixture
def flake8(tmp_path):
    """Run the real flake8, which finds compilelint through its installed entry point."""
    env = {**os.environ, "HOME": str(tmp_path)}

    def run(*args, stdin=None, cwd=tmp_path):
        return subprocess.run(
            [sys.executable, "-m", "flake8", "--isolated", *args], capture_output=True, text=True, cwd=cwd, env=env, input=stdin
        )

    return run


def test_flake8_reports_compilelint_codes_with_flake8_columns(flake8, tmp_path):
    (tmp_path / "train.py").write_text(CODE)
    run = flake8("--select", "CL", "--compilelint-keras-version", "3", "train.py")
    assert run.returncode == 1, run.stderr
    lines = run.stdout.splitlines()
    # compilelint check reports the same positions (1-based), so the columns agree.
    check = subprocess.run(
        [sys.executable, "-m", "compilelint", "check", "--no-cache", "--keras-version", "3", "train.py"],
        capture_output=True, text=True, cwd=tmp_path, env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
    )
    expected = [line for line in check.stdout.splitlines() if line.startswith("train.py:")]
    assert lines == expected and len(lines) == 1
    assert lines[0].startswith("train.py:4:45: CL101 ")


def test_flake8_select_other_codes_hides_compilelint(flake8, tmp_path):
    (tmp_path / "train.py").write_text(CODE)
    run = flake8("--select", "E999", "train.py")
    assert run.returncode == 0 and run.stdout == ""


def test_noqa_is_honoured(flake8, tmp_path):
    suppressed = CODE.replace("run_eagerly=True)", "run_eagerly=True)  # noqa: CL101")
    (tmp_path / "train.py").write_text(suppressed)
    run = flake8("--select", "CL", "--compilelint-keras-version", "3", "train.py")
    assert run.stdout == "" and run.returncode == 0, run.stdout


def test_project_config_is_used(flake8, tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.compilelint]\nextend-select = ["run-eagerly-enabled"]\n')
    (tmp_path / "train.py").write_text(CODE)
    run = flake8("--select", "CL", "--compilelint-keras-version", "3", "train.py")
    assert [line.split()[1] for line in run.stdout.splitlines()] == ["CL101", "CL109"]


def test_flake8_on_stdin(flake8):
    run = flake8("--select", "CL", "--compilelint-keras-version", "2", "--stdin-display-name", "nb_export.py", "-", stdin=CODE)
    assert run.returncode == 1
    assert run.stdout.startswith("nb_export.py:4:45: CL101 ") and "Keras 2 raises ValueError" in run.stdout


def test_each_file_takes_its_nearest_config_as_in_compilelint_check(flake8, tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.compilelint]\nextend-select = ["CL109"]\n')
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "pyproject.toml").write_text('[tool.compilelint]\nignore = ["CL101"]\n')
    (tmp_path / "top.py").write_text(CODE)
    (tmp_path / "sub" / "train.py").write_text(CODE.replace("jit_compile=True, ", ""))
    for cwd in (tmp_path, tmp_path / "sub"):
        run = flake8("--select", "CL", "--compilelint-keras-version", "3", str(tmp_path), cwd=cwd)
        found = sorted((Path(line.split(":")[0]).name, line.split()[1]) for line in run.stdout.splitlines())
        assert found == [("top.py", "CL101"), ("top.py", "CL109")], (cwd, run.stdout)
    check = subprocess.run(
        [sys.executable, "-m", "compilelint", "check", "--no-cache", "--keras-version", "3", "."],
        capture_output=True, text=True, cwd=tmp_path / "sub",
    )
    assert check.stdout == "All checks passed!\n"
