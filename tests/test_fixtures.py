"""The bundled fixtures: what `compilelint check fixtures/` reports is exactly what
fixtures/expected.json says, line by line (see scripts/update_fixture_expectations.py)."""

import json
import os
import subprocess
import sys

from conftest import REPO


def test_fixtures_report_exactly_the_expected_diagnostics():
    env = {k: v for k, v in os.environ.items() if k != "TF_USE_LEGACY_KERAS"}
    result = subprocess.run(
        [sys.executable, "-m", "compilelint", "check", "fixtures", "--output-format", "json", "--no-cache"],
        cwd=REPO,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 1, result.stderr
    found = [
        {"path": d["path"], "cell": d["cell"], "line": d["line"], "column": d["column"], "code": d["code"]}
        for d in json.loads(result.stdout)
    ]
    expected = json.loads((REPO / "fixtures" / "expected.json").read_text())
    assert found == expected


def test_negative_fixtures_are_clean():
    for name in ("multi_output_correct.py", "gan_subclass.py", "not_keras.py"):
        result = subprocess.run(
            [sys.executable, "-m", "compilelint", "check", f"fixtures/{name}", "--no-cache"],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stdout
