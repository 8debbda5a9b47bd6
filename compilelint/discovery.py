"""Paths on the command line -> the .py and .ipynb files to lint."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from compilelint.config import Settings, _matches, _relative

LINTABLE_SUFFIXES = (".py", ".pyi")


@dataclass
class Discovery:
    files: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # one line each


class _GitIgnore:
    """The .gitignore files that apply to a folder, read once each (pathspec does matching)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._specs: dict[Path, object] = {}

    def _spec_for(self, folder: Path):
        if folder not in self._specs:
            import pathspec

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
            self._specs[folder] = pathspec.PathSpec.from_lines("gitwildmatch", lines) if lines else None
        return self._specs[folder]

    def ignored(self, path: Path, is_dir: bool) -> bool:
        # Every folder from the filesystem root down may hold a .gitignore that applies; stop
        # at the repository root (the folder with .git) when there is one.
        folders = []
        for parent in path.parents:
            folders.append(parent)
            if (parent / ".git").exists():
                break
        for folder in reversed(folders):
            spec = self._spec_for(folder)
            if spec is None:
                continue
            relative = path.relative_to(folder).as_posix() + ("/" if is_dir else "")
            if spec.match_file(relative):
                return True
        return False


def _excluded(path: str, settings: Settings) -> bool:
    relative = _relative(path, settings.root)
    parts = relative.split("/")
    for pattern in (*settings.exclude, *settings.extend_exclude):
        if _matches(pattern, relative) or (pattern in parts):
            return True
    return False


def discover(paths: list[str], settings: Settings) -> Discovery:
    result = Discovery()
    gitignore = _GitIgnore(Path(settings.root)) if settings.respect_gitignore else None
    seen: set[str] = set()
    for raw in paths:
        path = Path(raw)
        if not os.path.lexists(raw):
            result.errors.append(f"{raw}: no such file or directory")
            continue
        if path.is_dir():
            for file in _walk(path, settings, gitignore, result):
                if file not in seen:
                    seen.add(file)
                    result.files.append(file)
        elif path.is_file() or path.is_symlink():
            if settings.force_exclude and (_excluded(raw, settings) or (gitignore and gitignore.ignored(path.absolute(), False))):
                continue
            if raw not in seen:
                seen.add(raw)
                result.files.append(raw)
        else:
            result.errors.append(f"{raw}: not a regular file or directory")
    return result


def _walk(top: Path, settings: Settings, gitignore: _GitIgnore | None, result: Discovery) -> Iterator[str]:
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
        kept = []
        for name in sorted(dirnames):
            child = os.path.join(folder, name)
            if _excluded(child, settings) or (gitignore and gitignore.ignored(Path(child).absolute(), True)):
                continue
            kept.append(name)
        dirnames[:] = kept  # never walk into ignored trees
        for name in sorted(filenames):
            if not name.endswith(LINTABLE_SUFFIXES):
                continue
            child = os.path.join(folder, name)
            if _excluded(child, settings) or (gitignore and gitignore.ignored(Path(child).absolute(), False)):
                continue
            yield child
