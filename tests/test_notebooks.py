import json
import subprocess
import sys

import pytest

from compilelint.config import default_settings
from compilelint.engine import lint_source
from compilelint.notebooks import load_notebook, transform_cell
from compilelint.runner import lint_file
from compilelint.sources import SourceError

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

NOTEBOOKS = REPO / "fixtures" / "notebooks"
EXPECTED = json.loads((NOTEBOOKS / "expected.json").read_text())


def notebook_bytes(*cells: str, kinds: tuple[str, ...] | None = None) -> bytes:
    kinds = kinds or ("code",) * len(cells)
    return json.dumps(
        {
            "cells": [{"cell_type": kind, "metadata": {}, "source": text.splitlines(keepends=True)} for kind, text in zip(kinds, cells)],
            "metadata": {},
            "nbformat": 4,
            "nbformat_minor": 5,
        }
    ).encode()


def lint_notebook(data: bytes, keras="3"):
    source = load_notebook(data, "nb.ipynb")
    result = lint_source(source, default_settings(keras_version=keras, select=["ALL"]))
    assert not result.errors
    return result.diagnostics


@pytest.mark.parametrize("name", sorted(k for k in EXPECTED if k.endswith(".ipynb")))
def test_fixture_notebooks_give_the_expected_diagnostics(name):
    result = lint_file(str(NOTEBOOKS / name), default_settings(select=["ALL"]))
    assert not result.errors
    found = [[d.code, d.cell, d.span.line, d.span.column] for d in result.diagnostics]
    assert found == EXPECTED[name]


def test_every_fixture_notebook_has_expectations():
    assert {p.name for p in NOTEBOOKS.glob("*.ipynb")} == {k for k in EXPECTED if k.endswith(".ipynb")}


def test_names_flow_across_cells_and_positions_are_cell_relative():
    data = notebook_bytes(
        "# Setup\n",
        "import keras\nmodel = keras.Sequential([keras.layers.Dense(1)])\n",
        "%time x = 1\nmodel.compile(optimizer='adam', loss='mse',\n              jit_compile=True, run_eagerly=True)\n",
        kinds=("markdown", "code", "code"),
    )
    [jit, eager] = lint_notebook(data)
    assert (jit.code, jit.cell, jit.span.line, jit.span.column) == ("CL101", 3, 3, 15)
    assert (eager.code, eager.cell, eager.span.line) == ("CL109", 3, 3)


def test_magics_are_blanked_without_moving_lines():
    cell = (
        "%matplotlib inline\n"
        "files = !ls data\n"
        "!pip install keras \\\n"
        "    tensorflow\n"
        "x = (1\n"
        "     % 2)\n"
        "if x:\n"
        "    %timeit f()\n"
        "keras.Model?\n"
        "text = '''\n"
        "%not a magic inside a string\n"
        "'''\n"
    )
    assert list(transform_cell(cell).lines) == [
        "", "", "", "", "x = (1", "     % 2)", "if x:", "    pass;   f()", "", "text = '''", "%not a magic inside a string", "'''",
    ]


def test_cell_magic_with_a_non_python_body_blanks_the_cell():
    assert transform_cell("%%bash\nmodel.compile(run_eagerly=True)\n").lines == ("", "")
    assert transform_cell("%%time\nmodel.fit(x)\n").lines == ("", "model.fit(x)")


def test_a_broken_cell_is_reported_and_the_rest_is_linted():
    data = notebook_bytes(
        "import keras\nmodel = keras.Sequential([keras.layers.Dense(1)])\n",
        "for i in range(3)\n    model.compile(loss='mse')\n",
        "model.compile(optimizer='adam', loss='mse', run_eagerly=True)\n",
    )
    diagnostics = lint_notebook(data)
    assert [(d.code, d.cell, d.span.line) for d in diagnostics] == [("CL001", 2, 1), ("CL109", 3, 1)]
    assert "this cell was not checked" in diagnostics[0].message


def test_a_broken_cell_no_compile_call_depends_on_is_skipped_silently():
    data = notebook_bytes(
        "import keras\nmodel = keras.Sequential([keras.layers.Dense(1)])\n",
        "for i in range(3)\n    print(i)\n",
        "model.compile(optimizer='adam', loss='mse', run_eagerly=True)\n",
    )
    assert [(d.code, d.cell) for d in lint_notebook(data)] == [("CL109", 3)]


def test_noqa_in_a_cell_is_honoured():
    data = notebook_bytes(
        "import keras\nmodel = keras.Sequential([keras.layers.Dense(1)])\n",
        "model.compile(optimizer='adam', loss='mse', run_eagerly=True)  # noqa: CL109\n",
    )
    assert lint_notebook(data) == []


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"{not json", "invalid JSON"),
        (b"[]", "not a JSON object"),
        (b'{"cells": []}', "no 'nbformat'"),
        (b'{"nbformat": 3, "worksheets": []}', "nbformat 3 is not supported"),
        (b'{"nbformat": 4, "cells": {}}', "'cells' is not a list"),
        (b'{"nbformat": 4, "cells": [{"cell_type": "code", "source": 3}]}', "cell 1 has a source"),
        (b"\xff\xfe", "not UTF-8"),
    ],
)
def test_bad_notebooks_are_one_line_errors(data, reason):
    with pytest.raises(SourceError) as raised:
        load_notebook(data, "bad.ipynb")
    assert reason in str(raised.value) and "\n" not in str(raised.value)


def test_cli_finds_notebooks_in_folders_and_prints_cells(tmp_path):
    (tmp_path / "nb.ipynb").write_bytes((NOTEBOOKS / "mnist_training.ipynb").read_bytes())
    (tmp_path / "broken.ipynb").write_text("{")
    run = subprocess.run(
        [sys.executable, "-m", "compilelint", "check", "--select", "ALL", str(tmp_path)],
        capture_output=True, text=True, cwd=REPO,
    )
    assert f"{tmp_path / 'nb.ipynb'}:cell 7:5:5: CL101 " in run.stdout
    assert f"{tmp_path / 'broken.ipynb'}: not a notebook: invalid JSON" in run.stderr
    assert "Traceback" not in run.stderr and run.returncode == 2


def test_cli_reads_a_notebook_from_stdin(tmp_path):
    run = subprocess.run(
        [sys.executable, "-m", "compilelint", "check", "--select", "ALL", "--stdin-filename", "nb.ipynb", "-"],
        input=(NOTEBOOKS / "two_heads_broken_cell.ipynb").read_bytes(), capture_output=True, cwd=REPO,
    )
    assert b"nb.ipynb:cell 5:1:33: CL201 " in run.stdout and run.returncode == 1
