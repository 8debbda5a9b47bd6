"""Verify files: one worker process per file, watched for hangs, crashes and floods of output."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from compilelint.diagnostics import Diagnostic
from compilelint.verify.planner import FilePlan, SitePlan, plan_file

# TensorFlow / XLA C++ log lines (``I0000 00:00:... file.cc:31] ...``) say nothing about user code.
_BACKEND_LOG = re.compile(r"^(?:[IWEF]\d{4} \d\d:\d\d:|WARNING: All log messages before absl::)")

OUTPUT_LIMIT = 20 * 1024 * 1024  # bytes a worker may print before it is stopped
# The worker's own start (the backend import) gets this long on top of the per-model timeout.
IMPORT_ALLOWANCE = 60.0
SEVERITY = {"CL901": "error", "CL902": "error", "CL903": "error", "CL904": "warning"}


@dataclass
class VerifyOptions:
    timeout: float = 120.0
    device: str = "auto"  # auto | cpu | gpu
    batch_size: int = 2


@dataclass
class FileVerification:
    path: str
    diagnostics: list[Diagnostic] = field(default_factory=list)
    verified: int = 0  # models that reached the training step
    device: str | None = None
    backend: str | None = None
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0


def split_target(target: str) -> tuple[str, str | None]:
    """``path.py::build_model`` -> (path, function)."""
    if "::" in target:
        path, function = target.rsplit("::", 1)
        return path, function or None
    return target, None


def verify_target(target: str, options: VerifyOptions) -> FileVerification:
    started = time.perf_counter()
    path, function = split_target(target)
    result = FileVerification(path=path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        result.errors.append(f"{path}: cannot read: {error}")
        return result
    plan = plan_file(path, text, function)
    if plan.parse_error:
        result.errors.append(f"{path}: {plan.parse_error}; nothing was verified")
        return result
    sites = [plan.factory] if plan.factory is not None else plan.sites
    for site in sites:
        if site.mode == "refuse":
            result.diagnostics.append(_diagnostic(path, site, "CL901", site.refusal or "cannot build the model"))
    pending = [site for site in sites if site.mode != "refuse"]
    while pending:
        pending = _run_worker(path, function, plan, pending, options, result)
    result.seconds = time.perf_counter() - started
    return result


def _diagnostic(path: str, site: SitePlan, code: str, message: str) -> Diagnostic:
    from compilelint.registry import rules_by_code  # the rule classes own the names

    name = rules_by_code()[code].name
    return Diagnostic(code=code, name=name, message=message, path=path, span=site.span, severity=SEVERITY[code])


def _worker_environment(options: VerifyOptions, home: str) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env["MPLBACKEND"] = "Agg"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    # Keras writes keras.json into its home on first import: keep that out of the user's.
    user_config = Path(os.environ.get("KERAS_HOME", Path.home() / ".keras")) / "keras.json"
    if user_config.is_file():
        shutil.copy(user_config, Path(home) / "keras.json")
    env["KERAS_HOME"] = home
    if options.device == "cpu":
        env["CUDA_VISIBLE_DEVICES"] = ""
        env["JAX_PLATFORMS"] = "cpu"
    return env


class _Tail(threading.Thread):
    """Reads a pipe to its end, keeping the last lines and counting the bytes."""

    def __init__(self, stream) -> None:
        super().__init__(daemon=True)
        self.stream, self.total, self.tail = stream, 0, b""

    def run(self) -> None:
        for chunk in iter(lambda: self.stream.read(65536), b""):
            self.total += len(chunk)
            self.tail = (self.tail + chunk)[-4000:]


def _run_worker(path: str, function: str | None, plan: FilePlan, sites: list[SitePlan], options: VerifyOptions, result: FileVerification) -> list[SitePlan]:
    """Run the sites in one worker; returns the sites still to run after a hang or crash."""
    with tempfile.TemporaryDirectory(prefix="compilelint-verify-") as workdir:
        results_path = os.path.join(workdir, "results.jsonl")
        command = [sys.executable, "-m", "compilelint.verify.worker", results_path, os.path.abspath(path), "--batch-size", str(options.batch_size)]
        if function:
            command += ["--function", function]
        else:
            command += ["--sites", ",".join(str(site.index) for site in sites)]
        process = subprocess.Popen(
            command,
            cwd=workdir,
            env=_worker_environment(options, workdir),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        output = _Tail(process.stdout)
        output.start()
        by_index = {site.index: site for site in sites}
        done: set[int] = set()
        current: int | None = None
        read = 0
        deadline = time.monotonic() + options.timeout + IMPORT_ALLOWANCE
        problem: str | None = None
        while True:
            exited = process.poll() is not None
            events, read = _read_events(results_path, read)
            for event in events:
                if event["event"] == "env":
                    result.device, result.backend = event["device"], event["backend"]
                    deadline = time.monotonic() + options.timeout
                elif event["event"] == "start":
                    current = event["site"]
                    deadline = time.monotonic() + options.timeout
                elif event["event"] == "result" and event["site"] not in done:
                    _record_result(path, plan, by_index[event["site"]], event, result)
                    done.add(event["site"])
                    current = None
            if exited:
                break
            if output.total > OUTPUT_LIMIT:
                problem = f"the program printed more than {OUTPUT_LIMIT // (1024 * 1024)} MB while building the model; it was stopped"
            elif time.monotonic() > deadline:
                problem = f"timed out after {options.timeout:g} s while building or training the model (the program was stopped)"
            if problem:
                _kill(process)
                break
            time.sleep(0.05)
        process.wait()
        output.join(timeout=5)
        events, read = _read_events(results_path, read)
        for event in events:  # results written just before the exit
            if event["event"] == "result" and event["site"] not in done:
                _record_result(path, plan, by_index[event["site"]], event, result)
                done.add(event["site"])
                current = None
    remaining = [site for site in sites if site.index not in done]
    if not remaining:
        return []
    if problem is None:
        tail = [line for line in output.tail.decode("utf-8", "replace").strip().splitlines() if not _BACKEND_LOG.match(line)]
        last = tail[-1].strip() if tail else ""
        problem = f"the program exited with status {process.returncode} before the model was trained" + (f": {last[:300]}" if last else "")
    if current is None:
        # It died before starting any site (e.g. the backend import failed): every site shares the problem.
        for site in remaining:
            result.diagnostics.append(_diagnostic(path, site, "CL901", problem))
        return []
    failed = by_index[current]
    result.diagnostics.append(_diagnostic(path, failed, "CL901", problem))
    return [site for site in remaining if site.index != current]


def _record_result(path: str, plan: FilePlan, site: SitePlan, event: dict, result: FileVerification) -> None:
    site = _located(plan, site, event.get("line"))
    findings = event["findings"]
    if not any(f["code"] in ("CL901", None) for f in findings):
        result.verified += 1  # built and stepped, whatever the step said
    for item in findings:
        if item["code"] is None:
            result.errors.append(f"{path}:{site.span.line}: cannot verify: {item['message']}")
        else:
            result.diagnostics.append(_diagnostic(path, site, item["code"], item["message"]))


def _located(plan: FilePlan, site: SitePlan, line: int | None) -> SitePlan:
    """A factory's diagnostics go to the compile call it reached, when that call is in the file."""
    if site.mode != "factory" or line is None:
        return site
    for candidate in plan.sites:
        if candidate.span.line <= line <= candidate.span.end_line:
            return candidate
    return site


def _read_events(path: str, offset: int) -> tuple[list[dict], int]:
    try:
        with open(path, "rb") as handle:
            handle.seek(offset)
            data = handle.read()
    except FileNotFoundError:
        return [], offset
    end = data.rfind(b"\n") + 1
    events = []
    for line in data[:end].splitlines():
        try:
            events.append(json.loads(line))
        except ValueError:
            continue
    return events, offset + end


def _kill(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, 9)
    except (ProcessLookupError, PermissionError):
        process.kill()
