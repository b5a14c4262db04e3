"""The offline switches: one place, forced on, and JupyterLab's settings file agrees."""

import json
import subprocess
import sys
from pathlib import Path

from fedlearn_kit import offline

ROOT = Path(__file__).resolve().parents[1]


def test_switches_win_over_the_users_environment():
    env = offline.offline_env({"FLWR_TELEMETRY_ENABLED": "1", "HOME": "/h"}, EXTRA="x")
    assert env["FLWR_TELEMETRY_ENABLED"] == "0"
    assert env["FLWR_DISABLE_UPDATE_CHECK"] == "1"
    assert env["RAY_USAGE_STATS_ENABLED"] == "0"
    assert env["HOME"] == "/h" and env["EXTRA"] == "x"


def test_jupyterlab_overrides_file_equals_the_modules_settings():
    path = ROOT / "fedlearn_kit" / "jupyter" / "overrides.json"
    assert json.loads(path.read_text()) == offline.JUPYTERLAB_SETTINGS


def test_flowers_update_check_is_off_under_the_switches():
    """Flower's own function returns before any request when the switch is set."""
    code = ("import os, threading; from fedlearn_kit import offline; offline.apply();"
            "from flwr.supercore import update_check as u;"
            "before = threading.active_count(); u.warn_if_flwr_update_available('test');"
            "print(threading.active_count() - before)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=120)
    assert out.stdout.strip() == "0"  # no background request thread was started
