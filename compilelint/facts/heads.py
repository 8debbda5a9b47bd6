"""What a model's output layer computes and what loss each output is trained with.

An output "head" is the final activation of an output tensor (``softmax``, ``sigmoid``,
``linear`` or ``other``) and its unit count, read through activation-only layers
(``Dense(n)`` then ``Activation("softmax", dtype="float32")`` for mixed precision). A loss
fact is the crossentropy a loss computes and its ``from_logits``. Anything produced by a
custom layer, a Lambda, an imported block or an unknown value is UNKNOWN.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from compilelint.facts import keras_names as kn
from compilelint.facts.model import BoundArgument, CompileSite, ModelOutput, ModelValue, TensorValue
from compilelint.facts.values import UNKNOWN, CallValue, DictValue, Ref, SeqValue

SOFTMAX, SIGMOID, LINEAR, OTHER = "softmax", "sigmoid", "linear", "other"

# Layers whose output is ``activation(<affine map>)``, linear when no activation is given.
AFFINE_LAYERS = frozenset(
    {
        "Dense",
        "EinsumDense",
        "Conv1D",
        "Conv2D",
        "Conv3D",
        "Conv1DTranspose",
        "Conv2DTranspose",
        "Conv3DTranspose",
        "Convolution1D",
        "Convolution2D",
        "Convolution3D",
        "SeparableConv1D",
        "SeparableConv2D",
        "DepthwiseConv1D",
        "DepthwiseConv2D",
    }
)
# Layers that only apply an elementwise activation: the unit count passes through them.
NON_PROBABILITY_ACTIVATION_LAYERS = frozenset({"ReLU", "LeakyReLU", "ELU", "PReLU", "ThresholdedReLU"})
ACTIVATION_ONLY_LAYERS = NON_PROBABILITY_ACTIVATION_LAYERS | {"Activation", "Softmax"}

_ACTIVATION_FUNCTIONS = {
    "softmax": SOFTMAX,
    "sigmoid": SIGMOID,
    "linear": LINEAR,
}
# TensorFlow callables passed as ``activation=``, by their dotted name.
_TENSORFLOW_ACTIVATIONS = {
    "tensorflow.nn.softmax": SOFTMAX,
    "tensorflow.math.softmax": SOFTMAX,
    "tensorflow.nn.sigmoid": SIGMOID,
    "tensorflow.math.sigmoid": SIGMOID,
    "tensorflow.sigmoid": SIGMOID,
    "tensorflow.identity": LINEAR,
    "tensorflow.nn.relu": OTHER,
    "tensorflow.nn.tanh": OTHER,
    "tensorflow.math.tanh": OTHER,
    "tensorflow.tanh": OTHER,
}
# Every other activation name Keras 2 and 3 accept: known not to be softmax / sigmoid / linear.
_OTHER_ACTIVATION_NAMES = frozenset(
    {
        "relu", "relu6", "tanh", "elu", "selu", "gelu", "silu", "swish", "softplus", "softsign",
        "exponential", "hard_sigmoid", "hard_silu", "hard_swish", "leaky_relu", "log_softmax",
        "mish", "celu", "glu", "log_sigmoid", "hard_tanh", "soft_shrink", "hard_shrink",
        "tanh_shrink", "squareplus", "sparse_plus", "sparsemax", "threshold",
    }
)


@dataclass(frozen=True)
class Head:
    """The last activation of an output and its unit count (UNKNOWN where not known)."""

    activation: Any  # SOFTMAX | SIGMOID | LINEAR | OTHER | UNKNOWN
    units: Any  # int | UNKNOWN


UNKNOWN_HEAD = Head(UNKNOWN, UNKNOWN)


def activation_name(value: Any) -> Any:
    """What an ``activation=`` value computes: a string, a callable's dotted name, or None."""
    if value is None:
        return LINEAR
    if isinstance(value, str):
        name = value.lower()
        if name in _ACTIVATION_FUNCTIONS:
            return _ACTIVATION_FUNCTIONS[name]
        return OTHER if name in _OTHER_ACTIVATION_NAMES else UNKNOWN
    if isinstance(value, Ref):
        if value.qualname in _TENSORFLOW_ACTIVATIONS:
            return _TENSORFLOW_ACTIVATIONS[value.qualname]
        name = kn.keras_name(value.qualname)
        if name is not None and name.namespace == "activations":
            if name.leaf in _ACTIVATION_FUNCTIONS:
                return _ACTIVATION_FUNCTIONS[name.leaf]
            return OTHER if name.leaf in _OTHER_ACTIVATION_NAMES else UNKNOWN
    return UNKNOWN


def output_head(tensor: Any) -> Head:
    """The head of a model output, or UNKNOWN_HEAD when its producer is not a known layer."""
    if not isinstance(tensor, TensorValue) or tensor.layer is None or not tensor.layer.builtin:
        return UNKNOWN_HEAD
    layer = tensor.layer
    call = layer.call
    kind = layer.class_name
    if kind in ACTIVATION_ONLY_LAYERS:
        return Head(_activation_layer_function(kind, call), _units(_single_input(tensor)))
    if kind in AFFINE_LAYERS:
        return Head(_affine_activation(kind, call), _affine_units(kind, call))
    return UNKNOWN_HEAD


def _activation_layer_function(kind: str, call: CallValue) -> Any:
    if kind in NON_PROBABILITY_ACTIVATION_LAYERS:
        return OTHER
    if kind == "Softmax":
        axis = call.args[0] if call.args else call.kwarg("axis", -1)
        return SOFTMAX if axis == -1 else (UNKNOWN if axis is UNKNOWN else OTHER)
    spec = call.args[0] if call.args else call.kwarg("activation")
    return activation_name(spec)


def _affine_activation(kind: str, call: CallValue) -> Any:
    if kind == "Dense" and len(call.args) >= 2:
        return activation_name(call.args[1])
    if kind != "Dense" and len(call.args) > 2:
        # Convolutions take activation far down their positional list; do not guess.
        return UNKNOWN
    return activation_name(call.kwarg("activation", None))


def _affine_units(kind: str, call: CallValue) -> Any:
    if kind != "Dense":
        return UNKNOWN  # convolution channels depend on data_format; EinsumDense on its equation
    units = call.args[0] if call.args else call.kwarg("units")
    return units if isinstance(units, int) and not isinstance(units, bool) else UNKNOWN


def _single_input(tensor: TensorValue) -> Any:
    return tensor.inputs[0] if len(tensor.inputs) == 1 else UNKNOWN


def _units(tensor: Any, depth: int = 0) -> Any:
    """The unit count of a tensor, read through activation-only layers."""
    if depth > 32 or not isinstance(tensor, TensorValue) or tensor.layer is None or not tensor.layer.builtin:
        return UNKNOWN
    kind = tensor.layer.class_name
    if kind in ACTIVATION_ONLY_LAYERS:
        return _units(_single_input(tensor), depth + 1)
    if kind in AFFINE_LAYERS:
        return _affine_units(kind, tensor.layer.call)
    return UNKNOWN


# ----------------------------------------------------------------------------- losses
CATEGORICAL, SPARSE_CATEGORICAL, BINARY = "categorical", "sparse_categorical", "binary"

_LOSS_STRINGS = {
    "categorical_crossentropy": CATEGORICAL,
    "CategoricalCrossentropy": CATEGORICAL,
    "sparse_categorical_crossentropy": SPARSE_CATEGORICAL,
    "SparseCategoricalCrossentropy": SPARSE_CATEGORICAL,
    "binary_crossentropy": BINARY,
    "BinaryCrossentropy": BINARY,
    "bce": BINARY,
    "BCE": BINARY,
}
_LOSS_FUNCTIONS = {
    "categorical_crossentropy": CATEGORICAL,
    "sparse_categorical_crossentropy": SPARSE_CATEGORICAL,
    "binary_crossentropy": BINARY,
}
_LOSS_CLASSES = {
    "CategoricalCrossentropy": CATEGORICAL,
    "SparseCategoricalCrossentropy": SPARSE_CATEGORICAL,
    "BinaryCrossentropy": BINARY,
}
LOSS_LABELS = {
    CATEGORICAL: "categorical crossentropy",
    SPARSE_CATEGORICAL: "sparse categorical crossentropy",
    BINARY: "binary crossentropy",
}


@dataclass(frozen=True)
class LossFact:
    """A crossentropy loss: which one, and whether it takes logits (True / False / UNKNOWN)."""

    kind: str  # CATEGORICAL | SPARSE_CATEGORICAL | BINARY
    from_logits: Any

    @property
    def label(self) -> str:
        return LOSS_LABELS[self.kind]


def loss_fact(value: Any) -> Any:
    """The crossentropy a loss value computes, or UNKNOWN (any other or unknown loss)."""
    if isinstance(value, str):
        kind = _LOSS_STRINGS.get(value)
        return LossFact(kind, False) if kind else UNKNOWN
    if isinstance(value, Ref):
        name = kn.keras_name(value.qualname)
        if name is not None and name.namespace in ("losses", "metrics") and name.leaf in _LOSS_FUNCTIONS:
            return LossFact(_LOSS_FUNCTIONS[name.leaf], False)
        return UNKNOWN
    if isinstance(value, CallValue):
        name = kn.keras_name(value.qualname)
        if name is None or name.namespace != "losses":
            return UNKNOWN
        if name.leaf == "get" and len(value.args) == 1 and not value.kwargs:
            return loss_fact(value.args[0]) if isinstance(value.args[0], str) else UNKNOWN
        kind = _LOSS_CLASSES.get(name.leaf)
        if kind is None:
            return UNKNOWN
        # ``from_logits`` is the first parameter of all three classes in Keras 2 and 3.
        from_logits = value.args[0] if value.args else value.kwarg("from_logits", False)
        return LossFact(kind, from_logits if isinstance(from_logits, bool) else UNKNOWN)
    return UNKNOWN


# ----------------------------------------------------------------------------- pairing
@dataclass(frozen=True)
class OutputLoss:
    """One model output, its head, the crossentropy it is trained with, and where that
    loss is written (the node to report)."""

    output: ModelOutput
    head: Head
    loss: LossFact
    node: Any
    multi_output: bool


def output_losses(site: CompileSite, loss: BoundArgument | None, keras_major: int) -> list[OutputLoss]:
    """Every output whose head is known to the degree of its activation, paired with a
    known crossentropy loss; outputs or losses the analysis cannot pin down are left out."""
    outputs = site.outputs
    if loss is None or outputs is None or not isinstance(site.model, ModelValue) or not outputs.items:
        return []
    value = loss.value
    multi = outputs.count > 1
    pairs: list[tuple[ModelOutput, Any, Any]] = []
    if isinstance(value, SeqValue):
        if len(value.items) != outputs.count:
            return []  # CL201's business: which loss meets which output is not clear-cut
        nodes = value.nodes if len(value.nodes) == len(value.items) else [loss.node] * len(value.items)
        pairs = list(zip(outputs.items, value.items, nodes))
    elif isinstance(value, DictValue):
        if site.model.kind == "sequential" and keras_major == 3:
            return []  # Keras 3 rejects any loss dict on a Sequential model (CL206)
        for output in outputs.items:
            key = output.key if outputs.structure == "dict" else output.name
            if isinstance(key, str) and key in value.entries:
                pairs.append((output, value.entries[key], value.value_nodes.get(key, loss.node)))
    else:
        pairs = [(output, value, loss.report_node) for output in outputs.items]
    found = []
    for output, item, node in pairs:
        fact = loss_fact(item)
        if fact is UNKNOWN:
            continue
        head = output_head(output.tensor)
        if head.activation is UNKNOWN and head.units is UNKNOWN:
            continue
        found.append(OutputLoss(output, head, fact, node, multi))
    return found


def describe_output(pair: OutputLoss) -> str:
    """How a message names the output: by name in a multi-output model."""
    if not pair.multi_output:
        return "the output"
    name = pair.output.key or pair.output.name
    return f"output '{name}'" if isinstance(name, str) else "an output"
