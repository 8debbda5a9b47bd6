"""A small synthetic batch for one training step: inputs from the model's input specs,
targets from its outputs and the loss each output is trained with."""

from __future__ import annotations

import ast
import inspect
import textwrap
from dataclasses import dataclass

import numpy as np

# Unknown sizes other than the batch (sequence lengths, image sides) are tried in this
# order until the model accepts the batch: small first (fast), then long enough for
# stacks of strided convolutions and pools (powers of two suit U-Nets).
FREE_DIMENSIONS = (8, 32, 128)


class UnknownInputs(Exception):
    """The model's inputs are not known before it sees data."""


@dataclass
class InputSpec:
    structure: object  # the model's input tensors (or specs), nested as the model takes them
    source: str | None = None  # the inner model they were taken from, for a wrapper model
    probe: object = None  # what to call to check a size: the model, or that inner model

    @property
    def has_free_dimensions(self) -> bool:
        return any(None in _dims(tensor)[1:] for tensor in _flatten(self.structure))


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


def input_spec(model) -> InputSpec:
    """The model's own inputs; for a subclassed wrapper without them (``VAE(encoder,
    decoder)``, ``GAN(discriminator, generator)``) those of the inner model the data goes
    into: the one whose inputs look like another inner model's outputs (the encoder of an
    autoencoder, the discriminator of a GAN), else the first one."""
    structure = _own_inputs(model)
    if structure is not None:
        return InputSpec(structure, None, model)
    inner = [layer for layer in _direct_layers(model) if _own_inputs(layer) is not None]
    if not inner:
        raise UnknownInputs(
            "the model's input shape is unknown until it sees data (a subclassed model, or a Sequential "
            "without an Input); give it keras.Input(shape=...) or build it in the factory, then verify again"
        )
    produced = {_dims(tensor)[1:] for layer in inner for tensor in _flatten(getattr(layer, "outputs", None) or [])}
    chosen = next((layer for layer in inner if any(_dims(t)[1:] in produced for t in _flatten(_own_inputs(layer)))), inner[0])
    return InputSpec(_own_inputs(chosen), getattr(chosen, "name", "inner model"), chosen)


class ShapeSpec:
    """An input given as a shape (``model.build((None, 13))``) rather than a tensor."""

    def __init__(self, shape, dtype: str = "float32") -> None:
        self.shape, self.dtype = tuple(shape), dtype


def built_spec(model, shape) -> InputSpec:
    """The input spec of a subclassed model built with ``model.build(shape)``."""
    if isinstance(shape, list) and shape and all(isinstance(part, (tuple, list)) for part in shape):
        return InputSpec([ShapeSpec(part) for part in shape], None, model)
    return InputSpec(ShapeSpec(shape), None, model)


def stored_loss(model):
    """The loss a compile override kept on the model (``self.loss_fn = loss_fn``), if any."""
    for value in vars(model).values():
        module = getattr(type(value), "__module__", "") or ""
        if ".losses" in module and callable(value):
            return value
        if callable(value) and ".losses" in (getattr(value, "__module__", "") or ""):
            return value
    return None


def _own_inputs(model):
    for attribute in ("_inputs_struct", "_nested_inputs"):
        structure = getattr(model, attribute, None)
        if structure is not None:
            return structure
    try:
        inputs = model.inputs
    except (AttributeError, ValueError):
        inputs = None
    if not inputs:
        return None
    return inputs[0] if len(inputs) == 1 else list(inputs)


def _direct_layers(model) -> list:
    try:
        return list(model.layers)
    except Exception:  # noqa: BLE001 - a model that cannot list its layers has none to offer
        return []


def _dims(tensor) -> tuple:
    shape = getattr(tensor, "shape", ())
    dims = shape.as_list() if hasattr(shape, "as_list") else list(shape)
    return tuple(dims)


def _dtype_name(tensor) -> str:
    dtype = getattr(tensor, "dtype", "float32")
    return str(getattr(dtype, "name", dtype)).replace("tf.", "")


def _shape(tensor, batch_size: int, free: int) -> tuple[int, ...]:
    return tuple(batch_size if i == 0 else (d if d is not None else free) for i, d in enumerate(_dims(tensor)))


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


def synthesize_inputs(model, spec: InputSpec, batch_size: int, free: int = FREE_DIMENSIONS[0]):
    limit = integer_limit(spec.probe if spec.source else model)
    rng = np.random.default_rng(0)

    def make(tensor):
        shape, dtype = _shape(tensor, batch_size, free), _dtype_name(tensor)
        if dtype == "string":
            return np.array(["the quick brown fox"] * int(np.prod(shape))).reshape(shape)
        if dtype == "bool":
            return rng.integers(0, 2, size=shape).astype(bool)
        if dtype.startswith(("int", "uint")):
            return rng.integers(0, limit, size=shape).astype(dtype)
        return rng.random(size=shape).astype(dtype if dtype.startswith(("float", "bfloat")) else "float32")

    return _structure_map(make, spec.structure)


def train_data_arity(model) -> int:
    """How many parts the model's training step takes from each batch, as ``fit`` would
    give them: 2 for ``(x, y)`` (Keras's own step, or an override that unpacks two), 3 for
    ``(x, y, sample_weight)``, 1 for ``x`` alone (an override that uses the batch itself,
    like a GAN's ``train_step(self, real_images)``)."""
    override = _user_train_step(type(model))
    if override is None:
        return 2
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(override)))
    except (OSError, TypeError, SyntaxError):
        return 2
    definition = tree.body[0]
    if not isinstance(definition, (ast.FunctionDef, ast.AsyncFunctionDef)) or len(definition.args.args) < 2:
        return 2
    return _arity_of(definition, definition.args.args[1].arg)


def _user_train_step(cls):
    for klass in cls.__mro__:
        if "train_step" in vars(klass):
            module = getattr(klass, "__module__", "") or ""
            return None if module.split(".")[0] in {"keras", "tf_keras", "tensorflow"} else vars(klass)["train_step"]
    return None


def _arity_of(definition: ast.FunctionDef, name: str) -> int:
    arity = None
    for node in ast.walk(definition):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "isinstance" and node.args and _is_name(node.args[0], name):
            return 1  # the step looks at what it was given: x alone suits it
        if isinstance(node, ast.Assign) and _is_name(node.value, name):
            for target in node.targets:
                if isinstance(target, (ast.Tuple, ast.List)) and not any(isinstance(e, ast.Starred) for e in target.elts):
                    arity = max(arity or 0, len(target.elts))
        if isinstance(node, ast.Subscript) and _is_name(node.value, name) and isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, int):
            arity = max(arity or 0, node.slice.value + 1, 2)
        if isinstance(node, ast.Call) and _called_name(node) in {"unpack_x_y_sample_weight", "train_step"} and any(_is_name(a, name) for a in node.args):
            arity = max(arity or 0, 2)  # Keras unpacks it: what fit gives suits it
    return min(arity, 3) if arity else 1


def _called_name(call: ast.Call) -> str | None:
    return getattr(call.func, "attr", None) or getattr(call.func, "id", None)


def _is_name(node: ast.AST, name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name


def ones(batch_size: int):
    """Sample weights for a step that unpacks ``(x, y, sample_weight)``."""
    return np.ones((batch_size,), dtype="float32")


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


def has_custom_loss(loss) -> bool:
    """Whether a loss (or one of a structure of them) is the program's own, not Keras's."""
    if isinstance(loss, dict):
        return any(has_custom_loss(value) for value in loss.values())
    if isinstance(loss, (list, tuple)):
        return any(has_custom_loss(value) for value in loss)
    if loss is None or isinstance(loss, str):
        return False
    function = getattr(loss, "fn", None) or loss  # a LossFunctionWrapper holds the function
    module = getattr(function, "__module__", None) or ""  # a Loss instance: its class's module
    return module.split(".")[0] not in {"keras", "tf_keras", "tensorflow"}


def synthesize_targets(model, outputs, loss, batch_size: int, kind: str | None = None):
    """Targets for ``outputs``: as the loss of each output expects, or all of ``kind``."""
    rng = np.random.default_rng(1)
    names = getattr(model, "output_names", None)
    losses = iter(_losses_per_output(loss, outputs, names))
    forced = kind

    def make(output):
        shape = tuple(int(d) for d in np.shape(output))
        kind = forced or loss_kind(next(losses))
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
