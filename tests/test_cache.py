"""The result cache: on by default, keyed by content and settings, never a reason to fail."""

import json
import multiprocessing
import os
import subprocess
import sys

import pytest

from compilelint.cache import CACHE_DIR_NAME, ResultCache
from compilelint.config import default_settings
from compilelint.runner import lint_files
from compilelint.sources import Source
from conftest import REPO

BROKEN = (
    "import keras\nmodel = keras.Sequential([keras.layers.Dense(1)])\n"
    "model.compile(optimizer='adam', loss='mse', jit_compile=True, run_eagerly=True)\n"
)


def check(cwd, *args):
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("TF_USE_LEGACY_KERAS", None)
    return subprocess.run(
        [sys.executable, "-m", "compilelint", *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=120
    )


def entries(cache_dir):
    """Result entries (not temporary files, not the index of file stamps)."""
    return [path for path in cache_dir.glob("*/*") if not path.name.startswith(".") and path.name != "files.json"]


def project(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.compilelint]\nkeras-version = '3'\n")
    (tmp_path / "train.py").write_text(BROKEN)
    (tmp_path / "util.py").write_text("VALUE = 1\n")
    return tmp_path


def test_cold_run_fills_the_cache_at_the_root_and_a_warm_run_reads_it(tmp_path):
    root = project(tmp_path)
    (root / "src").mkdir()
    cold = check(root / "src", "check", str(root / "train.py"))
    assert cold.returncode == 1 and "CL101" in cold.stdout
    cache_dir = root / CACHE_DIR_NAME  # at the project root, not the working directory
    assert (cache_dir / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55")
    [entry] = entries(cache_dir)  # util.py needs no parsing and is not cached
    # Prove the warm run answers from the entry: an edited entry's message is what it prints.
    data = json.loads(entry.read_text())
    data["diagnostics"][0]["message"] = "served from the cache"
    entry.write_text(json.dumps(data))
    warm = check(root / "src", "check", str(root / "train.py"))
    assert warm.returncode == 1
    assert "CL101 served from the cache" in warm.stdout


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: text[: len(text) // 2],  # truncated mid-write
        lambda text: "\x00garbage",
        lambda text: json.dumps({"format": 1, "key": "other", "diagnostics": []}),
        lambda text: text.replace('"span":[', '"span":["x",'),
        lambda text: json.dumps([1, 2, 3]),
    ],
)
def test_a_damaged_entry_is_recomputed_not_an_error(tmp_path, damage):
    root = project(tmp_path)
    cold = check(root, "check", "train.py")
    [entry] = entries(root / CACHE_DIR_NAME)
    entry.write_text(damage(entry.read_text()))
    again = check(root, "check", "train.py")
    assert (again.returncode, again.stdout, again.stderr) == (cold.returncode, cold.stdout, cold.stderr)
    newest = max(entries(root / CACHE_DIR_NAME), key=lambda path: path.stat().st_mtime_ns)
    assert json.loads(newest.read_text())["diagnostics"]  # rewritten whole


def test_changed_content_and_changed_settings_are_not_served_stale(tmp_path):
    root = project(tmp_path)
    assert check(root, "check", "train.py").returncode == 1
    (root / "train.py").write_text(BROKEN.replace("run_eagerly=True", "run_eagerly=False"))
    assert check(root, "check", "train.py").returncode == 0
    (root / "train.py").write_text(BROKEN)
    ignored = check(root, "check", "--ignore", "CL101", "train.py")
    assert "CL101" not in ignored.stdout
    assert "CL101" in check(root, "check", "train.py").stdout


def test_no_cache_and_cache_dir(tmp_path):
    root = project(tmp_path)
    assert check(root, "check", "--no-cache", "train.py").returncode == 1
    assert not (root / CACHE_DIR_NAME).exists()
    assert check(root, "check", "--cache-dir", "elsewhere", "train.py").returncode == 1
    assert not (root / CACHE_DIR_NAME).exists()
    assert len(entries(root / "elsewhere")) == 1
    # cache-dir in the config file, relative to the project root
    (root / "pyproject.toml").write_text("[tool.compilelint]\nkeras-version = '3'\ncache-dir = 'configured'\n")
    assert check(root, "check", "train.py").returncode == 1
    assert len(entries(root / "configured")) == 1


def test_an_unwritable_cache_is_silently_off(tmp_path):
    root = project(tmp_path)
    (root / "blocked").write_text("a file where the cache folder would be\n")
    result = check(root, "check", "--cache-dir", "blocked/cache", "train.py")
    assert result.returncode == 1 and "CL101" in result.stdout
    assert result.stderr == ""


def test_clean_removes_the_cache_and_refuses_other_folders(tmp_path):
    root = project(tmp_path)
    check(root, "check", "train.py")
    removed = check(root, "clean")
    assert removed.returncode == 0, removed.stderr
    assert not (root / CACHE_DIR_NAME).exists()
    assert check(root, "clean").returncode == 0  # nothing to remove is fine
    (root / "precious").mkdir()
    (root / "precious" / "notes.txt").write_text("keep me\n")
    refused = check(root, "clean", "--cache-dir", "precious")
    assert refused.returncode == 2 and "not a compilelint cache" in refused.stderr
    assert (root / "precious" / "notes.txt").exists()


def _hammer(cache_dir, root, rounds):
    settings = default_settings(keras_version="3")
    cache = ResultCache(cache_dir, settings)
    source = Source(text=BROKEN, path=str(root / "train.py"))
    [result] = lint_files([source.path], settings, jobs=1)
    key = cache.key(source.path, BROKEN.encode())
    outcomes = set()
    for _ in range(rounds):
        cache.put(key, result)
        found = cache.get(key, source.path)
        outcomes.add(None if found is None else tuple(d.code for d in found.diagnostics))
    return outcomes


def test_concurrent_writers_of_one_entry_never_expose_a_partial_entry(tmp_path):
    root = project(tmp_path)
    cache_dir = tmp_path / "shared-cache"
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
    with context.Pool(2) as pool:
        outcomes = pool.starmap(_hammer, [(cache_dir, root, 150)] * 4)
    assert set().union(*outcomes) == {("CL101",)}
    assert not [p for p in cache_dir.glob("*/.*") if p.suffix == ".tmp"]  # no temporary files left


def test_warm_run_answers_unchanged_files_from_their_stamp_and_rereads_changed_ones(tmp_path):
    settings = default_settings(keras_version="3")
    quiet, loud = tmp_path / "utils.py", tmp_path / "train.py"
    quiet.write_text("def helper():\n    return 1\n")
    loud.write_text(BROKEN)
    paths = [str(quiet), str(loud)]
    first = lint_files(paths, settings, jobs=1, cache=ResultCache(tmp_path / "cache", settings))
    fresh = ResultCache(tmp_path / "cache", settings)
    assert fresh.known_key(str(quiet)) == ""
    assert fresh.known_key(str(loud))  # the key of its stored result
    assert [[d.code for d in r.diagnostics] for r in lint_files(paths, settings, jobs=1, cache=fresh)] == [
        [d.code for d in r.diagnostics] for r in first
    ]
    # An edit changes the file's stamp, so it is read again (and now has a problem).
    quiet.write_text(BROKEN + "# edited\n")
    assert fresh.known_key(str(quiet)) is None
    result = lint_files(paths, settings, jobs=1, cache=ResultCache(tmp_path / "cache", settings))
    assert [d.code for d in result[0].diagnostics] == ["CL101"]


def test_clean_also_removes_sub_project_caches(tmp_path):
    root = tmp_path / "repo"
    sub = root / "sub"
    sub.mkdir(parents=True)
    (root / "pyproject.toml").write_text("[tool.compilelint]\n")
    (sub / "pyproject.toml").write_text('[tool.compilelint]\nkeras-version = "2"\n')
    (root / "a.py").write_text(BROKEN)
    (sub / "b.py").write_text(BROKEN)
    assert check(root, "check", ".").returncode == 1
    assert (root / ".compilelint_cache").is_dir() and (sub / ".compilelint_cache").is_dir()
    (sub / "keep" / ".compilelint_cache").mkdir(parents=True)  # not ours (no tag): stays
    done = check(root, "clean")
    assert done.returncode == 0, done.stderr
    assert not (root / ".compilelint_cache").exists() and not (sub / ".compilelint_cache").exists()
    assert (sub / "keep" / ".compilelint_cache").is_dir()
