"""Paths on the command line -> the .py and .ipynb files to lint."""

from __future__ import annotations

import fnmatch
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from compilelint.config import ConfigError, Settings, SettingsResolver, relative_path

LINTABLE_SUFFIXES = (".py", ".pyi", ".ipynb")


@dataclass
class Discovery:
    files: list[str] = field(default_factory=list)
    settings: dict[str, Settings] = field(default_factory=dict)  # file -> the settings that apply to it
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
        applicable = self.applicable(folder)
        if not applicable:
            return False
        path = os.path.join(folder, name)
        for base, spec in applicable:
            relative = Path(os.path.relpath(path, base)).as_posix() + ("/" if is_dir else "")
            if spec.match_file(relative):
                return True
        return False

    def enter(self, folder: str, names: set[str]) -> None:
        """The walk's view of a folder: its listing says whether it holds .gitignore or
        .git, so the chain is built without a stat per folder (the parent came first)."""
        if folder in self._chains:
            return
        parent = os.path.dirname(folder)
        if ".git" in names or parent == folder:
            outer: list = []
        else:
            outer = self._chains.get(parent)
            if outer is None:
                outer = self.applicable(parent)
        spec = self._spec_for(Path(folder)) if ".gitignore" in names or ".git" in names else None
        self._chains[folder] = [*outer, (folder, spec)] if spec is not None else outer

    def applicable(self, folder: str) -> list:
        """[(folder, spec)] of the ignore files that apply inside ``folder``, outermost first.

        Every folder from the filesystem root down may hold a .gitignore that applies; the
        search stops at the repository root (the folder with .git) when there is one. Memoised
        per folder, so a walk stats each folder's .git once instead of once per file.
        """
        found = self._chains.get(folder)
        if found is None:
            parent = os.path.dirname(folder)
            outer = [] if parent == folder or os.path.exists(os.path.join(folder, ".git")) else self.applicable(parent)
            spec = self._spec_for(Path(folder))
            found = [*outer, (folder, spec)] if spec is not None else outer
            self._chains[folder] = found
        return found


class ExcludeMatcher:
    """``exclude`` + ``extend-exclude``: the same answers as ``config.matches_pattern`` for
    every pattern, cheaply enough to ask for every entry of a large tree.

    Under ``config.matches_pattern``, a pattern without glob characters or slashes (all the
    defaults) matches a path exactly when it names the entry or a folder the entry is in, so
    those are a set lookup; the rest are one compiled regex over the relative path and one
    over the name.
    """

    def __init__(self, settings: Settings) -> None:
        raw = (*settings.exclude, *settings.extend_exclude)
        self.components = frozenset(p.rstrip("/") for p in raw if _is_plain_name(p.rstrip("/")))
        patterns = [p.rstrip("/") for p in raw if not _is_plain_name(p.rstrip("/"))]
        self._relative = _union(
            translated for p in patterns for translated in (fnmatch.translate(p), fnmatch.translate(p + "/*"), fnmatch.translate("*/" + p))
        )
        self._name = _union(fnmatch.translate(p) for p in patterns)

    def excluded(self, relative: str) -> bool:
        """Whether a walk from the root would skip ``relative``: it, or one of the folders
        it is in, matches a pattern (what ``--force-exclude`` applies to explicit paths)."""
        parts = relative.split("/")
        return any(self.entry_excluded("/".join(parts[: depth + 1]), part) for depth, part in enumerate(parts))

    def entry_excluded(self, relative: str, name: str) -> bool:
        """Whether the entry ``name`` at ``relative`` matches a pattern itself (a walk has
        already checked the folders it is in)."""
        if name in self.components:
            return True
        if self._relative is None:
            return False
        return self._relative.match(relative) is not None or self._name.match(name) is not None


def _is_plain_name(pattern: str) -> bool:
    return bool(pattern) and not any(char in pattern for char in "*?[/")


def _union(regexes) -> "re.Pattern | None":
    parts = list(regexes)
    return re.compile("|".join(f"(?:{part})" for part in parts)) if parts else None


def discover(paths: list[str], settings: "Settings | SettingsResolver") -> Discovery:
    """The files under ``paths``, each with the settings that apply to it (``settings``: one
    Settings for every file, or a resolver that finds each folder's nearest config).

    An explicit path is linted even inside an excluded folder unless ``force-exclude`` is on
    (as Ruff does): naming it is the user's choice. A folder's own entries are always
    checked against the exclusions.
    """
    resolver = SettingsResolver.fixed(settings) if isinstance(settings, Settings) else settings
    result = Discovery()
    walk = _Walk(resolver, result)
    for raw in paths:
        path = Path(raw)
        if not os.path.lexists(raw):
            result.errors.append(f"{raw}: no such file or directory")
            continue
        if path.is_dir():
            walk.run(raw)
        elif path.is_file() or path.is_symlink():
            file_settings = walk.settings_for(os.path.dirname(os.path.abspath(raw)))
            if file_settings is None:
                continue
            if file_settings.force_exclude and walk.explicitly_excluded(raw, file_settings, is_dir=False):
                continue
            walk.add(_clean(raw), file_settings)
        else:
            result.errors.append(f"{raw}: not a regular file or directory")
    return result


def _clean(raw: str) -> str:
    """A path as every format shows it: relative to the current folder when it is inside
    it, without ``./`` (``./a.py``, ``/home/me/proj/a.py`` -> ``a.py``); else as given."""
    absolute = os.path.abspath(raw)
    cwd = os.getcwd()
    if absolute == cwd:
        return "."
    if absolute.startswith(os.path.join(cwd, "")):
        return os.path.relpath(absolute, cwd)
    return os.path.normpath(raw)


class _Walk:
    """One discovery's state: the files found so far, and per settings their exclusions."""

    def __init__(self, resolver: SettingsResolver, result: Discovery) -> None:
        self.resolver = resolver
        self.result = result
        self.gitignore = _GitIgnore()
        self._matchers: dict[int, ExcludeMatcher] = {}
        self._bad_configs: set[str] = set()
        self._seen: set[str] = set()

    def add(self, file: str, settings: Settings) -> None:
        if file not in self._seen:
            self._seen.add(file)
            self.result.files.append(file)
            self.result.settings[file] = settings

    def excludes(self, settings: Settings) -> ExcludeMatcher:
        matcher = self._matchers.get(id(settings))
        if matcher is None:
            matcher = self._matchers[id(settings)] = ExcludeMatcher(settings)
        return matcher

    def settings_for(self, folder: str, names=None) -> Settings | None:
        """The folder's settings; None (and one error line per bad config) when its config
        cannot be used, so that nothing it governs is linted with settings it did not ask for."""
        try:
            return self.resolver.for_folder(folder, names)
        except ConfigError as error:
            message = str(error)
            if message not in self._bad_configs:
                self._bad_configs.add(message)
                self.result.errors.append(message)
            return None

    def explicitly_excluded(self, raw: str, settings: Settings, is_dir: bool) -> bool:
        """What ``force-exclude`` applies to a path given on the command line."""
        if self.excludes(settings).excluded(relative_path(raw, settings.root)):
            return True
        return settings.respect_gitignore and self.gitignore.ignored(Path(raw).absolute(), is_dir)

    def run(self, top: str) -> None:
        """Files under ``top`` in sorted order, never entering an excluded or ignored folder.

        A scandir walk rather than os.walk: the per-entry work here is what a warm run on a
        large tree spends most of its time on, so each folder's settings, relative and
        absolute forms and the ignore files that apply in it are worked out once per folder.
        """
        visited: set[tuple[int, int]] = set()
        top = _clean(top)
        stack = [top]
        while stack:
            folder = stack.pop()
            try:
                info = os.stat(folder)
                if (info.st_dev, info.st_ino) in visited:  # a symlink loop
                    continue
                visited.add((info.st_dev, info.st_ino))
                with os.scandir(folder) as listing:
                    entries = sorted(listing, key=lambda entry: entry.name)
            except OSError as error:
                self.result.errors.append(f"{error.filename or folder}: cannot read directory: {error.strerror}")
                continue
            folder_absolute = os.path.abspath(folder)
            names = {entry.name for entry in entries}
            settings = self.settings_for(folder_absolute, names)
            if settings is None:
                continue
            if folder == top and settings.force_exclude and self.explicitly_excluded(folder, settings, is_dir=True):
                continue
            excludes = self.excludes(settings)
            folder_relative = relative_path(folder, settings.root)
            prefix = "" if folder_relative == "." else folder_relative + "/"
            ignores = None
            if settings.respect_gitignore:
                self.gitignore.enter(folder_absolute, names)
                ignores = self.gitignore.applicable(folder_absolute) or None

            def skipped(name: str, is_dir: bool) -> bool:
                return excludes.entry_excluded(prefix + name, name) or (
                    ignores is not None and self.gitignore.ignored_in(folder_absolute, name, is_dir)
                )

            subfolders = []
            for entry in entries:
                name = entry.name
                if _is_dir(entry):
                    if not skipped(name, True):
                        subfolders.append(entry.path if folder != "." else name)
                elif name.endswith(LINTABLE_SUFFIXES) and not skipped(name, False):
                    self.add(entry.path if folder != "." else name, settings)
            stack.extend(reversed(subfolders))  # depth first, in name order, like os.walk


def _is_dir(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir()  # follows symlinks, as the walk does
    except OSError:
        return False
