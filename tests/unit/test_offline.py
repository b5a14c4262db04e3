"""The offline switches: one place, forced on, and JupyterLab's settings file agrees."""

import json
from pathlib import Path

from fedlearn_kit import offline

ROOT = Path(__file__).resolve().parents[2]


def test_switches_win_over_the_users_environment():
    env = offline.offline_env({"FLWR_TELEMETRY_ENABLED": "1", "HOME": "/h"}, EXTRA="x")
    assert env["FLWR_TELEMETRY_ENABLED"] == "0"
    assert env["FLWR_DISABLE_UPDATE_CHECK"] == "1"
    assert env["RAY_USAGE_STATS_ENABLED"] == "0"
    assert env["HOME"] == "/h" and env["EXTRA"] == "x"


def test_jupyterlab_overrides_file_equals_the_modules_settings():
    path = ROOT / "fedlearn_kit" / "jupyter" / "overrides.json"
    assert json.loads(path.read_text()) == offline.JUPYTERLAB_SETTINGS
