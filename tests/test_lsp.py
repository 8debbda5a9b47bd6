"""The language server, driven end to end by a real LSP client (pytest-lsp over stdio)."""

import sys
from pathlib import Path

import pytest

pytest.importorskip("pygls")
pytest_lsp = pytest.importorskip("pytest_lsp")

from lsprotocol import types  # noqa: E402
from pytest_lsp import ClientServerConfig, LanguageClient  # noqa: E402

REPO = Path(__file__).resolve().parent.parent

CODE = """import keras

model = keras.Sequential([keras.layers.Dense(1)])
model.compile(optimizer="adam", loss="mse", jit_compile=True, run_eagerly=True)
"""


@pytest_lsp.fixture(
    config=ClientServerConfig(
        server_command=[sys.executable, "-m", "compilelint", "server"],
        server_env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
    )
)
async def client(lsp_client: LanguageClient):
    await lsp_client.initialize_session(
        types.InitializeParams(capabilities=types.ClientCapabilities(), initialization_options={"keras-version": "2"})
    )
    yield
    await lsp_client.shutdown_session()


def open_document(client: LanguageClient, path: Path, text: str) -> str:
    path.write_text(text)
    uri = path.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text))
    )
    return uri


@pytest.mark.asyncio
async def test_open_publishes_diagnostics_and_offers_noqa(client: LanguageClient, tmp_path):
    uri = open_document(client, tmp_path / "train.py", CODE)
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    [diagnostic] = client.diagnostics[uri]
    assert diagnostic.code == "CL101" and diagnostic.source == "compilelint"
    assert "Keras 2 raises ValueError" in diagnostic.message  # keras-version from initializationOptions
    assert diagnostic.severity == types.DiagnosticSeverity.Error
    assert diagnostic.range.start == types.Position(line=3, character=44)

    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=diagnostic.range,
            context=types.CodeActionContext(diagnostics=[diagnostic]),
        )
    )
    noqa = next(a for a in actions if "noqa" in a.title)
    [edit] = noqa.edit.changes[uri]
    line = CODE.splitlines()[3]
    assert edit.range.start == types.Position(line=3, character=len(line)) and edit.new_text == "  # noqa: CL101"


@pytest.mark.asyncio
async def test_changes_are_linted_again_and_configuration_switches_keras(client: LanguageClient, tmp_path):
    uri = open_document(client, tmp_path / "train.py", CODE)
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    assert [d.code for d in client.diagnostics[uri]] == ["CL101"]

    fixed = CODE.replace(", run_eagerly=True", "")
    for version, text in ((2, CODE.replace("True)", "True )")), (3, fixed)):  # two quick edits: one lint
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
            )
        )
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    assert list(client.diagnostics[uri]) == []  # only the last text was linted (debounced)

    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=4),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=CODE)],
        )
    )
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    assert "Keras 2 raises" in client.diagnostics[uri][0].message
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"compilelint": {"keras-version": "3"}})
    )
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    assert "Keras 3 warns" in client.diagnostics[uri][0].message


@pytest.mark.asyncio
async def test_code_action_applies_the_rule_fix(client: LanguageClient, tmp_path):
    text = 'import keras\nopt = keras.optimizers.Adam(lr=0.01)\nmodel = keras.Sequential([keras.layers.Dense(1)])\nmodel.compile(optimizer=opt, loss="mse")\n'
    uri = open_document(client, tmp_path / "opt.py", text)
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings={"compilelint": {"keras-version": "3"}}))
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    [diagnostic] = [d for d in client.diagnostics[uri] if d.code == "CL401"]
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=diagnostic.range,
            context=types.CodeActionContext(diagnostics=[diagnostic]),
        )
    )
    fix = next(a for a in actions if a.is_preferred)
    [edit] = fix.edit.changes[uri]
    lines = text.splitlines(keepends=True)
    line = lines[edit.range.start.line]
    lines[edit.range.start.line] = line[: edit.range.start.character] + edit.new_text + line[edit.range.end.character :]
    assert lines[1] == "opt = keras.optimizers.Adam(learning_rate=0.01)\n"


def test_noqa_insertion_extends_any_noqa_spelling_the_linter_accepts():
    from compilelint.lsp import noqa_insertion

    assert noqa_insertion("CL101", ["model.compile(x)"], 1).text == "  # noqa: CL101"
    spaced = noqa_insertion("CL101", ["model.compile(x)  # noqa: CL201 CL202"], 1)
    assert (spaced.span.column - 1, spaced.text) == (len("model.compile(x)  # noqa: CL201 CL202"), ", CL101")
    assert noqa_insertion("CL101", ["model.compile(x)  # noqa"], 1) is None
    assert noqa_insertion("CL101", ["model.compile(x,  \\"], 1) is None  # a comment would end the continuation


# -- positions in the negotiated encoding, with text a byte count or UTF-16 would get wrong ---

UNICODE = (
    "import keras\n"
    'opt = keras.optimizers.Adam(name="ädam🙂", lr=0.1)\n'
    "model = keras.Sequential([keras.layers.Dense(1)])\n"
    'model.compile(optimizer=opt, loss="mse")  # 🙂🙂 run_eagerly\n'
)
ENCODINGS = {"utf-8": "utf-8", "utf-16": "utf-16-le", "utf-32": "utf-32-le"}


def client_units(text: str, encoding: str) -> int:
    width = {"utf-8": 1, "utf-16": 2, "utf-32": 4}[encoding]
    return len(text.encode(ENCODINGS[encoding])) // width


def offset(lines: list[str], position: types.Position, encoding: str) -> int:
    """A client position back to an index into the text joined from ``lines``."""
    line = lines[position.line] if position.line < len(lines) else ""
    index = 0
    while index < len(line) and client_units(line[:index], encoding) < position.character:
        index += 1
    assert client_units(line[:index], encoding) == position.character, "a position inside a character"
    return sum(len(text) for text in lines[: position.line]) + index


def apply(text: str, edits: list[types.TextEdit], encoding: str) -> str:
    lines = text.splitlines(keepends=True)
    spans = [(offset(lines, e.range.start, encoding), offset(lines, e.range.end, encoding), e.new_text) for e in edits]
    for start, end, new_text in sorted(spans, reverse=True):
        text = text[:start] + new_text + text[end:]
    return text


def encoding_client(encoding: str):
    @pytest_lsp.fixture(
        config=ClientServerConfig(
            server_command=[sys.executable, "-m", "compilelint", "server"],
            server_env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
        )
    )
    async def client(lsp_client: LanguageClient):
        capabilities = types.ClientCapabilities(general=types.GeneralClientCapabilities(position_encodings=[encoding]))
        result = await lsp_client.initialize_session(
            types.InitializeParams(capabilities=capabilities, initialization_options={"keras-version": "3"})
        )
        assert result.capabilities.position_encoding == encoding
        yield
        await lsp_client.shutdown_session()

    return client


utf8_client, utf16_client, utf32_client = (encoding_client(e) for e in ("utf-8", "utf-16", "utf-32"))


@pytest.fixture(params=["utf-8", "utf-16", "utf-32"])
def encoded(request):
    name = {"utf-8": "utf8_client", "utf-16": "utf16_client", "utf-32": "utf32_client"}[request.param]
    return request.getfixturevalue(name), request.param


def code_action_params(uri, range_, diagnostics, only=None):
    return types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        range=range_,
        context=types.CodeActionContext(diagnostics=diagnostics, only=only),
    )


@pytest.mark.asyncio
async def test_ranges_and_the_lr_fix_count_in_the_negotiated_encoding(encoded, tmp_path):
    client, encoding = encoded
    uri = open_document(client, tmp_path / "opt.py", UNICODE)
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    [diagnostic] = [d for d in client.diagnostics[uri] if d.code == "CL401"]
    line = UNICODE.splitlines()[1]
    assert diagnostic.range.start == types.Position(line=1, character=client_units(line[: line.index("lr=")], encoding))

    # A client's copy of the diagnostic may differ in range (it keeps it across edits): codes and overlap match.
    shorter = types.Range(start=diagnostic.range.start, end=types.Position(line=1, character=diagnostic.range.start.character + 1))
    moved = types.Diagnostic(range=shorter, message=diagnostic.message, code=diagnostic.code, source=diagnostic.source)
    actions = await client.text_document_code_action_async(code_action_params(uri, moved.range, [moved]))
    fix = next(a for a in actions if a.is_preferred)
    assert apply(UNICODE, fix.edit.changes[uri], encoding).splitlines()[1] == 'opt = keras.optimizers.Adam(name="ädam🙂", learning_rate=0.1)'
    noqa = next(a for a in actions if "noqa" in a.title)
    assert apply(UNICODE, noqa.edit.changes[uri], encoding).splitlines()[1].endswith("lr=0.1)  # noqa: CL401")

    # A cursor on the line and no diagnostics in the context still finds it.
    cursor = types.Range(start=diagnostic.range.end, end=diagnostic.range.end)
    assert any(a.is_preferred for a in await client.text_document_code_action_async(code_action_params(uri, cursor, [])))


@pytest.mark.asyncio
async def test_source_fix_all_applies_every_safe_fix(utf8_client: LanguageClient, tmp_path):
    text = UNICODE + 'model.compile(optimizer=keras.optimizers.SGD(lr=1), loss="mse", metrics="mae")'  # no final newline
    uri = open_document(utf8_client, tmp_path / "opt.py", text)
    await utf8_client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    everything = types.Range(start=types.Position(line=0, character=0), end=types.Position(line=5, character=0))
    actions = await utf8_client.text_document_code_action_async(code_action_params(uri, everything, [], only=[types.CodeActionKind.SourceFixAll]))
    [fix_all] = actions
    assert fix_all.kind == "source.fixAll.compilelint"
    fixed = apply(text, fix_all.edit.changes[uri], "utf-8")
    assert fixed == text.replace("lr=", "learning_rate=").replace('metrics="mae"', 'metrics=["mae"]')
    quick = await utf8_client.text_document_code_action_async(code_action_params(uri, everything, [], only=[types.CodeActionKind.QuickFix]))
    assert quick and all(a.kind == types.CodeActionKind.QuickFix for a in quick)


@pytest.mark.asyncio
async def test_untitled_buffers_are_linted(client: LanguageClient):
    uri = "untitled:Untitled-1"
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(uri=uri, language_id="python", version=1, text=CODE))
    )
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    assert [d.code for d in client.diagnostics[uri]] == ["CL101"]


def test_only_files_and_untitled_buffers_are_linted_as_python_documents():
    from compilelint.lsp import is_python

    assert is_python("file:///w/train.py", None) and is_python("file:///w/script", "python")
    assert is_python("untitled:Untitled-1", "python") and not is_python("untitled:Untitled-2", "markdown")
    assert not is_python("vscode-notebook-cell:/w/nb.ipynb#W0sZmlsZQ%3D%3D", "python")  # a cell alone lacks the cells before it
    assert not is_python("file:///w/nb.ipynb", None)


@pytest.mark.asyncio
async def test_excluded_files_get_no_diagnostics_and_each_file_its_own_config(client: LanguageClient, tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.compilelint]\nextend-exclude = ["generated"]\n')
    (tmp_path / "generated").mkdir()
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "pyproject.toml").write_text('[tool.compilelint]\nignore = ["CL101"]\nextend-select = ["CL109"]\n')
    excluded = open_document(client, tmp_path / "generated" / "model.py", CODE)
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    assert list(client.diagnostics[excluded]) == []
    nested = open_document(client, tmp_path / "sub" / "train.py", CODE)
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    assert [d.code for d in client.diagnostics[nested]] == ["CL109"]  # the CLI gives the same
    import subprocess

    cli = subprocess.run([sys.executable, "-m", "compilelint", "check", "--no-cache", "--keras-version", "2", "."], cwd=tmp_path, capture_output=True, text=True)
    assert [line.split(": ", 1)[1].split()[0] for line in cli.stdout.splitlines() if ": CL" in line] == ["CL109"]
