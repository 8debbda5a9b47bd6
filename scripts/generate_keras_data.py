#!/usr/bin/env python
"""Generate compilelint's Keras version data from the real libraries.

The linter never imports TensorFlow or Keras. What it needs to know about each Keras
version is read from ``compilelint/data/keras2.json`` (``tf_keras``, Keras 2) and
``compilelint/data/keras3.json`` (``keras``, Keras 3), which this script writes by
importing both libraries in the current interpreter and *testing* them: every name in the
files was accepted (or rejected) by a real call, not copied from documentation.

Pinned versions: tensorflow-cpu 2.21.0, tf-keras 2.21.0, keras 3.15.1 (KERAS_BACKEND is
forced to ``tensorflow``).

Usage::

    /opt/venvs/tf/bin/python scripts/generate_keras_data.py             # (re)write the files
    /opt/venvs/tf/bin/python scripts/generate_keras_data.py --check     # exit 1 if stale
    /opt/venvs/tf/bin/python scripts/generate_keras_data.py --output-dir /tmp/out

Output is deterministic: ``json.dumps(..., indent=1, sort_keys=True)`` plus a trailing
newline, every list sorted (except ``compile_parameters``, which keeps signature order),
object addresses in messages replaced by ``0x...``.

Schema (both files have exactly the same top-level keys)
--------------------------------------------------------
An *outcome* below is ``{"type": <exception class name>, "message": <str(exception)>}``.
Where a message names the optimizer class, the class name is replaced by ``{cls}``.

``library``        "tf_keras" or "keras".
``version``        the library's ``__version__``.
``major``          2 or 3.
``tensorflow_version``  ``tf.__version__`` of the interpreter that generated the file.

``compile_parameters``  list, in signature order, of
    ``{"name", "default", "kind"}`` from ``inspect.signature(Model.compile)`` without
    ``self``. ``default`` is the default value if it is JSON-able (else its ``repr``), null
    when there is none; ``kind`` is "positional_or_keyword" | "keyword_only" |
    "var_keyword" (| "positional_only" | "var_positional", not used today).
``compile_legacy_kwargs``  Keras 2: map keyword -> ``{"effect", "warning", "error",
    "tested_value"}`` for the extra keywords ``compile()`` takes through ``**kwargs``
    (candidates: the known list plus the string keys ``Model.compile`` /
    ``Model._validate_compile`` read from ``kwargs``), each verified by compiling a tiny
    model with the keyword set to None and to ``tested_value``:
    ``effect`` "ignored" (no error, no warning, no change of the model's state) | "used"
    (accepted; changes the model's state or warns) | "error-if-not-none" (None accepted,
    ``tested_value`` raises ``error``, an outcome) | "error" (None raises too).
    ``warning``: the message logged/warned with ``tested_value``, or null.
    Keras 3: ``{}`` (its ``compile`` has no ``**kwargs``).
``compile_unknown_kwarg_error``  outcome of ``compile(loss="mse", foo=1)``.

``optimizers``      map accepted optimizer string -> class name of what
    ``optimizers.get(string)`` returns. Candidates: public names of ``<K>.optimizers``, their
    lower-case and snake_case forms, the string constants in ``optimizers.deserialize`` and a
    list of known aliases; a candidate is kept when ``get`` returns an optimizer. Keys are
    lower case when ``optimizer_names_case_insensitive``, else the exact spellings.
``optimizer_names_case_insensitive``  true when every accepted name is also accepted in
    upper case, Title case and alternating case (and maps to the same class).
``optimizer_classes``  map public optimizer class name -> sorted constructor keyword names
    (``__init__`` of the class and, while it forwards ``**kwargs``, of its bases).
``optimizer_removed_kwargs``  map keyword (``lr``, ``decay``, ``gradient_aggregator``,
    ``gradient_transformers``) -> ``{"effect", "exception", "warning", "tested_value",
    "checked_classes"}``, from constructing every class in ``optimizers`` with that keyword:
    ``effect`` "error" | "warning-discarded" | "warning-applied" | "discarded" | "applied";
    ``exception`` an outcome or null; ``warning`` the warning/log message or null.
    "discarded" means the value did not reach the optimizer (e.g. ``learning_rate`` kept its
    default). Checked to be the same for every class (else generation fails).
``optimizer_unknown_kwarg``  the same record for ``foo=0.01``.
``legacy_optimizers``  ``{"available", "names", "error"}``: the class names exported by
    ``<K>.optimizers.legacy``; ``available`` false and ``error`` the outcome of
    constructing ``<K>.optimizers.legacy.Adam()`` when that raises (Keras 3: ImportError).
``tf_compat_v1_train_optimizers``  sorted names of the ``tf.compat.v1.train`` classes that
    are ``tf.compat.v1.train.Optimizer`` subclasses (from TensorFlow; same in both files).
``tf_compat_v1_optimizer_in_compile``  ``{"accepted", "error"}``: whether
    ``optimizers.get(tf.compat.v1.train.GradientDescentOptimizer(0.1))`` (what compile
    does with the object) accepts it, else the outcome.

``losses``          sorted list of every string ``compile(loss=...)`` accepts: the strings
    ``losses.get`` resolves to a callable that computes a numeric loss on sample data
    (candidates: every name ``get`` can see (the module's globals / ``ALL_OBJECTS_DICT``),
    public names of ``<K>.losses``, their lower/snake forms, known short aliases), plus
    ``loss_special_names``. Exact, case-sensitive strings.
``loss_special_names``  strings ``compile`` itself resolves for ``loss`` before
    ``losses.get`` (read from ``compile_utils``, each verified by a train step); stored in
    lower case. ``loss_special_names_case_insensitive``: true if compile lower-cases them.
``metrics``         the same for ``compile(metrics=[...])``; ``metrics.get`` must return a
    ``Metric`` whose ``update_state`` runs, or a function that returns a number (Keras 2's
    ``metrics.get`` returns unknown strings unchanged, those are rejected), plus
    ``metric_special_names`` (and ``metric_special_names_case_insensitive``).
``loss_classes``    map public ``Loss`` subclass name -> sorted constructor keyword names.
``metric_classes``  map public ``Metric`` subclass name -> sorted constructor keyword names.

``layer_classes``   sorted public class names in ``<K>.layers`` that subclass ``Layer``.
``layers_without_xla``  sorted layer class names that cannot run under XLA. Keras 3: the
    classes whose ``__init__`` (own or inherited) sets ``self.supports_jit = False``
    unconditionally (read from the source, confirmed on an instance where one can be built
    with placeholder arguments); Keras 2 has no such attribute: the preprocessing layers
    known to fail under XLA (TextVectorization, StringLookup, IntegerLookup, Hashing,
    HashedCrossing) that exist in ``tf_keras.layers``.
``layers_without_xla_conditional``  map class name -> when it sets ``supports_jit = False``
    only under a condition (Keras 3 LSTM/GRU: cuDNN usable, i.e. TF backend with a GPU).
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import difflib
import importlib
import inspect
import json
import logging
import os
import re
import sys
import textwrap
import warnings
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT_DIR = REPO_ROOT / "compilelint" / "data"

# Candidate strings worth testing besides what the libraries list themselves. Whether each
# is accepted is decided by calling the library, never by this list.
KNOWN_LOSS_ALIASES = [
    "mse", "mae", "mape", "msle", "kld", "kl_div", "kullback_leibler_divergence", "bce",
    "cce", "scce", "logcosh", "log_cosh", "huber", "huber_loss", "cosine", "cosine_proximity",
    "crossentropy", "ce", "ctc", "dice", "tversky", "circle",
]
KNOWN_METRIC_ALIASES = KNOWN_LOSS_ALIASES + [
    "acc", "accuracy", "auc", "precision", "recall", "top_k_categorical_accuracy",
    "sparse_top_k_categorical_accuracy", "rmse", "f1", "f1_score", "iou",
]
KNOWN_OPTIMIZER_ALIASES = [
    "gradientdescent", "gradient_descent", "momentum", "experimentaladam",
    "experimentaladagrad", "experimentaladadelta", "experimentalsgd", "adamw", "adam_w",
    "lamb", "lion", "adafactor", "muon", "lossscaleoptimizer", "lossscaleoptimizerv3",
    "rms_prop", "rmsprop", "nesterov", "schedulefreeadamw",
]
KERAS2_COMPILE_LEGACY_KWARGS = {
    # keyword -> non-None value to try
    "sample_weight_mode": "temporal",
    "cloning": True,
    "experimental_run_tf_function": False,
    "distribute": "<default strategy>",
    "target_tensors": "<[np.zeros((1, 3))]>",
    "experimental_steps_per_execution": 2,
}
OPTIMIZER_REMOVED_KWARGS = {
    "lr": 0.0123,  # no optimizer has this default, so "applied" is observable
    "decay": 0.0123,
    "gradient_aggregator": None,
    "gradient_transformers": None,
}
KERAS2_LAYERS_WITHOUT_XLA = [
    "TextVectorization", "StringLookup", "IntegerLookup", "Hashing", "HashedCrossing",
]
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


# --------------------------------------------------------------------------- helpers


def snake_case(name: str) -> str:
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", s)
    return s.lower()


def normalize_message(text: str) -> str:
    text = re.sub(r"0x[0-9a-fA-F]+", "0x...", str(text))
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


def outcome(exc: BaseException) -> dict:
    return {"type": type(exc).__name__, "message": normalize_message(str(exc))}


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.WARNING:
            self.messages.append(record.getMessage())


@contextlib.contextmanager
def capture_warnings():
    """Collect Python warnings and logging warnings (tf_keras logs through `tensorflow`/`absl`).

    While active, the root, `tensorflow` and `absl` loggers write only to the capture (at
    level WARNING), so nothing is printed and nothing below WARNING is recorded.
    """
    handler = _Capture()
    loggers = [logging.getLogger(name) for name in ("", "tensorflow", "absl")]
    saved = [(lg, lg.level, lg.handlers[:], lg.propagate) for lg in loggers]
    for lg in loggers:
        lg.handlers = [handler]
        lg.setLevel(logging.WARNING)
        if lg.name != "root":
            lg.propagate = False
    messages: list[str] = []
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield messages
    finally:
        for lg, level, handlers, propagate in saved:
            lg.handlers = handlers
            lg.setLevel(level)
            lg.propagate = propagate
        seen = set()
        for msg in [str(w.message) for w in caught] + handler.messages:
            msg = normalize_message(msg)
            if msg not in seen:
                seen.add(msg)
                messages.append(msg)


def run_captured(fn):
    """Call fn(); return (result, exception or None, [warning messages])."""
    result = exc = None
    with capture_warnings() as msgs:
        try:
            result = fn()
        except Exception as e:  # noqa: BLE001 - we record whatever Keras raises
            exc = e
    return result, exc, msgs


def json_default(value):
    if value is inspect.Parameter.empty:
        return None
    try:
        json.dumps(value)
        return value
    except (TypeError, ValueError):
        return repr(value)


def public_names(module) -> list[str]:
    return sorted(n for n in dir(module) if not n.startswith("_"))


def public_classes(module, base) -> dict[str, type]:
    out = {}
    for name in public_names(module):
        obj = getattr(module, name, None)
        if inspect.isclass(obj) and issubclass(obj, base):
            out[name] = obj
    return out


def constructor_kwargs(cls) -> list[str]:
    """Keyword names of cls.__init__, following **kwargs into the bases' __init__."""
    names: set[str] = set()
    P = inspect.Parameter
    for klass in cls.__mro__:
        if klass is object:
            break
        init = klass.__dict__.get("__init__")
        if init is None:
            continue
        try:
            params = list(inspect.signature(init).parameters.values())[1:]
        except (TypeError, ValueError):
            break
        names |= {p.name for p in params if p.kind in (P.POSITIONAL_OR_KEYWORD, P.KEYWORD_ONLY)}
        if not any(p.kind is P.VAR_KEYWORD for p in params):
            break
    return sorted(names)


def string_constants(obj) -> set[str]:
    """Identifier-like string constants in the source of a function/module."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(obj)))
    except (OSError, TypeError, SyntaxError):
        return set()
    return {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and IDENTIFIER.match(node.value)
        and len(node.value) <= 50
    }


def name_variants(names) -> set[str]:
    out = set()
    for n in names:
        out |= {n, n.lower(), snake_case(n)}
    return out


def case_variants(name: str) -> list[str]:
    alternating = "".join(c.upper() if i % 2 else c.lower() for i, c in enumerate(name))
    return [name.upper(), name.title(), alternating, name.lower()]


def compile_signature(model_cls) -> list[dict]:
    sig = inspect.signature(model_cls.compile)
    out = []
    for p in list(sig.parameters.values())[1:]:
        out.append({"name": p.name, "default": json_default(p.default),
                    "kind": p.kind.name.lower()})
    return out


# --------------------------------------------------------------------------- sample data


class Samples:
    """Small y_true / y_pred pairs of the shapes compile passes to losses and metrics."""

    def __init__(self, tf):
        import numpy as np

        rng = np.random.default_rng(0)
        probs3 = rng.random((4, 3)).astype("float32")
        probs3 /= probs3.sum(axis=1, keepdims=True)
        onehot3 = np.eye(3, dtype="float32")[[0, 1, 2, 1]]
        labels = np.array([[0], [1], [2], [1]], dtype="float32")
        probs1 = np.array([[0.2], [0.7], [0.9], [0.4]], dtype="float32")
        binary = np.array([[0], [1], [1], [0]], dtype="float32")
        ctc_pred = rng.random((2, 6, 5)).astype("float32")
        ctc_pred /= ctc_pred.sum(axis=-1, keepdims=True)
        ctc_true = np.array([[1, 2, 3], [2, 3, 1]], dtype="int32")
        c = tf.constant
        self.pairs = [
            (c(onehot3), c(probs3)),
            (c(labels), c(probs3)),
            (c(binary), c(probs1)),
            (c(ctc_true), c(ctc_pred)),
        ]


def is_number(value) -> bool:
    import numpy as np

    try:
        arr = np.asarray(value)
    except Exception:  # noqa: BLE001
        return False
    return arr.dtype.kind in "fiu" and arr.size >= 1


# --------------------------------------------------------------------------- generator


class Generator:
    """Shared logic; subclasses say where things live in each library."""

    major: int
    library: str
    compile_utils_module: str

    def __init__(self, tf, K):
        self.tf = tf
        self.K = K
        self.samples = Samples(tf)

    # -- things that differ per version (overridden) ---------------------------------
    def optimizer_base(self):
        return self.K.optimizers.Optimizer

    def get_module(self, kind):
        """The source module whose `get` resolves names (for its globals)."""
        return importlib.import_module(getattr(self.K, kind).get.__module__)

    def metric_update(self, metric, y_true, y_pred):
        raise NotImplementedError

    def legacy_kwargs(self) -> dict:
        return {}

    def layers_without_xla(self) -> tuple[list[str], dict]:
        raise NotImplementedError

    # -- small models ------------------------------------------------------------------
    def tiny_model(self, units=3, activation="softmax"):
        K = self.K
        inp = K.Input(shape=(4,), name="x")
        out = K.layers.Dense(units, activation=activation, name="out")(inp)
        return K.Model(inp, out, name="tiny")

    def train_once(self, loss, metrics, y):
        import numpy as np

        model = self.tiny_model(units=y.shape[-1] if y.shape[-1] > 1 else 1,
                                activation="softmax" if y.shape[-1] > 1 else "sigmoid")
        model.compile(optimizer="sgd", loss=loss, metrics=metrics, run_eagerly=True)
        x = np.ones((4, 4), dtype="float32")
        return model.train_on_batch(x, y)

    # -- sections ----------------------------------------------------------------------
    def generate(self) -> dict:
        K, tf = self.K, self.tf
        data = {
            "library": self.library,
            "version": K.__version__,
            "major": self.major,
            "tensorflow_version": tf.__version__,
            "compile_parameters": compile_signature(K.Model),
            "compile_legacy_kwargs": self.legacy_kwargs(),
            "compile_unknown_kwarg_error": self.unknown_compile_kwarg(),
        }
        data.update(self.optimizer_data())
        data.update(self.loss_metric_data())
        without, conditional = self.layers_without_xla()
        data["layers_without_xla"] = sorted(without)
        data["layers_without_xla_conditional"] = conditional
        data["layer_classes"] = sorted(public_classes(K.layers, K.layers.Layer))
        return data

    def unknown_compile_kwarg(self) -> dict:
        model = self.tiny_model()
        _, exc, _ = run_captured(lambda: model.compile(loss="mse", foo=1))
        if exc is None:
            raise RuntimeError("compile(foo=1) was accepted")
        return outcome(exc)

    # optimizers ---------------------------------------------------------------------
    def optimizer_data(self) -> dict:
        K, tf = self.K, self.tf
        base = self.optimizer_base()
        opt_mod = K.optimizers
        candidates = name_variants(public_names(opt_mod)) | set(KNOWN_OPTIMIZER_ALIASES)
        candidates |= string_constants(opt_mod.deserialize)
        accepted: dict[str, str] = {}
        for cand in sorted(candidates):
            obj, exc, _ = run_captured(lambda: opt_mod.get(cand))
            if exc is None and isinstance(obj, base):
                accepted[cand] = type(obj).__name__
        lower: dict[str, str] = {}
        for name, cls_name in accepted.items():
            if lower.get(name.lower(), cls_name) != cls_name:
                raise RuntimeError(f"optimizer {name!r}: case forms map to different classes")
            lower[name.lower()] = cls_name
        case_insensitive = True
        for name, cls_name in lower.items():
            for variant in case_variants(name):
                obj, exc, _ = run_captured(lambda: opt_mod.get(variant))
                if exc is not None or type(obj).__name__ != cls_name:
                    case_insensitive = False
        if case_insensitive:
            optimizers = lower
        else:  # keep the exact spellings that work
            optimizers = dict(accepted)

        classes = public_classes(opt_mod, base)
        optimizer_classes = {name: constructor_kwargs(cls) for name, cls in classes.items()}

        constructible = sorted({cls for cls in optimizers.values()})
        removed = {
            kw: self.optimizer_kwarg_effect(kw, value, constructible)
            for kw, value in OPTIMIZER_REMOVED_KWARGS.items()
        }
        unknown = self.optimizer_kwarg_effect("foo", 0.01, constructible)

        legacy = getattr(opt_mod, "legacy", None)
        legacy_names = sorted(
            n for n in public_names(legacy) if inspect.isclass(getattr(legacy, n)))
        _, exc, _ = run_captured(lambda: legacy.Adam())
        legacy_optimizers = {
            "available": exc is None,
            "names": legacy_names,
            "error": None if exc is None else outcome(exc),
        }

        v1 = tf.compat.v1.train
        v1_names = sorted(
            n for n in public_names(v1)
            if inspect.isclass(getattr(v1, n)) and issubclass(getattr(v1, n), v1.Optimizer)
        )
        _, exc, _ = run_captured(lambda: opt_mod.get(v1.GradientDescentOptimizer(0.1)))
        return {
            "optimizers": optimizers,
            "optimizer_names_case_insensitive": case_insensitive,
            "optimizer_classes": optimizer_classes,
            "optimizer_removed_kwargs": removed,
            "optimizer_unknown_kwarg": unknown,
            "legacy_optimizers": legacy_optimizers,
            "tf_compat_v1_train_optimizers": v1_names,
            "tf_compat_v1_optimizer_in_compile": {
                "accepted": exc is None,
                "error": None if exc is None else outcome(exc),
            },
        }

    def optimizer_kwarg_effect(self, kw, value, class_names) -> dict:
        records = {}
        for cls_name in class_names:
            cls = getattr(self.K.optimizers, cls_name)
            obj, exc, msgs = run_captured(lambda: cls(**{kw: value}))
            pattern = re.compile(rf"\b{re.escape(cls_name)}\b")
            templ = lambda s: pattern.sub("{cls}", s)  # noqa: E731
            if exc is not None:
                effect = "error"
            else:
                if kw == "lr":
                    applied = abs(float(obj.learning_rate) - value) < 1e-9
                else:
                    applied = hasattr(obj, kw) and getattr(obj, kw) == value
                effect = ("warning-" if msgs else "") + ("applied" if applied else "discarded")
            rec = {
                "effect": effect,
                "exception": None if exc is None else {
                    "type": type(exc).__name__, "message": templ(outcome(exc)["message"])},
                "warning": templ("\n".join(msgs)) if msgs else None,
                "tested_value": value,
            }
            records[cls_name] = rec
        distinct = {json.dumps(r, sort_keys=True) for r in records.values()}
        if len(distinct) != 1:
            raise RuntimeError(f"optimizer kwarg {kw!r} behaves differently per class: {records}")
        rec = next(iter(records.values()))
        rec["checked_classes"] = sorted(records)
        return rec

    # losses / metrics ----------------------------------------------------------------
    def special_name_candidates(self) -> set[str]:
        """String lists compared against `str(x).lower()` in compile_utils."""
        module = importlib.import_module(self.compile_utils_module)
        tree = ast.parse(inspect.getsource(module))
        found = set()
        for node in ast.walk(tree):
            if not isinstance(node, ast.Compare) or not isinstance(node.left, ast.Call):
                continue
            func = node.left.func
            if not (isinstance(func, ast.Attribute) and func.attr == "lower"):
                continue
            for comp in node.comparators:
                if isinstance(comp, (ast.List, ast.Tuple, ast.Set)):
                    found |= {e.value for e in comp.elts
                              if isinstance(e, ast.Constant) and isinstance(e.value, str)}
        return found

    def special_names(self, kind: str, get_accepts) -> tuple[list[str], bool]:
        """Special names `compile` resolves itself for `kind` ('loss' or 'metrics')."""
        import numpy as np

        y = np.eye(3, dtype="float32")[[0, 1, 2, 1]]
        names, case_insensitive = [], True

        def works(name):
            if kind == "loss":
                call = lambda: self.train_once(name, None, y)  # noqa: E731
            else:
                call = lambda: self.train_once("mse", [name], y)  # noqa: E731
            _, exc, _ = run_captured(call)
            return exc is None

        for cand in sorted(self.special_name_candidates()):
            if not works(cand):
                continue
            # compile handles a name itself when a spelling of it works in compile although
            # `get` rejects that spelling (get is case-sensitive; compile may lower-case).
            variants = {v: works(v) for v in case_variants(cand) if v != cand}
            handled = not get_accepts(cand) or any(
                ok and not get_accepts(v) for v, ok in variants.items())
            if handled:
                names.append(cand.lower())
                case_insensitive &= all(variants.values())
        return sorted(names), (case_insensitive if names else False)

    def loss_accepts(self, name) -> bool:
        obj, exc, _ = run_captured(lambda: self.K.losses.get(name))
        if exc is not None or not callable(obj):
            return False
        for y_true, y_pred in self.samples.pairs:
            value, exc, _ = run_captured(lambda: obj(y_true, y_pred))
            if exc is None and is_number(value):
                return True
        return False

    def metric_accepts(self, name) -> bool:
        K = self.K
        obj, exc, _ = run_captured(lambda: K.metrics.get(name))
        if exc is not None or not callable(obj) or isinstance(obj, str):
            return False
        for y_true, y_pred in self.samples.pairs:
            metric, exc, _ = run_captured(lambda: K.metrics.get(name))  # fresh state
            if isinstance(metric, K.metrics.Metric):
                value, exc, _ = run_captured(
                    lambda: (self.metric_update(metric, y_true, y_pred), metric.result())[1])
            else:
                value, exc, _ = run_captured(lambda: metric(y_true, y_pred))
            if exc is None and is_number(value):
                return True
        return False

    def candidates(self, kind: str, aliases) -> set[str]:
        api = getattr(self.K, kind)
        cands = name_variants(public_names(api)) | set(aliases)
        src = self.get_module(kind)
        cands |= {n for n in vars(src) if IDENTIFIER.match(n) and not n.startswith("_")}
        cands |= set(getattr(src, "ALL_OBJECTS_DICT", {}))
        return cands

    def loss_metric_data(self) -> dict:
        K = self.K
        losses = {c for c in self.candidates("losses", KNOWN_LOSS_ALIASES) if self.loss_accepts(c)}
        metrics = {c for c in self.candidates("metrics", KNOWN_METRIC_ALIASES)
                   if self.metric_accepts(c)}
        loss_special, loss_ci = self.special_names("loss", lambda n: n in losses)
        metric_special, metric_ci = self.special_names("metrics", lambda n: n in metrics)
        return {
            "losses": sorted(losses | set(loss_special)),
            "loss_special_names": loss_special,
            "loss_special_names_case_insensitive": loss_ci,
            "metrics": sorted(metrics | set(metric_special)),
            "metric_special_names": metric_special,
            "metric_special_names_case_insensitive": metric_ci,
            "loss_classes": {n: constructor_kwargs(c)
                             for n, c in public_classes(K.losses, K.losses.Loss).items()},
            "metric_classes": {n: constructor_kwargs(c)
                               for n, c in public_classes(K.metrics, K.metrics.Metric).items()},
        }


class Keras2(Generator):
    major = 2
    library = "tf_keras"
    compile_utils_module = "tf_keras.src.engine.compile_utils"

    def metric_update(self, metric, y_true, y_pred):
        # tf_keras' MetricsContainer: metric_obj.update_state(y_t, y_p, sample_weight=mask)
        metric.update_state(y_true, y_pred, sample_weight=None)

    def legacy_kwargs(self) -> dict:
        import numpy as np

        K, tf = self.K, self.tf
        candidates = dict(KERAS2_COMPILE_LEGACY_KWARGS)
        # Also every key the compile code reads out of **kwargs.
        for fn in (K.Model.compile, K.Model._validate_compile):
            tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
            for node in ast.walk(tree):
                key = None
                if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                        and node.func.attr in ("pop", "get")
                        and isinstance(node.func.value, ast.Name) and node.func.value.id == "kwargs"
                        and node.args and isinstance(node.args[0], ast.Constant)):
                    key = node.args[0].value
                elif (isinstance(node, ast.Compare) and isinstance(node.left, ast.Constant)
                      and isinstance(node.comparators[0], ast.Name)
                      and node.comparators[0].id == "kwargs"):
                    key = node.left.value
                if isinstance(key, str):
                    candidates.setdefault(key, 1)

        def real_value(v):
            if v == "<default strategy>":
                return tf.distribute.get_strategy()
            if v == "<[np.zeros((1, 3))]>":
                return [np.zeros((1, 3))]
            return v

        def state(model):
            snap = {}
            for k, v in vars(model).items():
                if isinstance(v, (bool, int, float, str, type(None))):
                    snap[k] = v
                elif isinstance(v, tf.Variable):
                    snap[k] = v.numpy().tolist()
            return snap

        baseline_model = self.tiny_model()
        baseline_model.compile(loss="mse")
        baseline = state(baseline_model)
        out = {}
        for kw, value in sorted(candidates.items()):
            m_none = self.tiny_model()
            _, exc_none, _ = run_captured(lambda: m_none.compile(loss="mse", **{kw: None}))
            m_val = self.tiny_model()
            _, exc_val, msgs = run_captured(
                lambda: m_val.compile(loss="mse", **{kw: real_value(value)}))
            if exc_none is not None:
                if isinstance(exc_none, TypeError) and "Invalid keyword" in str(exc_none):
                    continue  # not a keyword compile takes at all
                effect, err = "error", outcome(exc_none)
            elif exc_val is not None:
                effect, err = "error-if-not-none", outcome(exc_val)
            elif msgs or state(m_val) != baseline:
                effect, err = "used", None
            else:
                effect, err = "ignored", None
            out[kw] = {
                "effect": effect,
                "error": err,
                "warning": "\n".join(msgs) if msgs else None,
                "tested_value": value,
            }
        return out

    def layers_without_xla(self):
        layers = self.K.layers
        present = [n for n in KERAS2_LAYERS_WITHOUT_XLA
                   if inspect.isclass(getattr(layers, n, None))]
        return present, {}


class Keras3(Generator):
    major = 3
    library = "keras"
    compile_utils_module = "keras.src.trainers.compile_utils"

    def metric_update(self, metric, y_true, y_pred):
        # keras' CompileMetrics: m.update_state(y_t, y_p) when there is no sample weight
        metric.update_state(y_true, y_pred)

    def layers_without_xla(self):
        K = self.K
        without, conditional = [], {}
        for name, cls in public_classes(K.layers, K.layers.Layer).items():
            where = None
            for klass in cls.__mro__:
                if not klass.__module__.startswith("keras."):
                    continue
                found = self._supports_jit_false(klass)
                if found:
                    where = found
                    break
            if where is None:
                continue
            if where == "__init__":
                instance = self._instantiate(cls)
                if instance is not None and instance.supports_jit:
                    continue  # the source said False, the object says True: trust the object
                without.append(name)
            else:
                conditional[name] = where
        return without, conditional

    @staticmethod
    def _supports_jit_false(klass):
        """'__init__' if klass's own __init__ sets supports_jit False unconditionally,
        a description if it does so conditionally, else None."""
        try:
            tree = ast.parse(textwrap.dedent(inspect.getsource(klass)))
        except (OSError, TypeError):
            return None
        cls_node = tree.body[0]
        result = None
        for func in cls_node.body:
            if not isinstance(func, ast.FunctionDef):
                continue
            for node in ast.walk(func):
                if not (isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
                        and node.value.value is False):
                    continue
                if not any(isinstance(t, ast.Attribute) and t.attr == "supports_jit"
                           and isinstance(t.value, ast.Name) and t.value.id == "self"
                           for t in node.targets):
                    continue
                if func.name == "__init__" and node in func.body:
                    return "__init__"
                result = (f"sets supports_jit = False conditionally in {klass.__name__}."
                          f"{func.name}()")
        return result

    @staticmethod
    def _instantiate(cls):
        fillers = {"factor": 0.1, "height_factor": 0.1, "width_factor": 0.1, "height": 2,
                   "width": 2, "num_bins": 2, "units": 1, "rate": 0.1}
        kwargs = {}
        for p in list(inspect.signature(cls.__init__).parameters.values())[1:]:
            if p.default is inspect.Parameter.empty and p.kind in (
                    p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY):
                kwargs[p.name] = fillers.get(p.name, 1)
        obj, exc, _ = run_captured(lambda: cls(**kwargs))
        return None if exc is not None else obj


# --------------------------------------------------------------------------- main


def render(data: dict) -> str:
    return json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def generate_all() -> dict[str, str]:
    requested = os.environ.get("KERAS_BACKEND")
    if requested and requested != "tensorflow":
        print(f"note: overriding KERAS_BACKEND={requested} with tensorflow", file=sys.stderr)
    os.environ["KERAS_BACKEND"] = "tensorflow"
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.pop("TF_USE_LEGACY_KERAS", None)

    import tensorflow as tf
    import tf_keras
    import keras

    tf.get_logger().setLevel(logging.ERROR)  # quiet; capture_warnings() lowers it to WARNING
    return {
        "keras2.json": render(Keras2(tf, tf_keras).generate()),
        "keras3.json": render(Keras3(tf, keras).generate()),
    }


def diff_summary(name: str, old: str, new: str, limit: int = 40) -> str:
    lines = list(difflib.unified_diff(old.splitlines(), new.splitlines(),
                                      f"{name} (on disk)", f"{name} (generated)", lineterm="", n=1))
    added = sum(1 for l in lines if l.startswith("+") and not l.startswith("+++"))
    removed = sum(1 for l in lines if l.startswith("-") and not l.startswith("---"))
    shown = lines[:limit]
    more = [f"... ({len(lines) - limit} more diff lines)"] if len(lines) > limit else []
    return "\n".join([f"{name}: +{added} -{removed} lines"] + shown + more)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output-dir", type=Path, default=DEFAULT_OUTPUT_DIR,
                        help=f"where the JSON files go (default: {DEFAULT_OUTPUT_DIR})")
    parser.add_argument("--check", action="store_true",
                        help="do not write; exit 1 if the files on disk differ")
    args = parser.parse_args(argv)

    # Keep library chatter (oneDNN, absl) out of our output as far as possible.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    files = generate_all()

    if args.check:
        problems = []
        for name, text in files.items():
            path = args.output_dir / name
            old = path.read_text(encoding="utf-8") if path.exists() else ""
            if old != text:
                problems.append(
                    diff_summary(name, old, text) if old else f"{name}: missing ({path})")
        if problems:
            print("Keras data files are out of date; regenerate with "
                  "scripts/generate_keras_data.py\n" + "\n\n".join(problems))
            return 1
        print("Keras data files are up to date.")
        return 0

    args.output_dir.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (args.output_dir / name).write_text(text, encoding="utf-8")
        print(f"wrote {args.output_dir / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
