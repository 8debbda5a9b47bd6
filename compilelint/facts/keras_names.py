"""Which dotted names are Keras, and what they mean, whatever the import spelling."""

from __future__ import annotations

from dataclasses import dataclass

# Longest first: the prefix that names the Keras API, and the flavour it implies.
_KERAS_ROOTS = (
    ("tensorflow.python.keras", "tf.keras"),
    ("tensorflow.compat.v2.keras", "tf.keras"),
    ("tensorflow.compat.v1.keras", "tf.keras"),
    ("tensorflow.keras", "tf.keras"),
    ("keras.api._v2.keras", "keras"),
    ("tf_keras", "tf_keras"),
    ("keras", "keras"),
)

MODEL_CLASSES = frozenset({"Model", "Functional"})
SEQUENTIAL_CLASSES = frozenset({"Sequential"})
INPUT_FUNCTIONS = frozenset({"Input"})
# Calls that return a Keras model whose structure the module does not show.
OPAQUE_MODEL_FUNCTIONS = frozenset({"load_model", "clone_model", "model_from_json", "model_from_config"})

LAYER_NAMESPACES = ("layers",)
# Lowercase aliases of the optimizer classes that Keras 2.3 and earlier had
# (``keras.optimizers.rmsprop(lr=...)``); no later Keras has them.
REMOVED_OPTIMIZER_ALIASES = {
    "sgd": "SGD",
    "rmsprop": "RMSprop",
    "adagrad": "Adagrad",
    "adadelta": "Adadelta",
    "adam": "Adam",
    "adamax": "Adamax",
    "nadam": "Nadam",
}
STRATEGY_SUFFIX = "Strategy"


@dataclass(frozen=True)
class KerasName:
    """A dotted name inside the Keras API: ``path`` without the root (``layers.Dense``)."""

    flavour: str
    path: str

    @property
    def parts(self) -> list[str]:
        return [p for p in self.path.split(".") if p and p != "src"] if self.path else []

    @property
    def leaf(self) -> str:
        parts = self.parts
        return parts[-1] if parts else ""

    @property
    def namespace(self) -> str:
        """The public namespace: ``layers`` for ``keras.layers.core.Dense``."""
        parts = self.parts
        return parts[0] if len(parts) > 1 else ""

    def in_namespace(self, *names: str) -> bool:
        return self.namespace in names


# TensorFlow 2 re-exports these Keras namespaces at its top level (tf.losses is
# tf.keras.losses, and so on).
_TF_SHORTCUTS = ("metrics", "losses", "optimizers")


def keras_name(qualname: str) -> KerasName | None:
    head, _, rest = qualname.partition(".")
    if head == "tensorflow" and rest.split(".", 1)[0] in _TF_SHORTCUTS:
        return KerasName("tf.keras", rest)
    for root, flavour in _KERAS_ROOTS:
        if qualname == root:
            return KerasName(flavour, "")
        if qualname.startswith(root + "."):
            return KerasName(flavour, qualname[len(root) + 1 :])
    return None


def is_model_class(qualname: str) -> bool:
    name = keras_name(qualname)
    return name is not None and name.leaf in MODEL_CLASSES and name.namespace in ("", "models", "engine")


def is_sequential_class(qualname: str) -> bool:
    name = keras_name(qualname)
    return name is not None and name.leaf in SEQUENTIAL_CLASSES and name.namespace in ("", "models", "engine")


def is_input_function(qualname: str) -> bool:
    name = keras_name(qualname)
    return name is not None and name.leaf in INPUT_FUNCTIONS and name.namespace in ("", "layers", "engine")


def is_opaque_model_function(qualname: str) -> bool:
    name = keras_name(qualname)
    if name is None:
        return False
    if name.leaf in OPAQUE_MODEL_FUNCTIONS:
        return True
    # keras.applications.ResNet50(...) and friends return ready-made models.
    return name.namespace == "applications" and name.leaf[:1].isupper()


def layer_class(qualname: str) -> str | None:
    """The layer class name when ``qualname`` is a Keras built-in layer class."""
    name = keras_name(qualname)
    if name is None or not name.in_namespace(*LAYER_NAMESPACES):
        return None
    leaf = name.leaf
    if not leaf[:1].isupper() or leaf in INPUT_FUNCTIONS or leaf in ("Layer", "InputSpec"):
        return None
    return leaf


MERGE_FUNCTIONS = frozenset({"add", "subtract", "multiply", "average", "maximum", "minimum", "concatenate", "dot"})


def is_merge_function(qualname: str) -> bool:
    """``keras.layers.concatenate`` and the other functional forms of merge layers."""
    name = keras_name(qualname)
    return name is not None and name.in_namespace("layers") and name.leaf in MERGE_FUNCTIONS


def is_optimizer_class(qualname: str) -> bool:
    """A class (or removed alias) in a Keras ``optimizers`` namespace, ``tf.train.*Optimizer``
    or ``tf.compat.v1.train.*Optimizer``: what the optimizer rules look at where it is called."""
    name = keras_name(qualname)
    if name is not None:
        if "optimizers" not in name.parts[:-1]:
            return False
        return name.leaf[:1].isupper() or (name.parts == ["optimizers", name.leaf] and name.leaf in REMOVED_OPTIMIZER_ALIASES)
    return qualname.startswith(("tensorflow.compat.v1.train.", "tensorflow.train.")) and qualname.endswith("Optimizer")


def strategy_class(qualname: str) -> str | None:
    """``MirroredStrategy`` for ``tensorflow.distribute.MirroredStrategy`` and its aliases."""
    parts = qualname.split(".")
    if len(parts) < 3 or parts[0] != "tensorflow" or "distribute" not in parts[1:-1]:
        return None
    leaf = parts[-1]
    if leaf.endswith(STRATEGY_SUFFIX) and leaf != "Strategy":
        # ParameterServerStrategyV2 / TPUStrategyV2 are the same classes.
        return leaf
    if leaf.endswith(STRATEGY_SUFFIX + "V2") or leaf.endswith(STRATEGY_SUFFIX + "V1"):
        return leaf[:-2]
    return None


def is_run_functions_eagerly(qualname: str) -> bool:
    return qualname in (
        "tensorflow.config.run_functions_eagerly",
        "tensorflow.config.experimental_run_functions_eagerly",
    )
