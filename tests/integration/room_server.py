"""A room server for the tests: JupyterHub from this checkout's install, on a free loopback port.

The hub is started and stopped with the facilitator's own commands (``fedlearn-kit hub
up|down``) and runs as it would on a region's server (as root, creating a system user per
participant), with homes and work folder in a throwaway folder, and the kit's network audit
(``tests/integration/netaudit``) loaded into every Python and Node.js process it starts, so
a test can assert that nothing called out. Everything it creates (processes, ports, system
users, homes) is gone when the context ends, even after a failed test.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from fedlearn_kit.federation.deployment import free_port
from fedlearn_kit.hub import users
from fedlearn_kit.hub.settings import RoomSettings, load
from fedlearn_kit.paths import course_root

AUDIT = Path(__file__).resolve().parent / "netaudit"
UNROUTABLE_PROXY = "http://192.0.2.1:9"  # TEST-NET-1 (RFC 5737): never routed
#: Shared by every test process: which folders were opened for other users, and by how many.
PASSAGE_BOOK = Path(tempfile.gettempdir()) / "fedlearn-room-passages.json"


def skip_unless_room_possible() -> None:
    """Skip, saying why, where a room server cannot run (not Linux, not root, no hub set)."""
    if not sys.platform.startswith("linux") or os.geteuid() != 0:
        pytest.skip("the room server needs Linux and root (it creates system users)")
    pytest.importorskip("jupyterhub", reason="the hub set is not installed: "
                                             "python course.py install --set hub")
    from fedlearn_kit.hub.config import proxy_command

    if not Path(proxy_command(sys.executable)[0]).exists() and not shutil.which(
            "configurable-http-proxy"):
        pytest.skip("JupyterHub's proxy is not installed: python course.py install --set hub")
    if not shutil.which("node"):
        pytest.skip("Node.js is missing (the proxy runs on it): apt-get install nodejs")


@contextlib.contextmanager
def passable(folders: list[Path]) -> Iterator[None]:
    """Let other users pass through ``folders`` (o+x) while the context lasts.

    The checkout's Python may live below /root (pyenv as root, mode 700), which participants'
    accounts cannot enter; ``fedlearn-kit hub up`` refuses then and names the fix. A test
    applies that fix for its own duration and puts the modes back, counting across test
    processes so that one test finishing does not close a folder another one still needs.
    """
    def book(change: int) -> None:
        with open(PASSAGE_BOOK.with_suffix(".lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            entries = json.loads(PASSAGE_BOOK.read_text()) if PASSAGE_BOOK.exists() else {}
            for folder in folders:
                mode, count = entries.get(str(folder), [folder.stat().st_mode & 0o7777, 0])
                count += change
                if count > 0:
                    os.chmod(folder, mode | 0o001)
                    entries[str(folder)] = [mode, count]
                else:
                    os.chmod(folder, mode)
                    entries.pop(str(folder), None)
            PASSAGE_BOOK.write_text(json.dumps(entries))

    book(+1)
    try:
        yield
    finally:
        book(-1)


@contextlib.contextmanager
def running_room(automation: bool = True, audit: bool = True,
                 lab_args: tuple[str, ...] = ()) -> Iterator[RoomSettings]:
    """A room server with its own work folder and homes, stopped and removed afterwards."""
    skip_unless_room_possible()
    base = Path(tempfile.mkdtemp(prefix="fedlearn-room-"))
    os.chmod(base, 0o755)  # participants pass through it to their homes and exchange/
    workdir, password, port = base / "room", "room-" + secrets.token_hex(4), free_port()
    # A facilitator name of its own: two test processes may each run a room at once.
    up = ["up", "--workdir", str(workdir), "--homes", str(base / "homes"), "--host",
          "127.0.0.1", "--port", str(port), "--password", password,
          "--admin", "fac-" + secrets.token_hex(3),
          *(["--automation"] if automation else []), *(f"--lab-arg={a}" for a in lab_args)]
    saved = dict(os.environ)
    if audit:
        log = base / "outbound.log"
        log.touch(mode=0o666)
        os.chmod(log, 0o666)  # every participant's processes append to it
        os.environ.update({
            "PYTHONPATH": os.pathsep.join([str(AUDIT), *filter(None, [
                os.environ.get("PYTHONPATH")])]),
            "FEDLEARN_NET_AUDIT": str(log), "NODE_OPTIONS": f"--require={AUDIT / 'audit.js'}",
            "HTTP_PROXY": UNROUTABLE_PROXY, "HTTPS_PROXY": UNROUTABLE_PROXY,
            "http_proxy": UNROUTABLE_PROXY, "https_proxy": UNROUTABLE_PROXY,
            "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"})
    try:
        with passable(users.closed_folders(sys.executable, course_root(), AUDIT)):
            try:
                started = hub_command(*up)  # what the facilitator types, and what it prints
                settings = load(workdir)
                assert f"Participants open:   https://127.0.0.1:{port}/" in started
                assert f"Room password:       {password}" in started
                assert settings.admin_password in started
                yield settings
            finally:
                # Stopping the room leaves no process and no port, and removes the accounts.
                stopped = hub_command("down", "--workdir", str(workdir), "--remove-users")
                assert "No process and no port of the room is left." in stopped, stopped
                assert not [u for u in users.room_users() if u.home.is_relative_to(base)]
    finally:
        os.environ.clear()
        os.environ.update(saved)
        shutil.rmtree(base, ignore_errors=True)


def hub_command(*args: str) -> str:
    """``fedlearn-kit hub ARGS`` as the facilitator runs it; its output (fails on an error)."""
    done = subprocess.run([sys.executable, "-m", "fedlearn_kit.cli", "hub", *args],
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, f"hub {args[0]}: exit {done.returncode}\n{done.stdout}\n" \
                                 f"{done.stderr}"
    return done.stdout


def outbound_attempts(settings: RoomSettings) -> str:
    """What the network audit recorded in this room (empty: nothing tried to call out)."""
    log = Path(settings.workdir).parent / "outbound.log"
    return log.read_text() if log.exists() else ""
