"""One pass over a module that records what it says about Keras.

The pass is a small abstract interpreter: it runs the module's statements in order with an
environment of abstract values (``values.py``, ``model.py``), follows calls into local
builder functions, classes and ``functools.partial``, follows lists and dicts as the code
changes them (``containers.py``), and records every ``Model.compile`` call with what is
known at that point. A version guard takes the branch the targeted Keras takes
(``guards.py``); a model picked by any other branch is one of several known models
(``ModelChoice``). Whatever else depends on a branch, a loop, a caller or an import it cannot
see is ``UNKNOWN``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

import libcst as cst

from compilelint.facts import containers, guards
from compilelint.facts import keras_names as kn
from compilelint.facts.guards import Possible, VersionAxis
from compilelint.facts.model import (
    NO_STRATEGY,
    ModelChoice,
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
from compilelint.facts.values import UNKNOWN, CallValue, DictValue, Ref, SeqValue, SetValue, is_scalar, literal

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
BUILTIN_REFS = frozenset({"dict", "super", "list", "tuple", "hasattr", "int", "float", "str", "len", "map"})
# Functions whose result may depend on the installed versions (see guards.py).
GUARD_FUNCTIONS = frozenset({"importlib.util.find_spec"} | {f"builtins.{name}" for name in BUILTIN_REFS - {"dict", "super"}})
# Methods through which a layer subclass changes what the layer is or computes.
LAYER_BEHAVIOUR_METHODS = frozenset({"__init__", "__new__", "__call__", "call", "build", "compute_output_shape"})
MAX_UNROLLED = 8  # a loop over a known list of at most this many models runs once per model
IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError", "Exception", "BaseException"})
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
class PartialValue:
    """``functools.partial(function, *args, **kwargs)``."""

    function: Any
    args: list
    kwargs: dict


@dataclass(eq=False)
class SuperValue:
    owner: ClassValue | None


@dataclass(eq=False)
class ProjectName:
    """A name an import binds that may come from a module of the project (``name`` None: the
    module itself). It is read the first time the code uses it; ``fallback`` is what the name
    means when it cannot be read (an absolute import's Ref, UNKNOWN for a relative one)."""

    module: str | None
    level: int
    name: str | None
    fallback: Any
    strategy: Any  # around the import: the module's top-level code runs there
    value: Any = None  # what it turned out to be, once read


@dataclass(eq=False)
class ProjectModule:
    """A module of the project used as a value (``import models`` / ``from pkg import models``)."""

    location: Any  # project.Location
    fallback: Any
    strategy: Any  # see ProjectName


@dataclass(eq=False)
class LazyDefinition:
    """A top-level ``def`` / ``class`` of a project module, parsed and defined when first
    used (``project.Piece``): most of a module's definitions never are."""

    piece: Any
    frame: "Frame"
    value: Any = None  # once defined: _Known(value)


@dataclass(eq=False)
class ForeignModule:
    """A project module the file imports, as this pass ran it (its top-level code, once)."""

    dependency: Any  # project.Dependency
    frame: "Frame | None" = None
    star_modules: list = field(default_factory=list)


@dataclass(eq=False)
class Frame:
    """One scope being executed: the module, or one run of a function."""

    env: dict
    parent: "Frame | None"
    function: str | None
    strategies: list  # innermost last; the bottom entry is the caller's strategy
    conditional: int = 0
    loops: int = 0  # inside a loop body of this scope (a body that may run any number of times)
    generic: bool = False  # a function run without a caller: its arguments are unknown
    returns: list = field(default_factory=list)
    owner: ClassValue | None = None
    global_names: set = field(default_factory=set)
    attr_sink: dict | None = None  # collects ``self.x = ...`` while a class's methods first run
    module: "ForeignModule | None" = None  # the project module whose code this is; None: the file's own

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
# Calls that never change the list, dict or set they are given.
_READ_ONLY_BUILTINS = frozenset(
    {
        "print", "len", "repr", "str", "sorted", "isinstance", "issubclass", "enumerate", "zip", "type", "id", "bool",
        "int", "float", "min", "max", "sum", "any", "all", "iter", "reversed", "list", "tuple", "set", "frozenset",
        "dict", "format", "hash", "range", "getattr", "hasattr", "callable", "map", "filter",
    }
)
_READ_ONLY_MODULES = frozenset({"builtins", "json", "logging", "pprint", "copy", "math", "numpy", "os", "keras", "tensorflow", "tf_keras"})


@dataclass(frozen=True)
class _Known:
    value: Any
_BUILTIN_NAMES = {"True": True, "False": False, "None": None}


def _dotted(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr.value}" if base else None
    return None


MAX_MODEL_CHOICES = 4


def _merge(a: Any, b: Any) -> Any:
    """The value a name has after two paths that gave it ``a`` and ``b``."""
    if a is b:
        return a
    if isinstance(a, (ModelValue, ModelChoice)) and isinstance(b, (ModelValue, ModelChoice)):
        # Either model: rules check each and report what holds for all (see ModelChoice).
        options = [*_options(a), *(o for o in _options(b) if all(o is not seen for seen in _options(a)))]
        return ModelChoice(options) if len(options) <= MAX_MODEL_CHOICES else UNKNOWN
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


def _options(value: Any) -> list:
    return value.options if isinstance(value, ModelChoice) else [value]


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


def _may_change_its_arguments(callee: Any, node: cst.Call) -> bool:
    """Whether a call may change a container it is given: a function the analysis knows
    nothing of (an import from another package, a name it cannot resolve), not a read-only
    builtin, the standard library's printers and serialisers, NumPy or Keras."""
    if isinstance(callee, Ref):
        return callee.qualname.partition(".")[0] not in _READ_ONLY_MODULES and kn.keras_name(callee.qualname) is None
    return callee is UNKNOWN and not (isinstance(node.func, cst.Name) and node.func.value in _READ_ONLY_BUILTINS)


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


ALL_IMPORTS = "*"  # in a set of imports to read: every one of them


class Probe:
    """What a pass that leaves project modules unread saw of them: which of them reading
    could change what the rules read (a compile call's receiver or arguments that come from
    a project import, a model handed to project code; any, for a site whose model, strategy
    or arguments are partly unknown). Most files that import project modules compile models
    of their own: they are never read for them."""

    def __init__(self) -> None:
        self.names: list[ProjectName] = []
        self.qualnames: set[str] = set()  # the Refs absolute imports stood for
        self.relative = False  # a relative import stood for UNKNOWN
        self.receivers: list = []  # every compile() call's receiver
        self.arguments: list = []  # ... and argument values
        self.classes: dict[int, set[str]] = {}  # id(class) -> the imports its bases come from
        self.models: dict[int, set[str]] = {}  # id(model) -> the imports of project code it was handed to

    def note(self, imported: ProjectName) -> None:
        self.names.append(imported)
        if isinstance(imported.fallback, Ref):
            self.qualnames.add(imported.fallback.qualname)
        else:
            self.relative = True

    def note_call(self, callee: Any, args: list, kwargs: dict) -> None:
        """A model handed to project code, which may change it (``debug(model)``)."""
        models = [a for a in (*args, *kwargs.values()) if isinstance(a, ModelValue)]
        sources = self.sources(callee) if models else set()
        for model in models if sources else ():
            self.models.setdefault(id(model), set()).update(sources)

    def sources(self, value: Any, depth: int = 0) -> set[str]:
        """The imports (their fallback qualnames, ALL_IMPORTS for relative ones) ``value``
        may stand in for."""
        if value is UNKNOWN:
            return {ALL_IMPORTS} if self.relative else set()
        if isinstance(value, (Ref, CallValue)):
            name = value.qualname
            return {q for q in self.qualnames if name == q or name.startswith(q + ".")}
        if isinstance(value, InstanceValue):
            return self.classes.get(id(value.cls), set())
        found: set[str] = set()
        if depth < 4 and isinstance(value, SeqValue):
            for item in value.items:
                found |= self.sources(item, depth + 1)
        elif depth < 4 and isinstance(value, DictValue):
            for item in value.entries.values():
                found |= self.sources(item, depth + 1)
        return found

    def wanted(self, facts: ModuleFacts, imports: Any) -> frozenset:
        """The imports to read (empty: none would change the facts)."""
        if not self.names:
            return frozenset()
        wanted: set[str] = set()
        for receiver in self.receivers:
            # An unknown receiver may be a project builder's model that a branch merged away.
            wanted |= {ALL_IMPORTS} if receiver is UNKNOWN else self.sources(receiver)
        for value in self.arguments:
            wanted |= self.sources(value)
        for site in facts.sites:
            model = site.model
            if site.strategy is UNKNOWN or site.unknown_keywords or site.unknown_positional or (
                isinstance(model, ModelValue) and model.kind in ("sequential", "functional") and not model.layers_complete
            ):
                wanted.add(ALL_IMPORTS)  # a strategy, an argument, a layer from who knows where
            wanted |= self.models.get(id(model), set())
        read = [n for n in self.names if ALL_IMPORTS in wanted or (isinstance(n.fallback, Ref) and n.fallback.qualname in wanted)]
        if not any(imports.locate(n.module, n.level) is not None for n in read):
            return frozenset()
        return frozenset(wanted)


class Collector:
    def __init__(
        self,
        module: cst.Module,
        text: str,
        major: int | None = None,
        flavours: frozenset[str] | None = None,
        imports: Any = None,
        read_dependencies: bool | frozenset = True,
    ) -> None:
        self.module = module
        # ``project.ProjectImports``: where the project modules this file imports are (None:
        # imported names stay what their import says, as without a project around the file).
        # Without ``read_dependencies`` they stay so too, and ``probe`` says which to read; a
        # set of fallback qualnames reads only those (ALL_IMPORTS: all).
        self.imports = imports
        self.probe = Probe() if imports is not None and read_dependencies is False else None
        self.read_only = read_dependencies if isinstance(read_dependencies, frozenset) and ALL_IMPORTS not in read_dependencies else None
        self.foreign: dict[str, ForeignModule | None] = {}  # by file: each project module runs once
        self.import_fallbacks: dict[int, Any] = {}  # id(function from a project module) -> its import's fallback
        self.dependency_adds_loss = False
        self.facts = ModuleFacts()
        # Which versions a version guard may be asked about: either Keras in the first pass,
        # one target's in a pass made for it (``flavours``: what the first pass found).
        self.axis = VersionAxis(major, flavours)
        self.facts.adds_loss_somewhere = "add_loss" in text
        self.add_loss_mentions = text.count("add_loss")
        self.layer_add_loss: set[cst.Call] = set()  # ``self.add_loss(...)`` in methods of classes that are no model
        self.note_text(text)
        self.order = 0
        self.depth = 0
        self.function_runs = 0
        self.active: list[cst.FunctionDef] = []
        self.frames: list[Frame] = []  # the function runs in progress, innermost last
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
        if self.add_loss_mentions and len(self.layer_add_loss) == self.add_loss_mentions:
            # Only custom layers add losses: that matters to the models using those layers
            # (whose layers are then not all built-in), not to every model of the module.
            self.facts.adds_loss_somewhere = False
        self.facts.adds_loss_somewhere = self.facts.adds_loss_somewhere or self.dependency_adds_loss
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
            if frame.owner is None and frame.module is None:
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
            value = self.eval(node.value, frame)
            self.exec_augmented(node, value, frame)
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
                    self.assign(alias.asname.name, self.project_name(dotted, 0, None, Ref(dotted), frame), frame, node)
                else:
                    root = dotted.split(".")[0]
                    self.bind_name(frame, root, self.project_name(root, 0, None, Ref(root), frame))
        elif isinstance(node, cst.ImportFrom):
            self.exec_import_from(node, frame)
        elif isinstance(node, (cst.Global, cst.Nonlocal)):
            for item in node.names:
                frame.global_names.add(item.name.value)
        elif isinstance(node, cst.Del):
            targets = [e.value for e in node.target.elements] if isinstance(node.target, (cst.Tuple, cst.List)) else [node.target]
            for target in targets:
                if isinstance(target, cst.Subscript):
                    # ``del cfg["run_eagerly"]``: the container loses that entry.
                    container = self.eval(target.value, frame)
                    if isinstance(container, (SeqValue, DictValue)):
                        key = self.eval(target.slice[0].slice.value, frame) if _plain_index(target) else UNKNOWN
                        self.replace(container, containers.deleted(container, key), frame)
            for name in _target_names(node.target):
                self.bind_name(frame, name, UNKNOWN)

    def exec_import_from(self, node: cst.ImportFrom, frame: Frame) -> None:
        if node.relative or node.module is None:
            names = [] if isinstance(node.names, cst.ImportStar) else node.names
            level = len(node.relative)
            package = _dotted(node.module) if node.module is not None else None
            for alias in names:
                target = alias.asname.name if alias.asname else alias.name
                name = _dotted(alias.name)
                value = self.project_name(package, level, name, UNKNOWN, frame) if name and isinstance(target, cst.Name) else UNKNOWN
                for local in _target_names(target):
                    self.bind_name(frame, local, value)
            return
        module = _dotted(node.module)
        if module is None:
            return
        self.note_flavour(module)
        if isinstance(node.names, cst.ImportStar):
            if kn.keras_name(module) is not None:
                (frame.module.star_modules if frame.module is not None else self.star_modules).append(module)
            return
        for alias in node.names:
            name = _dotted(alias.name)
            if name is None:
                continue
            local = alias.asname.name if alias.asname else alias.name
            self.assign(local, self.project_name(module, 0, name, Ref(f"{module}.{name}"), frame), frame, node)

    # ------------------------------------------------------------------ project modules
    def project_name(self, module: str | None, level: int, name: str | None, fallback: Any, frame: Frame) -> Any:
        """What an import binds: a ProjectName when the module may be the project's own. A
        project module's own imports stay what they say: one level deep."""
        if self.imports is None or frame.module is not None or not self.imports.may_be_project(module, level):
            return fallback
        # Imported in a function, the module may run first under any strategy.
        strategy = frame.strategy if frame.function is None else UNKNOWN
        return ProjectName(module, level, name, fallback, strategy)

    def read_project_name(self, imported: ProjectName) -> Any:
        """The value the imported name has at the end of its module, else its fallback."""
        if self.probe is not None:
            self.probe.note(imported)
            return imported.fallback
        if self.read_only is not None and not (isinstance(imported.fallback, Ref) and imported.fallback.qualname in self.read_only):
            return imported.fallback
        if imported.value is None:
            location = self.imports.locate(imported.module, imported.level)
            value: Any = _MISSING
            if location is not None:
                module = ProjectModule(location, imported.fallback, imported.strategy)
                value = module if imported.name is None else self.module_attribute(module, imported.name, imported.fallback)
            imported.value = _Known(self.known_or(value, imported.fallback))
        return imported.value.value

    def module_attribute(self, module: ProjectModule, attr: str, fallback: Any = None) -> Any:
        """``module.attr``: a submodule, else the value ``attr`` has when the module's code has run."""
        if fallback is None:
            fallback = Ref(f"{module.fallback.qualname}.{attr}") if isinstance(module.fallback, Ref) else UNKNOWN
        submodule = self.imports.submodule(module.location, attr)
        if submodule is not None:
            return ProjectModule(submodule, fallback, module.strategy)
        foreign = self.run_project_module(module.location, module.strategy)
        value = foreign.frame.env.get(attr, _MISSING) if foreign is not None else _MISSING
        if isinstance(value, LazyDefinition):
            value = self.define(value)
        return self.known_or(value, fallback)

    def known_or(self, value: Any, fallback: Any) -> Any:
        if value is _MISSING or value is UNKNOWN:
            return fallback
        if isinstance(value, FunctionValue):
            # A builder whose result the pass cannot know gives what a call of the import gave.
            self.import_fallbacks.setdefault(id(value), fallback)
        return value

    def run_project_module(self, location: Any, strategy: Any) -> ForeignModule | None:
        """Run a project module's top-level code once, in a frame of its own, as importing it
        does (its ``if __name__ == "__main__":`` block does not run); None when it cannot be
        read or parsed."""
        path = location.file
        if path is None:
            return None  # a namespace package has no code
        if path in self.foreign:
            return self.foreign[path]
        self.foreign[path] = None  # while it runs, a name it reaches back for is unknown
        dependency = self.imports.load(path)
        if dependency.pieces is None:
            return None
        foreign = ForeignModule(dependency)
        frame = foreign.frame = Frame(env={}, parent=None, function=None, strategies=[strategy], module=foreign)
        self.facts.dependencies.append(dependency)
        self.note_dependency_text(dependency.text)
        saved = (self.recording, self.frames, self.active, self.depth)
        self.recording, self.frames, self.active, self.depth = True, [], [], 0
        try:
            for piece in dependency.pieces:
                if piece.name is not None:
                    self.bind_name(frame, piece.name, LazyDefinition(piece, frame))
                    continue
                tree = piece.tree()
                if tree is None:
                    return None
                self.exec_block(tree.body, frame)
        except RecursionError:
            return None
        finally:
            self.recording, self.frames, self.active, self.depth = saved
        self.foreign[path] = foreign
        return foreign

    def define(self, lazy: LazyDefinition) -> Any:
        """The function or class a lazy definition stands for, defined where it was (a later
        rebinding of its name in the module stays)."""
        if lazy.value is None:
            frame, name = lazy.frame, lazy.piece.name
            current = frame.env.get(name)
            value: Any = UNKNOWN
            head = lazy.piece.header_tree()
            tree = lazy.piece.tree() if head is not None and self.plain_bases(head.body[0], frame) else None
            if tree is not None and tree.body:
                self.exec_statement(tree.body[0], frame)
                value = frame.env.get(name, UNKNOWN)
            frame.env[name] = value if current is lazy else current
            lazy.value = _Known(value)
        return lazy.value.value

    def plain_bases(self, node: cst.CSTNode, frame: Frame) -> bool:
        """Whether a project module's class derives only from what the analysis knows
        (nothing, ``object``, its module's own classes, Keras models, layers, optimizers).
        A class of another module's class (one level deep) is left unread: its instances stay
        what a call of the import gives, and its methods are never parsed."""
        if not isinstance(node, cst.ClassDef):
            return True
        for base in node.bases:
            if isinstance(base.value, cst.Name) and base.value.value == "object":
                continue
            value = self.eval(base.value, frame)
            if isinstance(value, ClassValue):
                continue
            if not isinstance(value, Ref) or not (
                kn.is_model_class(value.qualname)
                or kn.is_sequential_class(value.qualname)
                or kn.is_optimizer_class(value.qualname)
                or kn.layer_class(value.qualname) is not None
            ):
                return False
        return True

    def note_dependency_text(self, text: str) -> None:
        """What a project module's words say that matters to models it builds."""
        self.dependency_adds_loss = self.dependency_adds_loss or "add_loss" in text
        self.note_text(text)

    def note_text(self, text: str) -> None:
        """What words of the code say that no value shows: names registered at run time
        (``get_custom_objects().update(...)``) may be plain words, and a callback or an
        assignment may change the learning rate while training."""
        self.facts.registers_custom_objects = self.facts.registers_custom_objects or any(word in text for word in CUSTOM_OBJECT_REGISTRIES)
        self.facts.sets_learning_rate_at_run_time = self.facts.sets_learning_rate_at_run_time or any(
            word in text for word in LEARNING_RATE_SETTERS
        )

    def note_flavour(self, qualname: str) -> None:
        name = kn.keras_name(qualname)
        if name is not None:
            self.facts.keras_flavours.add(name.flavour)

    def exec_class(self, node: cst.ClassDef, frame: Frame) -> None:
        keras_model = False
        parent_classes: list[ClassValue] = []
        bases = [self.eval(base.value, frame) for base in node.bases]
        from_project = set().union(*(self.probe.sources(value) for value in bases if value is not UNKNOWN)) if self.probe is not None else set()
        for value in bases:
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
        optimizer_base = layer_base = None
        keeps_layer = False
        if len(bases) == 1 and not node.keywords:
            base = bases[0]
            keeps_constructor = not methods & {"__init__", "__new__"}
            if isinstance(base, Ref) and kn.is_optimizer_class(base.qualname):
                optimizer_base = base.qualname if keeps_constructor else None
            elif isinstance(base, Ref) and kn.layer_class(base.qualname) is not None:
                layer_base, keeps_layer = base.qualname, _only_other_methods(node)
            elif isinstance(base, ClassValue):
                optimizer_base = base.optimizer_base if keeps_constructor else None
                layer_base = base.layer_base
                keeps_layer = base.keeps_layer and _only_other_methods(node)
        cls = ClassValue(
            name=node.name.value,
            node=node,
            keras_model=keras_model,
            methods=frozenset(methods),
            overrides_compile="compile" in methods or any(p.overrides_compile for p in parent_classes),
            handles_loss=bool(methods & LOSS_HANDLING_METHODS) or any(p.handles_loss for p in parent_classes),
            optimizer_base=optimizer_base,
            layer_base=layer_base,
            keeps_layer=keeps_layer,
        )
        cls.call_returns_dict, cls.call_output_keys, cls.call_returns_display = _call_returns(node)
        if from_project:
            self.probe.classes[id(cls)] = from_project
        self.bind_name(frame, node.name.value, cls)
        method_values: list[FunctionValue] = []
        for statement in node.body.body:
            if isinstance(statement, cst.FunctionDef):
                fn = FunctionValue(statement, frame, f"{cls.name}.{statement.name.value}", owner=cls)
                method_values.append(fn)
        inherited = {name: fn for parent in parent_classes for name, fn in self.class_functions.get(parent, {}).items()}
        self.class_functions[cls] = {**inherited, **{fn.node.name.value: fn for fn in method_values}}
        if frame.module is None:  # a project module's classes are checked when that file is linted
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
        if isinstance(receiver, InstanceValue):
            # Written through while collecting, so that ``__init__`` already sees what it set
            # (``self.strategy = ...`` then ``with self.strategy.scope():``).
            receiver.attrs = assigned
        for fn in methods:
            self.run_function(fn, [], {}, top, generic=True, self_value=receiver, attr_sink=assigned)
        self.recording = recording
        for fn in methods:
            self.run_function(fn, [], {}, top, generic=True, self_value=receiver)

    def exec_if(self, node: cst.If, frame: Frame) -> None:
        if self.is_main_guard(node.test):
            if frame.module is None:  # an imported module's main block does not run
                self.exec_block(node.body.body, frame)
            return
        # The branches that may run. A version guard the targeted Keras decides drops its
        # branch (false) or every later one (true).
        branches: list = []
        clause: Any = node
        while isinstance(clause, cst.If):
            taken = self.decide(self.eval(clause.test, frame))
            if taken is not False:
                branches.append(clause.body)
            if taken is True:
                break
            clause = clause.orelse
        else:
            branches.append(clause.body if isinstance(clause, cst.Else) else None)
        if len(branches) == 1:
            if branches[0] is not None:
                self.exec_block(branches[0].body, frame)  # the only branch that can run
            return
        self.exec_branches(branches, frame)

    def decide(self, test: Any) -> bool | None:
        """The branch a version guard takes under this pass's versions, None when not known.
        A guard the first pass cannot decide makes the facts depend on the target."""
        taken = guards.decided(test)
        if taken is None and isinstance(test, Possible) and self.axis.major is None:
            self.facts.version_dependent = True
        return taken

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
            iterable = self.eval(node.iter, frame)
            if self.exec_unrolled(node, iterable, frame):
                return
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
        frame.loops += 1
        self.exec_block(node.body.body, frame)
        if node.orelse is not None:
            self.exec_block(node.orelse.body.body, frame)
        frame.loops -= 1
        frame.conditional -= 1
        for name in changed:
            self.bind_name(frame, name, UNKNOWN)

    def exec_unrolled(self, node: cst.For, iterable: Any, frame: Frame) -> bool:
        """``for model in [a, b]: model.compile(...)``: a loop over a known list of models runs
        its body once for each, in order, as straight-line code. False when the loop is not
        one of those (other items, a ``break`` or ``return`` that may end it early)."""
        if not isinstance(iterable, SeqValue) or not isinstance(node.target, cst.Name) or node.asynchronous is not None:
            return False
        items = iterable.items
        if not 0 < len(items) <= MAX_UNROLLED or not all(isinstance(item, (ModelValue, ModelChoice)) for item in items):
            return False
        if _may_leave_early(node.body):
            return False
        for item in items:
            self.bind_name(frame, node.target.value, item)
            self.exec_block(node.body.body, frame)
        if node.orelse is not None:
            self.exec_block(node.orelse.body.body, frame)
        return True

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
        if isinstance(node, cst.Try) and self.exec_import_guard(node, frame):
            return
        self.exec_block(node.body.body, frame)
        if node.orelse is not None:
            self.exec_block(node.orelse.body.body, frame)
        handlers = [handler.body for handler in node.handlers]
        if handlers:
            self.exec_branches([None] + handlers, frame)
        if node.finalbody is not None:
            self.exec_block(node.finalbody.body.body, frame)

    def exec_import_guard(self, node: cst.Try, frame: Frame) -> bool:
        """``try: from keras.optimizers import legacy / except ImportError: ...`` where the
        targeted Keras decides whether the imports succeed: run what runs. False when the
        outcome is not known (the caller then merges both paths)."""
        outcomes = [self.import_outcome(statement) for statement in node.body.body]
        if not outcomes or any(outcome is UNKNOWN for outcome in outcomes):
            return False
        first_failure = guards.lift(lambda *ok: next((i for i, good in enumerate(ok) if not good), len(ok)), *outcomes)
        index = first_failure.values[0] if isinstance(first_failure, Possible) and first_failure.uniform else None
        if index is None:
            self.decide(first_failure)
            return False
        handler = next((h for h in node.handlers if _catches_import_error(h)), None) if index < len(outcomes) else None
        if index < len(outcomes) and handler is None:
            return False
        self.exec_block(node.body.body[:index], frame)
        if handler is not None:
            if handler.name is not None:
                self.assign(handler.name.name, UNKNOWN, frame, handler)
            self.exec_block(handler.body.body, frame)
        elif node.orelse is not None:
            self.exec_block(node.orelse.body.body, frame)
        if node.finalbody is not None:
            self.exec_block(node.finalbody.body.body, frame)
        return True

    def import_outcome(self, statement: cst.CSTNode) -> Any:
        """A Possible truth for "every import on this line succeeds"; UNKNOWN for a line that
        does anything else, or imports something whose presence is not known."""
        if not isinstance(statement, cst.SimpleStatementLine):
            return UNKNOWN
        found: list = []
        for small in statement.body:
            if isinstance(small, cst.Import):
                found.extend(self.axis.module_exists(_dotted(alias.name) or "") for alias in small.names)
            elif isinstance(small, cst.ImportFrom) and not small.relative and small.module is not None and not isinstance(small.names, cst.ImportStar):
                module = _dotted(small.module) or ""
                found.extend(self.axis.name_importable(module, _dotted(alias.name) or "") for alias in small.names)
            else:
                return UNKNOWN
        if not found or any(outcome is UNKNOWN for outcome in found):
            return UNKNOWN
        return guards.lift(lambda *ok: all(ok), *found)

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
            if isinstance(owner, (ModelValue, ModelChoice)):
                order = self.next_order()
                for model in _options(owner):
                    model.events.append(
                        Event("set", order, statement, attr=attr, value=value, conditional=self.is_conditional(frame, model))
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
                key = self.eval(target.slice[0].slice.value, frame) if _plain_index(target) else UNKNOWN
                expression = statement.value if isinstance(statement, cst.Assign) else None
                self.replace(container, containers.set_item(container, key, value, expression), frame)

    def exec_augmented(self, node: cst.AugAssign, value: Any, frame: Frame) -> None:
        """``x += [...]`` / ``cfg |= {...}``: lists and dicts change in place, the rest rebinds."""
        current = self.eval(node.target, frame)
        if isinstance(current, (SeqValue, DictValue)):
            updated = containers.augmented(current, type(node.operator).__name__, value, node.value)
            if isinstance(current, DictValue) or current.kind == "list":
                self.replace(current, updated, frame)
                if isinstance(node.target, cst.Name):
                    return
            self.assign(node.target, updated, frame, node)
            return
        self.assign(node.target, UNKNOWN, frame, node)

    def replace(self, old: Any, new: Any, frame: Frame) -> None:
        """A list or dict changed in place: every name bound to it now sees ``new``.

        Containers are values, so the one a compile() call already received keeps what it
        held then. Where the change may not happen (a loop, or another scope while this one
        runs conditionally or for an unknown caller) the names no longer know the content."""
        certain = not (frame.conditional or frame.loops or frame.generic)
        scopes: list[Frame] = []
        for start in [frame, *self.frames]:
            scope: Frame | None = start
            while scope is not None:
                if all(scope is not seen for seen in scopes):
                    scopes.append(scope)
                scope = scope.parent
        for scope in scopes:
            here = scope is frame and not frame.loops
            for name, bound in list(scope.env.items()):
                if bound is old:
                    scope.env[name] = new if (here or certain) else UNKNOWN

    def forget(self, value: Any, frame: Frame) -> None:
        """A container changed in a way the analysis does not follow."""
        self.replace(value, UNKNOWN, frame)

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
            module=fn.closure.module,
        )
        self.bind_parameters(fn, frame, args, kwargs, generic, self_value)
        self.active.append(fn.node)
        self.frames.append(frame)
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
            self.frames.pop()
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
        # Arguments after a ``*spread`` are unknown; with a ``**spread`` any parameter not
        # passed by name may still be passed, so only defaults become unknown.
        star = next((i for i, a in enumerate(args) if a is _STAR), None)
        known_args = args if star is None else args[:star]
        spread_keywords = "**" in kwargs
        for index, param in enumerate(positional):
            name = param.name.value
            if index < len(known_args):
                frame.env[name] = known_args[index]
            elif star is not None and index >= len(known_args):
                break
            elif name in kwargs:
                frame.env[name] = kwargs[name]
            elif param.default is not None and not spread_keywords:
                frame.env[name] = self.eval(param.default, fn.closure)
        for param in params.kwonly_params:
            name = param.name.value
            if name in kwargs:
                frame.env[name] = kwargs[name]
            elif param.default is not None and not spread_keywords:
                frame.env[name] = self.eval(param.default, fn.closure)
        if params.star_kwarg is not None and not spread_keywords:
            accepted = {p.name.value for p in (*positional, *params.kwonly_params)}
            extra = {key: value for key, value in kwargs.items() if key not in accepted}
            frame.env[params.star_kwarg.name.value] = DictValue(extra, None, {})

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
            if isinstance(value, ProjectName):
                value = self.read_project_name(value)
            elif isinstance(value, LazyDefinition):
                value = self.define(value)
            if isinstance(value, Ref):
                self.note_flavour(value.qualname)
            return value
        if name in _BUILTIN_NAMES:
            return _BUILTIN_NAMES[name]
        if name in BUILTIN_REFS:
            return Ref(f"builtins.{name}")
        for module in frame.module.star_modules if frame.module is not None else self.star_modules:
            if name[:1].isupper():
                return Ref(f"{module}.{name}")
        return UNKNOWN

    def eval_attribute(self, node: cst.Attribute, frame: Frame) -> Any:
        base = self.eval(node.value, frame)
        attr = node.attr.value
        if isinstance(base, ProjectModule):
            return self.module_attribute(base, attr)
        if isinstance(base, Ref):
            ref = Ref(f"{base.qualname}.{attr}", node)
            self.note_flavour(ref.qualname)
            if attr in ("__version__", "VERSION"):
                version = self.axis.version_of(ref.qualname)
                if version is not UNKNOWN:
                    return version
            return ref
        if isinstance(base, InstanceValue):
            return base.attrs.get(attr, UNKNOWN)
        if isinstance(base, Possible) and attr in guards.VERSION_ATTRIBUTES:
            return guards.lift(lambda value: getattr(value, attr), base)
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
        if isinstance(node.operator, cst.Add) and isinstance(left, SeqValue):
            return containers.concatenated(left, right)
        if isinstance(node.operator, cst.BitOr) and isinstance(left, DictValue):
            return containers.merged_dicts(left, right)
        if isinstance(left, TensorValue) or isinstance(right, TensorValue):
            # ``a + b`` on symbolic tensors: one tensor, from an unnamed operation layer.
            inputs = [value for value in (left, right) if isinstance(value, TensorValue)]
            if all(isinstance(value, TensorValue) or (is_scalar(value) and value is not None) for value in (left, right)):
                return TensorValue(layer=None, inputs=inputs, node=node)
            return UNKNOWN
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
        if isinstance(value, Possible) and isinstance(node.operator, cst.Not):
            return guards.lift(lambda v: not v, value)
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
        elif isinstance(base, Possible) and len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Slice):
            part = node.slice[0].slice
            bounds = [self.eval(bound, frame) for bound in (part.lower, part.upper, part.step)]
            if all(bound is None or (isinstance(bound, int) and not isinstance(bound, bool)) for bound in bounds):
                return guards.lift(lambda value: value[slice(*bounds)], base)
            return UNKNOWN
        else:
            for element in node.slice:
                self.eval_children(element.slice, frame)
        if isinstance(base, Possible):
            return guards.lift(lambda value: value[index], base) if is_scalar(index) else UNKNOWN
        if isinstance(base, DictValue) and is_scalar(index) and index in base.entries:
            return base.entries[index]
        if isinstance(base, SeqValue) and isinstance(index, int) and not isinstance(index, bool):
            if -len(base.items) <= index < len(base.items):
                return base.items[index]
        return UNKNOWN

    def eval_comparison(self, node: cst.Comparison, frame: Frame) -> Any:
        """Known only for version guards: comparisons of values that depend on the version."""
        operands = [self.eval(node.left, frame)] + [self.eval(target.comparator, frame) for target in node.comparisons]
        if not any(isinstance(operand, Possible) for operand in operands):
            return UNKNOWN
        operators = [guards.COMPARISONS.get(type(target.operator).__name__) for target in node.comparisons]
        if any(operator is None for operator in operators):
            return UNKNOWN
        plain = [literal(operand) if isinstance(operand, (SeqValue, SetValue)) else operand for operand in operands]

        def chain(*values: Any) -> bool:
            return all(operator(values[i], values[i + 1]) for i, operator in enumerate(operators))

        return guards.lift(chain, *plain)

    def eval_boolean(self, node: cst.BooleanOperation, frame: Frame) -> Any:
        left, right = self.eval(node.left, frame), self.eval(node.right, frame)
        if not (isinstance(left, Possible) or isinstance(right, Possible)):
            return UNKNOWN
        truth = guards.decided(left) if isinstance(left, Possible) else None
        if isinstance(node.operator, cst.And):
            if truth is not None:
                return right if truth else left
            return guards.lift(lambda a, b: a and b, left, right)
        if truth is not None:
            return left if truth else right
        return guards.lift(lambda a, b: a or b, left, right)

    def eval_if_expression(self, node: cst.IfExp, frame: Frame) -> Any:
        taken = self.decide(self.eval(node.test, frame))
        if taken is not None:
            return self.eval(node.body if taken else node.orelse, frame)
        return _merge(self.eval(node.body, frame), self.eval(node.orelse, frame))

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
            if isinstance(receiver, ProjectModule):
                return self.call_value(self.module_attribute(receiver, method), args, kwargs, node, frame)
            if method == "add_loss" and isinstance(receiver, InstanceValue) and frame.owner is receiver.cls and frame.module is None:
                self.layer_add_loss.add(node)  # a custom layer's own loss (see run())
            if isinstance(receiver, Possible):
                if method not in guards.STRING_METHODS or kwargs:
                    return UNKNOWN
                return guards.lift(lambda value, *rest: getattr(value, method)(*rest), receiver, *args)
            if isinstance(receiver, ModelValue):
                return self.model_method(receiver, method, args, node, frame)
            if isinstance(receiver, ModelChoice):
                for option in receiver.options:
                    self.model_method(option, method, args, node, frame)
                return UNKNOWN
            if isinstance(receiver, Ref):
                return self.call_value(Ref(f"{receiver.qualname}.{method}", func), args, kwargs, node, frame)
            if isinstance(receiver, InstanceValue):
                value = receiver.attrs.get(method, UNKNOWN)
                if isinstance(value, LayerValue):
                    return self.call_layer(value, args, kwargs, node)
                if isinstance(value, (ModelValue, PartialValue, FunctionValue)):
                    return self.call_value(value, args, kwargs, node, frame)
                function = self.class_functions.get(receiver.cls, {}).get(method)
                if function is not None and method not in receiver.attrs:
                    # ``self.build_model()``: run the method with this instance as ``self``.
                    return self.run_function(
                        function, args, kwargs, frame, generic=frame.generic, self_value=receiver, attr_sink=frame.attr_sink
                    )
            if isinstance(receiver, DictValue) and method == "values" and not args and not kwargs:
                keys = list(receiver.entries)
                return SeqValue("list", [receiver.entries[k] for k in keys], node, [receiver.value_nodes.get(k, node) for k in keys])
            if isinstance(receiver, (SeqValue, DictValue, SetValue)) and method not in NON_MUTATING_METHODS:
                updated, result = containers.call_method(receiver, method, args, kwargs, node)
                self.replace(receiver, updated, frame)
                return result
            return UNKNOWN
        callee = self.eval(func, frame)
        args, kwargs = self.eval_arguments(node, frame)
        return self.call_value(callee, args, kwargs, node, frame)

    def call_value(self, callee: Any, args: list, kwargs: dict, node: cst.Call, frame: Frame) -> Any:
        if self.probe is not None and callee is UNKNOWN:
            self.probe.note_call(callee, args, kwargs)
        if _may_change_its_arguments(callee, node):
            # ``configure(cfg)``: code the analysis does not run may change what it is given.
            for value in (*args, *kwargs.values()):
                if isinstance(value, (DictValue, SetValue)) or (isinstance(value, SeqValue) and value.kind == "list"):
                    self.forget(value, frame)
        if isinstance(callee, Ref):
            return self.call_ref(callee, args, kwargs, node, frame)
        if isinstance(callee, FunctionValue):
            result = self.run_function(callee, args, kwargs, frame)
            if result is UNKNOWN and id(callee) in self.import_fallbacks:
                return self.call_value(self.import_fallbacks[id(callee)], args, kwargs, node, frame)
            return result
        if isinstance(callee, PartialValue):
            if "**" in callee.kwargs or _STAR in callee.args:
                return UNKNOWN
            return self.call_value(callee.function, [*callee.args, *args], {**callee.kwargs, **kwargs}, node, frame)
        if isinstance(callee, ClassValue):
            return self.instantiate(callee, args, kwargs, node, frame)
        if isinstance(callee, LayerValue):
            return self.call_layer(callee, args, kwargs, node)
        if isinstance(callee, ModelValue):
            if self.recording and any(isinstance(a, TensorValue) for a in args):
                # Called on symbolic tensors: a part of another model.
                callee.events.append(Event("call", self.next_order(), node))
            return self.call_model(callee, [a for a in args if a is not _STAR], node)
        return UNKNOWN

    def instantiate(self, cls: ClassValue, args: list, kwargs: dict, node: cst.Call, frame: Frame) -> Any:
        if cls.optimizer_base is not None:
            # A subclass of a Keras optimizer that keeps its constructor: built as that class.
            value = self.call_ref(Ref(cls.optimizer_base), args, kwargs, node, frame)
            if isinstance(value, CallValue):
                value.via = cls.name
            return value
        if cls.keras_model:
            model = ModelValue(kind="subclass", node=node, cls=cls, strategy=frame.strategy, outputs=subclass_outputs(cls))
            self.built_here(model, frame)
            return model
        if cls.layer_base is not None:
            return self.make_layer_subclass(cls, args, kwargs, node)
        instance = InstanceValue(cls)
        init = self.class_functions.get(cls, {}).get("__init__")
        if init is not None:
            # ``Trainer(...)``: its ``__init__`` runs now, with these arguments, on this instance.
            self.run_function(init, args, kwargs, frame, self_value=instance)
        return instance

    def make_layer_subclass(self, cls: ClassValue, args: list, kwargs: dict, node: cst.Call) -> Any:
        """An instance of the module's subclass of a built-in layer. One that keeps the
        base's constructor and call() is that layer; otherwise it still gives one tensor
        (unless its call() visibly returns several), but what it computes is unknown."""
        class_name = kn.layer_class(cls.layer_base)
        if not cls.keeps_layer and (class_name in MULTI_OUTPUT_LAYERS or class_name in WRAPPER_LAYERS or cls.call_returns_display):
            return InstanceValue(cls)
        call = CallValue(
            cls.layer_base,
            [a for a in args if a is not _STAR],
            {k: v for k, v in kwargs.items() if k != "**"},
            node,
            {a.keyword.value: a.value for a in node.args if a.keyword},
            complete=_STAR not in args and "**" not in kwargs,
            via=cls.name,
        )
        return LayerValue(class_name, call, builtin=cls.keeps_layer)

    def call_model(self, model: ModelValue, args: list, node: cst.Call) -> Any:
        """A model called on tensors acts as one layer: its outputs, in its structure."""
        if model.kind == "sequential":
            inner = UNKNOWN if model.mutated_unknowably or not model.layers else sequential_chain(model.layers)
            return self.nested_tensor(model, inner, args, node)
        outputs = model.outputs
        if outputs is None:
            return UNKNOWN
        tensors = [self.nested_tensor(model, item.tensor, args, node) for item in outputs.items]
        if outputs.structure == "single":
            return tensors[0]
        if outputs.structure == "list":
            return SeqValue("list", tensors, node, [node] * len(tensors))
        return DictValue({item.key: tensor for item, tensor in zip(outputs.items, tensors)}, node, {})

    @staticmethod
    def nested_tensor(model: ModelValue, inner: Any, args: list, node: cst.Call) -> TensorValue:
        """The outer tensor for one output of a nested model: computed by the inner output's
        layer (so its activation is known), named after the nested model (so unknown)."""
        if isinstance(inner, TensorValue) and inner.layer is not None:
            return TensorValue(layer=inner.layer, inputs=inner.inputs, node=node, nested=model, nested_inputs=args)
        return TensorValue(layer=None, inputs=args, node=node, nested=model, nested_inputs=args)

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
        if self.probe is not None:
            self.probe.note_call(ref, args, kwargs)
        if qualname == "builtins.dict":
            if args or "**" in kwargs:
                return UNKNOWN
            return DictValue(dict(kwargs), node, {a.keyword.value: a.value for a in node.args if a.keyword})
        if qualname == "builtins.super":
            return SuperValue(frame.owner)
        if qualname == "functools.partial":
            if not args or args[0] is _STAR:
                return UNKNOWN
            return PartialValue(args[0], args[1:], dict(kwargs))
        if qualname in GUARD_FUNCTIONS or qualname in guards.VERSION_PARSERS:
            # list(...) and tuple(...) of anything but a version stay ordinary calls.
            if qualname not in ("builtins.list", "builtins.tuple") or any(isinstance(a, Possible) for a in args):
                return self.call_guard_function(qualname, args, kwargs)
        if kn.is_run_functions_eagerly(qualname):
            value = args[0] if args else kwargs.get("run_eagerly", UNKNOWN)
            if self.recording and frame.module is None:
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
            self.built_here(model, frame)
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
        if kn.is_optimizer_class(qualname):
            call.strategy = frame.strategy
            if self.recording and frame.module is None and node not in self.optimizer_nodes:
                self.optimizer_nodes.add(node)
                self.facts.optimizer_calls.append(call)
        return call

    def call_guard_function(self, qualname: str, args: list, kwargs: dict) -> Any:
        """Calls version guards are written with: ``hasattr(tf.keras.optimizers, "legacy")``,
        ``importlib.util.find_spec(...)``, version parsers and builtins over versions."""
        if kwargs or _STAR in args:
            return UNKNOWN
        if qualname == "builtins.hasattr":
            if len(args) == 2 and isinstance(args[0], Ref) and isinstance(args[1], str):
                return self.axis.module_exists(f"{args[0].qualname}.{args[1]}")
            return UNKNOWN
        if qualname == "importlib.util.find_spec":
            if len(args) == 1 and isinstance(args[0], str):
                exists = self.axis.module_exists(args[0])
                return guards.lift(lambda found: "spec" if found else None, exists) if exists is not UNKNOWN else UNKNOWN
            return UNKNOWN
        if qualname in guards.VERSION_PARSERS:
            loose = qualname.endswith("LooseVersion")
            return guards.lift(lambda text: guards.Version(text, loose), *args) if len(args) == 1 else UNKNOWN
        if qualname == "builtins.map":
            if len(args) == 2 and isinstance(args[0], Ref) and args[0].qualname.removeprefix("builtins.") in guards.PURE_BUILTINS:
                function = guards.PURE_BUILTINS[args[0].qualname.removeprefix("builtins.")]
                return guards.lift(lambda items: [function(item) for item in items], args[1]) if isinstance(args[1], Possible) else UNKNOWN
            return UNKNOWN
        function = guards.PURE_BUILTINS[qualname.removeprefix("builtins.")]
        if len(args) == 1 and isinstance(args[0], Possible):
            return guards.lift(function, args[0])
        return UNKNOWN

    @staticmethod
    def built_here(model: ModelValue, frame: Frame) -> None:
        model.origin = frame
        if frame.module is not None:
            model.module = frame.module.dependency

    def make_sequential(self, args: list, kwargs: dict, node: cst.Call, frame: Frame) -> ModelValue:
        model = ModelValue(kind="sequential", node=node, strategy=frame.strategy)
        self.built_here(model, frame)
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
        self.built_here(model, frame)
        return model

    # ------------------------------------------------------------------ compile sites
    def record_compile(self, node: cst.Call, receiver: Any, args: list, kwargs: dict, frame: Frame) -> None:
        # A compile() in a project module's code is that module's own site, checked when that
        # file is linted: the sites of a file are its own calls.
        if not self.recording or frame.module is not None:
            return
        if self.probe is not None:
            self.probe.receivers.append(receiver)
            self.probe.arguments.extend(item[0] for item in (*args, *kwargs.values()) if isinstance(item, tuple))
        if isinstance(receiver, ModelChoice):
            options = [option for option in receiver.options if not option.overrides_compile]
            key = (id(node), tuple(id(option) for option in options))
            if len(options) < len(receiver.options) or key in self.seen_sites:
                return
            self.seen_sites.add(key)
            choice = ModelChoice(options)
            for option in options:
                self.add_site(node, option, args, kwargs, frame, choice)
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
        self.add_site(node, model, args, kwargs, frame)

    def add_site(self, node: cst.Call, model: Any, args: list, kwargs: dict, frame: Frame, choice: ModelChoice | None = None) -> None:
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
            choice=choice,
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


_STAR = containers.STAR


def _plain_index(target: cst.Subscript) -> bool:
    return len(target.slice) == 1 and isinstance(target.slice[0].slice, cst.Index)


def _catches_import_error(handler: cst.ExceptHandler) -> bool:
    if handler.type is None:
        return True
    types = [e.value for e in handler.type.elements] if isinstance(handler.type, cst.Tuple) else [handler.type]
    return any((_dotted(t) or "").rsplit(".", 1)[-1] in IMPORT_ERRORS for t in types)


def _call_returns(node: cst.ClassDef) -> tuple[Any, tuple[str, ...] | None, bool]:
    """What the class's ``call()`` returns: (False, None) when every ``return`` is visibly no
    dict (a list, a tuple, a layer call); (True, keys) when every one is a dict literal or
    ``dict(...)``, with the keys when all of them spell the same string keys; else
    (UNKNOWN, None); and third, whether some ``return`` gives a list, tuple or dict display
    (a layer that returns several tensors)."""
    call = next((s for s in node.body.body if isinstance(s, cst.FunctionDef) and s.name.value == "call"), None)
    if call is None:
        return UNKNOWN, None, False
    returns: list = []

    class _Returns(cst.CSTVisitor):
        def visit_FunctionDef(self, inner: cst.FunctionDef) -> bool:
            return inner is call

        def visit_Return(self, statement: cst.Return) -> None:
            returns.append(statement.value)

    call.visit(_Returns())
    display = any(isinstance(value, (cst.List, cst.Tuple, cst.Dict)) for value in returns)
    if not returns:
        return UNKNOWN, None, False
    keys = [_dict_keys(value) for value in returns]
    if all(k is not UNKNOWN for k in keys):
        same = all(k == keys[0] for k in keys) and keys[0] is not None
        return True, keys[0] if same else None, display
    if all(k is UNKNOWN and isinstance(v, (cst.List, cst.Tuple, cst.Call)) for k, v in zip(keys, returns)):
        return False, None, display
    return UNKNOWN, None, display


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


def _only_other_methods(node: cst.ClassDef) -> bool:
    """The class body only defines methods that leave a layer's construction, build and
    call alone (and a docstring or ``pass``): its instances are the base layer."""
    for statement in node.body.body:
        if isinstance(statement, cst.FunctionDef):
            if statement.name.value in LAYER_BEHAVIOUR_METHODS:
                return False
        elif not (
            isinstance(statement, cst.SimpleStatementLine)
            and all(isinstance(small, (cst.Pass, cst.Expr)) and not isinstance(getattr(small, "value", None), cst.Call) for small in statement.body)
        ):
            return False
    return True


def _may_leave_early(body: cst.CSTNode) -> bool:
    """A ``break`` of this loop, or a ``return`` / ``raise`` / ``yield`` inside its body."""
    found: list = []

    class _Exits(cst.CSTVisitor):
        def visit_FunctionDef(self, inner: cst.FunctionDef) -> bool:
            return False

        def visit_ClassDef(self, inner: cst.ClassDef) -> bool:
            return False

        def visit_Lambda(self, inner: cst.Lambda) -> bool:
            return False

        def visit_For(self, inner: cst.For) -> bool:
            inner.body.visit(_NoBreak())
            if inner.orelse is not None:
                inner.orelse.visit(self)
            return False

        def visit_While(self, inner: cst.While) -> bool:
            inner.body.visit(_NoBreak())
            if inner.orelse is not None:
                inner.orelse.visit(self)
            return False

        def visit_Break(self, inner: cst.Break) -> None:
            found.append(inner)

        def visit_Return(self, inner: cst.Return) -> None:
            found.append(inner)

        def visit_Raise(self, inner: cst.Raise) -> None:
            found.append(inner)

        def visit_Yield(self, inner: cst.Yield) -> None:
            found.append(inner)

    class _NoBreak(_Exits):
        """Inside a nested loop a ``break`` ends that loop only."""

        def visit_Break(self, inner: cst.Break) -> None:
            pass

    body.visit(_Exits())
    return bool(found)


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
    if not isinstance(tensor, TensorValue) or tensor.layer is None or tensor.nested is not None:
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
        if tensor.nested is not None:
            # A model used as a layer: its own layers, then what it was called on.
            nested = tensor.nested
            complete = complete and nested.layers_complete and nested.kind in ("sequential", "functional")
            layers.extend(layer for layer in nested.layers if all(layer is not known for known in layers))
            stack.extend(_flatten(tensor.nested_inputs))
            continue
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
    cst.Comparison: Collector.eval_comparison,
    cst.BooleanOperation: Collector.eval_boolean,
    cst.IfExp: Collector.eval_if_expression,
    cst.Call: Collector.eval_call,
    cst.Lambda: Collector.eval_opaque_scope,
    cst.ListComp: Collector.eval_opaque_scope,
    cst.SetComp: Collector.eval_opaque_scope,
    cst.DictComp: Collector.eval_opaque_scope,
    cst.GeneratorExp: Collector.eval_opaque_scope,
}


def collect_facts(
    module: cst.Module,
    text: str = "",
    major: int | None = None,
    flavours: frozenset[str] | None = None,
    imports: Any = None,
    read_dependencies: bool | frozenset = True,
) -> ModuleFacts:
    """The module's facts; ``major`` decides version guards for one targeted Keras (the
    first pass, without it, says in ``version_dependent`` whether that can matter);
    ``imports`` (a ``project.ProjectImports``) lets it read the project modules it imports.
    With ``read_dependencies`` False it does not, and ``facts.wants_dependencies`` says which
    of the file's imports reading could change what the rules see: pass that set as
    ``read_dependencies`` to read only those."""
    collector = Collector(module, text, major, flavours, imports, read_dependencies)
    facts = collector.run()
    if collector.probe is not None:
        facts.wants_dependencies = collector.probe.wanted(facts, imports)
    return facts
