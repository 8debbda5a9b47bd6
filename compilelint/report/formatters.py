"""Output formats. Each takes the sorted diagnostics and returns the text to print."""

from __future__ import annotations

import json
from typing import Callable

from compilelint.diagnostics import Diagnostic


def _location(d: Diagnostic) -> str:
    if d.cell is not None:
        return f"{d.path}:cell {d.cell}:{d.span.line}:{d.span.column}"
    return f"{d.path}:{d.span.line}:{d.span.column}"


def _summary(diagnostics: list[Diagnostic]) -> str:
    fixable = sum(1 for d in diagnostics if d.fixable)
    summary = f"Found {len(diagnostics)} problem{'s' if len(diagnostics) != 1 else ''}"
    if fixable:
        summary += f" ({fixable} fixable with --fix)"
    return summary + "."


def concise(diagnostics: list[Diagnostic], **_: object) -> str:
    if not diagnostics:
        return ""
    lines = [f"{_location(d)}: {d.code} {d.message}" for d in diagnostics]
    return "\n".join([*lines, _summary(diagnostics)]) + "\n"


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


def json_lines(diagnostics: list[Diagnostic], **_: object) -> str:
    return "".join(json.dumps(as_dict(d)) + "\n" for d in diagnostics)


# -- full: the location, the source line with carets under the span, and the fix ----------


def full(diagnostics: list[Diagnostic], sources: dict | None = None, **_: object) -> str:
    """``sources`` maps a path to its Source (stdin has no file to re-read)."""
    loaded: dict = dict(sources or {})
    blocks = []
    for d in diagnostics:
        block = [f"{_location(d)}: {d.code} [{d.severity}] {d.message}"]
        line_text = _source_line(d, loaded)
        if line_text is not None and line_text.strip():  # a notebook cell that did not parse is blank here
            block.extend(_snippet(d, line_text))
        if d.fix is not None:
            block.append(f"  = fix ({'safe' if d.fix.safe else 'unsafe'}): {d.fix.description}")
        blocks.append("\n".join(block))
    return "\n\n".join([*blocks, _summary(diagnostics)]) + "\n" if diagnostics else ""


def _source_line(d: Diagnostic, loaded: dict) -> str | None:
    from compilelint.loading import read_source
    from compilelint.sources import SourceError, split_lines

    if d.path not in loaded:
        try:
            loaded[d.path] = read_source(d.path)
        except SourceError:
            loaded[d.path] = None
    source = loaded[d.path]
    if source is None:
        return None
    line = d.span.line
    if d.cell is not None:
        first = next((first for first, cell, _ in source.cells if cell == d.cell), None)
        if first is None:
            return None
        line = first + d.span.line - 1
    lines = split_lines(source.text)
    return lines[line - 1] if 1 <= line <= len(lines) else None


def _snippet(d: Diagnostic, line_text: str) -> list[str]:
    number = str(d.span.line)
    gutter = " " * len(number)
    start = max(d.span.column - 1, 0)
    end = d.span.end_column - 1 if d.span.end_line == d.span.line else len(line_text)
    width = max(end - start, 1)
    return [f"{gutter} |", f"{number} | {line_text}", f"{gutter} | {' ' * start}{'^' * width}"]


# -- github: workflow commands that annotate the pull request ------------------------------


def _github_escape(text: str, property_value: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def github(diagnostics: list[Diagnostic], **_: object) -> str:
    lines = []
    for d in diagnostics:
        title = f"{d.code} {d.name}" + (f" (cell {d.cell})" if d.cell is not None else "")
        properties = {
            "title": title,
            "file": d.path,
            "line": d.span.line,
            "col": d.span.column,
            "endLine": d.span.end_line,
            "endColumn": d.span.end_column,
        }
        rendered = ",".join(f"{key}={_github_escape(str(value), True)}" for key, value in properties.items())
        lines.append(f"::{'error' if d.severity == 'error' else 'warning'} {rendered}::{_github_escape(d.message)}")
    return "".join(line + "\n" for line in lines)


# -- sarif 2.1.0 ----------------------------------------------------------------------------

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def _sarif_region(span) -> dict:
    return {"startLine": span.line, "startColumn": span.column, "endLine": span.end_line, "endColumn": span.end_column}


def _uri(path: str) -> str:
    from pathlib import PurePath

    return PurePath(path).as_posix()


def sarif(diagnostics: list[Diagnostic], **_: object) -> str:
    from compilelint import __version__
    from compilelint.docs import rule_help_uri
    from compilelint.registry import rules_by_code

    rules = rules_by_code()
    codes = sorted({d.code for d in diagnostics} | set(rules))
    descriptors = []
    for code in codes:
        rule = rules.get(code)
        if rule is None:
            descriptors.append({"id": code, "shortDescription": {"text": code}})
            continue
        sections = rule.sections()
        help_text = "\n\n".join(part for part in (sections.get("Why is this bad?", ""), sections.get("Fix", "")) if part)
        descriptors.append(
            {
                "id": code,
                "name": rule.name,
                "shortDescription": {"text": rule.summary()},
                "fullDescription": {"text": sections.get("What it does", rule.summary())},
                "help": {"text": help_text or rule.summary()},
                "helpUri": rule_help_uri(rule),
                "defaultConfiguration": {"enabled": rule.default_enabled},
            }
        )
    index = {code: i for i, code in enumerate(codes)}
    results = []
    for d in diagnostics:
        location = {"physicalLocation": {"artifactLocation": {"uri": _uri(d.path)}, "region": _sarif_region(d.span)}}
        result: dict = {
            "ruleId": d.code,
            "ruleIndex": index[d.code],
            "level": "error" if d.severity == "error" else "warning",
            "message": {"text": d.message},
            "locations": [location],
        }
        if d.cell is not None:
            result["properties"] = {"cell": d.cell}
        if d.fix is not None:
            result["fixes"] = [
                {
                    "description": {"text": d.fix.description},
                    "artifactChanges": [
                        {
                            "artifactLocation": {"uri": _uri(d.path)},
                            "replacements": [
                                {"deletedRegion": _sarif_region(edit.span), "insertedContent": {"text": edit.text}}
                                for edit in d.fix.edits
                            ],
                        }
                    ],
                }
            ]
        results.append(result)
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "compilelint",
                        "version": __version__,
                        "informationUri": rule_help_uri(None),
                        "rules": descriptors,
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2) + "\n"


# -- junit: one testcase per file, one failure per diagnostic -------------------------------


def junit(diagnostics: list[Diagnostic], checked_paths: list[str] | None = None, **_: object) -> str:
    from xml.etree import ElementTree

    by_path: dict[str, list[Diagnostic]] = {path: [] for path in (checked_paths or [])}
    for d in diagnostics:
        by_path.setdefault(d.path, []).append(d)
    suites = ElementTree.Element("testsuites", name="compilelint", tests=str(len(by_path)), failures=str(len(diagnostics)))
    suite = ElementTree.SubElement(
        suites, "testsuite", name="compilelint", tests=str(len(by_path)), failures=str(len(diagnostics)), errors="0", skipped="0"
    )
    for path in sorted(by_path):
        case = ElementTree.SubElement(suite, "testcase", name=path, classname="compilelint", file=path)
        for d in by_path[path]:
            failure = ElementTree.SubElement(case, "failure", message=f"{d.code} {d.message}", type=d.code)
            failure.text = f"{_location(d)}: {d.code} {d.message}"
    ElementTree.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(suites, encoding="unicode") + "\n"


# -- gitlab code quality ----------------------------------------------------------------------


def gitlab(diagnostics: list[Diagnostic], **_: object) -> str:
    import hashlib

    seen: dict[str, int] = {}
    issues = []
    for d in diagnostics:
        # The fingerprint leaves out line numbers so that an issue keeps its identity when
        # code above it moves; repeats of the same issue in a file are told apart by order.
        key = "\0".join((d.path, str(d.cell or ""), d.code, d.message))
        occurrence = seen.get(key, 0)
        seen[key] = occurrence + 1
        fingerprint = hashlib.sha256(f"{key}\0{occurrence}".encode()).hexdigest()
        description = f"{d.code} {d.message}" if d.cell is None else f"{d.code} (cell {d.cell}) {d.message}"
        issues.append(
            {
                "type": "issue",
                "check_name": f"{d.code} {d.name}",
                "description": description,
                "categories": ["Bug Risk"],
                "severity": "major" if d.severity == "error" else "minor",
                "fingerprint": fingerprint,
                "location": {
                    "path": _uri(d.path),
                    "positions": {
                        "begin": {"line": d.span.line, "column": d.span.column},
                        "end": {"line": d.span.end_line, "column": d.span.end_column},
                    },
                },
            }
        )
    return json.dumps(issues, indent=2) + "\n"


FORMATTERS: dict[str, Callable[..., str]] = {
    "concise": concise,
    "full": full,
    "json": json_format,
    "json-lines": json_lines,
    "github": github,
    "sarif": sarif,
    "junit": junit,
    "gitlab": gitlab,
}
