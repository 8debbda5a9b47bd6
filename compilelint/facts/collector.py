"""One pass over a module that records what it says about Keras.

The pass is a small abstract interpreter: it runs the module's statements in order with an
environment of abstract values (``values.py``, ``model.py``), follows calls into local
builder functions, and records every ``Model.compile`` call with what is known at that point.
Whatever depends on a branch, a loop, a caller or an import it cannot see is ``UNKNOWN``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

import libcst as cst

from compilelint.facts import keras_names as kn
from compilelint.facts.model import (
    NO_STRATEGY,
    CallerStrategy,
    BoundArgument,
    ClassValue,
    CompileSite,
    Event,
    LayerValue,
    ModelOutput,
    ModelValue,
    ModuleFacts,
    Outputs,
    StrategyValue,
    TensorValue,
)
from compilelint.facts.values import UNKNOWN, CallValue, DictValue, Ref, SeqValue, SetValue, is_scalar

MAX_CALL_DEPTH = 6
MAX_FUNCTION_RUNS = 400

# Keyword names of Model.compile in any Keras version: an unknown receiver whose compile()
# uses one of them is taken for a Keras model.
COMPILE_KEYWORDS = frozenset(
    {
        "optimizer",
        "loss",
        "metrics",
        "loss_weights",
        "weighted_metrics",
        "run_eagerly",
        "steps_per_execution",
        "jit_compile",
        "auto_scale_loss",
        "sample_weight_mode",
        "target_tensors",
        "experimental_steps_per_execution",
    }
)
NON_MUTATING_METHODS = frozenset({"copy", "get", "items", "keys", "values", "count", "index"})
CUSTOM_OBJECT_REGISTRIES = ("get_custom_objects", "custom_object_scope", "CustomObjectScope", "register_keras_serializable", "custom_objects")
# Ways a program changes an optimizer's learning rate while it trains (callbacks, assignments).
LEARNING_RATE_SETTERS = ("LearningRateScheduler", ".learning_rate =", ".lr =", ".learning_rate.assign", ".lr.assign", "set_value(")
TRAINING_METHODS = frozenset({"fit", "fit_generator", "train_on_batch"})
LOSS_HANDLING_METHODS = frozenset({"train_step", "compute_loss"})
# Built-in layers whose call can return several tensors, depending on their arguments.
MULTI_OUTPUT_LAYER_ARGUMENTS = frozenset({"return_state", "return_attention_scores"})
WRAPPER_LAYERS = frozenset({"Bidirectional", "TimeDistributed"})
MULTI_OUTPUT_LAYERS = frozenset({"MultiHeadAttention", "LSTM", "GRU", "SimpleRNN", "RNN", "Bidirectional", "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D"})


@dataclass(eq=False)
class FunctionValue:
    node: cst.FunctionDef
    closure: "Frame"
    qualname: str
    owner: ClassValue | None = None


@dataclass(eq=False)
class InstanceValue:
    """An instance of a module class that is not a Keras model."""

    cls: ClassValue
    attrs: dict = field(default_factory=dict)


@dataclass(eq=False)
class SuperValue:
    owner: ClassValue | None


@dataclass(eq=False)
class Frame:
    """One scope being executed: the module, or one run of a function."""

    env: dict
    parent: "Frame | None"
    function: str | None
    strategies: list  # innermost last; the bottom entry is the caller's strategy
    conditional: int = 0
    generic: bool = False  # a function run without a caller: its arguments are unknown
    returns: list = field(default_factory=list)
    owner: ClassValue | None = None
    global_names: set = field(default_factory=set)
    attr_sink: dict | None = None  # collects ``self.x = ...`` while a class's methods first run

    def lookup(self, name: str) -> Any:
        frame: Frame | None = self.root if name in self.global_names else self
        while frame is not None:
            if name in frame.env:
                return frame.env[name]
            frame = frame.parent
        return _MISSING

    @property
    def root(self) -> "Frame":
        frame = self
        while frame.parent is not None:
            frame = frame.parent
        return frame

    @property
    def strategy(self) -> Any:
        return self.strategies[-1]


_MISSING = object()
_BUILTIN_NAMES = {"True": True, "False": False, "None": None}


def _dotted(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr.value}" if base else None
    return None


def _merge(a: Any, b: Any) -> Any:
    """The value a name has after two paths that gave it ``a`` and ``b``."""
    if a is b:
        return a
    if is_scalar(a) and is_scalar(b) and type(a) is type(b) and a == b:
        return a
    if isinstance(a, Ref) and isinstance(b, Ref):
        if a.qualname == b.qualname:
            return a
        ka, kb = kn.keras_name(a.qualname), kn.keras_name(b.qualname)
        # ``try: import tf_keras as keras / except: from tensorflow import keras``
        if ka and kb and ka.path == kb.path:
            return a
    return UNKNOWN


def _assigned_names(body: Iterable[cst.CSTNode]) -> set[str]:
    """Names bound anywhere in these statements (not inside nested functions or classes)."""
    names: set[str] = set()

    class _Finder(cst.CSTVisitor):
        def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
            names.add(node.name.value)
            return False

        def visit_ClassDef(self, node: cst.ClassDef) -> bool:
            names.add(node.name.value)
            return False

        def visit_Lambda(self, node: cst.Lambda) -> bool:
            return False

        def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
            names.update(_target_names(node.target))

        def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
            names.update(_target_names(node.target))

        def visit_AugAssign(self, node: cst.AugAssign) -> None:
            names.update(_target_names(node.target))

        def visit_For(self, node: cst.For) -> None:
            names.update(_target_names(node.target))

        def visit_AsName(self, node: cst.AsName) -> None:
            names.update(_target_names(node.name))

        def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
            names.update(_target_names(node.target))

        def visit_Import(self, node: cst.Import) -> None:
            for alias in node.names:
                if alias.asname is None:
                    names.add(_dotted(alias.name).split(".")[0])

        def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
            if not isinstance(node.names, cst.ImportStar):
                for alias in node.names:
                    if alias.asname is None and isinstance(alias.name, cst.Name):
                        names.add(alias.name.value)

    finder = _Finder()
    for statement in body:
        statement.visit(finder)
    return names


def _target_names(target: cst.CSTNode) -> set[str]:
    if isinstance(target, cst.Name):
        return {target.value}
    if isinstance(target, (cst.Tuple, cst.List)):
        out: set[str] = set()
        for element in target.elements:
            out |= _target_names(element.value)
        return out
    if isinstance(target, cst.StarredElement):
        return _target_names(target.value)
    return set()


class Collector:
    def __init__(self, module: cst.Module, text: str) -> None:
        self.module = module
        self.facts = ModuleFacts()
        self.facts.adds_loss_somewhere = "add_loss" in text
        # Names registered at run time (``get_custom_objects().update(...)``) may be plain words.
        self.facts.registers_custom_objects = any(word in text for word in CUSTOM_OBJECT_REGISTRIES)
        self.facts.sets_learning_rate_at_run_time = any(word in text for word in LEARNING_RATE_SETTERS)
        self.order = 0
        self.depth = 0
        self.function_runs = 0
        self.active: list[cst.FunctionDef] = []
        self.ran: set[cst.FunctionDef] = set()
        self.functions: list[FunctionValue] = []
        self.classes: list[tuple[ClassValue, list[FunctionValue]]] = []
        self.recording = True
        self.seen_sites: set[tuple[int, int]] = set()
        self.optimizer_nodes: set[cst.Call] = set()  # each construction is listed once
        self.class_functions: dict[ClassValue, dict[str, FunctionValue]] = {}
        self.loop_names: dict[cst.CSTNode, frozenset[str]] = {}
        self.star_modules: list[str] = []
        self.eager_calls: list[tuple[Any, bool, cst.CSTNode]] = []  # (arg, unconditional, node)

    # ------------------------------------------------------------------ driver
    def run(self) -> ModuleFacts:
        top = Frame(env={}, parent=None, function=None, strategies=[NO_STRATEGY])
        self.exec_block(self.module.body, top)
        # Functions no module-level code called: run them once with unknown arguments, so
        # the compile calls inside are still checked against what the function shows.
        for fn in list(self.functions):
            if fn.node not in self.ran and fn.owner is None:
                self.run_function(fn, [], {}, top, generic=True)
        for cls, methods in self.classes:
            self.run_methods(cls, methods, top)
        self.finish_global_eager()
        return self.facts

    def finish_global_eager(self) -> None:
        calls = self.eager_calls
        if not calls:
            self.facts.global_eager = False
            return
        if all(arg is True for arg, _, _ in calls) and any(unconditional for _, unconditional, _ in calls):
            self.facts.global_eager = True
            self.facts.global_eager_node = calls[0][2]
        elif all(arg is False for arg, _, _ in calls):
            self.facts.global_eager = False
        else:
            self.facts.global_eager = UNKNOWN

    def next_order(self) -> int:
        self.order += 1
        return self.order

    # ------------------------------------------------------------------ statements
    def exec_block(self, body: Sequence[cst.CSTNode], frame: Frame) -> None:
        for statement in body:
            self.exec_statement(statement, frame)

    def exec_statement(self, node: cst.CSTNode, frame: Frame) -> None:
        if isinstance(node, cst.SimpleStatementLine):
            for small in node.body:
                self.exec_small(small, frame)
        elif isinstance(node, cst.IndentedBlock):
            self.exec_block(node.body, frame)
        elif isinstance(node, cst.FunctionDef):
            fn = FunctionValue(node, frame, self.qualify(frame, node.name.value), owner=frame.owner)
            self.bind_name(frame, node.name.value, fn)
            if frame.owner is None:
                self.functions.append(fn)
        elif isinstance(node, cst.ClassDef):
            self.exec_class(node, frame)
        elif isinstance(node, cst.If):
            self.exec_if(node, frame)
        elif isinstance(node, (cst.For, cst.While)):
            self.exec_loop(node, frame)
        elif isinstance(node, cst.With):
            self.exec_with(node, frame)
        elif isinstance(node, (cst.Try, cst.TryStar)):
            self.exec_try(node, frame)
        elif isinstance(node, cst.Match):
            self.exec_branches([case.body for case in node.cases] + [None], frame)
        elif isinstance(node, cst.BaseSmallStatement):
            self.exec_small(node, frame)
        # Anything else binds nothing the analysis could use.

    def qualify(self, frame: Frame, name: str) -> str:
        prefix = frame.owner.name if frame.owner is not None and frame.function is None else frame.function
        return f"{prefix}.{name}" if prefix else name

    def exec_small(self, node: cst.CSTNode, frame: Frame) -> None:
        if isinstance(node, cst.Assign):
            value = self.eval(node.value, frame)
            for target in node.targets:
                self.assign(target.target, value, frame, node)
        elif isinstance(node, cst.AnnAssign):
            if node.value is not None:
                self.assign(node.target, self.eval(node.value, frame), frame, node)
        elif isinstance(node, cst.AugAssign):
            self.eval(node.value, frame)
            self.assign(node.target, UNKNOWN, frame, node)
        elif isinstance(node, cst.Expr):
            self.eval(node.value, frame)
        elif isinstance(node, cst.Return):
            frame.returns.append(self.eval(node.value, frame) if node.value is not None else None)
        elif isinstance(node, cst.Import):
            for alias in node.names:
                dotted = _dotted(alias.name)
                if dotted is None:
                    continue
                self.note_flavour(dotted)
                if alias.asname is not None:
                    self.assign(alias.asname.name, Ref(dotted), frame, node)
                else:
                    root = dotted.split(".")[0]
                    self.bind_name(frame, root, Ref(root))
        elif isinstance(node, cst.ImportFrom):
            self.exec_import_from(node, frame)
        elif isinstance(node, (cst.Global, cst.Nonlocal)):
            for item in node.names:
                frame.global_names.add(item.name.value)
        elif isinstance(node, cst.Del):
            for name in _target_names(node.target):
                self.bind_name(frame, name, UNKNOWN)

    def exec_import_from(self, node: cst.ImportFrom, frame: Frame) -> None:
        if node.relative or node.module is None:
            names = [] if isinstance(node.names, cst.ImportStar) else node.names
            for alias in names:
                target = alias.asname.name if alias.asname else alias.name
                for name in _target_names(target):
                    self.bind_name(frame, name, UNKNOWN)
            return
        module = _dotted(node.module)
        if module is None:
            return
        self.note_flavour(module)
        if isinstance(node.names, cst.ImportStar):
            if kn.keras_name(module) is not None:
                self.star_modules.append(module)
            return
        for alias in node.names:
            name = _dotted(alias.name)
            if name is None:
                continue
            local = alias.asname.name if alias.asname else alias.name
            self.assign(local, Ref(f"{module}.{name}"), frame, node)

    def note_flavour(self, qualname: str) -> None:
        name = kn.keras_name(qualname)
        if name is not None:
            self.facts.keras_flavours.add(name.flavour)

    def exec_class(self, node: cst.ClassDef, frame: Frame) -> None:
        keras_model = False
        parent_classes: list[ClassValue] = []
        for base in node.bases:
            value = self.eval(base.value, frame)
            if isinstance(value, Ref) and (kn.is_model_class(value.qualname) or kn.is_sequential_class(value.qualname)):
                keras_model = True
            elif isinstance(value, ClassValue):
                parent_classes.append(value)
                keras_model = keras_model or value.keras_model
        methods = {
            statement.name.value
            for statement in node.body.body
            if isinstance(statement, cst.FunctionDef)
        }
        cls = ClassValue(
            name=node.name.value,
            node=node,
            keras_model=keras_model,
            methods=frozenset(methods),
            overrides_compile="compile" in methods or any(p.overrides_compile for p in parent_classes),
            handles_loss=bool(methods & LOSS_HANDLING_METHODS) or any(p.handles_loss for p in parent_classes),
        )
        cls.call_returns_dict, cls.call_output_keys = _call_returns(node)
        self.bind_name(frame, node.name.value, cls)
        method_values: list[FunctionValue] = []
        for statement in node.body.body:
            if isinstance(statement, cst.FunctionDef):
                fn = FunctionValue(statement, frame, f"{cls.name}.{statement.name.value}", owner=cls)
                method_values.append(fn)
        inherited = {name: fn for parent in parent_classes for name, fn in self.class_functions.get(parent, {}).items()}
        self.class_functions[cls] = {**inherited, **{fn.node.name.value: fn for fn in method_values}}
        self.classes.append((cls, method_values))

    def run_methods(self, cls: ClassValue, methods: list[FunctionValue], top: Frame) -> None:
        """Run every method with unknown arguments; ``self.x`` attributes assigned once in the
        class are known in every method (a first run collects them, a second records)."""
        if cls.keras_model:
            receiver: Any = ModelValue(kind="subclass", node=cls.node, cls=cls, strategy=UNKNOWN, outputs=subclass_outputs(cls))
        else:
            receiver = InstanceValue(cls)
        recording = self.recording
        self.recording = False
        assigned: dict = {}
        for fn in methods:
            self.run_function(fn, [], {}, top, generic=True, self_value=receiver, attr_sink=assigned)
        self.recording = recording
        if isinstance(receiver, InstanceValue):
            receiver.attrs = assigned
        for fn in methods:
            self.run_function(fn, [], {}, top, generic=True, self_value=receiver)

    def exec_if(self, node: cst.If, frame: Frame) -> None:
        if self.is_main_guard(node.test):
            self.exec_block(node.body.body, frame)
            return
        self.eval(node.test, frame)
        branches: list = [node.body]
        orelse = node.orelse
        while isinstance(orelse, cst.If):
            self.eval(orelse.test, frame)
            branches.append(orelse.body)
            orelse = orelse.orelse
        branches.append(orelse.body if isinstance(orelse, cst.Else) else None)
        self.exec_branches(branches, frame)

    @staticmethod
    def is_main_guard(test: cst.BaseExpression) -> bool:
        if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
            return False
        left, right = test.left, test.comparisons[0].comparator
        if not isinstance(test.comparisons[0].operator, cst.Equal):
            return False
        names = {getattr(left, "value", None), getattr(right, "value", None)}
        return "__name__" in names and ('"__main__"' in names or "'__main__'" in names)

    def exec_branches(self, bodies: list, frame: Frame) -> None:
        """Run each branch (None: a path that runs nothing) and merge what they bind."""
        before = dict(frame.env)
        results = []
        frame.conditional += 1
        for body in bodies:
            frame.env = dict(before)
            if body is not None:
                self.exec_block(body.body if hasattr(body, "body") else body, frame)
            results.append(frame.env)
        frame.conditional -= 1
        merged = dict(results[0])
        for env in results[1:]:
            for name in set(merged) | set(env):
                merged[name] = _merge(merged.get(name, UNKNOWN), env.get(name, UNKNOWN))
        frame.env = merged

    def exec_loop(self, node: cst.For | cst.While, frame: Frame) -> None:
        if isinstance(node, cst.For):
            self.eval(node.iter, frame)
        else:
            self.eval(node.test, frame)
        changed = self.loop_names.get(node)
        if changed is None:  # a function run many times scans each loop once
            changed = self.loop_names[node] = frozenset(_assigned_names([node.body]))
        if isinstance(node, cst.For):
            changed |= _target_names(node.target)
        for name in changed:
            self.bind_name(frame, name, UNKNOWN)
        frame.conditional += 1
        self.exec_block(node.body.body, frame)
        if node.orelse is not None:
            self.exec_block(node.orelse.body.body, frame)
        frame.conditional -= 1
        for name in changed:
            self.bind_name(frame, name, UNKNOWN)

    def exec_with(self, node: cst.With, frame: Frame) -> None:
        pushed = 0
        for item in node.items:
            strategy = self.scope_strategy(item.item, frame)
            if strategy is not None:
                frame.strategies.append(strategy)
                pushed += 1
            value = self.eval(item.item, frame) if strategy is None else UNKNOWN
            if item.asname is not None:
                self.assign(item.asname.name, UNKNOWN if strategy is None else value, frame, node)
        self.exec_block(node.body.body, frame)
        for _ in range(pushed):
            frame.strategies.pop()

    def scope_strategy(self, expr: cst.BaseExpression, frame: Frame) -> Any:
        """The strategy of ``with <strategy>.scope():``, UNKNOWN for an unknown receiver,
        None when the item is no ``.scope()`` call."""
        if not (
            isinstance(expr, cst.Call)
            and isinstance(expr.func, cst.Attribute)
            and expr.func.attr.value == "scope"
            and not expr.args
        ):
            return None
        receiver = self.eval(expr.func.value, frame)
        if isinstance(receiver, StrategyValue):
            return receiver
        return UNKNOWN

    def exec_try(self, node: cst.Try | cst.TryStar, frame: Frame) -> None:
        self.exec_block(node.body.body, frame)
        if node.orelse is not None:
            self.exec_block(node.orelse.body.body, frame)
        handlers = [handler.body for handler in node.handlers]
        if handlers:
            self.exec_branches([None] + handlers, frame)
        if node.finalbody is not None:
            self.exec_block(node.finalbody.body.body, frame)

    # ------------------------------------------------------------------ binding
    def bind_name(self, frame: Frame, name: str, value: Any) -> None:
        if name in frame.global_names:
            # A function rebinding a module name: when that happens is unknown.
            frame.root.env[name] = UNKNOWN
            return
        frame.env[name] = value

    def assign(self, target: cst.CSTNode, value: Any, frame: Frame, statement: cst.CSTNode) -> None:
        if isinstance(target, cst.Name):
            self.bind_name(frame, target.value, value)
        elif isinstance(target, (cst.Tuple, cst.List)):
            elements = target.elements
            items = value.items if isinstance(value, SeqValue) else None
            starred = any(isinstance(e, cst.StarredElement) for e in elements)
            for index, element in enumerate(elements):
                if items is not None and not starred and len(items) == len(elements):
                    item = items[index]
                else:
                    item = UNKNOWN
                self.assign(element.value, item, frame, statement)
        elif isinstance(target, cst.StarredElement):
            self.assign(target.value, UNKNOWN, frame, statement)
        elif isinstance(target, cst.Attribute):
            owner = self.eval(target.value, frame)
            attr = target.attr.value
            if isinstance(owner, ModelValue):
                owner.events.append(
                    Event("set", self.next_order(), statement, attr=attr, value=value, conditional=self.is_conditional(frame, owner))
                )
            elif isinstance(owner, InstanceValue):
                sink = frame.attr_sink
                if sink is not None:
                    sink[attr] = _merge(sink[attr], value) if attr in sink else value
                elif not frame.generic:
                    # An instance used by module code: its attributes change in program order.
                    owner.attrs[attr] = UNKNOWN if frame.conditional else value
        elif isinstance(target, cst.Subscript):
            container = self.eval(target.value, frame)
            if isinstance(container, (SeqValue, DictValue)):
                self.forget(container, frame)

    def forget(self, value: Any, frame: Frame) -> None:
        """A container changed in place: every name bound to it no longer knows its content."""
        scope: Frame | None = frame
        while scope is not None:
            for name, bound in list(scope.env.items()):
                if bound is value:
                    scope.env[name] = UNKNOWN
            scope = scope.parent

    def is_conditional(self, frame: Frame, model: ModelValue) -> bool:
        if frame.conditional:
            return True
        # A function run without a caller may act on a model made elsewhere at any time.
        return frame.generic and model.origin is not frame

    # ------------------------------------------------------------------ functions
    def run_function(
        self,
        fn: FunctionValue,
        args: list,
        kwargs: dict,
        caller: Frame,
        generic: bool = False,
        self_value: Any = None,
        attr_sink: dict | None = None,
    ) -> Any:
        if fn.node in self.active or self.depth >= MAX_CALL_DEPTH or self.function_runs >= MAX_FUNCTION_RUNS:
            return UNKNOWN
        self.function_runs += 1
        self.ran.add(fn.node)
        frame = Frame(
            env={},
            parent=fn.closure,
            function=fn.qualname,
            strategies=[CallerStrategy() if generic else caller.strategy],
            conditional=0 if generic else caller.conditional,
            generic=generic,
            owner=fn.owner,
            attr_sink=attr_sink,
        )
        self.bind_parameters(fn, frame, args, kwargs, generic, self_value)
        self.active.append(fn.node)
        self.depth += 1
        try:
            body = fn.node.body
            if isinstance(body, cst.IndentedBlock):
                self.exec_block(body.body, frame)
            else:
                for small in body.body:
                    self.exec_small(small, frame)
        finally:
            self.depth -= 1
            self.active.pop()
        return self.function_result(frame)

    def bind_parameters(self, fn: FunctionValue, frame: Frame, args: list, kwargs: dict, generic: bool, self_value: Any) -> None:
        params = fn.node.params
        positional = list(params.posonly_params) + list(params.params)
        for name in _target_names_of_params(params):
            frame.env[name] = UNKNOWN
        if self_value is not None and positional:
            frame.env[positional[0].name.value] = self_value
            positional = positional[1:]
        if generic:
            return
        if any(a is _STAR for a in args) or "**" in kwargs:
            return
        for index, param in enumerate(positional):
            name = param.name.value
            if index < len(args):
                frame.env[name] = args[index]
            elif name in kwargs:
                frame.env[name] = kwargs[name]
            elif param.default is not None:
                frame.env[name] = self.eval(param.default, fn.closure)
        for param in params.kwonly_params:
            name = param.name.value
            if name in kwargs:
                frame.env[name] = kwargs[name]
            elif param.default is not None:
                frame.env[name] = self.eval(param.default, fn.closure)

    @staticmethod
    def function_result(frame: Frame) -> Any:
        if not frame.returns:
            return None
        result = frame.returns[0]
        for other in frame.returns[1:]:
            result = _merge(result, other)
        return result

    # ------------------------------------------------------------------ expressions
    def eval(self, node: cst.BaseExpression | None, frame: Frame) -> Any:
        if node is None:
            return None
        try:
            method = _EVALUATORS.get(type(node))
            if method is None:
                self.eval_children(node, frame)
                return UNKNOWN
            return method(self, node, frame)
        except RecursionError:
            return UNKNOWN

    def eval_children(self, node: cst.CSTNode, frame: Frame) -> None:
        """Evaluate sub-expressions for the compile calls they may hold."""
        for child in node.children:
            if isinstance(child, cst.BaseExpression):
                self.eval(child, frame)
            elif isinstance(child, (cst.Arg, cst.Element, cst.BaseDictElement, cst.ComparisonTarget)):
                for grandchild in child.children:
                    if isinstance(grandchild, cst.BaseExpression):
                        self.eval(grandchild, frame)

    def eval_name(self, node: cst.Name, frame: Frame) -> Any:
        name = node.value
        value = frame.lookup(name)
        if value is not _MISSING:
            if isinstance(value, Ref):
                self.note_flavour(value.qualname)
            return value
        if name in _BUILTIN_NAMES:
            return _BUILTIN_NAMES[name]
        if name in ("dict", "super", "list", "tuple"):
            return Ref(f"builtins.{name}")
        for module in self.star_modules:
            if name[:1].isupper():
                return Ref(f"{module}.{name}")
        return UNKNOWN

    def eval_attribute(self, node: cst.Attribute, frame: Frame) -> Any:
        base = self.eval(node.value, frame)
        attr = node.attr.value
        if isinstance(base, Ref):
            ref = Ref(f"{base.qualname}.{attr}", node)
            self.note_flavour(ref.qualname)
            return ref
        if isinstance(base, InstanceValue):
            return base.attrs.get(attr, UNKNOWN)
        return UNKNOWN

    def eval_constant(self, node: cst.BaseExpression, frame: Frame) -> Any:
        try:
            return node.evaluated_value  # type: ignore[attr-defined]
        except Exception:
            return UNKNOWN

    def eval_concatenated(self, node: cst.ConcatenatedString, frame: Frame) -> Any:
        value = node.evaluated_value
        return value if isinstance(value, (str, bytes)) else UNKNOWN

    def eval_sequence(self, node: cst.List | cst.Tuple, frame: Frame) -> Any:
        items, nodes = [], []
        complete = True
        for element in node.elements:
            if isinstance(element, cst.StarredElement):
                self.eval(element.value, frame)
                complete = False
                continue
            items.append(self.eval(element.value, frame))
            nodes.append(element.value)
        if not complete:
            return UNKNOWN
        return SeqValue("list" if isinstance(node, cst.List) else "tuple", items, node, nodes)

    def eval_set(self, node: cst.Set, frame: Frame) -> Any:
        return SetValue([self.eval(e.value, frame) for e in node.elements], node)

    def eval_dict(self, node: cst.Dict, frame: Frame) -> Any:
        entries, value_nodes = {}, {}
        complete = True
        for element in node.elements:
            if isinstance(element, cst.StarredDictElement):
                value = self.eval(element.value, frame)
                if isinstance(value, DictValue):
                    entries.update(value.entries)
                    value_nodes.update(value.value_nodes)
                else:
                    complete = False
                continue
            key = self.eval(element.key, frame)
            value = self.eval(element.value, frame)
            if not is_scalar(key):
                complete = False
                continue
            entries[key] = value
            value_nodes[key] = element.value
        return DictValue(entries, node, value_nodes) if complete else UNKNOWN

    def eval_binary(self, node: cst.BinaryOperation, frame: Frame) -> Any:
        left = self.eval(node.left, frame)
        right = self.eval(node.right, frame)
        if not (is_scalar(left) and is_scalar(right)) or left is None or right is None:
            return UNKNOWN
        operator = _BINARY.get(type(node.operator))
        if operator is None:
            return UNKNOWN
        try:
            result = operator(left, right)
        except Exception:
            return UNKNOWN
        if isinstance(result, (str, bytes)) and len(result) > 10_000:
            return UNKNOWN
        return result

    def eval_unary(self, node: cst.UnaryOperation, frame: Frame) -> Any:
        value = self.eval(node.expression, frame)
        if not is_scalar(value) or value is None:
            return UNKNOWN
        try:
            if isinstance(node.operator, cst.Minus):
                return -value
            if isinstance(node.operator, cst.Plus):
                return +value
            if isinstance(node.operator, cst.Not):
                return not value
        except Exception:
            return UNKNOWN
        return UNKNOWN

    def eval_subscript(self, node: cst.Subscript, frame: Frame) -> Any:
        base = self.eval(node.value, frame)
        index = UNKNOWN
        if len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
            index = self.eval(node.slice[0].slice.value, frame)
        else:
            for element in node.slice:
                self.eval_children(element.slice, frame)
        if isinstance(base, DictValue) and is_scalar(index) and index in base.entries:
            return base.entries[index]
        if isinstance(base, SeqValue) and isinstance(index, int) and not isinstance(index, bool):
            if -len(base.items) <= index < len(base.items):
                return base.items[index]
        return UNKNOWN

    def eval_named_expr(self, node: cst.NamedExpr, frame: Frame) -> Any:
        value = self.eval(node.value, frame)
        self.assign(node.target, value, frame, node)
        return value

    def eval_opaque_scope(self, node: cst.CSTNode, frame: Frame) -> Any:
        # Lambdas and comprehensions: their bodies run later or repeatedly; what they build
        # is unknown (a model whose outputs come from a comprehension has unknown outputs).
        return UNKNOWN

    # ------------------------------------------------------------------ calls
    def eval_call(self, node: cst.Call, frame: Frame) -> Any:
        func = node.func
        if isinstance(func, cst.Attribute):
            receiver = self.eval(func.value, frame)
            method = func.attr.value
            if method == "compile":
                args, kwargs = self.eval_arguments(node, frame, keep_nodes=True)
                self.record_compile(node, receiver, args, kwargs, frame)
                return None
            args, kwargs = self.eval_arguments(node, frame)
            if isinstance(receiver, ModelValue):
                return self.model_method(receiver, method, args, node, frame)
            if isinstance(receiver, Ref):
                return self.call_ref(Ref(f"{receiver.qualname}.{method}", func), args, kwargs, node, frame)
            if isinstance(receiver, InstanceValue):
                value = receiver.attrs.get(method, UNKNOWN)
                if isinstance(value, LayerValue):
                    return self.call_layer(value, args, kwargs, node)
                function = self.class_functions.get(receiver.cls, {}).get(method)
                if function is not None and method not in receiver.attrs:
                    # ``self.build_model()``: run the method with this instance as ``self``.
                    return self.run_function(
                        function, args, kwargs, frame, generic=frame.generic, self_value=receiver, attr_sink=frame.attr_sink
                    )
            if isinstance(receiver, (SeqValue, DictValue, SetValue)) and method not in NON_MUTATING_METHODS:
                self.forget(receiver, frame)
            return UNKNOWN
        callee = self.eval(func, frame)
        args, kwargs = self.eval_arguments(node, frame)
        if isinstance(callee, Ref):
            return self.call_ref(callee, args, kwargs, node, frame)
        if isinstance(callee, FunctionValue):
            return self.run_function(callee, args, kwargs, frame)
        if isinstance(callee, ClassValue):
            if callee.keras_model:
                model = ModelValue(kind="subclass", node=node, cls=callee, strategy=frame.strategy, outputs=subclass_outputs(callee))
                model.origin = frame
                return model
            return InstanceValue(callee)
        if isinstance(callee, LayerValue):
            return self.call_layer(callee, args, kwargs, node)
        if isinstance(callee, ModelValue):
            if self.recording and any(isinstance(a, TensorValue) for a in args):
                # Called on symbolic tensors: a part of another model.
                callee.events.append(Event("call", self.next_order(), node))
            # A model called on tensors acts as one layer; a Sequential always has one output.
            single = callee.kind == "sequential" or (callee.outputs is not None and callee.outputs.structure == "single")
            return TensorValue(layer=None, inputs=[a for a in args if a is not _STAR], node=node) if single else UNKNOWN
        return UNKNOWN

    def eval_arguments(self, node: cst.Call, frame: Frame, keep_nodes: bool = False) -> tuple[list, dict]:
        args: list = []
        kwargs: dict = {}
        for arg in node.args:
            value = self.eval(arg.value, frame)
            if arg.star == "*":
                args.append(_STAR)
            elif arg.star == "**":
                if isinstance(value, DictValue) and all(isinstance(k, str) for k in value.entries):
                    for key, item in value.entries.items():
                        kwargs[key] = (item, value.value_nodes.get(key), arg) if keep_nodes else item
                else:
                    kwargs["**"] = UNKNOWN
            elif arg.keyword is not None:
                kwargs[arg.keyword.value] = (value, arg.value, arg) if keep_nodes else value
            else:
                args.append((value, arg.value, arg) if keep_nodes else value)
        return args, kwargs

    def model_method(self, model: ModelValue, method: str, args: list, node: cst.Call, frame: Frame) -> Any:
        conditional = self.is_conditional(frame, model)
        if method == "add" and model.kind == "sequential":
            if conditional or len(args) != 1:
                model.mutated_unknowably = True
                model.layers_complete = False
            else:
                self.add_to_sequential(model, args[0])
        elif method in TRAINING_METHODS:
            model.events.append(Event("fit", self.next_order(), node, attr=method, conditional=conditional))
        elif method == "add_loss":
            model.events.append(Event("add_loss", self.next_order(), node, conditional=conditional))
        elif method == "pop" and model.kind == "sequential":
            model.mutated_unknowably = True
            model.layers_complete = False
        return UNKNOWN

    def call_layer(self, layer: LayerValue, args: list, kwargs: dict, node: cst.Call) -> Any:
        if layer.class_name in MULTI_OUTPUT_LAYERS and (
            not layer.call.complete or any(layer.call.kwargs.get(a, False) is not False for a in MULTI_OUTPUT_LAYER_ARGUMENTS)
        ):
            return UNKNOWN
        if layer.class_name == "MultiHeadAttention" and kwargs.get("return_attention_scores", False) is not False:
            return UNKNOWN
        if layer.class_name in WRAPPER_LAYERS:
            # Bidirectional(LSTM(..., return_state=True)) returns a list: judge the inner layer.
            inner = layer.call.args[0] if layer.call.args else layer.call.kwargs.get("layer", UNKNOWN)
            if not isinstance(inner, LayerValue) or self.call_layer(inner, args, kwargs, node) is UNKNOWN:
                return UNKNOWN
        return TensorValue(layer=layer, inputs=[a for a in args if a is not _STAR], node=node)

    def call_ref(self, ref: Ref, args: list, kwargs: dict, node: cst.Call, frame: Frame) -> Any:
        qualname = ref.qualname
        if qualname == "builtins.dict":
            if args or "**" in kwargs:
                return UNKNOWN
            return DictValue(dict(kwargs), node, {a.keyword.value: a.value for a in node.args if a.keyword})
        if qualname == "builtins.super":
            return SuperValue(frame.owner)
        if kn.is_run_functions_eagerly(qualname):
            value = args[0] if args else kwargs.get("run_eagerly", UNKNOWN)
            if self.recording:
                self.eager_calls.append((value, frame.conditional == 0 and frame.function is None, node))
            return None
        if kn.is_sequential_class(qualname):
            return self.make_sequential(args, kwargs, node, frame)
        if kn.is_model_class(qualname):
            return self.make_functional(args, kwargs, node, frame)
        if kn.is_input_function(qualname):
            return TensorValue(layer=None, inputs=[], node=node, is_input=True)
        if kn.is_opaque_model_function(qualname):
            model = ModelValue(kind="opaque", node=node, strategy=frame.strategy)
            model.origin = frame
            return model
        strategy = kn.strategy_class(qualname)
        if strategy is not None:
            return StrategyValue(strategy, node)
        call = CallValue(
            qualname,
            [a for a in args if a is not _STAR],
            {k: v for k, v in kwargs.items() if k != "**"},
            node,
            {a.keyword.value: a.value for a in node.args if a.keyword},
            complete=_STAR not in args and "**" not in kwargs,
        )
        layer = kn.layer_class(qualname)
        if layer is not None:
            return LayerValue(layer, call, builtin=True)
        if kn.is_merge_function(qualname):
            # keras.layers.concatenate([a, b]) and friends: one tensor from an unnamed layer.
            return TensorValue(layer=None, inputs=call.args, node=node)
        name = kn.keras_name(qualname)
        if self.recording and self.is_optimizer_call(qualname, name) and node not in self.optimizer_nodes:
            self.optimizer_nodes.add(node)
            self.facts.optimizer_calls.append(call)
        return call

    @staticmethod
    def is_optimizer_call(qualname: str, name: kn.KerasName | None) -> bool:
        if name is not None:
            return "optimizers" in name.parts[:-1] and name.leaf[:1].isupper()
        return qualname.startswith("tensorflow.compat.v1.train.") and qualname.endswith("Optimizer")

    def make_sequential(self, args: list, kwargs: dict, node: cst.Call, frame: Frame) -> ModelValue:
        model = ModelValue(kind="sequential", node=node, strategy=frame.strategy)
        model.origin = frame
        layers = args[0] if args else kwargs.get("layers", None)
        if layers is None:
            model.layers_complete = True
        elif isinstance(layers, SeqValue):
            for item in layers.items:
                self.add_to_sequential(model, item)
            model.layers_complete = all(isinstance(layer, LayerValue) for layer in model.layers)
        else:
            model.mutated_unknowably = True
        if "**" in kwargs or _STAR in args:
            model.mutated_unknowably = True
        return model

    @staticmethod
    def add_to_sequential(model: ModelValue, item: Any) -> None:
        """A Sequential's next element: ``keras.Input(...)`` declares the input, anything
        else is a layer (known or not)."""
        if isinstance(item, TensorValue) and item.is_input and not model.layers:
            model.declares_input = True
            return
        model.layers.append(item)
        if not isinstance(item, LayerValue):
            model.layers_complete = False

    def make_functional(self, args: list, kwargs: dict, node: cst.Call, frame: Frame) -> ModelValue:
        outputs_value = kwargs.get("outputs", args[1] if len(args) > 1 else UNKNOWN)
        inputs_value = kwargs.get("inputs", args[0] if args else UNKNOWN)
        if not args and not kwargs:
            # keras.Model() with no arguments: an empty subclass-style model.
            model = ModelValue(kind="subclass", node=node, strategy=frame.strategy)
        else:
            model = ModelValue(kind="functional", node=node, strategy=frame.strategy)
            model.outputs = functional_outputs(outputs_value)
            model.layers, model.layers_complete = graph_layers(outputs_value, inputs_value)
        model.origin = frame
        return model

    # ------------------------------------------------------------------ compile sites
    def record_compile(self, node: cst.Call, receiver: Any, args: list, kwargs: dict, frame: Frame) -> None:
        if not self.recording:
            return
        model: Any
        if isinstance(receiver, ModelValue):
            if receiver.overrides_compile:
                return
            model = receiver
        elif isinstance(receiver, SuperValue):
            if receiver.owner is None or not receiver.owner.keras_model:
                return
            model = ModelValue(kind="subclass", node=node, strategy=UNKNOWN)
        elif receiver is UNKNOWN:
            if not self.facts.uses_keras or not self.looks_like_keras_compile(args, kwargs):
                return
            model = UNKNOWN
        else:
            return
        key = (id(node), id(model))
        if key in self.seen_sites:
            return
        self.seen_sites.add(key)
        positional: list[BoundArgument] = []
        unknown_positional = False
        for index, item in enumerate(args):
            if item is _STAR:
                unknown_positional = True
                break
            value, expr, arg = item
            positional.append(BoundArgument(value, expr, arg, positional_index=index))
        keywords: dict[str, BoundArgument] = {}
        unknown_keywords = False
        for name, item in kwargs.items():
            if name == "**":
                unknown_keywords = True
                continue
            value, expr, arg = item
            keywords[name] = BoundArgument(value, expr if expr is not None else arg.value, arg)
        order = self.next_order()
        site = CompileSite(
            call=node,
            model=model,
            order=order,
            strategy=frame.strategy,
            function=frame.function,
            positional=positional,
            keywords=keywords,
            unknown_positional=unknown_positional,
            unknown_keywords=unknown_keywords,
            outputs=self.outputs_at_compile(model),
            frame_strategy=frame.strategies[0],
            conditional=frame.conditional > 0,
        )
        if isinstance(model, ModelValue):
            model.events.append(Event("compile", order, node, conditional=self.is_conditional(frame, model)))
        self.facts.sites.append(site)

    @staticmethod
    def looks_like_keras_compile(args: list, kwargs: dict) -> bool:
        if any(name in COMPILE_KEYWORDS for name in kwargs):
            return True
        return False

    @staticmethod
    def outputs_at_compile(model: Any) -> Outputs | None:
        if not isinstance(model, ModelValue):
            return None
        if model.kind == "sequential":
            if model.mutated_unknowably or not model.layers:
                tensor: Any = UNKNOWN
            else:
                tensor = sequential_chain(model.layers)
            name = tensor.layer.name if isinstance(tensor, TensorValue) and tensor.layer else UNKNOWN
            return Outputs("single", [ModelOutput(tensor, name if isinstance(name, str) else UNKNOWN)])
        return model.outputs


_STAR = object()


def _call_returns(node: cst.ClassDef) -> tuple[Any, tuple[str, ...] | None]:
    """What the class's ``call()`` returns: (False, None) when every ``return`` is visibly no
    dict (a list, a tuple, a layer call); (True, keys) when every one is a dict literal or
    ``dict(...)``, with the keys when all of them spell the same string keys; else
    (UNKNOWN, None)."""
    call = next((s for s in node.body.body if isinstance(s, cst.FunctionDef) and s.name.value == "call"), None)
    if call is None:
        return UNKNOWN, None
    returns: list = []

    class _Returns(cst.CSTVisitor):
        def visit_FunctionDef(self, inner: cst.FunctionDef) -> bool:
            return inner is call

        def visit_Return(self, statement: cst.Return) -> None:
            returns.append(statement.value)

    call.visit(_Returns())
    if not returns:
        return UNKNOWN, None
    keys = [_dict_keys(value) for value in returns]
    if all(k is not UNKNOWN for k in keys):
        same = all(k == keys[0] for k in keys) and keys[0] is not None
        return True, keys[0] if same else None
    if all(k is UNKNOWN and isinstance(v, (cst.List, cst.Tuple, cst.Call)) for k, v in zip(keys, returns)):
        return False, None
    return UNKNOWN, None


def _dict_keys(value: Any) -> Any:
    """The keys of a returned dict literal or ``dict(k=v, ...)`` call (None when some key is
    not a plain string); UNKNOWN when the value is no dict display."""
    if isinstance(value, cst.Dict):
        keys = []
        for element in value.elements:
            key = getattr(element, "key", None)
            if not isinstance(key, cst.SimpleString) or not isinstance(key.evaluated_value, str):
                return None
            keys.append(key.evaluated_value)
        return tuple(sorted(keys))
    if isinstance(value, cst.Call) and isinstance(value.func, cst.Name) and value.func.value == "dict":
        if any(arg.keyword is None for arg in value.args):
            return None
        return tuple(sorted(arg.keyword.value for arg in value.args))
    return UNKNOWN


def subclass_outputs(cls: ClassValue) -> Outputs | None:
    """The dict outputs of a subclassed model whose ``call()`` returns known keys."""
    if cls.call_output_keys is None:
        return None
    return Outputs("dict", [ModelOutput(UNKNOWN, UNKNOWN, key=key) for key in cls.call_output_keys], "dict")


def _target_names_of_params(params: cst.Parameters) -> list[str]:
    names = [p.name.value for p in (*params.posonly_params, *params.params, *params.kwonly_params)]
    if isinstance(params.star_arg, cst.Param):
        names.append(params.star_arg.name.value)
    if params.star_kwarg is not None:
        names.append(params.star_kwarg.name.value)
    return names


def sequential_chain(layers: list) -> Any:
    """The output tensor of a Sequential model: each layer applied to the previous one."""
    tensor: Any = TensorValue(layer=None, inputs=[], node=None, is_input=True)  # type: ignore[arg-type]
    for layer in layers:
        if not isinstance(layer, LayerValue):
            tensor = UNKNOWN
            continue
        if layer.class_name == "InputLayer":
            continue
        tensor = TensorValue(layer=layer, inputs=[tensor], node=layer.call.node)
    return tensor


def output_name(tensor: Any) -> Any:
    if not isinstance(tensor, TensorValue) or tensor.layer is None:
        return UNKNOWN
    name = tensor.layer.name
    return name if isinstance(name, str) else UNKNOWN


def functional_outputs(value: Any) -> Outputs | None:
    if isinstance(value, TensorValue):
        return Outputs("single", [ModelOutput(value, output_name(value))])
    if isinstance(value, SeqValue):
        if not value.items or not all(isinstance(item, TensorValue) for item in value.items):
            return None
        return Outputs("list", [ModelOutput(item, output_name(item)) for item in value.items], value.kind)
    if isinstance(value, DictValue):
        if not value.entries or not all(
            isinstance(key, str) and isinstance(item, TensorValue) for key, item in value.entries.items()
        ):
            return None
        return Outputs("dict", [ModelOutput(item, output_name(item), key=key) for key, item in value.entries.items()], "dict")
    return None


def graph_layers(outputs: Any, inputs: Any) -> tuple[list, bool]:
    """The layers between a functional model's inputs and outputs, and whether that is all."""
    layers: list = []
    complete = True
    seen: set[int] = set()
    stack = list(_flatten(outputs))
    while stack:
        tensor = stack.pop()
        if not isinstance(tensor, TensorValue):
            complete = False
            continue
        if id(tensor) in seen:
            continue
        seen.add(id(tensor))
        if tensor.is_input:
            continue
        if tensor.layer is None:
            complete = False
        elif all(layer is not tensor.layer for layer in layers):
            layers.append(tensor.layer)
        stack.extend(_flatten(tensor.inputs))
    return layers, complete


def _flatten(value: Any) -> list:
    if isinstance(value, SeqValue):
        out: list = []
        for item in value.items:
            out.extend(_flatten(item))
        return out
    if isinstance(value, DictValue):
        out = []
        for item in value.entries.values():
            out.extend(_flatten(item))
        return out
    if isinstance(value, list):
        out = []
        for item in value:
            out.extend(_flatten(item))
        return out
    return [value]


_BINARY = {
    cst.Add: lambda a, b: a + b,
    cst.Subtract: lambda a, b: a - b,
    cst.Multiply: lambda a, b: a * b if not (isinstance(a, (str, bytes)) or isinstance(b, (str, bytes))) or abs(b if isinstance(b, int) else a) < 1000 else None,
    cst.Divide: lambda a, b: a / b,
    cst.FloorDivide: lambda a, b: a // b,
    cst.Modulo: lambda a, b: a % b if not isinstance(a, (str, bytes)) else None,
    cst.Power: lambda a, b: a**b if abs(b) < 64 else None,
}

_EVALUATORS = {
    cst.Name: Collector.eval_name,
    cst.Attribute: Collector.eval_attribute,
    cst.Integer: Collector.eval_constant,
    cst.Float: Collector.eval_constant,
    cst.Imaginary: Collector.eval_constant,
    cst.SimpleString: Collector.eval_constant,
    cst.ConcatenatedString: Collector.eval_concatenated,
    cst.List: Collector.eval_sequence,
    cst.Tuple: Collector.eval_sequence,
    cst.Set: Collector.eval_set,
    cst.Dict: Collector.eval_dict,
    cst.BinaryOperation: Collector.eval_binary,
    cst.UnaryOperation: Collector.eval_unary,
    cst.Subscript: Collector.eval_subscript,
    cst.NamedExpr: Collector.eval_named_expr,
    cst.Call: Collector.eval_call,
    cst.Lambda: Collector.eval_opaque_scope,
    cst.ListComp: Collector.eval_opaque_scope,
    cst.SetComp: Collector.eval_opaque_scope,
    cst.DictComp: Collector.eval_opaque_scope,
    cst.GeneratorExp: Collector.eval_opaque_scope,
}


def collect_facts(module: cst.Module, text: str = "") -> ModuleFacts:
    return Collector(module, text).run()
