"""Small questions many rules ask about a compile site, answered from facts only."""

from __future__ import annotations

from typing import Any

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
    return isinstance(site.model, ModelValue) and site.model.strategy == NO_STRATEGY


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
    if model.kind != "sequential" or not model.layers:
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
