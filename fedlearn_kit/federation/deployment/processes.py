"""Processes the kit starts for a deployment, and how it stops all of them (lesson 07).

Each Flower process (SuperLink, SuperNode, the warm executors) starts in a process group of
its own, and the kit records its pid, its group and a marker in its environment
(``FEDLEARN_DEPLOYMENT``) in a JSON state file. Flower starts children of its own
(``flower-superexec``, app processes), some in new sessions, and a killed parent can leave
them behind. :func:`stop` therefore ends every descendant it can still find and any
process that carries the deployment's marker, then the caller checks the ports are free.
That works after a crash of the notebook kernel too, because it only needs the state file,
and on Windows too, because it walks processes with psutil instead of signalling groups.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import psutil

from fedlearn_kit.federation.subprocesses import new_group_options, terminate_then_kill

MARKER = "FEDLEARN_DEPLOYMENT"
#: The SuperLink connection's name in the deployment's ``FLWR_HOME/config.toml``.
CONNECTION = "fedlearn-kit"
STATE_FILE = "deployment.json"
#: The address every process of a deployment on one machine uses (and the default host).
LOOPBACK = "127.0.0.1"


class DeploymentError(RuntimeError):
    """Something about the deployment's processes is wrong; the message says how to fix it."""


class PortInUseError(DeploymentError):
    """A port the deployment needs is taken by another process."""


@dataclass
class Proc:
    """One process the kit started: what it is, its ids, its port, its log.

    A pid names a process only while it runs: after it exits (or after a reboot) the
    system may give the same number to any other program. So the record also keeps what
    identifies the process beyond its pid, its start time (``create_time``, as the system
    reports it) and its command line, and :meth:`alive` is true only when a running
    process matches all three. Nothing is ever signalled on the pid alone.
    """

    name: str  # e.g. "superlink", "supernode site 0"
    pid: int
    pgid: int
    command: list[str]
    log: str
    port: int | None = None
    site: int | None = None
    started: float = field(default_factory=time.time)
    create_time: float = 0.0  # the system's start time of the process (psutil)

    def alive(self) -> bool:
        """True while the recorded process itself runs (not a zombie, not a stranger)."""
        try:
            proc = psutil.Process(self.pid)
            if proc.status() == psutil.STATUS_ZOMBIE:
                return False
            if self.create_time:
                if abs(proc.create_time() - self.create_time) > 0.05:
                    return False  # the pid was given to another program since
            elif proc.create_time() > self.started:  # a state file from before create_time
                return False
            return _same_program(proc, self.command)
        except psutil.Error:
            return False


def _same_program(proc: psutil.Process, command: Sequence[str]) -> bool:
    """True if ``proc`` runs the recorded ``command`` (compared by its arguments)."""
    try:
        cmdline = proc.cmdline()
    except psutil.AccessDenied:
        return False
    except psutil.Error:
        return False
    if not cmdline or not command:
        return bool(command) is False
    # Python scripts show as `python script args`: compare the recorded arguments' tail.
    tail = [str(c) for c in command[1:]]
    return cmdline[-len(tail):] == tail if tail else Path(cmdline[0]).name == Path(
        command[0]).name


def flower_command(name: str) -> str:
    """The path of one of Flower's commands, next to this Python first."""
    here = Path(sys.executable).parent / name
    if not here.exists() and sys.platform == "win32":
        here = here.with_suffix(".exe")
    found = str(here) if here.exists() else shutil.which(name)
    if not found:
        raise DeploymentError(f"Flower's command `{name}` was not found. Install the kit "
                              "with `pip install -e .` (it brings flwr) in this environment.")
    return found


def port_owner(host: str, port: int) -> str:
    """Which process listens on ``host:port`` ("unknown process" if the system won't say)."""
    try:
        for conn in psutil.net_connections(kind="inet"):
            if (conn.laddr and conn.laddr.port == port and conn.pid
                    and conn.status == psutil.CONN_LISTEN):
                try:
                    proc = psutil.Process(conn.pid)
                    return f"{proc.name()} (pid {conn.pid}: {' '.join(proc.cmdline()[:3])})"
                except psutil.Error:
                    return f"pid {conn.pid}"
    except (psutil.Error, OSError):
        pass
    return "an unknown process"


def port_free(host: str, port: int) -> bool:
    """True if nothing listens on ``host:port`` and it can be bound."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return not port_open(host, port)


def port_open(host: str, port: int, timeout: float = 0.2) -> bool:
    """True if something accepts connections on ``host:port``."""
    target = LOOPBACK if host in ("0.0.0.0", "") else host
    try:
        with socket.create_connection((target, port), timeout=timeout):
            return True
    except OSError:
        return False


def free_port(host: str = LOOPBACK, avoid: Iterable[int] = ()) -> int:
    """A port the system says is free now on ``host``."""
    avoid = set(avoid)
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind((host, 0))
            port = sock.getsockname()[1]
        if port not in avoid:
            return port
    raise DeploymentError(f"Found no free port on {host}.")


def require_free(host: str, port: int, what: str) -> None:
    """Raise :class:`PortInUseError` naming the owner if ``host:port`` is taken."""
    if not port_free(host, port):
        raise PortInUseError(
            f"Port {port} on {host}, needed for the {what}, is already in use by "
            f"{port_owner(host, port)}. Stop that process (if it is an earlier deployment: "
            "`fedlearn-kit deploy down --workdir DIR`) or choose another port.")


def start(name: str, command: Sequence[str], log: Path, env: Mapping[str, str],
          port: int | None = None, site: int | None = None) -> Proc:
    """Start ``command`` in a process group of its own, output to ``log``.

    POSIX: a new session (so the process leads its group); Windows: a new process group.
    """
    log.parent.mkdir(parents=True, exist_ok=True)
    n = 1
    while log.exists():  # a restarted process gets a fresh log: name-2.log, name-3.log, ...
        n += 1
        log = log.with_name(f"{log.stem.rsplit('__', 1)[0]}__{n}{log.suffix}")
    with open(log, "wb") as out:
        popen = subprocess.Popen(list(command), stdout=out, stderr=subprocess.STDOUT,
                                 stdin=subprocess.DEVNULL, env=dict(env),
                                 **new_group_options())
    # Reap the child as soon as it exits: a dead process that nobody waited for stays a
    # zombie, and to Flower's parent monitoring a zombie still looks alive.
    threading.Thread(target=popen.wait, daemon=True).start()
    try:
        create_time = psutil.Process(popen.pid).create_time()
    except psutil.Error:
        create_time = 0.0
    return Proc(name, popen.pid, _group_of(popen.pid), list(command), str(log), port, site,
                started=time.time() + 1.0, create_time=create_time)


def _group_of(pid: int) -> int:
    """The process group of ``pid`` where the system has them (POSIX), else ``pid``."""
    getpgid = getattr(os, "getpgid", None)
    if getpgid is None:
        return pid
    try:
        return int(getpgid(pid))
    except OSError:
        return pid


def marked(marker: str) -> list[psutil.Process]:
    """Every process whose environment carries ``FEDLEARN_DEPLOYMENT=marker``."""
    found = []
    for proc in psutil.process_iter(["pid"]):
        try:
            if proc.environ().get(MARKER) == marker and proc.pid != os.getpid():
                found.append(proc)
        except (psutil.Error, OSError):
            continue
    return found


def memory_in_use(marker: str) -> tuple[float, float, int]:
    """(sum of RSS, sum of PSS) in GiB, and how many processes carry ``marker``.

    PSS counts pages shared between processes (torch in forked children) once; where the
    operating system does not report it, RSS stands in.
    """
    rss = pss = 0
    procs = marked(marker)
    for proc in procs:
        try:
            info = proc.memory_full_info()
        except psutil.Error:
            continue
        rss += info.rss
        pss += getattr(info, "pss", info.rss)
    return rss / 2**30, pss / 2**30, len(procs)


def cores_in_use(marker: str, seconds: float = 10.0) -> float:
    """CPU seconds per second that the processes carrying ``marker`` use over ``seconds``."""
    procs = marked(marker)

    def cpu_seconds() -> float:
        total = 0.0
        for proc in procs:
            try:
                times = proc.cpu_times()
            except psutil.Error:
                continue
            total += times.user + times.system
        return total

    before = cpu_seconds()
    time.sleep(seconds)
    return (cpu_seconds() - before) / seconds


def _family(procs: Iterable[Proc], marker: str | None) -> list[psutil.Process]:
    family: dict[int, psutil.Process] = {}
    for rec in procs:
        if not rec.alive():
            continue
        try:
            root = psutil.Process(rec.pid)
            for p in [root, *root.children(recursive=True)]:
                family[p.pid] = p
        except psutil.Error:
            continue
    for p in marked(marker) if marker else []:
        family.setdefault(p.pid, p)
    return list(family.values())


def stop(procs: Sequence[Proc], marker: str | None = None, grace: float = 5.0) -> list[int]:
    """Stop the recorded processes and all their descendants; return the pids stopped.

    The family is every descendant psutil can still find plus every process carrying the
    deployment's ``marker`` (Flower starts some children in sessions of their own, and a
    killed parent leaves them behind). Each gets one polite request to stop (SIGTERM on
    POSIX: a SuperNode then tells the SuperLink it is leaving; Flower resets its handler
    after the first, so a second one would kill it before it can), and whatever still
    runs after ``grace`` seconds is killed. No process groups needed, so the same code
    works on Windows.
    """
    return terminate_then_kill(_family(procs, marker), grace)


def wait_ports_closed(ports: Iterable[tuple[str, int]], timeout: float = 10.0) -> list[int]:
    """Wait until nothing listens on the ports; return those still open after ``timeout``."""
    ports = list(ports)
    deadline = time.monotonic() + timeout
    while (busy := [p for h, p in ports if port_open(h, p)]) and time.monotonic() < deadline:
        time.sleep(0.1)
    return busy


def save_state(path: Path, state: dict[str, object], procs: Sequence[Proc]) -> None:
    """Write the state file atomically: settings plus every recorded process."""
    data = dict(state) | {"processes": [asdict(p) for p in procs]}
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2))
    tmp.replace(path)


def load_state(path: Path) -> tuple[dict[str, object], list[Proc]]:
    """Read a state file written by :func:`save_state`."""
    data = json.loads(path.read_text())
    procs = [Proc(**p) for p in data.pop("processes", [])]
    return data, procs
