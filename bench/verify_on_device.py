"""`compilelint verify` on the accelerator the backend sees (a script, not a test).

Checks that each verify rule's invalid example is reported by that rule and its valid
example by none when the step runs on the GPU (``--device gpu``), then times verify of
those files on the GPU and on the CPU of the same machine (``--devices cpu`` where there is
no GPU). Run it with the Python that
has the backend, e.g. on a machine with JAX and a GPU:

    KERAS_BACKEND=jax python bench/verify_on_device.py [--repeat 3]

Exits 1 when a rule's example is not reported as expected.
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

REPO = Path(__file__).resolve().parent.parent
VERIFY_RULES = ("CL901", "CL902", "CL903", "CL904")

# The CL902 and CL903 examples in the rules use TensorFlow ops; on a machine without
# TensorFlow (JAX or PyTorch only) these fail the same way through keras.ops.
WITHOUT_TENSORFLOW = {
    "CL902": """import keras
def loss(y_true, y_pred):
    scale = float(keras.ops.convert_to_numpy(keras.ops.max(y_pred)))  # needs a concrete value
    return keras.ops.mean(keras.ops.square(y_true - y_pred)) * scale
model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
model.compile(optimizer='adam', loss=loss)
""",
    "CL903": """import keras
def loss(y_true, y_pred):
    return keras.ops.mean(keras.ops.square(y_true - keras.ops.reshape(y_pred, (7,))))
model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
model.compile(optimizer='adam', loss=loss)
""",
}


def verify(paths: list[Path], device: str) -> tuple[float, list[dict], str]:
    command = [sys.executable, "-m", "compilelint", "verify", "--device", device, "--output-format", "json", "--exit-zero"]
    started = time.perf_counter()
    run = subprocess.run([*command, *map(str, paths)], capture_output=True, text=True, cwd=REPO)
    elapsed = time.perf_counter() - started
    if run.returncode != 0:
        sys.exit(f"verify --device {device} failed ({run.returncode}): {run.stderr.strip()[-2000:]}")
    report = json.loads(run.stdout) if run.stdout.strip() else {"diagnostics": []}
    return elapsed, report["diagnostics"], run.stderr.strip().splitlines()[-1]


def write_rule_examples(folder: Path) -> dict[str, str | None]:
    """One file per verify rule's invalid and valid example -> the code expected there."""
    sys.path.insert(0, str(REPO))
    from compilelint.registry import rules_by_code

    import importlib.util

    has_tensorflow = importlib.util.find_spec("tensorflow") is not None
    expected: dict[str, str | None] = {}
    for code in VERIFY_RULES:
        rule = rules_by_code()[code]
        invalid = rule.invalid[0].code if has_tensorflow else WITHOUT_TENSORFLOW.get(code, rule.invalid[0].code)
        (folder / f"invalid_{code}.py").write_text(invalid, encoding="utf-8")
        expected[f"invalid_{code}.py"] = code
        (folder / f"valid_{code}.py").write_text(rule.valid[0].code, encoding="utf-8")
        expected[f"valid_{code}.py"] = None
    return expected


def check_rule_examples(folder: Path, expected: dict[str, str | None], device: str) -> bool:
    elapsed, diagnostics, summary = verify(sorted(folder / name for name in expected), device)
    reported: dict[str, set[str]] = {}
    for diagnostic in diagnostics:
        reported.setdefault(Path(diagnostic["path"]).name, set()).add(diagnostic["code"])
    print(f"rule examples (--device {device}): {summary} in {elapsed:.1f} s")
    ok = True
    for name, code in expected.items():
        got = reported.get(name, set())
        good = got == ({code} if code else set())
        ok = ok and good
        print(f"  {'ok  ' if good else 'FAIL'} {name}: expected {code or 'nothing'}, reported {', '.join(sorted(got)) or 'nothing'}")
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--devices", default="gpu,cpu", help="the first runs the rule examples; each times the fixture")
    args = parser.parse_args()
    devices = args.devices.split(",")
    print(f"backend: {os.environ.get('KERAS_BACKEND', 'tensorflow (default)')}; python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        expected = write_rule_examples(folder)
        ok = check_rule_examples(folder, expected, devices[0])
        files = sorted(folder / name for name in expected)
        for device in devices:
            runs = [verify(files, device) for _ in range(args.repeat)]
            walls = [elapsed for elapsed, _, _ in runs]
            print(f"{len(files)} example files, --device {device}: {runs[0][2]}; median {statistics.median(walls):.1f} s of {args.repeat} ({', '.join(f'{w:.1f}' for w in walls)})")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
