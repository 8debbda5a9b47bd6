"""Where each source line of a notebook's cells is written in its ``.ipynb`` JSON text,
so that the reports a CI system shows, SARIF fixes and the language server can place a
cell's finding, or apply a cell's edit, in the file itself (escapes, list or string
sources, any indentation of the JSON)."""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass

from compilelint.diagnostics import Edit, Span
from compilelint.notebooks import own_lines
from compilelint.sources import SourceError


@dataclass(frozen=True)
class JsonLine:
    """Where one line of a cell's source is written in the notebook's JSON text.

    ``runs`` are (column in the source line, JSON line, JSON column), all 1-based, of each
    stretch of characters written one JSON character each on one JSON line; an escape
    (``\"``, ``\u00e9``) is a stretch of its own. ``end`` is where the line ends: its line
    break's escape, the closing quote, or the ``]`` of an empty list."""

    runs: tuple[tuple[int, int, int], ...]
    length: int
    end: tuple[int, int]

    @property
    def start(self) -> tuple[int, int]:
        return self.at(1)

    def at(self, column: int) -> tuple[int, int]:
        """The JSON (line, column) of the 1-based ``column`` of the source line; past its end,
        where it ends."""
        if column > self.length or not self.runs:
            return self.end
        first, line, json_column = self.runs[bisect.bisect_right(self.runs, (max(column, 1), 1 << 62, 0)) - 1]
        return line, json_column + max(column, 1) - first


_JSON_BLANK = re.compile(r"[ \t\n\r]*")
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_JSON_ESCAPE = re.compile(r"\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}|\\u[0-9a-fA-F]{4}|\\.", re.S)
_SHORT_ESCAPES = {'\\"': '"', "\\\\": "\\", "\\/": "/", "\\b": "\b", "\\f": "\f", "\\n": "\n", "\\r": "\r", "\\t": "\t"}


def json_source_lines(text: str) -> dict[int, list[JsonLine]]:
    """For each cell (1-based index among all cells) whose ``source`` is text or a list of
    texts, where each of its source lines is written in the JSON ``text``, whatever the
    layout (indentation, key order, one line or many) and the escapes. Lines are split as
    the linted module splits them. Raises SourceError when ``text`` is not a notebook."""
    return _source_lines(text, _JsonPlaces(text))


def _source_lines(text: str, places: "_JsonPlaces") -> dict[int, list[JsonLine]]:
    try:
        cells = _json_cells(text, places.skip_blank(0))
    except (IndexError, ValueError, AttributeError, RecursionError):  # AttributeError: a string that never ends
        raise SourceError("not a notebook: its JSON text could not be read") from None
    return {index: _cell_lines(text, tokens, places) for index, tokens in cells.items()}


# What a region of one JSON string may hold: characters and whole escapes, no closing quote.
_INSIDE_STRING = re.compile(r'(?:[^"\\]|\\.)*', re.S)


class NotebookLayout:
    """A notebook's JSON text, and where its cells' source lines are written in it: the
    positions and edits of a cell's own text (1-based, code points) as positions and edits
    of the ``.ipynb`` file. Raises SourceError when ``text`` is not a notebook."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._places = _JsonPlaces(text)
        self.lines = _source_lines(text, self._places)
        self._cells: list | None = None

    def position(self, cell: int, line: int, column: int) -> tuple[int, int] | None:
        """The JSON (line, column) of a cell's (line, column); past the cell's last line,
        where it ends; None for a cell the text does not hold."""
        lines = self.lines.get(cell)
        if not lines:
            return None
        if line > len(lines):
            return lines[-1].end
        return lines[max(line, 1) - 1].at(column)

    def span(self, cell: int, span: Span) -> Span | None:
        start = self.position(cell, span.line, span.column)
        end = self.position(cell, span.end_line, span.end_column)
        if start is None or end is None:
            return None
        return Span(*start, *end)

    def edit(self, cell: int, edit: Edit) -> Edit | None:
        """The edit of the cell's text as an edit of the JSON text: a region inside one JSON
        string, replaced by the JSON-escaped text. None when the region spans strings (a
        line of a list-of-lines source and the next) or is not in a string at all."""
        lines = self.lines.get(cell)
        span = self.span(cell, edit.span)
        if span is None or (len(lines) == 1 and not lines[0].runs and self.text[self._places.offset(*lines[0].end)] == "]"):
            return None  # ``"source": []``: no string to edit
        start, end = self._places.offset(span.line, span.column), self._places.offset(span.end_line, span.end_column)
        # Every position a JsonLine gives is in a string (or at its closing quote): a region
        # with no closing quote in it stays inside one string.
        if start > end or _INSIDE_STRING.fullmatch(self.text, start, end) is None:
            return None
        return Edit(span, json.dumps(edit.text, ensure_ascii=False)[1:-1])

    def cell_lines(self, cell: int) -> list[str]:
        """The cell's own source lines, split as the linted module splits them."""
        if self._cells is None:
            try:
                notebook = json.loads(self.text[1:] if self.text.startswith("\ufeff") else self.text)
            except (ValueError, RecursionError):
                notebook = None
            cells = notebook.get("cells") if isinstance(notebook, dict) else None
            self._cells = cells if isinstance(cells, list) else []
        if not 1 <= cell <= len(self._cells) or not isinstance(self._cells[cell - 1], dict):
            return []
        source = self._cells[cell - 1].get("source", "")
        if isinstance(source, list):
            source = "".join(part for part in source if isinstance(part, str))
        return own_lines(source) if isinstance(source, str) else []


def _cell_lines(text: str, tokens: list[tuple[int, int]], places: "_JsonPlaces") -> list[JsonLine]:
    """The source lines of one cell from the (start, stop) of its string tokens."""
    lines: list[JsonLine] = []
    runs: list[tuple[int, int, int]] = []
    column = 1  # of the next character in the current source line
    after_cr = False  # the last character was "\r": a "\n" right after it breaks no new line

    def plain(start: int, stop: int) -> None:
        nonlocal column, after_cr
        if start < stop:
            runs.append((column, *places(start)))
            column += stop - start
            after_cr = False

    for start, stop in tokens:
        position = start + 1
        for escape in _JSON_ESCAPE.finditer(text, position, stop - 1):
            plain(position, escape.start())
            position = escape.end()
            character = _SHORT_ESCAPES.get(escape.group()) or json.loads(f'"{escape.group()}"')
            if character == "\n" and after_cr:
                after_cr = False
                continue
            if character in "\r\n":
                lines.append(JsonLine(tuple(runs), column - 1, places(escape.start())))
                runs, column, after_cr = [], 1, character == "\r"
                continue
            runs.append((column, *places(escape.start())))
            column += 1
            after_cr = False
        plain(position, stop - 1)
    end = places(tokens[-1][1] - 1)
    lines.append(JsonLine(tuple(runs), column - 1, end))
    return lines


class _JsonPlaces:
    """Offsets in a JSON text as 1-based (line, column); a leading BOM takes no column."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.bom = text.startswith("\ufeff")

    def __call__(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, offset)
        column = offset - self.starts[line - 1] + 1
        return line, column - 1 if self.bom and line == 1 else column

    def offset(self, line: int, column: int) -> int:
        """The offset of a 1-based (line, column) this class gave."""
        return self.starts[line - 1] + column - 1 + (1 if self.bom and line == 1 else 0)

    def skip_blank(self, offset: int) -> int:
        return _JSON_BLANK.match(self.text, offset + (1 if self.bom and offset == 0 else 0)).end()


def _json_cells(text: str, i: int) -> dict[int, list[tuple[int, int]]]:
    """(start, stop) of the string tokens of each cell's ``source`` (the last key wins, as in
    json.loads)."""
    found: dict[int, list[tuple[int, int]]] = {}
    for key, start in _json_members(text, i):
        if key != "cells" or text[start] != "[":
            continue
        found = {}
        for index, element in enumerate(_json_elements(text, start), start=1):
            if text[element] != "{":
                continue
            for cell_key, value in _json_members(text, element):
                if cell_key != "source":
                    continue
                if text[value] == '"':
                    found[index] = [(value, _JSON_STRING.match(text, value).end())]
                elif text[value] == "[":
                    parts = [(s, _JSON_STRING.match(text, s).end()) for s in _json_elements(text, value) if text[s] == '"']
                    found[index] = parts or [(value, value + 2)]  # no text: one empty line, just inside the bracket
                else:
                    found.pop(index, None)
    return found


def _json_members(text: str, i: int):
    """(key, start of its value) of each member of the object at ``i``."""
    if text[i] != "{":
        raise ValueError("not an object")
    i = _JSON_BLANK.match(text, i + 1).end()
    while text[i] != "}":
        key_token = _JSON_STRING.match(text, i)
        key = json.loads(key_token.group())
        i = _JSON_BLANK.match(text, key_token.end()).end()
        if text[i] != ":":
            raise ValueError("no colon")
        value = _JSON_BLANK.match(text, i + 1).end()
        yield key, value
        i = _JSON_BLANK.match(text, _json_skip(text, value)).end()
        if text[i] == ",":
            i = _JSON_BLANK.match(text, i + 1).end()


def _json_elements(text: str, i: int):
    """The start of each element of the array at ``i``."""
    i = _JSON_BLANK.match(text, i + 1).end()
    while text[i] != "]":
        yield i
        i = _JSON_BLANK.match(text, _json_skip(text, i)).end()
        if text[i] == ",":
            i = _JSON_BLANK.match(text, i + 1).end()


_JSON_DECODER = json.JSONDecoder()


def _json_skip(text: str, i: int) -> int:
    """The offset just past the JSON value at ``i``."""
    return _JSON_DECODER.raw_decode(text, i)[1]
