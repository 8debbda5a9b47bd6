"""``compilelint server``: a language server over stdio (pygls >= 2, extra ``lsp``).

Diagnostics are published when a document opens, and after edits once typing pauses
(``DEBOUNCE_SECONDS``); code actions offer each diagnostic's fix and a ``# noqa: CODE``
comment. Settings: ``keras-version`` in initializationOptions or in the ``compilelint``
section of workspace/didChangeConfiguration; everything else comes from the project's
``[tool.compilelint]`` as for ``compilelint check``.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from compilelint import __version__
from compilelint.config import ConfigError, load_settings
from compilelint.diagnostics import Diagnostic, Span
from compilelint.report.noqa import line_noqa
from compilelint.runner import lint_guarded
from compilelint.sources import Source

DEBOUNCE_SECONDS = 0.3
SOURCE = "compilelint"


class CompileLintServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("compilelint", __version__)
        self.keras_version: str | None = None
        self.reported: dict[str, list[Diagnostic]] = {}  # uri -> what was last published
        self.pending: dict[str, asyncio.TimerHandle] = {}

    def settings_for(self, path: str):
        return load_settings(None, Path(path).parent, keras_version=self.keras_version)

    def lint(self, uri: str) -> None:
        self.pending.pop(uri, None)
        document = self.workspace.get_text_document(uri)
        path = to_fs_path(uri) or uri
        if not path.endswith((".py", ".pyi")):
            return  # notebooks reach a server as notebook documents, which this server does not take
        try:
            result = lint_guarded(Source(text=document.source, path=path), self.settings_for(path))
        except ConfigError as error:
            self.window_show_message(types.ShowMessageParams(types.MessageType.Error, f"compilelint: {error}"))
            return
        for line in result.errors:
            self.window_log_message(types.LogMessageParams(types.MessageType.Warning, f"compilelint: {line}"))
        self.reported[uri] = result.diagnostics
        lines = document.lines
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(
                uri=uri, version=document.version, diagnostics=[to_lsp(d, lines) for d in result.diagnostics]
            )
        )

    def lint_later(self, uri: str) -> None:
        if uri in self.pending:
            self.pending[uri].cancel()
        self.pending[uri] = asyncio.get_running_loop().call_later(DEBOUNCE_SECONDS, self.lint, uri)


def _utf16_column(lines: list[str], line: int, column: int) -> int:
    """LSP counts columns in UTF-16 code units; compilelint counts code points (1-based)."""
    if 1 <= line <= len(lines):
        return len(lines[line - 1][: column - 1].encode("utf-16-le")) // 2
    return column - 1


def to_range(span: Span, lines: list[str]) -> types.Range:
    return types.Range(
        start=types.Position(line=span.line - 1, character=_utf16_column(lines, span.line, span.column)),
        end=types.Position(line=span.end_line - 1, character=_utf16_column(lines, span.end_line, span.end_column)),
    )


def to_lsp(d: Diagnostic, lines: list[str]) -> types.Diagnostic:
    from compilelint.docs import rule_help_uri
    from compilelint.registry import rules_by_code

    rule = rules_by_code().get(d.code)
    return types.Diagnostic(
        range=to_range(d.span, lines),
        message=d.message,
        severity=types.DiagnosticSeverity.Error if d.severity == "error" else types.DiagnosticSeverity.Warning,
        code=d.code,
        code_description=types.CodeDescription(href=rule_help_uri(rule)) if rule else None,
        source=SOURCE,
        data={"name": d.name},
    )


def noqa_edit(code: str, lines: list[str], line: int) -> types.TextEdit | None:
    """The edit that adds ``code`` to the line's ``# noqa``; None when it cannot be added."""
    if not 1 <= line <= len(lines):
        return None
    text = lines[line - 1].rstrip("\r\n")
    existing = line_noqa(text)
    if text.rstrip().endswith("\\") or (existing is not None and existing[0] is None):
        return None  # a comment would end the continuation; a bare noqa already covers it
    if existing is not None:
        at, new_text = existing[1], f", {code}"
    else:
        at, new_text = len(text.rstrip()), f"  # noqa: {code}"
    position = types.Position(line=line - 1, character=len(text[:at].encode("utf-16-le")) // 2)
    return types.TextEdit(range=types.Range(start=position, end=position), new_text=new_text)


def code_actions(server: CompileLintServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    uri = params.text_document.uri
    lines = server.workspace.get_text_document(uri).lines
    wanted = {(d.code, d.range.start.line, d.range.start.character) for d in params.context.diagnostics if d.source == SOURCE}
    actions = []
    for d in server.reported.get(uri, []):
        lsp_diagnostic = to_lsp(d, lines)
        key = (d.code, lsp_diagnostic.range.start.line, lsp_diagnostic.range.start.character)
        if key not in wanted:
            continue
        if d.fix is not None:
            edits = [types.TextEdit(range=to_range(e.span, lines), new_text=e.text) for e in d.fix.edits]
            actions.append(
                types.CodeAction(
                    title=f"{d.code}: {d.fix.description}",
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=[lsp_diagnostic],
                    is_preferred=d.fix.safe,
                    edit=types.WorkspaceEdit(changes={uri: edits}),
                )
            )
        edit = noqa_edit(d.code, lines, d.span.line)
        if edit is not None:
            actions.append(
                types.CodeAction(
                    title=f"{d.code}: add # noqa: {d.code} to this line",
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=[lsp_diagnostic],
                    edit=types.WorkspaceEdit(changes={uri: [edit]}),
                )
            )
    return actions


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
        uri = params.text_document.uri
        if uri in ls.pending:
            ls.pending.pop(uri).cancel()
        ls.reported.pop(uri, None)
        ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    def did_change_configuration(ls: CompileLintServer, params: types.DidChangeConfigurationParams) -> None:
        ls.keras_version = _keras_version_from(params.settings)
        for uri in list(ls.reported):
            ls.lint(uri)

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix])
    )
    def code_action(ls: CompileLintServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        return code_actions(ls, params)

    return server


def serve() -> None:
    build_server().start_io()
