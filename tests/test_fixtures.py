"""The bundled fixtures: what `compilelint check fixtures/` reports is exactly what
fixtures/expected.json says, line by line (see scripts/update_fixture_expectations.py)."""

import json
import subprocess
import sys

from conftest import REPO


def test_fixtures_report_exactly_the_expected_diagnostics():
    sys.path.insert(0, str(REPO / "scripts"))
    try:
        from update_fixture_expectations import EXPECTED, current
    finally:
        sys.path.pop(0)
    assert current() == json.loads(EXPECTED.read_text())


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
