"""The language server on notebooks, driven by a real LSP client (pytest-lsp over stdio):
LSP 3.17 notebook sync (the cells linted together, each cell's diagnostics and code actions
on its own document) and an .ipynb file opened as a text document (its JSON)."""

import asyncio
import json
import sys
from pathlib import Path

import pytest

pytest.importorskip("pygls")
pytest_lsp = pytest.importorskip("pytest_lsp")

from lsprotocol import types  # noqa: E402
from pytest_lsp import ClientServerConfig, LanguageClient  # noqa: E402

from test_lsp import apply, client_units  # noqa: E402
from conftest import REPO


SETUP = "%pip install -q keras\n!nvidia-smi\nimport keras\nfrom keras.optimizers import Adam\n"
TWO_HEADS = (
    "inputs = keras.Input((4,))\n"
    "heads = [keras.layers.Dense(1, name='price')(inputs), keras.layers.Dense(1, name='volume')(inputs)]\n"
    "model = keras.Model(inputs, heads)\n"
)
ONE_HEAD = "model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])\n"
# Non-ASCII before each finding: a UTF-16 or byte count would misplace the ranges.
COMPILE = (
    '%time x = 1\n'
    'opt = Adam(name="ädam🙂", lr=0.01)\n'
    'model.compile(optimizer=opt, loss=["mse"])  # 🙂 one loss\n'
)


@pytest_lsp.fixture(
    config=ClientServerConfig(
        server_command=[sys.executable, "-m", "compilelint", "server"],
        server_env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
    )
)
async def client(lsp_client: LanguageClient):
    capabilities = types.ClientCapabilities(
        general=types.GeneralClientCapabilities(position_encodings=["utf-8"]),
        notebook_document=types.NotebookDocumentClientCapabilities(synchronization=types.NotebookDocumentSyncClientCapabilities()),
    )
    result = await lsp_client.initialize_session(
        types.InitializeParams(capabilities=capabilities, initialization_options={"keras-version": "3"})
    )
    assert result.capabilities.position_encoding == "utf-8"
    [selector] = result.capabilities.notebook_document_sync.notebook_selector
    assert selector.notebook == "jupyter-notebook" and [c.language for c in selector.cells] == ["python"]
    yield
    await lsp_client.shutdown_session()


async def diagnostics_of(client: LanguageClient, uri: str) -> list[types.Diagnostic]:
    """The diagnostics published for ``uri`` (waiting for them; a cell's come in order)."""

    async def published():
        while uri not in client.diagnostics:
            await asyncio.sleep(0.02)

    await asyncio.wait_for(published(), 60)
    return list(client.diagnostics[uri])


def cell_uri(notebook: Path, index: int) -> str:
    return f"vscode-notebook-cell:{notebook}#W{index}sZmlsZQ%3D%3D"


def open_notebook(client: LanguageClient, path: Path, cells: list[tuple[str, str]]) -> list[str]:
    """Open a notebook of (kind, text) cells, kind "code" or "markdown"; the cells' URIs."""
    uris = [cell_uri(path, i) for i in range(len(cells))]
    client.notebook_document_did_open(
        types.DidOpenNotebookDocumentParams(
            notebook_document=types.NotebookDocument(
                uri=path.as_uri(),
                notebook_type="jupyter-notebook",
                version=1,
                cells=[
                    types.NotebookCell(kind=types.NotebookCellKind.Code if kind == "code" else types.NotebookCellKind.Markup, document=uri)
                    for uri, (kind, _) in zip(uris, cells)
                ],
            ),
            cell_text_documents=[
                types.TextDocumentItem(uri=uri, language_id="python" if kind == "code" else "markdown", version=1, text=text)
                for uri, (kind, text) in zip(uris, cells)
            ],
        )
    )
    return uris


def change_cell(client: LanguageClient, path: Path, version: int, uri: str, text: str) -> None:
    client.notebook_document_did_change(
        types.DidChangeNotebookDocumentParams(
            notebook_document=types.VersionedNotebookDocumentIdentifier(uri=path.as_uri(), version=version),
            change=types.NotebookDocumentChangeEvent(
                cells=types.NotebookDocumentCellChanges(
                    text_content=[
                        types.NotebookDocumentCellContentChanges(
                            document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                            changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
                        )
                    ]
                )
            ),
        )
    )


def actions_for(client: LanguageClient, uri: str, diagnostic: types.Diagnostic, only=None):
    return client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=diagnostic.range,
            context=types.CodeActionContext(diagnostics=[diagnostic], only=only),
        )
    )


@pytest.mark.asyncio
async def test_a_notebook_is_linted_as_one_module_with_diagnostics_on_each_cell(client: LanguageClient, tmp_path):
    path = tmp_path / "train.ipynb"
    markdown, setup, heads, compiled = open_notebook(
        client, path, [("markdown", "# Training\nAdam(lr=1)\n"), ("code", SETUP), ("code", TWO_HEADS), ("code", COMPILE)]
    )
    found = await diagnostics_of(client, compiled)
    assert sorted(d.code for d in found) == ["CL201", "CL401"]  # CL201: the model of an earlier cell has two outputs
    assert await diagnostics_of(client, setup) == [] and await diagnostics_of(client, heads) == []  # IPython lines: no CL001
    assert await diagnostics_of(client, markdown) == []
    lr = next(d for d in found if d.code == "CL401")
    line = COMPILE.splitlines()[1]
    assert lr.range.start == types.Position(line=1, character=client_units(line[: line.index("lr=")], "utf-8"))
    loss = next(d for d in found if d.code == "CL201")
    assert loss.range.start.line == 2

    # The fix and the noqa comment apply to the cell's own text, in its own positions.
    actions = await actions_for(client, compiled, lr)
    fix = next(a for a in actions if a.is_preferred)
    assert list(fix.edit.changes) == [compiled]
    assert apply(COMPILE, fix.edit.changes[compiled], "utf-8").splitlines()[1] == 'opt = Adam(name="ädam🙂", learning_rate=0.01)'
    noqa = next(a for a in await actions_for(client, compiled, loss) if "noqa" in a.title)
    assert apply(COMPILE, noqa.edit.changes[compiled], "utf-8").splitlines()[2].endswith("# 🙂 one loss  # noqa: CL201")

    # An edit in another cell changes this cell's diagnostics: the cells are one program.
    client.diagnostics.clear()
    change_cell(client, path, 2, heads, ONE_HEAD)
    assert [d.code for d in await diagnostics_of(client, compiled)] == ["CL401"]

    # source.fixAll fixes the notebook, each changed cell an edit of its own document.
    client.diagnostics.clear()
    change_cell(client, path, 3, compiled, COMPILE.replace("opt =", "opt2 = Adam(lr=1)\nopt =", 1))
    [first, second] = await diagnostics_of(client, compiled)
    [fix_all] = await actions_for(client, compiled, first, only=[types.CodeActionKind.SourceFixAll])
    assert list(fix_all.edit.changes) == [compiled] and "2 fixes" in fix_all.title
    fixed = apply(COMPILE.replace("opt =", "opt2 = Adam(lr=1)\nopt =", 1), fix_all.edit.changes[compiled], "utf-8")
    assert "lr=" not in fixed and fixed.count("learning_rate=") == 2


@pytest.mark.asyncio
async def test_cells_that_go_take_their_diagnostics_and_closing_clears_the_rest(client: LanguageClient, tmp_path):
    path = tmp_path / "nb.ipynb"
    setup, compiled = open_notebook(client, path, [("code", SETUP + ONE_HEAD), ("code", COMPILE)])
    assert [d.code for d in await diagnostics_of(client, compiled)] == ["CL401"]
    client.diagnostics.clear()
    client.notebook_document_did_change(
        types.DidChangeNotebookDocumentParams(
            notebook_document=types.VersionedNotebookDocumentIdentifier(uri=path.as_uri(), version=2),
            change=types.NotebookDocumentChangeEvent(
                cells=types.NotebookDocumentCellChanges(
                    structure=types.NotebookDocumentCellChangeStructure(
                        array=types.NotebookCellArrayChange(start=1, delete_count=1),
                        did_close=[types.TextDocumentIdentifier(uri=compiled)],
                    )
                )
            ),
        )
    )
    assert await diagnostics_of(client, compiled) == []
    assert await diagnostics_of(client, setup) == []

    _, again = open_notebook(client, tmp_path / "other.ipynb", [("code", SETUP + ONE_HEAD), ("code", COMPILE)])
    assert await diagnostics_of(client, again)
    client.diagnostics.clear()
    client.notebook_document_did_close(
        types.DidCloseNotebookDocumentParams(
            notebook_document=types.NotebookDocumentIdentifier(uri=(tmp_path / "other.ipynb").as_uri()),
            cell_text_documents=[types.TextDocumentIdentifier(uri=cell_uri(tmp_path / "other.ipynb", i)) for i in range(2)],
        )
    )
    assert await diagnostics_of(client, again) == []


# -- an .ipynb file opened as text: ranges and edits in its JSON -------------------------------


METRICS = 'opt = Adam(name="ädam🙂", lr=0.01)\nmodel.compile(optimizer=opt, loss="mse", metrics="mae")\n'


def notebook_json(indent) -> str:
    notebook = {
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": ['Tränïng "quoted"\t\n', "é"]},
            {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": SETUP.splitlines(keepends=True)},
            {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": (ONE_HEAD + METRICS).splitlines(keepends=True)},
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(notebook, indent=indent, ensure_ascii=indent is None) + "\n"


@pytest.mark.asyncio
@pytest.mark.parametrize("indent", [1, None], ids=["indented", "minified"])
async def test_an_ipynb_text_document_gets_json_positions_and_edits(client: LanguageClient, tmp_path, indent):
    text = notebook_json(indent)
    path = tmp_path / "train.ipynb"
    path.write_text(text, encoding="utf-8")
    uri = path.as_uri()
    client.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(uri=uri, language_id="json", version=1, text=text)))
    [lr] = [d for d in await diagnostics_of(client, uri) if d.code == "CL401"]
    lines = text.splitlines(keepends=True)
    json_line = lines[lr.range.start.line]
    start = len(json_line.encode("utf-8")[: lr.range.start.character].decode("utf-8"))
    end = len(json_line.encode("utf-8")[: lr.range.end.character].decode("utf-8"))
    assert json_line[start:end] == "lr=0.01"

    fix = next(a for a in await actions_for(client, uri, lr) if a.is_preferred)
    fixed = json.loads(apply(text, fix.edit.changes[uri], "utf-8"))
    assert 'opt = Adam(name="ädam🙂", learning_rate=0.01)\n' in fixed["cells"][2]["source"]
    [metrics] = [d for d in client.diagnostics[uri] if d.code == "CL304"]
    wrap = next(a for a in await actions_for(client, uri, metrics) if a.is_preferred)  # quotes in the new text: escaped
    wrapped = json.loads(apply(text, wrap.edit.changes[uri], "utf-8"))
    assert "".join(wrapped["cells"][2]["source"]) == ONE_HEAD + METRICS.replace('"mae"', '["mae"]')
    [fix_all] = await actions_for(client, uri, lr, only=[types.CodeActionKind.SourceFixAll])
    everything = apply(text, fix_all.edit.changes[uri], "utf-8")
    assert everything == text.replace("lr=", "learning_rate=").replace('metrics=\\"mae\\"', 'metrics=[\\"mae\\"]')  # the layout kept
    noqa = next(a for a in await actions_for(client, uri, lr) if "noqa" in a.title)
    commented = json.loads(apply(text, noqa.edit.changes[uri], "utf-8"))
    assert 'opt = Adam(name="ädam🙂", lr=0.01)  # noqa: CL401\n' in commented["cells"][2]["source"]

    # Half-typed JSON is no notebook: no diagnostics, no error.
    client.diagnostics.clear()
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text[: len(text) // 2])],
        )
    )
    assert await diagnostics_of(client, uri) == []
