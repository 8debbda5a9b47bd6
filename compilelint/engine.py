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
from compilelint.sources import Source, one_line
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

    from compilelint.project import project_imports

    imports = project_imports(source.path, settings, source.text, _parse_dependency)
    try:
        # The project modules it imports are read only when they can change what the rules see.
        facts = collect_facts(module, source.text, imports=imports, read_dependencies=False)
        wanted = facts.wants_dependencies
        if not wanted:
            imports = None
        else:
            facts = collect_facts(module, source.text, imports=imports, read_dependencies=wanted)
    except RecursionError:
        result.errors.append(f"{source.path}: too deeply nested to analyse; the file was not checked")
        return result

    findings = _run_rules(
        facts,
        source.path,
        settings,
        enabled,
        result,
        lambda major: collect_facts(module, source.text, major, frozenset(facts.keras_flavours), imports, read_dependencies=wanted or False),
    )
    if imports is not None:
        result.dependencies = imports.dependencies()
    if findings:
        elsewhere = [d for d in imports.read.values() if d.pieces] if imports is not None else []
        result.diagnostics.extend(_to_diagnostics(module, source, findings, noqa, elsewhere, settings.root))
    result.diagnostics.sort(key=Diagnostic.sort_key)
    return result


def _parse_dependency(text: str):
    """A project module's tree for the facts pass, or None when it cannot be parsed (it then
    stays unknown; it is reported when that file itself is linted)."""
    import libcst as cst

    from compilelint.parsing import parse_module

    if _parser_at_risk(text) and _python_rejects(text) is not None:
        return None
    try:
        return parse_module(text)
    except (cst.ParserSyntaxError, RecursionError):
        return None


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
        _python_parse(text)
    except SyntaxError as python_error:
        kind = type(python_error).__name__
        line = max(python_error.lineno or 1, 1)
        column = max(python_error.offset or 1, 1)
        end_line, end_column = python_error.end_lineno, python_error.end_offset
        if not end_line or not end_column or (end_line, end_column) < (line, column):
            end_line, end_column = line, column
        return f"{kind}: {one_line(str(python_error.msg))}", Span(line, column, end_line, end_column)
    except Exception:  # noqa: BLE001 - NUL bytes, nesting, size: LibCST's own answer below
        pass
    line, column = error.raw_line, error.raw_column + 1
    return f"SyntaxError: {one_line(error.message)}", Span(line, column, line, column)


def _python_parse(text: str) -> None:
    """CPython's own parse of ``text``; raises what it raises."""
    with warnings.catch_warnings():  # the user's code may warn ("is" with a literal): not ours to print
        warnings.simplefilter("ignore")
        compile(text, "<compilelint>", "exec", ast.PyCF_ONLY_AST, dont_inherit=True)


def _python_rejects(text: str) -> tuple[int | None, int, str] | None:
    """Why CPython cannot parse ``text`` when the reason is nesting or size, else None.

    LibCST's native parser recurses without a limit: thousands of nested brackets
    overflow its stack and kill the process, and very long operator chains take minutes.
    CPython's own parser (about a tenth of LibCST's time) refuses both cleanly, so it
    answers first; other syntax errors are left to LibCST, whose positions the rest of the
    engine uses. Returns (line, column, message), with line None for no position.
    """
    try:
        _python_parse(text)
    except SyntaxError as error:
        message = one_line(str(error.msg))
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

    merged: dict = {}  # (code, id(node), origin) -> (rule, node, {major: finding}, the compile site or None)
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
                for finding, site in _findings(rule, context.facts, context):
                    origin = finding.origin[0] if finding.origin else None
                    entry = merged.setdefault((code, id(finding.node), origin), (rule, finding.node, {}, site))
                    entry[2].setdefault(target.major, finding)
            except Exception as error:  # one broken rule must not stop the others
                result.errors.append(
                    f"{path}: internal error in {code} ({rule.name}): {type(error).__name__}: {one_line(str(error))}"
                )
                result.internal_error = True
    return merged


def _findings(rule, facts, context) -> Iterable[tuple["Finding", object]]:
    """(finding, the compile site it is about, or None) for every finding of the rule."""
    choices: dict[int, tuple[object, list[list["Finding"]]]] = {}
    for site in facts.sites:
        findings = rule.check(site, context)
        if any(b.from_spread for b in site.keywords.values()):
            findings = _at_compile_call(site, findings)
        if site.choice is None:
            for finding in findings:
                yield finding, site
        else:
            choices.setdefault(id(site.choice), (site, []))[1].append(list(findings))
    for site, per_option in choices.values():
        for finding in _common_findings(per_option):
            yield finding, site
    module_findings = rule.check_module(context)
    if facts.dependencies:
        for finding in module_findings:
            yield finding, _site_holding(finding.node, facts.sites)
    else:
        for finding in module_findings:
            yield finding, None


def _site_holding(node, sites):
    """The compile call whose own argument (or call) a module-wide finding is reported at."""
    for site in sites:
        if node is site.call or node is site.call.func or any(node is arg for arg in site.call.args):
            return site
    return None


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


def _to_diagnostics(module, source: Source, merged: dict, noqa: NoqaMap, elsewhere=(), root: str = ".") -> list[Diagnostic]:
    """Diagnostics at nodes of ``module``. ``elsewhere``: the project modules the facts read
    (``project.Dependency``); a finding at one of their nodes moves to its compile call in
    this file (or is dropped without one), and a site whose model was built in one of them
    says where."""
    from compilelint.positions import positions_of

    placed = [entry[1] for entry in merged.values()]
    for _, _, by_major, _ in merged.values():
        for finding in by_major.values():
            if finding.fix is not None:
                placed.extend(node for node, _ in finding.fix.replacements)
            if finding.origin is not None:
                placed.append(finding.origin[1])
    anchors = {key: _local_anchor(site, node) for key, (_, node, _, site) in merged.items() if site is not None} if elsewhere else {}
    placed.extend(anchors.values())
    positions = positions_of(module, placed)
    places = _places_elsewhere(merged, positions, elsewhere, source.path, root) if elsewhere else {}
    diagnostics = []
    said: set = set()
    for key, (rule, node, by_major, site) in merged.items():
        code = key[0]
        findings = [by_major[major] for major in sorted(by_major)]
        messages = [finding.message for finding in findings]
        effect = max((f.effect for f in findings), key=lambda e: e.severity == "error")
        fix = next((f.fix for f in findings if f.fix is not None), None)
        reported, note = node, ""
        if node not in positions:
            reported = anchors.get(key)  # the node is another module's
            if reported is None or reported not in positions:
                continue
            fix = None
            note = f" (at {places[id(node)]})" if id(node) in places else ""
        if fix is not None and any(edited not in positions for edited, _ in fix.replacements):
            fix = None
        span = span_of(positions[reported])
        origin = findings[0].origin
        origin_line = positions[origin[1]].start.line if origin and origin[1] in positions else None
        if noqa.suppressed(code, rule.name, span.line, span.end_line) or (
            origin_line is not None and noqa.suppressed(code, rule.name, origin_line)
        ):
            continue
        if origin is not None:
            where = f"line {_cell_line(source, origin_line)}" if origin_line is not None else places.get(id(origin[1]))
            note += f" (`{origin[0]}` comes from `**{_short(module.code_for_node(node.value))}`" + (f", {where}" if where else "") + ")"
        if site is not None and places:
            note += _model_note(site, places)
        message = merge_messages(messages) + note
        if (code, span, message) in said:
            continue  # two nodes of another module, both reported at the same call
        said.add((code, span, message))
        diagnostics.append(
            _place(
                source,
                Diagnostic(
                    code=code,
                    name=rule.name,
                    message=message,
                    path=source.path,
                    span=span,
                    severity=effect.severity,
                    fix=_edits(module, positions, fix) if fix else None,
                ),
            )
        )
    return diagnostics


def _local_anchor(site, node):
    """Where a finding about ``site`` goes when its node is in another module: the argument
    whose value holds the node, else the call's ``compile``."""
    from compilelint.checks import compile_node
    from compilelint.positions import subtree

    for argument in (*site.keywords.values(), *site.positional):
        held = getattr(argument.value, "node", None)
        if held is not None and held is not argument.node and any(inner is node for inner in subtree(held)):
            return argument.report_node
    return compile_node(site)


def _models_of(site) -> list:
    from compilelint.facts.model import ModelValue

    options = site.choice.options if site.choice is not None else [site.model]
    return [option for option in options if isinstance(option, ModelValue)]


def _places_elsewhere(merged: dict, positions, elsewhere, path: str, root: str) -> dict[int, str]:
    """``models.py:12`` for each node of another module a message names: the models built
    there, and the values of ``**config`` dicts defined there (one code generation per module)."""

    wanted: dict[int, list] = {}  # id(dependency) -> its nodes
    loose: list = []  # nodes whose module is not known
    for _, node, by_major, site in merged.values():
        if node not in positions:
            loose.append(node)
        for model in _models_of(site) if site is not None else ():
            if model.module is not None:
                wanted.setdefault(id(model.module), []).append(model.node)
        for finding in by_major.values():
            if finding.origin is not None and finding.origin[1] not in positions:
                loose.append(finding.origin[1])
    places: dict[int, str] = {}
    for dependency in elsewhere:
        nodes = wanted.get(id(dependency), []) + [node for node in loose if id(node) not in places]
        if not nodes:
            continue
        name = _display_path(dependency.path, path, root)
        for node_id, line in dependency.lines_of(nodes).items():
            places[node_id] = f"{name}:{line}"
    return places


def _model_note(site, places: dict[int, str]) -> str:
    models = _models_of(site)
    built = [places[id(model.node)] for model in models if model.module is not None and id(model.node) in places]
    if not built:
        return ""
    here = " or in this file" if any(model.module is None for model in models) else ""
    return f" (the model is built in {' or '.join(dict.fromkeys(built))}{here})"


def _display_path(dependency: str, path: str, root: str) -> str:
    """A project module as a message names it: from the linted file's folder when it is
    below it, else from the project root (never from the working directory: results are cached)."""
    import os

    folder = os.path.dirname(os.path.abspath(path))
    root = os.path.abspath(root)
    if dependency.startswith(os.path.join(folder, "")):
        shown = os.path.relpath(dependency, folder)
    elif dependency.startswith(os.path.join(root, "")):
        shown = os.path.relpath(dependency, root)
    else:
        shown = dependency
    return shown.replace(os.sep, "/")


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
    code = one_line(code)
    return code if len(code) <= limit else code[: limit - 3] + "..."


def _cell_line(source: Source, line: int) -> str:
    """A line number as the user sees it: in a notebook, the cell and the line in it."""
    if not source.cells:
        return str(line)
    cell, in_cell = source.locate(line)
    return f"{in_cell} of cell {cell}" if cell is not None else str(line)


