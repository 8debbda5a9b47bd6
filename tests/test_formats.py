"""Each output format, read back by the parser or schema its consumer uses."""

import json
import re
import subprocess
import sys
from xml.etree import ElementTree

import jsonschema
import pytest

from compilelint.diagnostics import Diagnostic, Edit, Fix, Span
from compilelint.report.formatters import FORMATTERS, full, github, gitlab, json_lines, junit, sarif
from conftest import REPO, SARIF_SCHEMA_PATH

SARIF_SCHEMA = json.loads(SARIF_SCHEMA_PATH.read_text())

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


def test_junit_has_one_failed_testcase_per_problem():
    root = ElementTree.fromstring(junit(DIAGNOSTICS).encode())
    assert root.get("tests") == "3" and root.get("failures") == "3"  # GitLab: "3 failed" for 3 problems
    suites = {suite.get("name"): suite for suite in root.findall("testsuite")}
    assert sorted(suites) == ["nb/heads.ipynb", "src/train.py"]
    train = suites["src/train.py"].findall("testcase")
    assert len(train) == 2 and suites["src/train.py"].get("failures") == "2"
    assert all(case.find("failure").get("type") == "CL101" and case.get("file") == "src/train.py" for case in train)
    assert len({case.get("name") for case in root.iter("testcase")}) == 2  # the two CL101 share a line and column
    [cell] = suites["nb/heads.ipynb"].findall("testcase")
    assert "nb/heads.ipynb:cell 5:1:33" in cell.find("failure").text and "cell 5" in cell.get("name")


def test_junit_clean_run_is_one_passing_testcase():
    root = ElementTree.fromstring(junit([]).encode())
    [case] = root.iter("testcase")
    assert root.get("failures") == "0" and case.find("failure") is None


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


# -- paths as CI systems read them: relative to the checkout, never ./ -----------------------

MULTI = (
    "import keras\n"
    "inputs = keras.Input((4,))\n"
    "model = keras.Model(inputs, [keras.layers.Dense(1, name='a')(inputs), keras.layers.Dense(1, name='b')(inputs)])\n"
    "model.compile(optimizer='adam', loss=['mse', 'mse', 'mse'])\n"
)


def check(*args, cwd, env=None):
    import os

    environment = {k: v for k, v in os.environ.items() if k not in ("GITHUB_WORKSPACE", "CI_PROJECT_DIR")}
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "compilelint", "check", "--no-cache", "--keras-version", "3", *args],
        capture_output=True, text=True, cwd=cwd, env=environment,
    )


@pytest.fixture
def project(tmp_path):
    (tmp_path / "pkg" / "sub").mkdir(parents=True)
    (tmp_path / "multi.py").write_text(MULTI)
    (tmp_path / "pkg" / "sub" / "deep.py").write_text(MULTI)
    return tmp_path


def github_files(output: str) -> list[str]:
    return sorted(re.search(r"file=([^,]*)", line).group(1) for line in output.splitlines())


def test_ci_paths_for_dot_absolute_and_nested_inputs(project):
    expected = ["multi.py", "pkg/sub/deep.py"]
    for inputs in (["."], [str(project)], ["multi.py", "./pkg/sub/deep.py"], [str(project / "multi.py"), "pkg"]):
        github_run = check("--output-format", "github", *inputs, cwd=project)
        assert github_files(github_run.stdout) == expected, (inputs, github_run.stdout)
        gitlab_run = check("--output-format", "gitlab", *inputs, cwd=project)
        assert sorted(issue["location"]["path"] for issue in json.loads(gitlab_run.stdout)) == expected
        log = json.loads(check("--output-format", "sarif", *inputs, cwd=project).stdout)
        jsonschema.validate(log, SARIF_SCHEMA)
        locations = [r["locations"][0]["physicalLocation"]["artifactLocation"] for r in log["runs"][0]["results"]]
        assert sorted(location["uri"] for location in locations) == expected
        assert {location["uriBaseId"] for location in locations} == {"%SRCROOT%"}
        assert log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"] == project.as_uri() + "/"
        concise = check(*inputs, cwd=project).stdout
        assert sorted(line.split(":", 1)[0] for line in concise.splitlines() if ": CL" in line) == expected


def test_ci_paths_follow_the_checkout_variables(project):
    inner = project / "pkg"
    github_run = check("--output-format", "github", ".", cwd=inner, env={"GITHUB_WORKSPACE": str(project)})
    assert github_files(github_run.stdout) == ["pkg/sub/deep.py"]
    assert "sub/deep.py:4:" in check(".", cwd=inner).stdout  # concise stays relative to the current folder
    gitlab_run = check("--output-format", "gitlab", ".", cwd=inner, env={"CI_PROJECT_DIR": str(project)})
    assert [issue["location"]["path"] for issue in json.loads(gitlab_run.stdout)] == ["pkg/sub/deep.py"]
    sarif_run = check("--output-format", "sarif", ".", cwd=inner, env={"GITHUB_WORKSPACE": str(project)})
    [result] = json.loads(sarif_run.stdout)["runs"][0]["results"]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "pkg/sub/deep.py"


def test_a_file_outside_the_checkout_keeps_an_absolute_uri(tmp_path):
    outside = tmp_path / "outside.py"
    outside.write_text(MULTI)
    work = tmp_path / "work"
    work.mkdir()
    log = json.loads(check("--output-format", "sarif", str(outside), cwd=work).stdout)
    jsonschema.validate(log, SARIF_SCHEMA)
    [result] = log["runs"][0]["results"]
    location = result["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": outside.as_uri()}  # no base id: resolving it against the checkout would name another file
    assert github_files(check("--output-format", "github", str(outside), cwd=work).stdout) == [str(outside)]


def test_sarif_uris_are_percent_encoded():
    spaced = Diagnostic(**{**FIXED.__dict__, "path": "my dir/train#1.py"})
    [result] = json.loads(sarif([spaced]))["runs"][0]["results"]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "my%20dir/train%231.py"


def test_ci_formats_place_notebook_findings_through_the_locate_hook():
    """The hook maps (path, cell, line, column) to the file's own position; the cell-relative
    formats keep cell:line:col."""
    def locate(path, cell, line, column):
        assert (path, cell) == ("nb/heads.ipynb", 5)
        return 40 + line, column + 5

    [annotation] = github([IN_CELL], locate=locate).splitlines()
    assert "line=41,col=38,endLine=41,endColumn=66" in annotation
    [issue] = json.loads(gitlab([IN_CELL], locate=locate))
    assert issue["location"]["positions"]["begin"] == {"line": 41, "column": 38}
    [result] = json.loads(sarif([IN_CELL], locate=locate))["runs"][0]["results"]
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] == 41
    assert json.loads(json_lines([IN_CELL], locate=locate))["line"] == 1


def test_sarif_leaves_out_notebook_fixes_that_would_edit_cell_text():
    in_cell_fix = Diagnostic(**{**IN_CELL.__dict__, "fix": Fix("Wrap", (Edit(Span(1, 33, 1, 40), "['x']"),))})
    [result] = json.loads(sarif([in_cell_fix]))["runs"][0]["results"]
    assert "fixes" not in result
