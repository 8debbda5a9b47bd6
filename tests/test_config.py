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
    from compilelint.discovery import ExcludeMatcher

    name = st.text(alphabet="ab._", min_size=1, max_size=4).filter(lambda n: n not in (".", ".."))
    glob = st.text(alphabet="ab.*?_", min_size=1, max_size=4)
    pattern = st.builds(lambda parts, slash: "/".join(parts) + slash, st.lists(glob, min_size=1, max_size=3), st.sampled_from(["", "/"]))
    path = st.lists(name, min_size=1, max_size=4)

    @settings(max_examples=500, deadline=None)
    @given(patterns=st.lists(pattern, min_size=1, max_size=3), parts=path)
    def check(patterns, parts):
        matcher = ExcludeMatcher(Settings(enabled=frozenset(), exclude=tuple(patterns)))
        prefixes = ["/".join(parts[: depth + 1]) for depth in range(len(parts))]
        expected = any(matches_pattern(p, prefix) for p in patterns for prefix in prefixes)
        assert matcher.excluded("/".join(parts)) == expected
        walked = any(matcher.entry_excluded(prefix, part) for prefix, part in zip(prefixes, parts))
        assert walked == expected

    check()


# -- each file takes the nearest config above it (as Ruff resolves them) --------------------


def two_projects(tmp_path):
    """A repository whose sub-project ignores CL101, enables the opt-in CL109 and targets
    Keras 2; the outer config says nothing of them (configs are not merged)."""
    tmp_path = tmp_path / "repo"
    tmp_path.mkdir()
    (tmp_path / "pyproject.toml").write_text('[tool.compilelint]\nkeras-version = "3"\n')
    (tmp_path / "top.py").write_text(BROKEN)
    sub = tmp_path / "services" / "trainer"
    (sub / "src").mkdir(parents=True)
    (sub / "pyproject.toml").write_text(
        '[tool.compilelint]\nignore = ["CL101"]\nextend-select = ["CL109"]\nkeras-version = "2"\nextend-exclude = ["generated"]\n'
    )
    (sub / "src" / "train.py").write_text(BROKEN)
    (sub / "generated").mkdir()
    (sub / "generated" / "model.py").write_text(BROKEN)
    return tmp_path, sub


def codes_by_file(output: str) -> dict:
    found: dict = {}
    for line in output.splitlines():
        if ": CL" in line:
            path, rest = line.split(":", 1)
            found.setdefault(path.replace("\\", "/"), []).append(rest.split(": ", 1)[1].split()[0])
    return {path: sorted(codes) for path, codes in found.items()}


def test_each_file_takes_its_nearest_config_whatever_the_current_folder(tmp_path):
    root, sub = two_projects(tmp_path)
    from_root = codes_by_file(run("check", "--no-cache", ".", cwd=root).stdout)
    assert from_root == {"top.py": ["CL101"], "services/trainer/src/train.py": ["CL109"]}
    assert "Keras 3 warns" in run("check", "--no-cache", "top.py", cwd=root).stdout
    # The same files give the same findings from the sub-project, from its src folder, or named one by one.
    assert codes_by_file(run("check", "--no-cache", ".", cwd=sub).stdout) == {"src/train.py": ["CL109"]}
    assert codes_by_file(run("check", "--no-cache", "train.py", cwd=sub / "src").stdout) == {"train.py": ["CL109"]}
    named = run("check", "--no-cache", "top.py", "services/trainer/src/train.py", cwd=root).stdout
    assert codes_by_file(named) == from_root
    # Outside every config, a file takes the current folder's settings (as Ruff does).
    (tmp_path / "loose.py").write_text(BROKEN)
    assert codes_by_file(run("check", "--no-cache", str(tmp_path / "loose.py"), cwd=sub).stdout) == {str(tmp_path / "loose.py"): ["CL109"]}


def test_a_sub_projects_exclusions_are_relative_to_its_own_root(tmp_path):
    root, sub = two_projects(tmp_path)
    listed = run("check", "--show-files", ".", cwd=root)
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.splitlines() == ["services/trainer/src/train.py", "top.py"]
    # An explicit path inside an excluded folder is linted, unless --force-exclude.
    explicit = run("check", "--no-cache", "services/trainer/generated/model.py", cwd=root)
    assert explicit.returncode == 1 and "model.py:3:" in explicit.stdout
    forced = run("check", "--no-cache", "--force-exclude", "services/trainer/generated/model.py", cwd=root)
    assert forced.returncode == 0 and forced.stdout == "All checks passed!\n"


def test_an_explicit_folder_inside_an_excluded_one_is_linted_unless_force_exclude(tmp_path):
    (tmp_path / ".venv" / "pkg").mkdir(parents=True)
    (tmp_path / ".venv" / "pkg" / "train.py").write_text(BROKEN)
    assert "train.py:3:" in run("check", "--no-cache", ".venv/pkg", cwd=tmp_path).stdout
    assert run("check", "--no-cache", ".", cwd=tmp_path).stdout == "All checks passed!\n"
    assert run("check", "--no-cache", "--force-exclude", ".venv/pkg", cwd=tmp_path).returncode == 0


def test_a_bad_config_in_a_sub_project_is_an_error_and_the_rest_is_still_linted(tmp_path):
    root, sub = two_projects(tmp_path)
    (sub / "pyproject.toml").write_text('[tool.compilelint]\nignroe = ["CL101"]\n')
    result = run("check", "--no-cache", ".", cwd=root)
    assert result.returncode == 2
    [error] = result.stderr.splitlines()
    assert error.startswith("compilelint: error: ") and "trainer/pyproject.toml: unknown setting 'ignroe'" in error
    assert "top.py:3:" in result.stdout and "train.py" not in result.stdout
    # Named directly, or via its folder: the same error.
    assert run("check", "--no-cache", "services/trainer/src/train.py", cwd=root).returncode == 2


def test_show_settings_names_the_config_file_and_what_applies(tmp_path):
    root, sub = two_projects(tmp_path)
    shown = run("check", "--show-settings", "services/trainer/src/train.py", cwd=root)
    assert shown.returncode == 0, shown.stderr
    assert f"# config file: {sub / 'pyproject.toml'}" in shown.stdout
    enabled = shown.stdout.split("select = ", 1)[1].splitlines()[0]
    assert 'keras-version = "2"' in shown.stdout and '"CL101"' not in enabled and '"CL109"' in enabled
    outer = run("check", "--show-settings", "top.py", cwd=root).stdout
    assert f"# config file: {root / 'pyproject.toml'}" in outer and '"CL101"' in outer and '"CL109"' not in outer
    bare = tmp_path / "bare"
    bare.mkdir()
    (bare / "x.py").write_text("")
    assert "# config file: none (defaults)" in run("check", "--show-settings", str(bare / "x.py"), cwd="/").stdout


def test_the_cache_follows_each_files_settings(tmp_path):
    root, sub = two_projects(tmp_path)
    first = codes_by_file(run("check", ".", cwd=root).stdout)
    assert first["services/trainer/src/train.py"] == ["CL109"]
    (sub / "pyproject.toml").write_text('[tool.compilelint]\nkeras-version = "2"\n')
    assert codes_by_file(run("check", ".", cwd=root).stdout)["top.py"] == ["CL101"]  # answered from the cache
    again = codes_by_file(run("check", ".", cwd=root).stdout)
    assert again["services/trainer/src/train.py"] == ["CL101"]  # the sub-project's new settings, not a stale entry
    assert (sub / ".compilelint_cache").is_dir() and (root / ".compilelint_cache").is_dir()


def test_settings_are_resolved_once_per_folder(tmp_path, monkeypatch):
    from compilelint import config
    from compilelint.config import SettingsResolver
    from compilelint.discovery import discover

    root, sub = two_projects(tmp_path)
    for index in range(30):
        folder = sub / "src" / f"pkg{index}"
        folder.mkdir()
        (folder / "m.py").write_text("x = 1\n")
    reads = []
    real = config.read_options
    monkeypatch.setattr(config, "read_options", lambda path: reads.append(path) or real(path))
    monkeypatch.chdir(root)
    found = discover(["."], SettingsResolver())
    assert len(found.files) == 32
    assert sorted(map(str, reads)) == sorted([str(root / "pyproject.toml"), str(sub / "pyproject.toml")])
    assert len({id(found.settings[f]) for f in found.files}) == 2
