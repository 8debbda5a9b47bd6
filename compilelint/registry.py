"""Every rule, found in the ``compilelint.rules`` package, by code and by name."""

from __future__ import annotations

import functools
import importlib
import pkgutil

from compilelint.rule import Rule


@functools.lru_cache(maxsize=None)
def rules_by_code() -> dict[str, Rule]:
    import compilelint.rules as package

    found: dict[str, Rule] = {}
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, Rule) and value is not Rule and value.__module__ == module.__name__:
                if value.code in found:
                    raise RuntimeError(f"two rules use the code {value.code}")
                found[value.code] = value()
    return dict(sorted(found.items()))


@functools.lru_cache(maxsize=None)
def rules_by_name() -> dict[str, Rule]:
    return {rule.name: rule for rule in rules_by_code().values()}


def find_rule(code_or_name: str) -> Rule | None:
    key = code_or_name.strip()
    return rules_by_code().get(key.upper()) or rules_by_name().get(key.lower())


def expand_selector(selector: str) -> set[str]:
    """Codes a selector names: ``ALL``, a code, a code prefix (``CL2``) or a rule name.

    Raises ValueError for a selector that names nothing.
    """
    key = selector.strip()
    codes = rules_by_code()
    if key.upper() == "ALL":
        return set(codes)
    rule = find_rule(key)
    if rule is not None:
        return {rule.code}
    prefix = key.upper()
    matches = {code for code in codes if code.startswith(prefix)}
    if not matches or not prefix.startswith("CL"):
        raise ValueError(f"unknown rule code or name: {selector!r}")
    # Opt-in rules are enabled only by their own code or name (or ALL), never by a prefix.
    return {code for code in matches if codes[code].default_enabled}


def default_codes() -> set[str]:
    return {code for code, rule in rules_by_code().items() if rule.default_enabled}
