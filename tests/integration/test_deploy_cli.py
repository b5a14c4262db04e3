"""The workshop room's procedure (docs/deployment.md) on loopback, command by command.

Three participants make their own key pairs; the facilitator gets only their ``.pub``
files, starts the room's SuperLink with them, and runs the course's apps, through a day's
faults (a proxy in every laptop's environment, a neighbour's key, a second laptop with the
same key, a clock step, a lost state file, a restart). The commands return once their
processes run, like a participant's terminal: the processes outlive the command, and
``deploy down`` still finds them.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from fedlearn_kit.federation import deployment as deploy
from fedlearn_kit.federation.deployment import credentials
from fedlearn_kit.federation.deployment.process_control import (
    free_port,
    marked,
    port_free,
    running_in,
)

#: Seconds this module takes on 2 cores (the room day).
#: The tier starts its longest modules first (tests/conftest.py, start_order).
STARTS_FIRST = 160

#: A proxy that cannot be reached (TEST-NET-1, RFC 5737): the whole room runs with it set,
#: as on a managed hospital laptop, and must not send loopback traffic to it.
UNREACHABLE_PROXY = "http://192.0.2.1:9"
PROXIED = {name: UNREACHABLE_PROXY for name in ("HTTPS_PROXY", "HTTP_PROXY", "https_proxy",
                                                "http_proxy")}


def kit(*args: str, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k.lower() != "no_proxy"} | PROXIED
    return subprocess.run([sys.executable, "-m", "fedlearn_kit.cli", *args], env=env,
                          capture_output=True, text=True, timeout=timeout)


def shift_start_times(workdir: Path, seconds: float) -> None:
    """What an NTP step of the wall clock does to psutil's create_time of every process:
    the recorded times no longer match by ``seconds``."""
    path = workdir / "deployment.json"
    state = json.loads(path.read_text())
    for proc in state["processes"]:
        proc["create_time"] += seconds
        proc["started"] += seconds
        if proc.get("since_boot") is not None:
            proc["since_boot"] += seconds  # as a suspend/resume would
    path.write_text(json.dumps(state))


def stopped_once(out: str) -> list[int]:
    """The pids `deploy down` reports stopped; each named once, none also 'already ended'."""
    line = next(ln for ln in out.splitlines() if ln.startswith("Stopped "))
    pids = [int(p) for p in re.findall(r"\d+", line.split(":", 1)[1])]
    assert len(pids) == len(set(pids)), out
    assert "already ended" not in out, out
    return pids


def without_site_comment(key: Path, into: Path) -> Path:
    """A copy of a private key as another tool would write it: no comment naming its site."""
    from cryptography.hazmat.primitives import serialization

    loaded = serialization.load_ssh_private_key(key.read_bytes(), None)
    into.write_bytes(loaded.private_bytes(serialization.Encoding.PEM,  # type: ignore[union-attr]
                                          serialization.PrivateFormat.OpenSSH,
                                          serialization.NoEncryption()))
    into.chmod(0o600)
    return into


def test_a_room_day_with_three_participants(tmp_path: Path) -> None:
    """Facilitator + 3 participants, keys made by each, everything behind an unreachable
    proxy; a key used for another site; a failed join; a clock step; a lost state file."""
    started = time.monotonic()

    def step(number: int) -> None:
        """Where the day is and since when (the module's time is this test's: shown with -s
        and in a failure's captured output, it says which step costs the tier its minutes)."""
        print(f"[{time.monotonic() - started:6.1f} s] step {number}", flush=True)

    facilitator, inbox = tmp_path / "facilitator", tmp_path / "pubkeys"
    laptops = {k: tmp_path / f"participant-{k}" for k in (0, 1, 2)}
    second = tmp_path / "second-laptop-of-site-1"
    inbox.mkdir()
    folders = (*laptops.values(), second, facilitator, tmp_path / "wrong")
    try:
        step(1)
        # 1. Each participant makes a key pair on their laptop and hands over the .pub only.
        for k, laptop in laptops.items():
            out = kit("deploy", "keygen", "--site", str(k), "--workdir", str(laptop))
            assert out.returncode == 0, out.stderr
            assert "hand this file to the facilitator" in out.stdout
            assert (laptop / "keys" / f"site-{k}.pub").read_text().strip().endswith(
                f"fedlearn-kit site-{k}")
        for k in (0, 1):
            shutil.copy(laptops[k] / "keys" / f"site-{k}.pub", inbox)
        step(2)
        # 2. The facilitator starts the room for 3 sites with two keys; the third comes later.
        port = free_port()
        out = kit("deploy", "link", "--sites", "3", "--port", str(port), "--workdir",
                  str(facilitator), "--keys", str(inbox))
        assert out.returncode == 0, out.stderr
        assert "site 0: registered" in out.stdout and "site 2: no key yet" in out.stdout
        private = [p for p in facilitator.rglob("*") if p.is_file() and
                   credentials.is_private_key(p)]
        assert sorted(p.name for p in private) == ["ca.key", "superlink.key"]  # no site's key
        ca = facilitator / "credentials" / "ca.crt"
        ca_fingerprint = credentials.fingerprint(ca)
        assert ca_fingerprint in out.stdout
        shutil.copy(laptops[2] / "keys" / "site-2.pub", inbox)
        out = kit("deploy", "register", str(inbox / "site-2.pub"), "--workdir",
                  str(facilitator))
        assert out.returncode == 0 and "site 2: registered as node" in out.stdout, out.stderr

        def join(k: int, workdir: Path, key: Path | None = None,
                 timeout: float = 240) -> subprocess.CompletedProcess[str]:
            return kit("deploy", "node", "--superlink", f"127.0.0.1:{port}", "--site", str(k),
                       "--sites", "3", "--ca", str(ca), "--workdir", str(workdir),
                       *(["--key", str(key)] if key else []), timeout=timeout)

        step(3)
        # 3. Each participant joins; the key is found by itself, and the CA's fingerprint is
        # printed for the read-aloud check in this direction too.
        for k, laptop in laptops.items():
            out = join(k, laptop)
            assert out.returncode == 0, out.stderr
            assert ca_fingerprint in out.stdout and "Stop it with" in out.stdout
        status = kit("deploy", "status", "--workdir", str(facilitator))
        assert "connected sites: [0, 1, 2] of 3" in status.stdout, status.stdout

        step(4)
        # 4. A participant who takes a neighbour's key file is stopped before anything runs.
        out = join(2, tmp_path / "wrong", key=laptops[0] / "keys" / "site-0")
        assert out.returncode == 2 and "is site 0's key" in out.stderr, out.stderr
        assert not (tmp_path / "wrong" / "deployment.json").exists()

        step(5)
        # 5. A second laptop with site 1's key while site 1 is connected: refused, and the
        # failed join leaves nothing behind (by process tree and by port).
        out = join(1, second, key=laptops[1] / "keys" / "site-1")
        assert out.returncode != 0 and "already connected" in out.stderr, out.stderr
        assert not running_in(second)
        state = json.loads((second / "deployment.json").read_text())
        assert state["processes"] == [] and not marked(state["marker"])
        log = (second / "logs" / "supernode-site-1.log").read_text()
        assert "Failed to activate" in log or "2004" in log, log
        ports = {int(p) for f in (second / "logs").glob("supernode-site-1*.log")
                 for p in re.findall(r"127\.0\.0\.1:(\d+)", f.read_text())} - {port}
        assert ports and all(port_free("127.0.0.1", p) for p in ports)  # no runtime API left
        status = kit("deploy", "status", "--workdir", str(facilitator))
        assert "site 1's key was refused" in status.stdout, status.stdout

        step(6)
        # 6. The facilitator's terminal shows each round as it happens.
        out = kit("run", "--engine", "deployment", "--workdir", str(facilitator),
                  "--num-sites", "3", "--num-rounds", "1")
        assert out.returncode == 0, out.stderr
        assert "round 1 of 1 took" in out.stderr and "missing: none" in out.stderr, out.stderr
        assert "missing" not in out.stdout

        step(7)
        # 7. A clock step: every recorded start time is 12 s off. Status, run, re-link
        # (the docs' advice after a restart) and down still work.
        for folder in (facilitator, *laptops.values()):
            shift_start_times(folder, 12.0)
        status = kit("deploy", "status", "--workdir", str(facilitator))
        assert status.returncode == 0, status.stdout
        assert "connected sites: [0, 1, 2] of 3" in status.stdout, status.stdout
        out = kit("deploy", "link", "--sites", "3", "--port", str(port), "--workdir",
                  str(facilitator))
        assert out.returncode == 0 and "already running" in out.stdout, out.stdout + out.stderr

        step(8)
        # 8. The facilitator's state file is lost: the running processes rebuild it.
        (facilitator / "deployment.json").unlink()
        status = kit("deploy", "status", "--workdir", str(facilitator))
        assert status.returncode == 0 and "rebuilt" in status.stdout, status.stdout
        assert "connected sites: [0, 1, 2] of 3" in status.stdout, status.stdout

        step(9)
        # 9. Site 0 leaves; participant 2 joins as site 2 with site 0's key made by another
        # tool (no site in it, so the laptop cannot tell). The coordinator refuses its
        # replies, loudly, and never counts them as site 2's (or site 0's).
        for k in (0, 2):
            out = kit("deploy", "down", "--workdir", str(laptops[k]))
            assert out.returncode == 0, out.stderr
            assert len(stopped_once(out.stdout)) >= 2  # the SuperNode and its executor
        copied = without_site_comment(laptops[0] / "keys" / "site-0", tmp_path / "copied-key")
        out = join(2, laptops[2], key=copied)
        assert out.returncode == 0, out.stderr
        # The rejoin kept the earlier SuperNode's log (the one that would explain a crash).
        assert list((laptops[2] / "earlier").glob("*/logs/supernode-site-2.log"))
        out = kit("run", "--engine", "deployment", "--workdir", str(facilitator),
                  "--num-sites", "3", "--num-rounds", "1", "--connect-timeout", "5")
        assert "REFUSED: the node of site 0's key" in out.stderr, out.stderr
        assert "announced site 2" in out.stderr
        assert "Round 1: missing A, C" in out.stdout, out.stdout + out.stderr
        status = kit("deploy", "status", "--workdir", str(facilitator))
        assert "wrong site: REFUSED: the node of site 0's key" in status.stdout, status.stdout

        step(10)
        # 10. Everyone: deploy down; the facilitator restarts the room after a "reboot" and
        # the SuperNodes still running (site 1's, and the one with site 0's key) rejoin by
        # themselves.
        out = kit("deploy", "down", "--workdir", str(facilitator))
        assert out.returncode == 0 and "No process and no port" in out.stdout, out.stderr
        stopped_once(out.stdout)
        out = kit("deploy", "link", "--sites", "3", "--port", str(port), "--workdir",
                  str(facilitator))
        assert out.returncode == 0, out.stderr
        assert credentials.fingerprint(ca) == ca_fingerprint and "site 1: registered" in out.stdout
        assert list((facilitator / "earlier").glob("*/logs/superlink.log"))
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            status = kit("deploy", "status", "--workdir", str(facilitator))
            if "connected sites: [0, 1] of 3" in status.stdout:
                break
            time.sleep(3)
        assert "connected sites: [0, 1] of 3" in status.stdout, status.stdout
        markers = [deploy.load(d).marker for d in (facilitator, *laptops.values())]
        for folder in (*laptops.values(), facilitator):
            out = kit("deploy", "down", "--workdir", str(folder))
            assert out.returncode == 0 and "No process and no port" in out.stdout, out.stderr
        assert not any(marked(m) for m in markers)
        assert port_free("127.0.0.1", port)
    finally:  # a failed step must not leave the room running
        for folder in folders:
            if folder.exists():
                deploy.down(folder)


def test_a_broken_ca_file_is_named_before_anything_starts(tmp_path: Path) -> None:
    # Named at once, not after a connection timeout: nothing is started (no state file), so
    # nothing waited on the network. (Wall time is not asserted: importing Flower on a
    # loaded machine takes what it takes.)
    deploy.keygen(0, tmp_path)
    broken = tmp_path / "ca.crt"
    broken.write_text("not a certificate")
    out = kit("deploy", "node", "--superlink", "127.0.0.1:1", "--site", "0", "--sites", "1",
              "--ca", str(broken), "--workdir", str(tmp_path))
    assert out.returncode == 2
    assert f"{broken} is not a certificate" in out.stderr and "Copy it" in out.stderr
    assert not (tmp_path / "deployment.json").exists()  # nothing was started


def test_missing_credentials_for_a_node_are_named(tmp_path: Path) -> None:
    out = kit("deploy", "node", "--superlink", "127.0.0.1:1", "--site", "0", "--workdir",
              str(tmp_path))
    assert out.returncode == 2
    assert "deploy keygen --site 0" in out.stderr
