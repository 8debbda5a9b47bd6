"""A content cache of per-file results, so an unchanged file is never analysed twice.

Layout (``.compilelint_cache/`` at the project root unless ``cache-dir`` says otherwise)::

    CACHEDIR.TAG                 backup and indexing tools skip the folder
    .gitignore                   ``*``: the cache never ends up in a commit
    <tool stamp>-<settings>/     one bucket per tool build and effective settings
        <content key>            one JSON entry per (path, source) linted, with the
                                 content digest of each project module its facts read

An entry is written to a temporary file and renamed into place, so a reader sees either
the whole entry or none. Anything unreadable (truncated, corrupt, from another format, a
permission problem) is a miss: the file is linted again, and the run never fails because
of the cache.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
from pathlib import Path

from compilelint.config import Settings, relative_path
from compilelint.diagnostics import Diagnostic, Edit, FileResult, Fix, Span
from compilelint.sources import SourceError, content_digest, file_stamp, read_bytes, replace_atomically

CACHE_DIR_NAME = ".compilelint_cache"
CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by compilelint.\n"
    "# For information about cache directory tags see https://bford.info/cachedir/\n"
)
_ENTRY_FORMAT = 2


def cache_dir_for(settings: Settings) -> Path:
    """The cache folder: ``--cache-dir`` or the ``cache-dir`` setting, else at the root."""
    if settings.cache_dir:
        return Path(settings.cache_dir)
    return Path(settings.root) / CACHE_DIR_NAME


@functools.lru_cache(maxsize=None)
def tool_stamp() -> str:
    """The version plus a digest of the installed code and data, so that a changed rule in a
    development checkout (same version number) never serves stale results."""
    from compilelint import __version__

    digest = hashlib.blake2b(digest_size=8)
    package = Path(__file__).resolve().parent
    import compilelint.rules as rules

    folders = [package, package / "facts", package / "report", package / "data", *map(Path, rules.__path__)]
    for folder in folders:
        try:
            entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
        except OSError:
            continue
        for entry in entries:
            if entry.name.endswith((".py", ".json")) and entry.is_file():
                stat = entry.stat()
                digest.update(f"{folder.name}/{entry.name}:{stat.st_size}:{stat.st_mtime_ns};".encode())
    return f"{__version__}-{digest.hexdigest()}"


class ResultCache:
    """Per-file results keyed by tool build, effective settings, path and source content."""

    def __init__(self, directory: Path, settings: Settings) -> None:
        self.directory = Path(directory)
        self.root = settings.root
        # One bucket per settings and per project root: two sub-projects sharing a --cache-dir
        # with the same settings still keep their path indexes apart.
        where = hashlib.blake2b(os.path.relpath(settings.root, self.directory).encode("utf-8", "surrogatepass"), digest_size=4)
        self.bucket = self.directory / f"{tool_stamp()}-{settings.fingerprint()}-{where.hexdigest()}"
        self._writable: bool | None = None
        self._files: dict[str, list] | None = None  # see known_key()
        self._index_changed = False

    def key(self, path: str, data: bytes) -> str:
        """From the file's raw bytes, so a hit needs no decoding; a notebook's cells and
        blanked magics are a function of its bytes too."""
        # The path is part of the key: per-file-ignores and path-dependent rules (tests are
        # treated differently) make a result depend on where the text lives.
        digest = hashlib.blake2b(digest_size=20)
        digest.update(relative_path(path, self.root).encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
        digest.update(data)
        return digest.hexdigest()

    def get(self, key: str, path: str, check_dependencies: bool = True) -> FileResult | None:
        """The stored result, while the project modules it read still hold what they held
        (``check_dependencies`` False: the caller has seen their stamps unchanged)."""
        try:
            with open(self.bucket / key, "rb") as handle:
                data = json.loads(handle.read())
            if data.get("format") != _ENTRY_FORMAT or data.get("key") != key:
                return None
            dependencies = []
            for relative, digest in data.get("dependencies", []):
                absolute = self._absolute(_text(relative))
                stamp = file_stamp(absolute) if check_dependencies else None
                if check_dependencies and _digest_of(absolute) != digest:
                    return None
                dependencies.append((absolute, digest, stamp))
            warnings = [f"{path}{_text(rest)}" for rest in data["warnings"]]
            diagnostics = [_diagnostic(item, path) for item in data["diagnostics"]]
            return FileResult(path=path, diagnostics=diagnostics, warnings=warnings, dependencies=dependencies)
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None

    def put(self, key: str, result: FileResult) -> bool:
        """Store a clean result (True when stored); results with errors are recomputed next
        time instead."""
        if result.errors or result.internal_error or not self._prepare():
            return False
        if any(not warning.startswith(result.path + ":") for warning in result.warnings):
            return False
        # Warnings start with the path, which a later run may spell differently (another cwd).
        warnings = [warning[len(result.path) :] for warning in result.warnings]
        entry = {"format": _ENTRY_FORMAT, "key": key, "diagnostics": [_diagnostic_dict(d) for d in result.diagnostics], "warnings": warnings}
        if result.dependencies:
            entry["dependencies"] = [[relative_path(path, self.root), digest] for path, digest, _ in result.dependencies]
        payload = json.dumps(entry, separators=(",", ":")).encode()
        return _replace_atomically(self.bucket / key, payload)

    # A warm run should cost little more than listing the tree: each file's (size, mtime,
    # inode) is remembered with its cache key ("" for a file without a compile() call), and
    # the stamps of the project modules its result read, so an unchanged file is answered
    # from a few stats instead of being read and hashed again.
    @staticmethod
    def stamp(path: str) -> list[int] | None:
        return file_stamp(path)

    def known_key(self, path: str) -> str | None:
        """The cache key of ``path`` if it and the modules its result read are unchanged
        since it was remembered, else None."""
        entry = self._index().get(relative_path(path, self.root))
        if not isinstance(entry, list) or len(entry) not in (4, 5) or entry[:3] != file_stamp(path):
            return None
        if len(entry) == 5 and not self._unchanged(entry[4]):
            return None
        return entry[3] if isinstance(entry[3], str) else None

    def _unchanged(self, stamps) -> bool:
        if not isinstance(stamps, list):
            return False
        for item in stamps:
            if not isinstance(item, list) or not item or not isinstance(item[0], str):
                return False
            if file_stamp(self._absolute(item[0])) != (item[1:] or None):
                return False
        return True

    def remember(self, path: str, stamp: list[int] | None, key: str, dependencies=()) -> None:
        """``stamp`` is the file's ``stamp()`` taken before it was read; ``dependencies`` the
        result's (path, digest, stamp taken before reading) of each project module it read."""
        if stamp is not None:
            entry: list = [*stamp, key]
            if dependencies:
                entry.append([[relative_path(read, self.root), *(read_stamp or [])] for read, _, read_stamp in dependencies])
            self._index()[relative_path(path, self.root)] = entry
            self._index_changed = True

    def _absolute(self, relative: str) -> str:
        return relative if os.path.isabs(relative) else os.path.join(os.path.abspath(self.root), relative)

    def save_index(self) -> None:
        if not self._index_changed or not self._prepare():
            return
        payload = json.dumps({"format": _ENTRY_FORMAT, "files": self._files}, separators=(",", ":")).encode()
        _replace_atomically(self.bucket / _INDEX, payload)
        self._index_changed = False

    def _index(self) -> dict[str, list]:
        if self._files is None:
            try:
                data = json.loads((self.bucket / _INDEX).read_bytes())
                files = data["files"] if data.get("format") == _ENTRY_FORMAT else {}
                self._files = files if isinstance(files, dict) else {}
            except (OSError, ValueError, KeyError, TypeError, AttributeError):
                self._files = {}
        return self._files

    def _prepare(self) -> bool:
        """Create the folders and tags once; a cache that cannot be written is just off."""
        if self._writable is None:
            try:
                self.bucket.mkdir(parents=True, exist_ok=True)
                _write_if_missing(self.directory / "CACHEDIR.TAG", CACHEDIR_TAG)
                _write_if_missing(self.directory / ".gitignore", "# Created by compilelint.\n*\n")
                self._writable = True
            except OSError:
                self._writable = False
        return self._writable


_INDEX = "files.json"


class CacheSet:
    """A ResultCache for each Settings a run uses (each config file's project has its own
    folder and bucket, as its settings decide the results)."""

    def __init__(self) -> None:
        self._caches: dict[Settings, ResultCache] = {}

    def for_settings(self, settings: Settings) -> ResultCache:
        cache = self._caches.get(settings)
        if cache is None:
            cache = self._caches[settings] = ResultCache(cache_dir_for(settings), settings)
        return cache


def _digest_of(path: str) -> str | None:
    try:
        return content_digest(read_bytes(path))
    except SourceError:
        return None


def _replace_atomically(target: Path, payload: bytes) -> bool:
    try:
        replace_atomically(str(target), payload)
        return True
    except OSError:
        return False


def clean(directory: Path) -> bool:
    """Delete a compilelint cache folder; False when there was none. Refuses (ValueError) a
    folder that is not a compilelint cache, so a mistyped ``--cache-dir`` deletes nothing."""
    directory = Path(directory)
    if not directory.exists():
        return False
    try:
        tag = (directory / "CACHEDIR.TAG").read_text(encoding="utf-8", errors="replace")
    except OSError:
        tag = ""
    ours = tag.startswith(CACHEDIR_TAG.splitlines()[0]) and "compilelint" in tag
    if not ours:
        raise ValueError(f"{directory}: not a compilelint cache (no compilelint CACHEDIR.TAG); nothing removed")
    shutil.rmtree(directory)
    return True


def _write_if_missing(path: Path, text: str) -> None:
    if not path.exists():
        replace_atomically(str(path), text.encode("utf-8"))


def _span_list(span: Span) -> list[int]:
    return [span.line, span.column, span.end_line, span.end_column]


def _diagnostic_dict(diagnostic: Diagnostic) -> dict:
    fix = diagnostic.fix
    return {
        "code": diagnostic.code,
        "name": diagnostic.name,
        "message": diagnostic.message,
        "span": _span_list(diagnostic.span),
        "severity": diagnostic.severity,
        "cell": diagnostic.cell,
        "fix": None
        if fix is None
        else {
            "description": fix.description,
            "safe": fix.safe,
            "edits": [{"span": _span_list(edit.span), "text": edit.text} for edit in fix.edits],
        },
    }


def _span(values: list) -> Span:
    line, column, end_line, end_column = values
    if not all(isinstance(value, int) for value in values):
        raise TypeError("span values must be integers")
    return Span(line, column, end_line, end_column)


def _text(value) -> str:
    if not isinstance(value, str):
        raise TypeError("expected a string")
    return value


def _diagnostic(data: dict, path: str) -> Diagnostic:
    fix = data["fix"]
    cell = data["cell"]
    if cell is not None and not isinstance(cell, int):
        raise TypeError("cell must be an integer")
    return Diagnostic(
        code=_text(data["code"]),
        name=_text(data["name"]),
        message=_text(data["message"]),
        path=path,
        span=_span(data["span"]),
        severity=_text(data["severity"]),
        cell=cell,
        fix=None
        if fix is None
        else Fix(
            description=_text(fix["description"]),
            safe=bool(fix["safe"]),
            edits=tuple(Edit(_span(edit["span"]), _text(edit["text"])) for edit in fix["edits"]),
        ),
    )
