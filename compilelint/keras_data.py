"""Keras version facts, read from the JSON files in ``compilelint/data/``.

The files are generated from the real libraries by ``scripts/generate_keras_data.py``
(whose docstring describes the schema); this module only reads them. It uses the standard
library alone and never imports TensorFlow or Keras.

Name rules (as recorded in the data):

* optimizer strings: looked up in lower case when ``optimizer_names_case_insensitive``
  (true for Keras 2 and 3: ``"Adam"``, ``"ADAM"`` work);
* loss / metric strings: exact, case-sensitive matches of ``losses`` / ``metrics``, except
  the names ``compile`` handles itself (``loss_special_names`` / ``metric_special_names``,
  e.g. ``"acc"``, ``"Accuracy"``), which match case-insensitively when the data says so.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Iterable

DATA_DIR = Path(__file__).resolve().parent / "data"
MAJORS = (2, 3)


@lru_cache(maxsize=None)
def load(major: int) -> dict:
    """The data for Keras ``major`` (2 or 3). Cached: do not mutate the result."""
    if major not in MAJORS:
        raise ValueError(f"no Keras data for major version {major!r}; known: {MAJORS}")
    path = DATA_DIR / f"keras{major}.json"
    with path.open(encoding="utf-8") as fh:
        return json.load(fh)


def _special(name: str, names: list[str], case_insensitive: bool) -> bool:
    return (name.lower() if case_insensitive else name) in names


def is_known_optimizer(name: str, major: int) -> bool:
    """True if ``compile(optimizer=name)`` resolves ``name`` in Keras ``major``."""
    data = load(major)
    key = name.lower() if data["optimizer_names_case_insensitive"] else name
    return key in data["optimizers"]


def is_known_loss(name: str, major: int) -> bool:
    """True if ``compile(loss=name)`` resolves the string ``name`` in Keras ``major``."""
    data = load(major)
    return name in data["losses"] or _special(
        name, data["loss_special_names"], data["loss_special_names_case_insensitive"])


def is_known_metric(name: str, major: int) -> bool:
    """True if ``compile(metrics=[name])`` resolves the string ``name`` in Keras ``major``."""
    data = load(major)
    return name in data["metrics"] or _special(
        name, data["metric_special_names"], data["metric_special_names_case_insensitive"])


def optimizer_names(major: int) -> list[str]:
    """Accepted optimizer strings (lower case), sorted."""
    return sorted(load(major)["optimizers"])


def loss_names(major: int) -> list[str]:
    """Accepted loss strings (special names in lower case), sorted."""
    return list(load(major)["losses"])


def metric_names(major: int) -> list[str]:
    """Accepted metric strings (special names in lower case), sorted."""
    return list(load(major)["metrics"])


def suggest(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate closest to ``name`` (did-you-mean), or None if nothing is close.

    Matching ignores case, so ``"ADAMM"`` suggests ``"adam"``; among equally close
    candidates the one with the same case as ``name`` wins.
    """
    by_lower: dict[str, list[str]] = {}
    for cand in candidates:
        by_lower.setdefault(cand.lower(), []).append(cand)
    if not by_lower:
        return None
    import difflib  # only when a name is misspelt

    matches = difflib.get_close_matches(name.lower(), list(by_lower), n=1, cutoff=0.6)
    if not matches:
        return None
    spellings = by_lower[matches[0]]
    # Prefer a spelling whose case pattern resembles the input (e.g. "Adm" -> "Adam").
    return max(spellings, key=lambda s: difflib.SequenceMatcher(None, name, s).ratio())
