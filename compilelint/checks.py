"""Small questions many rules ask about a compile site, answered from facts only."""

from __future__ import annotations

import difflib
from typing import Any

from compilelint import keras_data

from compilelint.facts.model import NO_STRATEGY, CompileSite, Event, ModelValue, StrategyValue
from compilelint.facts.values import UNKNOWN, truthiness
from compilelint.rule import Context


def is_on(value: Any) -> bool:
    """Known to be truthy (``"auto"`` included: it is a non-empty string)."""
    return truthiness(value) is True


def is_explicit_true(value: Any) -> bool:
    """On in Keras 3's eyes: truthy and not the ``"auto"`` default."""
    return is_on(value) and value != "auto"


def jit_requested(ctx: Context, site: CompileSite) -> bool:
    """compile() asks for XLA: Keras 2 takes any truthy value; Keras 3 resolves "auto" itself."""
    value = ctx.value(site, "jit_compile")
    return is_on(value) if ctx.keras.major == 2 else is_explicit_true(value)


def later_settings(site: CompileSite, attr: str) -> list[Event]:
    """Unconditional ``model.<attr> = <truthy>`` assignments after this compile call."""
    if not isinstance(site.model, ModelValue):
        return []
    return [
        event
        for event in site.model.events_after(site.order, "set")
        if event.attr == attr and not event.conditional and is_on(event.value)
    ]


def strategy_of(site: CompileSite) -> Any:
    """The known strategy the model lives under: where it was compiled, else where it was built."""
    if isinstance(site.strategy, StrategyValue):
        return site.strategy
    if isinstance(site.model, ModelValue) and isinstance(site.model.strategy, StrategyValue):
        return site.model.strategy
    return UNKNOWN


def under_parameter_server(site: CompileSite) -> bool:
    strategy = strategy_of(site)
    return isinstance(strategy, StrategyValue) and strategy.is_parameter_server


def built_outside_scope(site: CompileSite) -> bool:
    """Built outside every strategy scope, or at the top level of the function that then
    enters a scope to compile it."""
    if not isinstance(site.model, ModelValue):
        return False
    created = site.model.strategy
    if created is site.strategy:
        # Built and compiled under the same strategy, e.g. a builder that compiles what it
        # builds, called inside ``with strategy.scope():``.
        return False
    return created == NO_STRATEGY or (created is not UNKNOWN and created is site.frame_strategy)


def compile_node(site: CompileSite):
    """Where to report a problem with the call as a whole: the ``compile`` attribute."""
    func = site.call.func
    return getattr(func, "attr", func)


_INPUT_SHAPE_ARGUMENTS = ("input_shape", "input_dim", "batch_input_shape", "batch_shape")


def model_has_weights(model: Any) -> bool:
    """Known to own variables already: functional and loaded models, or a Sequential whose
    first layer declares its input shape."""
    if not isinstance(model, ModelValue):
        return False
    if model.kind in ("functional", "opaque"):
        return True
    if model.kind != "sequential":
        return False
    if model.declares_input:
        return True
    if not model.layers:
        return False
    first = model.layers[0]
    from compilelint.facts.model import LayerValue, TensorValue

    if isinstance(first, TensorValue) and first.is_input:
        return True
    if isinstance(first, LayerValue):
        if first.class_name == "InputLayer":
            return True
        return any(first.call.kwargs.get(name) is not None for name in _INPUT_SHAPE_ARGUMENTS)
    return False


def output_names(site: CompileSite, ctx: Context) -> list[str] | None:
    """The names Keras matches dict keys against, when every one is known.

    Keras 3 gives a Sequential model no output names at all (see CL206)."""
    outputs = site.outputs
    if outputs is None or not isinstance(site.model, ModelValue):
        return None
    if site.model.kind == "sequential" and ctx.keras.major == 3:
        return None
    names = outputs.names
    return None if names is UNKNOWN else list(names)


def output_count(site: CompileSite) -> int | None:
    return site.outputs.count if site.outputs is not None else None


def plural(count: int, word: str) -> str:
    suffix = '' if count == 1 else ('es' if word.endswith('s') else 's')
    return f"{count} {word}{suffix}"


# -- argument and optimizer helpers (CL3xx / CL4xx) -----------------------------------------

def is_plain_keras_model(site: CompileSite) -> bool:
    """The receiver is a Keras model known to use Keras's own compile() signature."""
    return isinstance(site.model, ModelValue) and not site.model.overrides_compile


def string_leaves(value: Any, node: Any) -> list[tuple[str, Any]]:
    """Every string in a loss / metrics structure (nested lists, tuples, dict values), with
    the expression that wrote it."""
    from compilelint.facts.values import DictValue, SeqValue

    if isinstance(value, str):
        return [(value, node)] if node is not None else []
    found: list[tuple[str, Any]] = []
    if isinstance(value, SeqValue):
        for item, item_node in zip(value.items, value.nodes):
            found.extend(string_leaves(item, item_node))
    elif isinstance(value, DictValue):
        for key, item in value.entries.items():
            found.extend(string_leaves(item, value.value_nodes.get(key)))
    return found


def keras_optimizer_kind(qualname: str) -> tuple[str, str] | None:
    """("keras" | "legacy" | "compat_v1" | "tf1" | "removed_alias", class name) for an
    optimizer class's dotted name.

    "keras" is the current optimizer API (``keras.optimizers.Adam``), "legacy" is
    ``tf.keras.optimizers.legacy.*``, "compat_v1" is ``tf.compat.v1.train.*Optimizer``,
    "tf1" is TensorFlow 1's ``tf.train.*Optimizer`` (gone from TensorFlow 2),
    "removed_alias" a lowercase alias of Keras 2.3 and earlier (``optimizers.rmsprop``,
    named by the class it stood for); None for anything else (learning-rate schedules, the
    ``Optimizer`` base, ...)."""
    from compilelint import keras_data
    from compilelint.facts.keras_names import REMOVED_OPTIMIZER_ALIASES, keras_name

    parts = qualname.split(".")
    tf1 = {"tensorflow.compat.v1.train.": ("compat_v1", 5), "tensorflow.train.": ("tf1", 3)}
    for prefix, (kind, length) in tf1.items():
        if qualname.startswith(prefix) and len(parts) == length:
            names = keras_data.load(2)["tf_compat_v1_train_optimizers"]
            return (kind, parts[-1]) if parts[-1] in names and parts[-1] != "Optimizer" else None
    name = keras_name(qualname)
    if name is None:
        return None
    path, leaf = name.parts, name.leaf
    if not path or path[0] != "optimizers":
        return None
    if len(path) == 2 and leaf in REMOVED_OPTIMIZER_ALIASES:
        return ("removed_alias", REMOVED_OPTIMIZER_ALIASES[leaf])
    if path[1:-1] == ["legacy"]:
        legacy = set(keras_data.load(2)["legacy_optimizers"]["names"]) | set(keras_data.load(3)["legacy_optimizers"]["names"])
        return ("legacy", leaf) if leaf in legacy and leaf != "Optimizer" else None
    if path[1:-1] in ([], ["experimental"]):
        known = set(keras_data.load(2)["optimizer_classes"]) | set(keras_data.load(3)["optimizer_classes"])
        return ("keras", leaf) if leaf in known else None
    return None


def keyword_arg(call: Any, keyword: str) -> Any:
    """The ``keyword=...`` argument written in a call expression, or None."""
    for arg in getattr(call, "args", ()):
        if arg.keyword is not None and arg.keyword.value == keyword:
            return arg
    return None


def name_may_be_registered(name: str, ctx: Context) -> bool:
    """A string Keras may resolve through registered custom objects, not its own tables:
    ``"package>name"`` identifiers, and any name in a module that registers objects."""
    return ">" in name or ctx.facts.registers_custom_objects


def unknown_name_note(name: str, major: int, known) -> str:
    """Says so when the name is valid in the other Keras version."""
    other = 3 if major == 2 else 2
    return f" ('{name}' exists only in Keras {other})" if known(name, other) else ""


def metric_object_kind(value: Any) -> str | None:
    """"object" for an instance of a Keras metric or loss class, "function" for a Keras
    metric or loss function by name (``keras.metrics.mae``); None otherwise (helpers such
    as ``keras.metrics.clone_metrics`` return lists)."""
    from compilelint import keras_data
    from compilelint.facts.keras_names import keras_name
    from compilelint.facts.values import CallValue, Ref

    if not isinstance(value, (CallValue, Ref)):
        return None
    name = keras_name(value.qualname)
    if name is None or name.namespace not in ("metrics", "losses") or len(name.parts) != 2:
        return None
    leaf = name.leaf
    if isinstance(value, CallValue):
        classes = [keras_data.load(major)[f"{kind}_classes"] for major in keras_data.MAJORS for kind in ("metric", "loss")]
        return "object" if any(leaf in table for table in classes) else None
    if leaf[:1].islower() and any(keras_data.is_known_metric(leaf, m) or keras_data.is_known_loss(leaf, m) for m in keras_data.MAJORS):
        return "function"
    return None


NEAR_MISS = 0.85  # similarity of a typo to the real name, for receivers that may not be Keras


def is_near_miss(name: str, suggestion: str | None) -> bool:
    return suggestion is not None and difflib.SequenceMatcher(None, name.lower(), suggestion.lower()).ratio() >= NEAR_MISS


def unknown_names(site, ctx, parameter: str, known, candidates):
    """(name, node, version note, did-you-mean) for each string the targeted Keras cannot resolve.

    On receivers not known to be Keras models, only near-misses of a real name are
    reported: other libraries' compile() take their own names ("auto", ...)."""
    argument = ctx.arg(site, parameter)
    if argument is None:
        return
    plain = is_plain_keras_model(site)
    major = ctx.keras.major
    for name, node in string_leaves(argument.value, argument.node):
        if not name or known(name, major) or name_may_be_registered(name, ctx):
            continue
        suggestion = keras_data.suggest(name, candidates(major))
        if not plain and not is_near_miss(name, suggestion):
            continue
        hint = f" Did you mean '{suggestion}'?" if suggestion else ""
        yield name, node, unknown_name_note(name, major, known), hint


def optimizers_with_keyword(ctx, keyword: str):
    """(optimizer call, class name, the ``keyword=`` argument) for each current Keras
    optimizer built in the module with that keyword written in the call."""
    for call in ctx.facts.optimizer_calls:
        kind = keras_optimizer_kind(call.qualname)
        if kind is None or kind[0] != "keras":
            continue
        arg = keyword_arg(call.node, keyword)
        if arg is not None:
            yield call, call.via or kind[1], arg


# -- crossentropy on outputs that are no probabilities (CL502 / CL503) ----------------------

def non_probability_effect(loss_kind: str, output_range: str, function: str) -> str:
    """What Keras 2 and 3 do (a verb phrase, plural) when a crossentropy that expects
    probabilities gets the outputs of ``function``; each case was measured on small models,
    with the same outcome in both."""
    from compilelint.facts.heads import BINARY, CATEGORICAL, POSITIVE, ZERO_FLOOR

    if loss_kind == CATEGORICAL:
        if output_range == ZERO_FLOOR:
            return f"divide the outputs by their sum, and {function} outputs are all 0 for some inputs, so the loss is NaN from the first epoch"
        if output_range == POSITIVE:
            return (
                "divide the outputs by their sum, so training runs as if they were probabilities, but predict() "
                f"returns {function} values that do not sum to 1"
            )
        return (
            f"divide the outputs by their sum, which for {function} outputs can be zero or negative, so the "
            "normalised values are no probabilities and training is erratic (the loss often rises)"
        )
    if loss_kind == BINARY:
        return (
            f"clip the outputs to [1e-7, 1 - 1e-7], so {function} outputs outside (0, 1) get no gradient "
            "(examples whose output lands there stop learning), and predict() returns values that are no probabilities"
        )
    if output_range == POSITIVE:
        return (
            f"clip the outputs to [1e-7, 1 - 1e-7] before the log, so {function} outputs above 1 get no gradient, "
            "and predict() returns values that are no probabilities"
        )
    return (
        f"clip the outputs to [1e-7, 1 - 1e-7] before the log, so every {function} output at or below 0 gets no "
        "gradient and training stalls near chance level"
    )


def trained_only_inside_other_models(site: CompileSite, ctx: Context) -> bool:
    """The compiled model is never trained itself but is a part of another model (a GAN's
    generator compiled with a placeholder loss): its own loss never trains anything."""
    model = site.model
    if not isinstance(model, ModelValue) or any(event.kind == "fit" for event in model.events):
        return False
    if any(event.kind == "call" for event in model.events):
        return True
    return any(
        isinstance(other.model, ModelValue) and other.model is not model and any(layer is model for layer in other.model.layers)
        for other in ctx.facts.sites
    )
