"""Turning bytes into text the engine can lint: decoding, line endings, origins."""

from __future__ import annotations

import codecs
import hashlib
import os
import re
import stat
from dataclasses import dataclass, field

_CODING = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")
LINE_BREAK = re.compile(r"\r\n|\r|\n")


def split_lines(text: str) -> list[str]:
    """The text's lines as Python numbers them. ``str.splitlines`` also breaks at form
    feeds and other separators that Python treats as ordinary characters."""
    lines = LINE_BREAK.split(text)
    return lines[:-1] if lines[-1] == "" else lines


class SourceError(Exception):
    """A file that cannot be turned into Python text; the message is one line."""


@dataclass
class Source:
    """Python text to lint; for notebooks, ``cells`` maps module lines back to cells."""

    text: str
    path: str
    cells: list = field(default_factory=list)  # [(first_line, cell_index_1_based, line_count)]
    # Notebook cells blanked because Python cannot parse them: [(module_line, column, message)].
    syntax_errors: list = field(default_factory=list)
    # Columns IPython removed from the start of each non-blank line of a cell: {cell: columns}.
    indents: dict = field(default_factory=dict)
    # Module lines that are not the cell's own text (magics, removed indents): no fix edits them.
    rewritten: frozenset = frozenset()
    # The modules a notebook's %%writefile cells write, each linted on its own.
    modules: list = field(default_factory=list)

    def locate(self, line: int) -> tuple[int | None, int]:
        """(cell, line within the cell) for a 1-based module line; (None, line) for .py."""
        for first, cell, count in self.cells:
            if first <= line < first + count:
                return cell, line - first + 1
        return None, line


def decode_python(data: bytes, path: str) -> str:
    """Decode as Python does: a BOM, else a PEP 263 declaration, else UTF-8."""
    if b"\x00" in data:
        raise SourceError(f"{path}: not a text file (contains NUL bytes)")
    if data.startswith(codecs.BOM_UTF8):
        encoding, data = "utf-8", data[len(codecs.BOM_UTF8) :]
    else:
        encoding = declared_encoding(data)
    try:
        return data.decode(encoding)
    except LookupError:
        raise SourceError(f"{path}: unknown encoding {encoding!r} in its coding declaration") from None
    except UnicodeDecodeError as error:
        raise SourceError(
            f"{path}: cannot decode as {encoding} (byte {error.start}); add a coding declaration or save it as UTF-8"
        ) from None


def declared_encoding(data: bytes) -> str:
    """The PEP 263 coding declaration in the first two lines, else UTF-8."""
    for line in data.splitlines()[:2]:
        match = _CODING.match(line)
        if match:
            return match.group(1).decode("ascii")
    return "utf-8"


def read_bytes(path: str) -> bytes:
    """A regular file's bytes; raises SourceError with a one-line reason."""
    try:
        # Non-blocking, so that a FIFO found in a folder cannot hang the run before fstat;
        # plain os.read, since this runs for every file of a tree.
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        try:
            info = os.fstat(descriptor)
            if stat.S_ISDIR(info.st_mode):
                raise SourceError(f"{path}: is a directory")
            if not stat.S_ISREG(info.st_mode):
                raise SourceError(f"{path}: not a regular file (a FIFO, socket or device); skipped")
            chunks = [os.read(descriptor, info.st_size + 1)]
            while chunks[-1]:
                chunks.append(os.read(descriptor, 1 << 20))
        finally:
            os.close(descriptor)
    except IsADirectoryError:
        raise SourceError(f"{path}: is a directory") from None
    except OSError as error:
        raise SourceError(f"{path}: cannot read: {error.strerror or error}") from None
    return chunks[0] if len(chunks) == 2 else b"".join(chunks)


def file_stamp(path: str) -> list[int] | None:
    """(size, mtime_ns, inode): what the cache compares to know a file is unchanged
    without reading it."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return [info.st_size, info.st_mtime_ns, info.st_ino]


def content_digest(data: bytes) -> str:
    """What the cache compares to know a file's content is unchanged."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def replace_atomically(path: str, data: bytes, mode: int | None = None, durable: bool = False, check=None) -> None:
    """Replace ``path`` with ``data`` in one step, through a temporary file beside it: a
    reader sees the old content or the new, never part of it. ``mode``: the new file's
    permissions; ``durable``: on disk before the rename; ``check()`` runs just before the
    rename and may raise to leave the file as it is. Raises OSError (or what ``check``
    raises); nothing is left behind on failure."""
    import tempfile

    folder = os.path.dirname(os.path.abspath(path))
    descriptor, temporary = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(path)[:40]}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as out:
            out.write(data)
            if durable:
                out.flush()
                os.fsync(out.fileno())
        if mode is not None:
            os.chmod(temporary, mode)
        if check is not None:
            check()
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


def one_line(text: object) -> str:
    """``text`` with every run of whitespace (newlines too) as one space: a message line."""
    return " ".join(str(text).split())
