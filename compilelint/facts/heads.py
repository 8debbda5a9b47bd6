"""What a model's output layer computes and what loss each output is trained with.

An output "head" is what the last layers of an output compute: the final activation
(``softmax``, ``sigmoid``, ``linear`` or ``other``, with the function's name), its unit
count, and how the TensorFlow backend's crossentropy finds the logits behind a softmax or
sigmoid. It is read through activation-only layers: ``Dense(n)`` then
``Activation("softmax", dtype="float32")`` is a softmax head, and so is a softmax followed by
``Activation("linear")`` (the mixed-precision cast) or by a ReLU, which leave probabilities
unchanged. A loss fact is the loss a compile argument names and, for the crossentropies,
its ``from_logits``. Anything produced by a custom layer, a Lambda, an imported block or an
unknown value is UNKNOWN.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from compilelint import keras_data
from compilelint.facts import keras_names as kn
from compilelint.facts.model import BoundArgument, CompileSite, ModelOutput, ModelValue, TensorValue
from compilelint.facts.values import UNKNOWN, CallValue, DictValue, Ref, SeqValue

SOFTMAX, SIGMOID, LINEAR, OTHER = "softmax", "sigmoid", "linear", "other"

# How the TensorFlow backend's crossentropy gets at the logits behind a softmax / sigmoid
# output (Keras 2 and 3 alike; JAX and PyTorch never do):
CACHED = "cached"  # a Keras activation keeps its logits on the tensor: every crossentropy uses them
OP = "op"  # a TensorFlow op (tf.nn.softmax): only the matching crossentropy reads the op's input
# None: another layer runs after the squash, so the loss only sees the probabilities.

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
# Arguments of an activation layer that do not change what it computes.
_NEUTRAL_LAYER_ARGUMENTS = frozenset({"name", "dtype", "trainable"})


@dataclass(frozen=True)
class Activation:
    """One activation function: its kind, its name, and (softmax / sigmoid) how the
    TensorFlow backend's crossentropy finds its logits."""

    kind: Any  # SOFTMAX | SIGMOID | LINEAR | OTHER | UNKNOWN
    function: Any = UNKNOWN  # "relu", "tanh", ...; UNKNOWN when not known
    logits: Any = None  # CACHED | OP for softmax / sigmoid


_UNKNOWN_ACTIVATION = Activation(UNKNOWN)
_LINEAR = Activation(LINEAR, "linear")

# Keras activation names (strings, ``keras.activations.<name>``) Keras 2 and 3 accept.
_KERAS_SQUASHES = {"softmax": SOFTMAX, "sigmoid": SIGMOID}
_OTHER_ACTIVATION_NAMES = frozenset(
    {
        "relu", "relu6", "tanh", "elu", "selu", "gelu", "silu", "swish", "softplus", "softsign",
        "exponential", "hard_sigmoid", "hard_silu", "hard_swish", "leaky_relu", "log_softmax",
        "mish", "celu", "glu", "log_sigmoid", "hard_tanh", "soft_shrink", "hard_shrink",
        "tanh_shrink", "squareplus", "sparse_plus", "sparsemax", "threshold",
    }
)
# TensorFlow callables passed as ``activation=``, by their dotted name. A TensorFlow softmax
# or sigmoid op keeps no logits for Keras, so only the matching crossentropy reads its input.
_TENSORFLOW_ACTIVATIONS = {
    "tensorflow.nn.softmax": Activation(SOFTMAX, "softmax", OP),
    "tensorflow.math.softmax": Activation(SOFTMAX, "softmax", OP),
    "tensorflow.nn.sigmoid": Activation(SIGMOID, "sigmoid", OP),
    "tensorflow.math.sigmoid": Activation(SIGMOID, "sigmoid", OP),
    "tensorflow.sigmoid": Activation(SIGMOID, "sigmoid", OP),
    "tensorflow.identity": _LINEAR,
    "tensorflow.nn.relu": Activation(OTHER, "relu"),
    "tensorflow.nn.relu6": Activation(OTHER, "relu6"),
    "tensorflow.nn.elu": Activation(OTHER, "elu"),
    "tensorflow.nn.selu": Activation(OTHER, "selu"),
    "tensorflow.nn.gelu": Activation(OTHER, "gelu"),
    "tensorflow.nn.silu": Activation(OTHER, "silu"),
    "tensorflow.nn.swish": Activation(OTHER, "silu"),
    "tensorflow.nn.leaky_relu": Activation(OTHER, "leaky_relu"),
    "tensorflow.nn.softplus": Activation(OTHER, "softplus"),
    "tensorflow.math.softplus": Activation(OTHER, "softplus"),
    "tensorflow.nn.softsign": Activation(OTHER, "softsign"),
    "tensorflow.math.softsign": Activation(OTHER, "softsign"),
    "tensorflow.nn.tanh": Activation(OTHER, "tanh"),
    "tensorflow.math.tanh": Activation(OTHER, "tanh"),
    "tensorflow.tanh": Activation(OTHER, "tanh"),
    "tensorflow.exp": Activation(OTHER, "exponential"),
    "tensorflow.math.exp": Activation(OTHER, "exponential"),
    "tensorflow.nn.log_softmax": Activation(OTHER, "log_softmax"),
    "tensorflow.math.log_softmax": Activation(OTHER, "log_softmax"),
}
# Activations that return every value in [0, 1] unchanged: after a softmax or sigmoid the
# output is still the same probabilities (but the loss no longer sees the squash op).
_IDENTITY_ON_PROBABILITIES = frozenset({"linear", "relu", "relu6", "elu", "leaky_relu", "prelu"})

# What the outputs of an activation that is no probability can be, for the crossentropies
# that expect probabilities (each measured on Keras 2 and 3, see the CL502 / CL503 docs):
ZERO_FLOOR = "zero_floor"  # >= 0, and all zeros for some inputs
SIGNED = "signed"  # also negative
POSITIVE = "positive"  # > 0 but unbounded
NON_PROBABILITY_RANGES = {
    "relu": ZERO_FLOOR,
    "relu6": ZERO_FLOOR,
    "linear": SIGNED,
    "elu": SIGNED,
    "selu": SIGNED,
    "tanh": SIGNED,
    "softsign": SIGNED,
    "gelu": SIGNED,
    "silu": SIGNED,
    "swish": SIGNED,
    "leaky_relu": SIGNED,
    "log_softmax": SIGNED,
    "softplus": POSITIVE,
    "exponential": POSITIVE,
}


@dataclass(frozen=True)
class Head:
    """What an output's last layers compute (UNKNOWN where not known)."""

    activation: Any  # SOFTMAX | SIGMOID | LINEAR | OTHER | UNKNOWN
    units: Any  # int | UNKNOWN
    function: Any = UNKNOWN  # the activation's name ("relu", "softmax", ...)
    logits: Any = None  # softmax / sigmoid heads: CACHED, OP, None, or UNKNOWN

    @property
    def output_range(self) -> Any:
        """ZERO_FLOOR / SIGNED / POSITIVE for an activation whose outputs are no probabilities."""
        return NON_PROBABILITY_RANGES.get(self.function) if isinstance(self.function, str) else None


UNKNOWN_HEAD = Head(UNKNOWN, UNKNOWN)


def activation_of(value: Any) -> Activation:
    """What an ``activation=`` value computes: a string, a callable's dotted name, or None."""
    if value is None:
        return _LINEAR
    if isinstance(value, str):
        return _keras_activation(value.lower())
    if isinstance(value, Ref):
        if value.qualname in _TENSORFLOW_ACTIVATIONS:
            return _TENSORFLOW_ACTIVATIONS[value.qualname]
        name = kn.keras_name(value.qualname)
        if name is not None and name.namespace == "activations":
            return _keras_activation(name.leaf)
    return _UNKNOWN_ACTIVATION


def _keras_activation(name: str) -> Activation:
    if name == "linear":
        return _LINEAR
    if name in _KERAS_SQUASHES:
        return Activation(_KERAS_SQUASHES[name], name, CACHED)
    return Activation(OTHER, name) if name in _OTHER_ACTIVATION_NAMES else _UNKNOWN_ACTIVATION


def output_head(tensor: Any, depth: int = 0) -> Head:
    """The head of a model output, or UNKNOWN_HEAD when its producer is not a known layer."""
    if depth > 32 or not isinstance(tensor, TensorValue) or tensor.layer is None or not tensor.layer.builtin:
        return UNKNOWN_HEAD
    layer = tensor.layer
    call = layer.call
    kind = layer.class_name
    if kind in AFFINE_LAYERS:
        return _apply(Head(LINEAR, _affine_units(kind, call), "linear"), _affine_activation(kind, call), call)
    if kind in ACTIVATION_ONLY_LAYERS:
        inner = output_head(_single_input(tensor), depth + 1)
        return _apply(inner, _activation_layer_function(kind, call), call)
    return UNKNOWN_HEAD


def _apply(inner: Head, activation: Activation, call: CallValue) -> Head:
    """The head after ``activation`` runs on the output ``inner`` describes."""
    if activation.kind is UNKNOWN:
        return Head(UNKNOWN, inner.units)
    if activation.kind in (SOFTMAX, SIGMOID):
        return Head(activation.kind, inner.units, activation.function, activation.logits)
    if activation.kind == LINEAR:
        if inner.logits in (CACHED, OP) and call.kwarg("dtype", None) is not None:
            # A dtype cast (mixed precision) hides the squash from the loss, unless the
            # tensor already has that dtype: which one it is depends on the global policy.
            return replace(inner, logits=UNKNOWN)
        return inner
    if inner.activation == LINEAR:
        return Head(OTHER, inner.units, activation.function)
    if inner.activation in (SOFTMAX, SIGMOID) and activation.function in _IDENTITY_ON_PROBABILITIES:
        return replace(inner, logits=None)
    return Head(UNKNOWN, inner.units)


def _activation_layer_function(kind: str, call: CallValue) -> Activation:
    if kind == "Softmax":
        axis = call.args[0] if call.args else call.kwarg("axis", -1)
        if axis == -1:
            return Activation(SOFTMAX, "softmax", CACHED)
        return _UNKNOWN_ACTIVATION if axis is UNKNOWN else Activation(OTHER)
    if kind == "Activation":
        return activation_of(call.args[0] if call.args else call.kwarg("activation"))
    if kind == "PReLU":
        return Activation(OTHER, "prelu")  # identity on positive values, whatever its slopes
    defaults = not call.args and call.complete and set(call.kwargs) <= _NEUTRAL_LAYER_ARGUMENTS
    names = {"ReLU": "relu", "LeakyReLU": "leaky_relu", "ELU": "elu"}
    return Activation(OTHER, names[kind] if defaults and kind in names else UNKNOWN)


def _affine_activation(kind: str, call: CallValue) -> Activation:
    if kind == "Dense" and len(call.args) >= 2:
        return activation_of(call.args[1])
    if kind != "Dense" and len(call.args) > 2:
        # Convolutions take activation far down their positional list; do not guess.
        return _UNKNOWN_ACTIVATION
    return activation_of(call.kwarg("activation", None))


def _affine_units(kind: str, call: CallValue) -> Any:
    if kind != "Dense":
        return UNKNOWN  # convolution channels depend on data_format; EinsumDense on its equation
    units = call.args[0] if call.args else call.kwarg("units")
    return units if isinstance(units, int) and not isinstance(units, bool) else UNKNOWN


def _single_input(tensor: TensorValue) -> Any:
    return tensor.inputs[0] if len(tensor.inputs) == 1 else UNKNOWN


# ----------------------------------------------------------------------------- losses
CATEGORICAL, SPARSE_CATEGORICAL, BINARY = "categorical", "sparse_categorical", "binary"
OTHER_LOSS = "other"  # any other Keras built-in loss (mse, hinge, focal crossentropies, ...)
CROSSENTROPIES = (CATEGORICAL, SPARSE_CATEGORICAL, BINARY)

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
    """A Keras loss: which one, and whether it takes logits (True / False / UNKNOWN; always
    UNKNOWN for OTHER_LOSS)."""

    kind: str  # CATEGORICAL | SPARSE_CATEGORICAL | BINARY | OTHER_LOSS
    from_logits: Any
    name: str = ""  # as written: "mse", "MeanSquaredError", ...

    @property
    def label(self) -> str:
        return LOSS_LABELS.get(self.kind, self.name)

    @property
    def is_crossentropy(self) -> bool:
        return self.kind in CROSSENTROPIES


def loss_fact(value: Any) -> Any:
    """The Keras loss a loss value computes, or UNKNOWN (a custom or unknown loss)."""
    if isinstance(value, str):
        kind = _LOSS_STRINGS.get(value)
        if kind:
            return LossFact(kind, False, value)
        return LossFact(OTHER_LOSS, UNKNOWN, value) if _is_keras_loss_string(value) else UNKNOWN
    if isinstance(value, Ref):
        name = kn.keras_name(value.qualname)
        if name is None:
            return UNKNOWN
        if name.namespace in ("losses", "metrics") and name.leaf in _LOSS_FUNCTIONS:
            return LossFact(_LOSS_FUNCTIONS[name.leaf], False, name.leaf)
        if name.namespace == "losses" and name.leaf[:1].islower() and _is_keras_loss_string(name.leaf):
            return LossFact(OTHER_LOSS, UNKNOWN, name.leaf)
        return UNKNOWN
    if isinstance(value, CallValue):
        name = kn.keras_name(value.qualname)
        if name is None or name.namespace != "losses":
            return UNKNOWN
        if name.leaf == "get" and len(value.args) == 1 and not value.kwargs:
            return loss_fact(value.args[0]) if isinstance(value.args[0], str) else UNKNOWN
        kind = _LOSS_CLASSES.get(name.leaf)
        if kind is None:
            return LossFact(OTHER_LOSS, UNKNOWN, name.leaf) if _is_keras_loss_class(name.leaf) else UNKNOWN
        # ``from_logits`` is the first parameter of all three classes in Keras 2 and 3.
        from_logits = value.args[0] if value.args else value.kwarg("from_logits", False)
        return LossFact(kind, from_logits if isinstance(from_logits, bool) else UNKNOWN, name.leaf)
    return UNKNOWN


def _is_keras_loss_string(name: str) -> bool:
    return any(keras_data.is_known_loss(name, major) for major in keras_data.MAJORS)


def _is_keras_loss_class(name: str) -> bool:
    return name != "Loss" and any(name in keras_data.load(major)["loss_classes"] for major in keras_data.MAJORS)


# ----------------------------------------------------------------------------- pairing
@dataclass(frozen=True)
class OutputLoss:
    """One model output, its head, the Keras loss it is trained with, and where that loss
    is written (the node to report)."""

    output: ModelOutput
    head: Head
    loss: LossFact
    node: Any
    multi_output: bool


def output_losses(site: CompileSite, loss: BoundArgument | None, keras_major: int) -> list[OutputLoss]:
    """Every output whose head is known to the degree of its activation, paired with a
    known Keras loss; outputs or losses the analysis cannot pin down are left out."""
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
