"""Every rule, found in the ``compilelint.rules`` package, by code and by name (selectors
work from the lighter ``compilelint.selectors``)."""

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
