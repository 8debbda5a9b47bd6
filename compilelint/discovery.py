"""Paths on the command line -> the .py and .ipynb files to lint."""

from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from compilelint.config import Settings, relative_path

LINTABLE_SUFFIXES = (".py", ".pyi", ".ipynb")


@dataclass
class Discovery:
    files: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # one line each


class _GitIgnore:
    """The .gitignore files that apply to a folder, read once each (pathspec does matching)."""

    def __init__(self) -> None:
        self._specs: dict[Path, object] = {}
        self._chains: dict[str, list] = {}

    def _spec_for(self, folder: Path):
        if folder not in self._specs:
            lines: list[str] = []
            ignore = folder / ".gitignore"
            if ignore.is_file():
                try:
                    lines = ignore.read_text(encoding="utf-8", errors="replace").splitlines()
                except OSError:
                    lines = []
            if (folder / ".git").is_dir():
                exclude = folder / ".git" / "info" / "exclude"
                if exclude.is_file():
                    try:
                        lines += exclude.read_text(encoding="utf-8", errors="replace").splitlines()
                    except OSError:
                        pass
            if lines:
                import pathspec  # only when there is an ignore file: importing it costs ~60 ms

                self._specs[folder] = pathspec.PathSpec.from_lines("gitwildmatch", lines)
            else:
                self._specs[folder] = None
        return self._specs[folder]

    def ignored(self, path: Path, is_dir: bool) -> bool:
        return self.ignored_in(str(path.parent), path.name, is_dir)

    def ignored_in(self, folder: str, name: str, is_dir: bool) -> bool:
        """Whether ``name`` in the absolute ``folder`` is ignored (the walk's fast form)."""
        applicable = self._applicable(folder)
        if not applicable:
            return False
        path = os.path.join(folder, name)
        for base, spec in applicable:
            relative = Path(os.path.relpath(path, base)).as_posix() + ("/" if is_dir else "")
            if spec.match_file(relative):
                return True
        return False

    def enter(self, folder: str, filenames: list[str], dirnames: list[str]) -> None:
        """The walk's view of a folder: its listing says whether it holds .gitignore or
        .git, so the chain is built without a stat per folder (the parent came first)."""
        if folder in self._chains:
            return
        parent = os.path.dirname(folder)
        if ".git" in dirnames or ".git" in filenames or parent == folder:
            outer: list = []
        else:
            outer = self._chains.get(parent)
            if outer is None:
                outer = self._applicable(parent)
        spec = self._spec_for(Path(folder)) if ".gitignore" in filenames or ".git" in dirnames else None
        self._chains[folder] = [*outer, (folder, spec)] if spec is not None else outer

    def _applicable(self, folder: str) -> list:
        """[(folder, spec)] of the ignore files that apply inside ``folder``, outermost first.

        Every folder from the filesystem root down may hold a .gitignore that applies; the
        search stops at the repository root (the folder with .git) when there is one. Memoised
        per folder, so a walk stats each folder's .git once instead of once per file.
        """
        found = self._chains.get(folder)
        if found is None:
            parent = os.path.dirname(folder)
            outer = [] if parent == folder or os.path.exists(os.path.join(folder, ".git")) else self._applicable(parent)
            spec = self._spec_for(Path(folder))
            found = [*outer, (folder, spec)] if spec is not None else outer
            self._chains[folder] = found
        return found


class _ExcludeMatcher:
    """``exclude`` + ``extend-exclude`` as two compiled regexes: the same answers as
    ``config.matches_pattern`` for every pattern, without thousands of fnmatch calls per walk."""

    def __init__(self, settings: Settings) -> None:
        raw = (*settings.exclude, *settings.extend_exclude)
        self._names = frozenset(raw)  # a pattern that equals a path component
        patterns = [pattern.rstrip("/") for pattern in raw]
        self._relative = _union(
            translated for p in patterns for translated in (fnmatch.translate(p), fnmatch.translate(p + "/*"), fnmatch.translate("*/" + p))
        )
        self._name = _union(fnmatch.translate(p) for p in patterns)

    def excluded(self, relative: str) -> bool:
        if self._relative is None:
            return False
        name = relative.rsplit("/", 1)[-1]
        return (
            self._relative.match(relative) is not None
            or self._name.match(name) is not None
            or not self._names.isdisjoint(relative.split("/"))
        )


def _union(regexes) -> "re.Pattern | None":
    parts = list(regexes)
    return re.compile("|".join(f"(?:{part})" for part in parts)) if parts else None


def discover(paths: list[str], settings: Settings) -> Discovery:
    result = Discovery()
    gitignore = _GitIgnore() if settings.respect_gitignore else None
    excludes = _ExcludeMatcher(settings)
    seen: set[str] = set()
    for raw in paths:
        path = Path(raw)
        if not os.path.lexists(raw):
            result.errors.append(f"{raw}: no such file or directory")
            continue
        if path.is_dir():
            for file in _walk(path, settings, excludes, gitignore, result):
                if file not in seen:
                    seen.add(file)
                    result.files.append(file)
        elif path.is_file() or path.is_symlink():
            if settings.force_exclude and (
                excludes.excluded(relative_path(raw, settings.root))
                or (gitignore and gitignore.ignored(path.absolute(), False))
            ):
                continue
            if raw not in seen:
                seen.add(raw)
                result.files.append(raw)
        else:
            result.errors.append(f"{raw}: not a regular file or directory")
    return result


def _walk(
    top: Path, settings: Settings, excludes: _ExcludeMatcher, gitignore: _GitIgnore | None, result: Discovery
) -> Iterator[str]:
    visited: set[tuple[int, int]] = set()

    def on_error(error: OSError) -> None:
        result.errors.append(f"{error.filename}: cannot read directory: {error.strerror}")

    for folder, dirnames, filenames in os.walk(top, onerror=on_error, followlinks=True):
        try:
            stat = os.stat(folder)
        except OSError:
            dirnames[:] = []
            continue
        key = (stat.st_dev, stat.st_ino)
        if key in visited:  # a symlink loop
            dirnames[:] = []
            continue
        visited.add(key)
        # Relative and absolute forms are computed once per folder, not once per file.
        folder_relative = relative_path(folder, settings.root)
        prefix = "" if folder_relative == "." else folder_relative + "/"
        folder_absolute = os.path.abspath(folder)
        if gitignore is not None:
            gitignore.enter(folder_absolute, filenames, dirnames)

        def skipped(name: str, is_dir: bool) -> bool:
            return excludes.excluded(prefix + name) or (
                gitignore is not None and gitignore.ignored_in(folder_absolute, name, is_dir)
            )

        dirnames[:] = [name for name in sorted(dirnames) if not skipped(name, True)]  # never walk into ignored trees
        for name in sorted(filenames):
            if name.endswith(LINTABLE_SUFFIXES) and not skipped(name, False):
                yield os.path.join(folder, name)
