"""Fuzzing: generated programs and mutated real Keras code never make the linter raise,
and fixing is stable (the result parses; a second pass changes nothing).

CI runs a few hundred examples; set COMPILELINT_FUZZ_EXAMPLES=5000 for a longer run.
"""

import ast
import io
import os
import tokenize
import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from compilelint.config import default_settings
from compilelint.engine import lint_text
from compilelint.fixes import fix_text

hypothesmith = pytest.importorskip("hypothesmith")

EXAMPLES = int(os.environ.get("COMPILELINT_FUZZ_EXAMPLES", "150"))
FIXTURES = sorted((Path(__file__).resolve().parent.parent / "fixtures").glob("*.py"))
SNIPPETS = [path.read_text() for path in FIXTURES]
COMPILE_CALL = 'import keras\nmodel = keras.Sequential([keras.layers.Dense(1)])\nmodel.compile(optimizer=keras.optimizers.Adam(lr=0.1), loss="mse", metrics="accuracy")\n'
SETTINGS = {major: default_settings(keras_version=major, select=["ALL"]) for major in ("2", "3", "2,3")}
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))


def parses(text: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def assert_lints_and_fixes_stably(text: str, keras: str) -> None:
    result = lint_text(text, "fuzz.py", SETTINGS[keras])  # must not raise
    assert all(d.span.line >= 1 and d.span.column >= 1 for d in result.diagnostics)
    if not any(d.fix for d in result.diagnostics) or not parses(text):
        return
    first = fix_text(text, "fuzz.py", SETTINGS[keras])
    assert parses(first.fixed)
    second = fix_text(first.fixed, "fuzz.py", SETTINGS[keras])
    assert second.fixed == first.fixed


def tokens(text: str) -> list[tokenize.TokenInfo]:
    try:
        return list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError):
        return []


def delete_token(text: str, index: int) -> str:
    found = [t for t in tokens(text) if t.string.strip()]
    if not found:
        return text
    token = found[index % len(found)]
    lines = text.splitlines(keepends=True)
    (line, start), (end_line, end) = token.start, token.end
    if line != end_line:
        return text
    lines[line - 1] = lines[line - 1][:start] + lines[line - 1][end:]
    return "".join(lines)


def swap_arguments(text: str, index: int) -> str:
    """Swap two keyword arguments' values in a compile call, as a hurried edit would."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tree = ast.parse(text)
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call) and len(node.keywords) >= 2]
    if not calls:
        return text
    call = calls[index % len(calls)]
    first, second = call.keywords[0].value, call.keywords[1].value
    a, b = ast.get_source_segment(text, first), ast.get_source_segment(text, second)
    if a is None or b is None or first.lineno != first.end_lineno or second.lineno != second.end_lineno:
        return text
    lines = text.splitlines(keepends=True)
    # the later one first, so the earlier offsets stay right
    for node, replacement in sorted(((first, b), (second, a)), key=lambda p: (p[0].lineno, p[0].col_offset), reverse=True):
        row = lines[node.lineno - 1]
        lines[node.lineno - 1] = row[: node.col_offset] + replacement + row[node.end_col_offset :]
    return "".join(lines)


@FUZZ
@given(program=hypothesmith.from_grammar(), keras=st.sampled_from(sorted(SETTINGS)), prefix=st.booleans())
def test_generated_programs(program, keras, prefix):
    assert_lints_and_fixes_stably((COMPILE_CALL + program) if prefix else program, keras)


@FUZZ
@given(
    snippet=st.sampled_from(SNIPPETS + [COMPILE_CALL]),
    mutations=st.lists(st.tuples(st.sampled_from(["delete", "swap"]), st.integers(0, 10_000)), min_size=1, max_size=4),
    keras=st.sampled_from(sorted(SETTINGS)),
)
def test_mutated_real_keras_code(snippet, mutations, keras):
    text = snippet
    for kind, index in mutations:
        if kind == "delete":
            text = delete_token(text, index)
        elif parses(text):
            text = swap_arguments(text, index)
    assert_lints_and_fixes_stably(text, keras)
