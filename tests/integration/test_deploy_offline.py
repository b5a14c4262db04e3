"""No process the kit starts calls out: a deployment run with every outbound attempt
recorded and refused.

Every Python process started with ``tests/integration/netaudit`` on its ``PYTHONPATH`` loads an
audit hook (``sitecustomize.py``) that records, and refuses, any connection or name lookup to
anything but loopback; a proxy setting on an unroutable address catches HTTP clients that
would use one. The first test shows the hook catches Flower's update check when it is on,
so the second one, a whole deployment run, can fail.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import fedlearn_kit as kit
from fedlearn_kit.federation import deployment
from fedlearn_kit.offline import OFFLINE_ENV

AUDIT = Path(__file__).parent / "netaudit"
UNROUTABLE_PROXY = "http://192.0.2.1:9"  # TEST-NET-1 (RFC 5737): never routed


@pytest.fixture
def audited(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    log = tmp_path / "outbound.log"
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(
        [str(AUDIT), *filter(None, [os.environ.get("PYTHONPATH")])]))
    monkeypatch.setenv("FEDLEARN_NET_AUDIT", str(log))
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.setenv(name, UNROUTABLE_PROXY)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    return log


def test_the_audit_catches_flowers_update_check_when_it_is_on(audited: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in OFFLINE_ENV}
    code = ("import threading; from flwr.supercore.update_check import "
            "warn_if_flwr_update_available as w; w('flower-supernode');"
            "[t.join(10) for t in threading.enumerate() if t is not threading.main_thread()]")
    subprocess.run([sys.executable, "-c", code], env=env, timeout=120, check=False,
                   capture_output=True)
    assert audited.exists() and audited.read_text().strip(), "the audit saw nothing"


def test_a_deployment_run_makes_no_outbound_attempt(audited: Path, tmp_path: Path) -> None:
    with deployment.up(2, tmp_path / "deployment") as dep:
        dep.run(kit.Experiment(num_rounds=1), progress=False)
        processes = {p.name for p in dep.processes}
    assert {"superlink", "supernode site 0", "clientapp executor"} <= processes
    attempts = audited.read_text() if audited.exists() else ""
    assert attempts == "", f"outbound attempts:\n{attempts}"


def test_jupyterlabs_extension_manager_search_makes_no_outbound_attempt(
        audited: Path, tmp_path: Path) -> None:
    """Typing in JupyterLab's Extension Manager made the server ask PyPI; the course's
    settings make it read-only, so its search answers from what is installed."""
    import json
    import urllib.request

    from tests.e2e.lab import running_lab

    with running_lab(tmp_path) as lab:
        url = f"{lab.url}/lab/api/extensions?query=jupyterlab-git&page=1&per_page=10"
        request = urllib.request.Request(url, headers={"Authorization": f"token {lab.token}"})
        with urllib.request.urlopen(request, timeout=60) as answer:
            found = json.loads(answer.read())
    log = (tmp_path / "jupyter-lab.log").read_text()
    assert "Extension Manager is 'readonly'" in log, log[-2000:]
    assert not any(e.get("name") == "jupyterlab-git" for e in found)
    attempts = audited.read_text() if audited.exists() else ""
    assert attempts == "", f"outbound attempts:\n{attempts}"
