"""``fedlearn-kit deploy link`` + ``deploy node`` on loopback, as a workshop would use them.

The commands return once their processes run, like a notebook kernel that crashed: the
processes outlive the process that started them, and ``deploy down`` still stops them all
from the state file.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from fedlearn_kit.federation import deployment as deploy
from fedlearn_kit.federation.deployment.processes import free_port, marked, port_free

pytestmark = pytest.mark.slow


def kit(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "fedlearn_kit.cli", *args],
                          capture_output=True, text=True, timeout=180)


def test_link_node_status_down_on_loopback(tmp_path: Path) -> None:
    link_dir, node_dir = tmp_path / "facilitator", tmp_path / "participant"
    port = free_port()
    out = kit("deploy", "link", "--sites", "1", "--port", str(port), "--workdir",
              str(link_dir))
    assert out.returncode == 0, out.stderr
    assert f"127.0.0.1:{port}" in out.stdout and "deploy node --superlink" in out.stdout
    creds = link_dir / "credentials"
    out = kit("deploy", "node", "--superlink", f"127.0.0.1:{port}", "--site", "0",
              "--sites", "1", "--ca", str(creds / "ca.crt"), "--key", str(creds / "site-0"),
              "--workdir", str(node_dir))
    assert out.returncode == 0, out.stderr
    assert "supernode site 0" in out.stdout and "pid" in out.stdout
    status = kit("deploy", "status", "--workdir", str(node_dir))
    assert status.returncode == 0 and "supernode site 0" in status.stdout
    markers = [deploy.load(d).marker for d in (link_dir, node_dir)]
    assert all(marked(m) for m in markers)
    for folder in (node_dir, link_dir):
        down = kit("deploy", "down", "--workdir", str(folder))
        assert down.returncode == 0, down.stderr
        assert "No process and no port" in down.stdout
    assert not any(marked(m) for m in markers)
    assert port_free("127.0.0.1", port)
    assert kit("deploy", "status", "--workdir", str(node_dir)).returncode == 1


def test_missing_credentials_for_a_node_are_named(tmp_path: Path) -> None:
    out = kit("deploy", "node", "--superlink", "127.0.0.1:1", "--site", "0", "--workdir",
              str(tmp_path))
    assert out.returncode == 2
    assert "Missing --ca" in out.stderr
