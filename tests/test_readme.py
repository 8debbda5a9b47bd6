import subprocess
import sys

from conftest import REPO


def test_readme_rule_table_is_current():
    result = subprocess.run([sys.executable, "scripts/generate_readme_rules.py", "--check"], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


def test_readme_starts_with_the_two_commands_ci_runs():
    lines = (REPO / "README.md").read_text().splitlines()[:10]
    text = "\n".join(lines)
    assert "compilelint check fixtures/" in text
    ci = (REPO / ".ci" / "run").read_text()
    test_command = next(line.strip() for line in lines if "pytest" in line)
    # CI runs the README's test command after creating and activating its own venv.
    assert test_command.split("&& pip install", 1)[1] in ci.replace("--quiet ", "")


# -- every other snippet, run as written ------------------------------------------------------

import json  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import shlex  # noqa: E402
import tomllib  # noqa: E402
from xml.etree import ElementTree  # noqa: E402

import jsonschema  # noqa: E402
import pytest  # noqa: E402

README = (REPO / "README.md").read_text(encoding="utf-8")
VERSION = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
TAG = f"v{VERSION}"
BROKEN = (
    "import keras\n"
    "inputs = keras.Input((4,))\n"
    "model = keras.Model(inputs, [keras.layers.Dense(1, name='a')(inputs), keras.layers.Dense(1, name='b')(inputs)])\n"
    "model.compile(optimizer='adam', loss=['mse', 'mse', 'mse'], metrics='mae')\n"
)


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, re.S)


def section(title: str) -> str:
    return README.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]


def compilelint_env(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_WORKSPACE", "CI_PROJECT_DIR", "TF_USE_LEGACY_KERAS")}
    env["PATH"] = os.pathsep.join([os.path.dirname(sys.executable), env.get("PATH", "")])
    env["HOME"] = str(tmp_path)
    return env


def shell(command: str, cwd, tmp_path):
    return subprocess.run(command, shell=True, cwd=cwd, capture_output=True, text=True, env=compilelint_env(tmp_path), timeout=300)


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "project"
    (root / "src").mkdir(parents=True)
    (root / "src" / "train.py").write_text(BROKEN)
    return root


def test_the_release_tag_is_the_packages_version_everywhere():
    """The lead tags each release `v<version>`: the pre-commit rev and the git+URL pins use it."""
    [precommit] = [block for block in blocks("yaml") if "rev:" in block]
    assert re.search(r"rev:\s*(\S+)", precommit).group(1) == TAG
    pins = re.findall(r"git\+<repository-url>@(\S+?)\"", README)
    assert pins and set(pins) == {TAG}
    hooks = (REPO / ".pre-commit-hooks.yaml").read_text()
    assert re.search(r"id:\s*(\S+)", precommit).group(1) in hooks
    assert "<repository-url>" in README.split("## Install", 1)[1].split("\n## ", 1)[0]  # says what to put there


def test_the_example_output_is_what_compilelint_prints():
    [example] = [block for block in blocks("") if block.startswith("$ compilelint check")]
    command, *shown = example.splitlines()
    done = subprocess.run([sys.executable, "-m", "compilelint", *shlex.split(command[2:])[1:], "--no-cache"], cwd=REPO, capture_output=True, text=True)
    printed = done.stdout.splitlines()
    assert shown[0] == printed[0] and shown[-1] == printed[-1] and shown[1:-1] == ["..."]


def test_install_from_a_path_and_from_git_resolve(tmp_path):
    install = section("Install")
    assert "    pip install .  " in install
    [line] = [line.strip() for line in install.splitlines() if "git+<repository-url>" in line]
    tagged = subprocess.run(["git", "-C", str(REPO), "rev-parse", "-q", "--verify", f"refs/tags/{TAG}"], capture_output=True)
    head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    rev = TAG if tagged.returncode == 0 else head  # the lead creates the tag when the release lands
    command = line.replace("<repository-url>", REPO.as_uri()).replace(f"@{TAG}", f"@{rev}")
    dry_run = command.replace("pip install", "pip install --dry-run --no-deps --no-build-isolation --quiet --report -", 1)
    done = shell(f"{sys.executable} -m {dry_run}", tmp_path, tmp_path)
    assert done.returncode == 0, done.stderr
    [item] = json.loads(done.stdout)["install"]
    assert item["metadata"]["name"] == "compilelint" and item["metadata"]["version"] == VERSION
    from_clone = shell(f"{sys.executable} -m pip install --dry-run --no-deps --no-build-isolation --quiet --report - .", REPO, tmp_path)
    assert from_clone.returncode == 0, from_clone.stderr
    assert json.loads(from_clone.stdout)["install"][0]["metadata"]["version"] == VERSION


def test_the_config_example_is_a_valid_config(project, tmp_path):
    [config] = blocks("toml")
    (project / "pyproject.toml").write_text(config)
    shown = shell("compilelint check --show-settings src/train.py", project, tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert '"CL109"' in shown.stdout and '"CL207"' not in shown.stdout and 'keras-version = "auto"' in shown.stdout


def run_ci_lines(block: str, project, tmp_path) -> None:
    commands = [re.sub(r"^\s*-\s*(run:\s*)?", "", line) for line in block.splitlines() if re.match(r"^\s*-\s*(run:\s*)?compilelint ", line)]
    assert commands
    for command in commands:
        done = shell(command, project, tmp_path)
        assert done.returncode in (0, 1) and "error" not in done.stderr, (command, done.stderr)


def test_the_github_actions_lines(project, tmp_path):
    [block] = [block for block in blocks("yaml") if "upload-sarif" in block]
    run_ci_lines(block, project, tmp_path)
    annotations = shell("compilelint check --output-format github .", project, tmp_path).stdout.splitlines()
    assert annotations and all(line.startswith("::error file=") or ",file=src/train.py," in line for line in annotations)
    log = json.loads((project / "compilelint.sarif").read_text())
    jsonschema.validate(log, json.loads((REPO / "tests" / "data" / "sarif-schema-2.1.0.json").read_text()))
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in log["runs"][0]["results"]} == {"src/train.py"}


def test_the_gitlab_lines(project, tmp_path):
    [block] = [block for block in blocks("yaml") if "codequality" in block]
    run_ci_lines(block, project, tmp_path)
    issues = json.loads((project / "gl-code-quality-report.json").read_text())
    assert {issue["location"]["path"] for issue in issues} == {"src/train.py"}
    report = ElementTree.parse(project / "compilelint-junit.xml").getroot()
    assert report.get("failures") == str(len(issues)) == str(len(list(report.iter("testcase"))))
    for artifact in re.findall(r"(?:codequality|junit):\s*(\S+)", block):
        assert (project / artifact).is_file()


def test_the_flake8_line(project, tmp_path):
    command = re.search(r"`(flake8 --select CL)`", section("CI and editors")).group(1)
    done = shell(f"{sys.executable} -m {command} --isolated", project, tmp_path)
    assert done.returncode == 1 and "src/train.py:4:" in done.stdout and "CL201" in done.stdout
