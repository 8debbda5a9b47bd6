"""Each output format, read back by the parser or schema its consumer uses."""

import json
import re
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import jsonschema
import pytest

from compilelint.diagnostics import Diagnostic, Edit, Fix, Span
from compilelint.report.formatters import FORMATTERS, full, github, gitlab, json_lines, junit, sarif

REPO = Path(__file__).resolve().parent.parent
SARIF_SCHEMA = json.loads((REPO / "tests" / "data" / "sarif-schema-2.1.0.json").read_text())

FIXED = Diagnostic(
    code="CL101",
    name="jit-compile-with-run-eagerly",
    message="jit_compile and run_eagerly are both on: 100% eager, no XLA, see: docs",
    path="src/train.py",
    span=Span(3, 15, 3, 31),
    severity="warning",
    fix=Fix("Remove run_eagerly=True", (Edit(Span(3, 33, 3, 51), ""),)),
)
IN_CELL = Diagnostic("CL201", "loss-count-mismatch", "3 losses for 2 outputs", "nb/heads.ipynb", Span(1, 33, 1, 61), cell=5)
DIAGNOSTICS = [IN_CELL, FIXED, FIXED]


def test_sarif_is_valid_against_the_official_schema():
    log = json.loads(sarif(DIAGNOSTICS))
    jsonschema.validate(log, SARIF_SCHEMA)
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert all(rule["help"]["text"] and rule["helpUri"].startswith("https://") for rule in rules)
    [cell, fixed, _] = run["results"]
    assert rules[fixed["ruleIndex"]]["id"] == "CL101" and fixed["level"] == "warning"
    assert fixed["locations"][0]["physicalLocation"]["region"] == {"startLine": 3, "startColumn": 15, "endLine": 3, "endColumn": 31}
    replacement = fixed["fixes"][0]["artifactChanges"][0]["replacements"][0]
    assert replacement["deletedRegion"]["startColumn"] == 33 and replacement["insertedContent"]["text"] == ""
    assert cell["properties"]["cell"] == 5 and cell["level"] == "error"


def test_sarif_with_no_diagnostics_is_valid():
    log = json.loads(sarif([]))
    jsonschema.validate(log, SARIF_SCHEMA)
    assert log["runs"][0]["results"] == []


def test_sarif_schema_catches_a_broken_log():
    """The schema check above can fail: a result without its message is rejected."""
    log = json.loads(sarif([FIXED]))
    del log["runs"][0]["results"][0]["message"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(log, SARIF_SCHEMA)


def test_github_workflow_commands_escape_their_fields():
    lines = github([FIXED, IN_CELL]).splitlines()
    command = re.compile(r"^::(error|warning) ((?:[a-zA-Z]+=[^,:]*)(?:,[a-zA-Z]+=[^,:]*)*)::(.*)$")
    first = command.match(lines[0])
    assert first and first.group(1) == "warning"
    properties = dict(part.split("=", 1) for part in first.group(2).split(","))
    assert properties == {
        "title": "CL101 jit-compile-with-run-eagerly",
        "file": "src/train.py",
        "line": "3",
        "col": "15",
        "endLine": "3",
        "endColumn": "31",
    }
    assert first.group(3) == "jit_compile and run_eagerly are both on: 100%25 eager, no XLA, see: docs"
    second = command.match(lines[1])
    assert second.group(1) == "error" and "title=CL201 loss-count-mismatch (cell 5)" in second.group(2)


def test_junit_has_one_testcase_per_file_and_a_failure_per_diagnostic():
    root = ElementTree.fromstring(junit(DIAGNOSTICS, checked_paths=["src/clean.py", "src/train.py", "nb/heads.ipynb"]).encode())
    suite = root.find("testsuite")
    cases = {case.get("name"): case for case in suite.findall("testcase")}
    assert sorted(cases) == ["nb/heads.ipynb", "src/clean.py", "src/train.py"]
    assert cases["src/clean.py"].findall("failure") == []
    assert [f.get("type") for f in cases["src/train.py"].findall("failure")] == ["CL101", "CL101"]
    assert "nb/heads.ipynb:cell 5:1:33" in cases["nb/heads.ipynb"].find("failure").text
    assert suite.get("tests") == "3" and suite.get("failures") == "3"


def test_gitlab_code_quality_fields_and_stable_fingerprints():
    issues = json.loads(gitlab(DIAGNOSTICS))
    for issue in issues:
        assert issue["type"] == "issue"
        assert issue["severity"] in {"info", "minor", "major", "critical", "blocker"}
        assert issue["description"] and issue["check_name"]
        assert re.fullmatch(r"[0-9a-f]{64}", issue["fingerprint"])
        assert issue["location"]["path"] and issue["location"]["positions"]["begin"]["line"] >= 1
    assert len({issue["fingerprint"] for issue in issues}) == 3  # repeats are told apart
    moved = Diagnostic(**{**FIXED.__dict__, "span": Span(40, 15, 40, 31)})
    assert json.loads(gitlab([moved]))[0]["fingerprint"] == issues[1]["fingerprint"]  # survives moving code
    other_file = Diagnostic(**{**FIXED.__dict__, "path": "src/other.py"})
    assert json.loads(gitlab([other_file]))[0]["fingerprint"] != issues[1]["fingerprint"]


def test_json_lines_is_one_object_per_line():
    lines = json_lines(DIAGNOSTICS).splitlines()
    assert [json.loads(line)["code"] for line in lines] == ["CL201", "CL101", "CL101"]
    assert json.loads(lines[0])["cell"] == 5


def test_full_shows_the_line_with_carets_and_the_fix(tmp_path):
    from compilelint.sources import Source

    text = "import keras\nmodel = build()\nmodel.compile(jit_compile=True, run_eagerly=True)\n"
    output = full([FIXED], sources={"src/train.py": Source(text, "src/train.py")})
    assert "3 | model.compile(jit_compile=True, run_eagerly=True)\n  |               ^^^^^^^^^^^^^^^^\n" in output
    assert "= fix (safe): Remove run_eagerly=True" in output


def test_full_and_noqa_count_lines_as_python_does_past_a_form_feed():
    # str.splitlines() breaks at \x0c and \x1c; Python does not, so line 3 must stay line 3.
    from compilelint.config import default_settings
    from compilelint.engine import lint_text
    from compilelint.sources import Source

    text = "import keras\n# page\x0cbreak \x1c\nmodel.compile(jit_compile=True, run_eagerly=True)\n"
    output = full([FIXED], sources={"src/train.py": Source(text, "src/train.py")})
    assert "3 | model.compile(jit_compile=True, run_eagerly=True)\n" in output
    settings = default_settings(keras_version="3", select=["CL101"])
    assert [d.code for d in lint_text(text, "train.py", settings).diagnostics] == ["CL101"]
    suppressed = text.replace("run_eagerly=True)", "run_eagerly=True)  # noqa: CL101")
    assert lint_text(suppressed, "train.py", settings).diagnostics == []


def test_every_format_runs_from_the_cli_on_a_notebook():
    notebook = REPO / "fixtures" / "notebooks" / "two_heads_broken_cell.ipynb"
    for name in FORMATTERS:
        run = subprocess.run(
            [sys.executable, "-m", "compilelint", "check", "--no-cache", "--output-format", name, str(notebook)],
            capture_output=True, text=True, cwd=REPO,
        )
        assert run.returncode == 1 and not run.stderr, (name, run.stderr)
        assert "CL201" in run.stdout
