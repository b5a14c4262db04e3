"""The workshop room's procedure (docs/deployment.md) on loopback, command by command.

Two participants make their own key pairs; the facilitator gets only their ``.pub`` files,
starts the room's SuperLink with them, and runs the course's apps while a third site is
absent. The commands return once their processes run, like a participant's terminal: the
processes outlive the command, and ``deploy down`` still finds them from the state file.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

from fedlearn_kit.federation import deployment as deploy
from fedlearn_kit.federation.deployment import credentials
from fedlearn_kit.federation.deployment.processes import free_port, marked, port_free


def kit(*args: str, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "fedlearn_kit.cli", *args],
                          capture_output=True, text=True, timeout=timeout)


def test_room_procedure_with_participant_made_keys(tmp_path: Path) -> None:
    facilitator, inbox = tmp_path / "facilitator", tmp_path / "pubkeys"
    laptops = {k: tmp_path / f"participant-{k}" for k in (0, 1)}
    inbox.mkdir()
    try:
        # 1. Each participant makes a key pair on their laptop and hands over the .pub only.
        for k, laptop in laptops.items():
            out = kit("deploy", "keygen", "--site", str(k), "--workdir", str(laptop))
            assert out.returncode == 0, out.stderr
            assert "hand this file to the facilitator" in out.stdout
            shutil.copy(laptop / "keys" / f"site-{k}.pub", inbox)
        # 2. The facilitator starts the room for 3 sites with the public keys.
        port = free_port()
        out = kit("deploy", "link", "--sites", "3", "--port", str(port), "--workdir",
                  str(facilitator), "--keys", str(inbox))
        assert out.returncode == 0, out.stderr
        assert "site 0: registered" in out.stdout and "site 2: no key yet" in out.stdout
        assert "Stop it with: fedlearn-kit deploy down" in out.stdout
        private = [p for p in facilitator.rglob("*") if p.is_file() and
                   credentials.is_private_key(p)]
        assert sorted(p.name for p in private) == ["ca.key", "superlink.key"]  # no site's key
        ca = facilitator / "credentials" / "ca.crt"
        ca_fingerprint = credentials.fingerprint(ca)
        # 4. Each participant joins with the CA certificate; the key is found by itself.
        for k, laptop in laptops.items():
            out = kit("deploy", "node", "--superlink", f"127.0.0.1:{port}", "--site", str(k),
                      "--sites", "3", "--ca", str(ca), "--workdir", str(laptop))
            assert out.returncode == 0, out.stderr
            assert "Stop it with: fedlearn-kit deploy down" in out.stdout
        status = kit("deploy", "status", "--workdir", str(facilitator))
        assert "connected sites: [0, 1] of 3" in status.stdout, status.stdout
        # 5. The run waits for the absent site with a countdown, then reports it missing.
        out = kit("run", "--engine", "deployment", "--workdir", str(facilitator),
                  "--num-sites", "3", "--num-rounds", "1", "--connect-timeout", "6")
        assert out.returncode == 0, out.stderr
        assert "waiting for sites: 2 of 3 connected; starting in" in out.stderr
        assert "Round 1: missing C" in out.stdout
        # 5b. Participant 1 rejoins with the wrong number of sites: the facilitator's
        # terminal says which site failed and why, and the run goes on without it.
        assert kit("deploy", "down", "--workdir", str(laptops[1])).returncode == 0
        out = kit("deploy", "node", "--superlink", f"127.0.0.1:{port}", "--site", "1",
                  "--sites", "2", "--ca", str(ca), "--workdir", str(laptops[1]))
        assert out.returncode == 0, out.stderr
        out = kit("run", "--engine", "deployment", "--workdir", str(facilitator),
                  "--num-sites", "3", "--num-rounds", "1", "--connect-timeout", "3")
        assert out.returncode == 0, out.stderr
        assert ("num-partitions=2 in the node config, but the run has num-sites=3"
                in out.stderr), out.stderr
        assert "Round 1: missing B, C" in out.stdout, out.stdout
        # After a restart of the facilitator's laptop, link reuses the CA and registrations.
        assert kit("deploy", "down", "--workdir", str(facilitator)).returncode == 0
        out = kit("deploy", "link", "--sites", "3", "--port", str(port), "--workdir",
                  str(facilitator))
        assert out.returncode == 0, out.stderr
        assert credentials.fingerprint(ca) == ca_fingerprint
        assert "site 1: registered" in out.stdout
        # The participants' SuperNodes reconnect by themselves (Flower's retry, no time limit).
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            status = kit("deploy", "status", "--workdir", str(facilitator))
            if "connected sites: [0, 1] of 3" in status.stdout:
                break
            time.sleep(3)
        assert "connected sites: [0, 1] of 3" in status.stdout, status.stdout
        # 6. Everyone: deploy down.
        markers = [deploy.load(d).marker for d in (facilitator, *laptops.values())]
        for folder in (*laptops.values(), facilitator):
            down = kit("deploy", "down", "--workdir", str(folder))
            assert down.returncode == 0, down.stderr
            assert "No process and no port" in down.stdout
        assert not any(marked(m) for m in markers)
        assert port_free("127.0.0.1", port)
    finally:  # a failed step must not leave the room running
        for folder in (*laptops.values(), facilitator):
            deploy.down(folder)


def test_a_broken_ca_file_is_named_within_10_s(tmp_path: Path) -> None:
    deploy.keygen(0, tmp_path)
    broken = tmp_path / "ca.crt"
    broken.write_text("not a certificate")
    start = time.monotonic()
    out = kit("deploy", "node", "--superlink", "127.0.0.1:1", "--site", "0", "--sites", "1",
              "--ca", str(broken), "--workdir", str(tmp_path))
    assert out.returncode == 2
    assert f"{broken} is not a certificate" in out.stderr and "Copy it" in out.stderr
    assert time.monotonic() - start < 30  # < 10 s of the kit's own; the rest is importing
    assert not (tmp_path / "deployment.json").exists()  # nothing was started


def test_missing_credentials_for_a_node_are_named(tmp_path: Path) -> None:
    out = kit("deploy", "node", "--superlink", "127.0.0.1:1", "--site", "0", "--workdir",
              str(tmp_path))
    assert out.returncode == 2
    assert "deploy keygen --site 0" in out.stderr
