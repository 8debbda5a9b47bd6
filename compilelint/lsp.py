"""``compilelint server``: a language server over stdio (pygls >= 2, extra ``lsp``).

Diagnostics are published when a document opens, and after edits once typing pauses
(``DEBOUNCE_SECONDS``); code actions offer each diagnostic's fix, a ``# noqa: CODE`` comment,
and ``source.fixAll`` (every safe fix at once). Unsaved and untitled Python buffers are
linted too. Settings: each file's nearest ``[tool.compilelint]``, as for ``compilelint
check`` (a file its ``exclude`` / ``extend-exclude`` names gets no diagnostics), with
``keras-version`` from initializationOptions or the ``compilelint`` section of
workspace/didChangeConfiguration on top.

Positions: compilelint counts columns in code points; every range and edit sent to the
client is counted in the position encoding negotiated at initialisation (utf-8, utf-16 or
utf-32), over lines broken where LSP breaks them (``\\n``, ``\\r\\n``, ``\\r``).

A document the server lints is a ``LintedDocument``: its URI, text, settings path and last
diagnostics. Text documents are the only kind today; a notebook's cells can be added as
further documents that share one lint of the notebook.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass, field
from pathlib import Path

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from compilelint import __version__
from compilelint.config import ConfigError, Settings, SettingsResolver, relative_path
from compilelint.diagnostics import Diagnostic, Span
from compilelint.report.noqa import line_noqa
from compilelint.runner import lint_guarded
from compilelint.sources import Source, split_lines

DEBOUNCE_SECONDS = 0.3
SOURCE = "compilelint"
FIX_ALL_KIND = f"{types.CodeActionKind.SourceFixAll.value}.compilelint"
PYTHON_SUFFIXES = (".py", ".pyi")


# -- positions: code points <-> the client's code units ---------------------------------------


def units(text: str, encoding: str) -> int:
    """How many code units of the negotiated encoding ``text`` takes."""
    if encoding == types.PositionEncodingKind.Utf8:
        return len(text.encode("utf-8", "surrogatepass"))
    if encoding == types.PositionEncodingKind.Utf32:
        return len(text)
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def to_position(lines: list[str], line: int, column: int, encoding: str) -> types.Position:
    """A 1-based (line, code-point column) as an LSP position."""
    if 1 <= line <= len(lines):
        return types.Position(line=line - 1, character=units(lines[line - 1][: column - 1], encoding))
    if line > len(lines):  # one past the end: where an edit at the end of the text goes
        return types.Position(line=len(lines), character=0)
    return types.Position(line=max(line - 1, 0), character=max(column - 1, 0))


def to_range(span: Span, lines: list[str], encoding: str = types.PositionEncodingKind.Utf16) -> types.Range:
    return types.Range(
        start=to_position(lines, span.line, span.column, encoding),
        end=to_position(lines, span.end_line, span.end_column, encoding),
    )


def overlaps(a: types.Range, b: types.Range) -> bool:
    """Ranges that share a character, or touch (a cursor at either end of a diagnostic)."""
    start_a, end_a = (a.start.line, a.start.character), (a.end.line, a.end.character)
    start_b, end_b = (b.start.line, b.start.character), (b.end.line, b.end.character)
    return start_a <= end_b and start_b <= end_a


# -- documents ---------------------------------------------------------------------------------


@dataclass
class LintedDocument:
    """What the server knows of one open document after its last lint."""

    uri: str
    path: str  # the file path, or the URI of an untitled buffer
    text: str
    version: int | None
    settings: Settings | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def lines(self) -> list[str]:
        return split_lines(self.text)


def _document_path(uri: str) -> str:
    return to_fs_path(uri) or uri


def is_python(uri: str, language_id: str | None) -> bool:
    """A Python text document the server lints: a file, or an untitled buffer, by its
    language (or its name when the client sends none). Other schemes are left alone: a
    notebook cell (``vscode-notebook-cell:``) alone would lack the cells before it, and IPython
    syntax would read as syntax errors; a ``git:`` copy is not the user's code."""
    if to_fs_path(uri) is None and not uri.startswith("untitled:"):
        return False
    if language_id:
        return language_id == "python"
    return _document_path(uri).endswith(PYTHON_SUFFIXES)


class CompileLintServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("compilelint", __version__)
        self.keras_version: str | None = None
        self.documents: dict[str, LintedDocument] = {}  # uri -> the last lint of each open document
        self.pending: dict[str, asyncio.TimerHandle] = {}
        self._shown_error: str | None = None  # a bad config is shown once, not on every keystroke

    @property
    def encoding(self) -> str:
        return self.workspace.position_encoding or types.PositionEncodingKind.Utf16

    def settings_for(self, path: str, untitled: bool) -> Settings | None:
        """The file's settings, read afresh (a config edited meanwhile applies at once);
        None when the file is excluded, or its config is bad (shown to the user once)."""
        resolver = SettingsResolver({"keras_version": self.keras_version}, cwd=self._root())
        try:
            settings = resolver.for_folder(str(self._root())) if untitled else resolver.for_file(path)
        except ConfigError as error:
            if str(error) != self._shown_error:
                self._shown_error = str(error)
                self.window_show_message(types.ShowMessageParams(types.MessageType.Error, f"compilelint: {error}"))
            return None
        self._shown_error = None
        if not untitled and _excluded(path, settings):
            return None
        return settings

    def _root(self) -> Path:
        root = self.workspace.root_path
        return Path(root) if root and os.path.isdir(root) else Path.cwd()

    def lint(self, uri: str) -> None:
        self.pending.pop(uri, None)
        text_document = self.workspace.get_text_document(uri)
        if not is_python(uri, text_document.language_id):
            return  # notebooks reach a server as notebook documents, which this server does not take yet
        path = _document_path(uri)
        untitled = to_fs_path(uri) is None
        document = LintedDocument(uri, path, text_document.source, text_document.version)
        document.settings = self.settings_for(path, untitled)
        if document.settings is not None:
            result = lint_guarded(Source(text=document.text, path=path), document.settings)
            for line in [*result.errors, *result.warnings]:
                self.window_log_message(types.LogMessageParams(types.MessageType.Warning, f"compilelint: {line}"))
            document.diagnostics = result.diagnostics
        self.documents[uri] = document
        lines = document.lines
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(
                uri=uri,
                version=document.version,
                diagnostics=[to_lsp(d, lines, self.encoding) for d in document.diagnostics],
            )
        )

    def lint_later(self, uri: str) -> None:
        if uri in self.pending:
            self.pending[uri].cancel()
        self.pending[uri] = asyncio.get_running_loop().call_later(DEBOUNCE_SECONDS, self.lint, uri)

    def forget(self, uri: str) -> None:
        if uri in self.pending:
            self.pending.pop(uri).cancel()
        self.documents.pop(uri, None)
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))


def _excluded(path: str, settings: Settings) -> bool:
    """Whether ``exclude`` / ``extend-exclude`` name the file or a folder it is in, as a
    walk of the project would skip it."""
    from compilelint.discovery import ExcludeMatcher

    relative = relative_path(path, settings.root)
    return not os.path.isabs(relative) and ExcludeMatcher(settings).excluded(relative)


def to_lsp(d: Diagnostic, lines: list[str], encoding: str = types.PositionEncodingKind.Utf16) -> types.Diagnostic:
    from compilelint.docs import rule_help_uri
    from compilelint.registry import rules_by_code

    rule = rules_by_code().get(d.code)
    return types.Diagnostic(
        range=to_range(d.span, lines, encoding),
        message=d.message,
        severity=types.DiagnosticSeverity.Error if d.severity == "error" else types.DiagnosticSeverity.Warning,
        code=d.code,
        code_description=types.CodeDescription(href=rule_help_uri(rule)) if rule else None,
        source=SOURCE,
        data={"name": d.name},
    )


# -- code actions ----------------------------------------------------------------------------


def noqa_edit(code: str, lines: list[str], line: int, encoding: str = types.PositionEncodingKind.Utf16) -> types.TextEdit | None:
    """The edit that adds ``code`` to the line's ``# noqa``; None when it cannot be added."""
    if not 1 <= line <= len(lines):
        return None
    text = lines[line - 1]
    existing = line_noqa(text)
    if text.rstrip().endswith("\\") or (existing is not None and existing[0] is None):
        return None  # a comment would end the continuation; a bare noqa already covers it
    if existing is not None:
        at, new_text = existing[1], f", {code}"
    else:
        at, new_text = len(text.rstrip()), f"  # noqa: {code}"
    position = types.Position(line=line - 1, character=units(text[:at], encoding))
    return types.TextEdit(range=types.Range(start=position, end=position), new_text=new_text)


def _wanted(kind: str, only: list[str] | None) -> bool:
    """Whether the client's ``only`` filter asks for actions of ``kind`` (LSP kinds nest by dots)."""
    return not only or any(kind == wanted or kind.startswith(wanted + ".") for wanted in only)


def code_actions(server: CompileLintServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    uri = params.text_document.uri
    document = server.documents.get(uri)
    if document is None:
        return []
    encoding = server.encoding
    lines = document.lines
    only = params.context.only
    actions: list[types.CodeAction] = []
    if _wanted(types.CodeActionKind.QuickFix, only):
        actions.extend(_quick_fixes(document, params, lines, encoding))
    if _wanted(FIX_ALL_KIND, only):
        fix_all = fix_all_action(document, lines, encoding)
        if fix_all is not None:
            actions.append(fix_all)
    return actions


def _quick_fixes(document: LintedDocument, params: types.CodeActionParams, lines: list[str], encoding: str) -> list[types.CodeAction]:
    """The fix and the noqa comment of each diagnostic the request is about: matched by
    code and overlapping range (never by exact column), or, when the client sends no
    diagnostics, every diagnostic overlapping the requested range."""
    asked = [d for d in params.context.diagnostics if d.source == SOURCE]
    actions = []
    for d in document.diagnostics:
        lsp_diagnostic = to_lsp(d, lines, encoding)
        if asked:
            if not any(a.code == d.code and overlaps(a.range, lsp_diagnostic.range) for a in asked):
                continue
        elif not overlaps(params.range, lsp_diagnostic.range):
            continue
        if d.fix is not None:
            edits = [types.TextEdit(range=to_range(e.span, lines, encoding), new_text=e.text) for e in d.fix.edits]
            title = f"{d.code}: {d.fix.description}" + ("" if d.fix.safe else " (unsafe: may change behaviour)")
            actions.append(
                types.CodeAction(
                    title=title,
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=[lsp_diagnostic],
                    is_preferred=d.fix.safe,
                    edit=types.WorkspaceEdit(changes={document.uri: edits}),
                )
            )
        edit = noqa_edit(d.code, lines, d.span.line, encoding)
        if edit is not None:
            actions.append(
                types.CodeAction(
                    title=f"{d.code}: add # noqa: {d.code} to this line",
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=[lsp_diagnostic],
                    edit=types.WorkspaceEdit(changes={document.uri: [edit]}),
                )
            )
    return actions


def fix_all_action(document: LintedDocument, lines: list[str], encoding: str) -> types.CodeAction | None:
    """``source.fixAll``: every fix ``compilelint check --fix`` would apply, as one edit of
    the lines that change."""
    from compilelint.fixes import fix_text

    if document.settings is None or not any(d.fix is not None for d in document.diagnostics):
        return None
    outcome = fix_text(document.text, document.path, document.settings)
    if not outcome.changed:
        return None
    edit = _replace_changed_lines(document.text, outcome.fixed, lines, encoding)
    return types.CodeAction(
        title=f"compilelint: fix all ({outcome.applied} fix{'es' if outcome.applied != 1 else ''})",
        kind=FIX_ALL_KIND,
        edit=types.WorkspaceEdit(changes={document.uri: [edit]}),
    )


def _replace_changed_lines(old: str, new: str, lines: list[str], encoding: str) -> types.TextEdit:
    """One edit from the first to the last line that differ (whole lines, so no position
    falls inside a character)."""
    from compilelint.fixes import line_starts

    old_starts, new_starts = line_starts(old), line_starts(new)
    old_lines = [old[a:b] for a, b in zip(old_starts, [*old_starts[1:], len(old)])]
    new_lines = [new[a:b] for a, b in zip(new_starts, [*new_starts[1:], len(new)])]
    first = 0
    while first < min(len(old_lines), len(new_lines)) and old_lines[first] == new_lines[first]:
        first += 1
    tail = 0
    while (
        tail < min(len(old_lines), len(new_lines)) - first
        and old_lines[len(old_lines) - 1 - tail] == new_lines[len(new_lines) - 1 - tail]
    ):
        tail += 1
    replaced = "".join(new_lines[first : len(new_lines) - tail])
    end_line = len(old_lines) - tail  # 0-based line just past the replaced ones
    if end_line < len(lines) or old.endswith(("\n", "\r")) or end_line == 0:
        end = types.Position(line=end_line, character=0)
    else:  # the last line has no line break: end at its last character
        end = types.Position(line=end_line - 1, character=units(lines[end_line - 1], encoding))
    return types.TextEdit(range=types.Range(start=types.Position(line=first, character=0), end=end), new_text=replaced)


def _keras_version_from(options) -> str | None:
    if isinstance(options, dict):
        section = options.get("compilelint", options)
        if isinstance(section, dict):
            value = section.get("keras-version", section.get("kerasVersion"))
            return str(value) if value is not None else None
    return None


def build_server() -> CompileLintServer:
    server = CompileLintServer()

    @server.feature(types.INITIALIZE)
    def initialize(ls: CompileLintServer, params: types.InitializeParams) -> None:
        ls.keras_version = _keras_version_from(params.initialization_options)

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: CompileLintServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.lint(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: CompileLintServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.lint_later(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: CompileLintServer, params: types.DidSaveTextDocumentParams) -> None:
        ls.lint(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: CompileLintServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.forget(params.text_document.uri)

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    def did_change_configuration(ls: CompileLintServer, params: types.DidChangeConfigurationParams) -> None:
        ls.keras_version = _keras_version_from(params.settings)
        for uri in list(ls.documents):
            ls.lint(uri)

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL_KIND]),
    )
    def code_action(ls: CompileLintServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        return code_actions(ls, params)

    return server


def serve() -> None:
    build_server().start_io()
