"""Output formats. Each takes the sorted diagnostics and returns the text to print."""

from __future__ import annotations

import json
from typing import Callable

from compilelint.diagnostics import Diagnostic


def _location(d: Diagnostic) -> str:
    if d.cell is not None:
        return f"{d.path}:cell {d.cell}:{d.span.line}:{d.span.column}"
    return f"{d.path}:{d.span.line}:{d.span.column}"


def concise(diagnostics: list[Diagnostic], **_: object) -> str:
    lines = [f"{_location(d)}: {d.code} {d.message}" for d in diagnostics]
    if diagnostics:
        fixable = sum(1 for d in diagnostics if d.fixable)
        summary = f"Found {len(diagnostics)} problem{'s' if len(diagnostics) != 1 else ''}"
        if fixable:
            summary += f" ({fixable} fixable with --fix)"
        lines.append(summary + ".")
    return "\n".join(lines) + ("\n" if lines else "")


def as_dict(d: Diagnostic) -> dict:
    return {
        "code": d.code,
        "name": d.name,
        "message": d.message,
        "path": d.path,
        "line": d.span.line,
        "column": d.span.column,
        "end_line": d.span.end_line,
        "end_column": d.span.end_column,
        "cell": d.cell,
        "severity": d.severity,
        "fixable": d.fixable,
        "fix": None
        if d.fix is None
        else {
            "description": d.fix.description,
            "safe": d.fix.safe,
            "edits": [
                {
                    "line": e.span.line,
                    "column": e.span.column,
                    "end_line": e.span.end_line,
                    "end_column": e.span.end_column,
                    "content": e.text,
                }
                for e in d.fix.edits
            ],
        },
    }


def json_format(diagnostics: list[Diagnostic], **_: object) -> str:
    return json.dumps([as_dict(d) for d in diagnostics], indent=2) + "\n"


FORMATTERS: dict[str, Callable[..., str]] = {
    "concise": concise,
    "json": json_format,
}
