from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


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
