"""A small synthetic batch for one training step: inputs from the model's input specs,
targets from its outputs and the loss each output is trained with."""

from __future__ import annotations

import numpy as np

# Unknown sizes other than the batch (sequence lengths, image sides) get this value.
FREE_DIMENSION = 8


class UnknownInputs(Exception):
    """The model's inputs are not known before it sees data."""


def _structure_map(function, structure):
    if isinstance(structure, dict):
        return {key: _structure_map(function, value) for key, value in structure.items()}
    if isinstance(structure, (list, tuple)):
        return type(structure)(_structure_map(function, value) for value in structure)
    return function(structure)


def _flatten(structure) -> list:
    if isinstance(structure, dict):
        return [leaf for key in structure for leaf in _flatten(structure[key])]
    if isinstance(structure, (list, tuple)):
        return [leaf for value in structure for leaf in _flatten(value)]
    return [structure]


def input_structure(model):
    for attribute in ("_inputs_struct", "_nested_inputs"):
        structure = getattr(model, attribute, None)
        if structure is not None:
            return structure
    try:
        inputs = model.inputs
    except (AttributeError, ValueError):
        inputs = None
    if not inputs:
        raise UnknownInputs(
            "the model's input shape is unknown until it sees data (a subclassed model, or a Sequential "
            "without an Input); give it keras.Input(shape=...) or build it in the factory, then verify again"
        )
    return inputs[0] if len(inputs) == 1 else list(inputs)


def _dtype_name(tensor) -> str:
    dtype = getattr(tensor, "dtype", "float32")
    return str(getattr(dtype, "name", dtype)).replace("tf.", "")


def _shape(tensor, batch_size: int) -> tuple[int, ...]:
    shape = getattr(tensor, "shape", ())
    dims = list(shape.as_list()) if hasattr(shape, "as_list") else list(shape)
    return tuple(batch_size if i == 0 else (d if d is not None else FREE_DIMENSION) for i, d in enumerate(dims))


def integer_limit(model) -> int:
    """The largest exclusive bound every integer input can use: the smallest vocabulary."""
    limits = []
    layers = model._flatten_layers() if hasattr(model, "_flatten_layers") else getattr(model, "layers", [])
    for layer in layers:
        for attribute in ("input_dim", "num_tokens"):
            value = getattr(layer, attribute, None)
            if isinstance(value, int) and value > 0:
                limits.append(value)
    return min(limits) if limits else 2


def synthesize_inputs(model, batch_size: int):
    structure = input_structure(model)
    limit = integer_limit(model)
    rng = np.random.default_rng(0)

    def make(tensor):
        shape, dtype = _shape(tensor, batch_size), _dtype_name(tensor)
        if dtype == "string":
            return np.array(["the quick brown fox"] * int(np.prod(shape))).reshape(shape)
        if dtype == "bool":
            return rng.integers(0, 2, size=shape).astype(bool)
        if dtype.startswith(("int", "uint")):
            return rng.integers(0, limit, size=shape).astype(dtype)
        return rng.random(size=shape).astype(dtype if dtype.startswith(("float", "bfloat")) else "float32")

    return _structure_map(make, structure)


def loss_kind(loss) -> str:
    """sparse | onehot | binary | dense: the kind of target a loss expects."""
    if loss is None:
        return "dense"
    if isinstance(loss, str):
        name = loss
    else:
        name = getattr(loss, "name", None) or getattr(loss, "__name__", None) or type(loss).__name__
        fn = getattr(loss, "fn", None)  # LossFunctionWrapper
        if fn is not None:
            name = f"{name} {getattr(fn, '__name__', '')}"
    name = str(name).lower()
    if "sparse" in name:
        return "sparse"
    if "categorical" in name or "kl" in name or "kullback" in name:
        return "onehot"
    if "binary" in name or "hinge" in name:
        return "binary"
    return "dense"


def _losses_per_output(loss, outputs, output_names) -> list:
    leaves = _flatten(outputs)
    if isinstance(loss, dict):
        if isinstance(outputs, dict):
            return [loss.get(key) for key in outputs]
        names = list(output_names or [])
        return [loss.get(names[i]) if i < len(names) else None for i in range(len(leaves))]
    if isinstance(loss, (list, tuple)):
        return [loss[i] if i < len(loss) else None for i in range(len(leaves))]
    return [loss] * len(leaves)


def synthesize_targets(model, outputs, loss, batch_size: int):
    rng = np.random.default_rng(1)
    names = getattr(model, "output_names", None)
    losses = iter(_losses_per_output(loss, outputs, names))

    def make(output):
        shape = tuple(int(d) for d in np.shape(output))
        kind = loss_kind(next(losses))
        classes = shape[-1] if len(shape) > 1 else 1
        if kind == "sparse":
            return rng.integers(0, max(classes, 1), size=shape[:-1] if len(shape) > 1 else shape).astype("int32")
        if kind == "onehot":
            labels = rng.integers(0, max(classes, 1), size=shape[:-1])
            return np.eye(max(classes, 1), dtype="float32")[labels].reshape(shape)
        if kind == "binary":
            return rng.integers(0, 2, size=shape).astype("float32")
        return rng.random(size=shape).astype("float32")

    return _structure_map(make, outputs)
