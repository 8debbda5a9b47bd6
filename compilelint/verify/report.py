"""What ``compilelint verify`` prints: every compile site with its status, in the output
formats that can hold it (JSON, SARIF) and on stderr, and the count of each status."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from compilelint.diagnostics import Diagnostic, Span
from compilelint.verify.runner import STATUSES


@dataclass
class SiteReport:
    path: str
    span: Span
    status: str  # verified | finding | refused | error
    reason: str | None = None
    notes: list[str] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "path": self.path,
            "line": self.span.line,
            "column": self.span.column,
            "end_line": self.span.end_line,
            "end_column": self.span.end_column,
            "status": self.status,
            "reason": self.reason,
            "notes": self.notes,
            "codes": self.codes,
        }


def counts(sites: list[SiteReport]) -> dict[str, int]:
    return {status: sum(1 for site in sites if site.status == status) for status in STATUSES}


def summary_line(sites: list[SiteReport], device: str | None, backend: str | None) -> str:
    from compilelint.checks import plural

    numbers = counts(sites)
    parts = [f"{numbers['verified']} verified", f"{numbers['finding']} with findings", f"{numbers['refused']} refused", plural(numbers["error"], "error")]
    where = f"{device} ({backend})" if device else "no device (no backend was started)"
    return f"verify: {plural(len(sites), 'compile site')}: {', '.join(parts)}; on {where}"


def site_lines(sites: list[SiteReport]) -> list[str]:
    """One stderr line per site that was not verified and has no finding to show for it."""
    return [f"{site.path}:{site.span.line}:{site.span.column}: refused: {site.reason}" for site in sites if site.status == "refused"]


def json_report(diagnostics: list[Diagnostic], sites: list[SiteReport], device: str | None, backend: str | None) -> str:
    from compilelint.report.formatters import as_dict

    report = {
        "sites": [site.as_dict() for site in sites],
        "diagnostics": [as_dict(d) for d in diagnostics],
        "summary": counts(sites),
        "device": device,
        "backend": backend,
    }
    return json.dumps(report, indent=2) + "\n"


def sarif_report(diagnostics: list[Diagnostic], sites: list[SiteReport], device: str | None, backend: str | None, environ=None) -> str:
    """The SARIF log of ``check`` with the sites added where code-scanning tools expect
    tool-side facts: each refused or failed site as a tool execution notification (never
    an alert), and every site with its status in the run's properties."""
    from compilelint.report.formatters import artifact_location, ci_base, sarif_log, sarif_region

    log = sarif_log(diagnostics, environ=environ)
    base = ci_base(environ, "GITHUB_WORKSPACE")
    run = log["runs"][0]
    notifications = []
    for site in sites:
        if site.status not in ("refused", "error"):
            continue
        notifications.append(
            {
                "level": "error" if site.status == "error" else "note",
                "descriptor": {"id": f"verify-{site.status}"},
                "message": {"text": f"{site.status}: {site.reason}"},
                "locations": [{"physicalLocation": {"artifactLocation": artifact_location(site.path, base), "region": sarif_region(site.span)}}],
            }
        )
    run["invocations"] = [{"executionSuccessful": not any(site.status == "error" for site in sites), "toolExecutionNotifications": notifications}]
    run["properties"] = {"verify": {"sites": [site.as_dict() for site in sites], "summary": counts(sites), "device": device, "backend": backend}}
    return json.dumps(log, indent=2) + "\n"
