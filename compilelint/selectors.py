"""Rule selectors (``ALL``, a code, a code prefix, a rule name) -> rule codes.

Settings are resolved on every run, including warm runs that lint nothing, so this works
from ``data/rule_catalogue.json`` (code, name, on by default) instead of importing the
rules and the facts machinery behind them. ``scripts/generate_rule_docs.py`` writes the
catalogue from the rule classes, and the tests fail when it is stale.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

CATALOGUE = Path(__file__).resolve().parent / "data" / "rule_catalogue.json"


@functools.lru_cache(maxsize=None)
def catalogue() -> dict[str, tuple[str, bool]]:
    """code -> (name, enabled by default), in code order."""
    entries = json.loads(CATALOGUE.read_text(encoding="utf-8"))
    return {entry["code"]: (entry["name"], entry["default_enabled"]) for entry in entries}


def catalogue_entries(rules) -> list[dict]:
    """What the catalogue holds for ``rules`` (the generator's side)."""
    return [{"code": rule.code, "name": rule.name, "default_enabled": rule.default_enabled} for rule in rules]


def expand_selector(selector: str) -> set[str]:
    """Codes a selector names: ``ALL``, a code, a code prefix (``CL2``) or a rule name.

    Raises ValueError for a selector that names nothing.
    """
    key = selector.strip()
    codes = catalogue()
    if key.upper() == "ALL":
        return set(codes)
    if key.upper() in codes:
        return {key.upper()}
    named = [code for code, (name, _) in codes.items() if name == key.lower()]
    if named:
        return set(named)
    prefix = key.upper()
    matches = {code for code in codes if code.startswith(prefix)}
    if not matches or not prefix.startswith("CL"):
        raise ValueError(f"unknown rule code or name: {selector!r}")
    # Opt-in rules are enabled only by their own code or name (or ALL), never by a prefix.
    return {code for code in matches if codes[code][1]}


def default_codes() -> set[str]:
    return {code for code, (_, enabled) in catalogue().items() if enabled}
