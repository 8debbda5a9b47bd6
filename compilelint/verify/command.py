"""``compilelint verify``: build each compiled model and train it for one jitted step.

Only click and the standard library are imported here: ``compilelint --help`` stays fast.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

@click.command()
@click.argument("targets", nargs=-1, required=True)
@click.option("--timeout", type=click.FloatRange(min=0.1), default=120.0, show_default=True, help="Seconds each model may take to build and train one step.")
@click.option("--device", type=click.Choice(["auto", "cpu", "gpu"]), default="auto", show_default=True, help="auto: a GPU when the backend sees one, else the CPU.")
@click.option("--batch-size", type=click.IntRange(min=1), default=2, show_default=True, help="Rows in the synthetic batch.")
@click.option("--select", multiple=True, help="Rule codes, prefixes or names to report.")
@click.option("--ignore", multiple=True, help="Rule codes, prefixes or names not to report.")
@click.option("--output-format", help="Any format of `check` (default: concise).")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when problems are found.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="Use this config file instead of searching.")
def verify(targets, timeout, device, batch_size, select, ignore, output_format, exit_zero, config_path):
    """Build each model compiled in PATH (or by PATH::FUNCTION), compile it with
    jit_compile=True and train one step of fit on a synthetic batch. This runs the part of
    your code the model needs (never fit, data loading or downloads), in a worker process
    that a crash or hang in one file does not take down for the others."""
    from compilelint.cli_support import EXIT_DIAGNOSTICS, EXIT_ERROR, EXIT_OK, fail, split_option
    from compilelint.config import ConfigError, load_settings
    from compilelint.report.formatters import FORMATTERS
    from compilelint.verify.runner import VerifyOptions, VerifySession

    try:
        settings = load_settings(config_path, Path.cwd(), select=split_option(select), ignore=split_option(ignore), output_format=output_format)
    except ConfigError as error:
        fail(str(error))
    if settings.output_format not in FORMATTERS:
        fail(f"unknown output format {settings.output_format!r}; choose from {', '.join(sorted(FORMATTERS))}")
    targets, errors = _expanded_targets(targets, settings)
    if not targets and errors:
        for line in errors:
            click.echo(f"compilelint: error: {line}", err=True)
        sys.exit(EXIT_ERROR)

    options = VerifyOptions(timeout=timeout, device=device, batch_size=batch_size)
    diagnostics, sites = [], []
    device_name, backends = None, []
    with VerifySession(options) as session:
        for target in targets:
            result = session.verify(target)
            errors.extend(result.errors)
            device_name = result.device or device_name
            if result.backend and result.backend not in backends:
                backends.append(result.backend)
            kept, reports = _filtered(result, settings)
            diagnostics.extend(kept)
            sites.extend(reports)
    errors += [f"{site.path}:{site.span.line}: cannot verify: {site.reason}" for site in sites if site.status == "error"]
    backend = "; ".join(backends) or None

    if device == "gpu" and device_name is not None and not device_name.startswith("GPU"):
        fail(f"--device gpu: the backend sees no GPU ({backend})")
    diagnostics.sort(key=lambda d: d.sort_key())
    click.echo(_render(settings.output_format, diagnostics, sites, device_name, backend), nl=False)
    _print_sites(sites, device_name, backend)
    for line in errors:
        click.echo(f"compilelint: error: {line}", err=True)
    if errors:
        sys.exit(EXIT_ERROR)
    sys.exit(EXIT_DIAGNOSTICS if diagnostics and not exit_zero else EXIT_OK)


def _expanded_targets(targets, settings) -> tuple[list[str], list[str]]:
    """The targets to verify, a folder standing for the Python files under it that call
    compile() (with the exclusions and .gitignore of ``check``), and one error line for each
    target that cannot be verified."""
    from compilelint.discovery import discover
    from compilelint.prefilter import calls_compile
    from compilelint.verify.runner import split_target

    expanded, errors = [], []
    for target in targets:
        path, function = split_target(target)
        if Path(path).is_dir() and function is None:
            found = discover([path], settings)
            errors.extend(found.errors)
            expanded.extend(file for file in found.files if file.endswith(".py") and _calls_compile(file, calls_compile))
        elif not Path(path).is_file():
            errors.append(f"{path}: no such file")
        elif path.endswith(".ipynb"):
            errors.append(f"{path}: verify runs Python files, not notebooks; export it first (jupyter nbconvert --to script)")
        else:
            expanded.append(target)
    return expanded, errors


def _calls_compile(path: str, calls_compile) -> bool:
    from compilelint.sources import SourceError, read_bytes

    try:
        return calls_compile(read_bytes(path))
    except SourceError:
        return True  # verifying it says why it cannot be read


def _filtered(result, settings):
    """The file's diagnostics that --select/--ignore and noqa comments let through, and a
    report per site whose status follows from them."""
    from compilelint.report.formatters import shown_path
    from compilelint.report.noqa import NoqaMap
    from compilelint.verify.report import SiteReport

    enabled = settings.codes_for(result.path)
    noqa = NoqaMap(result.text)
    kept, reports = [], []
    for site in result.sites:
        shown = [d for d in site.diagnostics if d.code in enabled and not noqa.suppressed(d.code, d.name, d.span.line, d.span.end_line)]
        status = "verified" if site.status == "finding" and not shown else site.status
        kept.extend(shown)
        reports.append(SiteReport(shown_path(result.path), site.span, status, site.reason, site.notes, sorted({d.code for d in shown})))
    return kept, reports


def _render(output_format, diagnostics, sites, device_name, backend) -> str:
    from compilelint.report.formatters import FORMATTERS
    from compilelint.verify.report import json_report, sarif_report

    if output_format == "json":
        return json_report(diagnostics, sites, device_name, backend)
    if output_format == "sarif":
        return sarif_report(diagnostics, sites, device_name, backend)
    return FORMATTERS[output_format](diagnostics, sources={})


def _print_sites(sites, device_name, backend) -> None:
    from compilelint.verify.report import site_lines, summary_line

    for line in site_lines(sites):
        click.echo(line, err=True)
    click.echo(summary_line(sites, device_name, backend), err=True)
