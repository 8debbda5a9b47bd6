"""Abstract values: what the analysis knows about an expression, and nothing more.

A value the analysis cannot know is ``UNKNOWN``; rules never guess past it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import libcst as cst


class _Unknown:
    _instance: "_Unknown | None" = None

    def __new__(cls) -> "_Unknown":
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __bool__(self) -> bool:
        raise TypeError("the truth of an unknown value is unknown; compare with `is UNKNOWN`")

    def __reduce__(self):
        return (_Unknown, ())


UNKNOWN: Any = _Unknown()

SCALAR_TYPES = (str, int, float, bool, type(None), bytes, complex)


def is_scalar(value: object) -> bool:
    return isinstance(value, SCALAR_TYPES)


@dataclass(eq=False)
class SeqValue:
    """A list or tuple literal; ``nodes`` are the element expressions (None when synthesised)."""

    kind: str  # "list" | "tuple"
    items: list
    node: cst.CSTNode | None = field(default=None, repr=False)
    nodes: list = field(default_factory=list, repr=False)


@dataclass(eq=False)
class DictValue:
    """A dict whose keys are all known; ``key_nodes`` maps a key to its expression."""

    entries: dict
    node: cst.CSTNode | None = field(default=None, repr=False)
    value_nodes: dict = field(default_factory=dict, repr=False)


@dataclass(eq=False)
class SetValue:
    items: list
    node: cst.CSTNode | None = field(default=None, repr=False)


@dataclass(eq=False)
class Ref:
    """A reference to something importable, by its dotted name (``tensorflow.keras.losses.mse``)."""

    qualname: str
    node: cst.CSTNode | None = field(default=None, repr=False)


@dataclass(eq=False)
class CallValue:
    """The result of calling something importable that the analysis does not model further
    (a loss or metric object, an optimizer, a strategy, ...). Identity matters: the same
    ``CallValue`` object reached through two names is one Python object at run time."""

    qualname: str
    args: list
    kwargs: dict
    node: cst.Call = field(repr=False)
    kwarg_nodes: dict = field(default_factory=dict, repr=False)
    complete: bool = True  # False when *args / **kwargs hide arguments
    via: str | None = None  # the module's own subclass it was built through (``MyAdam(...)``)
    strategy: Any = None  # for an optimizer: the strategy scope in effect where it was built

    def kwarg(self, name: str, default: Any = UNKNOWN) -> Any:
        """The keyword's value; ``default`` only when it is certainly not passed."""
        if name in self.kwargs:
            return self.kwargs[name]
        return default if self.complete else UNKNOWN


def literal(value: Any) -> Any:
    """Plain Python data for a value made only of literals, else UNKNOWN."""
    if is_scalar(value):
        return value
    if isinstance(value, SeqValue):
        items = [literal(v) for v in value.items]
        if any(i is UNKNOWN for i in items):
            return UNKNOWN
        return items if value.kind == "list" else tuple(items)
    if isinstance(value, DictValue):
        out = {}
        for key, item in value.entries.items():
            item = literal(item)
            if item is UNKNOWN:
                return UNKNOWN
            out[key] = item
        return out
    return UNKNOWN


def truthiness(value: Any) -> Any:
    """True / False when Python's truth value of ``value`` is known, else UNKNOWN."""
    if is_scalar(value):
        return bool(value)
    if isinstance(value, (SeqValue, SetValue)):
        return bool(value.items)
    if isinstance(value, DictValue):
        return bool(value.entries)
    return UNKNOWN
