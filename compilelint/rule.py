"""What a rule is: a code, a name, its docs, examples, and a check that reads facts."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Iterable

from compilelint.diagnostics import Effect
from compilelint.facts.model import BoundArgument, CompileSite, ModuleFacts
from compilelint.facts.values import UNKNOWN
from compilelint.versions import KerasTarget

if TYPE_CHECKING:
    import libcst as cst


@dataclass(frozen=True)
class Example:
    """A program for the docs and the tests; ``keras`` is the target it is checked under."""

    code: str
    keras: str = "2,3"


@dataclass
class FixSpec:
    """A fix: each node is replaced by new code (a LibCST node, or source text). An unsafe
    one (``safe=False``) may change what the program does elsewhere, so ``--fix`` applies
    it only with ``--unsafe-fixes``."""

    description: str
    replacements: list[tuple["cst.CSTNode", Any]]
    safe: bool = True


@dataclass
class Finding:
    node: "cst.CSTNode"
    message: str
    effect: Effect
    fix: FixSpec | None = None
    # (key, value expression) when the reported value comes from a ``**dict`` argument:
    # the finding is then placed on that argument of the compile() call (see engine).
    origin: tuple[str, "cst.CSTNode"] | None = None


@dataclass
class Context:
    """What a rule may read besides the site: the module's facts and the targeted Keras."""

    keras: KerasTarget
    facts: ModuleFacts
    path: str
    targets: tuple[KerasTarget, ...] = ()  # every version this file is checked against
    _bound: dict = field(default_factory=dict)

    @property
    def shared_label(self) -> str:
        """How a message names every targeted version at once, for behaviour they share
        ("Keras 2 and 3" under ``2,3``): the per-target messages then read the same."""
        majors = sorted({target.major for target in self.targets} | {self.keras.major})
        return "Keras " + " and ".join(str(major) for major in majors)

    @property
    def targets_keras_3(self) -> bool:
        return any(target.major == 3 for target in self.targets) or self.keras.major == 3

    def bound(self, site: CompileSite) -> dict[str, BoundArgument]:
        key = id(site)
        if key not in self._bound:
            self._bound[key] = site.bind(self.keras.compile_parameters)
        return self._bound[key]

    def arg(self, site: CompileSite, name: str) -> BoundArgument | None:
        return self.bound(site).get(name)

    def value(self, site: CompileSite, name: str, default: Any = None) -> Any:
        """The argument's value; ``default`` when it is certainly not passed; else UNKNOWN."""
        argument = self.arg(site, name)
        if argument is not None:
            return argument.value
        if site.unknown_keywords or site.unknown_positional:
            return UNKNOWN
        return default

    def passes(self, site: CompileSite, name: str) -> Any:
        """True / False / UNKNOWN: whether the call passes this parameter."""
        if self.arg(site, name) is not None:
            return True
        return UNKNOWN if site.unknown_keywords or site.unknown_positional else False


_SECTION = re.compile(r"^## (.+)$", re.M)


class Rule:
    code: ClassVar[str]
    name: ClassVar[str]
    default_enabled: ClassVar[bool] = True
    # Reported only by `compilelint verify`, which runs the code: its examples are programs
    # to build and train, not checked by the static engine (tests/test_verify.py runs them).
    verify_only: ClassVar[bool] = False
    fix_safety: ClassVar[str] = "This rule has no automatic fix."
    valid: ClassVar[list[Example]] = []
    invalid: ClassVar[list[Example]] = []

    def check(self, site: CompileSite, ctx: Context) -> Iterable[Finding]:
        return ()

    def check_module(self, ctx: Context) -> Iterable[Finding]:
        return ()

    # -- docs, from the class docstring ---------------------------------------------------
    @classmethod
    def summary(cls) -> str:
        import inspect

        return inspect.getdoc(cls).strip().splitlines()[0]

    @classmethod
    def sections(cls) -> dict[str, str]:
        import inspect

        doc = inspect.getdoc(cls) or ""
        parts = _SECTION.split(doc)
        return {parts[i].strip(): parts[i + 1].strip() for i in range(1, len(parts) - 1, 2)}
