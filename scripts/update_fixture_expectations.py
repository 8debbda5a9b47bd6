"""Write fixtures/expected.json from what compilelint reports on fixtures/ now.

Run it after a deliberate change, then read the diff of expected.json line by line: every
entry is a claim that Keras really fails or silently changes behaviour at that spot.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EXPECTED = REPO / "fixtures" / "expected.json"


def current() -> list[dict]:
    env = {k: v for k, v in os.environ.items() if k != "TF_USE_LEGACY_KERAS"}
    run = subprocess.run(
        [sys.executable, "-m", "compilelint", "check", "fixtures", "--output-format", "json", "--no-cache"],
        cwd=REPO,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    if run.returncode != 1:  # the fixtures hold problems on purpose; anything else is broken
        raise RuntimeError(f"compilelint exited {run.returncode}: {run.stderr.strip()[-500:]}")
    output = run.stdout
    return [
        {"path": d["path"], "cell": d["cell"], "line": d["line"], "column": d["column"], "code": d["code"]}
        for d in json.loads(output)
    ]


if __name__ == "__main__":
    EXPECTED.write_text(json.dumps(current(), indent=1) + "\n")
