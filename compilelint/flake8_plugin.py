"""flake8 plugin: ``flake8 --select CL`` runs compilelint's engine on each file.

Registered as the ``CL`` entry point in the ``flake8.extension`` group. Settings come from
the nearest ``[tool.compilelint]`` above each file (resolved as the CLI does), so
flake8 and ``compilelint check`` report the same things; ``--compilelint-keras-version``
overrides the targeted Keras. ``# noqa`` and ``# compilelint: noqa`` are applied by the
engine exactly as in ``compilelint check`` (flake8 then applies its own ``# noqa`` too,
which agrees for codes).
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path
from typing import Iterator

from compilelint import __version__


@functools.lru_cache(maxsize=8)
def _resolver(keras_version: str | None):
    """One resolver per run: each folder's nearest config is found and read once."""
    from compilelint.config import SettingsResolver

    return SettingsResolver({"keras_version": keras_version})


class CompileLintChecker:
    name = "compilelint"
    version = __version__
    keras_version: str | None = None

    def __init__(self, tree, filename: str, lines: list[str]) -> None:
        # ``tree`` is flake8's ast; compilelint parses with LibCST, so only the text is used.
        self.filename = filename
        self.lines = lines

    @classmethod
    def add_options(cls, manager) -> None:
        manager.add_option(
            "--compilelint-keras-version",
            default=None,
            parse_from_config=True,
            help="Keras version compilelint targets: auto, 2, 3 or 2,3 (default: [tool.compilelint] or auto).",
        )

    @classmethod
    def parse_options(cls, options) -> None:
        cls.keras_version = options.compilelint_keras_version

    def run(self) -> Iterator[tuple[int, int, str, type]]:
        from compilelint.config import ConfigError
        from compilelint.runner import lint_guarded
        from compilelint.sources import Source

        is_stdin = self.filename in ("-", "stdin")
        resolver = _resolver(self.keras_version)
        try:
            settings = resolver.default() if is_stdin else resolver.for_file(str(Path(self.filename).resolve()))
        except ConfigError as error:
            print(f"compilelint: error: {error}", file=sys.stderr)
            return
        result = lint_guarded(Source(text="".join(self.lines), path=self.filename), settings)
        for line in result.errors:
            print(f"compilelint: error: {line}", file=sys.stderr)
        for diagnostic in result.diagnostics:
            # flake8 wants a 0-based column and prints it 1-based.
            yield diagnostic.span.line, diagnostic.span.column - 1, f"{diagnostic.code} {diagnostic.message}", type(self)
