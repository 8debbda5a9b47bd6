"""Output formats. Each takes the sorted diagnostics and returns the text to print.

Every formatter takes the same keywords (and ignores those it has no use for):
``sources`` (path -> Source, for stdin), ``unsafe_fixes`` (whether unsafe
fixes count as applicable), ``summary`` (the text formats' closing lines, None for the
default), ``environ`` (where the CI formats read ``GITHUB_WORKSPACE`` / ``CI_PROJECT_DIR``)
and the notebook hooks (``report.places.NotebookPlaces`` gives all three):

- ``locate(path, cell, line, column) -> (line, column)``: a finding's position in the file
  itself. ``concise``, ``full`` and ``json`` say ``cell N:line:col`` for a notebook; the CI
  formats (``github``, ``gitlab``, ``sarif``, ``junit``) place it in the file a CI system
  shows. Without it a position stays as the engine gave it (a cell's own line).
- ``locate_edit(path, cell, edit) -> Edit | None``: a cell's fix edit as an edit of the
  ``.ipynb`` text, for SARIF fixes; without it (or when it gives None) a notebook finding's
  fix is left out rather than offered as a cell-relative edit that would corrupt the JSON.
- ``cell_line(path, cell, line) -> str | None``: a cell's own source line, for ``full``'s
  snippet (by default read from the notebook file).
"""

from __future__ import annotations

import json
import os
from typing import Callable, Mapping

from compilelint.diagnostics import Diagnostic, Edit, Span

Locate = Callable[[str, "int | None", int, int], "tuple[int, int]"]
LocateEdit = Callable[[str, int, Edit], "Edit | None"]
CellLine = Callable[[str, int, int], "str | None"]


def file_span(d: Diagnostic, locate: Locate | None = None) -> Span:
    """The diagnostic's span in its file's own coordinates (what CI systems place)."""
    if locate is None or d.cell is None:
        return d.span
    line, column = locate(d.path, d.cell, d.span.line, d.span.column)
    end_line, end_column = locate(d.path, d.cell, d.span.end_line, d.span.end_column)
    return Span(line, column, end_line, end_column)


def shown_path(path: str, base: str | None = None) -> str:
    """``path`` as a report shows it: relative to ``base`` (default: the current folder)
    without ``./`` when it lies inside, with forward slashes; otherwise as given."""
    absolute = os.path.abspath(path)
    root = os.path.abspath(base) if base else os.getcwd()
    if absolute == root:
        shown = os.path.basename(absolute)
    elif absolute.startswith(os.path.join(root, "")):
        shown = os.path.relpath(absolute, root)
    else:
        shown = os.path.normpath(path)
    return shown.replace(os.sep, "/") if os.sep != "/" else shown


def ci_base(environ: Mapping[str, str] | None, variable: str) -> str | None:
    """The checkout a CI system's paths are relative to (``GITHUB_WORKSPACE``,
    ``CI_PROJECT_DIR``); None outside that CI (the current folder then)."""
    value = (os.environ if environ is None else environ).get(variable)
    return value or None


def _location(d: Diagnostic) -> str:
    path = shown_path(d.path)
    if d.cell is not None:
        return f"{path}:cell {d.cell}:{d.span.line}:{d.span.column}"
    return f"{path}:{d.span.line}:{d.span.column}"


def fix_applies(d: Diagnostic, unsafe_fixes: bool = False) -> bool:
    """Whether ``--fix`` would apply the diagnostic's fix (unsafe ones need --unsafe-fixes)."""
    return d.fix is not None and (d.fix.safe or unsafe_fixes)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def summary_text(diagnostics: list[Diagnostic], fixed: int = 0, unsafe_fixes: bool = False) -> str:
    """The text formats' closing lines: what was found, fixed, and what --fix would do."""
    if not diagnostics:
        return f"Found {_plural(fixed, 'problem')} ({fixed} fixed, 0 remaining).\n" if fixed else "All checks passed!\n"
    total = len(diagnostics) + fixed
    lines = [f"Found {_plural(total, 'problem')}" + (f" ({fixed} fixed, {len(diagnostics)} remaining)." if fixed else ".")]
    applicable = sum(1 for d in diagnostics if fix_applies(d, unsafe_fixes))
    hidden = sum(1 for d in diagnostics if d.fix is not None and not fix_applies(d, unsafe_fixes))
    more = f" ({hidden} more with --unsafe-fixes)" if hidden else ""
    if applicable:
        lines.append(f"[*] {applicable} fixable with --fix{more}.")
    elif hidden:
        lines.append(f"No safe fixes; {hidden} fixable with --fix --unsafe-fixes.")
    return "\n".join(lines) + "\n"


def concise(diagnostics: list[Diagnostic], summary: str | None = None, unsafe_fixes: bool = False, **_: object) -> str:
    lines = [
        f"{_location(d)}: {d.code} {'[*] ' if fix_applies(d, unsafe_fixes) else ''}{d.message}" for d in diagnostics
    ]
    if summary is None:
        summary = summary_text(diagnostics, unsafe_fixes=unsafe_fixes) if diagnostics else ""
    return "".join(line + "\n" for line in lines) + summary


def as_dict(d: Diagnostic) -> dict:
    return {
        "code": d.code,
        "name": d.name,
        "message": d.message,
        "path": shown_path(d.path),
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


def full(
    diagnostics: list[Diagnostic],
    sources: dict | None = None,
    summary: str | None = None,
    unsafe_fixes: bool = False,
    cell_line: CellLine | None = None,
    **_: object,
) -> str:
    """``sources`` maps a path to its Source (stdin has no file to re-read); a notebook's
    snippet is its cell's own line (``cell_line``), as the columns count."""
    loaded: dict = dict(sources or {})
    blocks = []
    for d in diagnostics:
        block = [f"{_location(d)}: {d.code} [{d.severity}] {d.message}"]
        if d.cell is not None and cell_line is None:
            from compilelint.report.places import NotebookPlaces

            cell_line = NotebookPlaces().cell_line
        line_text = cell_line(d.path, d.cell, d.span.line) if d.cell is not None else _source_line(d, loaded)
        if line_text is not None and line_text.strip():  # a notebook cell that did not parse is blank here
            block.extend(_snippet(d, line_text))
        if d.fix is not None:
            safety = "safe" if d.fix.safe else "unsafe" + ("" if unsafe_fixes else ", applied only with --unsafe-fixes")
            block.append(f"  = fix ({safety}): {d.fix.description}")
        blocks.append("\n".join(block))
    if summary is None:
        summary = summary_text(diagnostics, unsafe_fixes=unsafe_fixes) if diagnostics else ""
    return "".join(block + "\n\n" for block in blocks) + summary


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
    lines = split_lines(source.text)
    return lines[d.span.line - 1] if 1 <= d.span.line <= len(lines) else None


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


def github(diagnostics: list[Diagnostic], environ: Mapping[str, str] | None = None, locate: Locate | None = None, **_: object) -> str:
    """Paths relative to the checkout (``GITHUB_WORKSPACE``), as GitHub matches them to
    the files of a pull request's diff."""
    base = ci_base(environ, "GITHUB_WORKSPACE")
    lines = []
    for d in diagnostics:
        title = f"{d.code} {d.name}" + (f" (cell {d.cell})" if d.cell is not None else "")
        span = file_span(d, locate)
        properties = {
            "title": title,
            "file": shown_path(d.path, base),
            "line": span.line,
            "col": span.column,
            "endLine": span.end_line,
            "endColumn": span.end_column,
        }
        rendered = ",".join(f"{key}={_github_escape(str(value), True)}" for key, value in properties.items())
        lines.append(f"::{'error' if d.severity == 'error' else 'warning'} {rendered}::{_github_escape(d.message)}")
    return "".join(line + "\n" for line in lines)


# -- sarif 2.1.0 ----------------------------------------------------------------------------

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def sarif_region(span) -> dict:
    """A span as a SARIF region (1-based lines and code-point columns)."""
    return {"startLine": span.line, "startColumn": span.column, "endLine": span.end_line, "endColumn": span.end_column}


SRCROOT = "%SRCROOT%"


def artifact_location(path: str, base: str | None) -> dict:
    """A relative URI against ``%SRCROOT%`` (the checkout) for a file inside it, as GitHub
    code scanning matches files; an absolute ``file:`` URI, without a base, for one outside."""
    from pathlib import Path
    from urllib.parse import quote

    shown = shown_path(path, base)
    if os.path.isabs(shown):
        return {"uri": Path(shown).as_uri()}
    return {"uri": quote(shown, safe="/"), "uriBaseId": SRCROOT}


def sarif(diagnostics: list[Diagnostic], **options: object) -> str:
    return json.dumps(sarif_log(diagnostics, **options), indent=2) + "\n"  # type: ignore[arg-type]


def sarif_log(
    diagnostics: list[Diagnostic],
    environ: Mapping[str, str] | None = None,
    locate: Locate | None = None,
    locate_edit: LocateEdit | None = None,
    **_: object,
) -> dict:
    """The SARIF 2.1.0 log as a dict (``sarif`` prints it; verify adds its sites)."""
    from pathlib import Path

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
    base = ci_base(environ, "GITHUB_WORKSPACE")
    results = []
    for d in diagnostics:
        artifact = artifact_location(d.path, base)
        location = {"physicalLocation": {"artifactLocation": artifact, "region": sarif_region(file_span(d, locate))}}
        result: dict = {
            "ruleId": d.code,
            "ruleIndex": index[d.code],
            "level": "error" if d.severity == "error" else "warning",
            "message": {"text": d.message},
            "locations": [location],
        }
        if d.cell is not None:
            result["properties"] = {"cell": d.cell}
        edits = _file_edits(d, locate_edit)
        if edits:
            result["fixes"] = [
                {
                    "description": {"text": d.fix.description},
                    "artifactChanges": [
                        {
                            "artifactLocation": artifact,
                            "replacements": [
                                {"deletedRegion": sarif_region(edit.span), "insertedContent": {"text": edit.text}}
                                for edit in edits
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
                "originalUriBaseIds": {SRCROOT: {"uri": Path(base or os.getcwd()).absolute().as_uri() + "/"}},
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return log


def _file_edits(d: Diagnostic, locate_edit: LocateEdit | None) -> list[Edit]:
    """The fix's edits of the file itself: a notebook's cell edits as edits of its JSON text
    (all of them or none: a fix is applied whole); none without ``locate_edit``."""
    if d.fix is None:
        return []
    if d.cell is None:
        return list(d.fix.edits)
    if locate_edit is None:
        return []
    edits = [locate_edit(d.path, d.cell, edit) for edit in d.fix.edits]
    return [] if any(edit is None for edit in edits) else edits  # type: ignore[misc]


# -- junit: a test suite per file, one failed test case per problem ---------------------------


def junit(diagnostics: list[Diagnostic], locate: Locate | None = None, **_: object) -> str:
    """Each problem is its own failed test case, so a CI system counts problems, not files
    (GitLab shows "3 failed" for 3 problems); a clean run is one passing test case."""
    from xml.etree import ElementTree

    by_path: dict[str, list[Diagnostic]] = {}
    for d in diagnostics:
        by_path.setdefault(d.path, []).append(d)
    count = str(max(len(diagnostics), 1))
    suites = ElementTree.Element("testsuites", name="compilelint", tests=count, failures=str(len(diagnostics)), errors="0")
    for path in sorted(by_path):
        shown = shown_path(path)
        problems = str(len(by_path[path]))
        suite = ElementTree.SubElement(suites, "testsuite", name=shown, tests=problems, failures=problems, errors="0", skipped="0")
        for d in by_path[path]:
            span = file_span(d, locate)
            where = f"cell {d.cell}, line {d.span.line}" if d.cell is not None else f"line {span.line}"
            case = ElementTree.SubElement(
                suite,
                "testcase",
                name=f"{d.code} {d.name} ({where}, column {d.span.column})",
                classname=shown,
                file=shown,
                line=str(span.line),
            )
            failure = ElementTree.SubElement(case, "failure", message=f"{d.code} {d.message}", type=d.code)
            failure.text = f"{_location(d)}: {d.code} {d.message}"
    if not diagnostics:
        suite = ElementTree.SubElement(suites, "testsuite", name="compilelint", tests="1", failures="0", errors="0", skipped="0")
        ElementTree.SubElement(suite, "testcase", name="no problems found", classname="compilelint")
    ElementTree.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(suites, encoding="unicode") + "\n"


# -- gitlab code quality ----------------------------------------------------------------------


def gitlab(diagnostics: list[Diagnostic], environ: Mapping[str, str] | None = None, locate: Locate | None = None, **_: object) -> str:
    """Paths relative to the checkout (``CI_PROJECT_DIR``), as GitLab matches them to the
    files of a merge request."""
    import hashlib

    base = ci_base(environ, "CI_PROJECT_DIR")
    seen: dict[str, int] = {}
    issues = []
    for d in diagnostics:
        path = shown_path(d.path, base)
        span = file_span(d, locate)
        # The fingerprint leaves out line numbers so that an issue keeps its identity when
        # code above it moves; repeats of the same issue in a file are told apart by order.
        key = "\0".join((path, str(d.cell or ""), d.code, d.message))
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
                    "path": path,
                    "positions": {
                        "begin": {"line": span.line, "column": span.column},
                        "end": {"line": span.end_line, "column": span.end_column},
                    },
                },
            }
        )
    return json.dumps(issues, indent=2) + "\n"


def statistics_text(diagnostics: list[Diagnostic], output_format: str = "concise", unsafe_fixes: bool = False) -> str:
    """``--statistics``: problems per rule, most frequent first (JSON for the JSON formats)."""
    counts: dict[str, list] = {}
    for d in diagnostics:
        entry = counts.setdefault(d.code, [d.code, d.name, 0, 0])
        entry[2] += 1
        entry[3] += fix_applies(d, unsafe_fixes)
    rows = sorted(counts.values(), key=lambda row: (-row[2], row[0]))
    if output_format in ("json", "json-lines"):
        items = [{"code": code, "name": name, "count": count, "fixable": fixable} for code, name, count, fixable in rows]
        if output_format == "json":
            return json.dumps(items, indent=2) + "\n"
        return "".join(json.dumps(item) + "\n" for item in items)
    width = len(str(rows[0][2])) if rows else 1
    lines = [f"{count:>{width}}  {code}  {'[*]' if fixable else '   '} {name}" for code, name, count, fixable in rows]
    return "".join(line + "\n" for line in lines) + summary_text(diagnostics, unsafe_fixes=unsafe_fixes)


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
