from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SARIF_SCHEMA_PATH = REPO / "tests" / "data" / "sarif-schema-2.1.0.json"


def found(lint, code, keras="2,3", rule=None):
    """(code, line) of each finding of a snippet, sorted; only ``rule``'s when given."""
    return sorted((d.code, d.span.line) for d in lint(code, keras=keras) if rule is None or d.code == rule)


@pytest.fixture
def lint():
    """Lint a snippet; returns the diagnostics."""
    from compilelint.config import default_settings
    from compilelint.engine import lint_text

    def run(code: str, keras: str = "3", path: str = "example.py", select=None):
        settings = default_settings(keras_version=keras, select=select or ["ALL"])
        result = lint_text(code, path, settings)
        assert not result.errors, result.errors
        return result.diagnostics

    return run
