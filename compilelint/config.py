"""Settings: ``[tool.compilelint]`` in the nearest pyproject.toml (or compilelint.toml)
above each file, as Ruff resolves them, then the command line on top."""

from __future__ import annotations

import fnmatch
import functools
import hashlib
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from compilelint.versions import environment_major, parse_setting


DEFAULT_EXCLUDE = (
    ".git",
    ".hg",
    ".svn",
    ".mypy_cache",
    ".nox",
    ".tox",
    ".venv",
    "venv",
    ".eggs",
    "__pypackages__",
    "_build",
    "build",
    "dist",
    "node_modules",
    "site-packages",
    ".ipynb_checkpoints",
    ".compilelint_cache",
)

# key in the config file -> (python attribute, expected type)
_KEYS: dict[str, tuple[str, type | tuple[type, ...]]] = {
    "select": ("select", list),
    "ignore": ("ignore", list),
    "extend-select": ("extend_select", list),
    "per-file-ignores": ("per_file_ignores", dict),
    "exclude": ("exclude", list),
    "extend-exclude": ("extend_exclude", list),
    "respect-gitignore": ("respect_gitignore", bool),
    "force-exclude": ("force_exclude", bool),
    "keras-version": ("keras_version", (str, int)),
    "output-format": ("output_format", str),
    "cache-dir": ("cache_dir", str),
    "unsafe-fixes": ("unsafe_fixes", bool),
}


# The names of report/formatters.py's FORMATTERS (a test keeps the two equal): settings sit
# below the formatters and must not import them.
OUTPUT_FORMATS = ("concise", "full", "json", "json-lines", "github", "sarif", "junit", "gitlab")


class ConfigError(Exception):
    """A problem with settings; the message is one line, and the run exits 2."""


@dataclass
class RawOptions:
    """Settings as written, before rule selectors are resolved."""

    select: list | None = None
    ignore: list = field(default_factory=list)
    extend_select: list = field(default_factory=list)
    per_file_ignores: dict = field(default_factory=dict)
    exclude: list | None = None
    extend_exclude: list = field(default_factory=list)
    respect_gitignore: bool = True
    force_exclude: bool = False
    keras_version: Any = "auto"
    output_format: str = "concise"
    cache_dir: str | None = None
    unsafe_fixes: bool = False


@dataclass(frozen=True)
class Settings:
    enabled: frozenset[str]
    per_file_ignores: tuple[tuple[str, frozenset[str]], ...] = ()
    keras_version: str = "auto"
    environment_major_override: int | None = None  # None: read the installed packages when needed
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE
    extend_exclude: tuple[str, ...] = ()
    respect_gitignore: bool = True
    force_exclude: bool = False
    output_format: str = "concise"
    cache_dir: str | None = None
    root: str = "."  # the folder of the config file, or the working directory
    unsafe_fixes: bool = False  # --fix also applies fixes that may change behaviour
    config_file: str | None = None  # where these settings were read from; None: the defaults

    def codes_for(self, path: str) -> frozenset[str]:
        ignored: set[str] = set()
        relative = relative_path(path, self.root)
        for pattern, codes in self.per_file_ignores:
            if matches_pattern(pattern, relative):
                ignored |= codes
        return self.enabled - ignored if ignored else self.enabled

    @property
    def environment_major(self) -> int:
        """What unqualified ``keras`` means here; read lazily, since most runs never parse."""
        if self.environment_major_override is not None:
            return self.environment_major_override
        return environment_major() if self.keras_version == "auto" else 3

    def fingerprint(self) -> str:
        """Everything that changes what linting one file's text produces."""
        from compilelint import __version__

        payload = {
            "version": __version__,
            "enabled": sorted(self.enabled),
            "per_file_ignores": [[p, sorted(c)] for p, c in self.per_file_ignores],
            "keras_version": self.keras_version,
            "environment_major": self.environment_major,
        }
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]


def relative_path(path: str, root: str) -> str:
    """``path`` relative to ``root`` with forward slashes (``path`` itself when outside)."""
    absolute = os.path.abspath(path)
    prefix = _absolute_root(root)
    if absolute.startswith(prefix):
        absolute = absolute[len(prefix) :]
    else:
        absolute = path
    return absolute.replace(os.sep, "/") if os.sep != "/" else absolute


@functools.lru_cache(maxsize=8)
def _absolute_root(root: str) -> str:
    return os.path.join(os.path.abspath(root), "")


def matches_pattern(pattern: str, relative: str) -> bool:
    """Ruff-style file patterns: a glob against the relative path or the file name."""
    pattern = pattern.rstrip("/")
    name = relative.rsplit("/", 1)[-1]
    return (
        fnmatch.fnmatch(relative, pattern)
        or fnmatch.fnmatch(name, pattern)
        or fnmatch.fnmatch(relative, pattern + "/*")
        or fnmatch.fnmatch(relative, "*/" + pattern)
    )


CONFIG_NAMES = ("compilelint.toml", "pyproject.toml")


def find_config(start: Path) -> Path | None:
    """The nearest compilelint.toml, or pyproject.toml with a [tool.compilelint] table."""
    start = start.resolve()
    for folder in [start, *start.parents]:
        found = config_in(str(folder))
        if found is not None:
            return found
    return None


def config_in(folder: str, names=None) -> Path | None:
    """The config file of ``folder`` itself, if it has one: compilelint.toml, else a
    pyproject.toml with a [tool.compilelint] table. ``names``, the folder's listing when the
    caller has it, saves a stat per candidate name."""
    for name in CONFIG_NAMES:
        path = os.path.join(folder, name)
        if (name in names) if names is not None else os.path.isfile(path):
            if name == "compilelint.toml" or _has_table(Path(path)):
                return Path(path)
    return None


def _has_table(pyproject: Path) -> bool:
    try:
        tool = _read_toml(pyproject).get("tool")
    except ConfigError:
        return True  # reported when it is read as the config
    return isinstance(tool, dict) and "compilelint" in tool


def _read_toml(path: Path) -> dict:
    # Imported here: most runs in a project without a config file never read TOML.
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python 3.10 only
        import tomli as tomllib
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror}") from None


def read_options(path: Path) -> RawOptions:
    data = _read_toml(path)
    tool = data.get("tool", {})
    if not isinstance(tool, dict):
        raise ConfigError(f"{path}: [tool] must be a table")
    table = tool.get("compilelint", {} if path.name == "pyproject.toml" else data)
    options = RawOptions()
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.compilelint] must be a table")
    for key, value in table.items():
        if key not in _KEYS:
            known = ", ".join(sorted(_KEYS))
            raise ConfigError(f"{path}: unknown setting {key!r} (known: {known})")
        attribute, expected = _KEYS[key]
        if not isinstance(value, expected):
            raise ConfigError(f"{path}: {key} must be a {_type_name(expected)}, not {type(value).__name__}")
        if expected is list and not all(isinstance(item, str) for item in value):
            raise ConfigError(f"{path}: {key} must be a list of strings")
        setattr(options, attribute, value)
    return options


def _type_name(expected) -> str:
    names = {list: "list", dict: "table", bool: "boolean", str: "string", int: "integer"}
    if isinstance(expected, tuple):
        return " or ".join(names[t] for t in expected)
    return names[expected]


def build_settings(
    options: RawOptions,
    root: Path,
    *,
    select: list[str] | None = None,
    ignore: list[str] | None = None,
    extend_select: list[str] | None = None,
    keras_version: str | None = None,
    output_format: str | None = None,
    cache_dir: str | None = None,
    force_exclude: bool | None = None,
    unsafe_fixes: bool | None = None,
    source: str = "",
) -> Settings:
    """Resolve rule selectors and validate values; the command line wins over the file."""
    from compilelint.selectors import default_codes, expand_selector

    where = f"{source}: " if source else ""

    def expand(selectors: list[str], what: str) -> set[str]:
        codes: set[str] = set()
        for selector in selectors:
            try:
                codes |= expand_selector(selector)
            except ValueError as error:
                raise ConfigError(f"{where}{what}: {error}") from None
        return codes

    chosen_select = select if select is not None else options.select
    enabled = expand(chosen_select, "select") if chosen_select is not None else default_codes()
    enabled |= expand(options.extend_select, "extend-select") | expand(extend_select or [], "--extend-select")
    enabled -= expand(options.ignore, "ignore") | expand(ignore or [], "--ignore")

    per_file = []
    for pattern, selectors in options.per_file_ignores.items():
        if not isinstance(selectors, list) or not all(isinstance(s, str) for s in selectors):
            raise ConfigError(f"{where}per-file-ignores: {pattern!r} must map to a list of codes")
        per_file.append((pattern, frozenset(expand(selectors, "per-file-ignores"))))

    try:
        version = parse_setting(str(keras_version if keras_version is not None else options.keras_version))
    except ValueError as error:
        raise ConfigError(f"{where}{error}") from None
    chosen_format = output_format or options.output_format
    if chosen_format not in OUTPUT_FORMATS:
        raise ConfigError(f"{where}output-format must be one of {', '.join(OUTPUT_FORMATS)}, not {chosen_format!r}")
    chosen_cache = cache_dir or options.cache_dir
    if chosen_cache and not os.path.isabs(chosen_cache):
        chosen_cache = str(root / chosen_cache)
    return Settings(
        enabled=frozenset(enabled),
        per_file_ignores=tuple(per_file),
        keras_version=version,
        exclude=tuple(options.exclude) if options.exclude is not None else DEFAULT_EXCLUDE,
        extend_exclude=tuple(options.extend_exclude),
        respect_gitignore=options.respect_gitignore,
        force_exclude=force_exclude if force_exclude is not None else options.force_exclude,
        output_format=chosen_format,
        cache_dir=chosen_cache,
        root=str(root),
        unsafe_fixes=unsafe_fixes if unsafe_fixes is not None else options.unsafe_fixes,
        config_file=source or None,
    )


def load_settings(config: str | None, start: Path, **overrides) -> Settings:
    """Settings from ``config`` (a file path) or the nearest config file above ``start``."""
    if config is not None:
        path = Path(config)
        if not path.is_file():
            raise ConfigError(f"{config}: config file not found")
    else:
        path = find_config(start)
    if path is None:
        return build_settings(RawOptions(), start.resolve(), **overrides)
    return build_settings(read_options(path), path.resolve().parent, source=str(path), **overrides)


def default_settings(**overrides) -> Settings:
    return build_settings(RawOptions(), Path.cwd(), **overrides)


class SettingsResolver:
    """The settings of each file, resolved as Ruff does: the nearest config file above the
    file decides (no merging with outer ones), the command line's ``overrides`` on top; a
    file with no config above it takes the current folder's settings. ``--config`` (or
    ``fixed``) gives every file the same settings.

    Each folder is answered once and each config file read once, so a walk over a large
    tree costs one dict lookup per folder. A bad config raises ConfigError (one line) for
    every file it governs, and only for those.
    """

    def __init__(self, overrides: dict | None = None, config: str | None = None, cwd: Path | None = None) -> None:
        self._overrides = overrides or {}
        self._cwd = (cwd or Path.cwd()).resolve()
        self._by_folder: dict[str, Settings | ConfigError] = {}
        self._by_config: dict[str, Settings | ConfigError] = {}
        self._default: Settings | ConfigError | None = None
        self._fixed: Settings | None = None
        if config is not None:
            self._fixed = load_settings(config, self._cwd, **self._overrides)

    @classmethod
    def fixed(cls, settings: Settings) -> "SettingsResolver":
        resolver = cls()
        resolver._fixed = settings
        return resolver

    def default(self) -> Settings:
        """The current folder's settings: run-wide options (output format) come from here."""
        if self._fixed is not None:
            return self._fixed
        if self._default is None:
            config = find_config(self._cwd)
            self._default = self._settings_from(config) if config is not None else self._defaults()
        return _raise_or_return(self._default)

    def for_file(self, path: str) -> Settings:
        return self.for_folder(os.path.dirname(os.path.abspath(path)))

    def for_folder(self, folder: str, names=None) -> Settings:
        """``folder`` is absolute; ``names`` is its listing when the caller has read it."""
        if self._fixed is not None:
            return self._fixed
        found = self._by_folder.get(folder)
        if found is None:
            found = self._resolve(folder, names)
        return _raise_or_return(found)

    def _resolve(self, folder: str, names) -> Settings | ConfigError:
        unresolved = []
        current, listing = folder, names
        while True:
            known = self._by_folder.get(current)
            if known is not None:
                found = known
                break
            unresolved.append(current)
            config = config_in(current, listing)
            if config is not None:
                found = self._settings_from(config)
                break
            parent = os.path.dirname(current)
            if parent == current:
                try:
                    found = self.default()
                except ConfigError as error:
                    found = error
                break
            current, listing = parent, None
        for name in unresolved:
            self._by_folder[name] = found
        return found

    def _settings_from(self, config: Path) -> Settings | ConfigError:
        key = str(config)
        if key not in self._by_config:
            try:
                self._by_config[key] = build_settings(read_options(config), config.parent, source=key, **self._overrides)
            except ConfigError as error:
                self._by_config[key] = error
        return self._by_config[key]

    def _defaults(self) -> Settings | ConfigError:
        try:
            return build_settings(RawOptions(), self._cwd, **self._overrides)
        except ConfigError as error:
            return error


def _raise_or_return(found: Settings | ConfigError) -> Settings:
    if isinstance(found, ConfigError):
        raise found
    return found


def describe_settings(settings: Settings, path: str, cache_dir: str) -> str:
    """``--show-settings``: what applies to ``path`` and where it came from (``cache_dir``:
    the cache folder those settings give)."""
    def toml_list(values) -> str:
        return "[" + ", ".join(json.dumps(v) for v in values) + "]"

    ignored = sorted(settings.enabled - settings.codes_for(path))
    lines = [
        f"# Settings for {path}",
        f"# config file: {settings.config_file or 'none (defaults)'}",
        f"# root (patterns are relative to it): {settings.root}",
        f"select = {toml_list(sorted(settings.enabled))}",
        "per-file-ignores = {" + ", ".join(f"{json.dumps(p)} = {toml_list(sorted(c))}" for p, c in settings.per_file_ignores) + "}",
        f"# ignored for this file by per-file-ignores: {toml_list(ignored)}",
        f"keras-version = {json.dumps(settings.keras_version)}",
        f"exclude = {toml_list(settings.exclude)}",
        f"extend-exclude = {toml_list(settings.extend_exclude)}",
        f"respect-gitignore = {json.dumps(settings.respect_gitignore)}",
        f"force-exclude = {json.dumps(settings.force_exclude)}",
        f"unsafe-fixes = {json.dumps(settings.unsafe_fixes)}",
        f"output-format = {json.dumps(settings.output_format)}",
        f"cache-dir = {json.dumps(cache_dir)}",
    ]
    return "\n".join(lines) + "\n"
