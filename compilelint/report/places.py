"""Where a notebook finding sits in the ``.ipynb`` file itself, for the reports that place
findings in the file a CI system shows (and the cell's own lines, for snippets).

A notebook's layout (``report.notebook_json.NotebookLayout``) is read only for a notebook that has a
finding to place, once per file; a file without findings costs nothing here.
"""

from __future__ import annotations

from typing import Mapping

from compilelint.diagnostics import Edit


class NotebookPlaces:
    """The layouts of the notebooks a report places findings in. ``texts`` maps the names
    of texts that are no file to read (standard input) to their JSON text."""

    def __init__(self, texts: Mapping[str, str] | None = None) -> None:
        self.texts = dict(texts or {})
        self._layouts: dict = {}

    def layout(self, path: str):
        """The notebook's layout; None when its text cannot be read as a notebook now."""
        if path not in self._layouts:
            from compilelint.report.notebook_json import NotebookLayout
            from compilelint.sources import SourceError, read_bytes

            try:
                text = self.texts[path] if path in self.texts else read_bytes(path).decode("utf-8")
                self._layouts[path] = NotebookLayout(text)
            except (SourceError, UnicodeDecodeError):
                self._layouts[path] = None
        return self._layouts[path]

    def locate(self, path: str, cell: int | None, line: int, column: int) -> tuple[int, int]:
        """The formatters' ``locate``: the .ipynb (line, column) of a cell's (line, column);
        the position as given for a file that is no notebook, or one that cannot be read."""
        layout = self.layout(path) if cell is not None else None
        position = layout.position(cell, line, column) if layout is not None else None
        return position or (line, column)

    def edit(self, path: str, cell: int, edit: Edit) -> Edit | None:
        """A cell's edit as an edit of the .ipynb text; None when it cannot be one."""
        layout = self.layout(path)
        return layout.edit(cell, edit) if layout is not None else None

    def cell_line(self, path: str, cell: int, line: int) -> str | None:
        """The cell's own source line (as the user wrote it: indent and magics kept)."""
        layout = self.layout(path)
        lines = layout.cell_lines(cell) if layout is not None else []
        return lines[line - 1] if 1 <= line <= len(lines) else None
