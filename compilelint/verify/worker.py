"""Runs in its own process: build each planned model, compile it with jit, train one step.

Usage (by compilelint.verify.runner only):
    python -m compilelint.verify.worker RESULTS --flavour keras|tf_keras [--batch-size 2]

One worker serves many files of one run, so that the backend is imported (and CUDA started)
once. It reads one task per line on stdin:
    {"task": 3, "path": "/abs/train.py", "function": null, "sites": [0, 2], "workdir": "/tmp/..."}
and answers in RESULTS with JSON lines, flushed one by one so that the runner knows which
site was running when a hang or a hard exit happened:
    {"event": "env", "device": "CPU", "backend": "tensorflow 2.21.0, keras 3.15.1"}
    {"event": "start", "task": 3, "site": 0}
    {"event": "result", "task": 3, "site": 0, "line": 12, "findings": [{"code": "CL903", "message": "..."}],
     "refusal": null, "error": null, "notes": ["not jitted: ..."]}
    {"event": "done", "task": 3, "retire": false}
``retire`` says the file changed the process in a way that cannot be undone (eager mode
turned off): the runner starts a fresh worker for the next file. When Keras or its backend
cannot be imported the worker answers ``{"event": "unavailable", "message": ...}`` and exits.

The device is chosen by the runner through the environment (CUDA_VISIBLE_DEVICES,
JAX_PLATFORMS), not by an argument.
"""

from __future__ import annotations

import argparse
import inspect
import json
import logging
import os
import re
import socket
import sys
import warnings

from compilelint import sources
from compilelint.loading import read_source
from compilelint.verify.planner import SitePlan, plan_file

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
# Log records and Python warnings of these origins are Keras talking about the user's model.
_KERAS_LOGGERS = ("tensorflow", "absl", "keras", "tf_keras")
_KERAS_FILES = re.compile(r"[/\\](keras|tf_keras|tensorflow)[/\\]")
# TensorFlow's retracing warning counts the training functions of every model the worker
# has built so far: it is about verify's own calls, never about the file's model.
_VERIFY_NOISE = re.compile(r"triggered tf\.function retracing")
_KERAS_MODULES = re.compile(r"^(keras|tf_keras|tensorflow\.keras|tensorflow\.python\.keras)(\.|$)")
# Model methods that train or evaluate: user code that calls them before the site's compile
# would train a model, which verify never does.
_GUARDED = ("fit", "fit_generator", "train_on_batch", "evaluate", "evaluate_generator", "test_on_batch")


class ReachedCompile(BaseException):
    """Raised once the site's compile() ran (and its override, if any, returned)."""


class NeverRun(BaseException):
    """Raised when user code calls fit() (or evaluate) before reaching the site."""

    def __init__(self, method: str, line: int | None) -> None:
        super().__init__(method)
        self.method, self.line = method, line


class NetworkBlocked(OSError):
    """Raised by every connection attempt: verify never downloads."""


class Events:
    def __init__(self, path: str) -> None:
        self.file = open(path, "a", encoding="utf-8")

    def send(self, **event) -> None:
        self.file.write(json.dumps(event) + "\n")
        self.file.flush()


def one_line(text: str) -> str:
    """A message line without terminal colours."""
    return sources.one_line(_ANSI.sub("", str(text)))


# ---------------------------------------------------------------------------- messages
_FRAME = re.compile(r'^\s*File "[^"]*", line \d+')
_NOISE = re.compile(
    r"^\s*(Traceback \(most recent call last\):|in user code:|Graph execution error:|Detected at node .*|"
    r"\[\[\{\{node [^}]*\}\}\]\].*|Exception encountered when calling .*|Stack trace for op definition.*)\s*$"
)
_INTRO = re.compile(r"(?:^|(?<=[.!?)])\s+)[^.!?]*:\s*$")  # a sentence that introduces an example
_ERROR_LINE = re.compile(r"^\s*\w+(Error|Exception|Exit)\b: ")


def summarise_error(error: BaseException) -> str:
    """``Type: what went wrong`` from a Keras / TensorFlow error."""
    summary = summarise(str(error))
    name = type(error).__name__
    if not summary:
        return name
    return (summary if _ERROR_LINE.match(summary) else f"{name}: {summary}")[:400]


def summarise(text: str) -> str:
    """The meaningful lines of a Keras / TensorFlow message, on one line: without its call
    arguments, traceback frames, code examples or graph node dumps."""
    text = _ANSI.sub("", text)
    text = re.split(r"\n\s*(?:Call a|A)rguments received by", text, maxsplit=1)[0]
    paragraphs: list[list[str]] = [[]]
    in_fence = skip_code = False
    for raw in text.splitlines():
        line = raw.rstrip()
        if line.strip().startswith("```"):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        if _FRAME.match(line):
            skip_code = True  # the source line under a frame goes too
            continue
        if skip_code and line.strip() and (len(line) - len(line.lstrip())) > 0 and not _ERROR_LINE.match(line):
            skip_code = False
            continue
        skip_code = False
        line = _INTRO.sub("", line.strip()) if line.strip().endswith(":") else line.strip()
        if not line or _NOISE.match(line):
            if paragraphs[-1]:
                paragraphs.append([])
            continue
        paragraphs[-1].append(line)
    texts = [" ".join(p) for p in paragraphs if p]
    errors = [t for t in texts if _ERROR_LINE.match(t)]
    summary = (errors or texts or [""])[-1]
    return re.sub(r"\s*\[Op:[^\]]*\]\s*$", "", summary)


def in_chain(error: BaseException, kind: type) -> BaseException | None:
    """The first ``kind`` exception that caused ``error``: Keras and TensorFlow re-raise
    errors as others, or as new ones of the same type with their own message."""
    found, seen = None, set()
    while error is not None and id(error) not in seen:
        if isinstance(error, kind):
            found = error
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return found


def network_blocked(error: BaseException) -> NetworkBlocked | None:
    return in_chain(error, NetworkBlocked)


# ---------------------------------------------------------------------------- imports
class MissingModuleError(ModuleNotFoundError):
    """Raised when code uses a module that could not be imported here."""


class MissingModule:
    """Stands for a module that cannot be imported here, until something uses it: an import
    the model never uses (matplotlib for plots) must not stop verify."""

    def __init__(self, module: str, reason: str) -> None:
        self._module, self._reason = module, reason

    def _failure(self) -> MissingModuleError:
        error = MissingModuleError(f"the model's code uses {self._module!r}, which cannot be imported here ({self._reason})")
        error.name = self._module
        return error

    def __getattr__(self, attribute: str):
        if attribute.startswith("__") and attribute.endswith("__"):
            raise AttributeError(attribute)
        raise self._failure()  # plt.figure, extra.WIDTH: the first use says what is missing

    def __call__(self, *args, **kwargs):
        raise self._failure()

    def __mro_entries__(self, bases):  # class Layer(missing.Base): ...
        raise self._failure()

    def __getitem__(self, key):
        raise self._failure()

    def __iter__(self):
        raise self._failure()

    def __enter__(self):
        raise self._failure()

    def __exit__(self, *exc):
        return False


def lazy_imports(statements: list) -> list:
    """The statements with each plain import of a module that is not Keras wrapped so that
    a failed import binds stand-ins (``MissingModule``) instead of stopping the program.
    Imports inside ``try`` are left alone: that code handles the ImportError itself."""
    import ast

    out = []
    for statement in statements:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            statement = _with_body(statement, lazy_imports(statement.body))
        elif isinstance(statement, (ast.Import, ast.ImportFrom)) and _may_be_missing(statement):
            statement = _guarded_import(statement)
        out.append(statement)
    return out


def _with_body(definition, body: list):
    import copy

    definition = copy.copy(definition)
    definition.body = body
    return definition


def _may_be_missing(statement) -> bool:
    import ast

    if isinstance(statement, ast.ImportFrom):
        return bool(statement.module) and statement.level == 0 and statement.module != "__future__" and not _KERAS_MODULES.match(statement.module) and all(a.name != "*" for a in statement.names)
    return all(not _KERAS_MODULES.match(a.name) for a in statement.names)


def _guarded_import(statement):
    import ast

    bindings = []
    for alias in statement.names:
        if isinstance(statement, ast.ImportFrom):
            bound, module = alias.asname or alias.name, f"{statement.module}.{alias.name}"
        else:
            bound, module = alias.asname or alias.name.split(".")[0], alias.name if alias.asname else alias.name.split(".")[0]
        stand_in = ast.Call(ast.Name("__compilelint_missing__", ast.Load()), [ast.Constant(module), ast.Name("__compilelint_error__", ast.Load())], [])
        bindings.append(ast.Assign([ast.Name(bound, ast.Store())], stand_in))
    handler = ast.ExceptHandler(ast.Name("ImportError", ast.Load()), "__compilelint_error__", bindings)
    guarded = ast.Try(body=[statement], handlers=[handler], orelse=[], finalbody=[])
    return ast.fix_missing_locations(ast.copy_location(guarded, statement))


def missing_module_stand_in(module: str, error: BaseException) -> MissingModule:
    return MissingModule(module, summarise_error(error))


# ---------------------------------------------------------------------------- environment
def block_network() -> None:
    def refuse(sock, address=None, *_args, **_kwargs):
        where = f" ({address[0]}:{address[1]})" if isinstance(address, tuple) and len(address) >= 2 else ""
        raise NetworkBlocked(f"network access is blocked by verify{where}")

    def refuse_connection(address, *_args, **_kwargs):
        refuse(None, address)

    socket.socket.connect = refuse  # type: ignore[method-assign]
    socket.socket.connect_ex = refuse  # type: ignore[method-assign]
    socket.create_connection = refuse_connection  # type: ignore[assignment]

    import urllib.request

    original_open = urllib.request.OpenerDirector.open

    def open_url(self, url, *args, **kwargs):
        full = url if isinstance(url, str) else getattr(url, "full_url", str(url))
        if not str(full).startswith(("file:", "data:")):
            raise NetworkBlocked(f"network access is blocked by verify: the program tried to download {full}")
        return original_open(self, url, *args, **kwargs)

    urllib.request.OpenerDirector.open = open_url  # type: ignore[method-assign]


class Keras:
    """The Keras the file uses, loaded once: its Model class and how to describe it."""

    def __init__(self, flavour: str) -> None:
        self.flavour = flavour
        if flavour == "tf_keras":
            import tf_keras as keras
        else:
            import keras
        self.module = keras
        self.version = str(getattr(keras, "__version__", "?"))
        self.backend = keras.backend.backend()

    @property
    def name(self) -> str:
        return "tf_keras" if self.flavour == "tf_keras" else "keras"

    def describe(self) -> tuple[str, str]:
        import importlib

        backend = importlib.import_module(self.backend)
        parts = [f"{self.backend} {getattr(backend, '__version__', '?')}", f"{self.name} {self.version}"]
        return device_name(self.backend), ", ".join(parts)


def device_name(backend: str) -> str:
    if backend == "tensorflow":
        import tensorflow as tf

        gpus = tf.config.list_logical_devices("GPU")
        return "GPU:0" if gpus else "CPU"
    if backend == "jax":
        import jax

        device = jax.devices()[0]
        return "CPU" if device.platform == "cpu" else f"{device.platform.upper()}:{device.id}"
    if backend == "torch":
        import torch

        return "GPU:0" if torch.cuda.is_available() else "CPU"
    return "CPU"


def tolerate_device_settings(keras: Keras) -> None:
    """Device settings in user code (``set_memory_growth``) raise once TensorFlow has started,
    which the worker has done; in the real program they run first. Make them no-ops."""
    if keras.backend != "tensorflow":
        return
    import tensorflow as tf

    for owner, name in ((tf.config.experimental, "set_memory_growth"), (tf.config, "set_visible_devices"),
                        (tf.config, "set_logical_device_configuration"), (tf.config.experimental, "set_visible_devices"),
                        (tf.config.experimental, "set_virtual_device_configuration")):
        original = getattr(owner, name, None)
        if original is None:
            continue

        def tolerant(*args, _original=original, **kwargs):
            try:
                return _original(*args, **kwargs)
            except RuntimeError:  # "cannot be modified after being initialized"
                return None

        setattr(owner, name, tolerant)


class FileState:
    """What a file's code may change in the process, put back before the next file runs."""

    def __init__(self, keras: Keras, path: str, workdir: str) -> None:
        self.keras, self.path, self.workdir = keras, path, workdir

    def __enter__(self) -> "FileState":
        self.environ = dict(os.environ)
        self.cwd = os.getcwd()
        self.sys_path = list(sys.path)
        self.argv = list(sys.argv)
        self.modules = set(sys.modules)
        self.config = _keras_config(self.keras)
        os.chdir(self.workdir)
        sys.path.insert(0, os.path.dirname(self.path))
        sys.argv = [self.path]  # the user's argument parsing must not see the worker's arguments
        return self

    def __exit__(self, *exc) -> None:
        os.environ.clear()
        os.environ.update(self.environ)
        os.chdir(self.cwd)
        sys.path[:] = self.sys_path
        sys.argv = self.argv
        folder = os.path.dirname(self.path) + os.sep
        for name in set(sys.modules) - self.modules:
            module_file = getattr(sys.modules.get(name), "__file__", None) or ""
            if module_file.startswith(folder):
                del sys.modules[name]  # the next file may have its own `utils`
        _restore_keras_config(self.keras, self.config)
        _clear_session(self.keras)

    def damaged(self) -> bool:
        """Whether the file left the process unable to verify another one faithfully."""
        if self.keras.backend == "tensorflow" or self.keras.flavour == "tf_keras":
            try:
                import tensorflow as tf

                return not tf.executing_eagerly()
            except Exception:  # noqa: BLE001
                return True
        return False


def _keras_config(keras: Keras) -> dict:
    backend = keras.module.backend
    config = {"floatx": backend.floatx(), "epsilon": backend.epsilon(), "image_data_format": backend.image_data_format()}
    try:
        config["policy"] = keras.module.mixed_precision.global_policy().name
    except Exception:  # noqa: BLE001
        pass
    if keras.backend == "tensorflow":
        import tensorflow as tf

        config["jit"] = tf.config.optimizer.get_jit()
        config["eager_functions"] = tf.config.functions_run_eagerly()
    return config


def _restore_keras_config(keras: Keras, config: dict) -> None:
    backend = keras.module.backend
    try:
        backend.set_floatx(config["floatx"])
        backend.set_epsilon(config["epsilon"])
        backend.set_image_data_format(config["image_data_format"])
        if "policy" in config:
            keras.module.mixed_precision.set_global_policy(config["policy"])
        if "jit" in config:
            import tensorflow as tf

            tf.config.optimizer.set_jit(config["jit"])
            tf.config.run_functions_eagerly(config["eager_functions"])
    except Exception:  # noqa: BLE001 - best effort; damaged() catches what matters
        pass


# ---------------------------------------------------------------------------- capturing
class Capture:
    """Python warnings and Keras / TensorFlow log warnings emitted while it is active."""

    def __init__(self) -> None:
        self.messages: list[str] = []
        self._handler = _ListHandler(self.messages)

    def __enter__(self) -> "Capture":
        self._warnings = warnings.catch_warnings(record=True)
        self._records = self._warnings.__enter__()
        warnings.simplefilter("always")
        for name in _KERAS_LOGGERS:
            logging.getLogger(name).addHandler(self._handler)
        return self

    def __exit__(self, *exc) -> None:
        for name in _KERAS_LOGGERS:
            logging.getLogger(name).removeHandler(self._handler)
        self._warnings.__exit__(*exc)
        for record in self._records:
            if issubclass(record.category, (DeprecationWarning, PendingDeprecationWarning)):
                continue
            if _KERAS_FILES.search(record.filename or ""):
                self.messages.append(summarise(str(record.message)) or one_line(record.message))


class _ListHandler(logging.Handler):
    def __init__(self, sink: list[str]) -> None:
        super().__init__(level=logging.WARNING)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
            self.sink.append(summarise(message) or one_line(message))
        except Exception:  # a record that cannot format itself is not worth a crash
            pass


def _line_in(path: str, depth: int = 2) -> int | None:
    """The line of ``path`` the current call came from, if it came from there."""
    frame = sys._getframe(depth)
    while frame is not None:
        if os.path.realpath(frame.f_code.co_filename) == path:
            return frame.f_lineno
        frame = frame.f_back
    return None


class CompileHook:
    """Replaces Model.compile: at the planned site it compiles with jit and stops the
    program, or, for a site inside a compile override, lets the override run to its end."""

    def __init__(self, model_class) -> None:
        self.model_class = model_class
        self.original = model_class.compile
        self.originals = {name: getattr(model_class, name) for name in _GUARDED if hasattr(model_class, name)}
        self.path = ""
        self.site: SitePlan | None = None
        self.any_site = False
        self.reset()

    def reset(self) -> None:
        self.model = None
        self.arguments: dict = {}
        self.compile_error: BaseException | None = None
        self.warnings: list[str] = []
        self.notes: list[str] = []
        self.line: int | None = None
        self.forced_jit = False

    def install(self) -> None:
        hook = self

        def compile(model, *args, **kwargs):
            line = hook.matching_line()
            if line is None or hook.model is not None:
                return hook.original(model, *args, **kwargs)
            hook.capture(model, line, args, kwargs)
            if hook.site is None or hook.site.override is None or hook.compile_error is not None:
                raise ReachedCompile()
            return None

        compile.__wrapped__ = self.original  # type: ignore[attr-defined]
        self.model_class.compile = compile
        for name, original in self.originals.items():
            setattr(self.model_class, name, self._guard(name, original))

    def _guard(self, name: str, original):
        hook = self

        def guarded(model, *args, **kwargs):
            if hook.model is not None:
                raise ReachedCompile()  # the site compiled (its override returned): stop here
            raise NeverRun(name, _line_in(hook.path))

        guarded.__wrapped__ = original  # type: ignore[attr-defined]
        return guarded

    def matching_line(self) -> int | None:
        frame = sys._getframe(2)
        while frame is not None:
            if os.path.realpath(frame.f_code.co_filename) == self.path:
                line = frame.f_lineno
                if self.any_site:
                    return line
                if self.site is not None and self.site.span.line <= line <= self.site.span.end_line:
                    return line
            frame = frame.f_back
        return None

    def capture(self, model, line: int, args: tuple, kwargs: dict) -> None:
        self.model, self.line = model, line
        try:
            bound = inspect.signature(self.original).bind(model, *args, **kwargs)
        except TypeError as error:
            self.compile_error = error
            return
        arguments = dict(bound.arguments)
        arguments.pop(next(iter(arguments)))  # the model itself
        extra = arguments.pop("kwargs", {})
        arguments.update(extra)
        if arguments.get("run_eagerly") is True:
            # Keras turns jit off (Keras 3) or refuses the pair (Keras 2): forcing it would
            # report what the program never does.
            self.notes.append("not jitted: the compile call sets run_eagerly=True")
        elif arguments.get("jit_compile", "unset") is False:
            self.notes.append("not jitted: the compile call sets jit_compile=False")
        else:
            self.forced_jit = arguments.get("jit_compile") is not True
            arguments["jit_compile"] = True
        self.arguments = arguments
        with Capture() as capture:
            try:
                self.original(model, **arguments)
            except Exception as error:
                self.compile_error = error
        self.warnings = capture.messages


# ---------------------------------------------------------------------------- one site
def result(findings=(), refusal=None, error=None, notes=()) -> dict:
    return {"findings": list(findings), "refusal": refusal, "error": error, "notes": list(notes)}


def finding(code: str, message: str) -> dict:
    return {"code": code, "message": message}


PROGRAM_MODULE = "__compilelint_verify__"


def run_site(site: SitePlan, hook: CompileHook, keras: Keras, path: str, batch_size: int) -> dict:
    """Build, compile and step one site's model. Its code runs as a module of its own, in
    sys.modules while it runs, so that Keras finds the functions it defines by name (as it
    finds those of ``__main__``), e.g. when clone_model rebuilds a Lambda layer."""
    import types

    module = types.ModuleType(PROGRAM_MODULE)
    module.__dict__.update({"__file__": path, "__compilelint_missing__": missing_module_stand_in})
    sys.modules[PROGRAM_MODULE] = module
    try:
        return _run_site(site, hook, keras, path, batch_size, module.__dict__)
    finally:
        sys.modules.pop(PROGRAM_MODULE, None)


def _run_site(site: SitePlan, hook: CompileHook, keras: Keras, path: str, batch_size: int, namespace: dict) -> dict:
    hook.reset()
    hook.site, hook.any_site = site, site.mode == "factory"
    try:
        _clear_session(keras)
        import ast

        code = compile(ast.Module(body=lazy_imports(site.program), type_ignores=[]), path, "exec")
        try:
            exec(code, namespace)
            if site.call:
                target = namespace
                value = None
                for part in site.call.split("."):
                    value = target[part] if isinstance(target, dict) else getattr(target, part)
                    target = value
                value()
        except ReachedCompile:
            pass
    except NeverRun as stop:
        if hook.model is None:
            where = f" at line {stop.line}" if stop.line else ""
            return result(refusal=f"reaching this compile() call runs {stop.method}(){where} first, and verify never trains; name a function that builds and compiles the model: PATH::FUNCTION")
    except SystemExit as error:
        if hook.model is None:
            return result([finding("CL901", f"building the model called sys.exit({error.code!r}); nothing was verified")])
    except ModuleNotFoundError as error:
        return _missing_module(error, keras)
    except BaseException as error:  # noqa: BLE001 - user code may raise anything
        if isinstance(error, KeyboardInterrupt):
            raise
        blocked = network_blocked(error)
        if blocked is not None:
            return result(refusal=f"{blocked}; the model needs it to be built, so it was not verified")
        missing = in_chain(error, MissingModuleError)
        if missing is not None:
            return _missing_module(missing, keras)
        if hook.model is None:
            return result([finding("CL901", f"building the model raised {summarise_error(error)}")])
        if hook.compile_error is None:  # the override failed after its super().compile() returned
            hook.compile_error = error
    if hook.model is None:
        where = f"calling `{site.call}`" if site.call else "running the statements it depends on"
        return result(refusal=f"{where} did not reach this compile() call, so the model could not be built")
    if hook.compile_error is not None:
        return result([finding("CL903", f"compile({_compile_arguments(hook)}) raised {summarise_error(hook.compile_error)}")], notes=hook.notes)
    compile_warnings = _unique(hook.warnings)
    if hook.forced_jit and any(_JIT_UNSUPPORTED.search(m) for m in compile_warnings):
        # Keras's default ("auto") turns XLA off for such a model without a word; only the
        # jit_compile=True verify added made it speak.
        compile_warnings = [m for m in compile_warnings if not _JIT_UNSUPPORTED.search(m)]
        hook.notes.append("not jitted: Keras turns XLA off for this model (one of its layers does not support it)")
    warned = [finding("CL904", f"Keras warned during compile(): {m}") for m in compile_warnings]
    step = train_one_step(hook, keras, batch_size)
    # A warning compile() gave is not news when the step gives it again.
    said = {f"Keras warned during the training step: {m}" for m in compile_warnings}
    step["findings"] = warned + [f for f in step["findings"] if f.get("message") not in said]
    step["notes"] = hook.notes + step["notes"]
    return step


def _compile_arguments(hook: CompileHook) -> str:
    return "..., jit_compile=True" if hook.arguments.get("jit_compile") is True else "..."


def _missing_module(error: ModuleNotFoundError, keras: Keras) -> dict:
    error = in_chain(error, MissingModuleError) or error
    missing = error.name or summarise_error(error)
    if _KERAS_MODULES.match(missing):
        # The code asks for a part of Keras this version does not have: the program fails too.
        return result([finding("CL901", f"building the model raised ModuleNotFoundError: there is no module {missing!r} in {keras.name} {keras.version}")])
    if isinstance(error, MissingModuleError):
        return result(error=f"{error}; install it where verify runs")
    return result(error=f"the model's code imports {missing!r}, which is not installed where verify runs; install it there")


def train_one_step(hook: CompileHook, keras: Keras, batch_size: int) -> dict:
    """One step of ``fit`` on a synthetic batch: the model's own train_function, given the
    batch as fit gives it (``(x, y)``, or ``x`` alone to a step that takes only that).
    Unknown sizes grow until the model, then its step, accept the batch."""
    from compilelint.verify import batch

    model = hook.model
    try:
        spec = batch.input_spec(model)
    except batch.UnknownInputs as error:
        if hook.site is None or hook.site.build_shape is None:
            return result(refusal=str(error))
        spec = batch.built_spec(model, hook.site.build_shape)
    arity = batch.train_data_arity(model)
    loss = hook.arguments.get("loss") if hook.arguments.get("loss") is not None else batch.stored_loss(model)
    notes = [f"inputs shaped like those of the inner model `{spec.source}`"] if spec.source else []
    sizes = batch.FREE_DIMENSIONS if spec.has_free_dimensions else batch.FREE_DIMENSIONS[:1]
    call_failure = step_failure = None
    for size in sizes:
        inputs = batch.synthesize_inputs(model, spec, batch_size, size)
        try:
            outputs = _forward(model, spec, inputs, arity)
        except Exception as error:  # noqa: BLE001
            call_failure = error
            continue
        size_note = [f"unknown input sizes set to {size}"] if spec.has_free_dimensions else []
        # A loss of the program's own may want labels rather than values shaped like the
        # outputs: only a failure that does not depend on the targets is the model's.
        kinds = (None, "sparse", "dense") if arity >= 2 and batch.has_custom_loss(loss) else (None,)
        errors = []
        for kind in kinds:
            data = (inputs,)
            if arity >= 2:
                targets = batch.synthesize_targets(model, outputs, loss, batch_size, kind)
                data = (inputs, targets) if arity == 2 else (inputs, targets, batch.ones(batch_size))
            warnings_seen, error = _fit_once(hook, model, data, batch_size)
            if error is None:
                kind_note = [f"targets for the custom loss: {'integer labels' if kind == 'sparse' else 'values shaped like the outputs'}"] if kind else []
                return result(warnings_seen, notes=notes + size_note + kind_note)
            errors.append(error)
        step_failure = (warnings_seen if len(kinds) == 1 else [], errors, size_note)  # the largest size's says most
    tried = f" (unknown input sizes tried: {', '.join(map(str, sizes))})" if len(sizes) > 1 else ""
    if step_failure is not None:
        warnings_seen, errors, size_note = step_failure
        if len({_normalised(summarise_error(e)) for e in errors}) > 1:
            refusal = (
                f"the program's own loss rejects every kind of synthetic target ({summarise_error(errors[0])[:200]}); "
                "the targets it expects are not known, so the step was not verified"
            )
            return result(refusal=refusal, notes=notes + size_note)
        return _step_failed(hook, spec, warnings_seen, errors[0], notes + size_note)
    missing = in_chain(call_failure, MissingModuleError)
    if missing is not None:
        return _missing_module(missing, keras)
    what = f"calling {'the inner model `' + spec.source + '`' if spec.source else 'the model'} on a synthetic batch"
    message = f"{what}{tried} raised {summarise_error(call_failure)}"
    if spec.source:
        return result(refusal=f"{message}; the data this wrapper trains on is not known, so it was not verified", notes=notes)
    return result([finding("CL903", message)], notes=notes)


def _forward(model, spec, inputs, arity: int):
    """The model's outputs on the batch (for the targets), or, for a wrapper, a check that
    its inner model takes the batch; None when neither is needed."""
    if spec.source is None:
        return model(inputs, training=False) if arity >= 2 else None
    if arity >= 2:
        try:
            return model(inputs, training=False)
        except NotImplementedError:  # a wrapper without call(): its inner model answers
            pass
    return spec.probe(inputs, training=False)


def _fit_once(hook: CompileHook, model, data: tuple, batch_size: int) -> tuple[list[dict], BaseException | None]:
    """One epoch of exactly one batch; returns the warnings as findings and the error."""
    fit = hook.originals.get("fit")
    if getattr(model, "train_function", None) is not None:
        model.train_function = None  # a failed try leaves a function that fails for another reason
    arguments = dict(batch_size=batch_size, epochs=1, verbose=0, shuffle=False)
    if len(data) == 3:
        arguments["sample_weight"] = data[2]
    with Capture() as capture:
        try:
            fit(model, *data[:2], **arguments)
            error = None
        except Exception as raised:  # noqa: BLE001
            error = raised
    return [finding("CL904", f"Keras warned during the training step: {m}") for m in _unique(capture.messages)], error


_NO_LOSS = re.compile(r"No loss to compute|No loss found")
_JIT_UNSUPPORTED = re.compile(r"doesn't support `jit_compile=True`")


def _normalised(message: str) -> str:
    """An error message without the numbers TensorFlow gives each traced graph's nodes."""
    return re.sub(r"_\d+\b", "", message)


def _step_failed(hook: CompileHook, spec, warnings_seen: list[dict], error: BaseException, notes: list[str]) -> dict:
    missing = in_chain(error, MissingModuleError)
    if missing is not None:
        return result(warnings_seen, error=f"{missing}; install it where verify runs", notes=notes)
    if hook.arguments.get("loss") is None and _NO_LOSS.search(str(error)):
        # The program trains it in a loop of its own (fit would fail the same way; CL207 says so).
        refusal = "compile() was given no loss, so fit's training step cannot run; the model was built and compiled, but no step was verified"
        return result(warnings_seen, refusal=refusal, notes=notes)
    if spec.source and network_blocked(error) is None:
        refusal = f"one training step on inputs shaped like those of `{spec.source}` raised {summarise_error(error)}; the data this wrapper trains on is not known, so it was not verified"
        return result(warnings_seen, refusal=refusal, notes=notes)
    return result(warnings_seen + [classify_step_error(error, jitted=hook.arguments.get("jit_compile") is True)], notes=notes)


def classify_step_error(error: BaseException, jitted: bool = True) -> dict:
    text = _ANSI.sub("", str(error))
    ops = re.findall(r"No registered '(\w+)' OpKernel for (XLA_\w+)", text)
    if ops or "Detected unsupported operations when trying to compile graph" in text or "tf2xla conversion failed" in text:
        nodes = re.findall(r"\{\{node ([^}]+)\}\}", text)
        if ops:
            names = ", ".join(sorted({op for op, _ in ops}))
            device = ops[0][1]
            where = f" (node {nodes[0]})" if nodes else ""
            detail = f"op {names}{where} has no XLA kernel on {device}"
        else:
            detail = summarise_error(error)
        return finding(
            "CL902",
            f"XLA could not compile the training step: {detail}. With jit_compile=True (and by default on a "
            "GPU with Keras 3) the first fit fails; move the op out of the model (e.g. into tf.data) or set "
            "jit_compile=False",
        )
    name = type(error).__name__
    if name in {"ConcretizationTypeError", "TracerArrayConversionError", "TracerBoolConversionError", "TracerIntegerConversionError"}:
        return finding("CL902", f"the jitted training step cannot be traced: {summarise_error(error)}")
    step = "one jitted training step" if jitted else "one training step"
    return finding("CL903", f"{step} raised {summarise_error(error)}; the first fit fails the same way")


def _unique(messages: list[str]) -> list[str]:
    seen: list[str] = []
    for message in messages:
        if message and message not in seen and not _VERIFY_NOISE.search(message):
            seen.append(message)
    return seen


def _clear_session(keras: Keras) -> None:
    try:
        keras.module.backend.clear_session()
    except Exception:  # noqa: BLE001 - a fresh start is a nicety, not a requirement
        pass


# ---------------------------------------------------------------------------- main
def run_task(task: dict, hook: CompileHook, keras: Keras, events: Events, batch_size: int) -> bool:
    """Verify the task's sites; returns whether the worker can take another file."""
    path = os.path.abspath(task["path"])
    text = read_source(path).text
    plan = plan_file(path, text, task.get("function"))
    wanted = set(task.get("sites") or [])
    sites = [plan.factory] if plan.factory is not None else [s for s in plan.sites if s.index in wanted]
    hook.path = os.path.realpath(path)
    state = FileState(keras, path, task["workdir"])
    with state:
        for site in (s for s in sites if s.mode != "refuse"):
            events.send(event="start", task=task["task"], site=site.index)
            outcome = run_site(site, hook, keras, path, batch_size)
            events.send(event="result", task=task["task"], site=site.index, line=hook.line, **outcome)
    return not state.damaged()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("results")
    parser.add_argument("--flavour", default="keras")
    parser.add_argument("--batch-size", type=int, default=2)
    args = parser.parse_args(argv)
    events = Events(args.results)
    block_network()
    try:
        keras = Keras(args.flavour)
        device, backend = keras.describe()
    except Exception as error:  # noqa: BLE001 - no Keras, or no backend it can use
        events.send(event="unavailable", message=f"cannot import {args.flavour} here ({summarise_error(error)}); verify needs Keras and a backend in the Python that runs compilelint")
        return 0
    events.send(event="env", device=device, backend=backend)
    tolerate_device_settings(keras)
    hook = CompileHook(keras.module.Model)
    hook.install()
    for line in sys.stdin:
        if not line.strip():
            continue
        task = json.loads(line)
        reusable = run_task(task, hook, keras, events, args.batch_size)
        events.send(event="done", task=task["task"], retire=not reusable)
        if not reusable:
            return 0
    return 0


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    os._exit(code)  # user threads and backend teardown must not keep the worker alive
