"""Jupyter notebooks -> one Python module: code cells in order, IPython syntax blanked.

Lines never move: a magic line becomes an empty line (or ``pass`` at its indentation, so a
block that held only magics still parses), and every cell keeps its line count, so a
position in the module maps back to (cell, line) through ``Source.cells``.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass

from compilelint.sources import Source, SourceError

# Cell magics whose body IPython runs as Python: only the magic line is blanked.
PYTHON_BODY_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun", "debug", "memit", "tensorflow_version"})

# ``files = !ls`` and ``t = %timeit -o f()``, as IPython's assignment transformers match them.
_ASSIGNED_ESCAPE = re.compile(r"^\s*[\w.,\s\[\]*]+?\s*=\s*[!%]")
# A help request: ``model.fit?``, ``??keras.Model``.
_HELP = re.compile(r"^\s*(\?\??[\w.]+|[\w.]+\s*\?\??)\s*$")
_ESCAPES = ("%", "!")


@dataclass(frozen=True)
class CellSyntaxError:
    """A code cell Python cannot parse; ``line`` is the 1-based module line."""

    cell: int
    line: int
    column: int
    message: str


def load_notebook(data: bytes, path: str) -> Source:
    """The notebook's code as one Source; raises SourceError (one line) for a bad file."""
    return notebook_source(read_notebook_json(data, path), path)


def notebook_source(notebook: dict, path: str) -> Source:
    """The Source of an already-read notebook (raises SourceError for a bad structure)."""
    cells = _code_cells(notebook, path)
    lines: list[str] = []
    cell_map: list[tuple[int, int, int]] = []
    for index, text in cells:
        cell_lines = blank_ipython(text)
        if cell_lines:
            cell_map.append((len(lines) + 1, index, len(cell_lines)))
            lines.extend(cell_lines)
    text = "\n".join(lines) + ("\n" if lines else "")
    source = Source(text=text, path=path, cells=cell_map)
    from compilelint.prefilter import needs_parsing

    if needs_parsing(text):  # like a .py file, a notebook without compile( is never parsed
        text, errors = cell_syntax_errors(source)
        source = Source(text=text, path=path, cells=cell_map, syntax_errors=[(e.line, e.column, e.message) for e in errors])
    return source


def cell_syntax_errors(source: Source) -> tuple[str, list[CellSyntaxError]]:
    """Blank each cell Python cannot parse on its own; return the new text and the errors.

    A cell is parsed alone because Jupyter runs it alone: one broken cell must not hide
    what the others say.
    """
    lines = source.text.split("\n")
    errors = []
    for first, cell, count in source.cells:
        body = "\n".join(lines[first - 1 : first - 1 + count]) + "\n"
        try:
            _compile_cell(body)
            continue
        except SyntaxError as error:
            line_in_cell = min(max(error.lineno or 1, 1), count)
            message = " ".join(str(error.msg).split())
            errors.append(CellSyntaxError(cell, first + line_in_cell - 1, max(error.offset or 1, 1), message))
        except (ValueError, RecursionError, MemoryError) as error:  # NUL bytes, deep nesting
            errors.append(CellSyntaxError(cell, first, 1, " ".join(str(error).split())))
        lines[first - 1 : first - 1 + count] = [""] * count
    return "\n".join(lines), errors


def _compile_cell(body: str) -> None:
    """Parse one cell as Jupyter would run it (top-level ``await`` allowed); raises as compile does."""
    compile(body, "<notebook cell>", "exec", ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT, dont_inherit=True)


def read_notebook_json(data: bytes, path: str) -> dict:
    try:
        notebook = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        raise SourceError(f"{path}: not a notebook: not UTF-8 (byte {error.start})") from None
    except json.JSONDecodeError as error:
        raise SourceError(f"{path}: not a notebook: invalid JSON at line {error.lineno} column {error.colno}") from None
    except RecursionError:
        raise SourceError(f"{path}: not a notebook: JSON nested too deeply") from None
    if not isinstance(notebook, dict):
        raise SourceError(f"{path}: not a notebook: the top level is not a JSON object")
    return notebook


def _code_cells(notebook: dict, path: str) -> list[tuple[int, str]]:
    """(1-based index among all cells, source text) of each code cell."""
    version = notebook.get("nbformat")
    if version != 4:
        if version is None:
            raise SourceError(f"{path}: not a notebook: no 'nbformat' field")
        raise SourceError(f"{path}: nbformat {version!r} is not supported (only nbformat 4); re-save it with Jupyter")
    cells = notebook.get("cells")
    if not isinstance(cells, list):
        raise SourceError(f"{path}: not a notebook: 'cells' is not a list")
    found = []
    for index, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict):
            raise SourceError(f"{path}: not a notebook: cell {index} is not an object")
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if isinstance(source, list) and all(isinstance(part, str) for part in source):
            source = "".join(source)
        if not isinstance(source, str):
            raise SourceError(f"{path}: not a notebook: cell {index} has a source that is not text")
        found.append((index, source))
    return found


def blank_ipython(text: str) -> list[str]:
    """The cell's lines with IPython-only syntax blanked; as many lines as the cell has."""
    lines = cell_lines(text)
    if lines and lines[-1] == "" and len(lines) > 1:
        lines.pop()  # the newline that ends the last line starts no new line
    if lines == [""]:
        return []
    first_code = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first_code is not None and lines[first_code].lstrip().startswith("%%"):
        magic = lines[first_code].lstrip()[2:].split(maxsplit=1)
        if not magic or magic[0] not in PYTHON_BODY_CELL_MAGICS:
            return [""] * len(lines)  # %%bash, %%writefile, ...: the body is not Python
        lines[first_code] = ""
    scanner = _StatementScanner()
    blanked = []
    continuing_escape = False
    for line in lines:
        if continuing_escape or (scanner.at_statement_start and _is_ipython_line(line)):
            indent = "" if continuing_escape else line[: len(line) - len(line.lstrip())]
            continuing_escape = line.rstrip().endswith("\\")
            blanked.append(f"{indent}pass" if indent else "")
            continue
        scanner.feed(line)
        blanked.append(line)
    return blanked


def cell_lines(text: str) -> list[str]:
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _is_ipython_line(line: str) -> bool:
    stripped = line.lstrip()
    if stripped.startswith(_ESCAPES):
        return True
    return _ASSIGNED_ESCAPE.match(line) is not None or _HELP.match(line) is not None


class _StatementScanner:
    """Tracks whether the next physical line starts a new statement: not inside brackets,
    a string that spans lines, or a backslash continuation."""

    def __init__(self) -> None:
        self.depth = 0
        self.open_quote: str | None = None  # a triple quote still open
        self.backslash = False

    @property
    def at_statement_start(self) -> bool:
        return self.depth == 0 and self.open_quote is None and not self.backslash

    def feed(self, line: str) -> None:
        self.backslash = False
        i, n = 0, len(line)
        while i < n:
            if self.open_quote is not None:
                end = _find_closing(line, i, self.open_quote)
                if end < 0:
                    return
                i, self.open_quote = end, None
                continue
            char = line[i]
            if char == "#":
                return
            if char in "([{":
                self.depth += 1
            elif char in ")]}":
                self.depth = max(self.depth - 1, 0)
            elif char in "'\"":
                quote = line[i : i + 3] if line[i : i + 3] in ("'''", '"""') else char
                end = _find_closing(line, i + len(quote), quote)
                if end < 0:
                    if len(quote) == 3:
                        self.open_quote = quote
                    return  # an unterminated one-line string: the line is broken anyway
                i = end
                continue
            elif char == "\\" and i == n - 1:
                self.backslash = True
            i += 1


def _find_closing(line: str, start: int, quote: str) -> int:
    """Index just past the closing ``quote`` from ``start``, or -1 when the line has none."""
    i = start
    while i < len(line):
        if line[i] == "\\":
            i += 2
            continue
        if line.startswith(quote, i):
            return i + len(quote)
        i += 1
    return -1

def cell_parses(text: str) -> bool:
    """Whether the cell, IPython syntax blanked, is Python that Jupyter can run."""
    try:
        _compile_cell("\n".join(blank_ipython(text)) + "\n")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True
