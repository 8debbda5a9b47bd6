"""[tool.compilelint] configuration: discovery, keys, selectors, per-file ignores, errors."""

import os
import subprocess
import sys

BROKEN = "import keras\nmodel = keras.Sequential([keras.layers.Dense(1)])\nmodel.compile(optimizer='adam', loss='mse', jit_compile=True, run_eagerly=True)\n"


def run(*args, cwd):
    env = {k: v for k, v in os.environ.items() if k != "TF_USE_LEGACY_KERAS"}
    return subprocess.run([sys.executable, "-m", "compilelint", *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=60)


def project(tmp_path, config: str, name="pyproject.toml"):
    (tmp_path / name).write_text(config)
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "train.py").write_text(BROKEN)
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_train.py").write_text(BROKEN)
    return tmp_path


def test_nearest_pyproject_is_used_from_a_subfolder(tmp_path):
    root = project(tmp_path, '[tool.compilelint]\nignore = ["CL101"]\n')
    assert run("check", ".", cwd=root / "src").returncode == 0


def test_pyproject_without_table_is_skipped_for_an_outer_one(tmp_path):
    root = project(tmp_path, '[tool.compilelint]\nignore = ["CL101"]\n')
    (root / "src" / "pyproject.toml").write_text('[project]\nname = "x"\n')
    assert run("check", ".", cwd=root / "src").returncode == 0


def test_compilelint_toml(tmp_path):
    root = project(tmp_path, 'ignore = ["jit-compile-with-run-eagerly"]\n', name="compilelint.toml")
    assert run("check", ".", cwd=root).returncode == 0


def test_per_file_ignores(tmp_path):
    root = project(tmp_path, '[tool.compilelint]\nper-file-ignores = { "tests/*" = ["CL1"] }\n')
    result = run("check", ".", cwd=root)
    assert "src/train.py" in result.stdout and "tests/test_train.py" not in result.stdout


def test_exclude_and_extend_exclude(tmp_path):
    root = project(tmp_path, '[tool.compilelint]\nextend-exclude = ["tests"]\n')
    result = run("check", ".", cwd=root)
    assert "src/train.py" in result.stdout and "test_train.py" not in result.stdout


def test_force_exclude_applies_to_explicit_paths(tmp_path):
    root = project(tmp_path, '[tool.compilelint]\nextend-exclude = ["tests"]\nforce-exclude = true\n')
    assert run("check", "tests/test_train.py", cwd=root).returncode == 0
    root2 = tmp_path / "other"
    root2.mkdir()
    project(root2, '[tool.compilelint]\nextend-exclude = ["tests"]\n')
    assert run("check", "tests/test_train.py", cwd=root2).returncode == 1


def test_gitignore_is_respected_and_can_be_turned_off(tmp_path):
    root = project(tmp_path, "[tool.compilelint]\n")
    (root / ".git").mkdir()
    (root / ".gitignore").write_text("tests/\n")
    assert "test_train.py" not in run("check", ".", cwd=root).stdout
    (root / "pyproject.toml").write_text("[tool.compilelint]\nrespect-gitignore = false\n")
    assert "test_train.py" in run("check", ".", cwd=root).stdout


def test_keras_version_setting(tmp_path):
    root = project(tmp_path, '[tool.compilelint]\nkeras-version = "2"\n')
    assert "Keras 2 raises" in run("check", "src", cwd=root).stdout


def test_select_with_extend_select_for_opt_in_rule(tmp_path):
    root = project(tmp_path, '[tool.compilelint]\nselect = ["CL2"]\nextend-select = ["CL109"]\n')
    result = run("check", "src", cwd=root)
    assert "CL109" in result.stdout and "CL101" not in result.stdout


def test_bad_config_exits_2_with_one_line(tmp_path):
    cases = {
        '[tool.compilelint]\nselct = ["CL1"]\n': "unknown setting 'selct'",
        '[tool.compilelint]\nselect = ["CL777"]\n': "unknown rule code or name: 'CL777'",
        '[tool.compilelint]\nkeras-version = "4"\n': "keras-version must be one of",
        '[tool.compilelint]\nselect = "CL1"\n': "select must be a list",
        "[tool.compilelint\n": "invalid TOML",
    }
    for index, (config, expected) in enumerate(cases.items()):
        root = tmp_path / str(index)
        root.mkdir()
        project(root, config)
        result = run("check", ".", cwd=root)
        assert result.returncode == 2, config
        assert expected in result.stderr, (config, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def test_explicit_config_flag(tmp_path):
    root = project(tmp_path, "[tool.compilelint]\n")
    (root / "strict.toml").write_text('ignore = ["CL101"]\n')
    assert run("check", "--config", "strict.toml", "src", cwd=root).returncode == 0
    assert run("check", "--config", "missing.toml", "src", cwd=root).returncode == 2


def test_nested_gitignore_and_git_info_exclude(tmp_path):
    root = project(tmp_path, "[tool.compilelint]\n")
    (root / ".git" / "info").mkdir(parents=True)
    (root / ".git" / "info" / "exclude").write_text("src/generated_*.py\n")
    (root / "src" / "generated_model.py").write_text(BROKEN)
    (root / "src" / "nested").mkdir()
    (root / "src" / "nested" / "train.py").write_text(BROKEN)
    (root / "src" / "nested" / "scratch.py").write_text(BROKEN)
    (root / "src" / "nested" / ".gitignore").write_text("scratch.py\n")
    found = run("check", ".", cwd=root).stdout
    assert "src/train.py" in found and "src/nested/train.py" in found
    assert "generated_model.py" not in found and "scratch.py" not in found
    # From inside the subfolder the same ignore files apply.
    inner = run("check", ".", cwd=root / "src" / "nested").stdout
    assert "train.py" in inner and "scratch.py" not in inner


def test_the_walk_exclude_matcher_answers_as_the_documented_patterns():
    """Plain names are set lookups and globs one regex; every answer must still be what
    matches_pattern (the documented Ruff-style semantics) gives for the path or one of the
    folders it is in, which is what the walk asks of each folder on the way down."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from compilelint.config import Settings, matches_pattern
    from compilelint.discovery import _ExcludeMatcher

    name = st.text(alphabet="ab._", min_size=1, max_size=4).filter(lambda n: n not in (".", ".."))
    glob = st.text(alphabet="ab.*?_", min_size=1, max_size=4)
    pattern = st.builds(lambda parts, slash: "/".join(parts) + slash, st.lists(glob, min_size=1, max_size=3), st.sampled_from(["", "/"]))
    path = st.lists(name, min_size=1, max_size=4)

    @settings(max_examples=500, deadline=None)
    @given(patterns=st.lists(pattern, min_size=1, max_size=3), parts=path)
    def check(patterns, parts):
        matcher = _ExcludeMatcher(Settings(enabled=frozenset(), exclude=tuple(patterns)))
        prefixes = ["/".join(parts[: depth + 1]) for depth in range(len(parts))]
        expected = any(matches_pattern(p, prefix) for p in patterns for prefix in prefixes)
        assert matcher.excluded("/".join(parts)) == expected
        walked = any(matcher.entry_excluded(prefix, part) for prefix, part in zip(prefixes, parts))
        assert walked == expected

    check()
