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


def test_jupyter_server_config_file_equals_the_modules_settings():
    path = ROOT / "fedlearn_kit" / "jupyter" / "jupyter_lab_config.json"
    assert json.loads(path.read_text()) == offline.JUPYTER_LAB_CONFIG
    assert offline.JUPYTER_LAB_CONFIG["LabApp"]["extension_manager"] == "readonly"


def test_loopback_and_the_superlink_never_go_through_a_proxy():
    env = offline.offline_env({"HTTPS_PROXY": "http://proxy:3128", "NO_PROXY": ".region.se"},
                              no_proxy_hosts=("192.168.8.10",))
    assert env["HTTPS_PROXY"] == "http://proxy:3128"  # the user's proxy stays for the rest
    hosts = env["NO_PROXY"].split(",")
    assert hosts == [".region.se", "127.0.0.1", "localhost", "::1", "192.168.8.10"]
    assert env["no_proxy"] == env["NO_PROXY"]
    again = offline.offline_env(env, no_proxy_hosts=("192.168.8.10",))
    assert again["NO_PROXY"] == env["NO_PROXY"]  # merged once, not appended twice
    assert offline.proxies_set(env) == {"HTTPS_PROXY": "http://proxy:3128"}
    assert offline.proxies_set({}) == {}
