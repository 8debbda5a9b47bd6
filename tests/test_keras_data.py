"""Tests for compilelint.keras_data and the generated Keras version data."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from compilelint import keras_data
from compilelint.keras_data import (
    is_known_loss,
    is_known_metric,
    is_known_optimizer,
    load,
    suggest,
)

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "scripts" / "generate_keras_data.py"

TOP_LEVEL_KEYS = {
    "library", "version", "major", "tensorflow_version",
    "compile_parameters", "compile_legacy_kwargs", "compile_unknown_kwarg_error",
    "optimizers", "optimizer_names_case_insensitive", "optimizer_classes",
    "optimizer_removed_kwargs", "optimizer_unknown_kwarg", "legacy_optimizers",
    "tf_compat_v1_train_optimizers", "tf_compat_v1_optimizer_in_compile",
    "losses", "loss_special_names", "loss_special_names_case_insensitive",
    "metrics", "metric_special_names", "metric_special_names_case_insensitive",
    "loss_classes", "metric_classes",
    "layer_classes", "layers_without_xla", "layers_without_xla_conditional",
}


# --------------------------------------------------------------------------- the files


@pytest.mark.parametrize("major", [2, 3])
def test_files_have_the_schema(major):
    data = load(major)
    assert set(data) == TOP_LEVEL_KEYS
    assert data["major"] == major
    assert data["library"] == {2: "tf_keras", 3: "keras"}[major]
    assert data["version"].startswith(f"{major}.")


@pytest.mark.parametrize("major", [2, 3])
def test_files_are_in_canonical_form(major):
    path = keras_data.DATA_DIR / f"keras{major}.json"
    text = path.read_text(encoding="utf-8")
    assert text == json.dumps(json.loads(text), indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    data = json.loads(text)
    for key in ("losses", "metrics", "layer_classes", "layers_without_xla",
                "tf_compat_v1_train_optimizers", "loss_special_names", "metric_special_names"):
        assert data[key] == sorted(data[key]), key


def test_load_is_cached_and_rejects_unknown_versions():
    assert load(3) is load(3)
    with pytest.raises(ValueError):
        load(4)


def test_compile_signatures_match_keras_behaviour():
    k2 = [p["name"] for p in load(2)["compile_parameters"]]
    k3 = [p["name"] for p in load(3)["compile_parameters"]]
    # The 3rd positional argument is metrics in Keras 2 but loss_weights in Keras 3.
    assert k2[:3] == ["optimizer", "loss", "metrics"]
    assert k3[:3] == ["optimizer", "loss", "loss_weights"]
    assert load(2)["compile_parameters"][-1] == {"name": "kwargs", "default": None,
                                                  "kind": "var_keyword"}
    assert "auto_scale_loss" in k3 and "auto_scale_loss" not in k2
    assert "pss_evaluation_shards" in k2 and "pss_evaluation_shards" not in k3
    jit3 = next(p for p in load(3)["compile_parameters"] if p["name"] == "jit_compile")
    assert jit3["default"] == "auto"


def test_legacy_compile_kwargs():
    legacy = load(2)["compile_legacy_kwargs"]
    for kw in ("sample_weight_mode", "cloning", "experimental_run_tf_function"):
        assert legacy[kw]["effect"] == "ignored"
    for kw in ("distribute", "target_tensors"):
        assert legacy[kw]["effect"] == "error-if-not-none"
        assert legacy[kw]["error"]["type"] == "ValueError"
    esp = legacy["experimental_steps_per_execution"]
    assert esp["effect"] == "used"
    assert "no longer experimental" in esp["warning"]
    assert load(3)["compile_legacy_kwargs"] == {}
    assert load(3)["compile_unknown_kwarg_error"] == {
        "type": "TypeError",
        "message": "Trainer.compile() got an unexpected keyword argument 'foo'",
    }


def test_optimizer_kwargs_and_legacy_optimizers():
    k2, k3 = load(2), load(3)
    assert k2["optimizer_removed_kwargs"]["lr"]["effect"] == "warning-discarded"
    assert k3["optimizer_removed_kwargs"]["lr"]["exception"] == {
        "type": "ValueError", "message": "Argument(s) not recognized: {'lr': 0.0123}"}
    assert k2["optimizer_removed_kwargs"]["decay"]["effect"] == "error"
    assert k3["optimizer_removed_kwargs"]["decay"]["effect"] == "warning-discarded"
    for data in (k2, k3):
        assert {"learning_rate", "clipnorm", "global_clipnorm", "ema_momentum"} <= set(
            data["optimizer_classes"]["Adam"])
    assert k2["legacy_optimizers"]["available"] is True
    assert "Adam" in k2["legacy_optimizers"]["names"]
    assert k3["legacy_optimizers"]["available"] is False
    assert k3["legacy_optimizers"]["error"]["type"] == "ImportError"
    assert "AdamOptimizer" in k3["tf_compat_v1_train_optimizers"]
    assert k2["tf_compat_v1_optimizer_in_compile"]["accepted"] is True
    assert k3["tf_compat_v1_optimizer_in_compile"]["accepted"] is False


def test_layers():
    for major in (2, 3):
        data = load(major)
        assert {"Dense", "StringLookup", "LSTM"} <= set(data["layer_classes"])
        assert {"TextVectorization", "StringLookup", "IntegerLookup", "Hashing",
                "HashedCrossing"} <= set(data["layers_without_xla"])
        assert set(data["layers_without_xla"]) <= set(data["layer_classes"])
        assert "Dense" not in data["layers_without_xla"]
    assert set(load(3)["layers_without_xla_conditional"]) == {"LSTM", "GRU"}
    assert "from_logits" in load(3)["loss_classes"]["CategoricalCrossentropy"]


# --------------------------------------------------------------------------- helpers


@pytest.mark.parametrize("major", [2, 3])
def test_optimizer_names(major):
    assert is_known_optimizer("adam", major)
    assert is_known_optimizer("Adam", major)  # optimizer strings are case-insensitive
    assert is_known_optimizer("ADAM", major)
    assert is_known_optimizer("RMSprop", major)
    assert not is_known_optimizer("adamm", major)
    assert suggest("adamm", keras_data.optimizer_names(major)) == "adam"


def test_optimizer_names_valid_in_one_version_only():
    # Keras 2's optimizers.get knows no "lion"/"adafactor" (the classes exist, the strings
    # do not); "experimentaladam" is Keras 2 only.
    assert is_known_optimizer("lion", 3) and not is_known_optimizer("lion", 2)
    assert is_known_optimizer("adafactor", 3) and not is_known_optimizer("adafactor", 2)
    assert is_known_optimizer("experimentaladam", 2)
    assert not is_known_optimizer("experimentaladam", 3)
    # keras.optimizers.Lamb exists but the string "lamb" is not accepted.
    assert not is_known_optimizer("lamb", 3)


@pytest.mark.parametrize("major", [2, 3])
def test_loss_names(major):
    assert is_known_loss("categorical_crossentropy", major)
    assert is_known_loss("CategoricalCrossentropy", major)
    assert is_known_loss("mse", major)
    assert not is_known_loss("categorical_crossentropyy", major)
    assert not is_known_loss("Categorical_Crossentropy", major)  # exact, case-sensitive
    assert suggest("categorical_crossentropyy", keras_data.loss_names(major)) == (
        "categorical_crossentropy")


def test_loss_names_valid_in_one_version_only():
    assert is_known_loss("logcosh", 2) and not is_known_loss("logcosh", 3)
    assert is_known_loss("huber_loss", 2) and not is_known_loss("huber_loss", 3)
    assert is_known_loss("dice", 3) and not is_known_loss("dice", 2)
    # "crossentropy"/"ce" are resolved by Keras 3's compile for loss, not by Keras 2's.
    assert is_known_loss("crossentropy", 3) and is_known_loss("CE", 3)
    assert not is_known_loss("crossentropy", 2)


@pytest.mark.parametrize("major", [2, 3])
def test_metric_names(major):
    assert is_known_metric("accuracy", major)
    assert is_known_metric("acc", major)
    assert is_known_metric("Accuracy", major)
    assert is_known_metric("ACC", major)  # compile lower-cases the special names
    assert is_known_metric("mae", major)
    assert not is_known_metric("accuracyy", major)
    assert suggest("accuracyy", keras_data.metric_names(major)) == "accuracy"


def test_metric_names_valid_in_one_version_only():
    # Keras 2's compile resolves "crossentropy"/"ce" as metrics; Keras 3's only as losses.
    assert is_known_metric("crossentropy", 2) and not is_known_metric("crossentropy", 3)
    assert is_known_metric("cosine_proximity", 2) and not is_known_metric("cosine_proximity", 3)
    assert is_known_metric("auc", 3) and not is_known_metric("auc", 2)
    # Keras 2's metrics.get("kld") returns the string unchanged: not a metric there.
    assert is_known_loss("kld", 2) and not is_known_metric("kld", 2)


def test_suggest():
    assert suggest("adamm", ["adam", "adamax", "adamw", "sgd"]) == "adam"
    assert suggest("ADAMM", ["adam", "sgd"]) == "adam"
    assert suggest("Adm", ["Adam", "adam"]) == "Adam"
    assert suggest("zzzzzz", ["adam", "sgd"]) is None
    assert suggest("adam", []) is None


def test_keras_data_does_not_import_tensorflow():
    code = ("import sys; from compilelint import keras_data as k; k.load(2); k.load(3);"
            "bad = [m for m in ('tensorflow', 'keras', 'tf_keras', 'jax', 'torch')"
            " if m in sys.modules]; assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True)


# --------------------------------------------------------------------------- generator


def test_generated_files_are_up_to_date():
    """The checked-in JSON equals what the real libraries produce (needs them installed)."""
    pytest.importorskip("tf_keras")
    pytest.importorskip("keras")
    env = dict(os.environ, KERAS_BACKEND="tensorflow", TF_CPP_MIN_LOG_LEVEL="3")
    env.pop("TF_USE_LEGACY_KERAS", None)
    proc = subprocess.run([sys.executable, str(SCRIPT), "--check"], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr[-3000:]
