"""Runs in its own process: build each planned model, compile it with jit, train one step.

Usage (by compilelint.verify.runner only):
    python -m compilelint.verify.worker RESULTS PATH [--function NAME] [--sites 0,2]
        [--batch-size 2]

The device is chosen by the runner through the environment (CUDA_VISIBLE_DEVICES,
JAX_PLATFORMS), not by an argument.

Events go to RESULTS as JSON lines, flushed one by one so that the runner knows which site
was running when a hang or a hard exit happened:
    {"event": "env", "device": "CPU", "backend": "tensorflow 2.21.0, keras 3.15.1"}
    {"event": "start", "site": 0}
    {"event": "result", "site": 0, "findings": [{"code": "CL903", "message": "..."}], "line": 12}
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

from compilelint.verify.planner import SitePlan, plan_file

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_TRUE = {"1", "true", "True"}
# Log records and Python warnings of these origins are Keras talking about the user's model.
_KERAS_LOGGERS = ("tensorflow", "absl", "keras", "tf_keras")
_KERAS_FILES = re.compile(r"[/\\](keras|tf_keras|tensorflow)[/\\]")


class ReachedCompile(BaseException):
    """Raised by the compile hook once the site's compile() ran: nothing after it may run."""


class Events:
    def __init__(self, path: str) -> None:
        self.file = open(path, "a", encoding="utf-8")

    def send(self, **event) -> None:
        self.file.write(json.dumps(event) + "\n")
        self.file.flush()


def one_line(text: str) -> str:
    return " ".join(_ANSI.sub("", str(text)).split())


def last_line(error: BaseException) -> str:
    """The line of a Keras error that says what went wrong (Keras wraps it in context)."""
    text = _ANSI.sub("", str(error))
    text = text.split("\n\nArguments received by", 1)[0]
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    summary = lines[-1] if lines else ""
    return f"{type(error).__name__}: {summary}"[:400]


# ---------------------------------------------------------------------------- environment
def block_network() -> None:
    def refuse(*_args, **_kwargs):
        raise OSError("compilelint verify does not allow network access")

    socket.socket.connect = refuse  # type: ignore[method-assign]
    socket.socket.connect_ex = refuse  # type: ignore[method-assign]
    socket.create_connection = refuse  # type: ignore[assignment]


class Keras:
    """The Keras the file uses, loaded once: its Model class and how to describe it."""

    def __init__(self, flavour: str) -> None:
        self.flavour = flavour
        if flavour == "tf_keras":
            import tf_keras as keras
        else:
            import keras
        self.module = keras
        self.major = int(str(getattr(keras, "__version__", "2")).split(".")[0])
        self.backend = keras.backend.backend()

    def describe(self) -> tuple[str, str]:
        import importlib

        name = "tf_keras" if self.flavour == "tf_keras" else "keras"
        parts = []
        backend = importlib.import_module(self.backend)
        parts.append(f"{self.backend} {getattr(backend, '__version__', '?')}")
        parts.append(f"{name} {getattr(self.module, '__version__', '?')}")
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


def choose_flavour(text: str) -> str:
    if re.search(r"^\s*(import|from)\s+tf_keras\b", text, re.M):
        return "tf_keras"
    if os.environ.get("TF_USE_LEGACY_KERAS") in _TRUE and re.search(r"\btf\.keras\b|tensorflow\.keras\b", text):
        return "tf_keras"
    return "keras"


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
                self.messages.append(one_line(record.message))


class _ListHandler(logging.Handler):
    def __init__(self, sink: list[str]) -> None:
        super().__init__(level=logging.WARNING)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.sink.append(one_line(record.getMessage()))
        except Exception:  # a record that cannot format itself is not worth a crash
            pass


class CompileHook:
    """Replaces Model.compile: at the planned site it compiles with jit and stops the program."""

    def __init__(self, model_class, path: str) -> None:
        self.model_class = model_class
        self.original = model_class.compile
        self.path = os.path.realpath(path)
        self.site: SitePlan | None = None
        self.any_site = False
        self.reset()

    def reset(self) -> None:
        self.model = None
        self.arguments: dict = {}
        self.compile_error: BaseException | None = None
        self.warnings: list[str] = []
        self.line: int | None = None

    def install(self) -> None:
        hook = self

        def compile(model, *args, **kwargs):
            line = hook.matching_line()
            if line is None:
                return hook.original(model, *args, **kwargs)
            hook.capture(model, line, args, kwargs)
            raise ReachedCompile()

        compile.__wrapped__ = self.original  # type: ignore[attr-defined]
        self.model_class.compile = compile

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
        arguments["jit_compile"] = True
        self.arguments = arguments
        with Capture() as capture:
            try:
                self.original(model, **arguments)
            except Exception as error:
                self.compile_error = error
        self.warnings = capture.messages


# ---------------------------------------------------------------------------- one site
def run_site(site: SitePlan, hook: CompileHook, keras: Keras, path: str, batch_size: int) -> list[dict]:
    hook.reset()
    hook.site, hook.any_site = site, site.mode == "factory"
    namespace = {"__name__": "__compilelint_verify__", "__file__": path, "__builtins__": __builtins__}
    try:
        _clear_session(keras)
        import ast

        code = compile(ast.Module(body=site.program, type_ignores=[]), path, "exec")
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
    except SystemExit as error:
        return [finding("CL901", f"building the model called sys.exit({error.code!r}); nothing was verified")]
    except ModuleNotFoundError as error:
        # This environment cannot run the file; that says nothing about the model.
        missing = error.name or last_line(error)
        return [unverifiable(f"the model's code imports {missing!r}, which is not installed where verify runs; install it there")]
    except BaseException as error:  # noqa: BLE001 - user code may raise anything
        if isinstance(error, KeyboardInterrupt):
            raise
        return [finding("CL901", f"building the model raised {last_line(error)}")]
    if hook.model is None:
        where = f"calling `{site.call}`" if site.call else "running the statements it depends on"
        return [finding("CL901", f"{where} did not reach this compile() call, so the model could not be built")]
    if hook.compile_error is not None:
        return [finding("CL903", f"compile(..., jit_compile=True) raised {last_line(hook.compile_error)}")]
    results = [finding("CL904", f"Keras warned during compile(): {m}") for m in _unique(hook.warnings)]
    return results + train_one_step(hook, keras, batch_size)


def train_one_step(hook: CompileHook, keras: Keras, batch_size: int) -> list[dict]:
    from compilelint.verify import batch

    model = hook.model
    try:
        inputs = batch.synthesize_inputs(model, batch_size)
    except batch.UnknownInputs as error:
        return [finding("CL901", str(error))]
    try:
        outputs = model(inputs, training=False)
        targets = batch.synthesize_targets(model, outputs, hook.arguments.get("loss"), batch_size)
    except Exception as error:  # noqa: BLE001
        return [finding("CL903", f"calling the model on a synthetic batch raised {last_line(error)}")]
    with Capture() as capture:
        try:
            model.train_on_batch(inputs, targets)
            error = None
        except Exception as raised:  # noqa: BLE001
            error = raised
    results = [finding("CL904", f"Keras warned during the training step: {m}") for m in _unique(capture.messages)]
    if error is not None:
        results.append(classify_step_error(error))
    return results


def classify_step_error(error: BaseException) -> dict:
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
            detail = last_line(error)
        return finding(
            "CL902",
            f"XLA could not compile the training step: {detail}. With jit_compile=True (and by default on a "
            "GPU with Keras 3) the first fit fails; move the op out of the model (e.g. into tf.data) or set "
            "jit_compile=False",
        )
    name = type(error).__name__
    if name in {"ConcretizationTypeError", "TracerArrayConversionError", "TracerBoolConversionError", "TracerIntegerConversionError"}:
        return finding("CL902", f"the jitted training step cannot be traced: {last_line(error)}")
    return finding("CL903", f"one jitted training step raised {last_line(error)}; the first fit fails the same way")


def finding(code: str, message: str) -> dict:
    return {"code": code, "message": message}


def unverifiable(reason: str) -> dict:
    """Not a finding: why this site could not be verified here (reported as an error)."""
    return {"code": None, "message": reason}


def _unique(messages: list[str]) -> list[str]:
    seen: list[str] = []
    for message in messages:
        if message and message not in seen:
            seen.append(message)
    return seen


def _clear_session(keras: Keras) -> None:
    try:
        keras.module.backend.clear_session()
    except Exception:  # noqa: BLE001 - a fresh start is a nicety, not a requirement
        pass


# ---------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("results")
    parser.add_argument("path")
    parser.add_argument("--function")
    parser.add_argument("--sites", default="")
    parser.add_argument("--batch-size", type=int, default=2)
    args = parser.parse_args(argv)
    events = Events(args.results)
    path = os.path.abspath(args.path)
    sys.path.insert(0, os.path.dirname(path))
    sys.argv = [path]  # the user's argument parsing must not see the worker's arguments
    block_network()
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    plan = plan_file(path, text, args.function)
    wanted = {int(i) for i in args.sites.split(",") if i}
    sites = [plan.factory] if plan.factory is not None else [s for s in plan.sites if s.index in wanted]
    sites = [s for s in sites if s.mode != "refuse"]
    keras = Keras(choose_flavour(text))
    device, backend = keras.describe()
    events.send(event="env", device=device, backend=backend)
    hook = CompileHook(keras.module.Model, path)
    hook.install()
    for site in sites:
        events.send(event="start", site=site.index)
        findings = run_site(site, hook, keras, path, args.batch_size)
        events.send(event="result", site=site.index, findings=findings, line=hook.line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
