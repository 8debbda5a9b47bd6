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


def test_noqa_edit_extends_any_noqa_spelling_the_linter_accepts():
    from compilelint.lsp import noqa_edit

    assert noqa_edit("CL101", ["model.compile(x)"], 1).new_text == "  # noqa: CL101"
    spaced = noqa_edit("CL101", ["model.compile(x)  # noqa: CL201 CL202"], 1)
    assert (spaced.range.start.character, spaced.new_text) == (len("model.compile(x)  # noqa: CL201 CL202"), ", CL101")
    assert noqa_edit("CL101", ["model.compile(x)  # noqa"], 1) is None
