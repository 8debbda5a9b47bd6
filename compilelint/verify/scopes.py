"""Which names a statement reads, binds and changes, with Python's scoping rules.

The slicer keeps a statement when it binds or changes a name a later kept statement reads.
A function body, a lambda, a class body and a comprehension have their own scopes: their
parameters and locals are not names the enclosing code has to provide, and the names they
bind are not bound in the enclosing code.
"""

from __future__ import annotations

import ast

_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)


def free_names(node: ast.AST) -> set[str]:
    """The names ``node`` reads from the scope it runs in."""
    if isinstance(node, _FUNCTIONS):
        # A body that refers to its own function reads the name this ``def`` binds.
        return _definition_time_names(node) | (_body_free_names(node.body, node.args) - {node.name})
    if isinstance(node, ast.Lambda):
        outer = set().union(*(free_names(d) for d in node.args.defaults + [d for d in node.args.kw_defaults if d is not None]))
        return outer | (free_names(node.body) - _parameters(node.args))
    if isinstance(node, ast.ClassDef):
        outer = set().union(*(free_names(part) for part in node.decorator_list + node.bases + [k.value for k in node.keywords]))
        return outer | (block_free_names(node.body) - {node.name})
    if isinstance(node, _COMPREHENSIONS):
        generators = node.generators
        bound = set().union(*(_target_names(g.target) for g in generators))
        outer = free_names(generators[0].iter)
        parts = [*(g.iter for g in generators[1:]), *(c for g in generators for c in g.ifs)]
        parts += [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]
        inner = set().union(*(free_names(part) for part in parts))
        return outer | (inner - bound)
    if isinstance(node, (ast.For, ast.AsyncFor)):
        target = _target_names(node.target)
        return free_names(node.iter) | _store_free_names(node.target) | (block_free_names(node.body) - target) | block_free_names(node.orelse)
    if isinstance(node, (ast.With, ast.AsyncWith)):
        names = set().union(*(_target_names(item.optional_vars) for item in node.items if item.optional_vars is not None))
        outer = set().union(*(free_names(item.context_expr) for item in node.items))
        return outer | (block_free_names(node.body) - names)
    if isinstance(node, (ast.If, ast.While)):
        return free_names(node.test) | block_free_names(node.body) | block_free_names(node.orelse)
    if isinstance(node, ast.Try) or type(node).__name__ == "TryStar":
        found = block_free_names(node.body) | block_free_names(node.orelse) | block_free_names(node.finalbody)
        for handler in node.handlers:
            caught = free_names(handler.type) if handler.type is not None else set()
            found |= caught | (block_free_names(handler.body) - ({handler.name} if handler.name else set()))
        return found
    if isinstance(node, ast.Name):
        return {node.id} if isinstance(node.ctx, (ast.Load, ast.Del)) else set()
    found: set[str] = set()
    for child in ast.iter_child_nodes(node):
        found |= free_names(child)
    return found


def block_free_names(statements: list[ast.stmt]) -> set[str]:
    """The names a block reads before the block itself has surely bound them."""
    bound: set[str] = set()
    found: set[str] = set()
    for statement in statements:
        found |= free_names(statement) - bound
        bound |= _surely_bound(statement)
    return found


def _surely_bound(statement: ast.stmt) -> set[str]:
    """Names bound whenever the statement completes (a branch or a loop may bind nothing)."""
    if isinstance(statement, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
        targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
        if isinstance(statement, ast.AnnAssign) and statement.value is None:
            return set()
        return {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    if isinstance(statement, (ast.Import, ast.ImportFrom, *_FUNCTIONS, ast.ClassDef)):
        return bound_names([statement])
    if isinstance(statement, (ast.With, ast.AsyncWith)):
        names = set().union(*(_target_names(item.optional_vars) for item in statement.items if item.optional_vars is not None))
        for inner in statement.body:
            names |= _surely_bound(inner)
        return names
    return set()


def _store_free_names(target: ast.AST) -> set[str]:
    """``a[i] = ...`` and ``a.b = ...`` read ``a`` and ``i``."""
    if isinstance(target, ast.Name):
        return set()
    if isinstance(target, (ast.Tuple, ast.List)):
        return set().union(*(_store_free_names(e) for e in target.elts))
    if isinstance(target, ast.Starred):
        return _store_free_names(target.value)
    return free_names(target)


def _definition_time_names(node: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    """Decorators, defaults and annotations run when the ``def`` statement runs."""
    args = node.args
    parts: list[ast.AST] = [*node.decorator_list, *args.defaults, *(d for d in args.kw_defaults if d is not None)]
    every = [*args.posonlyargs, *args.args, *args.kwonlyargs, *(a for a in (args.vararg, args.kwarg) if a is not None)]
    parts += [a.annotation for a in every if a.annotation is not None]
    if node.returns is not None:
        parts.append(node.returns)
    return set().union(*(free_names(part) for part in parts))


def _body_free_names(body: list[ast.stmt], args: ast.arguments) -> set[str]:
    local = _parameters(args) | bound_names(body)
    local -= _declared_global(body)
    return block_free_names(body) - local


def _parameters(args: ast.arguments) -> set[str]:
    every = [*args.posonlyargs, *args.args, *args.kwonlyargs, *(a for a in (args.vararg, args.kwarg) if a is not None)]
    return {a.arg for a in every}


def _declared_global(body: list[ast.stmt]) -> set[str]:
    found: set[str] = set()
    for node in _walk_scope(body):
        if isinstance(node, (ast.Global, ast.Nonlocal)):
            found |= set(node.names)
    return found


def bound_names(statements: list[ast.stmt]) -> set[str]:
    """The names these statements bind in their own scope (nested scopes left out)."""
    found: set[str] = set()
    for node in _walk_scope(statements):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            found.add(node.id)
        elif isinstance(node, (*_FUNCTIONS, ast.ClassDef)):
            found.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            found |= {(a.asname or a.name).split(".")[0] for a in node.names if a.name != "*"}
        elif isinstance(node, ast.ExceptHandler) and node.name:
            found.add(node.name)
        elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
            found.add(node.name)
    return found


def _walk_scope(statements: list[ast.stmt]):
    """Every node of the statements that runs in their scope: a nested def or class is
    yielded itself (its name is bound here) but not entered; lambdas and comprehensions
    are not entered either."""
    stack: list[ast.AST] = list(reversed(statements))
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, (*_FUNCTIONS, ast.ClassDef)):
            # Decorators, bases and defaults run here; walrus targets in them are rare enough.
            continue
        if isinstance(node, (ast.Lambda, *_COMPREHENSIONS)):
            continue
        stack.extend(reversed(list(ast.iter_child_nodes(node))))


def _target_names(target: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(target) if isinstance(n, ast.Name)}


def base_name(node: ast.AST) -> str | None:
    """``a`` for ``a.b[c].d(...)``."""
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def mutated_names(statement: ast.stmt, never_mutates) -> set[str]:
    """Names whose object the statement changes in place, in any block it contains:
    ``m.add(...)``, ``features.append(x)`` in a loop, ``m.trainable = False``, ``d[k] = v``.
    ``never_mutates(call)`` excludes calls that do not count (e.g. ``fit``)."""
    found: set[str] = set()
    for node in _walk_scope([statement]):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            func = node.value.func
            if isinstance(func, ast.Attribute) and not never_mutates(node.value):
                base = base_name(func.value)
                if base:
                    found.add(base)
        targets: list[ast.AST] = []
        if isinstance(node, ast.Assign):
            targets = list(node.targets)
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        for target in targets:
            for part in ast.walk(target):
                if isinstance(part, (ast.Attribute, ast.Subscript)):
                    base = base_name(part)
                    if base:
                        found.add(base)
    return found
