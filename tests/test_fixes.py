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
    assert "CL301" in fixed.stdout and "CL401" not in fixed.stdout and "Fixed 5 problems." in fixed.stderr
    assert path.read_text().startswith(FIXED)
    again = cli("--diff", str(path))
    assert again.returncode == 0 and again.stdout == ""


def test_cli_fix_on_stdin_prints_the_fixed_text():
    result = cli("--fix", "-", stdin=BROKEN)
    assert result.returncode == 0, result.stderr
    assert result.stdout == FIXED
    remaining = cli("--fix", "-", stdin=FIXED + "model.compile(loss='mse', optimizer='adamm')\n")
    assert remaining.returncode == 1 and remaining.stdout.startswith(FIXED)
