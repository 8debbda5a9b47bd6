"""Decide, for each compile site, which code builds its model without running the program.

The sites come from the lint engine's facts (one LibCST parse). The code to run is chosen
with Python's ``ast``: its statements keep their original line numbers when compiled, so a
compile call reached at run time can be matched to its site by file and line.

Three ways to reach a site:
* ``call``: the site lives in a module-level function with no required parameters; run the
  module-level statements that function needs, then call a copy of it cut down to the
  statements its compile call depends on.
* ``slice``: the site is reached from module-level code (directly, inside a
  ``__main__`` block, or through a function the module calls); run the backward slice of
  the statements before the one that reaches it, then that statement.
* ``factory``: ``PATH::FUNCTION``; run what the function needs, then call it.

The worker stops the program as soon as the compile call returns, so nothing after it runs
(fit, saving, evaluation). A plan that would need data loading is refused with a reason.
"""

from __future__ import annotations

import ast
import copy
import re
from dataclasses import dataclass, field

from compilelint.diagnostics import Span

# Calls that read data, files or the network. A slice that needs one of them depends on
# data, and verify refuses to run it rather than load a data set.
_DATA_CALL = re.compile(
    r"^(load_data|load|loads|loadtxt|genfromtxt|fromfile|read_\w+|open|urlopen|urlretrieve|get_file|"
    r"fetch_\w+|\w*_from_directory|\w*dataset_from_\w+|load_model|load_weights|load_img|imread|"
    r"from_tensor_slices|from_generator|TFRecordDataset|TextLineDataset|list_files|glob|listdir|walk|"
    r"download\w*|flow_from_\w+|as_dataset|request|get)$"
)
_DATA_MODULES = {"pd", "pandas", "tfds", "requests", "urllib", "datasets", "h5py", "cv2", "PIL", "Image"}
# Model methods that train, evaluate, predict or write: never part of a build.
_NEVER_RUN = re.compile(r"^(fit\w*|evaluate\w*|predict\w*|train_on_batch|test_on_batch|save\w*|export|to_json|summary|plot_model)$")
# Calls to library configuration that change how the model builds or trains.
_GLOBAL_CONFIG = re.compile(
    r"(\.config\.|mixed_precision|set_random_seed|set_seed|set_floatx|set_epsilon|set_image_data_format|"
    r"clear_session|run_functions_eagerly|enable_op_determinism|set_global_policy|set_policy)"
)


@dataclass
class SitePlan:
    """How to reach one compile site; ``refusal`` says why it cannot be reached safely."""

    index: int
    span: Span  # the compile call, 1-based
    function: str | None
    mode: str = "refuse"  # "slice" | "call" | "factory" | "refuse"
    program: list = field(default_factory=list, repr=False)  # ast statements, original lines
    call: str | None = None  # dotted name to call after running ``program``
    refusal: str | None = None


@dataclass
class FilePlan:
    path: str
    sites: list[SitePlan]
    factory: SitePlan | None = None  # set for PATH::FUNCTION
    parse_error: str | None = None


def plan_file(path: str, text: str, factory: str | None = None) -> FilePlan:
    try:
        tree = ast.parse(text, filename=path)
    except SyntaxError as error:
        return FilePlan(path, [], parse_error=f"SyntaxError: {error.msg} (line {error.lineno})")
    sites = [_plan_site(tree, index, span, function) for index, (span, function) in enumerate(compile_sites(text))]
    plan = FilePlan(path, sites)
    if factory is not None:
        plan.factory = _plan_factory(tree, factory, sites)
    return plan


def compile_sites(text: str) -> list[tuple[Span, str | None]]:
    """The compile calls the lint engine recognises: their spans and enclosing functions."""
    from compilelint.engine import span_of
    from compilelint.facts.collector import collect_facts
    from compilelint.parsing import parse_module
    from compilelint.positions import positions_of

    module = parse_module(text)
    facts = collect_facts(module, text)
    positions = positions_of(module, [site.call for site in facts.sites])
    found: dict[int, tuple[Span, str | None]] = {}
    for site in facts.sites:
        if id(site.call) in found:
            continue  # one call, several possible models: verified once
        found[id(site.call)] = (span_of(positions[site.call]), site.function)
    return sorted(found.values(), key=lambda item: (item[0].line, item[0].column))


# ---------------------------------------------------------------------------- planning
def _plan_site(tree: ast.Module, index: int, span: Span, function: str | None) -> SitePlan:
    plan = SitePlan(index=index, span=span, function=function)
    if function is None:
        path = _statement_path(tree.body, span.line)
        if path is None:
            plan.refusal = "the compile call is not in a statement verify can run on its own"
            return plan
        _slice_to(plan, tree, path)
        return plan
    root = function.split(".")[0]
    definition = _top_level_def(tree, root)
    if isinstance(definition, (ast.FunctionDef, ast.AsyncFunctionDef)) and root == function and not _required_parameters(definition):
        _plan_call(plan, tree, definition, span)
        return plan
    path = _first_use(tree.body, root)
    if path is None:
        plan.refusal = (
            f"compile() is inside `{function}`, which needs arguments and is not called at module level; "
            f"name a function that builds the model with no arguments: PATH::FUNCTION"
        )
        return plan
    _slice_to(plan, tree, path)
    return plan


def _plan_factory(tree: ast.Module, name: str, sites: list[SitePlan]) -> SitePlan:
    root = name.split(".")[0]
    definition = _top_level_def(tree, root)
    line = definition.lineno if definition is not None else 1
    span = Span(line, (definition.col_offset + 1) if definition is not None else 1, line, 1)
    plan = SitePlan(index=-1, span=span, function=name, mode="factory", call=name)
    if definition is None:
        plan.mode, plan.refusal = "refuse", f"no function or class named `{root}` at the top level of the file"
        return plan
    plan.program, reasons = backward_slice(_runnable(tree.body), [], {root})
    if reasons:
        plan.mode, plan.refusal = "refuse", _data_refusal(reasons, None)
    return plan


def _plan_call(plan: SitePlan, tree: ast.Module, definition: ast.FunctionDef, span: Span) -> None:
    path = _statement_path(definition.body, span.line)
    body = definition.body
    if path is None:
        trimmed, reasons = list(body), []
    else:
        prefix, target = _linear(body, path)
        trimmed, reasons = backward_slice(prefix, [target], set())
        trimmed.append(target)
    if reasons:
        plan.refusal = _data_refusal(reasons, definition.name)
        return
    # The same function, without decorators and cut to what its compile call needs.
    cut = copy.copy(definition)
    cut.body, cut.decorator_list = trimmed, []
    others = [s for s in _runnable(tree.body) if s is not definition]
    program, reasons = backward_slice(others, [cut], set())
    if reasons:
        plan.refusal = _data_refusal(reasons, definition.name)
        return
    plan.mode, plan.program, plan.call = "call", program + [cut], definition.name


def _slice_to(plan: SitePlan, tree: ast.Module, path: list[ast.stmt]) -> None:
    prefix, target = _linear(tree.body, path)
    program, reasons = backward_slice(prefix, [target], set())
    if reasons:
        plan.refusal = _data_refusal(reasons, plan.function)
        return
    plan.mode, plan.program = "slice", program + [target]


def _data_refusal(reasons: list[str], function: str | None) -> str:
    where = "; ".join(reasons[:2])
    if function:
        advice = f"verify a function that builds the model from constants instead (PATH::FUNCTION, e.g. one like `{function.split('.')[0]}` taking no data)"
    else:
        advice = "move the model into a function that takes shapes as constants and verify it with PATH::FUNCTION"
    return f"the model depends on data, which verify never loads ({where}); {advice}"


# ---------------------------------------------------------------------------- slicing
def backward_slice(prefix: list[ast.stmt], targets: list[ast.stmt], seeds: set[str]) -> tuple[list[ast.stmt], list[str]]:
    """The statements of ``prefix`` the targets depend on, in order, and data-loading reasons."""
    needed = set(seeds)
    for target in targets:
        needed |= names_used(target)
    kept: list[ast.stmt] = []
    reasons: list[str] = []
    for statement in reversed(prefix):
        if isinstance(statement, (ast.Import, ast.ImportFrom)):
            kept.append(statement)
            continue
        if _never_runs(statement):
            continue
        touched = names_defined(statement) | names_mutated(statement)
        if not (touched & needed or _is_global_config(statement)):
            continue
        kept.append(statement)
        needed |= names_used(statement)
        reason = _data_reason(statement)
        if reason:
            reasons.append(reason)
    kept.reverse()
    reasons.reverse()
    return kept, reasons


def names_used(node: ast.AST) -> set[str]:
    """Names a statement reads from its enclosing scope (a function's own locals excluded)."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        args = node.args
        parameters = {a.arg for a in args.posonlyargs + args.args + args.kwonlyargs}
        parameters |= {a.arg for a in (args.vararg, args.kwarg) if a is not None}
        local = set(parameters)
        for statement in node.body:
            local |= names_defined(statement)
        outer: set[str] = set()
        for part in node.decorator_list + args.defaults + [d for d in args.kw_defaults if d is not None]:
            outer |= names_used(part)
        inner: set[str] = set()
        for statement in node.body:
            inner |= names_used(statement)
        return outer | (inner - local)
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def names_defined(statement: ast.stmt) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(statement):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            found.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            found.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            found |= {(a.asname or a.name).split(".")[0] for a in node.names}
    return found


def names_mutated(statement: ast.stmt) -> set[str]:
    """Names whose object a statement changes: ``m.add(...)``, ``m.trainable = False``, ``d[k] = v``."""
    found: set[str] = set()
    if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
        func = statement.value.func
        if isinstance(func, ast.Attribute) and not _NEVER_RUN.match(func.attr):
            base = _base_name(func.value)
            if base:
                found.add(base)
    targets: list[ast.AST] = []
    if isinstance(statement, ast.Assign):
        targets = list(statement.targets)
    elif isinstance(statement, (ast.AugAssign, ast.AnnAssign)):
        targets = [statement.target]
    for target in targets:
        if isinstance(target, (ast.Attribute, ast.Subscript)):
            base = _base_name(target)
            if base:
                found.add(base)
    return found


def _base_name(node: ast.AST) -> str | None:
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def _call_name(call: ast.Call) -> tuple[str | None, str | None]:
    """(last name, base name) of what a call calls."""
    func = call.func
    if isinstance(func, ast.Name):
        return func.id, func.id
    if isinstance(func, ast.Attribute):
        return func.attr, _base_name(func.value)
    return None, None


def _never_runs(statement: ast.stmt) -> bool:
    if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
        name, base = _call_name(statement.value)
        return bool(name and _NEVER_RUN.match(name)) or name in {"print", "show", "imshow", "plot", "savefig"}
    return False


def _is_global_config(statement: ast.stmt) -> bool:
    if not (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call)):
        return False
    return bool(_GLOBAL_CONFIG.search("." + ast.unparse(statement.value.func) + "("))


def _data_reason(statement: ast.stmt) -> str | None:
    for node in ast.walk(statement):
        if isinstance(node, ast.Call):
            name, base = _call_name(node)
            if name and (_DATA_CALL.match(name) or base in _DATA_MODULES):
                # A function body that loads data runs only when called: judged where it is called.
                if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    continue
                text = ast.unparse(statement).splitlines()[0]
                return f"line {statement.lineno} `{text[:80]}` calls {name}()"
    return None


# ---------------------------------------------------------------------------- locating
def is_main_guard(statement: ast.stmt) -> bool:
    if not isinstance(statement, ast.If):
        return False
    test = statement.test
    return (
        isinstance(test, ast.Compare)
        and len(test.ops) == 1
        and isinstance(test.ops[0], ast.Eq)
        and {_guard_part(test.left), _guard_part(test.comparators[0])} == {"__name__", "__main__"}
    )


def _guard_part(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _runnable(body: list[ast.stmt]) -> list[ast.stmt]:
    return [s for s in body if not is_main_guard(s)]


def _contains_line(statement: ast.stmt, line: int) -> bool:
    start = min([statement.lineno] + [d.lineno for d in getattr(statement, "decorator_list", [])])
    return start <= line <= (statement.end_lineno or statement.lineno)


def _statement_path(body: list[ast.stmt], line: int) -> list[ast.stmt] | None:
    """The statements, outermost first, that lead to ``line``: main guards are entered."""
    for statement in body:
        if _contains_line(statement, line):
            if is_main_guard(statement):
                inner = _statement_path(statement.body, line)
                return None if inner is None else [statement] + inner
            return [statement]
    return None


def _linear(body: list[ast.stmt], path: list[ast.stmt]) -> tuple[list[ast.stmt], ast.stmt]:
    """The statements that run before the path's last statement, main guards flattened."""
    prefix: list[ast.stmt] = []
    for step in path[:-1]:
        index = body.index(step)
        prefix.extend(_runnable(body[:index]))
        body = step.body
    index = body.index(path[-1])
    prefix.extend(_runnable(body[:index]))
    return prefix, path[-1]


def _first_use(body: list[ast.stmt], name: str) -> list[ast.stmt] | None:
    """The path to the first module-level statement (main blocks included) that uses ``name``."""
    for statement in body:
        if is_main_guard(statement):
            inner = _first_use(statement.body, name)
            if inner is not None:
                return [statement] + inner
            continue
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        if name in names_used(statement):
            return [statement]
    return None


def _top_level_def(tree: ast.Module, name: str) -> ast.stmt | None:
    found = None
    for statement in tree.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and statement.name == name:
            found = statement
    return found


def _required_parameters(definition: ast.FunctionDef) -> list[str]:
    args = definition.args
    positional = args.posonlyargs + args.args
    without_default = positional[: len(positional) - len(args.defaults)]
    required = [a.arg for a in without_default]
    required += [a.arg for a, default in zip(args.kwonlyargs, args.kw_defaults) if default is None]
    return required
