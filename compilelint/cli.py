"""The command line: ``compilelint check``, ``compilelint rule``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from compilelint import __version__
from compilelint.config import ConfigError, load_settings

EXIT_OK, EXIT_DIAGNOSTICS, EXIT_ERROR = 0, 1, 2


def _fail(message: str) -> "None":
    click.echo(f"compilelint: error: {message}", err=True)
    sys.exit(EXIT_ERROR)


def _split(values: tuple[str, ...]) -> list[str] | None:
    if not values:
        return None
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="compilelint")
def main() -> None:
    """Static analysis for Keras model.compile() calls."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--select", multiple=True, help="Rule codes, prefixes or names to enable (replaces the configured set).")
@click.option("--ignore", multiple=True, help="Rule codes, prefixes or names to disable.")
@click.option("--extend-select", multiple=True, help="Rule codes, prefixes or names to enable on top of the configured set.")
@click.option("--keras-version", help="auto (default), 2, 3, or 2,3 (report what fails on either).")
@click.option("--output-format", help="concise (default) or json.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when problems are found.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="Use this config file instead of searching.")
@click.option("--force-exclude", is_flag=True, default=None, help="Apply exclusions to paths given explicitly too.")
@click.option("--stdin-filename", help="The file name of the text read from '-' (for config matching and messages).")
def check(paths, select, ignore, extend_select, keras_version, output_format, exit_zero, config_path, force_exclude, stdin_filename):
    """Lint Python files and folders ('-' reads standard input)."""
    from compilelint.discovery import discover
    from compilelint.engine import lint_text
    from compilelint.report.formatters import FORMATTERS
    from compilelint.runner import lint_files
    from compilelint.sources import SourceError, decode_python

    start = Path(stdin_filename).parent if stdin_filename and "-" in paths else Path.cwd()
    try:
        settings = load_settings(
            config_path,
            start,
            select=_split(select),
            ignore=_split(ignore),
            extend_select=_split(extend_select),
            keras_version=keras_version,
            output_format=output_format,
            force_exclude=force_exclude,
        )
    except ConfigError as error:
        _fail(str(error))

    results = []
    errors: list[str] = []
    file_paths = [p for p in paths if p != "-"] if paths else (["."] if not stdin_filename else [])
    if "-" in paths or (not paths and stdin_filename):
        name = stdin_filename or "-"
        data = sys.stdin.buffer.read()
        try:
            results.append(lint_text(decode_python(data, name), name, settings))
        except SourceError as error:
            errors.append(str(error))
    found = discover(file_paths, settings)
    errors.extend(found.errors)
    results.extend(lint_files(found.files, settings))

    diagnostics = sorted((d for r in results for d in r.diagnostics), key=lambda d: d.sort_key())
    internal = any(r.internal_error for r in results)
    for result in results:
        errors.extend(result.errors)
    output = FORMATTERS[settings.output_format](diagnostics)
    if output:
        click.echo(output, nl=False)
    for line in errors:
        click.echo(f"compilelint: error: {line}", err=True)
    if errors or internal:
        sys.exit(EXIT_ERROR)
    sys.exit(EXIT_DIAGNOSTICS if diagnostics and not exit_zero else EXIT_OK)


@main.command()
@click.argument("code", required=False)
@click.option("--all", "show_all", is_flag=True, help="Explain every rule.")
@click.option("--output-format", type=click.Choice(["text", "json"]), default="text")
def rule(code, show_all, output_format):
    """Explain a rule (by code or name): what it does, why, an example and the fix."""
    from compilelint.docs import rule_as_dict, rule_as_markdown
    from compilelint.registry import find_rule, rules_by_code

    if show_all == bool(code):
        _fail("give one rule code or name, or --all")
    if show_all:
        chosen = list(rules_by_code().values())
    else:
        found = find_rule(code)
        if found is None:
            _fail(f"unknown rule code or name: {code!r}")
        chosen = [found]
    if output_format == "json":
        data = [rule_as_dict(r) for r in chosen]
        click.echo(json.dumps(data if show_all else data[0], indent=2))
    else:
        click.echo("\n\n".join(rule_as_markdown(r) for r in chosen))


if __name__ == "__main__":  # pragma: no cover
    main()
