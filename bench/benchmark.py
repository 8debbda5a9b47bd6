"""Benchmark compilelint against steady references on a real corpus (a script, not a test).

    python bench/benchmark.py                      # build the corpus if needed, 5 rounds
    python bench/benchmark.py --corpus DIR --runs 7 --no-fixit

The corpus is the unpacked wheels of four pinned Keras-ecosystem packages, downloaded with
``pip download --no-deps``. Every measurement runs in its own helper process, so the peak
memory read from ``getrusage(RUSAGE_CHILDREN)`` is that run's largest process (workers
included); rounds are interleaved (each round runs every command once) and medians are
reported, so a busy moment on the machine hits all commands alike.

Targets (issue 7): start-up on a file without ``compile(`` within 150 ms of ``python -c
pass``; cold run no slower than one process parsing every candidate file with LibCST; warm
run at most 2x reading the files; cold peak memory no more than that parse's peak.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PINNED = ("tf-models-official==2.20.0", "tf-keras==2.21.0", "keras==3.15.1", "keras-hub==0.32.0")
DEFAULT_CORPUS = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "compilelint-bench"

# One measured run: the command's wall time and the peak RSS of its largest process.
_MEASURE = r"""
import json, resource, subprocess, sys, time
start = time.perf_counter()
code = subprocess.call(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
wall = time.perf_counter() - start
peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"wall": wall, "peak_mib": peak_kib / 1024, "code": code}))
"""

# The irreducible cost of any LibCST tool: parse every file containing ``compile(``.
_PARSE_CANDIDATES = r"""
import sys
import libcst
for path in open(sys.argv[1], encoding="utf-8").read().splitlines():
    with open(path, "rb") as handle:
        data = handle.read()
    if b"compile(" in data:
        try:
            libcst.parse_module(data)
        except Exception:
            pass
"""


def build_corpus(corpus: Path) -> Path:
    source = corpus / "src"
    if source.is_dir() and any(source.iterdir()):
        return source
    wheels = corpus / "wheels"
    wheels.mkdir(parents=True, exist_ok=True)
    print(f"downloading {' '.join(PINNED)} into {wheels}", flush=True)
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:", "-d", str(wheels), *PINNED], check=True)
    for wheel in sorted(wheels.glob("*.whl")):
        target = source / wheel.name[: -len(".whl")]
        with zipfile.ZipFile(wheel) as archive:
            archive.extractall(target)
    return source


def python_files(source: Path) -> list[str]:
    return sorted(str(path) for path in source.rglob("*.py") if path.is_file())


def measure(command: list[str], cwd: Path, env: dict) -> dict:
    completed = subprocess.run(
        [sys.executable, "-c", _MEASURE, *command], cwd=cwd, env=env, capture_output=True, text=True, check=True
    )
    return json.loads(completed.stdout)


def find_tool(name: str, extra: list[str]) -> str | None:
    for candidate in [*extra, shutil.which(name)]:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="folder for wheels/ and src/ (built if missing)")
    parser.add_argument("--source", type=Path, help="an already-unpacked corpus to use as is")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-fixit", action="store_true", help="skip fixit (it takes minutes per run)")
    parser.add_argument("--fixit", default=None, help="path to a fixit executable (e.g. in its own venv)")
    parser.add_argument("--profile-top", type=int, default=10, help="slowest files to show in the profile")
    args = parser.parse_args()

    source = args.source.resolve() if args.source else build_corpus(args.corpus)
    files = python_files(source)
    work = Path(tempfile.mkdtemp(prefix="compilelint-bench-"))
    file_list = work / "files.txt"
    file_list.write_text("\n".join(files) + "\n", encoding="utf-8")
    no_compile = next(path for path in files if b"compile" not in Path(path).read_bytes() and Path(path).stat().st_size > 500)
    total_bytes = sum(Path(path).stat().st_size for path in files)
    candidates = [path for path in files if b"compile(" in Path(path).read_bytes()]
    candidate_bytes = sum(Path(path).stat().st_size for path in candidates)

    # Installed packages have their bytecode cached; so should the package under test.
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONDONTWRITEBYTECODE", "TF_USE_LEGACY_KERAS")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    cache_dir = work / "cache"
    compilelint = [sys.executable, "-m", "compilelint", "check", "--exit-zero"]
    commands: dict[str, list[str]] = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "cat (read every file)": ["cat", *files],
        "libcst parse of candidates (1 process)": [sys.executable, "-c", _PARSE_CANDIDATES, str(file_list)],
        "compilelint start-up (1 file, no compile)": [*compilelint, "--no-cache", no_compile],
        "compilelint cold (--no-cache)": [*compilelint, "--no-cache", str(source)],
        "compilelint warm (cache)": [*compilelint, "--cache-dir", str(cache_dir), str(source)],
    }
    ruff = find_tool("ruff", [])
    if ruff:
        commands["ruff check --select F401 --no-cache"] = [ruff, "check", "--select", "F401", "--no-cache", "--exit-zero", "-q", str(source)]
    fixit = None if args.no_fixit else find_tool("fixit", [args.fixit] if args.fixit else [])
    if fixit:
        commands["fixit lint"] = [fixit, "lint", str(source)]

    print(f"corpus: {source}")
    print(f"  {len(files)} files, {total_bytes / 2**20:.1f} MiB; {len(candidates)} contain 'compile(' ({candidate_bytes / 2**20:.1f} MiB)")
    print(f"  machine: {os.cpu_count()} CPUs; python {sys.version.split()[0]}; {args.runs} interleaved rounds, medians")
    print(f"  ruff: {ruff or 'not installed'}; fixit: {fixit or ('skipped' if args.no_fixit else 'not installed')}")
    subprocess.run(commands["compilelint warm (cache)"], cwd=source, env=env, capture_output=True)  # fill cache, write .pyc
    samples: dict[str, list[dict]] = {name: [] for name in commands}
    for round_number in range(args.runs):
        for name, command in commands.items():
            if name == "fixit lint" and round_number > 0 and round_number % 2:
                continue  # fixit is minutes per run: every other round is enough for a median
            samples[name].append(measure(command, source, env))
        print(f"  round {round_number + 1}/{args.runs} done", flush=True)

    wall = {name: statistics.median(s["wall"] for s in runs) for name, runs in samples.items()}
    peak = {name: max(s["peak_mib"] for s in runs) for name, runs in samples.items()}
    print("\nmedian wall time, peak RSS of the largest process:")
    for name in commands:
        print(f"  {name:45s} {wall[name]:8.3f} s  {peak[name]:7.0f} MiB")

    cold, warm = wall["compilelint cold (--no-cache)"], wall["compilelint warm (cache)"]
    parse, cat = wall["libcst parse of candidates (1 process)"], wall["cat (read every file)"]
    startup_gap = wall["compilelint start-up (1 file, no compile)"] - wall["python -c pass"]
    print("\nratios:")
    for reference in ("ruff check --select F401 --no-cache", "fixit lint"):
        if reference in wall:
            print(f"  cold / {reference}: {cold / wall[reference]:.2f}x; warm / {reference}: {warm / wall[reference]:.2f}x")
    print(f"  cold / libcst parse: {cold / parse:.2f}x; warm / cat: {warm / cat:.2f}x")

    def verdict(ok: bool) -> str:
        return "met" if ok else "MISSED"

    cold_peak, parse_peak = peak["compilelint cold (--no-cache)"], peak["libcst parse of candidates (1 process)"]
    print("\ntargets:")
    print(f"  start-up within 150 ms of python -c pass: +{startup_gap * 1000:.0f} ms  {verdict(startup_gap <= 0.150)}")
    print(f"  cold <= libcst parse of candidates: {cold:.2f} s vs {parse:.2f} s  {verdict(cold <= parse)}")
    print(f"  warm <= 2x cat: {warm:.3f} s vs {2 * cat:.3f} s  {verdict(warm <= 2 * cat)}")
    print(f"  cold peak <= parse peak: {cold_peak:.0f} MiB vs {parse_peak:.0f} MiB  {verdict(cold_peak <= parse_peak)}")

    profile(candidates, env, args.profile_top)
    shutil.rmtree(work, ignore_errors=True)


# Per-file phases, measured in a fresh process that imports the engine's pieces and runs
# lint_source's steps one after the other (the engine's private steps: this is a profile).
_PROFILE = r"""
import json, sys, time
sys.setrecursionlimit(10000)
from compilelint import engine
from compilelint.config import default_settings
from compilelint.diagnostics import FileResult
from compilelint.facts.collector import collect_facts
from compilelint.parsing import parse_module
from compilelint.report.noqa import NoqaMap
from compilelint.loading import read_source
settings = default_settings()
rows = []
for path in open(sys.argv[1], encoding="utf-8").read().splitlines():
    try:
        source = read_source(path)
        enabled = settings.codes_for(path)
        t0 = time.perf_counter(); module = parse_module(source.text)
        t1 = time.perf_counter(); facts = collect_facts(module, source.text)
        t2 = time.perf_counter(); findings = engine._run_rules(facts, path, settings, enabled, FileResult(path=path))
        reported = engine._to_diagnostics(module, source, findings, NoqaMap(source.text)) if findings else []
        t3 = time.perf_counter()
    except Exception:
        continue
    rows.append({"path": path, "bytes": len(source.text.encode()), "parse": t1 - t0, "facts": t2 - t1, "report": t3 - t2, "total": t3 - t0})
print(json.dumps(rows))
"""


def profile(candidates: list[str], env: dict, top: int) -> None:
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as handle:
        handle.write("\n".join(candidates) + "\n")
    try:
        completed = subprocess.run([sys.executable, "-c", _PROFILE, handle.name], env=env, capture_output=True, text=True, check=True)
    finally:
        os.unlink(handle.name)
    rows = json.loads(completed.stdout)
    parse = sum(r["parse"] for r in rows)
    facts = sum(r["facts"] for r in rows)
    report = sum(r["report"] for r in rows)
    total = sum(r["total"] for r in rows)
    print(f"\nper-file profile, one process ({len(rows)} candidate files):")
    print(f"  all files: {total:.2f} s = parse {parse:.2f} s ({parse / total:.0%}) + facts {facts:.2f} s ({facts / total:.0%}) + rules and report {report:.2f} s ({report / total:.0%})")
    print(f"  {'file':60s} {'KiB':>6s} {'total':>7s} {'parse':>7s} {'facts':>7s} {'report':>7s} {'us/KiB':>7s}")
    for row in sorted(rows, key=lambda r: r["total"], reverse=True)[:top]:
        name = "/".join(Path(row["path"]).parts[-3:])
        print(f"  {name[-60:]:60s} {row['bytes'] / 1024:6.0f} {row['total']:7.3f} {row['parse']:7.3f} {row['facts']:7.3f} {row['report']:7.3f} {row['total'] * 1e6 / (row['bytes'] / 1024):7.0f}")
    # Linear growth: cost per KiB should not rise with file size.
    ordered = sorted(rows, key=lambda r: r["bytes"])
    quarter = max(1, len(ordered) // 4)
    for label, chunk in (("smallest quarter", ordered[:quarter]), ("largest quarter", ordered[-quarter:])):
        kib = sum(r["bytes"] for r in chunk) / 1024
        print(f"  {label}: {sum(r['total'] for r in chunk) * 1e6 / kib:.0f} us/KiB over {len(chunk)} files ({kib:.0f} KiB)")


if __name__ == "__main__":
    main()
