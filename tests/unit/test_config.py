"""The deployment config: `.streamlit/config.toml` is hardened, agrees with the import limit,
and this Streamlit version knows every option in it (docs/deploy.md)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
from streamlit.config import ShowErrorDetailsConfigOptions

from dashkit.cli.serve_cmd import streamlit_command
from dashkit.ingest.sources import Limits

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "src" / "dashkit" / "ui" / "streamlit_config.toml"
LINKED = ROOT / ".streamlit" / "config.toml"

HARDENED: dict[str, Any] = {
    "server.headless": True,
    "server.runOnSave": False,
    "server.fileWatcherType": "none",
    "server.enableXsrfProtection": True,
    "server.xsrfCookieSameSite": "lax",
    "server.enableCORS": True,
    "server.corsAllowedOrigins": [],
    "server.enableStaticServing": False,
    "server.enableAgentApi": False,
    "browser.gatherUsageStats": False,
    "client.showErrorDetails": "none",
    "client.showErrorLinks": False,
    "client.toolbarMode": "viewer",
    "client.disableDataExport": True,
    "runner.postScriptGC": False,  # speed: no full collection holding the GIL after each run
}


def _flatten(table: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"server": {"port": 1}}`` → ``{"server.port": 1}`` (nested theme tables too)."""
    flat: dict[str, Any] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = value
    return flat


def _options() -> dict[str, Any]:
    return _flatten(tomllib.loads(CONFIG.read_text(encoding="utf-8")))


def test_upload_limit_is_the_import_limit() -> None:
    max_bytes = Limits().max_bytes
    assert max_bytes % 2**20 == 0, "the import limit is a whole number of MB"
    assert _options()["server.maxUploadSize"] == max_bytes // 2**20


@pytest.mark.parametrize(("option", "expected"), sorted(HARDENED.items()))
def test_hardened(option: str, expected: Any) -> None:
    assert _options().get(option) == expected


def test_error_details_value_is_one_this_streamlit_knows() -> None:
    allowed = {choice.value for choice in ShowErrorDetailsConfigOptions}
    assert _options()["client.showErrorDetails"] in allowed


def test_theme_is_kept() -> None:
    assert _options()["theme.primaryColor"] == "#b3261e"


def _streamlit_view(tmp_path: Path) -> tuple[dict[str, Any], str]:
    """The options as Streamlit itself loads them from the repository root, and its stderr.

    A fresh HOME keeps a developer's ``~/.streamlit/config.toml`` out, and no ``STREAMLIT_*``
    variable overrides the file.
    """
    env = {key: value for key, value in os.environ.items() if not key.startswith("STREAMLIT_")}
    env["HOME"] = str(tmp_path)
    shown = subprocess.run(
        [sys.executable, "-m", "streamlit", "config", "show"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    # Options that are set print uncommented under their [section]; the rest is comments.
    lines = [
        line
        for line in shown.stdout.splitlines()
        if line.startswith("[") or (line[:1].isalpha() and " = " in line)
    ]
    return _flatten(tomllib.loads("\n".join(lines))), shown.stderr


HIDDEN = """
import json
from streamlit import config
config.get_config_options(force_reparse=True)
names = json.loads(input())
print(json.dumps({name: [config._config_options[name].visibility, config.get_option(name)]
                  for name in names if name in config._config_options}))
"""


def test_streamlit_accepts_every_option(tmp_path: Path) -> None:
    loaded, stderr = _streamlit_view(tmp_path)
    assert "not a valid config option" not in stderr
    ours = _options()
    # `streamlit config show` leaves out hidden options (runner.postScriptGC): those are read
    # back through Streamlit's config API, from the same file
    read = subprocess.run(
        [sys.executable, "-c", HIDDEN],
        cwd=ROOT,
        env={**os.environ, "HOME": str(tmp_path)},
        input=json.dumps(sorted(ours)),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    known: dict[str, list[Any]] = json.loads(read.stdout)
    assert set(known) == set(ours), "options this Streamlit does not know"
    shown = {name: loaded.get(name) for name in ours if known[name][0] != "hidden"}
    hidden = {name: known[name][1] for name in ours if known[name][0] == "hidden"}
    assert shown | hidden == ours


def test_the_repository_config_is_the_packaged_one() -> None:
    """``streamlit run app.py`` and Community Cloud read ``.streamlit/config.toml``."""
    assert LINKED.resolve() == CONFIG.resolve()


def test_dashkit_serve_passes_every_hardened_option() -> None:
    command = streamlit_command(8501, "localhost")
    flags = {
        command[index].removeprefix("--")
        for index in range(len(command) - 1)
        if command[index].startswith("--")
    }
    assert {name for name, value in _options().items() if value != []} <= flags


def test_dashkit_serve_does_not_weaken_the_config() -> None:
    """``dashkit serve`` passes flags, which beat the file: none may contradict it."""
    command = streamlit_command(8501, "localhost")
    flags = {
        command[index].removeprefix("--"): command[index + 1]
        for index in range(len(command) - 1)
        if command[index].startswith("--")
    }
    ours = _options()
    for name, value in flags.items():
        if name in ours:
            expected = str(ours[name]).lower() if isinstance(ours[name], bool) else ours[name]
            assert str(value) == str(expected), name
