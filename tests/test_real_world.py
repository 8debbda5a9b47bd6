"""Precision on real code: the Keras, tf_keras, keras-hub and tf-models-official sources.

The wheels are downloaded with `pip download --no-deps` (pinned) and unpacked, never
vendored. Every finding there was checked by hand; tests/data/real_world_findings.json is
that reviewed list, so a new false positive (or a lost true finding) fails this test.
"""

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import REPO

WHEELS = ["keras==3.15.1", "tf-keras==2.21.0", "keras-hub==0.32.0", "tf-models-official==2.20.0"]
CORPUS = Path(os.environ.get("COMPILELINT_CORPUS", Path.home() / ".cache" / "compilelint-corpus"))


def corpus() -> Path:
    source = CORPUS / "src"
    marker = CORPUS / "complete"
    if marker.exists():
        return source
    wheels = CORPUS / "wheels"
    download = subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "-d", str(wheels), *WHEELS],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if download.returncode != 0:
        pytest.fail(f"could not download the corpus wheels: {download.stderr.strip()[-500:]}")
    for wheel in sorted(wheels.glob("*.whl")):
        with zipfile.ZipFile(wheel) as archive:
            archive.extractall(source / wheel.stem.split("-")[0])
    marker.write_text("ok\n")
    return source


def test_real_world_findings_are_the_reviewed_ones():
    source = corpus()
    result = subprocess.run(
        [sys.executable, "-m", "compilelint", "check", ".", "--keras-version", "2,3", "--output-format", "json", "--no-cache"],
        cwd=source,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode in (0, 1), result.stderr[-2000:]
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    found = sorted({f"{d['path']}:{d['line']} {d['code']}" for d in json.loads(result.stdout)})
    reviewed = json.loads((REPO / "tests" / "data" / "real_world_findings.json").read_text())
    assert found == sorted(reviewed["findings"])


def test_the_largest_real_modules_parse_piecewise_exactly_as_whole():
    """The files piecewise parsing exists for (Keras' 450 KB numpy_test.py and the like)."""
    import libcst

    from compilelint.parsing import parse_module

    source = corpus()
    largest = sorted((path for path in source.rglob("*.py") if b"compile(" in path.read_bytes()), key=lambda p: p.stat().st_size)[-4:]
    for path in largest:
        text = path.read_text(encoding="utf-8")
        pieces = parse_module(text, piece_bytes=4096)
        assert pieces.code == text, path
        assert pieces.deep_equals(libcst.parse_module(text)), path
