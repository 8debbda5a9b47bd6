"""Notebook findings in the CI formats sit where a CI system shows them: at the source line in
the .ipynb file itself, whatever its JSON layout and the escapes before the finding; SARIF
fixes are edits of the JSON text; ``full`` quotes the cell's own line."""

import json
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import jsonschema
import pytest

from compilelint.diagnostics import Diagnostic, Edit, Fix, Span
from compilelint.report.notebook_json import NotebookLayout
from compilelint.report.formatters import github, sarif
from compilelint.report.places import NotebookPlaces
from conftest import REPO, SARIF_SCHEMA_PATH

SARIF_SCHEMA = json.loads(SARIF_SCHEMA_PATH.read_text())

# Escapes (\", \t, \\, \u00e9 when ASCII-only) and non-ASCII before every finding, on
# earlier lines and on the finding's own line.
CELLS = [
    ("markdown", 'Tränïng "quoted"\t\\n 🙂\n'),
    ("code", '%pip install -q keras\ns = "ü\\t\\"x\\""  # naïve\t tab\nimport keras\nfrom keras.optimizers import Adam\n'),
    ("code", '    opt = Adam(name="ädam\\t🙂", lr=0.01)\n    model = keras.Sequential([keras.layers.Dense(1)])\n'),
    ("code", 'model.compile(optimizer=keras.optimizers.SGD(name="é\\"", lr=1), loss="mse",\tmetrics="mae")\n'),
    ("code", '%%writefile train.py\nimport keras\nm = keras.Sequential([keras.layers.Dense(1)])\nm.compile(optimizer=keras.optimizers.SGD(lr=1), loss="mse")  # «»\n'),
]
# (code, cell, the flagged source text), in report order.
FLAGGED = [
    ("CL401", 3, "lr=0.01"),
    ("CL401", 4, "lr=1"),
    ("CL304", 4, 'metrics="mae"'),
    ("CL401", 5, "lr=1"),
]
FIXED = {
    4: 'model.compile(optimizer=keras.optimizers.SGD(name="é\\"", learning_rate=1), loss="mse",\tmetrics=["mae"])\n',
    5: CELLS[4][1].replace("(lr=1)", "(learning_rate=1)"),
}


def notebook(cells=CELLS, as_list=True) -> dict:
    return {
        "cells": [
            {"cell_type": kind, "metadata": {}, "source": text.splitlines(keepends=True) if as_list else text}
            | ({"execution_count": None, "outputs": []} if kind == "code" else {})
            for kind, text in cells
        ],
        "metadata": {"language_info": {"name": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


LAYOUTS = {
    "jupyter": lambda nb: json.dumps(nb, indent=1, ensure_ascii=False) + "\n",
    "minified": lambda nb: json.dumps(nb, ensure_ascii=True),
    "crlf-indent-4": lambda nb: (json.dumps(nb, indent=4, ensure_ascii=False) + "\n").replace("\n", "\r\n"),
}


def json_lines(text: str) -> list[str]:
    return text.split("\n")  # a CI system's lines; a CRLF file's "\r" ends its line's text


def written_at(text: str, line: int, column: int, end_column: int) -> str:
    """The source text the JSON string holds between two columns of one JSON line."""
    return json.loads('"' + json_lines(text)[line - 1][column - 1 : end_column - 1] + '"')


def check(*args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "compilelint", "check", "--no-cache", "--keras-version", "3", *args],
        cwd=cwd, capture_output=True, text=True, input=stdin, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO)},
    )


@pytest.fixture(params=sorted(LAYOUTS))
def layout(request, tmp_path):
    text = LAYOUTS[request.param](notebook())
    path = tmp_path / "train.ipynb"
    path.write_bytes(text.encode("utf-8"))
    return tmp_path, text


def findings(output_format: str, cwd: Path) -> str:
    done = check("--output-format", output_format, "train.ipynb", cwd=cwd)
    assert done.returncode == 1 and not done.stderr, done.stderr
    return done.stdout


def test_the_cell_relative_formats_keep_cell_line_column(layout):
    cwd, _ = layout
    found = json.loads(findings("json", cwd))
    assert [(d["code"], d["cell"]) for d in found] == [(code, cell) for code, cell, _ in FLAGGED]
    for d, (_, cell, flagged) in zip(found, FLAGGED):
        own = CELLS[cell - 1][1].splitlines()[d["line"] - 1]
        assert own[d["column"] - 1 : d["end_column"] - 1] == flagged
    assert "train.ipynb:cell 3:1:" in findings("concise", cwd)


def test_github_annotations_point_at_the_ipynb_line_holding_the_flagged_code(layout):
    cwd, text = layout
    annotations = findings("github", cwd).splitlines()
    assert len(annotations) == len(FLAGGED)
    for annotation, (code, cell, flagged) in zip(annotations, FLAGGED):
        head, _, _ = annotation[2:].partition("::")
        properties = dict(part.split("=", 1) for part in head.split(" ", 1)[1].split(","))
        assert properties["title"].startswith(code) and properties["title"].endswith(f"(cell {cell})")
        line, end_line = int(properties["line"]), int(properties["endLine"])
        assert line == end_line
        assert written_at(text, line, int(properties["col"]), int(properties["endColumn"])) == flagged


def test_gitlab_issues_point_at_the_ipynb_line_holding_the_flagged_code(layout):
    cwd, text = layout
    issues = json.loads(findings("gitlab", cwd))
    assert len(issues) == len(FLAGGED)
    for issue, (code, cell, flagged) in zip(issues, FLAGGED):
        assert issue["description"].startswith(f"{code} (cell {cell})")
        begin, end = issue["location"]["positions"]["begin"], issue["location"]["positions"]["end"]
        assert begin["line"] == end["line"]
        assert written_at(text, begin["line"], begin["column"], end["column"]) == flagged


def test_sarif_results_point_at_the_ipynb_line_and_their_fixes_edit_the_json(layout):
    cwd, text = layout
    log = json.loads(findings("sarif", cwd))
    jsonschema.validate(log, SARIF_SCHEMA)
    results = log["runs"][0]["results"]
    for result, (code, cell, flagged) in zip(results, FLAGGED):
        assert result["ruleId"] == code and result["properties"]["cell"] == cell
        region = result["locations"][0]["physicalLocation"]["region"]
        assert written_at(text, region["startLine"], region["startColumn"], region["endColumn"]) == flagged
    # The indented cell's fix is not offered (its line is not the cell's text as linted);
    # the others are edits of the .ipynb text that leave JSON holding the fixed cells.
    assert [("fixes" in r) for r in results] == [False, True, True, True]
    fixed = apply_sarif_fixes(text, [r for r in results if "fixes" in r])
    cells = json.loads(fixed)["cells"]
    for cell, source in FIXED.items():
        assert "".join(cells[cell - 1]["source"]) == source
    assert [c["source"] for c in cells[:3]] == [c["source"] for c in notebook()["cells"][:3]]


def apply_sarif_fixes(text: str, results: list[dict]) -> str:
    """Each result's replacements applied to the text, as a SARIF viewer applies them
    (regions in code points, lines of the file)."""
    starts = [0] + [i + 1 for i, char in enumerate(text) if char == "\n"]
    edits = []
    for result in results:
        [fix] = result["fixes"]
        [change] = fix["artifactChanges"]
        assert change["artifactLocation"]["uri"] == "train.ipynb"
        for replacement in change["replacements"]:
            region = replacement["deletedRegion"]
            start = starts[region["startLine"] - 1] + region["startColumn"] - 1
            end = starts[region["endLine"] - 1] + region["endColumn"] - 1
            edits.append((start, end, replacement["insertedContent"]["text"]))
    for start, end, new_text in sorted(edits, reverse=True):
        text = text[:start] + new_text + text[end:]
    return text


def test_junit_cases_name_the_ipynb_line_and_the_cell(layout):
    cwd, text = layout
    cases = list(ElementTree.fromstring(findings("junit", cwd).encode()).iter("testcase"))
    assert len(cases) == len(FLAGGED)
    for case, (code, cell, flagged) in zip(cases, FLAGGED):
        assert case.get("name").startswith(f"{code} ") and f"(cell {cell}, line " in case.get("name")
        assert json.dumps(flagged)[1:-1] in json_lines(text)[int(case.get("line")) - 1]


def test_full_quotes_the_cells_own_line_with_the_caret_under_the_finding(tmp_path):
    (tmp_path / "train.ipynb").write_text(LAYOUTS["jupyter"](notebook()), encoding="utf-8")
    blocks = findings("full", tmp_path).split("\n\n")
    indented = next(b for b in blocks if b.startswith("train.ipynb:cell 3:1:"))
    _, _, quoted, carets = indented.splitlines()[:4]
    assert quoted == "1 |     opt = Adam(name=\"ädam\\t🙂\", lr=0.01)"
    assert quoted[carets.index("^") : carets.rindex("^") + 1] == "lr=0.01"
    written = next(b for b in blocks if b.startswith("train.ipynb:cell 5:4:"))  # a %%writefile cell
    _, _, quoted, carets = written.splitlines()[:4]
    assert quoted[carets.index("^") : carets.rindex("^") + 1] == "lr=1"


def test_stdin_notebooks_are_placed_in_the_text_read(tmp_path):
    text = LAYOUTS["minified"](notebook())
    done = check("--output-format", "gitlab", "--stdin-filename", "train.ipynb", "-", cwd=tmp_path, stdin=text)
    issues = json.loads(done.stdout)
    assert [issue["location"]["path"] for issue in issues] == ["train.ipynb"] * len(FLAGGED)
    for issue, (_, _, flagged) in zip(issues, FLAGGED):
        begin, end = issue["location"]["positions"]["begin"], issue["location"]["positions"]["end"]
        assert written_at(text, begin["line"], begin["column"], end["column"]) == flagged


def test_stdin_fix_places_the_remaining_problems_in_the_fixed_notebook(tmp_path):
    """Fixing the first cell moves what follows it on the one line of a minified notebook."""
    cells = [CELLS[1], ("code", "model = keras.Sequential([keras.layers.Dense(1)])\n"), CELLS[3], ("code", "    opt = Adam(lr=0.01)\n")]
    text = LAYOUTS["minified"](notebook(cells))
    done = check("--fix", "--output-format", "github", "--stdin-filename", "train.ipynb", "-", cwd=tmp_path, stdin=text)
    assert done.returncode == 1
    fixed = done.stdout
    assert json.loads(fixed)["cells"][2]["source"] == [FIXED[4]]
    [annotation] = [line for line in done.stderr.splitlines() if line.startswith("::")]
    properties = dict(part.split("=", 1) for part in annotation[2:].partition("::")[0].split(" ", 1)[1].split(","))
    assert written_at(fixed, int(properties["line"]), int(properties["col"]), int(properties["endColumn"])) == "lr=0.01"


# -- edits of the JSON text, and what is left out ----------------------------------------------


def test_an_edit_across_the_strings_of_a_list_source_is_left_out_and_inside_one_string_kept():
    cells = [("code", "import keras\nmodel.compile(loss='mse',\n              metrics='mae')\n")]
    spanning = Diagnostic("CL304", "metrics-not-a-list", "m", "nb.ipynb", Span(2, 15, 3, 29), cell=1,
                          fix=Fix("Join", (Edit(Span(2, 26, 3, 15), " "),)))
    for as_list, kept in ((True, False), (False, True)):
        text = json.dumps(notebook(cells, as_list=as_list), indent=1)
        places = NotebookPlaces({"nb.ipynb": text})
        [result] = json.loads(sarif([spanning], locate=places.locate, locate_edit=places.edit))["runs"][0]["results"]
        assert ("fixes" in result) == kept
        if kept:
            source = json.loads(apply_sarif_fixes_at(text, result))["cells"][0]["source"]
            assert source == "import keras\nmodel.compile(loss='mse', metrics='mae')\n"


def apply_sarif_fixes_at(text: str, result: dict) -> str:
    result = {**result, "fixes": [{**result["fixes"][0], "artifactChanges": [{**result["fixes"][0]["artifactChanges"][0], "artifactLocation": {"uri": "train.ipynb"}}]}]}
    return apply_sarif_fixes(text, [result])


def test_a_layout_that_cannot_be_read_keeps_the_cell_position_and_drops_the_fix(tmp_path):
    in_cell = Diagnostic("CL401", "optimizer-lr-argument", "m", str(tmp_path / "gone.ipynb"), Span(2, 5, 2, 9), cell=3,
                         fix=Fix("Rename", (Edit(Span(2, 5, 2, 7), "learning_rate"),)))
    places = NotebookPlaces()
    assert "line=2,col=5" in github([in_cell], locate=places.locate)
    [result] = json.loads(sarif([in_cell], locate=places.locate, locate_edit=places.edit))["runs"][0]["results"]
    assert "fixes" not in result


def test_a_notebook_is_read_once_and_only_when_it_has_a_finding(tmp_path, monkeypatch):
    import compilelint.sources as sources

    text = LAYOUTS["jupyter"](notebook())
    path = tmp_path / "train.ipynb"
    path.write_text(text, encoding="utf-8")
    reads = []
    real = sources.read_bytes
    monkeypatch.setattr(sources, "read_bytes", lambda p: reads.append(p) or real(p))
    places = NotebookPlaces()
    first = Diagnostic("CL401", "optimizer-lr-argument", "m", str(path), Span(1, 28, 1, 35), cell=3)
    second = Diagnostic("CL401", "optimizer-lr-argument", "m", str(path), Span(1, 56, 1, 60), cell=4)
    plain = Diagnostic("CL401", "optimizer-lr-argument", "m", str(tmp_path / "train.py"), Span(1, 1, 1, 2))
    github([first, second, plain], locate=places.locate)
    assert reads == [str(path)]


def test_the_layout_maps_columns_through_escapes():
    text = json.dumps(notebook([("code", 'x = "\\t\\"é"\t# «\n')]), ensure_ascii=True)
    layout = NotebookLayout(text)
    line = 'x = "\\t\\"é"\t# «'
    for column, char in enumerate(line, start=1):
        json_line, json_column = layout.position(1, 1, column)
        assert written_at(text, json_line, json_column, json_column + len(json.dumps(char)) - 2) == char
