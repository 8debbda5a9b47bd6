"""Safe fixes: apply a file's fix edits to its text, show them as a diff, write them back.

Edits come from the engine as 1-based (line, column) spans over the text that was linted.
A fix is applied whole or not at all; a fix that overlaps one already taken waits for the
next round (the text is linted again after each round, until nothing more can be fixed).
Writing keeps the file's bytes apart from the edits: line endings, encoding and BOM,
permissions and the trailing newline; a file that changed on disk meanwhile is left alone.
"""

from __future__ import annotations

import codecs
import difflib
import os
import stat
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from compilelint.diagnostics import Diagnostic, FileResult, Fix
from compilelint.sources import LINE_BREAK, SourceError, replace_atomically

if TYPE_CHECKING:
    from compilelint.config import Settings

MAX_ROUNDS = 10


class FixError(Exception):
    """A fix that cannot be written; the message is one line."""


def line_starts(text: str) -> list[int]:
    """Offsets where each line begins, breaking lines as Python's tokenizer does."""
    return [0] + [match.end() for match in LINE_BREAK.finditer(text)]


def _offset(starts: list[int], line: int, column: int) -> int:
    return starts[line - 1] + column - 1


def apply_fixes(text: str, fixes: list[Fix]) -> tuple[str, int]:
    """The text with every fix applied that overlaps no earlier one; and how many were."""
    starts = line_starts(text)
    taken: list[tuple[int, int, str]] = []
    applied = 0
    for fix in fixes:
        edits = [(_offset(starts, e.span.line, e.span.column), _offset(starts, e.span.end_line, e.span.end_column), e.text) for e in fix.edits]
        if any(start > end for start, end, _ in edits) or any(_overlap(edit, other) for edit in edits for other in taken):
            continue
        taken.extend(edits)
        applied += 1
    for start, end, replacement in sorted(taken, key=lambda e: (e[0], e[1]), reverse=True):
        text = text[:start] + replacement + text[end:]
    return text, applied


def _overlap(a: tuple[int, int, str], b: tuple[int, int, str]) -> bool:
    if a[0] == a[1] == b[0] == b[1]:
        return True  # two insertions at one place: their order would be a guess
    return a[0] < b[1] and b[0] < a[1]


def _parses(text: str) -> bool:
    from compilelint.parsing import parse_module

    try:
        parse_module(text)
    except Exception:
        return False
    return True


@dataclass
class FixOutcome:
    """One file after fixing: its new text, how many fixes went in, what is left."""

    path: str
    original: str
    fixed: str
    applied: int
    result: FileResult
    notes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.fixed != self.original


def fixable(diagnostics: list[Diagnostic], unsafe: bool = False) -> list[Fix]:
    """The fixes ``--fix`` applies to a module's text: the safe ones, and with ``unsafe``
    (``--unsafe-fixes``) the rest. Notebook edits count lines from their cell, not from
    the text: fix_notebook_text applies them."""
    return [d.fix for d in diagnostics if d.fix is not None and d.cell is None and (d.fix.safe or unsafe)]


def _has_fixes(result: FileResult, unsafe: bool) -> bool:
    return any(d.fix is not None and (d.fix.safe or unsafe) for d in result.diagnostics)


def fix_text(text: str, path: str, settings: "Settings") -> FixOutcome:
    """Lint and fix until no fix applies; the result is the last lint of the fixed text."""
    from compilelint.runner import lint_guarded
    from compilelint.sources import Source

    current, applied = text, 0
    result = lint_guarded(Source(text=current, path=path), settings)
    notes: list[str] = []
    for _ in range(MAX_ROUNDS):
        fixes = fixable(result.diagnostics, settings.unsafe_fixes)
        if not fixes:
            break
        candidate, count = apply_fixes(current, fixes)
        if count == 0 or candidate == current:
            break
        if not _parses(candidate):
            notes.append(f"{path}: a fix would have broken the syntax, so it was not applied")
            break
        current, applied = candidate, applied + count
        result = lint_guarded(Source(text=current, path=path), settings)
    return FixOutcome(path, text, current, applied, result, notes)


def unified_diff(outcome: FixOutcome) -> str:
    lines = difflib.unified_diff(
        outcome.original.splitlines(keepends=True),
        outcome.fixed.splitlines(keepends=True),
        fromfile=outcome.path if os.path.isabs(outcome.path) else f"a/{outcome.path}",
        tofile=outcome.path if os.path.isabs(outcome.path) else f"b/{outcome.path}",
    )
    out = []
    for line in lines:
        out.append(line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n")
    return "".join(out)


# -- reading and writing files -----------------------------------------------------------

@dataclass(frozen=True)
class FileText:
    """A file's text and what it takes to write it back byte for byte."""

    path: str
    data: bytes
    text: str
    encoding: str
    bom: bool


def read_file_text(path: str) -> FileText:
    """Raises SourceError (one line) for a file that cannot be read or decoded."""
    from compilelint.sources import declared_encoding, decode_python, read_bytes

    data = read_bytes(path)
    text = decode_python(data, path)
    bom = data.startswith(codecs.BOM_UTF8)
    return FileText(path, data, text, "utf-8" if bom else declared_encoding(data), bom)


def encode_like(original: FileText, text: str) -> bytes:
    try:
        data = text.encode(original.encoding)
    except UnicodeEncodeError:
        raise FixError(f"{original.path}: the fixed text cannot be encoded as {original.encoding}") from None
    return codecs.BOM_UTF8 + data if original.bom else data


def write_atomically(original: FileText, text: str) -> None:
    """Replace the file with ``text`` in one step, unless it changed since it was read."""
    data = encode_like(original, text)

    def unchanged_on_disk() -> None:
        if _current_bytes(original.path) != original.data:
            raise FixError(f"{original.path}: changed on disk while it was being fixed; left as it is")

    try:
        mode = stat.S_IMODE(os.stat(original.path).st_mode)
        replace_atomically(original.path, data, mode=mode, durable=True, check=unchanged_on_disk)
    except OSError as error:
        raise FixError(f"{original.path}: cannot write the fix: {error.strerror or error}") from None


def _current_bytes(path: str) -> bytes | None:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError:
        return None


def fix_file(path: str, settings: "Settings", write: bool) -> FixOutcome:
    """Fix one file on disk (``write``) or only compute the fix (for --diff)."""
    from compilelint.sources import SourceError

    try:
        original = read_file_text(path)
    except SourceError as error:
        raise FixError(str(error)) from None
    outcome = fix_source_text(original.text, path, settings)
    if write and outcome.changed:
        write_atomically(original, outcome.fixed)
    return outcome


def fix_source_text(text: str, path: str, settings: "Settings") -> FixOutcome:
    """Fix a file's text, whichever kind it is: Python, or a notebook's JSON (``path`` says)."""
    if not path.endswith(".ipynb"):
        return fix_text(text, path, settings)
    from compilelint.sources import SourceError

    try:
        fixed, applied, result = fix_notebook_text(text, path, settings)
    except SourceError as error:
        raise FixError(str(error)) from None
    return FixOutcome(path, text, fixed, applied, result)


# -- notebooks --------------------------------------------------------------------------------


def fix_notebook_text(text: str, path: str, settings: "Settings") -> tuple[str, int, object]:
    """Apply the safe fixes to a notebook's JSON text, round after round, editing only the
    ``source`` of the cells a fix touches; returns (new JSON text, fixes applied, last lint).

    Fixes edit each cell's own text, magics and all: reading a cell as IPython does never
    moves a line, and the engine gives no fix that touches a line it rewrote (a magic, a
    removed indent), so cell-relative edits land where they were computed. Raises
    SourceError when the notebook cannot be read or written back without changing the rest
    of its layout.
    """
    from compilelint.notebooks import read_notebook_json

    notebook = read_notebook_json(text.encode("utf-8"), path)
    dump = _layout_of(notebook, text, path)
    applied, result = fix_notebook(notebook, path, settings)
    return (dump(notebook) if applied else text), applied, result


def fix_notebook(notebook: dict, path: str, settings: "Settings") -> tuple[int, FileResult]:
    """Apply the safe fixes to a read notebook's cells, in place, round after round; returns
    (fixes applied, the last lint). Raises SourceError for a notebook that cannot be read."""
    from compilelint.engine import lint_source
    from compilelint.notebooks import cell_parses, notebook_source

    cells = notebook["cells"]
    result = lint_source(notebook_source(notebook, path), settings)
    applied = 0
    for _ in range(MAX_ROUNDS):
        by_cell: dict[int, list] = {}
        for diagnostic in result.diagnostics:
            if diagnostic.fix is not None and diagnostic.cell is not None and (diagnostic.fix.safe or settings.unsafe_fixes):
                by_cell.setdefault(diagnostic.cell, []).append(diagnostic.fix)
        changed = 0
        for index, fixes in by_cell.items():
            cell = cells[index - 1]
            original = _cell_text(cell)
            new_text, count = apply_fixes(original, fixes)
            if count and new_text != original and cell_parses(new_text):
                cell["source"] = _like(cell["source"], new_text)
                changed += count
        if not changed:
            break
        applied += changed
        result = lint_source(notebook_source(notebook, path), settings)
    return applied, result


def _cell_text(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def _like(old_source, text: str):
    """The new cell text stored the way the old one was: a list of lines or one string."""
    return text.splitlines(keepends=True) if isinstance(old_source, list) else text


def _layout_of(notebook: dict, text: str, path: str):
    """A function that writes a notebook in the same JSON layout as ``text``, found by
    checking that it reproduces ``text`` exactly; SourceError when none does, so that a
    fix never reformats the rest of the file."""
    import json

    from compilelint.sources import SourceError

    body = text[1:] if text.startswith("\ufeff") else text
    second = body.split("\n", 2)[1] if body.count("\n") >= 1 else ""
    indent = len(second) - len(second.lstrip(" ")) if second.strip() else None
    ending = body[len(body.rstrip("\r\n")) :]
    for ensure_ascii in (False, True):
        def dump(value, ensure_ascii=ensure_ascii):
            return json.dumps(value, indent=indent, ensure_ascii=ensure_ascii) + ending

        if dump(notebook) == body:
            return dump
    raise SourceError(f"{path}: the notebook's JSON layout is not one compilelint can write back unchanged; fix it by hand")


@dataclass
class FixRun:
    """What ``check --fix`` / ``--diff`` did over many files."""

    results: list[FileResult]
    outcomes: list[FixOutcome] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def fixed_count(self) -> int:
        return sum(outcome.applied for outcome in self.outcomes)

    @property
    def changed(self) -> list[FixOutcome]:
        return [outcome for outcome in self.outcomes if outcome.changed]


def fix_results(results: list[FileResult], settings, write: bool, stdin_texts: dict | None = None) -> FixRun:
    """Fix every file whose lint result has fixes that apply. ``settings``: one Settings, or
    a mapping path -> Settings; ``stdin_texts`` maps the names of texts read from standard
    input (never read from disk nor written) to their text: Python, or a notebook's JSON."""
    from compilelint.config import Settings

    settings_of = (lambda path: settings) if isinstance(settings, Settings) else settings.__getitem__
    stdin_texts = stdin_texts or {}
    run = FixRun(results=[])
    for result in results:
        file_settings = settings_of(result.path)
        if not _has_fixes(result, file_settings.unsafe_fixes):
            run.results.append(result)
            continue
        try:
            if result.path in stdin_texts:
                outcome = fix_source_text(stdin_texts[result.path], result.path, file_settings)
            else:
                outcome = fix_file(result.path, file_settings, write)
        except FixError as error:
            run.errors.append(str(error))
            run.results.append(result)
            continue
        run.errors.extend(outcome.notes)
        run.outcomes.append(outcome)
        run.results.append(outcome.result)
    return run


# -- --add-noqa: baseline an existing project ------------------------------------------------


def add_noqa_comments(results: list[FileResult]) -> tuple[int, list[str], list[str]]:
    """Add ``# noqa: CODE`` for every diagnostic, on its line, or on the closing line of its
    statement when its own line cannot end in a comment (inside a multi-line string, after
    a backslash); codes join an existing ``# noqa: ...``. Returns (comments added or
    extended, errors, notes); files are written as ``--fix`` writes them."""
    added, errors, notes = 0, [], []
    for result in results:
        if not result.diagnostics:
            continue
        if result.path.endswith(".ipynb"):
            notes.append(f"{result.path}: --add-noqa does not edit notebooks; add the comments in the cells")
            continue
        try:
            original = read_file_text(result.path)
            text, count = noqa_text(original.text, result.diagnostics)
            if count:
                write_atomically(original, text)
        except (FixError, SourceError) as error:
            errors.append(str(error))
            continue
        added += count
    return added, errors, notes


def noqa_text(text: str, diagnostics: list[Diagnostic]) -> tuple[str, int]:
    """``text`` with a ``# noqa`` comment for each diagnostic; and how many lines changed."""
    from compilelint.report.noqa import noqa_insertion, statement_lines

    ends, comment_lines = statement_lines(text)
    wanted: dict[int, list[str]] = {}
    for d in diagnostics:
        line = d.span.line if d.span.line in comment_lines else ends.get(d.span.end_line)
        if line is None or line not in comment_lines:
            continue
        codes = wanted.setdefault(line, [])
        if d.code not in codes:
            codes.append(d.code)
    starts = line_starts(text)
    edits = []
    for line, codes in wanted.items():
        line_text = text[starts[line - 1] : starts[line] if line < len(starts) else len(text)].rstrip("\r\n")
        insertion = noqa_insertion(line_text, codes)
        if insertion is not None:
            edits.append((starts[line - 1] + insertion[0], insertion[1]))
    for at, insert in sorted(edits, reverse=True):
        text = text[:at] + insert + text[at:]
    return text, len(edits)
