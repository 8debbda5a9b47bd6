"""Many files: the pool gives the same results as one process, in the order of the paths."""

import subprocess
import sys

import pytest

from compilelint import runner
from compilelint.config import default_settings
from compilelint.runner import lint_file, lint_files
from conftest import REPO

JIT_AND_EAGER = (
    "import keras\n"
    "{padding}"
    "model = keras.Sequential([keras.layers.Dense(1)])\n"
    "model.compile(optimizer='adam', loss='mse', jit_compile=True, run_eagerly={eager})\n"
)


def write_project(folder, count=9):
    """Files of different sizes (so largest-first scheduling reorders them), some with a
    problem at a line that depends on the file, some clean, some without compile at all."""
    paths = []
    for number in range(count):
        path = folder / f"m{number}.py"
        if number % 3 == 2:
            path.write_text(f"VALUE = {number}\n")
        else:
            padding = "".join(f"x{i} = {i}\n" for i in range(number * 40))
            path.write_text(JIT_AND_EAGER.format(padding=padding, eager="True" if number % 3 == 0 else "False"))
        paths.append(str(path))
    return paths


def summary(results):
    return [(r.path, [(d.code, d.span.line) for d in r.diagnostics], r.errors) for r in results]


@pytest.fixture
def settings():
    return default_settings(keras_version="3", select=["CL101"])


def test_parallel_results_match_serial_in_path_order(tmp_path, settings, monkeypatch):
    paths = write_project(tmp_path)
    serial = lint_files(paths, settings, jobs=1)
    monkeypatch.setattr(runner, "PARALLEL_MIN_BYTES", 0)  # a small project still goes to the pool
    parallel = lint_files(paths, settings, jobs=2)
    assert summary(parallel) == summary(serial)
    assert [r.path for r in parallel] == paths
    flagged = [r.path for r in serial if any(d.code == "CL101" for d in r.diagnostics)]
    assert flagged == [p for i, p in enumerate(paths) if i % 3 == 0]
    # The diagnostic's line moves with each file's padding: results were not mixed up.
    lines = {r.path: r.diagnostics[0].span.line for r in serial if r.diagnostics}
    assert lines[paths[3]] == 1 + 3 * 40 + 2  # import, padding, Sequential, compile


def test_lint_file_still_lints_one_file(tmp_path, settings):
    path = tmp_path / "train.py"
    path.write_text(JIT_AND_EAGER.format(padding="", eager="True"))
    result = lint_file(str(path), settings)
    assert [d.code for d in result.diagnostics] == ["CL101"]


def test_unreadable_files_are_errors_in_place_and_the_rest_is_linted(tmp_path, settings, monkeypatch):
    paths = write_project(tmp_path, count=4)
    (tmp_path / "latin.py").write_bytes(b"x = '\xe9'\nmodel.compile(loss='mse')\n")
    (tmp_path / "binary.py").write_bytes(b"\x00\x01model.compile(")
    paths[1:1] = [str(tmp_path / "latin.py"), str(tmp_path / "missing.py"), str(tmp_path / "binary.py")]
    monkeypatch.setattr(runner, "PARALLEL_MIN_BYTES", 0)
    results = lint_files(paths, settings, jobs=2)
    assert [r.path for r in results] == paths
    assert [bool(r.errors) for r in results] == [False, True, True, True, False, False, False]
    assert all("\n" not in e for r in results for e in r.errors)
    assert [d.code for d in results[0].diagnostics] == ["CL101"]


def test_jobs_must_be_positive():
    completed = subprocess.run(
        [sys.executable, "-m", "compilelint", "check", "--jobs", "0", "."],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert completed.returncode == 2
    assert "--jobs" in completed.stderr



def test_spawned_workers_give_the_same_results(tmp_path, settings):
    # macOS and Windows start workers with "spawn", which re-imports the program's modules.
    code = f"""
import multiprocessing, sys
sys.path.insert(0, {str(REPO / "tests")!r})
from compilelint import runner
from compilelint.config import default_settings
from test_runner import summary, write_project
runner._context = lambda: multiprocessing.get_context("spawn")
runner.PARALLEL_MIN_BYTES = 0
settings = default_settings(keras_version="3", select=["CL101"])
paths = write_project(__import__("pathlib").Path({str(tmp_path)!r}))
if __name__ == "__main__":
    print(summary(runner.lint_files(paths, settings, jobs=2)) == summary(runner.lint_files(paths, settings, jobs=1)))
"""
    script = tmp_path / "spawn_check.py"
    script.write_text(code)
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300)
    assert done.stdout.strip().splitlines()[-1] == "True", done.stderr[-2000:]
