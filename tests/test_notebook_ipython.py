"""Notebook cells read as IPython runs them, in the shapes real notebooks have.

The verdicts below (does IPython accept the cell?) were checked against IPython 9.18 with
ipykernel's shell: ``shell.transform_cell(cell)`` and then a compile of the result, the cell
magics' bodies as the magics read them. Every notebook here is written for this test, in the
shapes seen in tensorflow/docs, keras-io and Google's training-data-analyst courses.
"""

import json

import pytest

import compilelint.notebooks as notebooks
from compilelint.config import default_settings
from compilelint.fixes import fix_notebook_text
from compilelint.notebooks import cell_parses, load_notebook, transform_cell
from compilelint.report.notebook_json import json_source_lines

from test_notebooks import lint_notebook, notebook_bytes

SETUP = "import keras\nmodel = keras.Sequential([keras.layers.Dense(1)])\n"
EAGER = "model.compile(optimizer='adam', loss='mse', run_eagerly=True)\n"

# (cell, whether IPython runs it without a SyntaxError)
IPYTHON_VERDICTS = [
    # automagic: a cell of one line that starts with a line magic's name
    ("ls ./data/", True),
    ("ls ./data/\n", True),
    ("  ls ./data/", True),
    ("\n\nls -la ../data", True),
    ("pip install --upgrade scikit-learn", True),
    ("pip freeze | grep kfp || pip install kfp", True),
    ("conda install graphviz", True),
    ("ls $PIPELINE_TAR", True),
    ("cd ..", True),
    ("time model.fit(x)", True),
    # ... only then: not with a second line, and not for names that are Python here
    ("ls ./data/\n\n", False),
    ("# list the data\nls ./data/", False),
    ("pip install datasets\npip install nltk", False),
    ("tensorboard --logdir logs", False),  # no such magic until %load_ext tensorboard
    ("print ls", False),
    ("ls = 3", True),
    ("cd(x)", True),
    ("time.sleep(1)", True),
    # the indent every line shares is removed
    (" x = 1\n y = 2", True),
    (" for x in xs:\n   print(x)", True),
    ("\tx = 1\n\ty = 2", True),
    ("  a = 1\n  \n  b = 2\n", True),
    (" a = 1\n\tb = 2", False),  # a space and a tab share nothing
    ("  a = '''\nx'''\n", False),  # the string's second line has no indent
    ("if x:\n  y = 1\n else:\n  y = 2", False),
    # escapes where a statement starts, and their assignments
    ("!pip install -q keras\nimport keras", True),
    ("!ls \\\n  -l\ny = 1", True),
    ("if gpu:\n    !nvidia-smi\n", True),
    ("%matplotlib inline\nimport keras", True),
    ("files = !ls\nx = %env HOME\nd['k'] = !ls\na, b = !ls", True),
    ("x = [\n  !ls\n]", False),
    ("f(a=!ls)", False),
    ("x += !ls", False),
    ("x == !y", False),
    ("/f a b\n,f a b\n;f a b", True),
    # help
    ("keras.Model.fit?", True),
    ("??keras.Model\nx = 1", True),
    ("obj.attr[0]?", True),
    ("x = y if z else w?", True),
    ("%pip install x?", True),
    ("x = 1?", False),
    ("print(a)?", False),
    ("x ? # why", False),
    ("print('a?')\n# b?", True),
    # %time / %timeit: the code is compiled on its own when the magic runs
    ("%time x = f()", True),
    ("%timeit -n 10 -r 2 f()", True),
    ("%time for i in range(3): pass", True),
    ("%time x = (", True),
    ("%time f(\n  x)", False),
    ("%timeit x = [1,\n 2]", False),
    ("for i in y:\n    !echo $i\n    %time f(i)\n", True),
    # cell magics
    ("%%time\nx = 1", True),
    ("\n\n  %%time\n  x = 1\n", True),
    ("%%time\n  x = 1\n  y = 2", True),
    ("%%capture out\nls ./data", True),
    ("%%capture\npip install a\npip install b", False),
    ("%%time\nx = (", False),
    ("print(1)\n%%time\nx", True),  # not first: a line magic named '%time'
    ("  \n %%bash\necho", False),  # not a cell magic (the indent is not shared); echo is Python
    ("%%writefile trainer/model.py\nimport keras\n", True),
    ("%%file trainer/model.py\ndef f(:\n", False),
    # strings, brackets and continuations are not where a statement starts
    ("s = '''\n%not a magic\n'''", True),
    ("x = (1\n  % 2)", True),
    ("s = 'a' \\\n  '!b'", True),
    ("async def f():\n    await x\n%time await f()", True),
    ("x\u00a0= 1", False),
]


@pytest.mark.parametrize("cell, accepted", IPYTHON_VERDICTS)
def test_a_cell_parses_exactly_when_ipython_runs_it(cell, accepted):
    assert cell_parses(cell) is accepted


def test_lines_never_move_and_the_time_code_keeps_its_columns():
    cell = "%time model.fit(x)\n!ls \\\n  -l\nif x:\n    %timeit -n 3 f()\n"
    assert transform_cell(cell).lines == ("pass; model.fit(x)", "", "", "if x:", "    pass;        f()")


def flagged(cell_text: str, diagnostic) -> str:
    line = cell_text.split("\n")[diagnostic.span.line - 1]
    return line[diagnostic.span.column - 1 : diagnostic.span.end_column - 1]


# -- positions are the original cell's ----------------------------------------------------------


def test_a_cell_indented_by_one_space_is_linted_at_its_own_columns():
    # tensorflow/docs: cells pasted with one leading space on every line
    indented = " for lr in [0.1]:\n   model.compile(optimizer='adam', loss='mse', run_eagerly=True)\n"
    [diagnostic] = lint_notebook(notebook_bytes(SETUP, indented))
    assert (diagnostic.code, diagnostic.cell, diagnostic.span.line) == ("CL109", 2, 2)
    assert flagged(indented, diagnostic) == "run_eagerly=True"


def test_time_line_magic_code_is_checked_at_its_columns():
    cell = "%time model.compile(optimizer=keras.optimizers.Adam(lr=0.1), loss='mse')\n"
    [diagnostic] = lint_notebook(notebook_bytes(SETUP, cell))
    assert (diagnostic.code, diagnostic.cell, diagnostic.span.line) == ("CL401", 2, 1)
    assert flagged(cell, diagnostic) == "lr=0.1"


def test_time_code_that_does_not_parse_alone_is_not_a_broken_cell():
    cell = "%time model.compile(loss='mse',\n    run_eagerly=True)\n"  # IPython: the second line is a SyntaxError
    [diagnostic] = lint_notebook(notebook_bytes(SETUP, cell))
    assert (diagnostic.code, diagnostic.cell) == ("CL001", 2)
    assert lint_notebook(notebook_bytes(SETUP, "%time for i in range(2): model.compile(loss='mse', run_eagerly=True)\n")) == []


# -- no CL001 on cells IPython runs --------------------------------------------------------------


def test_training_data_analyst_setup_cells_are_magics():
    data = notebook_bytes(
        "pip freeze | grep kfp || pip install kfp",
        "conda install graphviz",
        "ls ./data/",
        "ls -la ../data",
        "ls $PIPELINE_TAR",
        "  ls ./data/train/",
        SETUP,
        EAGER,
    )
    assert [(d.code, d.cell) for d in lint_notebook(data)] == [("CL109", 8)]


def test_automagic_lines_that_hold_a_compile_call_are_still_checked():
    # A one-line cell that starts with a magic's name but is Python stays Python.
    data = notebook_bytes(SETUP, "time = model.compile(optimizer='adam', loss='mse', run_eagerly=True)")
    assert [(d.code, d.cell) for d in lint_notebook(data)] == [("CL109", 2)]


def test_keras_io_shell_block_without_escapes_is_skipped_silently():
    # IPython refuses it (automagic is for one-line cells), but no compile() call needs it.
    pip = "pip install datasets\npip install huggingface-hub\npip install nltk"
    assert [(d.code, d.cell) for d in lint_notebook(notebook_bytes(pip, SETUP, EAGER))] == [("CL109", 3)]
    # twin: the same block in the cell that compiles is a real syntax error
    [diagnostic] = lint_notebook(notebook_bytes(SETUP, pip + "\n" + EAGER))
    assert (diagnostic.code, diagnostic.cell, diagnostic.span.line) == ("CL001", 2, 1)


def test_non_breaking_space_in_a_compile_cell_stays_a_syntax_error():
    cell = "model.compile(optimizer='rmsprop',\u00a0loss='mse')\n"
    [diagnostic] = lint_notebook(notebook_bytes(SETUP, cell))
    assert diagnostic.code == "CL001" and "U+00A0" in diagnostic.message


def test_a_lab_placeholder_is_reported_where_the_compiled_model_comes_from():
    data = notebook_bytes(
        "import keras\n",
        "# TODO 1\nmodel = # TODO: define the model\n",
        "plot_data = # TODO: plot it\n",
        "model.compile(optimizer='adam', loss='mse')\n",
    )
    [diagnostic] = lint_notebook(data)
    assert (diagnostic.code, diagnostic.cell, diagnostic.span.line) == ("CL001", 2, 2)


def test_a_placeholder_for_the_loss_the_compile_call_reads_is_reported():
    data = notebook_bytes(SETUP, "loss_fn = # TODO 2\n", "history = # TODO 3\n", "model.compile(optimizer='adam', loss=loss_fn)\n")
    assert [(d.code, d.cell) for d in lint_notebook(data)] == [("CL001", 2)]


# -- %%writefile cells are the modules they write ------------------------------------------------

TRAINER = (
    "import keras\n"
    "\n"
    "def build(units):\n"
    "    model = keras.Sequential([keras.layers.Dense(units, activation='softmax')])\n"
    "    model.compile(optimizer=keras.optimizers.RMSprop(lr=0.01), loss='categorical_crossentropy')\n"
    "    return model\n"
)


def test_a_written_module_is_linted_with_positions_in_its_cell():
    cell = "%%writefile trainer/model.py\n" + TRAINER
    [diagnostic] = lint_notebook(notebook_bytes("!mkdir -p trainer", cell, "!python -m trainer.task"), keras="2,3")
    assert (diagnostic.code, diagnostic.cell, diagnostic.span.line) == ("CL401", 2, 6)
    assert flagged(cell, diagnostic) == "lr=0.01"


@pytest.mark.parametrize("magic", ["%%writefile trainer/model.yaml", "%%bash", "%%html", "%%writefile"])
def test_cells_whose_body_is_not_a_python_module_are_skipped(magic):
    assert lint_notebook(notebook_bytes(magic + "\n" + TRAINER + "model.compile(optimizer='sgd', run_eagerly=True\n")) == []


def test_the_written_file_name_may_come_from_a_variable():
    named = notebook_bytes("_trainer_module_file = 'penguin_trainer.py'\n", "%%writefile {_trainer_module_file}\n" + TRAINER)
    assert [(d.code, d.cell, d.span.line) for d in lint_notebook(named)] == [("CL401", 2, 6)]
    unknown = notebook_bytes("_trainer_module_file = os.path.join(root, 'trainer')\n", "%%writefile {_trainer_module_file}\n" + TRAINER)
    assert lint_notebook(unknown) == []


def test_an_appended_cell_continues_the_module_it_appends_to():
    head = "%%writefile task.py\nimport keras\ninputs = keras.Input((3,))\nmodel = keras.Model(inputs, [keras.layers.Dense(1)(inputs), keras.layers.Dense(1)(inputs)])\n"
    appended = "%%writefile -a task.py\nmodel.compile(optimizer='adam', loss=['mse', 'mse', 'mse'])\n"
    assert [(d.code, d.cell, d.span.line) for d in lint_notebook(notebook_bytes(head, appended))] == [("CL201", 2, 2)]
    # twin: without -a the file is written anew, and its model is unknown
    rewritten = appended.replace(" -a", "")
    assert lint_notebook(notebook_bytes(head, rewritten)) == []


def test_names_do_not_flow_between_the_notebook_and_a_written_module():
    notebook_model = "import keras\ninputs = keras.Input((3,))\nmodel = keras.Model(inputs, keras.layers.Dense(1)(inputs))\n"
    file_compile = "%%writefile train.py\nfrom trainer.model import create_model\nmodel = create_model()\nmodel.compile(optimizer='adam', loss=['mse', 'mse'])\n"
    assert lint_notebook(notebook_bytes(notebook_model, file_compile)) == []
    # twin: the same compile call in a notebook cell reads the notebook's model
    cell_compile = "model.compile(optimizer='adam', loss=['mse', 'mse'])\n"
    assert [d.code for d in lint_notebook(notebook_bytes(notebook_model, cell_compile))] == ["CL201"]


def test_a_written_module_keeps_an_indent_the_magic_line_does_not_share():
    cell = "%%writefile trainer/model.py\n import keras\n model.compile(loss='mse')\n"  # the file IPython writes is indented
    [diagnostic] = lint_notebook(notebook_bytes(cell))
    assert (diagnostic.code, diagnostic.cell, diagnostic.span.line) == ("CL001", 1, 2)


def test_a_written_module_that_does_not_parse_is_reported_when_it_holds_a_compile_call():
    broken = "%%writefile trainer/model.py\nimport keras\nhp_metric = # TODO: your code here\nmodel.compile(loss='mse')\n"
    [diagnostic] = lint_notebook(notebook_bytes(broken))
    assert (diagnostic.code, diagnostic.cell, diagnostic.span.line, diagnostic.span.column) == ("CL001", 1, 3, 13)
    assert lint_notebook(notebook_bytes("%%writefile trainer/util.py\nx = # TODO\n")) == []


def test_noqa_in_a_written_module_and_file_exemption_of_the_notebook():
    cell = "%%writefile trainer/model.py\n" + TRAINER.replace("loss='categorical_crossentropy')", "loss='categorical_crossentropy')  # noqa: CL401")
    assert lint_notebook(notebook_bytes(cell)) == []
    assert lint_notebook(notebook_bytes("# compilelint: noqa\nimport os\n", "%%writefile trainer/model.py\n" + TRAINER)) == []


# -- fixes: only where the cell's own text is what was linted ------------------------------------


def notebook_text(*cells: str) -> str:
    return json.dumps(
        {
            "cells": [{"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": c.splitlines(keepends=True)} for c in cells],
            "metadata": {},
            "nbformat": 4,
            "nbformat_minor": 5,
        },
        indent=1,
    ) + "\n"


def fixed_cells(text: str) -> list[str]:
    fixed, _, _ = fix_notebook_text(text, "nb.ipynb", default_settings(keras_version="3", select=["ALL"]))
    return ["".join(cell["source"]) for cell in json.loads(fixed)["cells"]]


def test_a_fix_in_a_written_module_is_applied_to_its_cell():
    cell = "%%writefile trainer/model.py\n" + TRAINER
    assert fixed_cells(notebook_text(cell)) == [cell.replace("RMSprop(lr=0.01)", "RMSprop(learning_rate=0.01)")]


@pytest.mark.parametrize(
    "cell",
    [
        " model.compile(optimizer=keras.optimizers.Adam(lr=0.1), loss='mse')\n",  # a removed indent
        "%time model.compile(optimizer=keras.optimizers.Adam(lr=0.1), loss='mse')\n",  # a magic line
        " %%writefile trainer/model.py\n " + TRAINER.replace("\n", "\n ").rstrip(" "),  # a written module with a removed indent
    ],
)
def test_no_fix_edits_a_line_ipython_rewrites(cell):
    diagnostics = lint_notebook(notebook_bytes(SETUP, cell))
    assert [d.code for d in diagnostics] == ["CL401"] and diagnostics[0].fix is None
    assert fixed_cells(notebook_text(SETUP, cell)) == [SETUP, cell]


def test_a_fix_beside_magics_still_applies():
    cell = "%matplotlib inline\nmodel.compile(optimizer=keras.optimizers.Adam(lr=0.1), loss='mse')\n!echo done\n"
    assert fixed_cells(notebook_text(SETUP, cell))[1] == cell.replace("Adam(lr=0.1)", "Adam(learning_rate=0.1)")


# -- cost ---------------------------------------------------------------------------------------


def test_a_notebook_without_compile_calls_is_never_parsed(monkeypatch):
    def refuse(body):
        raise AssertionError("parsed a cell")

    monkeypatch.setattr(notebooks, "_compile_cell", refuse)
    source = load_notebook(notebook_bytes("ls ./data", "%time f(x)", "x = # TODO\n", "%%writefile a.py\ny = (\n"), "nb.ipynb")
    assert source.syntax_errors == [] and [m.syntax_errors for m in source.modules] == [[]]


# -- where each source line is written in the .ipynb text ----------------------------------------

CELL_SOURCES = [
    "import keras\nmodel.compile(loss='mse')\n",
    'print("tab\\there \\u00e9 \u00e9 \U0001f600 \\\\ / \\"q\\"")\n\nend',
    "",
    "x = 1\r\ny = 2",
]


def layouts():
    cells = [{"cell_type": "code", "metadata": {}, "outputs": [], "source": CELL_SOURCES[0].splitlines(keepends=True)},
             {"cell_type": "markdown", "metadata": {}, "source": CELL_SOURCES[1]},
             {"source": [], "cell_type": "code", "metadata": {}, "outputs": []},
             {"cell_type": "code", "source": ["x = 1\r\n", "y ", "= 2"], "metadata": {}}]
    notebook = {"metadata": {"a": [1, {"b": None}]}, "nbformat": 4, "nbformat_minor": 5, "cells": cells}
    for indent in (None, 1, 2, 4):
        for ensure_ascii in (True, False):
            yield json.dumps(notebook, indent=indent, ensure_ascii=ensure_ascii)
    yield "\ufeff" + json.dumps(notebook, indent=1)
    yield json.dumps(notebook, indent="\t", separators=(" , ", " : "))


def json_offset(text: str, line: int, column: int) -> int:
    starts = [0] + [i + 1 for i, char in enumerate(text) if char == "\n"]
    bom = 1 if text.startswith("\ufeff") and line == 1 else 0
    return starts[line - 1] + column - 1 + bom


def decoded_at(text: str, offset: int) -> str:
    """The character the JSON string token has at ``offset`` (one plain character or an escape)."""
    if text[offset] != "\\":
        return text[offset]
    if text[offset + 1] == "u":
        escape = text[offset : offset + 12] if text[offset + 2] in "dD" and text[offset + 3] in "89abAB" else text[offset : offset + 6]
        return json.loads(f'"{escape}"')
    return json.loads(f'"{text[offset : offset + 2]}"')


@pytest.mark.parametrize("text", list(layouts()))
def test_each_source_line_is_placed_in_the_json_text(text):
    places = json_source_lines(text)
    assert sorted(places) == [1, 2, 3, 4]
    for index, source in enumerate(CELL_SOURCES, start=1):
        lines = source.replace("\r\n", "\n").split("\n")
        assert len(places[index]) == len(lines)
        for line, place in zip(lines, places[index]):
            for column, char in enumerate(line, start=1):
                assert decoded_at(text, json_offset(text, *place.at(column))) == char
            end = json_offset(text, *place.at(len(line) + 1))
            assert text[end] in '"\\]'  # where the line ends: its line break's escape, the closing quote (or bracket of [])


def test_a_source_line_of_a_real_layout_sits_on_its_json_line():
    text = json.dumps({"cells": [{"cell_type": "code", "source": ["import keras\n", "model.compile(loss='mse')"]}], "nbformat": 4}, indent=1)
    [first, second] = json_source_lines(text)[1]
    assert text.split("\n")[second.start[0] - 1].strip() == "\"model.compile(loss='mse')\""
    assert second.start == (first.start[0] + 1, first.start[1])


def test_json_that_is_no_notebook_is_a_one_line_error():
    from compilelint.sources import SourceError

    with pytest.raises(SourceError):
        json_source_lines('{"cells": [{"source": "x')
