"""Positions of reported nodes are exactly LibCST's PositionProvider's."""

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from compilelint import positions
from conftest import REPO

SAMPLES = [
    "import keras\nmodel = keras.Sequential()\nmodel.compile(optimizer='adam', loss='mse')\n",
    # CRLF and CR-only line breaks, tabs, a backslash continuation.
    "x = 1\r\nif x:\r\n\ty = f(\r\n\t\t2)\r\n",
    "a = 1\rb = g(a,\r      3)\r",
    "total = 1 + \\\n    2\nz = h(total)\n",
    # Decorators, comments, strings over lines, f-strings, no final newline.
    "@decorate(1)\n# note\nclass C:  # trailing\n    '''doc\n    more'''\n    def m(self):\n        return f'{self!r:>10}'\n\nvalue = C().m()",
    # Nodes whose range LibCST hoists from a child: decorated definitions, lambdas, slices.
    "@a\n@b.c(d)\nasync def f(x, /, *, y=lambda z: z[1:2, ::3]):\n    async with k() as w:\n        yield w\n",
]


def assert_same_positions(text: str) -> None:
    module = cst.parse_module(text)
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    nodes = list(expected)
    got = positions.positions_of(module, nodes)
    assert {node: got[node] for node in nodes} == dict(expected)
    # A few nodes alone (as a file reports them) get the same ranges as with all of them.
    few = nodes[:: max(1, len(nodes) // 7)]
    assert positions.positions_of(module, few) == {node: expected[node] for node in few}


@pytest.fixture(autouse=True)
def no_fallback(monkeypatch):
    """The counting state must answer by itself, never through PositionProvider."""

    class Refused:
        def __init__(self, *args, **kwargs):
            raise AssertionError("positions_of fell back to PositionProvider")

    monkeypatch.setattr(positions, "MetadataWrapper", Refused)


@pytest.mark.parametrize("text", SAMPLES)
def test_positions_match_position_provider_on_tricky_layouts(text):
    assert_same_positions(text)


@pytest.mark.parametrize("name", ["compilelint/facts/collector.py", "compilelint/engine.py", "tests/test_fixes.py", "fixtures/multi_output_regression.py"])
def test_positions_match_position_provider_on_real_modules(name):
    assert_same_positions((REPO / name).read_text(encoding="utf-8"))
