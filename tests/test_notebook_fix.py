"""check --fix / --diff on notebooks: only the fixed cells' source changes, magics stay."""

import json
import subprocess
import sys
from pathlib import Path

from compilelint.config import default_settings
from compilelint.engine import lint_source
from compilelint.notebooks import load_notebook

REPO = Path(__file__).resolve().parent.parent

SETUP = "%pip install -q keras\n!nvidia-smi\nimport keras\nfrom keras.optimizers import Adam\n"
MODEL = "%%time\nmodel = keras.Sequential([keras.layers.Dense(1)])\n"
COMPILE = "%matplotlib inline\nmodel.compile(optimizer=Adam(lr=0.001),\n              loss='mse')\n!echo done\n"


def notebook() -> dict:
    return {
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": ["# Training\n", "Adam(lr=1)"]},
            {"cell_type": "code", "execution_count": 1, "metadata": {"tags": ["setup"]}, "outputs": [], "source": SETUP.splitlines(keepends=True)},
            {"cell_type": "code", "execution_count": 2, "metadata": {}, "outputs": [{"name": "stdout", "output_type": "stream", "text": ["Wall time: 1 s\n"]}], "source": MODEL.splitlines(keepends=True)},
            {"cell_type": "code", "execution_count": 3, "metadata": {"collapsed": False}, "outputs": [], "source": COMPILE.splitlines(keepends=True)},
        ],
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}, "language_info": {"name": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def write(tmp_path: Path, indent=1, ensure_ascii=False) -> Path:
    path = tmp_path / "train.ipynb"
    path.write_text(json.dumps(notebook(), indent=indent, ensure_ascii=ensure_ascii) + "\n", encoding="utf-8")
    return path


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "compilelint", "check", "--no-cache", "--keras-version", "3", *args], cwd=cwd, capture_output=True, text=True)


def test_fix_edits_are_cell_relative_like_their_diagnostic(tmp_path):
    source = load_notebook(write(tmp_path).read_bytes(), "train.ipynb")
    [diagnostic] = [d for d in lint_source(source, default_settings(keras_version="3", select=["ALL"])).diagnostics if d.fix]
    assert (diagnostic.code, diagnostic.cell, diagnostic.span.line) == ("CL401", 4, 2)
    [edit] = diagnostic.fix.edits
    assert edit.span.line == 2 and COMPILE.splitlines()[1][edit.span.column - 1 : edit.span.end_column - 1] in ("lr", "lr=0.001")


def test_fix_rewrites_only_the_fixed_cell_and_keeps_magics_outputs_and_layout(tmp_path):
    path = write(tmp_path)
    before = path.read_text()
    done = run("--fix", "train.ipynb", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "(1 fixed, 0 remaining)" in done.stdout
    after = json.loads(path.read_text())
    expected = notebook()
    fixed_source = "".join(after["cells"][3]["source"])
    assert fixed_source == COMPILE.replace("Adam(lr=0.001)", "Adam(learning_rate=0.001)")
    expected["cells"][3]["source"] = after["cells"][3]["source"]
    assert after == expected  # outputs, metadata, markdown and the other cells untouched
    assert isinstance(after["cells"][3]["source"], list)
    # the layout: the same text as the original except the one changed line
    changed = [(a, b) for a, b in zip(before.splitlines(), path.read_text().splitlines()) if a != b]
    assert len(before.splitlines()) == len(path.read_text().splitlines())
    assert changed == [('    "model.compile(optimizer=Adam(lr=0.001),\\n",', '    "model.compile(optimizer=Adam(learning_rate=0.001),\\n",')]
    assert run("--fix", "train.ipynb", cwd=tmp_path).returncode == 0
    assert json.loads(path.read_text()) == after  # a second --fix changes nothing


def test_diff_shows_the_change_and_writes_nothing(tmp_path):
    path = write(tmp_path, indent=2, ensure_ascii=True)
    before = path.read_bytes()
    done = run("--diff", "train.ipynb", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert '-        "model.compile(optimizer=Adam(lr=0.001),\\n",' in done.stdout
    assert '+        "model.compile(optimizer=Adam(learning_rate=0.001),\\n",' in done.stdout
    assert path.read_bytes() == before


def test_a_notebook_whose_layout_cannot_be_reproduced_is_left_alone(tmp_path):
    path = tmp_path / "train.ipynb"
    text = json.dumps(notebook(), indent=1).replace('"nbformat": 4', '"nbformat":    4')
    path.write_text(text)
    done = run("--fix", "train.ipynb", cwd=tmp_path)
    assert done.returncode == 2
    assert "train.ipynb" in done.stderr and "layout" in done.stderr and "Traceback" not in done.stderr
    assert path.read_text() == text
