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
    assert good.stdout == "All checks passed!\n"


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


# -- parity with the linters people already run ----------------------------------------------

FIXABLE = "import keras\nopt = keras.optimizers.Adam(lr=0.1)\nmodel = keras.Sequential([keras.layers.Dense(1)])\nmodel.compile(optimizer=opt, loss='mse', jit_compile=True, run_eagerly=True)\n"


def test_summary_and_fixable_markers_on_one_stream(tmp_path):
    (tmp_path / "train.py").write_text(FIXABLE)
    result = run("check", "--no-cache", "--keras-version", "3", "train.py", cwd=tmp_path)
    assert result.returncode == 1 and result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0].startswith("train.py:2:29: CL401 [*] ")  # fixable with --fix
    assert lines[1].startswith("train.py:4:") and "[*]" not in lines[1]
    assert lines[2:] == ["Found 2 problems.", "[*] 1 fixable with --fix."]


def test_output_file_holds_the_whole_report(tmp_path):
    (tmp_path / "train.py").write_text(FIXABLE)
    result = run("check", "--no-cache", "--keras-version", "3", "-o", "report.json", "--output-format", "json", "train.py", cwd=tmp_path)
    assert result.returncode == 1 and result.stdout == "" and result.stderr == ""
    assert [d["code"] for d in json.loads((tmp_path / "report.json").read_text())] == ["CL401", "CL101"]
    concise = run("check", "--no-cache", "--keras-version", "3", "--output-file", "report.txt", "train.py", cwd=tmp_path)
    assert concise.stdout == "" and (tmp_path / "report.txt").read_text().endswith("[*] 1 fixable with --fix.\n")


def test_statistics_counts_per_rule(tmp_path):
    (tmp_path / "a.py").write_text(FIXABLE)
    (tmp_path / "b.py").write_text(FIXABLE.replace("Adam(lr=0.1)", "Adam()"))
    result = run("check", "--no-cache", "--keras-version", "3", "--statistics", ".", cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "2  CL101      jit-compile-with-run-eagerly"
    assert lines[1] == "1  CL401  [*] optimizer-lr-argument"
    data = json.loads(run("check", "--no-cache", "--keras-version", "3", "--statistics", "--output-format", "json", ".", cwd=tmp_path).stdout)
    assert data == [
        {"code": "CL101", "name": "jit-compile-with-run-eagerly", "count": 2, "fixable": 0},
        {"code": "CL401", "name": "optimizer-lr-argument", "count": 1, "fixable": 1},
    ]


def test_add_noqa_baselines_a_project(tmp_path):
    multi_line = (
        "import keras\n"
        "model = keras.Sequential([keras.layers.Dense(1)])\n"
        "model.compile(\n"
        "    optimizer='adam',\n"
        "    loss='''mse''', metrics='mae', jit_compile=True, run_eagerly=True,  # keep\n"
        ")\n"
        "opt = keras.optimizers.Adam(lr=0.1)  # noqa: E501\n"
        "other = keras.optimizers.SGD(\\\n"
        "    lr=0.1)\n"
    )
    (tmp_path / "train.py").write_text(multi_line)
    added = run("check", "--no-cache", "--keras-version", "3", "--add-noqa", "train.py", cwd=tmp_path)
    assert added.returncode == 0, added.stderr
    assert "Added 3 noqa directives." in added.stderr
    text = (tmp_path / "train.py").read_text()
    assert "    loss='''mse''', metrics='mae', jit_compile=True, run_eagerly=True,  # keep  # noqa: CL304, CL101\n" in text
    assert "opt = keras.optimizers.Adam(lr=0.1)  # noqa: E501, CL401\n" in text
    assert "    lr=0.1)  # noqa: CL401\n" in text  # the backslash line cannot take a comment
    again = run("check", "--no-cache", "--keras-version", "3", "train.py", cwd=tmp_path)
    assert again.returncode == 0 and again.stdout == "All checks passed!\n", again.stdout


def test_noqa_on_the_closing_line_of_a_multi_line_call(tmp_path):
    black_style = (
        "import keras\n"
        "model = keras.Sequential([keras.layers.Dense(1)])\n"
        "model.compile(\n"
        "    optimizer='adam',\n"
        "    loss='mse',\n"
        "    jit_compile=True,\n"
        "    run_eagerly=True,\n"
        "){}\n"
    )
    (tmp_path / "train.py").write_text(black_style.format("  # noqa: CL101"))
    assert run("check", "--no-cache", "train.py", cwd=tmp_path).returncode == 0
    (tmp_path / "train.py").write_text(black_style.format("  # noqa: CL201"))
    assert "CL101" in run("check", "--no-cache", "train.py", cwd=tmp_path).stdout  # another code: still reported
    # A noqa on a later statement's line does not reach back.
    (tmp_path / "train.py").write_text(black_style.format("") + "x = 1  # noqa\n")
    assert "CL101" in run("check", "--no-cache", "train.py", cwd=tmp_path).stdout


def test_unknown_codes_in_noqa_are_warned_about(tmp_path):
    (tmp_path / "train.py").write_text(BROKEN.replace("run_eagerly=True)", "run_eagerly=True)  # noqa: CL1001, E501, jit-compile-with-run-eagerlly"))
    for _ in range(2):  # the warning survives a cached run
        result = run("check", "train.py", cwd=tmp_path)
        assert result.returncode == 1 and "CL101" in result.stdout  # none of the listed codes names CL101
        warnings = [line for line in result.stderr.splitlines() if line.startswith("compilelint: warning: ")]
        assert len(warnings) == 2, result.stderr
        assert "train.py:3: unknown rule code 'CL1001' in # noqa" in warnings[0]
        assert "'jit-compile-with-run-eagerlly' in # noqa (did you mean jit-compile-with-run-eagerly (CL101)?)" in warnings[1]


def test_cl001_has_pythons_message_and_position(tmp_path):
    (tmp_path / "broken.py").write_text("import keras\nname = 'ädam🙂'\nmodel.compile(loss='mse'\nx = 1\n")
    result = run("check", "--no-cache", "--output-format", "json", "broken.py", cwd=tmp_path)
    [item] = json.loads(result.stdout)
    assert item["code"] == "CL001" and item["message"] == "SyntaxError: '(' was never closed; the file was not checked"
    assert (item["line"], item["column"]) == (3, 14)
