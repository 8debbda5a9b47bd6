"""Jupyter notebooks -> Python modules, each code cell read as IPython runs it.

Before Python sees a cell, IPython rewrites it (``IPython/core/inputtransformer2.py`` and the
prefilter of ``interactiveshell.transform_cell``): the indent common to all its lines is
removed; a cell that starts with ``%%name`` is handed to that cell magic; a line that starts
with ``!``, ``%``, ``?`` (or ``,`` ``;`` ``/``) becomes a call, as do ``x = !cmd``,
``x = %magic`` and ``obj?``; and a cell of one line that starts with a line magic's name
(``pip install x``, ``ls ./data``) runs as that magic when automagic is on. compilelint does
the same here without importing IPython, and without moving a line: a rewritten line becomes
an empty line (or ``pass`` at its indentation, so a block that held only magics still
parses), ``%time CODE`` keeps ``CODE`` at its columns, and every cell keeps its line count.
A position in a module maps back to (cell, line) through ``Source.cells``, and a cell's
removed indent is added back to its columns through ``Source.indents``.

The code cells make one module, in order, as one kernel runs them; the body of a
``%%writefile name.py`` cell is the module it writes, linted on its own (``Source.modules``).
"""

from __future__ import annotations

import ast
import json
import re
import shlex
import warnings
from dataclasses import dataclass, field, replace

from compilelint.prefilter import needs_parsing
from compilelint.sources import Source, SourceError, one_line

# Cell magics whose body IPython runs as Python code of the notebook (it transforms the body
# again, as a cell of its own): only the magic line is blanked.
PYTHON_BODY_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun", "debug", "memit"})
# Cell magics that write their body, verbatim, to the file named on the magic line.
WRITE_FILE_CELL_MAGICS = frozenset({"writefile", "file"})
# Line magics whose argument is Python code, compiled on its own when the magic runs.
CODE_LINE_MAGICS = frozenset({"time", "timeit"})
# The line magics of an IPython 9 kernel (ipykernel's shell, the posix aliases, storemagic),
# which automagic runs without their ``%``.
LINE_MAGICS = frozenset(
    """alias alias_magic autoawait autocall automagic autosave bookmark cat cd clear code_wrap
    colors conda config connect_info cp debug dhist dirs doctest_mode ed edit env gui hist history
    killbgscripts ldir less lf lk ll load load_ext loadpy logoff logon logstart logstate logstop ls
    lsmagic lx macro magic mamba man matplotlib micromamba mkdir more mv notebook page pastebin pdb
    pdef pdoc pfile pinfo pinfo2 pip popd pprint precision prun psearch psource pushd pwd pycat
    pylab qtconsole quickref recall rehashx reload_ext rep rerun reset reset_selective rm rmdir run
    save sc set_env store subshell sx system tb time timeit unalias unload_ext uv who who_ls whos
    xdel xmode""".split()
)

# The escapes that make a line IPython syntax when they start it (ESCAPE_SINGLES there).
_LINE_ESCAPES = frozenset("!%?,;/")
# ``obj?`` / ``obj??`` at the end of a line: IPython's _help_end_re.
_HELP_END = re.compile(r"(%{0,2}(?!\d)[\w*]+(\.(?!\d)[\w*]+|\[-?[0-9]+\])*)(\?\??)$")
# IPython's splitinput.line_split: leading space, escape, the "function part", the rest.
_LINE_SPLIT = re.compile(r"^(\s*)([,;/%]|!!?|\?\??)?\s*(%{0,2}[\w.*]*)(.*?$|$)")
# Options before the code of a ``%time`` / ``%timeit`` line (``-n 10 -r 3``, ``-qo``).
_CODE_MAGIC = re.compile(r"%(time|timeit)(?:\s+(?:--no-raise-error|-[tcqo]*[nrpv]\s*\S+|-[tcqo]+))*\s+(?=\S)")
_COMPOUND = (ast.If, ast.For, ast.AsyncFor, ast.While, ast.With, ast.AsyncWith, ast.Try, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
# Names a line binds at its start: ``model = ...``, ``model, history = ...``, ``def build(``.
_BOUND_NAMES = re.compile(r"^[ \t]*((?:[A-Za-z_]\w*[ \t]*,[ \t]*)*[A-Za-z_]\w*)[ \t]*(?::[^=\n]*)?=(?!=)", re.M)
_DEFINED_NAME = re.compile(r"^[ \t]*(?:async[ \t]+)?(?:def|class)[ \t]+([A-Za-z_]\w*)", re.M)


@dataclass(frozen=True)
class CellCode:
    """One code cell as IPython would run it, line for line."""

    lines: tuple[str, ...]  # the cell's lines rewritten; as many as the cell has
    source_lines: tuple[str, ...]  # the cell's own lines
    kind: str = "python"  # "python"; "file" for the body of %%writefile; "other" for other cell magics
    indent: int = 0  # how many columns IPython removed from the start of each non-blank line
    target: str | None = None  # the file a %%writefile cell writes
    append: bool = False  # %%writefile -a
    timed: tuple[int, ...] = ()  # lines that hold the code of a %time / %timeit line, to check alone
    automagic: int | None = None  # the line IPython runs as a magic when it is not Python as written


@dataclass(frozen=True)
class CellSyntaxError:
    """A code cell Python cannot parse; ``line`` is the 1-based module line."""

    cell: int
    line: int
    column: int
    message: str


def load_notebook(data: bytes, path: str) -> Source:
    """The notebook's code as one Source; raises SourceError (one line) for a bad file."""
    return notebook_source(read_notebook_json(data, path), path)


def read_notebook_json(data: bytes, path: str) -> dict:
    try:
        notebook = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        raise SourceError(f"{path}: not a notebook: not UTF-8 (byte {error.start})") from None
    except json.JSONDecodeError as error:
        raise SourceError(f"{path}: not a notebook: invalid JSON at line {error.lineno} column {error.colno}") from None
    except RecursionError:
        raise SourceError(f"{path}: not a notebook: JSON nested too deeply") from None
    if not isinstance(notebook, dict):
        raise SourceError(f"{path}: not a notebook: the top level is not a JSON object")
    return notebook


def _code_cells(notebook: dict, path: str) -> list[tuple[int, str]]:
    """(1-based index among all cells, source text) of each code cell."""
    version = notebook.get("nbformat")
    if version != 4:
        if version is None:
            raise SourceError(f"{path}: not a notebook: no 'nbformat' field")
        raise SourceError(f"{path}: nbformat {version!r} is not supported (only nbformat 4); re-save it with Jupyter")
    cells = notebook.get("cells")
    if not isinstance(cells, list):
        raise SourceError(f"{path}: not a notebook: 'cells' is not a list")
    found = []
    for index, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict):
            raise SourceError(f"{path}: not a notebook: cell {index} is not an object")
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if isinstance(source, list) and all(isinstance(part, str) for part in source):
            source = "".join(source)
        if not isinstance(source, str):
            raise SourceError(f"{path}: not a notebook: cell {index} has a source that is not text")
        found.append((index, source))
    return found


# -- the notebook as modules -----------------------------------------------------------------


@dataclass
class _Module:
    """A module being assembled from cells: the notebook's, or a written file's."""

    lines: list[str] = field(default_factory=list)
    cells: list[tuple[int, int, int]] = field(default_factory=list)
    indents: dict[int, int] = field(default_factory=dict)
    codes: list[tuple[int, int, CellCode]] = field(default_factory=list)  # (first module line, cell, code)

    def add(self, cell: int, code: CellCode, lines) -> None:
        first = len(self.lines) + 1
        self.cells.append((first, cell, len(code.lines)))
        self.codes.append((first, cell, code))
        if code.indent:
            self.indents[cell] = code.indent
        self.lines.extend(lines)

    def source(self, path: str, syntax_errors: list | None = None, modules: list | None = None) -> Source:
        rewritten = frozenset(
            first + offset
            for first, _, code in self.codes
            for offset, (own, linted) in enumerate(zip(code.source_lines, self.lines[first - 1 : first - 1 + len(code.lines)]))
            if own != linted
        )
        return Source(
            text="\n".join(self.lines) + ("\n" if self.lines else ""),
            path=path,
            cells=self.cells,
            syntax_errors=syntax_errors or [],
            indents=self.indents,
            rewritten=rewritten,
            modules=modules or [],
        )


def notebook_source(notebook: dict, path: str) -> Source:
    """The Source of an already-read notebook (raises SourceError for a bad structure)."""
    module = _Module()
    written: list[_Module] = []
    latest: dict[str, _Module] = {}  # the module each written file holds now
    for index, text in _code_cells(notebook, path):
        code = transform_cell(text)
        if not code.lines:
            continue
        if code.kind == "file" and code.target is not None:
            name = _expanded(code.target, module.lines)
            if name.endswith(".py"):
                target = latest.get(name) if code.append else None
                if target is None:
                    target = latest[name] = _Module()
                    written.append(target)
                target.add(index, code, code.lines)
        module.add(index, code, code.lines if code.kind == "python" else [""] * len(code.lines))
    modules = [_written_source(m, path) for m in written]
    # Like a .py file, a notebook without compile( is never parsed.
    if not needs_parsing("\n".join(module.lines)):
        return module.source(path, modules=modules)
    errors = _check_cells(module)
    return module.source(path, [(e.line, e.column, e.message) for e in errors], modules)


def _written_source(module: _Module, path: str) -> Source:
    """A written file's Source; like a cell, one that holds a compile() call and does not
    parse is blanked and reported."""
    text = "\n".join(module.lines) + "\n"
    if not needs_parsing(text):
        return module.source(path)
    try:
        _compile_cell(text)
        return module.source(path)
    except SyntaxError as error:
        line = min(max(error.lineno or 1, 1), len(module.lines))
        found = (line, max(error.offset or 1, 1), one_line(error.msg))
    except (ValueError, RecursionError, MemoryError) as error:
        found = (1, 1, one_line(str(error)))
    module.lines[:] = [""] * len(module.lines)
    return module.source(path, [found])


# ``{name}``, ``${name}`` and ``$name`` in a magic's arguments: IPython puts in the value.
_EXPANSION = re.compile(r"\$\{([A-Za-z_]\w*)\}|\{([A-Za-z_]\w*)\}|\$([A-Za-z_]\w*)")


def _expanded(target: str, earlier: list[str]) -> str:
    """The file name a %%writefile cell writes, each variable replaced by the string an
    earlier cell assigned it (a variable with no such string stays as written)."""
    if "{" not in target and "$" not in target:
        return target
    text = "\n".join(earlier)

    def value(match: re.Match) -> str:
        name = next(group for group in match.groups() if group)
        assigned = re.findall(rf"^{name}[ \t]*=[ \t]*(?:'([^'\\\n]*)'|\"([^\"\\\n]*)\")[ \t]*(?:#.*)?$", text, re.M)
        return "".join(assigned[-1]) if assigned else match.group()

    return _EXPANSION.sub(value, target)


def _check_cells(module: _Module) -> list[CellSyntaxError]:
    """Settle each Python cell's lines and blank those Python cannot parse, in place; return
    the errors to report: a broken cell that holds a compile() call or binds a name one needs.

    A cell is parsed alone because Jupyter runs it alone: one broken cell must not hide what
    the others say.
    """
    broken: list[tuple[CellSyntaxError, str]] = []
    trees = []
    for first, cell, code in module.codes:
        if code.kind != "python":
            continue
        lines, error, tree = checked_lines(code)
        span = slice(first - 1, first - 1 + len(lines))
        if error is None:
            module.lines[span] = lines
            if tree is not None and needs_parsing("\n".join(lines)):
                trees.append(tree)
            continue
        line, column, message = error
        broken.append((CellSyntaxError(cell, first + line - 1, column, message), "\n".join(code.lines)))
        module.lines[span] = [""] * len(lines)
    needed: set[str] | None = None
    errors = []
    for error, text in broken:
        if not needs_parsing(text):
            needed = _names_compile_calls_read(trees) if needed is None else needed
            if not needed & _bound_names(text):
                continue  # a broken cell no compile() call depends on
        errors.append(error)
    return errors


def checked_lines(code: CellCode) -> tuple[list[str], tuple[int, int, str] | None, ast.Module | None]:
    """A Python cell's lines once settled, with (line, column, message) of its syntax error
    (or None) and its tree; ``%time`` code is kept only where it parses alone, and the
    automagic line is a magic only when it is not Python."""
    lines = list(code.lines)
    for index in code.timed:
        if not _simple_statements(lines[index]):
            lines[index] = _blank(lines[index])
    try:
        return lines, None, _compile_cell("\n".join(lines) + "\n")
    except SyntaxError as error:
        if code.automagic is not None:
            lines[code.automagic] = ""
            return lines, None, None
        line_in_cell = min(max(error.lineno or 1, 1), len(lines))
        return lines, (line_in_cell, max(error.offset or 1, 1), one_line(error.msg)), None
    except (ValueError, RecursionError, MemoryError) as error:  # NUL bytes, deep nesting
        return lines, (1, 1, one_line(str(error))), None


def _simple_statements(line: str) -> bool:
    """Whether the code after ``pass;`` parses on its own as simple statements."""
    code = line.lstrip()[len("pass;") :].strip()
    try:
        tree = _compile_cell(code + "\n")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return not any(isinstance(statement, _COMPOUND) for statement in tree.body)


def _compile_cell(body: str) -> ast.Module:
    """Parse one cell as Jupyter would run it (top-level ``await`` allowed); raises as compile does."""
    with warnings.catch_warnings():  # the user's code may warn ("is" with a literal): not ours to print
        warnings.simplefilter("ignore")
        return compile(body, "<notebook cell>", "exec", ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT, dont_inherit=True)


def _names_compile_calls_read(trees: list[ast.Module]) -> set[str]:
    """The names in the receivers and arguments of the compile() calls of these cells."""
    names: set[str] = set()
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "compile":
                for part in (node.func.value, *node.args, *node.keywords):
                    names.update(n.id for n in ast.walk(part) if isinstance(n, ast.Name))
    return names


def _bound_names(text: str) -> set[str]:
    """Names a broken cell's lines bind at their start, read from the text."""
    names = {name.strip() for match in _BOUND_NAMES.finditer(text) for name in match.group(1).split(",")}
    return names | set(_DEFINED_NAME.findall(text))


def cell_parses(text: str) -> bool:
    """Whether a cell, read as IPython runs it, is code Python can parse (for a
    %%writefile cell: whether the file it writes is)."""
    code = transform_cell(text)
    if code.kind == "other":
        return False
    if code.kind == "file":
        try:
            _compile_cell("\n".join(code.lines) + "\n")
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return False
        return True
    return checked_lines(code)[1] is None


# -- IPython's input transformations --------------------------------------------------------


def own_lines(text: str) -> list[str]:
    """A cell's lines, as many as the module gives it: the newline that ends the last line
    starts no new line."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if len(lines) > 1 and lines[-1] == "":
        lines.pop()
    return [] if lines == [""] else lines


def transform_cell(text: str) -> CellCode:
    """The cell as IPython's transform_cell reads it, line for line."""
    source = tuple(own_lines(text))
    if not source:
        return CellCode((), ())
    margin = _common_indent(source)
    lines = [line[len(margin) :] if line.strip(" \t") else "" for line in source]
    code = _transform_lines(lines)
    return replace(code, source_lines=source, indent=code.indent + len(margin))


def _common_indent(lines) -> str:
    """textwrap.dedent's margin: the leading blanks every line that is not blank shares."""
    margin = None
    for line in lines:
        if not line.strip(" \t"):
            continue
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        if margin is None or margin.startswith(indent):
            margin = indent
        elif not indent.startswith(margin):
            common = 0
            while common < min(len(margin), len(indent)) and margin[common] == indent[common]:
                common += 1
            margin = margin[:common]
    return margin or ""


def _transform_lines(lines: list[str]) -> CellCode:
    """The dedented cell's lines rewritten (the ``source_lines`` are set by the caller)."""
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is not None and lines[first].startswith("%%") and not re.match(r"%%\w+\?", lines[first]):
        return _cell_magic(lines, first)
    rewritten, timed = _escapes_rewritten(lines)
    automagic = None
    if first == len(lines) - 1 and rewritten[first] == lines[first] and _is_automagic(lines[first]):
        automagic = first
    return CellCode(tuple(rewritten), (), timed=tuple(timed), automagic=automagic)


def _cell_magic(lines: list[str], first: int) -> CellCode:
    name, _, arguments = lines[first][2:].rstrip().partition(" ")
    head = [""] * (first + 1)
    if name in PYTHON_BODY_CELL_MAGICS:
        count = len(lines) - first - 1
        body = transform_cell("\n".join(lines[first + 1 :]))
        padded = head + list(body.lines) + [""] * (count - len(body.lines))
        shift = first + 1
        automagic = None if body.automagic is None else body.automagic + shift
        return CellCode(tuple(padded), (), indent=body.indent, timed=tuple(i + shift for i in body.timed), automagic=automagic)
    if name in WRITE_FILE_CELL_MAGICS:
        target, append = _written_file(arguments)
        return CellCode(tuple(head + lines[first + 1 :]), (), kind="file", target=target, append=append)
    return CellCode(tuple([""] * len(lines)), (), kind="other")  # %%bash, %%html, ...: not Python


def _written_file(arguments: str) -> tuple[str | None, bool]:
    """The file name and the append flag of a %%writefile line, as its argument parser reads them."""
    try:
        words = shlex.split(arguments)
    except ValueError:
        return None, False
    append = any(word in ("-a", "--append") for word in words)
    names = [word for word in words if word not in ("-a", "--append")]
    return (names[0] if len(names) == 1 else None), append


def _escapes_rewritten(lines: list[str]) -> tuple[list[str], list[int]]:
    """Lines that start with an escape, assign one, or ask for help, blanked; %time code kept."""
    scanner = _StatementScanner()
    rewritten: list[str] = []
    timed: list[int] = []
    continued = False  # the line before was an escaped line ending in a backslash
    for line in lines:
        if continued:
            continued = line.endswith("\\")
            rewritten.append("")
            continue
        if scanner.at_statement_start:
            stripped = line.lstrip()
            indent = line[: len(line) - len(stripped)]
            if stripped[:1] in _LINE_ESCAPES or _assigns_escape(line) or _asks_for_help(line, scanner):
                continued = line.endswith("\\")
                code = None if continued or _asks_for_help(line, scanner) else _CODE_MAGIC.match(stripped)
                if code is not None:
                    timed.append(len(rewritten))
                    rewritten.append(indent + "pass;".ljust(code.end()) + stripped[code.end() :])
                else:
                    rewritten.append(_blank(line))
                continue
        scanner.feed(line)
        rewritten.append(line)
    return rewritten, timed


def _blank(line: str) -> str:
    indent = line[: len(line) - len(line.lstrip())]
    return f"{indent}pass" if indent else ""


_MAY_ASSIGN_ESCAPE = re.compile(r"=\s*[!%]")


def _assigns_escape(line: str) -> bool:
    """``x = !cmd`` or ``x = %magic``: the first ``=`` outside brackets and strings is followed
    by ``!``, or by ``%`` and a name (IPython's SystemAssign and MagicAssign)."""
    if _MAY_ASSIGN_ESCAPE.search(line) is None:
        return False  # the usual line, answered without scanning it
    position = _first_assignment(line)
    if position is None:
        return False
    rest = line[position + 1 :].lstrip()
    return rest.startswith("!") or re.match(r"%\s*[^\W\d]", rest) is not None


def _first_assignment(line: str) -> int | None:
    depth, i = 0, 0
    while i < len(line):
        char = line[i]
        if char == "#":
            return None
        if char in "'\"":
            end = _find_closing(line, i + 1, char)
            if end < 0:
                return None
            i = end
            continue
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth = max(depth - 1, 0)
        elif char == "=" and depth == 0:
            if line[i + 1 : i + 2] == "=" or (i and line[i - 1] in "=<>!+-*/%&|^@:~"):
                i += 2 if line[i + 1 : i + 2] == "=" else 1
                continue
            return i
        i += 1
    return None


def _asks_for_help(line: str, scanner: "_StatementScanner") -> bool:
    """``obj?`` / ``obj??``: a statement on one line whose code ends in ``?`` after a name."""
    if "?" not in line:
        return False
    code = _code_part(line).rstrip()
    if not code.endswith("?") or _HELP_END.search(code) is None:
        return False
    probe = scanner.copy()
    probe.feed(line)
    return probe.at_statement_start


def _is_automagic(line: str) -> bool:
    """IPython's prefilter would run this (only) line as ``%name``: it starts with a line
    magic's name and does not assign to it. Whether it is Python decides it later."""
    match = _LINE_SPLIT.match(line)
    if match is None or match.group(2):
        return False
    rest = match.group(4).lstrip()
    return match.group(3).strip() in LINE_MAGICS and not rest.startswith(("=", ","))


def _code_part(line: str) -> str:
    """The line up to a comment that starts outside strings."""
    i = 0
    while i < len(line):
        char = line[i]
        if char == "#":
            return line[:i]
        if char in "'\"":
            end = _find_closing(line, i + 1, char)
            if end < 0:
                return line
            i = end
            continue
        i += 1
    return line


# The characters that change what the next line starts: the rest are skipped in one step.
_SCANNED = re.compile(r"[#()\[\]{}'\"\\]")


class _StatementScanner:
    """Tracks whether the next physical line starts a new statement: not inside brackets,
    a string that spans lines, or a backslash continuation."""

    def __init__(self) -> None:
        self.depth = 0
        self.open_quote: str | None = None  # a triple quote still open
        self.backslash = False

    def copy(self) -> "_StatementScanner":
        other = _StatementScanner()
        other.depth, other.open_quote, other.backslash = self.depth, self.open_quote, self.backslash
        return other

    @property
    def at_statement_start(self) -> bool:
        return self.depth == 0 and self.open_quote is None and not self.backslash

    def feed(self, line: str) -> None:
        self.backslash = False
        i, n = 0, len(line)
        while i < n:
            if self.open_quote is not None:
                end = _find_closing(line, i, self.open_quote)
                if end < 0:
                    if len(self.open_quote) == 1 and not line.endswith("\\"):
                        self.open_quote = None  # a one-line string left open: the line is broken anyway
                    return
                i, self.open_quote = end, None
                continue
            special = _SCANNED.search(line, i)
            if special is None:
                return
            i = special.start()
            char = line[i]
            if char == "#":
                return
            if char in "([{":
                self.depth += 1
            elif char in ")]}":
                self.depth = max(self.depth - 1, 0)
            elif char in "'\"":
                quote = line[i : i + 3] if line[i : i + 3] in ("'''", '"""') else char
                end = _find_closing(line, i + len(quote), quote)
                if end < 0:
                    if len(quote) == 3 or line.endswith("\\"):
                        self.open_quote = quote  # continued on the next line
                    return
                i = end
                continue
            elif char == "\\" and i == n - 1:
                self.backslash = True
            i += 1


_STRING_REST = {
    quote: re.compile(rf"(?:[^{quote[0]}\\]|\\.|{quote[0]}(?!{quote[1:]}))*{quote}" if len(quote) == 3 else rf"(?:[^{quote}\\]|\\.)*{quote}", re.S)
    for quote in ("'", '"', "'''", '"""')
}


def _find_closing(line: str, start: int, quote: str) -> int:
    """Index just past the closing ``quote`` from ``start``, or -1 when the line has none."""
    match = _STRING_REST[quote].match(line, start)
    return -1 if match is None else match.end()
