"""A wheel built from the repository ships the rules and the version data."""

import subprocess
import sys
import zipfile

from conftest import REPO


def test_wheel_contains_rules_and_data(tmp_path):
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(tmp_path), str(REPO)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert build.returncode == 0, build.stderr[-2000:]
    (wheel,) = tmp_path.glob("compilelint-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    rule_files = {path.name for path in (REPO / "rules").glob("cl*.py")}
    assert rule_files and {f"compilelint/rules/{name}" for name in rule_files} <= names
    assert {"compilelint/data/keras2.json", "compilelint/data/keras3.json", "compilelint/data/rule_catalogue.json"} <= names
    assert any(name.endswith("entry_points.txt") for name in names)
