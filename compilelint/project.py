"""The project's own modules a file imports: where they are, and their parsed text.

A name imported from a module of the same project can be read by the facts pass (see
``facts/collector.py``): a relative import, or an absolute one that resolves to a file beside
the importing file, at the top of the package it is in, under the project root (the folder
of the config that applies, else the folder the run starts from) or under ``<root>/src/``.
Never read: a module of the standard library, Keras, TensorFlow and the like (whatever is
on disk under those names), a file under a ``site-packages`` / ``dist-packages`` folder or in
a virtual environment, an excluded folder, the importing file itself, and every absolute
import of a file that changes ``sys.path`` (the module Python finds is then not known).

Each file read is recorded (path, content digest, stat stamp taken before reading), so the
per-file result is a function of the importing text and of these contents, and the cache
can check them.

A dependency is cut into its top-level statements with Python's own parser (a tenth of
LibCST's time); LibCST parses a top-level ``def`` or ``class`` only when the facts pass first
uses it, and the other top-level statements (imports, constants: what runs on import) as
they run. A process keeps each module's pieces, parsed or not, once per content
(``_LAYOUTS``), however many files import it.
"""

from __future__ import annotations

import ast
import os
import sys
import warnings
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

from compilelint.sources import LINE_BREAK, SourceError, content_digest, decode_python, file_stamp, read_bytes

if TYPE_CHECKING:
    import libcst as cst

    from compilelint.config import Settings

# Top-level names that are never a project module, whatever a folder on disk is called.
NEVER_PROJECT = frozenset(
    {
        "keras", "tensorflow", "tf_keras", "tensorflow_addons", "tensorflow_datasets", "tensorflow_hub",
        "tensorflow_probability", "tensorflow_text", "tensorflow_model_optimization", "tf2onnx",
        "jax", "jaxlib", "flax", "torch", "numpy", "scipy", "pandas", "sklearn", "matplotlib", "absl",
        "six", "setuptools", "pytest", "libcst", "compilelint",
    }
) | frozenset(getattr(sys, "stdlib_module_names", ()))
PACKAGE_FOLDERS = frozenset({"site-packages", "dist-packages"})
MAX_DEPENDENCY_BYTES = 512 * 1024
_LAYOUT_BUDGET = 16 * 1024 * 1024  # characters of dependency text whose pieces a process keeps


@dataclass(frozen=True)
class Location:
    """Where a module lives: its file (a package's ``__init__.py``; None for a namespace
    package) and, for a package, the folder its submodules are in."""

    file: str | None
    package: str | None = None


@dataclass(eq=False)
class Piece:
    """Consecutive top-level statements of a module: one ``def`` / ``class`` (``name``, its
    decorators included), or a run of other statements. Parsed on first use."""

    first_line: int
    text: str
    name: str | None
    parse: Callable[[str], "cst.Module | None"]
    header: str | None = None  # a class's decorators and ``class`` line(s), its body left out
    _trees: dict = field(default_factory=dict)

    def tree(self) -> "cst.Module | None":
        """The piece as a module of its own (lines count from its first line); None when
        LibCST cannot parse it."""
        return self._parsed(self.text)

    def header_tree(self) -> "cst.Module | None":
        """A class with its bases but an empty body: what its bases are costs no parse of its
        methods."""
        return self._parsed(self.header) if self.header is not None else self.tree()

    def parsed_tree(self) -> "cst.Module | None":
        """The tree of the whole piece if it was parsed, else None."""
        return self._trees.get(self.text)

    def _parsed(self, text: str) -> "cst.Module | None":
        if text not in self._trees:
            self._trees[text] = self.parse(text)
        return self._trees[text]


@dataclass(eq=False)
class Dependency:
    """One project module a file's facts read."""

    path: str  # absolute
    digest: str | None  # of the bytes read; None when the file could not be read
    stamp: list | None  # (size, mtime_ns, inode) taken before reading
    text: str = ""
    pieces: list[Piece] | None = None  # None when it could not be read, decoded or parsed

    def lines_of(self, nodes: list) -> dict[int, int]:
        """id(node) -> its line in the module, for the nodes of parsed pieces."""
        from compilelint.positions import positions_of

        lines: dict[int, int] = {}
        for piece in self.pieces or ():
            tree = piece.parsed_tree()
            wanted = [node for node in nodes if id(node) not in lines]
            if tree is None or not wanted:
                continue
            for node, code_range in positions_of(tree, wanted).items():
                lines[id(node)] = code_range.start.line + piece.first_line - 1
        return lines


# (path, digest) -> (the module's pieces, or None when Python cannot parse it; text length),
# least recently used first.
_LAYOUTS: "OrderedDict[tuple[str, str], tuple[list[Piece] | None, int]]" = OrderedDict()
_layout_size = 0


def _layout(path: str, digest: str, text: str, parse: Callable[[str], "cst.Module | None"]) -> list[Piece] | None:
    global _layout_size
    key = (path, digest)
    if key in _LAYOUTS:
        _LAYOUTS.move_to_end(key)
        return _LAYOUTS[key][0]
    pieces = cut_pieces(text, parse)
    _LAYOUTS[key] = (pieces, len(text))
    _layout_size += len(text)
    while _layout_size > _LAYOUT_BUDGET and len(_LAYOUTS) > 1:
        _, (_, size) = _LAYOUTS.popitem(last=False)
        _layout_size -= size
    return pieces


def cut_pieces(text: str, parse: Callable[[str], "cst.Module | None"]) -> list[Piece] | None:
    """The module's top-level statements as pieces, in order; a ``if __name__ ==
    "__main__":`` block is left out (importing the module does not run it)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            statements = ast.parse(text).body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    starts = [0] + [match.end() for match in LINE_BREAK.finditer(text)]  # offset of each line

    def span(first: int, last: int) -> str:
        end = starts[last] if last < len(starts) else len(text)
        return text[starts[first - 1] : end]

    pieces: list[Piece] = []
    run: list[int] | None = None  # [first, last] line of the statements not yet in a piece
    for statement in statements:
        first = min([statement.lineno, *(d.lineno for d in getattr(statement, "decorator_list", ()))])
        last = statement.end_lineno or statement.lineno
        if run is not None and first <= run[1]:
            run[1] = max(run[1], last)  # statements sharing a line stay together
            continue
        definition = isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
        if definition or is_main_guard(statement):
            if run is not None:
                pieces.append(Piece(run[0], span(*run), None, parse))
                run = None
            if definition:
                header = None
                if isinstance(statement, ast.ClassDef) and statement.body[0].lineno > statement.lineno:
                    header = span(first, statement.body[0].lineno - 1).rstrip("\r\n") + "\n    pass\n"
                pieces.append(Piece(first, span(first, last), statement.name, parse, header))
            continue
        run = [first, last] if run is None else [run[0], last]
    if run is not None:
        pieces.append(Piece(run[0], span(*run), None, parse))
    return pieces


def is_main_guard(statement: ast.stmt) -> bool:
    """``if __name__ == "__main__":``: code that importing the module does not run."""
    if not isinstance(statement, ast.If):
        return False
    test = statement.test
    return (
        isinstance(test, ast.Compare)
        and len(test.ops) == 1
        and isinstance(test.ops[0], ast.Eq)
        and {_guard_part(test.left), _guard_part(test.comparators[0])} == {"__name__", "__main__"}
    )


def _guard_part(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


class ProjectImports:
    """The project modules one file may import, found on disk and read on demand."""

    def __init__(self, path: str, settings: "Settings", parse: Callable[[str], "cst.Module | None"], absolute: bool = True) -> None:
        self.file = os.path.abspath(path)
        self.folder = os.path.dirname(self.file)
        self.root = os.path.abspath(settings.root)
        self.settings = settings
        self.parse = parse
        self.absolute = absolute  # False when the file changes sys.path
        self.read: dict[str, Dependency] = {}
        self._bases: list[str] | None = None
        self._located: dict[tuple, Location | None] = {}
        self._excludes = None
        self._outside: dict[str, bool] = {}

    # ------------------------------------------------------------------ finding modules
    def may_be_project(self, module: str | None, level: int) -> bool:
        """Cheap, before any file is looked at: the names an import can never bind to project code."""
        return bool(level) or (self.absolute and module is not None and module.partition(".")[0] not in NEVER_PROJECT)

    def locate(self, module: str | None, level: int) -> Location | None:
        """The module ``from <level dots><module> import ...`` names, when it is the project's."""
        key = (module, level)
        if key not in self._located:
            self._located[key] = self._find(module, level)
        return self._located[key]

    def submodule(self, package: Location, name: str) -> Location | None:
        """``package.name`` when it is a module of its own (a file or a package folder)."""
        if package.package is None:
            return None
        key = (package.package, name, "sub")
        if key not in self._located:
            self._located[key] = self._checked(_module_in(package.package, name.split(".")))
        return self._located[key]

    def _find(self, module: str | None, level: int) -> Location | None:
        parts = module.split(".") if module else []
        if level:
            base = self.folder
            for _ in range(level - 1):
                base = os.path.dirname(base)
            if not parts:
                return self._checked(_package_at(base))
            return self._checked(_module_in(base, parts))
        if not parts or not self.absolute or parts[0] in NEVER_PROJECT:
            return None
        namespace = None  # as in Python, a module or package anywhere wins over a namespace folder
        for base in self.bases():
            found = _module_in(base, parts)
            if found is not None and found.file is not None:
                return self._checked(found)
            namespace = namespace or found
        return self._checked(namespace)

    def bases(self) -> list[str]:
        """Where an absolute import may find a project module, first match wins."""
        if self._bases is None:
            bases = [self.folder, _package_top(self.folder), self.root, os.path.join(self.root, "src")]
            self._bases = list(dict.fromkeys(base for base in bases if os.path.isdir(base)))
        return self._bases

    def _checked(self, found: Location | None) -> Location | None:
        if found is None or self._outside_project(found.file or found.package):
            return None
        if found.file == self.file:
            # The file itself: never read, though a package's submodules still are.
            return Location(None, found.package) if found.package is not None else None
        return found

    def _outside_project(self, path: str) -> bool:
        """Installed code, a virtual environment, or a folder the settings exclude."""
        folder = os.path.dirname(path) if path.endswith(".py") else path
        if folder in self._outside:
            return self._outside[folder]
        parts = folder.split(os.sep)
        outside = any(part in PACKAGE_FOLDERS for part in parts) or _in_virtualenv(folder, self.root)
        if not outside and (folder == self.root or folder.startswith(os.path.join(self.root, ""))):
            from compilelint.config import relative_path
            from compilelint.discovery import ExcludeMatcher

            if self._excludes is None:
                self._excludes = ExcludeMatcher(self.settings)
            relative = relative_path(path, self.root)
            outside = self._excludes.excluded(relative)
        self._outside[folder] = outside
        return outside

    # ------------------------------------------------------------------ reading modules
    def load(self, path: str) -> Dependency:
        """The module at ``path`` (a file ``locate`` returned), read once per file."""
        dependency = self.read.get(path)
        if dependency is None:
            dependency = self.read[path] = self._read(path)
        return dependency

    def _read(self, path: str) -> Dependency:
        stamp = file_stamp(path)
        try:
            data = read_bytes(path)
        except SourceError:
            return Dependency(path, None, stamp)
        digest = content_digest(data)
        if len(data) > MAX_DEPENDENCY_BYTES:
            return Dependency(path, digest, stamp)
        try:
            text = decode_python(data, path)
        except SourceError:
            return Dependency(path, digest, stamp)
        return Dependency(path, digest, stamp, text, _layout(path, digest, text, self.parse))

    def dependencies(self) -> list[tuple[str, str | None, list | None]]:
        """(path, digest, stamp) of every module read, for the cache."""
        return [(d.path, d.digest, d.stamp) for d in self.read.values()]


def _module_in(base: str, parts: list[str]) -> Location | None:
    if any(not part.isidentifier() for part in parts):
        return None
    path = os.path.join(base, *parts)
    package = _package_at(path)
    if package is not None and package.file is not None:
        return package
    if os.path.isfile(path + ".py"):
        return Location(path + ".py")
    return package  # a namespace package, or nothing


def _package_at(folder: str) -> Location | None:
    init = os.path.join(folder, "__init__.py")
    if os.path.isfile(init):
        return Location(init, folder)
    return Location(None, folder) if os.path.isdir(folder) else None


def _package_top(folder: str) -> str:
    """The folder above the outermost package ``folder`` is in (where ``python -m`` runs)."""
    top = folder
    while os.path.isfile(os.path.join(top, "__init__.py")):
        parent = os.path.dirname(top)
        if parent == top:
            break
        top = parent
    return top


def _in_virtualenv(folder: str, root: str) -> bool:
    """A ``pyvenv.cfg`` in ``folder`` or a folder above it, up to the project root."""
    current = folder
    for _ in range(12):
        if os.path.isfile(os.path.join(current, "pyvenv.cfg")):
            return True
        if current == root:
            return False
        parent = os.path.dirname(current)
        if parent == current:
            return False
        current = parent
    return False


def project_imports(path: str, settings: "Settings", text: str, parse: Callable[[str], "cst.Module | None"]) -> ProjectImports | None:
    """The project imports of the file ``path``; None when it names no file on disk (stdin,
    an untitled buffer), or lies in installed code itself."""
    if not path or path == "-" or path.startswith(("untitled:", "<")):
        return None
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder) or any(part in PACKAGE_FOLDERS for part in folder.split(os.sep)):
        return None
    return ProjectImports(path, settings, parse, absolute="sys.path" not in text)
