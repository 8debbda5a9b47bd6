"""Which files need analysis at all: the cheap test every file passes through.

A Model.compile call is always an attribute call, ``<receiver>.compile(``. Files without
that shape (most files, and those that only mention compile in prose) are never parsed,
and this module imports nothing heavier than ``re`` so that deciding costs almost nothing.
"""

from __future__ import annotations

import re

_COMPILE_CALL = re.compile(r"\.\s*compile\s*\(")
_COMPILE_CALL_BYTES = re.compile(rb"\.\s*compile\s*\(")


def needs_parsing(text: str) -> bool:
    return "compile" in text and _COMPILE_CALL.search(text) is not None


def may_need_parsing(data: bytes) -> bool:
    """``needs_parsing`` on a file's raw bytes (every encoding Python accepts for source
    keeps ASCII as is), so most files are never decoded."""
    return b"compile" in data and _COMPILE_CALL_BYTES.search(data) is not None
