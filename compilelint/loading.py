"""A file's bytes as a Source, whichever kind of file it is (Python module or notebook)."""

from __future__ import annotations

from compilelint.sources import Source, decode_python, read_bytes


def read_source(path: str) -> Source:
    """The Python text of a file on disk; raises SourceError with a one-line reason."""
    return source_from_bytes(read_bytes(path), path)


def source_from_bytes(data: bytes, path: str) -> Source:
    """A file's (or stdin's) bytes as a Source; ``path`` decides whether it is a notebook."""
    if path.endswith(".ipynb"):
        from compilelint.notebooks import load_notebook

        return load_notebook(data, path)
    return Source(text=decode_python(data, path), path=path)
