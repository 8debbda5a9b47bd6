"""The result types every layer agrees on: positions, fixes, diagnostics."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Effect(Enum):
    """What the targeted Keras does with the code a rule reports."""

    ERROR_AT_COMPILE = "error at compile"
    ERROR_AT_FIT = "error at the first training step"
    SILENT = "silent change"
    WARNING = "warning"
    SLOW = "slow"

    @property
    def severity(self) -> str:
        if self in (Effect.ERROR_AT_COMPILE, Effect.ERROR_AT_FIT):
            return "error"
        return "warning"


@dataclass(frozen=True)
class Span:
    """1-based lines and columns; ``end_column`` points one past the last character."""

    line: int
    column: int
    end_line: int
    end_column: int


@dataclass(frozen=True)
class Edit:
    """Replace the text between two 1-based (line, column) positions."""

    span: Span
    text: str


@dataclass(frozen=True)
class Fix:
    description: str
    edits: tuple[Edit, ...]
    safe: bool = True


@dataclass(frozen=True)
class Diagnostic:
    code: str
    name: str
    message: str
    path: str
    span: Span
    severity: str = "error"
    fix: Fix | None = None
    cell: int | None = None

    @property
    def fixable(self) -> bool:
        return self.fix is not None

    def sort_key(self) -> tuple:
        return (self.path, self.cell or 0, self.span.line, self.span.column, self.code)


@dataclass
class FileResult:
    """Everything linting one file produced; picklable so workers and the cache can hold it."""

    path: str
    diagnostics: list[Diagnostic] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # one line each: file problems, rule crashes
    internal_error: bool = False
    warnings: list[str] = field(default_factory=list)  # one line each, exit code unchanged: an unknown code in a noqa
    # The project modules the facts read, as (path, content digest, stat stamp): the result
    # holds while they are unchanged (see project.py and cache.py).
    dependencies: list = field(default_factory=list)
