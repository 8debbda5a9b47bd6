"""One LibCST module from a file's text, parsed piecewise when the file is large.

LibCST's native parser holds about 800 bytes of working memory per byte of source while it
parses (a 450 KB test module peaks near 370 MiB), although the finished tree is a small
fraction of that. A large module is therefore parsed as consecutive pieces, cut before
top-level ``def``, ``class``, ``async`` or decorator lines that follow a blank line, and the
pieces' statements are joined into one module equal (``deep_equals``, same ``code``) to what
a single parse returns. The peak then follows the largest piece, not the whole file.

A cut can only land somewhere else than between two statements inside a string or a
bracket, and then the piece before it does not parse (an unterminated string or bracket):
that piece is retried together with the next one, and after a few failures the file is
parsed whole, which also reports a real syntax error exactly as a single parse would.
"""

from __future__ import annotations

import re

import libcst as cst

# Pieces are at least this long: small enough to bound the parser's memory, large enough
# that the per-call overhead does not show.
PIECE_BYTES = 32 * 1024

# A blank line, then a line starting a definition at column 0.
_CUT = re.compile(r"(?:\r\n|\r|\n)[ \t\f]*(?:\r\n|\r|\n)(?=(?:def|class|async)\b|@)")
_MAX_JOINED_PIECES = 4


def parse_module(text: str, piece_bytes: int = PIECE_BYTES) -> cst.Module:
    """``libcst.parse_module(text)``, with bounded memory for large texts; raises what it
    raises (ParserSyntaxError) for a text that does not parse."""
    bounds = [0, *_cut_points(text, piece_bytes), len(text)]
    if len(bounds) == 2:
        return cst.parse_module(text)
    pieces: list[cst.Module] = []
    start = 0
    while start < len(bounds) - 1:
        end = start + 1
        while True:
            try:
                pieces.append(cst.parse_module(text[bounds[start] : bounds[end]]))
                break
            except cst.ParserSyntaxError:
                end += 1
                if end == len(bounds) or end - start > _MAX_JOINED_PIECES:
                    return cst.parse_module(text)
        start = end
    joined = _join(pieces)
    return joined if joined is not None else cst.parse_module(text)


def _cut_points(text: str, piece_bytes: int) -> list[int]:
    points: list[int] = []
    last = 0
    for match in _CUT.finditer(text):
        if match.end() - last >= piece_bytes and len(text) - match.end() >= piece_bytes // 4:
            points.append(match.end())
            last = match.end()
    return points


def _join(pieces: list[cst.Module]) -> cst.Module | None:
    """The module a single parse gives, from consecutive pieces; None when the pieces were
    formatted differently enough (indentation, newlines) that joining would change code."""
    # A block whose indentation equals its module's default is stored without one, so the
    # pieces that have blocks must agree on the default; likewise for newlines.
    indents = {piece.default_indent for piece in pieces if any(_has_block(s) for s in piece.body)}
    if len(indents) > 1 or len({piece.default_newline for piece in pieces}) > 1:
        return None
    body = list(pieces[0].body)
    for previous, piece in zip(pieces, pieces[1:]):
        if not piece.body:
            return None
        # Blank lines and comments before a definition end the previous piece (its footer)
        # or open this one (its header); a single parse gives them to the definition.
        first = piece.body[0]
        carried = [*previous.footer, *piece.header]
        if carried:
            first = first.with_changes(leading_lines=[*carried, *first.leading_lines])
        body.append(first)
        body.extend(piece.body[1:])
    head, tail = pieces[0], pieces[-1]
    return head.with_changes(
        body=body,
        footer=tail.footer,
        has_trailing_newline=tail.has_trailing_newline,
        default_indent=next(iter(indents)) if indents else head.default_indent,
    )


def _has_block(node: cst.CSTNode) -> bool:
    """Whether an indented block occurs in ``node`` (expressions never hold one)."""
    if isinstance(node, cst.IndentedBlock):
        return True
    return any(_has_block(child) for child in node.children if not isinstance(child, cst.BaseExpression))
