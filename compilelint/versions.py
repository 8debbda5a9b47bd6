"""Which Keras a file targets, and the facts about each version the rules need."""

from __future__ import annotations

import functools
import os
import re
import sys
from dataclasses import dataclass

from compilelint import keras_data

KERAS_VERSION_CHOICES = ("auto", "2", "3", "2,3")


@dataclass(frozen=True)
class KerasTarget:
    major: int

    @property
    def label(self) -> str:
        return f"Keras {self.major}"

    @functools.cached_property
    def compile_parameters(self) -> tuple[str, ...]:
        """compile()'s parameters in positional order, from the data generated from Keras."""
        return tuple(
            p["name"]
            for p in keras_data.load(self.major)["compile_parameters"]
            if p["kind"] == "positional_or_keyword"
        )


KERAS_2 = KerasTarget(2)
KERAS_3 = KerasTarget(3)


def parse_setting(value: str) -> str:
    normalized = value.replace(" ", "")
    if normalized == "3,2":
        normalized = "2,3"
    if normalized not in KERAS_VERSION_CHOICES:
        raise ValueError(f"keras-version must be one of {', '.join(KERAS_VERSION_CHOICES)}, not {value!r}")
    return normalized


def targets_for(setting: str, flavours: set[str], environment_major: int) -> tuple[KerasTarget, ...]:
    """The versions a file is checked against. ``tf_keras`` is Keras 2 whatever the setting
    says: the setting only chooses what ``keras`` and ``tf.keras`` mean."""
    if "tf_keras" in flavours:
        return (KERAS_2,)
    if setting == "2":
        return (KERAS_2,)
    if setting == "3":
        return (KERAS_3,)
    if setting == "2,3":
        return (KERAS_2, KERAS_3)
    return (KERAS_2,) if environment_major == 2 else (KERAS_3,)


@functools.lru_cache(maxsize=1)
def environment_major() -> int:
    """What ``import keras`` / ``tf.keras`` give here, read from package metadata only."""
    if os.environ.get("TF_USE_LEGACY_KERAS", "").strip().lower() in ("1", "true"):
        return 2
    installed = installed_versions()
    tensorflow = next(
        (installed[name] for name in ("tensorflow", "tensorflow_cpu", "tensorflow_macos", "tf_nightly") if name in installed),
        None,
    )
    keras = installed.get("keras")
    if tensorflow is not None and tensorflow < (2, 16) and (keras is None or keras < (3,)):
        return 2
    return 3


def installed_versions() -> dict[str, tuple[int, ...]]:
    """(major, minor) of every distribution on ``sys.path``, by normalised name, first one
    wins as at import time. Read from the ``name-version.dist-info`` folder names: one
    listing per path entry instead of importlib.metadata's full search for each name."""
    found: dict[str, tuple[int, ...]] = {}
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for item in names:
            if not item.endswith((".dist-info", ".egg-info")):
                continue
            name, _, version = item.rsplit(".", 1)[0].partition("-")
            key = re.sub(r"[-_.]+", "_", name).lower()
            if key not in found:
                found[key] = _major_minor(version.split("-")[0])
    return found


def _major_minor(version: str) -> tuple[int, ...]:
    parts = []
    for piece in version.split(".")[:2]:
        digits = re.match(r"\d*", piece).group()
        parts.append(int(digits) if digits else 0)
    return tuple(parts)
