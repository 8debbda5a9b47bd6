"""Every rule's inline examples: invalid ones are reported by that rule, valid ones are not."""

import pytest

from compilelint.registry import rules_by_code

CASES = [
    pytest.param(rule, example, kind, id=f"{code}-{kind}-{index}")
    for code, rule in rules_by_code().items()
    if not rule.verify_only
    for kind in ("invalid", "valid")
    for index, example in enumerate(getattr(rule, kind))
]


@pytest.mark.parametrize("rule, example, kind", CASES)
def test_example(lint, rule, example, kind):
    codes = [d.code for d in lint(example.code, keras=example.keras, select=[rule.code])]
    if kind == "invalid":
        assert rule.code in codes, f"{rule.code} did not fire on:\n{example.code}"
    else:
        assert codes == [], f"{rule.code} fired on a valid example:\n{example.code}"


def test_every_rule_has_both_kinds_of_example():
    for code, rule in rules_by_code().items():
        assert rule.invalid and rule.valid, code


def test_every_rule_documents_itself():
    for code, rule in rules_by_code().items():
        sections = rule.sections()
        assert rule.summary(), code
        for title in ("What it does", "Why is this bad?", "Fix"):
            assert sections.get(title), f"{code} lacks a '{title}' section"
