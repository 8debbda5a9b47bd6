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

Every function, loop or ``with`` block on the way to the compile call is cut just after it,
and cut down to the statements the call depends on, so that what follows it (``fit``,
saving, evaluation) and the data only that needs are never part of the program. A compile
site inside an override ``def compile(self, ...)`` is reached through the first call of
that class's ``compile`` the program makes. A plan that would need data loading or
training is refused with a reason.
"""

from __future__ import annotations

import ast
import copy
import re
from dataclasses import dataclass, field

from compilelint.diagnostics import Span
from compilelint.project import is_main_guard
from compilelint.verify.scopes import base_name, bound_names, free_names, mutated_names

# Calls that read data, files or the network. A slice that needs one of them depends on
# data, and verify refuses to run it rather than load a data set.
_DATA_CALL = re.compile(
    r"^(load_data|load|loads|loadtxt|genfromtxt|fromfile|read_\w+|open|urlopen|urlretrieve|get_file|"
    r"fetch_\w+|\w*_from_directory|\w*dataset_from_\w+|load_model|load_weights|load_img|imread|"
    r"from_tensor_slices|from_generator|TFRecordDataset|TextLineDataset|list_files|glob|listdir|walk|scandir|"
    r"download\w*|flow_from_\w+|as_dataset|as_numpy_iterator)$"
)
_DATA_MODULES = {"pd", "pandas", "tfds", "requests", "urllib", "datasets", "h5py", "cv2", "PIL", "Image"}
# Model methods that train, evaluate, predict or write: never part of a build.
_NEVER_RUN = re.compile(r"^(fit\w*|evaluate\w*|predict\w*|train_on_batch|test_on_batch|save\w*|export|to_json|summary|plot_model)$")
# Of those, the ones that train: a value computed with them needs a trained model.
_TRAINS = re.compile(r"^(fit|fit_generator|train_on_batch)$")
_DISPLAY = {"print", "show", "imshow", "plot", "savefig", "display"}
# Calls to library configuration that change how the model builds or trains.
_GLOBAL_CONFIG = re.compile(
    r"(\.config\.|mixed_precision|set_random_seed|set_seed|set_floatx|set_epsilon|set_image_data_format|"
    r"clear_session|run_functions_eagerly|enable_op_determinism|set_global_policy|set_policy|set_dtype_policy)"
)
# Device and thread settings: they only work before the runtime starts, which the worker
# has already done, and never change what the model computes.
_DEVICE_CONFIG = re.compile(r"(memory_growth|visible_devices|device_configuration|threading|set_soft_device_placement|experimental_connect_to_cluster|initialize_tpu_system)")


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
    # Set for a site inside ``def compile`` of this class: the override runs to its end.
    override: str | None = None
    # ``model.build((None, 13))`` right after the compile call: the input shape of a
    # subclassed model that has no Input.
    build_shape: object = None


@dataclass
class FilePlan:
    path: str
    sites: list[SitePlan]
    factory: SitePlan | None = None  # set for PATH::FUNCTION
    parse_error: str | None = None


@dataclass
class Module:
    """What the slicer knows about the file: its top-level functions that read data or train."""

    tree: ast.Module
    imported: set[str]
    reads_data: dict[str, str]  # function -> the data call it makes (directly or through others)
    trains: dict[str, str]  # function -> the training call it makes


def plan_file(path: str, text: str, factory: str | None = None) -> FilePlan:
    try:
        tree = ast.parse(text, filename=path)
    except SyntaxError as error:
        return FilePlan(path, [], parse_error=f"SyntaxError: {error.msg} (line {error.lineno})")
    module = analyse_module(tree)
    sites = [_plan_site(module, index, span, function) for index, (span, function) in enumerate(compile_sites(text))]
    plan = FilePlan(path, sites)
    if factory is not None:
        plan.factory = _plan_factory(module, factory)
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


def analyse_module(tree: ast.Module) -> Module:
    imported = set()
    for statement in tree.body:
        if isinstance(statement, (ast.Import, ast.ImportFrom)):
            imported |= bound_names([statement])
    functions = {s.name: s for s in tree.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))}
    reads_data = _closure(functions, lambda call: _is_data_call(call))
    trains = _closure(functions, lambda call: _is_training_call(call))
    return Module(tree, imported, reads_data, trains)


def _closure(functions: dict[str, ast.AST], direct) -> dict[str, str]:
    """The functions that make a ``direct`` call, themselves or through the others."""
    found: dict[str, str] = {}
    for name, definition in functions.items():
        call = _named_call([n for n in ast.walk(definition) if isinstance(n, ast.Call) and direct(n)])
        if call is not None:
            found[name] = f"{_call_name(call)[0]}()"
    changed = True
    while changed:
        changed = False
        for name, definition in functions.items():
            if name in found:
                continue
            for node in ast.walk(definition):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in found and node.func.id != name:
                    found[name] = f"{node.func.id}(), which calls {found[node.func.id]}"
                    changed = True
                    break
    return found


# ---------------------------------------------------------------------------- planning
def _plan_site(module: Module, index: int, span: Span, function: str | None) -> SitePlan:
    plan = SitePlan(index=index, span=span, function=function)
    plan.build_shape = _build_shape_after(module.tree, span.line)
    entry_line, entry_function = span.line, function
    if function is not None and function.count(".") == 1 and function.endswith(".compile"):
        # super().compile(...) inside an override: reach it through the class's own compile call.
        plan.override = function.split(".")[0]
        entry = _override_entry(module.tree, plan.override)
        if entry is None:
            plan.refusal = (
                f"compile() is inside the override `{function}`, and no code at module level (or in a function "
                f"without arguments) calls compile() on a `{plan.override}`; name a function that builds and "
                f"compiles one: PATH::FUNCTION"
            )
            return plan
        entry_line, entry_function = entry
    if entry_function is None:
        path = _statement_path(module.tree.body, entry_line)
        if path is None:
            plan.refusal = "the compile call is not in a statement verify can run on its own"
            return plan
        _slice_to(plan, module, path, entry_line)
        return plan
    root = entry_function.split(".")[0]
    definition = _top_level_def(module.tree, root)
    if isinstance(definition, (ast.FunctionDef, ast.AsyncFunctionDef)) and root == entry_function and not _required_parameters(definition):
        _plan_call(plan, module, definition, entry_line)
        return plan
    path = _first_use(module.tree.body, root)
    if path is not None:
        _slice_to(plan, module, path, entry_line)
        return plan
    caller = _caller_without_arguments(module.tree, root)
    if caller is not None:
        _plan_call(plan, module, caller, _first_use_line(caller, root), cut_also=entry_line)
        return plan
    callers = [s.name for s in module.tree.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef)) and s.name != root and root in names_used(s)]
    where = f"is called only by functions that need arguments too ({', '.join(f'`{c}`' for c in callers[:3])})" if callers else "is not called at module level"
    plan.refusal = (
        f"compile() is inside `{entry_function}`, which needs arguments and {where}; "
        f"name a function that builds the model with no arguments: PATH::FUNCTION"
    )
    return plan


def _plan_factory(module: Module, name: str) -> SitePlan:
    root = name.split(".")[0]
    definition = _top_level_def(module.tree, root)
    line = definition.lineno if definition is not None else 1
    span = Span(line, (definition.col_offset + 1) if definition is not None else 1, line, 1)
    plan = SitePlan(index=-1, span=span, function=name, mode="factory", call=name)
    if definition is None:
        plan.mode, plan.refusal = "refuse", f"no function or class named `{root}` at the top level of the file"
        return plan
    plan.program, reasons = backward_slice(module, _runnable(module.tree.body), [], {root})
    if reasons:
        plan.mode, plan.refusal = "refuse", _data_refusal(reasons, None)
    return plan


def _plan_call(plan: SitePlan, module: Module, definition: ast.FunctionDef, line: int, cut_also: int | None = None) -> None:
    """Call ``definition`` cut at ``line``; ``cut_also``: a second line (the site, in another
    function) where what the program runs is cut too."""
    reasons: list[str] = []
    cut = copy.copy(_cut_definitions(module, definition, line, reasons, always=True))
    cut.decorator_list = []  # e.g. a CLI decorator would parse the command line
    others = [_cut_definitions(module, s, cut_also, reasons) for s in _runnable(module.tree.body) if s is not definition]
    program: list[ast.stmt] = []
    if not reasons:
        program, reasons = backward_slice(module, others, [cut], set())
    if reasons:
        plan.refusal = _data_refusal(reasons, definition.name)
        return
    plan.mode, plan.program, plan.call = "call", program + [cut], definition.name


def _slice_to(plan: SitePlan, module: Module, path: list[ast.stmt], line: int) -> None:
    prefix, target = _linear(module.tree.body, path)
    reasons: list[str] = []
    prefix = [_cut_definitions(module, s, line, reasons) for s in prefix]
    if _contains_line(target, line):
        target = _cut_definitions(module, target, line, reasons, always=True)
    else:
        target = _without_unused_arguments(target, prefix)
    program: list[ast.stmt] = []
    if not reasons:
        program, reasons = backward_slice(module, prefix, [target], set())
    if reasons:
        plan.refusal = _data_refusal(reasons, plan.function)
        return
    plan.mode, plan.program = "slice", program + [target]


def _without_unused_arguments(target: ast.stmt, prefix: list[ast.stmt]) -> ast.stmt:
    """``run_experiment(model, train_ds, test_ds)`` whose function, cut at its compile call,
    reads only ``model``: the data arguments become ``None`` so that nothing loads them."""
    functions = {s.name: s for s in prefix if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))}
    calls = [n for n in ast.walk(target) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in functions]
    if not calls:
        return target
    target = copy.deepcopy(target)
    for call in (n for n in ast.walk(target) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in functions):
        definition = functions[call.func.id]
        read = free_names(ast.Module(body=definition.body, type_ignores=[])) | _names_read(definition.body)
        positional = [a.arg for a in definition.args.posonlyargs + definition.args.args]
        for index, argument in enumerate(call.args):
            if isinstance(argument, ast.Starred) or index >= len(positional):
                break
            if positional[index] not in read and free_names(argument):
                call.args[index] = ast.copy_location(ast.Constant(None), argument)
        names = set(positional) | {a.arg for a in definition.args.kwonlyargs}
        for keyword in call.keywords:
            if keyword.arg in names and keyword.arg not in read and free_names(keyword.value):
                keyword.value = ast.copy_location(ast.Constant(None), keyword.value)
    return target


def _names_read(body: list[ast.stmt]) -> set[str]:
    return {n.id for statement in body for n in ast.walk(statement) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def _data_refusal(reasons: list[str], function: str | None) -> str:
    where = "; ".join(reasons[:2])
    if any("trains a model" in reason for reason in reasons[:2]):
        what = "the model depends on a trained model or its results, and verify never trains"
    else:
        what = "the model depends on data, which verify never loads"
    if function:
        advice = f"verify a function that builds the model from constants instead (PATH::FUNCTION, e.g. one like `{function.split('.')[0]}` taking no data)"
    else:
        advice = "move the model into a function that takes shapes as constants and verify it with PATH::FUNCTION"
    return f"{what} ({where}); {advice}"


# ---------------------------------------------------------------------------- cutting
def _cut(module: Module, statement: ast.stmt, line: int) -> tuple[ast.stmt, list[str]]:
    """A copy of ``statement`` that stops just after the simple statement at ``line``, each
    block on the way cut down to what that statement needs. Returns it and the data reasons."""
    if isinstance(statement, ast.ClassDef):
        cut = copy.copy(statement)
        body, reasons = [], []
        for inner in statement.body:
            if _contains_line(inner, line):
                inner, reasons = _cut(module, inner, line)
            body.append(inner)
        cut.body = body
        return cut, reasons
    blocks = [name for name in ("body", "orelse", "finalbody") if isinstance(getattr(statement, name, None), list)]
    cut = copy.copy(statement)
    reasons: list[str] = []
    for name in blocks:
        block = getattr(statement, name)
        path = _statement_path(block, line, enter_guards=False)
        if path is None:
            continue
        if isinstance(path[-1], (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            return statement, []  # a nested definition runs when called, later in this block
        setattr(cut, name, _cut_block(module, block, path[-1], line, reasons))
        if name == "body" and isinstance(statement, ast.Try):
            cut.orelse, cut.finalbody = [], []
        if name == "body" and isinstance(statement, (ast.For, ast.AsyncFor, ast.While, ast.If)):
            cut.orelse = []
        return cut, reasons
    for index, handler in enumerate(getattr(statement, "handlers", []) or []):
        path = _statement_path(handler.body, line, enter_guards=False)
        if path is not None:
            new_handler = copy.copy(handler)
            new_handler.body = _cut_block(module, handler.body, path[-1], line, reasons)
            cut.handlers = [*statement.handlers[:index], new_handler]
            cut.orelse, cut.finalbody = [], []
            return cut, reasons
    return statement, reasons


def _cut_block(module: Module, block: list[ast.stmt], target: ast.stmt, line: int, reasons: list[str]) -> list[ast.stmt]:
    index = block.index(target)
    inner, inner_reasons = _cut(module, target, line)
    kept, slice_reasons = backward_slice(module, block[:index], [inner], set())
    reasons.extend(slice_reasons + inner_reasons)
    return kept + [inner]


def _cut_definitions(module: Module, statement: ast.stmt, line: int | None, reasons: list[str], always: bool = False) -> ast.stmt:
    """A definition (or, with ``always``, any statement) that holds ``line`` (the compile
    call) is cut there: whatever its body does after the call (fit on data) never runs, so
    it needs nothing of that. Why the part before the call cannot run goes to ``reasons``."""
    if line is None or not _contains_line(statement, line):
        return statement
    if not always and not isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return statement
    cut, cut_reasons = _cut(module, statement, line)
    reasons.extend(cut_reasons)
    return cut


# ---------------------------------------------------------------------------- slicing
def backward_slice(module: Module, prefix: list[ast.stmt], targets: list[ast.stmt], seeds: set[str]) -> tuple[list[ast.stmt], list[str]]:
    """The statements of ``prefix`` the targets depend on, in order, and why the slice
    cannot run (it reads data or needs a trained model)."""
    needed = set(seeds)
    for target in targets:
        needed |= names_used(target)
    kept: list[ast.stmt] = []
    reasons: list[str] = []
    for statement in reversed(prefix):
        if isinstance(statement, ast.ImportFrom) and statement.module == "__future__":
            kept.append(statement)
            continue
        if _never_runs(statement):
            continue
        defined = names_defined(statement)
        touched = defined | names_mutated(statement, module)
        if not (touched & needed or _is_global_config(statement)):
            continue
        training = _training_reason(statement, module)
        if training:
            if defined & needed:
                reasons.append(training)
            continue  # a statement that trains is never run; the model it changes is used untrained
        kept.append(statement)
        needed |= names_used(statement)
        reason = _data_reason(statement, module)
        if reason:
            reasons.append(reason)
    kept.reverse()
    reasons.reverse()
    return kept, reasons


def names_used(node: ast.AST) -> set[str]:
    """Names a statement reads from its enclosing scope (a function's own locals excluded)."""
    return free_names(node)


def names_defined(statement: ast.stmt) -> set[str]:
    return bound_names([statement])


def names_mutated(statement: ast.stmt, module: Module | None = None) -> set[str]:
    """Names whose object a statement changes, in any block of it: ``m.add(...)``,
    ``features.append(row)`` in a loop, ``m.trainable = False``, ``d[k] = v``. A method call
    on an imported module (``np.random.seed``) changes no value the model is built from."""
    found = mutated_names(statement, lambda call: bool(_NEVER_RUN.match(_call_name(call)[0] or "")))
    return found - (module.imported if module is not None else set())


def _call_name(call: ast.Call) -> tuple[str | None, str | None]:
    """(last name, base name) of what a call calls."""
    func = call.func
    if isinstance(func, ast.Name):
        return func.id, func.id
    if isinstance(func, ast.Attribute):
        return func.attr, base_name(func.value)
    return None, None


def _never_runs(statement: ast.stmt) -> bool:
    if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
        name, _ = _call_name(statement.value)
        return bool(name and _NEVER_RUN.match(name)) or name in _DISPLAY
    return False


def _is_global_config(statement: ast.stmt) -> bool:
    if not (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call)):
        return False
    func = "." + ast.unparse(statement.value.func) + "("
    return bool(_GLOBAL_CONFIG.search(func)) and not _DEVICE_CONFIG.search(func)


def _is_data_call(call: ast.Call) -> bool:
    name, base = _call_name(call)
    return bool(name and (_DATA_CALL.match(name) or base in _DATA_MODULES))


def _is_training_call(call: ast.Call) -> bool:
    name, _ = _call_name(call)
    return bool(name and isinstance(call.func, ast.Attribute) and _TRAINS.match(name))


def _statement_calls(statement: ast.stmt):
    """The calls a statement makes when it runs: a def or class body runs only when called."""
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return
    for node in ast.walk(statement):
        if isinstance(node, ast.Call):
            yield node


def _named_call(calls: list[ast.Call]) -> ast.Call | None:
    """Of the data calls found, the one that names what it reads (``tfds.load`` rather than
    the ``.cache()`` chained on it)."""
    for call in calls:
        if _DATA_CALL.match(_call_name(call)[0] or ""):
            return call
    return calls[0] if calls else None


def _data_reason(statement: ast.stmt, module: Module) -> str | None:
    call = _named_call([c for c in _statement_calls(statement) if _is_data_call(c)])
    if call is not None:
        return f"line {statement.lineno} `{_first_line(statement)}` calls {_call_name(call)[0]}()"
    for call in _statement_calls(statement):
        name, _ = _call_name(call)
        if isinstance(call.func, ast.Name) and name in module.reads_data:
            return f"line {statement.lineno} `{_first_line(statement)}` calls {name}(), which calls {module.reads_data[name]}"
    return None


def _training_reason(statement: ast.stmt, module: Module) -> str | None:
    for call in _statement_calls(statement):
        name, _ = _call_name(call)
        if _is_training_call(call):
            return f"line {statement.lineno} `{_first_line(statement)}` trains a model ({name}())"
        if isinstance(call.func, ast.Name) and name in module.trains:
            return f"line {statement.lineno} `{_first_line(statement)}` trains a model ({name}(), which calls {module.trains[name]})"
    return None


def _first_line(statement: ast.stmt) -> str:
    return ast.unparse(statement).splitlines()[0][:80]


# ---------------------------------------------------------------------------- locating
def _runnable(body: list[ast.stmt]) -> list[ast.stmt]:
    return [s for s in body if not is_main_guard(s)]


def _contains_line(statement: ast.stmt, line: int) -> bool:
    start = min([statement.lineno] + [d.lineno for d in getattr(statement, "decorator_list", [])])
    return start <= line <= (statement.end_lineno or statement.lineno)


def _statement_path(body: list[ast.stmt], line: int, enter_guards: bool = True) -> list[ast.stmt] | None:
    """The statements, outermost first, that lead to ``line``: main guards are entered."""
    for statement in body:
        if _contains_line(statement, line):
            if enter_guards and is_main_guard(statement):
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


def _caller_without_arguments(tree: ast.Module, name: str) -> ast.FunctionDef | None:
    """A top-level function with no required parameters that calls ``name`` (``main()``)."""
    for statement in tree.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)) and statement.name != name and not _required_parameters(statement):
            if name in names_used(statement):
                return statement
    return None


def _first_use_line(definition: ast.FunctionDef, name: str) -> int:
    for node in ast.walk(definition):
        if isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, ast.Load):
            return node.lineno
    return definition.lineno


def _build_shape_after(tree: ast.Module, line: int) -> object:
    """The literal shape of ``m.build(shape)`` in the statement after ``m.compile(...)``."""
    for node in ast.walk(tree):
        for name in ("body", "orelse", "finalbody"):
            block = getattr(node, name, None)
            if not isinstance(block, list):
                continue
            for statement, following in zip(block, block[1:]):
                if not (isinstance(statement, ast.Expr) and statement.lineno <= line <= (statement.end_lineno or statement.lineno)):
                    continue
                compiled, built = statement.value, getattr(following, "value", None)
                if not (isinstance(compiled, ast.Call) and isinstance(built, ast.Call) and isinstance(following, ast.Expr)):
                    return None
                if not (isinstance(built.func, ast.Attribute) and built.func.attr == "build" and len(built.args) == 1 and not built.keywords):
                    return None
                if not (isinstance(compiled.func, ast.Attribute) and ast.dump(compiled.func.value) == ast.dump(built.func.value)):
                    return None
                try:
                    return ast.literal_eval(built.args[0])
                except (ValueError, SyntaxError):
                    return None
    return None


def _override_entry(tree: ast.Module, class_name: str) -> tuple[int, str | None] | None:
    """The first ``x.compile(...)`` on an ``x = ClassName(...)``: in module-level code, else in
    a top-level function without required parameters. Returns (line, that function)."""
    scopes: list[tuple[list[ast.stmt], str | None]] = [(_flattened(tree.body), None)]
    for statement in tree.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)) and not _required_parameters(statement):
            scopes.append((list(ast.walk(statement)), statement.name))
    for nodes, function in scopes:
        instances: set[str] = set()
        for node in _in_order(nodes):
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and _calls_class(node.value, class_name):
                instances |= {t.id for t in node.targets if isinstance(t, ast.Name)}
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "compile":
                receiver = node.func.value
                if (isinstance(receiver, ast.Name) and receiver.id in instances) or (isinstance(receiver, ast.Call) and _calls_class(receiver, class_name)):
                    return node.lineno, function
    return None


def _flattened(body: list[ast.stmt]) -> list[ast.AST]:
    """Module-level code in order, main guards entered, definitions' bodies left out."""
    nodes: list[ast.AST] = []
    for statement in body:
        if is_main_guard(statement):
            nodes.extend(_flattened(statement.body))
        elif not isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            nodes.extend(ast.walk(statement))
    return nodes


def _in_order(nodes: list[ast.AST]) -> list[ast.AST]:
    return sorted((n for n in nodes if hasattr(n, "lineno")), key=lambda n: (n.lineno, n.col_offset))


def _calls_class(call: ast.Call, class_name: str) -> bool:
    func = call.func
    return (isinstance(func, ast.Name) and func.id == class_name) or (isinstance(func, ast.Attribute) and func.attr == class_name)


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
