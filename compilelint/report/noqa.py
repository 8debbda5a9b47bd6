"""``# noqa`` comments: on a reported line, and ``# compilelint: noqa`` for a whole file."""

from __future__ import annotations

import functools
import re

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


class NoqaMap:
    def __init__(self, text: str) -> None:
        self._text = text
        self._file: list[frozenset[str] | None] = [_codes(m.group("codes")) for m in _FILE_NOQA.finditer(text)]

    @functools.cached_property
    def _lines(self) -> list[str]:
        # Split only when a finding needs its line: most candidate files have none.
        return split_lines(self._text)

    def file_exempt(self, code: str | None, name: str = "") -> bool:
        """True when the file is exempt from ``code`` (from everything, for code None)."""
        for codes in self._file:
            if codes is None:
                return True
            if code is not None and _names(codes, code, name):
                return True
        return False

    def suppressed(self, code: str, name: str, line: int, end_line: int | None = None) -> bool:
        if self.file_exempt(code, name):
            return True
        for number in {line, end_line or line}:
            if 1 <= number <= len(self._lines):
                text = self._lines[number - 1]
                if "#" not in text:
                    continue
                for match in _LINE_NOQA.finditer(text):
                    codes = _codes(match.group("codes"))
                    if codes is None or _names(codes, code, name):
                        return True
        return False
