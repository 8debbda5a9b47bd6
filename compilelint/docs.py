"""Rule documentation, generated from each rule's docstring and examples."""

from __future__ import annotations

from compilelint.rule import Rule

SECTION_ORDER = ("What it does", "Why is this bad?", "Fix")

# Where docs/rules.md is published; SARIF and the language server link each rule here.
RULES_DOC_URL = "https://github.com/compilelint/compilelint/blob/main/docs/rules.md"


def rule_help_uri(rule: Rule | None) -> str:
    """The rule's section in the published docs/rules.md (the page itself for None)."""
    if rule is None:
        return RULES_DOC_URL
    # GitHub's heading anchors: lower case, spaces become dashes.
    return f"{RULES_DOC_URL}#{rule.code.lower()}-{rule.name}"


def rule_as_dict(rule: Rule) -> dict:
    sections = rule.sections()
    return {
        "code": rule.code,
        "name": rule.name,
        "summary": rule.summary(),
        "default_enabled": rule.default_enabled,
        "what_it_does": sections.get("What it does", ""),
        "why": sections.get("Why is this bad?", ""),
        "fix": sections.get("Fix", ""),
        "fix_safety": rule.fix_safety,
        "invalid_examples": [{"code": e.code.strip("\n"), "keras": e.keras} for e in rule.invalid],
        "valid_examples": [{"code": e.code.strip("\n"), "keras": e.keras} for e in rule.valid],
    }


def rule_as_markdown(rule: Rule) -> str:
    data = rule_as_dict(rule)
    lines = [f"## {rule.code} {rule.name}", "", data["summary"]]
    if not rule.default_enabled:
        lines += ["", "*Off by default: enable it with `extend-select = [\"" + rule.code + "\"]`.*"]
    for title, key in (("What it does", "what_it_does"), ("Why is this bad?", "why")):
        if data[key]:
            lines += ["", f"### {title}", "", data[key]]
    if rule.invalid:
        example = rule.invalid[0]
        lines += ["", f"### Example (reported under Keras {example.keras})", "", "```python", example.code.strip("\n"), "```"]
    if rule.valid:
        example = rule.valid[0]
        lines += ["", "Use instead:", "", "```python", example.code.strip("\n"), "```"]
    if data["fix"]:
        lines += ["", "### Fix", "", data["fix"]]
    lines += ["", "### Fix safety", "", rule.fix_safety]
    return "\n".join(lines)
