"""``compilelint verify``: build each compiled model and train it for one jitted step.

Only click and the standard library are imported here: ``compilelint --help`` stays fast.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

VERIFY_CODES = ("CL901", "CL902", "CL903", "CL904")


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
    jit_compile=True and train one step on a synthetic batch. This runs your code (never
    fit, data loading or __main__ blocks), each file in its own process."""
    from compilelint.cli_support import EXIT_DIAGNOSTICS, EXIT_ERROR, EXIT_OK, fail, split_option
    from compilelint.config import ConfigError, load_settings
    from compilelint.report.formatters import FORMATTERS
    from compilelint.report.noqa import NoqaMap
    from compilelint.verify.runner import VerifyOptions, split_target, verify_target

    try:
        settings = load_settings(config_path, Path.cwd(), select=split_option(select), ignore=split_option(ignore), output_format=output_format)
    except ConfigError as error:
        fail(str(error))
    if settings.output_format not in FORMATTERS:
        fail(f"unknown output format {settings.output_format!r}; choose from {', '.join(sorted(FORMATTERS))}")
    for target in targets:
        path, _ = split_target(target)
        if not Path(path).is_file():
            fail(f"{path}: no such file")

    options = VerifyOptions(timeout=timeout, device=device, batch_size=batch_size)
    diagnostics, errors = [], []
    verified, device_name, backend = 0, None, None
    for target in targets:
        result = verify_target(target, options)
        errors.extend(result.errors)
        verified += result.verified
        device_name, backend = result.device or device_name, result.backend or backend
        enabled = settings.codes_for(result.path)
        try:
            noqa = NoqaMap(Path(result.path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            noqa = NoqaMap("")
        for diagnostic in result.diagnostics:
            if diagnostic.code in enabled and not noqa.suppressed(diagnostic.code, diagnostic.name, diagnostic.span.line, diagnostic.span.end_line):
                diagnostics.append(diagnostic)

    if device == "gpu" and device_name is not None and not device_name.startswith("GPU"):
        fail(f"--device gpu: the backend sees no GPU ({backend})")
    diagnostics.sort(key=lambda d: d.sort_key())
    output = FORMATTERS[settings.output_format](diagnostics, checked_paths=[split_target(t)[0] for t in targets], sources={})
    if output:
        click.echo(output, nl=False)
    models = "model" if verified == 1 else "models"
    click.echo(f"verified {verified} {models} on {device_name or 'no device'} ({backend or 'no backend was started'})", err=True)
    for line in errors:
        click.echo(f"compilelint: error: {line}", err=True)
    if errors:
        sys.exit(EXIT_ERROR)
    sys.exit(EXIT_DIAGNOSTICS if diagnostics and not exit_zero else EXIT_OK)
