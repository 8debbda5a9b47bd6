"""What every command shares: exit codes, the one-line error exit, comma-separated options.

Kept apart from ``cli`` so that subcommands in their own packages (``verify``) can use it
without importing the command line that registers them.
"""

from __future__ import annotations

import sys
from typing import NoReturn

import click

EXIT_OK, EXIT_DIAGNOSTICS, EXIT_ERROR = 0, 1, 2


def fail(message: str) -> NoReturn:
    click.echo(f"compilelint: error: {message}", err=True)
    sys.exit(EXIT_ERROR)


def split_option(values: tuple[str, ...]) -> list[str] | None:
    """``--select A,B --select C`` -> [A, B, C]; None when the option was not given."""
    if not values:
        return None
    return [part.strip() for value in values for part in value.split(",") if part.strip()]
