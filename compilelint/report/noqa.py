"""``# noqa`` comments: on a reported line, on the closing line of the statement it is in
(black puts a call's ``)`` on its own line), and ``# compilelint: noqa`` for a whole file."""

from __future__ import annotations

import functools
import io
import re
import tokenize

from compilelint.sources import split_lines

_LINE_NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[\w\-]+(?:[\s,]+[\w\-]+)*))?", re.I)
_FILE_NOQA = re.compile(r"^\s*#\s*compilelint\s*:\s*noqa(?::\s*(?P<codes>[\w\-]+(?:[\s,]+[\w\-]+)*))?\s*$", re.I | re.M)


def _codes(text: str | None) -> frozenset[str] | None:
    """None means every code."""
    if not text:
        return None
    return frozenset(part.strip().upper() for part in re.split(r"[\s,]+", text) if part.strip())


def _names(codes: frozenset[str], code: str, name: str) -> bool:
    """A listed code, code prefix (``CL2``) or rule name names this rule."""
    return name.upper() in codes or any(code.startswith(listed) for listed in codes if listed.startswith("CL"))


def line_noqa(text: str) -> tuple[frozenset[str] | None, int] | None:
    """The first ``# noqa`` on a line: its codes (None for a bare one, which covers every
    code) and the index just after them; None when the line has none."""
    match = _LINE_NOQA.search(text)
    if match is None:
        return None
    codes = match.group("codes")
    return _codes(codes), (match.end("codes") if codes else match.end())


def noqa_insertion(line_text: str, codes: list[str]) -> tuple[int, str] | None:
    """(index in the line, text to insert) that adds ``codes`` to the line's ``# noqa`` (a
    new comment at the end when it has none); None when nothing is to be added: a bare noqa
    covers them, they are all there, or a comment would end a backslash continuation."""
    existing = line_noqa(line_text)
    if line_text.rstrip().endswith("\\") or (existing is not None and existing[0] is None):
        return None
    missing = [code for code in codes if existing is None or code not in existing[0]]
    if not missing:
        return None
    if existing is not None:
        return existing[1], ", " + ", ".join(missing)
    return len(line_text.rstrip()), "  # noqa: " + ", ".join(missing)


def statement_lines(text: str) -> tuple[dict[int, int], set[int]]:
    """(line -> the last line of the statement it is in, the lines where a comment can
    go), from Python's tokenizer: a line inside a multi-line string or ending in a
    backslash can take no comment. Empty answers for text the tokenizer rejects."""
    ends: dict[int, int] = {}
    comment_lines: set[int] = set()
    first = None  # the first line of the statement being read
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            kind = token.type
            if kind in (tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT):
                comment_lines.add(token.start[0])
            if kind in (tokenize.NEWLINE, tokenize.ENDMARKER):
                if first is not None:
                    last = token.start[0]
                    ends.update((number, last) for number in range(first, last + 1))
                first = None
            elif first is None and kind not in _NOT_STATEMENT:
                first = token.start[0]
    except (tokenize.TokenError, SyntaxError):
        return {}, set()
    return ends, comment_lines


_NOT_STATEMENT = frozenset({tokenize.NL, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT, tokenize.ENCODING})


class NoqaMap:
    def __init__(self, text: str) -> None:
        self._text = text
        self._file: list[frozenset[str] | None] = [_codes(m.group("codes")) for m in _FILE_NOQA.finditer(text)]

    @functools.cached_property
    def _lines(self) -> list[str]:
        # Split only when a finding needs its line: most candidate files have none.
        return split_lines(self._text)

    @functools.cached_property
    def _has_line_noqa(self) -> bool:
        return _LINE_NOQA.search(self._text) is not None

    @functools.cached_property
    def _statement_ends(self) -> dict[int, int]:
        # Tokenized only when a finding's own lines have no noqa and the file has one somewhere.
        return statement_lines(self._text)[0]

    def unknown_codes(self) -> list[tuple[int, str, str]]:
        """(line, code, hint) for each compilelint code in a ``# noqa`` that names no rule:
        a ``CL`` code that matches none, or a misspelt rule name (other tools' codes, such
        as flake8's ``E501``, are theirs and left alone)."""
        if not self._has_line_noqa:
            return []
        from compilelint.selectors import catalogue

        known = catalogue()
        names = {name: code for code, (name, _) in known.items()}
        found = []
        for number, text in enumerate(self._lines, start=1):
            if "#" not in text:
                continue
            for match in _LINE_NOQA.finditer(text):
                for listed in re.split(r"[\s,]+", match.group("codes") or ""):
                    hint = _unknown_hint(listed, known, names) if listed else None
                    if hint is not None:
                        found.append((number, listed, hint))
        return found

    def file_exempt(self, code: str | None, name: str = "") -> bool:
        """True when the file is exempt from ``code`` (from everything, for code None)."""
        for codes in self._file:
            if codes is None:
                return True
            if code is not None and _names(codes, code, name):
                return True
        return False

    def suppressed(self, code: str, name: str, line: int, end_line: int | None = None) -> bool:
        """A noqa on the reported lines, or on the last line of the statement they are in."""
        if self.file_exempt(code, name):
            return True
        if not self._has_line_noqa:
            return False
        numbers = [line, end_line or line]
        if any(self._line_covers(number, code, name) for number in numbers):
            return True
        closing = self._statement_ends.get(numbers[-1])
        return closing is not None and closing not in numbers and self._line_covers(closing, code, name)

    def _line_covers(self, number: int, code: str, name: str) -> bool:
        if not 1 <= number <= len(self._lines):
            return False
        text = self._lines[number - 1]
        if "#" not in text:
            return False
        for match in _LINE_NOQA.finditer(text):
            codes = _codes(match.group("codes"))
            if codes is None or _names(codes, code, name):
                return True
        return False


def _unknown_hint(listed: str, known: dict, names: dict) -> str | None:
    """Why ``listed`` names no compilelint rule (None when it does, or is not ours)."""
    import difflib

    if re.fullmatch(r"CL\d+", listed, re.I):
        listed = listed.upper()
        if listed in known or any(code.startswith(listed) for code in known):
            return None
        close = difflib.get_close_matches(listed, list(known), n=1)
        return f"did you mean {close[0]}?" if close else "no rule has this code"
    if "-" in listed:
        lowered = listed.lower()
        if lowered in names:
            return None
        close = difflib.get_close_matches(lowered, list(names), n=1, cutoff=0.8)
        return f"did you mean {close[0]} ({names[close[0]]})?" if close else None
    return None
