"""The one function every front end calls: lint one file's text."""

from __future__ import annotations

import ast
import re
import warnings
from dataclasses import replace
from typing import TYPE_CHECKING, Iterable, Iterator

from compilelint.diagnostics import Diagnostic, Edit, FileResult, Fix, Span
from compilelint.prefilter import needs_parsing
from compilelint.registry import rules_by_code
from compilelint.report.noqa import NoqaMap
from compilelint.sources import Source
from compilelint.versions import targets_for

if TYPE_CHECKING:
    from compilelint.config import Settings
    from compilelint.rule import Finding

SYNTAX_ERROR = "CL001"


def lint_text(text: str, path: str, settings: "Settings") -> FileResult:
    return lint_source(Source(text=text, path=path), settings)


def lint_source(source: Source, settings: "Settings") -> FileResult:
    result = _lint_module(source, settings)
    if source.modules and not NoqaMap(source.text).file_exempt(None):
        for module in source.modules:  # what a notebook's %%writefile cells write
            written = _lint_module(module, settings)
            result.diagnostics.extend(written.diagnostics)
            result.errors.extend(written.errors)
            result.internal_error |= written.internal_error
        result.diagnostics.sort(key=Diagnostic.sort_key)
    return result


def _lint_module(source: Source, settings: "Settings") -> FileResult:
    result = FileResult(path=source.path)
    # The prefilter first: it is far cheaper than matching per-file-ignores against the path.
    candidate = needs_parsing(source.text)
    if not (candidate or source.syntax_errors):
        return result
    enabled = settings.codes_for(source.path)
    if not enabled:
        return result
    noqa = NoqaMap(source.text)
    if noqa.file_exempt(None):
        return result
    result.warnings.extend(_noqa_warnings(source, noqa))
    if source.syntax_errors and SYNTAX_ERROR in enabled:
        result.diagnostics.extend(_cell_syntax_errors(source))
    if not candidate:
        return result
    import libcst as cst

    from compilelint.facts.collector import collect_facts

    rejected = _python_rejects(source.text) if _parser_at_risk(source.text) else None
    if rejected is not None:
        line, column, reason = rejected
        if line is None:
            result.errors.append(f"{source.path}: {reason}; the file was not checked")
        elif SYNTAX_ERROR in enabled:
            name = rules_by_code()[SYNTAX_ERROR].name
            message = f"SyntaxError: {reason}; the file was not checked"
            result.diagnostics.append(_place(source, Diagnostic(SYNTAX_ERROR, name, message, source.path, Span(line, column, line, column))))
        return result
    from compilelint.parsing import parse_module

    try:
        module = parse_module(source.text)
    except cst.ParserSyntaxError as error:
        if SYNTAX_ERROR in enabled:
            rule = rules_by_code()[SYNTAX_ERROR]
            reason, span = _syntax_error(source.text, error)
            message = f"{reason}; the file was not checked"
            result.diagnostics.append(_place(source, Diagnostic(SYNTAX_ERROR, rule.name, message, source.path, span)))
        return result
    except RecursionError:
        result.errors.append(f"{source.path}: too deeply nested to parse; the file was not checked")
        return result

    try:
        facts = collect_facts(module, source.text)
    except RecursionError:
        result.errors.append(f"{source.path}: too deeply nested to analyse; the file was not checked")
        return result

    findings = _run_rules(facts, source.path, settings, enabled, result, lambda major: collect_facts(module, source.text, major, frozenset(facts.keras_flavours)))
    if findings:
        result.diagnostics.extend(_to_diagnostics(module, source, findings, noqa))
    result.diagnostics.sort(key=Diagnostic.sort_key)
    return result


# What makes LibCST's parser overflow its stack or run for minutes: deep bracket nesting or
# an enormous expression, which in practice means a very long line.
_LONG_LINE = re.compile(r"[^\n]{10000}")
_NOT_BRACKET = re.compile(r"[^\[\](){}]+")
_RISKY_DEPTH = 100


def _parser_at_risk(text: str) -> bool:
    """A cheap scan that clears ordinary files, so only the rare risky one pays for (and
    holds the memory of) a second, CPython parse."""
    if _LONG_LINE.search(text):
        return True
    depth = 0
    for bracket in _NOT_BRACKET.sub("", text):
        depth = depth + 1 if bracket in "([{" else depth - 1
        if depth > _RISKY_DEPTH:
            return True
    return False


def _syntax_error(text: str, error) -> tuple[str, Span]:
    """What Python itself says about text LibCST could not parse (``'(' was never closed``
    at the bracket, where LibCST lists the tokens it expected at the end of the file), and
    where; LibCST's own message when Python accepts the text (syntax LibCST does not know)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(text, "<compilelint>", "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as python_error:
        kind = type(python_error).__name__
        line = max(python_error.lineno or 1, 1)
        column = max(python_error.offset or 1, 1)
        end_line, end_column = python_error.end_lineno, python_error.end_offset
        if not end_line or not end_column or (end_line, end_column) < (line, column):
            end_line, end_column = line, column
        return f"{kind}: {_one_line(str(python_error.msg))}", Span(line, column, end_line, end_column)
    except Exception:  # noqa: BLE001 - NUL bytes, nesting, size: LibCST's own answer below
        pass
    line, column = error.raw_line, error.raw_column + 1
    return f"SyntaxError: {_one_line(error.message)}", Span(line, column, line, column)


def _python_rejects(text: str) -> tuple[int | None, int, str] | None:
    """Why CPython cannot parse ``text`` when the reason is nesting or size, else None.

    LibCST's native parser recurses without a limit: thousands of nested brackets
    overflow its stack and kill the process, and very long operator chains take minutes.
    CPython's own parser (about a tenth of LibCST's time) refuses both cleanly, so it
    answers first; other syntax errors are left to LibCST, whose positions the rest of the
    engine uses. Returns (line, column, message), with line None for no position.
    """
    try:
        with warnings.catch_warnings():  # the user's code may warn ("is" with a literal): not ours to print
            warnings.simplefilter("ignore")
            compile(text, "<compilelint>", "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as error:
        message = _one_line(str(error.msg))
        if "nested" in message or "too complex" in message:
            return (error.lineno or 1), max(error.offset or 1, 1), message
        return None
    except (RecursionError, MemoryError):
        return None, 1, "too deeply nested to parse"
    except ValueError:  # NUL bytes: the reader refuses them first; left to LibCST here
        return None
    return None


def _noqa_warnings(source: Source, noqa: NoqaMap) -> list[str]:
    warnings = []
    for line, code, hint in noqa.unknown_codes():
        cell, cell_line = source.locate(line)
        where = f"{source.path}:cell {cell}:{cell_line}" if cell is not None else f"{source.path}:{line}"
        warnings.append(f"{where}: unknown rule code {code!r} in # noqa ({hint})")
    return warnings


def _cell_syntax_errors(source: Source) -> list[Diagnostic]:
    name = rules_by_code()[SYNTAX_ERROR].name
    return [
        _place(
            source,
            Diagnostic(SYNTAX_ERROR, name, f"SyntaxError: {message}; this cell was not checked", source.path, Span(line, column, line, column)),
        )
        for line, column, message in source.syntax_errors
    ]


def _run_rules(facts, path: str, settings: "Settings", enabled: frozenset[str], result: FileResult, recollect=None) -> dict:
    """Every enabled rule under every targeted version. ``recollect(major)`` gives the facts
    for one target when a version guard makes them differ (``facts.version_dependent``)."""
    from compilelint.rule import Context

    merged: dict = {}  # (code, id(node)) -> (rule, node, {major: finding})
    targets = targets_for(settings.keras_version, facts.keras_flavours, settings.environment_major)
    facts_for = {target.major: facts for target in targets}
    if facts.version_dependent and recollect is not None:
        facts_for = {target.major: recollect(target.major) for target in targets}
    for code, rule in rules_by_code().items():
        if code not in enabled or code == SYNTAX_ERROR:
            continue
        for target in targets:
            context = Context(keras=target, facts=facts_for[target.major], path=path, targets=targets)
            try:
                for finding in _findings(rule, context.facts, context):
                    origin = finding.origin[0] if finding.origin else None
                    entry = merged.setdefault((code, id(finding.node), origin), (rule, finding.node, {}))
                    entry[2].setdefault(target.major, finding)
            except Exception as error:  # one broken rule must not stop the others
                result.errors.append(
                    f"{path}: internal error in {code} ({rule.name}): {type(error).__name__}: {_one_line(str(error))}"
                )
                result.internal_error = True
    return merged


def _findings(rule, facts, context) -> Iterable["Finding"]:
    choices: dict[int, list[list["Finding"]]] = {}
    for site in facts.sites:
        findings = rule.check(site, context)
        if any(b.from_spread for b in site.keywords.values()):
            findings = _at_compile_call(site, findings)
        if site.choice is None:
            yield from findings
        else:
            choices.setdefault(id(site.choice), []).append(list(findings))
    for per_option in choices.values():
        yield from _common_findings(per_option)
    yield from rule.check_module(context)


def _common_findings(per_option: list[list["Finding"]]) -> list["Finding"]:
    """A compile call on one of several models (a branch picks which): what every model
    gives, at the same place with the same words; anything else depends on the branch."""
    def key(finding) -> tuple:
        return (id(finding.node), finding.origin[0] if finding.origin else None, finding.message)

    common = set.intersection(*({key(f) for f in findings} for findings in per_option))
    return [finding for finding in per_option[0] if key(finding) in common]


def _at_compile_call(site, findings: Iterable["Finding"]) -> Iterator["Finding"]:
    """A value folded from ``**config`` is reported on that argument of this call, not in
    the dict: two calls may share the dict, and what fails is each call."""
    from compilelint.positions import subtree

    spread = [(key, argument) for key, argument in site.keywords.items() if argument.from_spread]
    inside: dict[str, set[int]] = {}
    for finding in findings:
        for key, argument in spread:
            if key not in inside:
                inside[key] = {id(node) for node in subtree(argument.node)}
            if id(finding.node) in inside[key]:
                finding = replace(finding, node=argument.arg, origin=(key, argument.node))
                break
        yield finding


def _to_diagnostics(module, source: Source, merged: dict, noqa: NoqaMap) -> list[Diagnostic]:
    from compilelint.positions import positions_of

    placed = [node for _, node, _ in merged.values()]
    for _, _, by_major in merged.values():
        for finding in by_major.values():
            if finding.fix is not None:
                placed.extend(node for node, _ in finding.fix.replacements)
            if finding.origin is not None:
                placed.append(finding.origin[1])
    positions = positions_of(module, placed)
    diagnostics = []
    for (code, _, _), (rule, node, by_major) in merged.items():
        findings = [by_major[major] for major in sorted(by_major)]
        messages = [finding.message for finding in findings]
        effect = max((f.effect for f in findings), key=lambda e: e.severity == "error")
        span = span_of(positions[node])
        origin = findings[0].origin
        origin_line = positions[origin[1]].start.line if origin else None
        if noqa.suppressed(code, rule.name, span.line, span.end_line) or (
            origin_line is not None and noqa.suppressed(code, rule.name, origin_line)
        ):
            continue
        note = ""
        if origin is not None:
            note = f" (`{origin[0]}` comes from `**{_short(module.code_for_node(node.value))}`, line {_cell_line(source, origin_line)})"
        fix = next((f.fix for f in findings if f.fix is not None), None)
        diagnostics.append(
            _place(
                source,
                Diagnostic(
                    code=code,
                    name=rule.name,
                    message=merge_messages(messages) + note,
                    path=source.path,
                    span=span,
                    severity=effect.severity,
                    fix=_edits(module, positions, fix) if fix else None,
                ),
            )
        )
    return diagnostics


_SENTENCE_END = re.compile(r"(?<=[.!?\"])\s+(?=[A-Z])")


def merge_messages(messages: list[str]) -> str:
    """One message from each targeted version's, without saying the same thing twice: a
    shared lead-in (``... : ``) and sentences already said (the fix) are dropped."""
    merged = messages[0]
    for message in messages[1:]:
        if message == merged:
            continue
        message = message[len(_shared_lead_in(merged, message)) :]
        said = set(_SENTENCE_END.split(merged))
        message = " ".join(s for s in _SENTENCE_END.split(message) if s not in said)
        if message:
            merged = f"{merged} {message}"
    return merged


def _shared_lead_in(first: str, second: str) -> str:
    """The longest start of both messages that ends with ``: `` (a lead-in may itself hold
    a colon, as in "(outputs: a, b): ")."""
    end = first.rfind(": ")
    while end >= 0:
        lead_in = first[: end + 2]
        if second.startswith(lead_in):
            return lead_in
        end = first.rfind(": ", 0, end)
    return ""


def span_of(code_range) -> Span:
    """A LibCST CodeRange (0-based columns) as a 1-based Span."""
    return Span(code_range.start.line, code_range.start.column + 1, code_range.end.line, code_range.end.column + 1)


def _edits(module, positions, spec) -> Fix:
    edits = []
    for node, replacement in spec.replacements:
        text = replacement if isinstance(replacement, str) else module.code_for_node(replacement)
        edits.append(Edit(span_of(positions[node]), text))
    return Fix(spec.description, tuple(edits), safe=spec.safe)


def _place(source: Source, diagnostic: Diagnostic) -> Diagnostic:
    """In a notebook, a diagnostic's lines count from the top of its cell."""
    if not source.cells:
        return diagnostic
    cell, span = _cell_span(source, diagnostic.span)
    return replace(diagnostic, cell=cell, span=span, fix=_cell_fix(source, cell, diagnostic.fix))


def _cell_span(source: Source, span: Span) -> tuple[int | None, Span]:
    cell, line = source.locate(span.line)
    _, end_line = source.locate(span.end_line)
    shift = source.indents.get(cell, 0)  # the indent IPython removed before the cell was parsed
    return cell, Span(line, span.column + shift, end_line, span.end_column + shift)


def _cell_fix(source: Source, cell: int | None, fix: Fix | None) -> Fix | None:
    """A fix's edits with cell-relative lines, like its diagnostic; none when an edit
    would reach outside the diagnostic's cell (a notebook fix edits one cell) or touch a
    line that is not the cell's own text (a magic, a removed indent)."""
    if fix is None:
        return None
    edits = []
    for edit in fix.edits:
        if any(line in source.rewritten for line in range(edit.span.line, edit.span.end_line + 1)):
            return None
        edit_cell, span = _cell_span(source, edit.span)
        end_cell, _ = source.locate(edit.span.end_line)
        if edit_cell != cell or end_cell != cell:
            return None
        edits.append(Edit(span, edit.text))
    return replace(fix, edits=tuple(edits))


def _short(code: str, limit: int = 40) -> str:
    code = " ".join(code.split())
    return code if len(code) <= limit else code[: limit - 3] + "..."


def _cell_line(source: Source, line: int) -> str:
    """A line number as the user sees it: in a notebook, the cell and the line in it."""
    if not source.cells:
        return str(line)
    cell, in_cell = source.locate(line)
    return f"{in_cell} of cell {cell}" if cell is not None else str(line)


def _one_line(text: str) -> str:
    return " ".join(str(text).split())
