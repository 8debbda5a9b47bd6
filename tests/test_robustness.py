"""Bad input through the real command line: one line on stderr naming the file, no
traceback, and the other files of the same run still linted."""

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import pytest

from compilelint import registry
from compilelint.config import default_settings
from compilelint.engine import lint_text

GOOD = 'import keras\nmodel = keras.Sequential([keras.layers.Dense(1)])\nmodel.compile(optimizer="adam", loss="mse", metrics="accuracy")\n'


def check(tmp_path: Path, *paths: str) -> subprocess.CompletedProcess:
    (tmp_path / "good.py").write_text(GOOD)
    done = subprocess.run(
        [sys.executable, "-m", "compilelint", "check", "--no-cache", "--keras-version", "3", "good.py", *paths],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )
    assert "Traceback" not in done.stderr and "Traceback" not in done.stdout
    assert "good.py:3:45: CL304" in done.stdout  # the other file of the run was linted
    return done


def error_lines(done) -> list[str]:
    return [line for line in done.stderr.splitlines() if line.startswith("compilelint: error:")]


def assert_one_error(done, name: str, words: str) -> None:
    [line] = error_lines(done)
    assert name in line and words in line
    assert done.returncode == 2


def test_syntax_error_is_cl001_with_pythons_message_and_position(tmp_path):
    (tmp_path / "broken.py").write_text("import keras\nmodel.compile(loss=\n")
    done = check(tmp_path, "broken.py")
    assert "broken.py:2:14: CL001 SyntaxError: '(' was never closed; the file was not checked" in done.stdout
    assert done.returncode == 1 and not error_lines(done)


@pytest.mark.parametrize(
    "data, line",
    [
        (b"\xef\xbb\xbf" + GOOD.encode(), 3),
        (GOOD.replace("\n", "\r\n").replace("model.compile", "\r\nmodel.compile").encode(), 4),
        (GOOD.replace("\n", "\r").replace("model.compile", "\rmodel.compile").encode(), 4),
        ("# -*- coding: latin-1 -*-\nname = 'café'\n".encode("latin-1") + GOOD.encode(), 5),
    ],
    ids=["bom", "crlf", "cr-only", "pep263-latin-1"],
)
def test_encodings_and_line_endings_lint_normally_at_the_right_line(tmp_path, data, line):
    (tmp_path / "odd.py").write_bytes(data)
    done = check(tmp_path, "odd.py")
    assert f"odd.py:{line}:45: CL304" in done.stdout
    assert not error_lines(done) and done.returncode == 1


def test_non_utf8_without_a_coding_line_is_reported(tmp_path):
    (tmp_path / "latin.py").write_bytes("name = 'café'\nmodel.compile(loss='mse')\n".encode("latin-1"))
    assert_one_error(check(tmp_path, "latin.py"), "latin.py", "cannot decode as utf-8")


def test_nul_bytes_and_binary_files_are_reported(tmp_path):
    (tmp_path / "binary.py").write_bytes(b"x.compile(\x00\x01\xff\xfe)" + os.urandom(64))
    assert_one_error(check(tmp_path, "binary.py"), "binary.py", "NUL bytes")


def test_an_empty_file_is_fine(tmp_path):
    (tmp_path / "empty.py").write_bytes(b"")
    done = check(tmp_path, "empty.py")
    assert not error_lines(done) and done.returncode == 1


@pytest.mark.parametrize(
    "code",
    [
        "model.compile(loss=" + "[" * 5000 + "]" * 5000 + ")\n",
        "model.compile(loss=" + "(" * 500 + "1" + ")" * 500 + ")\n",
        "model.compile(loss=1" + "+1" * 50000 + ")\n",
    ],
    ids=["5000-brackets", "500-parens", "long-operator-chain"],
)
def test_deep_nesting_neither_crashes_nor_hangs(tmp_path, code):
    (tmp_path / "deep.py").write_text(code)
    done = check(tmp_path, "deep.py")
    reported = [line for line in done.stdout.splitlines() if line.startswith("deep.py")] + error_lines(done)
    assert len(reported) == 1 and ("nested" in reported[0])


def test_a_very_large_file_is_linted_with_right_line_numbers(tmp_path):
    filler = "".join(f"value_{i} = [{i}, {{'k': {i}}}]\n" for i in range(4000))
    (tmp_path / "large.py").write_text(filler + GOOD)
    (tmp_path / "huge_plain.py").write_text("x = 1\n" * 500_000)  # 3 MB without a compile call
    done = check(tmp_path, "large.py", "huge_plain.py")
    assert "large.py:4003:45: CL304" in done.stdout
    assert not error_lines(done)


@pytest.mark.parametrize(
    "text, words",
    [("not json at all", "invalid JSON"), ('{"cells": []}', "no 'nbformat'"), ('{"nbformat": 3, "worksheets": []}', "nbformat 3"), ("[1, 2]", "not a JSON object")],
)
def test_broken_notebooks_are_reported(tmp_path, text, words):
    (tmp_path / "nb.ipynb").write_text(text)
    assert_one_error(check(tmp_path, "nb.ipynb"), "nb.ipynb", words)


def test_a_path_that_does_not_exist_is_reported(tmp_path):
    assert_one_error(check(tmp_path, "missing.py"), "missing.py", "no such file")


def test_unreadable_paths_found_in_a_folder_are_reported(tmp_path):
    # Tests run as root, who can read a chmod 000 file; a FIFO (which would block a plain
    # open forever) and a broken symlink are what root cannot read.
    folder = tmp_path / "pkg"
    folder.mkdir()
    os.mkfifo(folder / "pipe.py")
    (folder / "dangling.py").symlink_to(tmp_path / "nowhere.py")
    (folder / "locked.py").write_text(GOOD)
    os.chmod(folder / "locked.py", 0)
    done = check(tmp_path, "pkg")
    lines = error_lines(done)
    assert any("pipe.py" in line and "not a regular file" in line for line in lines)
    assert any("dangling.py" in line for line in lines)
    if os.geteuid() != 0:
        assert any("locked.py" in line and "cannot read" in line for line in lines)
    assert done.returncode == 2


def test_symlink_loops_in_folders_end(tmp_path):
    folder = tmp_path / "pkg"
    folder.mkdir()
    (folder / "loop").symlink_to(folder)
    (folder / "inner.py").write_text(GOOD)
    done = check(tmp_path, "pkg")
    assert done.stdout.count("inner.py:3:45: CL304") == 1


def test_a_bad_config_exits_2_with_one_line(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.compilelint]\nselect = 12\n")
    (tmp_path / "good.py").write_text(GOOD)
    done = subprocess.run([sys.executable, "-m", "compilelint", "check", "--no-cache", "good.py"], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    [line] = error_lines(done)
    assert "select" in line


class _BrokenRule:
    code, name = "CL999", "always-crashes"

    def check(self, site, context):
        raise KeyError("boom")

    def check_module(self, context):
        return []


def test_an_internal_error_in_one_rule_names_the_rule_and_the_others_run(monkeypatch):
    real = registry.rules_by_code()
    monkeypatch.setattr("compilelint.engine.rules_by_code", lambda: {**real, "CL999": _BrokenRule()})
    settings = dataclasses.replace(default_settings(keras_version="3", select=["ALL"]), enabled=frozenset({*real, "CL999"}))
    result = lint_text(GOOD, "model.py", settings)
    assert result.internal_error
    assert result.errors == ["model.py: internal error in CL999 (always-crashes): KeyError: 'boom'"]
    assert [d.code for d in result.diagnostics] == ["CL304"]  # the other rules still ran
