"""Regenerate the rule table in README.md from the rules themselves.

    python scripts/generate_readme_rules.py          # rewrite README.md
    python scripts/generate_readme_rules.py --check  # exit 1 if README.md is stale
"""

from __future__ import annotations

import sys
from pathlib import Path

from compilelint.registry import rules_by_code

README = Path(__file__).resolve().parent.parent / "README.md"
BEGIN, END = "<!-- rules:begin -->", "<!-- rules:end -->"


def rule_table() -> str:
    lines = ["| code | name | what it finds | fix | default |", "|---|---|---|---|---|"]
    for code, rule in rules_by_code().items():
        fixable = "yes" if "no automatic fix" not in rule.fix_safety else ""
        default = "on" if rule.default_enabled else "opt-in"
        lines.append(f"| {code} | `{rule.name}` | {rule.summary()} | {fixable} | {default} |")
    return "\n".join(lines)


def render(text: str) -> str:
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n{rule_table()}\n{END}{tail}"


def main() -> int:
    current = README.read_text(encoding="utf-8")
    wanted = render(current)
    if "--check" in sys.argv:
        if current != wanted:
            print("README.md rule table is stale: run python scripts/generate_readme_rules.py")
            return 1
        return 0
    README.write_text(wanted, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
