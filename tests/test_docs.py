import json
import subprocess
import sys
from pathlib import Path

from compilelint.docs import rule_as_markdown, rule_help_uri
from compilelint.registry import rules_by_code

REPO = Path(__file__).resolve().parent.parent


def test_docs_rules_md_is_current():
    run = subprocess.run([sys.executable, "scripts/generate_rule_docs.py", "--check"], capture_output=True, text=True, cwd=REPO)
    assert run.returncode == 0, run.stderr


def test_every_rule_has_its_section_and_the_help_uri_points_at_it():
    text = (REPO / "docs" / "rules.md").read_text()
    for rule in rules_by_code().values():
        assert f"\n## {rule.code} {rule.name}\n" in text
        assert rule_help_uri(rule).endswith(f"#{rule.code.lower()}-{rule.name}")
        section = rule_as_markdown(rule)
        assert "### Why is this bad?" in section and "### Fix safety" in section
        assert section in text


def test_rule_command_prints_the_same_text_as_the_docs():
    run = subprocess.run([sys.executable, "-m", "compilelint", "rule", "CL201"], capture_output=True, text=True, cwd=REPO)
    assert run.returncode == 0
    assert run.stdout.strip() == rule_as_markdown(rules_by_code()["CL201"]).strip()
    by_name = subprocess.run([sys.executable, "-m", "compilelint", "rule", "loss-count-mismatch"], capture_output=True, text=True, cwd=REPO)
    assert by_name.stdout == run.stdout


def test_rule_all_as_json_lists_every_rule():
    run = subprocess.run([sys.executable, "-m", "compilelint", "rule", "--all", "--output-format", "json"], capture_output=True, text=True, cwd=REPO)
    data = json.loads(run.stdout)
    assert [entry["code"] for entry in data] == list(rules_by_code())
    assert all(entry["why"] and entry["fix_safety"] for entry in data)
