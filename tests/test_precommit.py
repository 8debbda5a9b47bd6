"""The pre-commit hook, run for real by pre-commit itself (`pre-commit try-repo`)."""

import os
import shutil
import subprocess
import sys

import pytest

from conftest import REPO

BROKEN = "import keras\nmodel = keras.Sequential([keras.layers.Dense(1)])\nmodel.compile(optimizer='adam', loss='mse', jit_compile=True, run_eagerly=True)\n"
CLEAN = "import keras\nmodel = keras.Sequential([keras.layers.Dense(1)])\nmodel.compile(optimizer='adam', loss='mse')\n"


def git(*args, cwd):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture
def user_repo(tmp_path):
    repo = tmp_path / "user"
    repo.mkdir()
    git("init", "-q", cwd=repo)
    git("config", "user.email", "user@example.invalid", cwd=repo)
    git("config", "user.name", "user", cwd=repo)
    return repo


def try_repo(repo, tmp_path):
    pre_commit = shutil.which("pre-commit") or os.path.join(os.path.dirname(sys.executable), "pre-commit")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path.parent / "pre-commit-home")}
    return subprocess.run(
        [pre_commit, "try-repo", str(REPO), "compilelint", "--all-files"],
        cwd=repo,
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )


def test_hook_fails_on_a_broken_compile_and_passes_on_a_clean_one(user_repo, tmp_path):
    (user_repo / "train.py").write_text(BROKEN)
    (user_repo / "README.md").write_text("not python\n")
    git("add", ".", cwd=user_repo)
    failed = try_repo(user_repo, tmp_path)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "train.py:3:45: CL101" in failed.stdout

    (user_repo / "train.py").write_text(CLEAN)
    git("add", ".", cwd=user_repo)
    passed = try_repo(user_repo, tmp_path)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Passed" in passed.stdout
