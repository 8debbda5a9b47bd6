"""The command line: ``compilelint check``, ``compilelint rule``."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from compilelint import __version__
from compilelint.config import ConfigError, load_settings

from compilelint.cli_support import EXIT_DIAGNOSTICS, EXIT_ERROR, EXIT_OK, fail, split_option


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
@click.option("--output-format", help="concise (default), full, json, json-lines, github, sarif, junit or gitlab.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when problems are found.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="Use this config file instead of searching.")
@click.option("--force-exclude", is_flag=True, default=None, help="Apply exclusions to paths given explicitly too.")
@click.option("--stdin-filename", help="The file name of the text read from '-' (for config matching and messages).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), help="Worker processes for files that need analysis (default: CPU count).")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the result cache.")
@click.option("--cache-dir", type=click.Path(file_okay=False), help="Cache folder (default: .compilelint_cache at the project root).")
@click.option("--fix", is_flag=True, help="Apply safe fixes in place (stdin: print the fixed text); exit 1 if problems remain.")
@click.option("--diff", is_flag=True, help="Print the safe fixes as a unified diff and change nothing; exit 1 if there is one.")
def check(paths, select, ignore, extend_select, keras_version, output_format, exit_zero, config_path, force_exclude, stdin_filename, jobs, no_cache, cache_dir, fix, diff):
    """Lint Python files and folders ('-' reads standard input)."""
    from compilelint.discovery import discover
    from compilelint.report.formatters import FORMATTERS
    from compilelint.runner import lint_files, lint_guarded
    from compilelint.loading import source_from_bytes
    from compilelint.sources import SourceError

    start = Path(stdin_filename).parent if stdin_filename and "-" in paths else Path.cwd()
    try:
        settings = load_settings(
            config_path,
            start,
            select=split_option(select),
            ignore=split_option(ignore),
            extend_select=split_option(extend_select),
            keras_version=keras_version,
            output_format=output_format,
            force_exclude=force_exclude,
            cache_dir=os.path.abspath(cache_dir) if cache_dir else None,
        )
    except ConfigError as error:
        fail(str(error))

    results = []
    errors: list[str] = []
    stdin_sources: dict = {}  # the formatters that quote source lines cannot re-read stdin
    file_paths = [p for p in paths if p != "-"] if paths else (["."] if not stdin_filename else [])
    if "-" in paths or (not paths and stdin_filename):
        name = stdin_filename or "-"
        data = sys.stdin.buffer.read()
        try:
            stdin_sources[name] = source_from_bytes(data, name)
            results.append(lint_guarded(stdin_sources[name], settings))
        except SourceError as error:
            errors.append(str(error))
    found = discover(file_paths, settings)
    errors.extend(found.errors)
    cache = None
    if not no_cache:
        from compilelint.cache import ResultCache, cache_dir_for

        cache = ResultCache(cache_dir_for(settings), settings)
    results.extend(lint_files(found.files, settings, jobs=jobs, cache=cache))
    if fix or diff:
        results = _apply_fixes(results, settings, errors, stdin_sources, write=not diff)

    diagnostics = sorted((d for r in results for d in r.diagnostics), key=lambda d: d.sort_key())
    internal = any(r.internal_error for r in results)
    for result in results:
        errors.extend(result.errors)
    output = FORMATTERS[settings.output_format](diagnostics, checked_paths=[r.path for r in results], sources=stdin_sources)
    if output:
        click.echo(output, nl=False)
    for line in errors:
        click.echo(f"compilelint: error: {line}", err=True)
    if errors or internal:
        sys.exit(EXIT_ERROR)
    sys.exit(EXIT_DIAGNOSTICS if diagnostics and not exit_zero else EXIT_OK)


def _apply_fixes(results, settings, errors: list[str], stdin_sources: dict, write: bool) -> list:
    """--fix / --diff. --diff prints the diff and exits here (1 when there is a change);
    --fix on stdin prints the fixed text and exits here (1 when problems remain)."""
    from compilelint.fixes import fix_results, unified_diff

    stdin_texts = {name: source.text for name, source in stdin_sources.items() if not source.cells}
    run = fix_results(results, settings, write=write, stdin_texts=stdin_texts, stdin_names=frozenset(stdin_sources))
    errors.extend(run.errors)
    if not write:
        click.echo("".join(unified_diff(outcome) for outcome in run.changed), nl=False)
        for line in errors:
            click.echo(f"compilelint: error: {line}", err=True)
        sys.exit(EXIT_ERROR if errors else EXIT_DIAGNOSTICS if run.changed else EXIT_OK)
    if stdin_texts:
        outcome = next((o for o in run.outcomes if o.path in stdin_texts), None)
        name = next(iter(stdin_texts))
        click.echo(outcome.fixed if outcome else stdin_texts[name], nl=False)
        remaining = [d for r in run.results if r.path == name for d in r.diagnostics]
        sys.exit(EXIT_ERROR if errors else EXIT_DIAGNOSTICS if remaining else EXIT_OK)
    if run.fixed_count:
        click.echo(f"Fixed {run.fixed_count} problem{'s' if run.fixed_count != 1 else ''}.", err=True)
    return run.results


@main.command()
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="Use this config file instead of searching.")
@click.option("--cache-dir", type=click.Path(file_okay=False), help="The cache folder to remove (default: the configured one).")
def clean(config_path, cache_dir):
    """Remove the result cache (.compilelint_cache at the project root)."""
    from compilelint.cache import cache_dir_for, clean as remove_cache

    try:
        settings = load_settings(config_path, Path.cwd(), cache_dir=os.path.abspath(cache_dir) if cache_dir else None)
    except ConfigError as error:
        fail(str(error))
    directory = cache_dir_for(settings)
    try:
        removed = remove_cache(directory)
    except (ValueError, OSError) as error:
        fail(str(error))
    click.echo(f"removed {directory}" if removed else f"no cache at {directory}", err=True)


@main.command()
@click.argument("code", required=False)
@click.option("--all", "show_all", is_flag=True, help="Explain every rule.")
@click.option("--output-format", type=click.Choice(["text", "json"]), default="text")
def rule(code, show_all, output_format):
    """Explain a rule (by code or name): what it does, why, an example and the fix."""
    from compilelint.docs import rule_as_dict, rule_as_markdown
    from compilelint.registry import find_rule, rules_by_code

    if show_all == bool(code):
        fail("give one rule code or name, or --all")
    if show_all:
        chosen = list(rules_by_code().values())
    else:
        found = find_rule(code)
        if found is None:
            fail(f"unknown rule code or name: {code!r}")
        chosen = [found]
    if output_format == "json":
        data = [rule_as_dict(r) for r in chosen]
        click.echo(json.dumps(data if show_all else data[0], indent=2))
    else:
        click.echo("\n\n".join(rule_as_markdown(r) for r in chosen))


# verify lives in its own package; its module imports only click until the command runs.
from compilelint.verify.command import verify  # noqa: E402

main.add_command(verify)


@main.command()
def server():
    """Run the language server over stdio (needs the 'lsp' extra: pip install compilelint[lsp])."""
    try:
        from compilelint.lsp import serve
    except ImportError as error:
        fail(f"the language server needs pygls >= 2 ({error}); install it with: pip install 'compilelint[lsp]'")
    serve()


if __name__ == "__main__":  # pragma: no cover
    main()
