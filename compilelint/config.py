"""Settings: ``[tool.compilelint]`` in the nearest pyproject.toml (or compilelint.toml),
then the command line on top."""

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


def find_config(start: Path) -> Path | None:
    """The nearest compilelint.toml, or pyproject.toml with a [tool.compilelint] table."""
    start = start.resolve()
    for folder in [start, *start.parents]:
        dedicated = folder / "compilelint.toml"
        if dedicated.is_file():
            return dedicated
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file():
            try:
                tool = _read_toml(pyproject).get("tool")
            except ConfigError:
                return pyproject  # reported when it is read as the config
            if isinstance(tool, dict) and "compilelint" in tool:
                return pyproject
    return None


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
