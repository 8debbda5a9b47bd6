"""Lint many files: read each one, answer the cheap ones here, send the rest to workers.

Most files never mention ``.compile(``; they are read and answered in this process without
importing LibCST. The others (the candidates) are looked up in the content cache, and the
misses are linted by ``engine.lint_source`` in a pool of worker processes, largest first so
that one big file does not finish last alone. Results come back in the order of ``paths``.
"""

from __future__ import annotations

import os
from typing import Mapping

from compilelint.config import Settings
from compilelint.diagnostics import FileResult
from compilelint.prefilter import may_need_parsing, needs_parsing
from compilelint.loading import read_source, source_from_bytes
from compilelint.sources import Source, SourceError, read_bytes

# Below this many bytes of candidate text a pool costs more than it saves: each worker
# imports LibCST (~0.3 s of CPU) before it parses anything, and LibCST parses roughly
# 50-100 KB a second per core.
PARALLEL_MIN_BYTES = 64 * 1024


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def lint_file(path: str, settings: Settings) -> FileResult:
    try:
        source = read_source(path)
    except SourceError as error:
        return FileResult(path=path, errors=[str(error)])
    return lint_guarded(source, settings)


def lint_files(paths: list[str], settings: Settings | Mapping[str, Settings], *, jobs: int | None = None, cache=None) -> list[FileResult]:
    """Results for ``paths`` in the same order. ``settings``: one Settings for every path, or
    each path's own (``Discovery.settings``); ``cache``: None, a ``cache.ResultCache`` (for
    one Settings) or a ``cache.CacheSet`` (a cache per Settings)."""
    settings_of = (lambda path: settings) if isinstance(settings, Settings) else settings.__getitem__
    cache_of = cache.for_settings if hasattr(cache, "for_settings") else (lambda _: cache)
    results: list[FileResult | None] = [None] * len(paths)
    pending: list[tuple[int, Source, Settings, object, str | None, object]] = []  # (index, source, settings, cache, key, stamp)
    used_caches: dict[int, object] = {}
    for index, path in enumerate(paths):
        file_settings = settings_of(path)
        file_cache = cache_of(file_settings)
        if file_cache is not None:
            used_caches[id(file_cache)] = file_cache
        notebook = path.endswith(".ipynb")  # always opened, so that a broken one is reported
        if file_cache is not None and not notebook:
            # A file unchanged since the last run is answered without reading it.
            known = file_cache.known_key(path)
            if known == "":
                results[index] = FileResult(path=path)
                continue
            cached = file_cache.get(known, path, check_dependencies=False) if known else None
            if cached is not None:
                results[index] = cached
                continue
        stamp = file_cache.stamp(path) if file_cache is not None else None
        try:
            data = read_bytes(path)
        except SourceError as error:
            results[index] = FileResult(path=path, errors=[str(error)])
            continue
        if not notebook and not may_need_parsing(data):
            results[index] = FileResult(path=path)  # the usual file in a large tree
            if file_cache is not None:
                file_cache.remember(path, stamp, "")
            continue
        key = file_cache.key(path, data) if file_cache is not None else None
        cached = file_cache.get(key, path) if key is not None else None
        if cached is not None:
            results[index] = cached
            file_cache.remember(path, stamp, key, cached.dependencies)
            continue
        try:
            source = source_from_bytes(data, path)
        except SourceError as error:
            results[index] = FileResult(path=path, errors=[str(error)])
            continue
        if not needs_parsing(source.text) and not source.modules:
            results[index] = lint_guarded(source, file_settings)  # a notebook: only cell syntax errors
            continue
        pending.append((index, source, file_settings, file_cache, key, stamp))

    computed = _lint_sources([(source, file_settings) for _, source, file_settings, _, _, _ in pending], jobs or default_jobs())
    for (index, source, _, file_cache, key, stamp), result in zip(pending, computed):
        results[index] = result
        if key is not None and file_cache.put(key, result):
            file_cache.remember(source.path, stamp, key, result.dependencies)
    for used in used_caches.values():
        used.save_index()
    return results  # type: ignore[return-value]


def _lint_sources(work: list[tuple[Source, Settings]], jobs: int) -> list[FileResult]:
    """``work``: (source, its settings) pairs."""
    sources = [source for source, _ in work]
    total_bytes = sum(len(source.text) for source in sources)
    workers = min(jobs, len(sources))
    if workers <= 1 or total_bytes < PARALLEL_MIN_BYTES:
        return [lint_guarded(source, settings) for source, settings in work]
    # Imported here: a run that parses little never pays for the process machinery.
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    order = sorted(range(len(sources)), key=lambda i: len(sources[i].text), reverse=True)
    results: list[FileResult | None] = [None] * len(sources)
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=_context()) as pool:
            futures = {index: pool.submit(lint_guarded, *work[index]) for index in order}
            for index, future in futures.items():
                results[index] = future.result()
    except (BrokenProcessPool, OSError):
        # A worker died (out of memory, killed) or no process could start: finish here.
        pass
    return [result if result is not None else lint_guarded(*work[i]) for i, result in enumerate(results)]


def _context():
    import multiprocessing

    # fork starts a worker in milliseconds with this process's modules already imported;
    # elsewhere the platform default (spawn) re-imports compilelint in each worker.
    if "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context()


def lint_guarded(source: Source, settings: Settings) -> FileResult:
    """lint_source, with a crash in the analysis reported as this file's error instead of a
    traceback: what every front end (CLI, --fix, language server, flake8) calls."""
    # Imported here: a run whose files are all cached or free of compile() never loads
    # the engine, the rules or LibCST.
    from compilelint.engine import lint_source

    try:
        return lint_source(source, settings)
    except Exception as error:  # noqa: BLE001 - any bug in one file's analysis
        message = " ".join(str(error).split())
        return FileResult(
            path=source.path,
            errors=[f"{source.path}: internal error while linting: {type(error).__name__}: {message}"],
            internal_error=True,
        )
