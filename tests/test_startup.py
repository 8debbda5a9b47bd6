"""Start-up stays cheap: no LibCST for files that need no parsing, never a deep-learning library."""

import json
import os
import subprocess
import sys

from conftest import REPO

HEAVY = ("tensorflow", "keras", "tf_keras", "jax", "torch")

# Runs the real command line in a fresh interpreter, then reports which modules it imported.
PROBE = """
import json, sys
from compilelint.cli import main
try:
    main(sys.argv[2:])
except SystemExit as exit:
    code = exit.code
with open(sys.argv[1], "w") as handle:
    json.dump({"code": code, "modules": sorted({name.split(".")[0] for name in sys.modules})}, handle)
"""


def imported_by_check(tmp_path, *args):
    report = tmp_path / "modules.json"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("TF_USE_LEGACY_KERAS", None)
    completed = subprocess.run(
        [sys.executable, "-c", PROBE, str(report), "check", "--no-cache", *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert report.exists(), completed.stderr
    data = json.loads(report.read_text())
    return data["code"], set(data["modules"]), completed


def test_a_file_without_compile_never_imports_libcst(tmp_path):
    (tmp_path / "util.py").write_text("import numpy as np\n\ndef scale(x):\n    return np.asarray(x) * 2  # compiled later\n")
    code, modules, completed = imported_by_check(tmp_path, "util.py")
    assert code == 0, completed.stdout + completed.stderr
    assert "libcst" not in modules
    assert not modules & set(HEAVY)


def test_a_file_that_builds_an_unremarkable_optimizer_never_imports_libcst(tmp_path):
    (tmp_path / "optim.py").write_text("from keras import optimizers\n\ndef make(lr):\n    return optimizers.Adam(learning_rate=lr)\n")
    code, modules, completed = imported_by_check(tmp_path, "optim.py")
    assert code == 0, completed.stdout + completed.stderr
    assert "libcst" not in modules


def test_an_optimizer_helper_is_linted_without_a_compile_call(tmp_path):
    (tmp_path / "optim.py").write_text("from keras import optimizers\n\ndef make(cfg):\n    return optimizers.Adam(lr=cfg.lr)\n")
    code, modules, completed = imported_by_check(tmp_path, "optim.py")
    assert code == 1 and "CL401" in completed.stdout, completed.stdout + completed.stderr
    assert not modules & set(HEAVY)


def test_linting_a_keras_file_never_imports_a_deep_learning_library(tmp_path):
    (tmp_path / "train.py").write_text(
        "import keras\nmodel = keras.Sequential([keras.layers.Dense(1)])\n"
        "model.compile(optimizer='adam', loss='mse', jit_compile=True, run_eagerly=True)\n"
    )
    code, modules, completed = imported_by_check(tmp_path, "train.py")
    assert code == 1 and "CL101" in completed.stdout, completed.stdout + completed.stderr
    assert "libcst" in modules  # the file was analysed, so the probe does see real imports
    assert not modules & set(HEAVY)
