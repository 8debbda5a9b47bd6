"""Lint many files: read each one, lint its text, collect the results in a stable order."""

from __future__ import annotations

from compilelint.config import Settings
from compilelint.diagnostics import FileResult
from compilelint.engine import lint_source
from compilelint.sources import SourceError, read_source


def lint_file(path: str, settings: Settings) -> FileResult:
    try:
        source = read_source(path)
    except SourceError as error:
        return FileResult(path=path, errors=[str(error)])
    return lint_source(source, settings)


def lint_files(paths: list[str], settings: Settings) -> list[FileResult]:
    return [lint_file(path, settings) for path in paths]
