"""Wall time of `compilelint verify` per model on CPU, and its overhead.

Overhead = verify's wall time for one file - (a bare process that imports the backend and
trains the same model for one jitted step). Run with the Python that has the backend:

    python bench/verify_bench.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

FIXTURE = Path(__file__).resolve().parent.parent / "tests" / "verify_fixtures" / "several_models.py"
BARE_STEP = """
import numpy as np, keras
model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(8, activation="relu"), keras.layers.Dense(3, activation="softmax")])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"], jit_compile=True)
model.train_on_batch(np.random.rand(2, 4).astype("float32"), np.array([0, 2]))
"""


def wall(command: list[str], env: dict) -> float:
    started = time.perf_counter()
    subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    env = dict(os.environ, CUDA_VISIBLE_DEVICES="", TF_CPP_MIN_LOG_LEVEL="3")
    python = sys.executable
    timings = {
        "python -c pass": [python, "-c", "pass"],
        "import keras (backend)": [python, "-c", "import keras"],
        "bare: import + one jitted step": [python, "-c", BARE_STEP],
        "verify ::clean_classifier (1 model)": [python, "-m", "compilelint", "verify", "--device", "cpu", f"{FIXTURE}::clean_classifier"],
        "verify several_models.py (5 sites)": [python, "-m", "compilelint", "verify", "--device", "cpu", str(FIXTURE)],
    }
    medians = {}
    for label, command in timings.items():
        runs = [wall(command, env) for _ in range(args.repeat)]
        medians[label] = statistics.median(runs)
        print(f"{label:40s} {medians[label]:6.2f} s  (median of {args.repeat})")
    one = medians["verify ::clean_classifier (1 model)"]
    bare = medians["bare: import + one jitted step"]
    print(f"{'overhead of verify for one model':40s} {one - bare:6.2f} s  ({(one - bare) / bare:.0%} of the bare run)")
    print(f"{'per model, 5 sites in one process':40s} {medians['verify several_models.py (5 sites)'] / 5:6.2f} s")


if __name__ == "__main__":
    main()
