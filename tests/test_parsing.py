"""Piecewise parsing gives exactly the module a single LibCST parse gives."""

from pathlib import Path

import libcst as cst
import pytest

from compilelint import parsing
from conftest import REPO


def assert_same_as_one_parse(text: str, piece_bytes: int) -> cst.Module:
    expected = cst.parse_module(text)
    got = parsing.parse_module(text, piece_bytes=piece_bytes)
    assert got.code == text
    assert got.deep_equals(expected)
    for attribute in ("default_indent", "default_newline", "has_trailing_newline", "encoding"):
        assert getattr(got, attribute) == getattr(expected, attribute), attribute
    return got


def spy_on_pieces(monkeypatch) -> list[int]:
    """The length of every text handed to LibCST's parser."""
    lengths: list[int] = []
    real = cst.parse_module

    def recording(text, *args, **kwargs):
        lengths.append(len(text))
        return real(text, *args, **kwargs)

    monkeypatch.setattr(parsing.cst, "parse_module", recording)
    return lengths


REPO_SOURCES = sorted(
    path
    for folder in ("compilelint", "rules", "tests", "fixtures", "scripts", "bench")
    for path in (REPO / folder).rglob("*.py")
)


@pytest.mark.parametrize("path", REPO_SOURCES, ids=lambda p: str(p.relative_to(REPO)))
def test_this_repository_cut_into_small_pieces(path: Path):
    assert_same_as_one_parse(path.read_text(encoding="utf-8"), piece_bytes=64)


def definitions(count: int, body: str = "    return {i}\n") -> str:
    return "".join(f"\n\ndef function_{i}():\n{body.format(i=i)}" for i in range(count))


def test_a_large_module_is_parsed_in_bounded_pieces(monkeypatch):
    text = "import keras\n" + definitions(400, body="    x = [{i}, {i} + 1]\n    return keras.Sequential(x)\n")
    expected = cst.parse_module(text)
    lengths = spy_on_pieces(monkeypatch)
    assert parsing.parse_module(text, piece_bytes=2048).deep_equals(expected)
    assert len(lengths) > len(text) // 4096
    assert sum(lengths) == len(text)  # no piece was parsed twice, nothing parsed whole
    assert max(lengths) < 2048 + 200  # each piece: up to the first cut after 2 KiB


def test_a_small_module_is_one_parse(monkeypatch):
    lengths = spy_on_pieces(monkeypatch)
    parsing.parse_module(definitions(3))
    assert lengths == [len(definitions(3))]


@pytest.mark.parametrize(
    "text",
    [
        # Comments and blank lines between definitions, at column 0 and indented.
        "import os\n\n# about f\n\ndef f():\n    pass\n    # still f's\n\n# about g\n\n\ndef g():\n    pass\n",
        # Decorators, with arguments over several lines, and a blank line inside the group.
        "x = 1\n\n@decorate(\n    1,\n)\n@other\ndef f():\n    pass\n\n@alone\n\ndef g():\n    pass\n",
        # What looks like a cut inside a string or brackets.
        'text = """\n\ndef not_a_definition():\n    pass\n\nclass Nor:\n    pass\n"""\n\ndef real():\n    pass\n',
        "m = (a\n\n@ b)\n\ndef real():\n    pass\n",
        # Pieces that disagree on indentation or newlines: joined as a single parse would be.
        "def f():\n    pass\n\n\ndef g():\n\tpass\n\n\ndef h():\n  pass\n",
        "x = 1\r\n\r\ndef f():\r\n    pass\r\n\n\ndef g():\n    pass\n",
        # Async, classes, form feeds, no newline at the end.
        "a = 1\n\x0c\nasync def f():\n    await g()\n\nclass C:\n    def m(self):\n        pass\n\ndef last(): return 1",
        # No indented block before the last piece.
        "a = 1\n\ndef f(): return 1\n\ndef g():\n        return 2\n",
    ],
)
def test_edge_cases_between_definitions(text):
    assert_same_as_one_parse(text, piece_bytes=1)


def test_a_syntax_error_in_a_later_piece_is_reported_as_a_single_parse_reports_it():
    text = definitions(20) + "\n\ndef broken(:\n    pass\n" + definitions(5)
    with pytest.raises(cst.ParserSyntaxError) as whole:
        cst.parse_module(text)
    with pytest.raises(cst.ParserSyntaxError) as pieces:
        parsing.parse_module(text, piece_bytes=64)
    assert (pieces.value.raw_line, pieces.value.raw_column, pieces.value.message) == (
        whole.value.raw_line,
        whole.value.raw_column,
        whole.value.message,
    )


def test_positions_in_a_piecewise_parse_are_those_of_the_file():
    from libcst.metadata import MetadataWrapper, PositionProvider

    text = "import keras\n" + definitions(50) + "\n\ndef build():\n    model = keras.Sequential()\n    model.compile(loss='mse')\n"
    module = parsing.parse_module(text, piece_bytes=256)
    positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    calls = [n for n in positions if isinstance(n, cst.Call) and isinstance(n.func, cst.Attribute) and n.func.attr.value == "compile"]
    (call,) = calls
    line = text.splitlines().index("    model.compile(loss='mse')") + 1
    assert (positions[call].start.line, positions[call].start.column) == (line, 4)


def test_a_cut_inside_a_string_is_retried_with_the_next_piece_not_the_whole_file(monkeypatch):
    text = 'text = """\n\ndef not_a_definition():\n    pass\n"""\n\ndef real():\n    pass\n' + definitions(3)
    expected = cst.parse_module(text)
    lengths = spy_on_pieces(monkeypatch)
    assert parsing.parse_module(text, piece_bytes=1).deep_equals(expected)
    assert len(text) not in lengths
    assert len(lengths) == 1 + 5  # the failed piece before the string closes, then 5 that parse
