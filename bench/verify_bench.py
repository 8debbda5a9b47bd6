"""Throughput of `compilelint verify` on CPU: files per minute when one run verifies many
files, and the cost of one model against a bare script that does the same work.

The files are small training scripts written here (dense, convolutional, recurrent and
embedding models), one compile site each. Run with the Python that has the backend:

    python bench/verify_bench.py [--files 12] [--repeat 3]

To compare with another checkout, put it first on PYTHONPATH (the verify workers inherit it).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BARE_STEP = """
import numpy as np, keras
model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"), keras.layers.Dense(3, activation="softmax")])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"], jit_compile=True)
model.fit(np.random.rand(2, 4).astype("float32"), np.array([0, 2]), batch_size=2, epochs=1, verbose=0)
"""

MODELS = [
    "keras.Sequential([keras.Input(({width},)), keras.layers.Dense(16, activation='relu'), keras.layers.Dense(3, activation='softmax')])",
    "keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Conv2D({width}, 3, activation='relu'), keras.layers.MaxPooling2D(), "
    "keras.layers.Flatten(), keras.layers.Dense(3, activation='softmax')])",
    "keras.Sequential([keras.Input((None,), dtype='int32'), keras.layers.Embedding(1000, {width}), keras.layers.LSTM(8), keras.layers.Dense(3, activation='softmax')])",
    "keras.Sequential([keras.Input((20, {width})), keras.layers.Conv1D(8, 3, activation='relu'), keras.layers.GlobalAveragePooling1D(), keras.layers.Dense(3, activation='softmax')])",
]
SCRIPT = """import keras
import numpy as np

(x_train, y_train), _ = (np.zeros((64, 4)), np.zeros(64)), None
model = {model}
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.fit(x_train, y_train, epochs=3)
"""


def write_scripts(folder: Path, count: int) -> list[Path]:
    paths = []
    for index in range(count):
        model = MODELS[index % len(MODELS)].format(width=4 + index)
        path = folder / f"train_{index:02d}.py"
        path.write_text(SCRIPT.format(model=model), encoding="utf-8")
        paths.append(path)
    return paths


def wall(command: list[str], env: dict) -> float:
    started = time.perf_counter()
    subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - started


def check_all_verified(verify: list[str], scripts: list[Path], env: dict) -> None:
    """Timings mean nothing unless every site was really built and trained."""
    done = subprocess.run([*verify, "--output-format", "json", *map(str, scripts)], env=env, capture_output=True, text=True, check=False)
    summary = json.loads(done.stdout)["summary"]
    if summary["verified"] != len(scripts):
        sys.exit(f"verify_bench: expected {len(scripts)} verified sites, got {summary}")


def median_of(repeat: int, command: list[str], env: dict) -> float:
    return statistics.median(wall(command, env) for _ in range(repeat))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=12)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    env = dict(os.environ, CUDA_VISIBLE_DEVICES="", TF_CPP_MIN_LOG_LEVEL="3")
    python = sys.executable
    verify = [python, "-m", "compilelint", "verify", "--device", "cpu", "--exit-zero"]
    with tempfile.TemporaryDirectory() as name:
        scripts = write_scripts(Path(name), args.files)
        check_all_verified(verify, scripts, env)
        bare = median_of(args.repeat, [python, "-c", BARE_STEP], env)
        one = median_of(args.repeat, [*verify, str(scripts[0])], env)
        many = median_of(args.repeat, [*verify, *map(str, scripts)], env)
    print(f"{'bare: import + one jitted step':44s} {bare:6.2f} s  (median of {args.repeat})")
    print(f"{'verify 1 file':44s} {one:6.2f} s  (overhead {one - bare:+.2f} s)")
    print(f"{f'verify {args.files} files in one run':44s} {many:6.2f} s  = {60 * args.files / many:5.1f} files/minute")
    print(f"{'per further file':44s} {(many - one) / max(args.files - 1, 1):6.2f} s")


if __name__ == "__main__":
    main()
