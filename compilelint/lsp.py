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

Notebooks: an editor that syncs notebooks (LSP 3.17 ``notebookDocument/*``, advertised for
``jupyter-notebook`` documents with Python cells) has its code cells linted together, as the
CLI lints an ``.ipynb`` file: one module in cell order, each cell read as IPython runs it. A
cell's diagnostics and code actions live on that cell's own document, in its own lines;
``source.fixAll`` fixes the whole notebook. An ``.ipynb`` file opened as a text document
(its JSON) is linted too, with ranges and edits placed in the JSON text.

A document the server lints is a ``LintedDocument``: its URI, text, settings and last
diagnostics; a notebook cell's record names its notebook (a ``LintedNotebook``, which lists
its cells), and an ``.ipynb`` text document's record holds the layout that places cell
positions in its JSON.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from compilelint import __version__
from compilelint.config import ConfigError, Settings, SettingsResolver, relative_path
from compilelint.diagnostics import Diagnostic, Edit, FileResult, Span
from compilelint.report import noqa
from compilelint.runner import lint_guarded
from compilelint.sources import Source, SourceError, split_lines

if TYPE_CHECKING:
    from compilelint.report.notebook_json import NotebookLayout

DEBOUNCE_SECONDS = 0.3
SOURCE = "compilelint"
FIX_ALL_KIND = f"{types.CodeActionKind.SourceFixAll.value}.compilelint"
PYTHON_SUFFIXES = (".py", ".pyi")
NOTEBOOK_SUFFIX = ".ipynb"
# The notebooks the server syncs: Jupyter notebooks, their Python cells.
NOTEBOOK_SYNC = types.NotebookDocumentSyncOptions(
    notebook_selector=[
        types.NotebookDocumentFilterWithCells(notebook="jupyter-notebook", cells=[types.NotebookCellLanguage(language="python")])
    ],
    save=True,
)


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
    """What the server knows of one open document after its last lint: a Python file or
    buffer, a notebook cell (``notebook``: its notebook's URI; diagnostics in the cell's own
    lines) or an ``.ipynb`` text document (``layout``: where each cell's lines are written in
    its JSON text, which is what the client's positions count in)."""

    uri: str
    path: str  # the file path, or the URI of an untitled buffer (a cell: its notebook's)
    text: str
    version: int | None
    settings: Settings | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    notebook: str | None = None
    layout: NotebookLayout | None = None

    @property
    def lines(self) -> list[str]:
        return split_lines(self.text)

    def range_of(self, d: Diagnostic, lines: list[str], encoding: str) -> types.Range:
        """The diagnostic's span (in its cell, or file) as a range of this document."""
        span = d.span
        if self.layout is not None:
            span = (self.layout.span(d.cell, span) if d.cell is not None else None) or Span(1, 1, 1, 1)
        return to_range(span, lines, encoding)

    def text_edit(self, d: Diagnostic, edit: Edit, lines: list[str], encoding: str) -> types.TextEdit | None:
        """An edit of the diagnostic's cell (or file) as an edit of this document; None when
        it cannot be one (in JSON: an edit that would reach across strings)."""
        if self.layout is not None:
            edit = self.layout.edit(d.cell, edit) if d.cell is not None else None
            if edit is None:
                return None
        return types.TextEdit(range=to_range(edit.span, lines, encoding), new_text=edit.text)

    def own_lines(self, d: Diagnostic) -> list[str]:
        """The lines the diagnostic's positions count in: its cell's for an .ipynb text."""
        if self.layout is not None:
            return self.layout.cell_lines(d.cell) if d.cell is not None else []
        return self.lines


@dataclass
class LintedNotebook:
    """A notebook document after its last lint: its cells' records, in the notebook's order
    (each also a ``LintedDocument`` of the server, by cell URI), and their cell types."""

    uri: str
    path: str
    version: int
    settings: Settings | None
    cells: list[LintedDocument]
    cell_types: list[str]

    def as_json(self) -> dict:
        """The notebook as nbformat 4 JSON, from its cells' texts (what the CLI reads)."""
        cells = [{"cell_type": kind, "metadata": {}, "source": cell.text} for kind, cell in zip(self.cell_types, self.cells)]
        return {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def _document_path(uri: str) -> str:
    return to_fs_path(uri) or uri


def _is_local(uri: str) -> bool:
    return to_fs_path(uri) is not None or uri.startswith("untitled:")


def is_python(uri: str, language_id: str | None) -> bool:
    """A Python text document the server lints: a file, or an untitled buffer, by its
    language (or its name when the client sends none). Other schemes are left alone: a
    notebook cell (``vscode-notebook-cell:``) alone would lack the cells before it, and IPython
    syntax would read as syntax errors (cells come with their notebook, through notebook
    sync); a ``git:`` copy is not the user's code."""
    if not _is_local(uri) or is_notebook_text(uri):
        return False
    if language_id:
        return language_id == "python"
    return _document_path(uri).endswith(PYTHON_SUFFIXES)


def is_notebook_text(uri: str) -> bool:
    """An ``.ipynb`` file (or untitled buffer) opened as a text document: its JSON, whatever
    language the client calls it (``json``, ``jupyter``)."""
    return _is_local(uri) and _document_path(uri).endswith(NOTEBOOK_SUFFIX)


class CompileLintServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("compilelint", __version__, notebook_document_sync=NOTEBOOK_SYNC)
        self.keras_version: str | None = None
        self.documents: dict[str, LintedDocument] = {}  # uri -> the last lint of each open document (cells too)
        self.notebooks: dict[str, LintedNotebook] = {}  # notebook uri -> its last lint
        self.pending: dict[str, asyncio.TimerHandle] = {}
        self.pending_notebooks: dict[str, asyncio.TimerHandle] = {}
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
        notebook_text = is_notebook_text(uri)
        if not notebook_text and not is_python(uri, text_document.language_id):
            return  # a notebook's cells come with their notebook (notebookDocument sync)
        path = _document_path(uri)
        untitled = to_fs_path(uri) is None
        document = LintedDocument(uri, path, text_document.source, text_document.version)
        document.settings = self.settings_for(path, untitled)
        if document.settings is not None:
            source = self._notebook_text_source(document) if notebook_text else Source(text=document.text, path=path)
            if source is not None:
                document.diagnostics = self._lint_source(source, document.settings).diagnostics
        self.documents[uri] = document
        self.publish(document)

    def _notebook_text_source(self, document: LintedDocument) -> Source | None:
        """An .ipynb text document's notebook, and its layout on the record; None (logged)
        for JSON that is no notebook, as while it is being typed."""
        from compilelint.notebooks import notebook_source, read_notebook_json
        from compilelint.report.notebook_json import NotebookLayout

        try:
            source = notebook_source(read_notebook_json(document.text.encode("utf-8", "surrogatepass"), document.path), document.path)
            document.layout = NotebookLayout(document.text)
        except SourceError as error:
            self.window_log_message(types.LogMessageParams(types.MessageType.Info, f"compilelint: {error}"))
            return None
        return source

    def _lint_source(self, source: Source, settings: Settings) -> FileResult:
        result = lint_guarded(source, settings)
        for line in [*result.errors, *result.warnings]:
            self.window_log_message(types.LogMessageParams(types.MessageType.Warning, f"compilelint: {line}"))
        return result

    def publish(self, document: LintedDocument) -> None:
        lines = document.lines
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(
                uri=document.uri,
                version=document.version,
                diagnostics=[to_lsp(d, document.range_of(d, lines, self.encoding)) for d in document.diagnostics],
            )
        )

    def lint_notebook(self, uri: str) -> None:
        """Lint a notebook document's code cells together, as the CLI lints the .ipynb file,
        and publish each cell's diagnostics on the cell (none on a cell that has none)."""
        from compilelint.notebooks import notebook_source

        self.pending_notebooks.pop(uri, None)
        notebook = self.workspace.get_notebook_document(notebook_uri=uri)
        if notebook is None:
            return
        path = _document_path(uri)
        settings = self.settings_for(path, to_fs_path(uri) is None)
        cells, cell_types = [], []
        for cell in notebook.cells:
            # A cell the client never opened (the workspace would read it from disk) counts as empty.
            text_document = self.workspace.text_documents.get(unquote(cell.document))
            text = text_document.source if text_document is not None else ""
            python = cell.kind == types.NotebookCellKind.Code and text_document is not None and text_document.language_id == "python"
            cells.append(LintedDocument(cell.document, path, text, text_document and text_document.version, settings, notebook=uri))
            cell_types.append("code" if python else "markdown")
        linted = LintedNotebook(uri, path, notebook.version, settings, cells, cell_types)
        if settings is not None:
            result = self._lint_source(notebook_source(linted.as_json(), path), settings)
            for d in result.diagnostics:
                if d.cell is not None and 1 <= d.cell <= len(cells):
                    cells[d.cell - 1].diagnostics.append(d)
        previous = self.notebooks.get(uri)
        kept = {cell.uri for cell in cells}
        for gone in previous.cells if previous is not None else []:
            if gone.uri not in kept:  # a cell deleted since: its diagnostics go with it
                self.documents.pop(gone.uri, None)
                self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=gone.uri, diagnostics=[]))
        self.notebooks[uri] = linted
        for cell in cells:
            self.documents[cell.uri] = cell
            self.publish(cell)

    def lint_later(self, uri: str) -> None:
        if uri in self.pending:
            self.pending[uri].cancel()
        self.pending[uri] = asyncio.get_running_loop().call_later(DEBOUNCE_SECONDS, self.lint, uri)

    def lint_notebook_later(self, uri: str) -> None:
        if uri in self.pending_notebooks:
            self.pending_notebooks[uri].cancel()
        self.pending_notebooks[uri] = asyncio.get_running_loop().call_later(DEBOUNCE_SECONDS, self.lint_notebook, uri)

    def forget(self, uri: str) -> None:
        if uri in self.pending:
            self.pending.pop(uri).cancel()
        self.documents.pop(uri, None)
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    def forget_notebook(self, uri: str, cell_uris: list[str]) -> None:
        if uri in self.pending_notebooks:
            self.pending_notebooks.pop(uri).cancel()
        linted = self.notebooks.pop(uri, None)
        for cell_uri in {*cell_uris, *(cell.uri for cell in (linted.cells if linted else []))}:
            self.forget(cell_uri)

    def lint_everything(self) -> None:
        for uri, document in list(self.documents.items()):
            if document.notebook is None:
                self.lint(uri)
        for uri in list(self.notebooks):
            self.lint_notebook(uri)


def _excluded(path: str, settings: Settings) -> bool:
    """Whether ``exclude`` / ``extend-exclude`` name the file or a folder it is in, as a
    walk of the project would skip it."""
    from compilelint.discovery import ExcludeMatcher

    relative = relative_path(path, settings.root)
    return not os.path.isabs(relative) and ExcludeMatcher(settings).excluded(relative)


def to_lsp(d: Diagnostic, range_: types.Range) -> types.Diagnostic:
    from compilelint.docs import rule_help_uri
    from compilelint.registry import rules_by_code

    rule = rules_by_code().get(d.code)
    return types.Diagnostic(
        range=range_,
        message=d.message,
        severity=types.DiagnosticSeverity.Error if d.severity == "error" else types.DiagnosticSeverity.Warning,
        code=d.code,
        code_description=types.CodeDescription(href=rule_help_uri(rule)) if rule else None,
        source=SOURCE,
        data={"name": d.name},
    )


# -- code actions ----------------------------------------------------------------------------


def noqa_insertion(code: str, lines: list[str], line: int) -> Edit | None:
    """The insertion that adds ``code`` to the line's ``# noqa`` (1-based, code points);
    None when it cannot be added."""
    if not 1 <= line <= len(lines):
        return None
    insertion = noqa.noqa_insertion(lines[line - 1], [code])
    if insertion is None:
        return None
    at, new_text = insertion
    return Edit(Span(line, at + 1, line, at + 1), new_text)


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
        if document.notebook is not None:
            fix_all = notebook_fix_all_action(server.notebooks.get(document.notebook), encoding)
        else:
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
        lsp_diagnostic = to_lsp(d, document.range_of(d, lines, encoding))
        if asked:
            if not any(a.code == d.code and overlaps(a.range, lsp_diagnostic.range) for a in asked):
                continue
        elif not overlaps(params.range, lsp_diagnostic.range):
            continue
        edits = [document.text_edit(d, e, lines, encoding) for e in d.fix.edits] if d.fix is not None else []
        if edits and None not in edits:
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
        insertion = noqa_insertion(d.code, document.own_lines(d), d.span.line)
        edit = document.text_edit(d, insertion, lines, encoding) if insertion is not None else None
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
    from compilelint.fixes import FixError, fix_source_text

    if document.settings is None or not any(d.fix is not None for d in document.diagnostics):
        return None
    try:  # a Python text, or an .ipynb text document's JSON (its path says which)
        outcome = fix_source_text(document.text, document.path, document.settings)
    except FixError:  # a notebook whose JSON layout cannot be written back unchanged
        return None
    if not outcome.changed:
        return None
    edit = _replace_changed_lines(document.text, outcome.fixed, lines, encoding)
    return _fix_all(outcome.applied, {document.uri: [edit]})


def notebook_fix_all_action(notebook: LintedNotebook | None, encoding: str) -> types.CodeAction | None:
    """``source.fixAll`` in a notebook cell: every safe fix of the notebook, as ``check
    --fix`` applies them to the .ipynb file, each changed cell an edit of its own document."""
    from compilelint.fixes import fix_notebook

    if notebook is None or notebook.settings is None or not any(d.fix for cell in notebook.cells for d in cell.diagnostics):
        return None
    fixed = notebook.as_json()
    try:
        applied, _ = fix_notebook(fixed, notebook.path, notebook.settings)
    except Exception:  # noqa: BLE001 - an analysis crash: no action, never a failed request
        return None
    changes = {
        cell.uri: [_replace_changed_lines(cell.text, new["source"], cell.lines, encoding)]
        for cell, new in zip(notebook.cells, fixed["cells"])
        if new["source"] != cell.text
    }
    return _fix_all(applied, changes) if changes else None


def _fix_all(applied: int, changes: dict) -> types.CodeAction:
    return types.CodeAction(
        title=f"compilelint: fix all ({applied} fix{'es' if applied != 1 else ''})",
        kind=FIX_ALL_KIND,
        edit=types.WorkspaceEdit(changes=changes),
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

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_OPEN)
    def did_open_notebook(ls: CompileLintServer, params: types.DidOpenNotebookDocumentParams) -> None:
        ls.lint_notebook(params.notebook_document.uri)

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_CHANGE)
    def did_change_notebook(ls: CompileLintServer, params: types.DidChangeNotebookDocumentParams) -> None:
        ls.lint_notebook_later(params.notebook_document.uri)

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_SAVE)
    def did_save_notebook(ls: CompileLintServer, params: types.DidSaveNotebookDocumentParams) -> None:
        ls.lint_notebook(params.notebook_document.uri)

    @server.feature(types.NOTEBOOK_DOCUMENT_DID_CLOSE)
    def did_close_notebook(ls: CompileLintServer, params: types.DidCloseNotebookDocumentParams) -> None:
        ls.forget_notebook(params.notebook_document.uri, [cell.uri for cell in params.cell_text_documents])

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    def did_change_configuration(ls: CompileLintServer, params: types.DidChangeConfigurationParams) -> None:
        ls.keras_version = _keras_version_from(params.settings)
        ls.lint_everything()

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL_KIND]),
    )
    def code_action(ls: CompileLintServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        return code_actions(ls, params)

    return server


def serve() -> None:
    build_server().start_io()
