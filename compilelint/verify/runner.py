"""Verify files: one worker process per Keras flavour, reused from file to file and watched
for hangs, crashes and floods of output (any of which costs only the file it happened in:
the worker is stopped and a fresh one takes the rest)."""

from __future__ import annotations

import itertools
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

from compilelint.diagnostics import Diagnostic, Span
from compilelint.loading import read_source
from compilelint.sources import SourceError
from compilelint.verify.planner import FilePlan, SitePlan, plan_file

# TensorFlow / XLA C++ log lines (``I0000 00:00:... file.cc:31] ...``) say nothing about user code.
_BACKEND_LOG = re.compile(r"^(?:[IWEF]\d{4} \d\d:\d\d:|WARNING: All log messages before absl::)")
_TRUE = {"1", "true", "True"}

OUTPUT_LIMIT = 20 * 1024 * 1024  # bytes a file's code may print before it is stopped
# A worker's own start (the backend import, CUDA) gets this long on top of the per-model timeout.
IMPORT_ALLOWANCE = 60.0
SEVERITY = {"CL901": "error", "CL902": "error", "CL903": "error", "CL904": "warning"}
STATUSES = ("verified", "finding", "refused", "error")


@dataclass
class VerifyOptions:
    timeout: float = 120.0
    device: str = "auto"  # auto | cpu | gpu
    batch_size: int = 2


@dataclass
class SiteOutcome:
    """What verify could say about one compile site.

    ``status``: verified (built and trained one step, nothing to report), finding (the
    diagnostics at this site), refused (verify cannot build it faithfully; ``reason`` says
    why) or error (this environment cannot run it, e.g. a module is not installed)."""

    span: Span
    status: str
    reason: str | None = None
    notes: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)


@dataclass
class FileVerification:
    path: str
    sites: list[SiteOutcome] = field(default_factory=list)
    device: str | None = None
    backend: str | None = None
    errors: list[str] = field(default_factory=list)  # the file could not be verified at all
    text: str = ""  # the file's source, as read for verifying it


def split_target(target: str) -> tuple[str, str | None]:
    """``path.py::build_model`` -> (path, function)."""
    if "::" in target:
        path, function = target.rsplit("::", 1)
        return path, function or None
    return target, None


def choose_flavour(text: str) -> str:
    """tf_keras for a file that imports it (or uses tf.keras with TF_USE_LEGACY_KERAS set), else keras."""
    if re.search(r"^\s*(import|from)\s+tf_keras\b", text, re.M):
        return "tf_keras"
    if os.environ.get("TF_USE_LEGACY_KERAS") in _TRUE and re.search(r"\btf\.keras\b|tensorflow\.keras\b", text):
        return "tf_keras"
    return "keras"


class VerifySession:
    """Verifies files one after another, keeping one worker per Keras flavour alive between
    them. Use as a context manager: the workers stop when it closes."""

    def __init__(self, options: VerifyOptions) -> None:
        self.options = options
        self.workers: dict[str, _Worker] = {}
        self.home = tempfile.mkdtemp(prefix="compilelint-verify-")
        self._ids = itertools.count()
        self.started_workers = 0
        self.unavailable: dict[str, str] = {}  # flavour -> why its worker has no Keras or backend

    def __enter__(self) -> "VerifySession":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        for worker in list(self.workers.values()):
            worker.close()
        self.workers.clear()
        shutil.rmtree(self.home, ignore_errors=True)

    def verify(self, target: str) -> FileVerification:
        path, function = split_target(target)
        result = FileVerification(path=path)
        try:
            text = result.text = read_source(path).text
        except SourceError as error:
            result.errors.append(str(error))
            return result
        plan = plan_file(path, text, function)
        if plan.parse_error:
            result.errors.append(f"{path}: {plan.parse_error}; nothing was verified")
            return result
        sites = [plan.factory] if plan.factory is not None else plan.sites
        outcomes: dict[int, SiteOutcome] = {}
        for site in sites:
            if site.mode == "refuse":
                outcomes[site.index] = SiteOutcome(site.span, "refused", site.refusal or "cannot build the model")
        pending = [site for site in sites if site.mode != "refuse"]
        flavour = choose_flavour(text)
        while pending:
            pending = self._run(flavour, path, function, plan, pending, outcomes, result)
        result.sites = [outcomes[site.index] for site in sites if site.index in outcomes]
        return result

    # -------------------------------------------------------------------- one worker run
    def _worker(self, flavour: str) -> _Worker:
        worker = self.workers.get(flavour)
        if worker is None or not worker.alive():
            if worker is not None:
                worker.close()
            worker = _Worker(flavour, self.options, self.home, next(self._ids))
            self.workers[flavour] = worker
            self.started_workers += 1
        return worker

    def _retire(self, flavour: str) -> None:
        worker = self.workers.pop(flavour, None)
        if worker is not None:
            worker.close()

    def _run(self, flavour, path, function, plan: FilePlan, sites: list[SitePlan], outcomes, result) -> list[SitePlan]:
        """Run the sites in the flavour's worker; returns the sites still to run after a hang or crash."""
        if flavour in self.unavailable:  # a worker of this flavour found no Keras or backend: none will
            for site in sites:
                outcomes[site.index] = SiteOutcome(site.span, "error", self.unavailable[flavour])
            return []
        worker = self._worker(flavour)
        by_index = {site.index: site for site in sites}
        done: set[int] = set()
        current: int | None = None
        finished = retire = False
        problem: str | None = None
        task = next(self._ids)
        with tempfile.TemporaryDirectory(prefix="compilelint-verify-file-") as workdir:
            worker.send({"task": task, "path": os.path.abspath(path), "function": function, "sites": sorted(by_index), "workdir": workdir})
            printed_before = worker.output.total
            deadline = time.monotonic() + self.options.timeout + (0 if worker.environment else IMPORT_ALLOWANCE)
            while not finished:
                exited = not worker.alive()
                for event in worker.events():
                    kind = event["event"]
                    if kind == "env":
                        worker.environment = (event["device"], event["backend"])
                        deadline = time.monotonic() + self.options.timeout
                    elif kind == "unavailable":
                        worker.unavailable = event["message"]
                    elif kind == "start" and event.get("task") == task:
                        current = event["site"]
                        deadline = time.monotonic() + self.options.timeout
                    elif kind == "result" and event.get("task") == task and event["site"] not in done:
                        outcomes[event["site"]] = _outcome(path, plan, by_index[event["site"]], event)
                        done.add(event["site"])
                        current = None
                    elif kind == "done" and event.get("task") == task:
                        finished, retire = True, bool(event.get("retire"))
                if finished or worker.unavailable:
                    break
                if exited:
                    break
                if worker.output.total - printed_before > OUTPUT_LIMIT:
                    problem = f"the program printed more than {OUTPUT_LIMIT // (1024 * 1024)} MB while building the model; it was stopped"
                elif time.monotonic() > deadline:
                    problem = f"timed out after {self.options.timeout:g} s while building or training the model (the program was stopped)"
                if problem:
                    worker.kill()
                    break
                time.sleep(0.02)
        if worker.environment:
            result.device, result.backend = worker.environment
        if worker.unavailable:
            self.unavailable[flavour] = worker.unavailable
            self._retire(flavour)
            for site in sites:
                outcomes.setdefault(site.index, SiteOutcome(site.span, "error", worker.unavailable))
            return []
        if finished:
            if retire:
                self._retire(flavour)
            return [site for site in sites if site.index not in done]
        returncode = worker.wait()
        self._retire(flavour)
        if problem is None:
            last = worker.last_output_line()
            problem = f"the program exited with status {returncode} before the model was trained" + (f": {last[:300]}" if last else "")
        remaining = [site for site in sites if site.index not in done]
        if current is None:
            # It died outside any site (it could not start, or in verify's own code): not the model's fault.
            for site in remaining:
                outcomes[site.index] = SiteOutcome(site.span, "error", f"the verify worker stopped: {problem}")
            return []
        failed = by_index[current]
        outcomes[current] = SiteOutcome(failed.span, "finding", diagnostics=[_diagnostic(path, failed.span, "CL901", problem)])
        return [site for site in remaining if site.index != current]


def _outcome(path: str, plan: FilePlan, site: SitePlan, event: dict) -> SiteOutcome:
    span = _located(plan, site, event.get("line")).span
    notes = event.get("notes") or []
    if event.get("error"):
        return SiteOutcome(span, "error", event["error"], notes)
    diagnostics = [_diagnostic(path, span, item["code"], item["message"]) for item in event.get("findings") or []]
    if event.get("refusal"):
        return SiteOutcome(span, "refused", event["refusal"], notes, diagnostics)
    return SiteOutcome(span, "finding" if diagnostics else "verified", None, notes, diagnostics)


def _diagnostic(path: str, span: Span, code: str, message: str) -> Diagnostic:
    from compilelint.registry import rules_by_code  # the rule classes own the names

    name = rules_by_code()[code].name
    return Diagnostic(code=code, name=name, message=message, path=path, span=span, severity=SEVERITY[code])


def _located(plan: FilePlan, site: SitePlan, line: int | None) -> SitePlan:
    """A factory's diagnostics go to the compile call it reached, when that call is in the file."""
    if site.mode != "factory" or line is None:
        return site
    for candidate in plan.sites:
        if candidate.span.line <= line <= candidate.span.end_line:
            return candidate
    return site


def _worker_environment(options: VerifyOptions, home: str) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env["MPLBACKEND"] = "Agg"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    # Keras writes keras.json into its home on first import: keep that out of the user's.
    user_config = Path(os.environ.get("KERAS_HOME", Path.home() / ".keras")) / "keras.json"
    if user_config.is_file() and not (Path(home) / "keras.json").exists():
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
        for chunk in iter(lambda: self.stream.read1(65536) if hasattr(self.stream, "read1") else self.stream.read(65536), b""):
            self.total += len(chunk)
            self.tail = (self.tail + chunk)[-4000:]


class _Worker:
    """One ``compilelint.verify.worker`` process and the events it has written."""

    def __init__(self, flavour: str, options: VerifyOptions, home: str, number: int) -> None:
        self.results = os.path.join(home, f"events-{number}.jsonl")
        command = [sys.executable, "-m", "compilelint.verify.worker", self.results, "--flavour", flavour, "--batch-size", str(options.batch_size)]
        self.process = subprocess.Popen(
            command,
            cwd=home,
            env=_worker_environment(options, home),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.output = _Tail(self.process.stdout)
        self.output.start()
        self.read = 0
        self.environment: tuple[str, str] | None = None
        self.unavailable: str | None = None

    def alive(self) -> bool:
        return self.process.poll() is None

    def send(self, task: dict) -> None:
        try:
            self.process.stdin.write((json.dumps(task) + "\n").encode())
            self.process.stdin.flush()
        except (BrokenPipeError, OSError):
            pass  # it died; the caller sees it exit

    def events(self) -> list[dict]:
        try:
            with open(self.results, "rb") as handle:
                handle.seek(self.read)
                data = handle.read()
        except FileNotFoundError:
            return []
        end = data.rfind(b"\n") + 1
        self.read += end
        events = []
        for line in data[:end].splitlines():
            try:
                events.append(json.loads(line))
            except ValueError:
                continue
        return events

    def last_output_line(self) -> str:
        tail = [line for line in self.output.tail.decode("utf-8", "replace").strip().splitlines() if not _BACKEND_LOG.match(line)]
        return tail[-1].strip() if tail else ""

    def wait(self) -> int:
        self.process.wait()
        self.output.join(timeout=5)
        return self.process.returncode

    def kill(self) -> None:
        try:
            os.killpg(self.process.pid, 9)
        except (ProcessLookupError, PermissionError):
            self.process.kill()

    def close(self) -> None:
        if self.alive():
            try:
                self.process.stdin.close()  # the worker's loop ends: it exits on its own
            except OSError:
                pass
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
        self.wait()
