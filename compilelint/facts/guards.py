"""Version guards: code that asks which Keras or TensorFlow it runs on.

``tf.__version__``, ``keras.__version__``, ``hasattr(tf.keras.optimizers, "legacy")`` and
``importlib.util.find_spec(...)`` have no single value for the analysis, but they have one
value per version the target allows. Such a value is a ``Possible``: what the expression
gives for each candidate version, carried through string methods, ``int()``, version
parsing and comparisons. A test whose every candidate gives the same truth is decided, and
the branch it picks is the only one analysed; anything else stays unknown.

Which versions a target allows (``VersionAxis``) is deliberately narrow: Keras 3 is 3.x,
Keras 2 is 2.x; ``tf.__version__`` is bounded only for files that use ``tf.keras`` (Keras 3
means TensorFlow 2.16 or later, Keras 2 means 2.15 or earlier). The Keras 2 the rules
describe is the one with the current optimizers (TensorFlow 2.11 and later, tf_keras):
there ``optimizers.legacy`` exists, as it does in Keras 3. (On older TensorFlow the other
branch of such a guard builds old optimizers, which take ``lr=`` and ``decay=``, so no rule
would say anything about it.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable

from compilelint.facts import keras_names as kn
from compilelint.facts.values import UNKNOWN


def _releases(major: int, minors: range) -> tuple[str, ...]:
    # Patch releases too: ``tf.__version__ == "2.16.1"`` must not be decided by "2.16.0".
    return tuple(f"{major}.{minor}.{patch}" for minor in minors for patch in range(0, 13))


_KERAS_2 = _releases(2, range(0, 31))  # standalone keras 2.x, tf_keras 2.14 and later
_KERAS_3 = _releases(3, range(0, 31))
_TF_1 = _releases(1, range(0, 16))
_TF_UP_TO_2_15 = _releases(2, range(0, 16))
_TF_FROM_2_16 = _releases(2, range(16, 41))

# Keras modules whose presence code tests, by path below the root, per major version.
_MODULES = {
    "optimizers.legacy": {2: True, 3: True},
    "ops": {2: False, 3: True},
    "config": {2: False, 3: True},
}

VERSION_PARSERS = frozenset(
    {
        "packaging.version.parse",
        "packaging.version.Version",
        "pkg_resources.parse_version",
        "distutils.version.LooseVersion",
        "distutils.version.StrictVersion",
        "looseversion.LooseVersion",
    }
)
STRING_METHODS = frozenset(
    {"startswith", "endswith", "split", "rsplit", "strip", "lstrip", "rstrip", "partition", "rpartition", "replace", "lower", "upper"}
)
VERSION_ATTRIBUTES = frozenset({"major", "minor", "micro", "release", "base_version", "public", "version"})
PURE_BUILTINS: dict[str, Callable] = {"int": int, "float": float, "str": str, "tuple": tuple, "list": list, "len": len}


@dataclass(frozen=True, eq=False)
class Possible:
    """A value that depends on the installed versions: ``values[i]`` for candidate ``i`` of
    ``axis`` (a constant when ``axis`` is None and there is one value)."""

    axis: Any
    values: tuple

    @property
    def uniform(self) -> bool:
        return all(_same(v, self.values[0]) for v in self.values[1:])


def _same(a: Any, b: Any) -> bool:
    try:
        return type(a) is type(b) and bool(a == b)
    except Exception:  # noqa: BLE001
        return False


def decided(value: Any) -> bool | None:
    """The truth of a version-dependent test when every candidate agrees, else None."""
    if not isinstance(value, Possible):
        return None
    try:
        truths = {bool(v) for v in value.values}
    except Exception:  # noqa: BLE001
        return None
    return truths.pop() if len(truths) == 1 else None


def lift(function: Callable, *operands: Any) -> Any:
    """``function`` applied per candidate; plain scalars are the same for every candidate.

    UNKNOWN when an operand is unknown, two operands vary along different axes, or the
    function fails for some candidate (the real program would fail or differ there)."""
    axis, length = None, 1
    for operand in operands:
        if isinstance(operand, Possible) and len(operand.values) > 1 and not operand.uniform:
            if axis is not None and operand.axis != axis:
                return UNKNOWN
            axis, length = operand.axis, len(operand.values)
        elif operand is UNKNOWN:
            return UNKNOWN
    columns = []
    for operand in operands:
        if isinstance(operand, Possible):
            columns.append(operand.values if len(operand.values) == length and not operand.uniform else (operand.values[0],) * length)
        elif isinstance(operand, (str, int, float, bool, tuple, type(None), Version)):
            columns.append((operand,) * length)
        else:
            return UNKNOWN
    try:
        results = tuple(function(*row) for row in zip(*columns))
    except Exception:  # noqa: BLE001 - the real program would raise for that version
        return UNKNOWN
    return Possible(axis, results)


class VersionAxis:
    """Which versions the target allows; ``major`` None means either Keras."""

    def __init__(self, major: int | None, flavours: frozenset[str] | None) -> None:
        self.major = major
        self.flavours = flavours or frozenset()

    def keras_majors(self, flavour: str) -> tuple[int, ...]:
        if flavour == "tf_keras":
            return (2,)
        if self.major is None or "tf_keras" in self.flavours:
            # The target says nothing about ``keras`` in a file that also uses tf_keras.
            return (2, 3)
        return (self.major,)

    def version_of(self, qualname: str) -> Any:
        """The Possible for ``<package>.__version__``, or UNKNOWN for other packages."""
        if qualname in ("tensorflow.__version__", "tensorflow.version.VERSION", "tensorflow.VERSION"):
            return Possible("tensorflow", self.tensorflow_versions())
        if not qualname.endswith(".__version__"):
            return UNKNOWN
        name = kn.keras_name(qualname[: -len(".__version__")])
        if name is None or name.path:
            return UNKNOWN
        majors = self.keras_majors(name.flavour)
        return Possible(("keras", majors), tuple(v for m in majors for v in (_KERAS_2 if m == 2 else _KERAS_3)))

    def tensorflow_versions(self) -> tuple[str, ...]:
        if self.major is not None and "tf.keras" in self.flavours and "tf_keras" not in self.flavours:
            return _TF_FROM_2_16 if self.major == 3 else _TF_1 + _TF_UP_TO_2_15
        return _TF_1 + _TF_UP_TO_2_15 + _TF_FROM_2_16

    def module_exists(self, qualname: str) -> Any:
        """A Possible truth for "this Keras module exists", UNKNOWN when not known."""
        name = kn.keras_name(qualname)
        if name is None:
            return UNKNOWN
        table = _MODULES.get(".".join(name.parts))
        if table is None:
            return UNKNOWN
        majors = self.keras_majors(name.flavour)
        return Possible(("keras-major", majors), tuple(table[m] for m in majors))

    def name_importable(self, module: str, name: str) -> Any:
        """A Possible truth for ``from <module> import <name>`` on Keras modules."""
        found = self.module_exists(f"{module}.{name}")
        if found is not UNKNOWN:
            return found
        keras = kn.keras_name(module)
        if keras is None:
            return UNKNOWN
        path = ".".join(keras.parts)
        from compilelint import keras_data

        majors = self.keras_majors(keras.flavour)
        if path == "optimizers":
            return Possible(("keras-major", majors), tuple(name in keras_data.load(m)["optimizer_classes"] for m in majors))
        if path == "optimizers.legacy":
            # Keras 3 keeps the names (building one raises): the import itself succeeds.
            return Possible(("keras-major", majors), tuple(name in keras_data.load(2)["legacy_optimizers"]["names"] for m in majors))
        return UNKNOWN


class Version:
    """The part of a parsed version (packaging / distutils) that version guards compare."""

    def __init__(self, text: str, loose: bool = False) -> None:
        self.loose = loose  # distutils' LooseVersion compares the numbers as lists: "2.16.0" > "2.16"
        if not isinstance(text, str):
            raise TypeError("a version is parsed from a string")
        numbers = re.match(r"\s*v?(\d+(?:\.\d+)*)", text)
        if numbers is None:
            raise ValueError(text)
        self.release = tuple(int(part) for part in numbers.group(1).split("."))
        self.pre = text[numbers.end() :].strip().lstrip("-+.") != ""

    def _key(self) -> tuple:
        release = self.release
        while not self.loose and len(release) > 1 and release[-1] == 0:
            release = release[:-1]
        return release

    def _compare(self, other: Any) -> tuple[tuple, tuple]:
        if isinstance(other, str):
            other = Version(other, self.loose)
        if not isinstance(other, Version) or self.pre or other.pre or self.loose != other.loose:
            raise TypeError("only plain release versions are compared")
        return self._key(), other._key()

    def __eq__(self, other: Any) -> bool:
        a, b = self._compare(other)
        return a == b

    def __ne__(self, other: Any) -> bool:
        return not self.__eq__(other)

    def __lt__(self, other: Any) -> bool:
        a, b = self._compare(other)
        return a < b

    def __le__(self, other: Any) -> bool:
        a, b = self._compare(other)
        return a <= b

    def __gt__(self, other: Any) -> bool:
        a, b = self._compare(other)
        return a > b

    def __ge__(self, other: Any) -> bool:
        a, b = self._compare(other)
        return a >= b

    __hash__ = None  # type: ignore[assignment]

    @property
    def major(self) -> int:
        return self.release[0]

    @property
    def minor(self) -> int:
        return self.release[1] if len(self.release) > 1 else 0

    @property
    def micro(self) -> int:
        return self.release[2] if len(self.release) > 2 else 0

    @property
    def version(self) -> list[int]:  # distutils' LooseVersion.version
        return list(self.release)

    @property
    def base_version(self) -> str:
        return ".".join(str(part) for part in self.release)

    public = base_version


COMPARISONS: dict[str, Callable[[Any, Any], Any]] = {
    "Equal": lambda a, b: a == b,
    "NotEqual": lambda a, b: a != b,
    "LessThan": lambda a, b: a < b,
    "LessThanEqual": lambda a, b: a <= b,
    "GreaterThan": lambda a, b: a > b,
    "GreaterThanEqual": lambda a, b: a >= b,
    "In": lambda a, b: a in b,
    "NotIn": lambda a, b: a not in b,
    "Is": lambda a, b: a is b if a is None or b is None else _same(a, b),
    "IsNot": lambda a, b: (a is not b) if a is None or b is None else not _same(a, b),
}
