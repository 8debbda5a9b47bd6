import subprocess
import sys

from conftest import REPO


def test_readme_rule_table_is_current():
    result = subprocess.run([sys.executable, "scripts/generate_readme_rules.py", "--check"], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


def test_readme_starts_with_the_two_commands_ci_runs():
    lines = (REPO / "README.md").read_text().splitlines()[:10]
    text = "\n".join(lines)
    assert "compilelint check fixtures/" in text
    ci = (REPO / ".ci" / "run").read_text()
    test_command = next(line.strip() for line in lines if "pytest" in line)
    # CI runs the README's test command after creating and activating its own venv.
    assert test_command.split("&& pip install", 1)[1] in ci.replace("--quiet ", "")
