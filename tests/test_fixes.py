"""Safe fixes end to end: the text they produce, how files are written, and the CLI flags."""

import codecs
import os
import stat
import subprocess
import sys

import libcst as cst
import pytest
from conftest import REPO

from compilelint.config import default_settings
from compilelint.diagnostics import Edit, Fix, Span
from compilelint.fixes import (
    FixError,
    apply_fixes,
    fix_text,
    read_file_text,
    unified_diff,
    write_atomically,
)

BROKEN = (
    "import keras  # keep this comment\n"
    "model = keras.Sequential([keras.layers.Dense(1)])\n"
    "opt = keras.optimizers.Adam(lr=5e-5)  # fine-tuning rate\n"
    "model.compile(\n"
    "    opt,  # optimizer\n"
    "    'categorical_crossentropy',\n"
    "    ['accuracy'],  # these are metrics\n"
    "    experimental_steps_per_execution=4,\n"
    ")\n"
    "model.compile(optimizer='adam', loss='mse', metrics='mae', weighted_metrics={'mse'})\n"
)
FIXED = (
    "import keras  # keep this comment\n"
    "model = keras.Sequential([keras.layers.Dense(1)])\n"
    "opt = keras.optimizers.Adam(learning_rate=5e-5)  # fine-tuning rate\n"
    "model.compile(\n"
    "    opt,  # optimizer\n"
    "    'categorical_crossentropy',\n"
    "    metrics=['accuracy'],  # these are metrics\n"
    "    steps_per_execution=4,\n"
    ")\n"
    "model.compile(optimizer='adam', loss='mse', metrics=['mae'], weighted_metrics=['mse'])\n"
)


def settings():
    return default_settings(keras_version="2,3", select=["CL3", "CL4"])


def test_every_safe_fix_applies_and_keeps_comments():
    outcome = fix_text(BROKEN, "example.py", settings())
    assert outcome.fixed == FIXED
    assert outcome.applied == 5
    assert outcome.result.diagnostics == []
    cst.parse_module(outcome.fixed)


def test_a_second_fix_changes_nothing():
    outcome = fix_text(FIXED, "example.py", settings())
    assert outcome.fixed == FIXED and outcome.applied == 0


def test_overlapping_fixes_wait_for_the_next_round():
    text = "abcdef\n"
    first = Fix("one", (Edit(Span(1, 1, 1, 4), "X"),))
    overlapping = Fix("two", (Edit(Span(1, 3, 1, 5), "Y"),))
    later = Fix("three", (Edit(Span(1, 6, 1, 7), "Z"),))
    assert apply_fixes(text, [first, overlapping, later]) == ("XdeZ\n", 2)


def test_columns_count_from_line_starts_with_any_line_ending():
    text = "a = 1\r\nb = 22\rc = 3\n"
    fix = Fix("x", (Edit(Span(2, 5, 2, 7), "33"), Edit(Span(3, 1, 3, 2), "d")))
    assert apply_fixes(text, [fix]) == ("a = 1\r\nb = 33\rd = 3\n", 1)


@pytest.mark.parametrize(
    "prefix, encoding, newline",
    [(b"", "utf-8", "\r\n"), (codecs.BOM_UTF8, "utf-8", "\n"), (b"# -*- coding: latin-1 -*-\n", "latin-1", "\n")],
)
def test_written_file_keeps_encoding_line_endings_and_mode(tmp_path, prefix, encoding, newline):
    body = ("# caf\u00e9\n" + BROKEN.rstrip("\n")).replace("\n", newline)  # no trailing newline
    path = tmp_path / "train.py"
    path.write_bytes(prefix + body.encode(encoding))
    os.chmod(path, 0o640)
    original = read_file_text(str(path))
    outcome = fix_text(original.text, str(path), settings())
    write_atomically(original, outcome.fixed)
    expected = ("# caf\u00e9\n" + FIXED.rstrip("\n")).replace("\n", newline)
    assert path.read_bytes() == prefix + expected.encode(encoding)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640
    assert os.listdir(tmp_path) == ["train.py"]


def test_a_file_changed_on_disk_is_left_alone(tmp_path):
    path = tmp_path / "train.py"
    path.write_text(BROKEN)
    original = read_file_text(str(path))
    path.write_text(BROKEN + "# edited meanwhile\n")
    with pytest.raises(FixError, match="changed on disk"):
        write_atomically(original, FIXED)
    assert path.read_text() == BROKEN + "# edited meanwhile\n"
    assert os.listdir(tmp_path) == ["train.py"]


def test_diff_is_a_unified_diff_of_the_fix():
    outcome = fix_text(BROKEN, "train.py", settings())
    diff = unified_diff(outcome)
    assert diff.startswith("--- a/train.py\n+++ b/train.py\n")
    assert "-opt = keras.optimizers.Adam(lr=5e-5)  # fine-tuning rate\n+opt = keras.optimizers.Adam(learning_rate=5e-5)  # fine-tuning rate\n" in diff


def cli(*args, stdin=None, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "compilelint", "check", "--no-cache", "--keras-version", "2,3", "--select", "CL3,CL4", *args],
        input=stdin, capture_output=True, text=True, cwd=cwd or REPO, env={**os.environ, "PYTHONPATH": str(REPO)},
    )


def test_cli_diff_leaves_files_untouched_and_fix_writes_them(tmp_path):
    path = tmp_path / "train.py"
    path.write_text(BROKEN + "model.compile(optimizer='adam', loss='mse', metrics=['mae'], jit_complie=True)\n")
    shown = cli("--diff", str(path))
    assert shown.returncode == 1, shown.stderr
    assert "+    metrics=['accuracy'],  # these are metrics\n" in shown.stdout
    assert path.read_text().startswith(BROKEN)
    fixed = cli("--fix", str(path))
    assert fixed.returncode == 1  # the misspelt keyword has no safe fix and remains
    assert "CL301" in fixed.stdout and "CL401" not in fixed.stdout
    assert fixed.stdout.endswith("Found 6 problems (5 fixed, 1 remaining).\n") and fixed.stderr == ""  # one stream
    assert path.read_text().startswith(FIXED)
    again = cli("--diff", str(path))
    assert again.returncode == 0 and again.stdout == ""


def test_cli_fix_on_stdin_prints_the_fixed_text():
    result = cli("--fix", "-", stdin=BROKEN)
    assert result.returncode == 0, result.stderr
    assert result.stdout == FIXED
    remaining = cli("--fix", "-", stdin=FIXED + "model.compile(loss='mse', optimizer='adamm')\n")
    assert remaining.returncode == 1 and remaining.stdout.startswith(FIXED)


# -- unsafe fixes: applied only with --unsafe-fixes ------------------------------------------

TWO_OUTPUT_METRIC = (
    "import keras\n"
    "inputs = keras.Input(shape=(8,))\n"
    "model = keras.Model(inputs, [keras.layers.Dense(1, name='a')(inputs), keras.layers.Dense(1, name='b')(inputs)])\n"
    "model.compile(optimizer='adam', loss='mse', metrics='mae')\n"
)


def test_cl304_on_a_multi_output_model_is_an_unsafe_fix():
    """Keras 3 reads metrics=['mae'] on two outputs as one metric per output and fails at fit()
    (CL205): the wrap that is right for one output would move the error, not fix it."""
    keras3 = default_settings(keras_version="3")
    outcome = fix_text(TWO_OUTPUT_METRIC, "train.py", keras3)
    assert outcome.applied == 0 and outcome.fixed == TWO_OUTPUT_METRIC
    [diagnostic] = outcome.result.diagnostics
    assert diagnostic.code == "CL304" and diagnostic.fix is not None and not diagnostic.fix.safe
    forced = fix_text(TWO_OUTPUT_METRIC, "train.py", default_settings(keras_version="3", unsafe_fixes=True))
    assert "metrics=['mae']" in forced.fixed and [d.code for d in forced.result.diagnostics] == ["CL205"]
    single = TWO_OUTPUT_METRIC.replace(", keras.layers.Dense(1, name='b')(inputs)]", "]")
    assert fix_text(single, "train.py", keras3).result.diagnostics == []  # one output: safe, and fixed


def test_cli_marks_and_applies_unsafe_fixes_only_when_asked(tmp_path):
    path = tmp_path / "train.py"
    path.write_text(TWO_OUTPUT_METRIC)
    shown = cli("--keras-version", "3", str(path), cwd=tmp_path)
    [line] = [line for line in shown.stdout.splitlines() if "CL304" in line]
    assert "[*]" not in line and "No safe fixes; 1 fixable with --fix --unsafe-fixes." in shown.stdout
    assert cli("--diff", str(path), cwd=tmp_path).stdout == ""
    assert cli("--fix", str(path), cwd=tmp_path).returncode == 1 and path.read_text() == TWO_OUTPUT_METRIC
    assert "+model.compile(optimizer='adam', loss='mse', metrics=['mae'])" in cli("--diff", "--unsafe-fixes", str(path), cwd=tmp_path).stdout
    full = cli("--output-format", "full", str(path), cwd=tmp_path).stdout
    assert "= fix (unsafe, applied only with --unsafe-fixes): Wrap the metric in a list" in full
    (tmp_path / "pyproject.toml").write_text("[tool.compilelint]\nunsafe-fixes = true\n")
    assert "[*]" in cli(str(path), cwd=tmp_path).stdout


# -- --fix on standard input: the fixed text on stdout, the rest on stderr -------------------


def test_cli_fix_on_stdin_sends_remaining_problems_to_stderr():
    remaining = cli("--fix", "--stdin-filename", "train.py", "-", stdin=BROKEN + "model.compile(loss='mse', optimizer='adamm')\n")
    assert remaining.returncode == 1
    assert remaining.stdout == FIXED + "model.compile(loss='mse', optimizer='adamm')\n"
    assert "train.py:11:" in remaining.stderr and "CL307" in remaining.stderr
    assert "(5 fixed, 1 remaining)" in remaining.stderr


def test_cli_fix_on_stdin_prints_the_fixed_notebook_json(tmp_path):
    import json

    cells = [
        {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": ["%pip install keras\n", "import keras\n"]},
        {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
         "source": ["opt = keras.optimizers.Adam(lr=0.1)\n", "model = keras.Sequential([keras.layers.Dense(1)])\n",
                    "model.compile(optimizer=opt, loss='mse', optimizer_name='x')"]},
    ]
    notebook = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    text = json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"
    result = cli("--fix", "--stdin-filename", "nb.ipynb", "-", stdin=text, cwd=tmp_path)
    assert result.returncode == 1, result.stderr  # the unknown keyword has no fix and remains
    fixed = json.loads(result.stdout)
    assert fixed["cells"][1]["source"][0] == "opt = keras.optimizers.Adam(learning_rate=0.1)\n"
    assert fixed["cells"][0] == cells[0]
    assert result.stdout == text.replace("Adam(lr=0.1)", "Adam(learning_rate=0.1)")  # the layout kept
    assert "nb.ipynb:cell 2:3:" in result.stderr and "CL301" in result.stderr
    assert not list(tmp_path.iterdir())  # nothing written


def test_cli_fix_on_stdin_gives_undecodable_input_back_unchanged():
    data = b"x = '\xe9'\nmodel.compile(loss='mse')\n"
    done = subprocess.run(
        [sys.executable, "-m", "compilelint", "check", "--no-cache", "--fix", "-"], input=data, capture_output=True, cwd=REPO
    )
    assert done.returncode == 2 and done.stdout == data
    assert b"cannot decode as utf-8" in done.stderr
