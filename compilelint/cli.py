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
@click.option("-o", "--output-file", type=click.Path(dir_okay=False), help="Write the report to this file instead of standard output.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when problems are found.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="Use this config file for every file instead of each file's nearest one.")
@click.option("--force-exclude", is_flag=True, default=None, help="Apply exclusions to paths given explicitly too.")
@click.option("--stdin-filename", help="The file name of the text read from '-' (for config matching and messages).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), help="Worker processes for files that need analysis (default: CPU count).")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the result cache.")
@click.option("--cache-dir", type=click.Path(file_okay=False), help="Cache folder (default: .compilelint_cache at the project root).")
@click.option("--fix", is_flag=True, help="Apply safe fixes in place (stdin: print the fixed text); exit 1 if problems remain.")
@click.option("--unsafe-fixes", is_flag=True, default=None, help="Let --fix and --diff apply fixes that may change behaviour too.")
@click.option("--diff", is_flag=True, help="Print the fixes as a unified diff and change nothing; exit 1 if there is one.")
@click.option("--statistics", is_flag=True, help="Print how many problems each rule found instead of the problems.")
@click.option("--add-noqa", is_flag=True, help="Add a '# noqa: CODE' comment for every problem found (baseline a project).")
@click.option("--show-settings", is_flag=True, help="Print the settings that apply to the first path, and the config file they come from.")
@click.option("--show-files", is_flag=True, help="List the files that would be checked, and stop.")
def check(paths, select, ignore, extend_select, keras_version, output_format, output_file, exit_zero, config_path, force_exclude, stdin_filename, jobs, no_cache, cache_dir, fix, unsafe_fixes, diff, statistics, add_noqa, show_settings, show_files):
    """Lint Python files, notebooks and folders ('-' reads standard input).

    Each file takes its settings from the nearest pyproject.toml with [tool.compilelint]
    (or compilelint.toml) above it; the options here go on top."""
    from compilelint.config import SettingsResolver

    overrides = dict(
        select=split_option(select),
        ignore=split_option(ignore),
        extend_select=split_option(extend_select),
        keras_version=keras_version,
        output_format=output_format,
        force_exclude=force_exclude,
        unsafe_fixes=unsafe_fixes,
        cache_dir=os.path.abspath(cache_dir) if cache_dir else None,
    )
    reads_stdin = "-" in paths or (not paths and stdin_filename is not None)
    try:
        resolver = SettingsResolver(overrides, config_path)
        run_settings = resolver.for_file(stdin_filename) if reads_stdin and stdin_filename else resolver.default()
    except ConfigError as error:
        fail(str(error))
    file_paths = [p for p in paths if p != "-"] if paths else ([] if reads_stdin else ["."])
    if show_settings:
        _show_settings(resolver, stdin_filename if reads_stdin and stdin_filename and not file_paths else (file_paths or ["."])[0])
    run = _Run(run_settings, output_file)
    if reads_stdin:
        run.read_stdin(stdin_filename or "-")
    from compilelint.discovery import discover

    found = discover(file_paths, resolver)
    run.errors.extend(found.errors)
    if show_files:
        from compilelint.report.formatters import shown_path

        run.emit("".join(f"{shown_path(path)}\n" for path in sorted(found.files)))
        run.finish(False)
    run.settings.update(found.settings)
    run.lint(found.files, jobs=jobs, cache=not no_cache)
    if add_noqa:
        run.add_noqa()
    if diff:
        run.show_diff()
    if fix:
        run.fix()
    run.report(statistics)
    run.finish(bool(run.diagnostics) and not exit_zero)


def _show_settings(resolver, target: str) -> None:
    from compilelint.cache import cache_dir_for
    from compilelint.config import describe_settings

    try:
        settings = resolver.for_folder(os.path.abspath(target)) if os.path.isdir(target) else resolver.for_file(target)
    except ConfigError as error:
        fail(str(error))
    click.echo(describe_settings(settings, target, str(cache_dir_for(settings))), nl=False)
    sys.exit(EXIT_OK)


class _Run:
    """One ``compilelint check``: the files' results, where the report goes, and the
    one-line errors; each step (lint, fix, diff, report) reads and updates them."""

    def __init__(self, run_settings, output_file: str | None) -> None:
        self.run_settings = run_settings
        self.output_file = output_file
        self.report_to_stderr = False
        self.settings: dict = {}  # path -> the settings that apply to it
        self.results: list = []
        self.errors: list[str] = []
        self.warnings: list[str] = []
        self.internal = False
        self.fixed = 0
        self.stdin_sources: dict = {}  # name -> Source; formatters that quote lines cannot re-read stdin
        self.stdin_texts: dict = {}  # name -> the text as read (a notebook's JSON), for --fix
        self.stdin_data: bytes | None = None  # the bytes read from '-', even when they cannot be linted
        self._output: list[str] = []

    @property
    def diagnostics(self) -> list:
        return sorted((d for r in self.results for d in r.diagnostics), key=lambda d: d.sort_key())

    def read_stdin(self, name: str) -> None:
        from compilelint.loading import source_from_bytes
        from compilelint.runner import lint_guarded
        from compilelint.sources import SourceError

        data = self.stdin_data = sys.stdin.buffer.read()
        self.settings[name] = self.run_settings
        try:
            source = source_from_bytes(data, name)
        except SourceError as error:
            self.errors.append(str(error))
            return
        self.stdin_sources[name] = source
        self.stdin_texts[name] = data.decode("utf-8") if source.cells or name.endswith(".ipynb") else source.text
        self.results.append(lint_guarded(source, self.run_settings))

    def lint(self, files: list[str], jobs: int | None, cache: bool) -> None:
        from compilelint.runner import lint_files

        caches = None
        if cache:
            from compilelint.cache import CacheSet

            caches = CacheSet()
        self.results.extend(lint_files(files, self.settings, jobs=jobs, cache=caches))
        for result in self.results:
            self.errors.extend(result.errors)
            self.warnings.extend(result.warnings)
            self.internal = self.internal or result.internal_error

    def show_diff(self) -> None:
        """--diff: print the fixes as a diff and exit (1 when there is a change)."""
        from compilelint.fixes import fix_results, unified_diff

        run = fix_results(self.results, self.settings, write=False, stdin_texts=self.stdin_texts)
        self.errors.extend(run.errors)
        self.emit("".join(unified_diff(outcome) for outcome in run.changed))
        self.finish(bool(run.changed))

    def fix(self) -> None:
        """--fix: write the fixes; on stdin print the fixed text instead, and the remaining
        problems go to standard error (standard output holds the text)."""
        from dataclasses import replace

        from compilelint.fixes import fix_results

        run = fix_results(self.results, self.settings, write=True, stdin_texts=self.stdin_texts)
        self.errors.extend(run.errors)
        for outcome in run.outcomes:  # the last lint of each fixed text
            self.errors.extend(e for e in outcome.result.errors if e not in self.errors)
        self.results = run.results
        self.fixed = run.fixed_count
        if self.stdin_data is None:
            return
        if self.stdin_texts:
            name = next(iter(self.stdin_texts))
            outcome = next((o for o in run.outcomes if o.path == name), None)
            if outcome:  # the remaining problems are placed, and quoted, in the fixed text
                self.stdin_texts[name] = outcome.fixed
                if name in self.stdin_sources and not name.endswith(".ipynb"):
                    self.stdin_sources[name] = replace(self.stdin_sources[name], text=outcome.fixed)
            click.echo(self.stdin_texts[name], nl=False)
        else:  # unreadable: an editor replacing its buffer with the output must get it back unchanged
            sys.stdout.buffer.write(self.stdin_data)
            sys.stdout.flush()
        self.report_to_stderr = not self.output_file  # stdout carries the fixed text

    def add_noqa(self) -> None:
        """--add-noqa: a ``# noqa: CODE`` comment on each problem's line; exit 0 once added."""
        from compilelint.fixes import add_noqa_comments

        if self.stdin_data is not None:
            fail("--add-noqa edits files; it cannot be used with '-' (stdin)")
        added, errors, notes = add_noqa_comments(self.results)
        self.errors.extend(errors)
        self.warnings.extend(notes)
        click.echo(f"Added {added} noqa directive{'s' if added != 1 else ''}.", err=True)
        self.finish(False)

    def report(self, statistics: bool) -> None:
        from compilelint.report.formatters import FORMATTERS, statistics_text, summary_text
        from compilelint.report.places import NotebookPlaces

        diagnostics = self.diagnostics
        name = self.run_settings.output_format
        unsafe = self.run_settings.unsafe_fixes
        if statistics:
            self.emit(statistics_text(diagnostics, name, unsafe_fixes=unsafe))
            return
        text_format = name in ("concise", "full")
        # A notebook's .ipynb text is read (once) only when one of its findings is placed.
        notebooks = NotebookPlaces(self.stdin_texts)
        output = FORMATTERS[name](
            diagnostics,
            sources=self.stdin_sources,
            unsafe_fixes=unsafe,
            summary=summary_text(diagnostics, fixed=self.fixed, unsafe_fixes=unsafe) if text_format else "",
            locate=notebooks.locate,
            locate_edit=notebooks.edit,
            cell_line=notebooks.cell_line,
        )
        self.emit(output)

    def emit(self, text: str) -> None:
        self._output.append(text)

    def finish(self, found: bool) -> None:
        """Write the report where it goes, then the errors, and exit."""
        text = "".join(self._output)
        if self.report_to_stderr:
            click.echo(text, nl=False, err=True)
        elif self.output_file:
            _write_report(self.output_file, text)
        elif text:
            click.echo(text, nl=False)
        for line in self.warnings:
            click.echo(f"compilelint: warning: {line}", err=True)
        for line in self.errors:
            click.echo(f"compilelint: error: {line}", err=True)
        if self.errors or self.internal:
            sys.exit(EXIT_ERROR)
        sys.exit(EXIT_DIAGNOSTICS if found else EXIT_OK)


def _write_report(path: str, text: str) -> None:
    """-o: written whole or not at all (a temporary file beside it, then a rename)."""
    from compilelint.sources import replace_atomically

    umask = os.umask(0)
    os.umask(umask)
    try:
        replace_atomically(path, text.encode("utf-8"), mode=0o666 & ~umask)
    except OSError as error:
        fail(f"{path}: cannot write the report: {error.strerror or error}")


@main.command()
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="Use this config file instead of searching.")
@click.option("--cache-dir", type=click.Path(file_okay=False), help="The cache folder to remove (default: the configured one).")
def clean(config_path, cache_dir):
    """Remove the result cache (.compilelint_cache at the project root), and the caches of
    the sub-projects below the current folder (each config's project has its own)."""
    from compilelint.cache import CACHE_DIR_NAME, cache_dir_for, clean as remove_cache

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
    if cache_dir or config_path:
        return
    for nested in _nested_caches(Path.cwd(), CACHE_DIR_NAME, skip=Path(directory).resolve()):
        try:
            if remove_cache(nested):
                click.echo(f"removed {nested}", err=True)
        except (ValueError, OSError):
            continue  # a folder of that name that is not ours stays


def _nested_caches(top: Path, name: str, skip: Path) -> list[Path]:
    from compilelint.config import DEFAULT_EXCLUDE

    found = []
    for folder, subfolders, _ in os.walk(top):
        if name in subfolders and Path(folder, name).resolve() != skip:
            found.append(Path(folder, name))
        subfolders[:] = [d for d in subfolders if d not in DEFAULT_EXCLUDE]
    return found


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
