"""Processes the kit starts for a deployment, and how it stops all of them (lesson 07).

Each Flower process (SuperLink, SuperNode, the warm executors) starts in a process group of
its own, and the kit records its pid, its group and a marker in its environment
(``FEDLEARN_DEPLOYMENT``) in a JSON state file. Flower starts children of its own
(``flower-superexec``, app processes), some in new sessions, and a killed parent can leave
them behind. :func:`stop` therefore ends every descendant it can still find and any
process that carries the deployment's marker, then the caller checks the ports are free.
That works after a crash of the notebook kernel too, because it only needs the state file,
and on Windows too, because it walks processes with psutil instead of signalling groups.

Each process also carries, in its environment, its deployment's folder
(``FEDLEARN_DEPLOYMENT_DIR``), the deployment's settings and its own record
(:data:`PROCESS_ENV`): with those the kit finds and adopts its processes when the state
file is lost (:func:`running_in`), and knows its own process even after the system
clock has been stepped (:meth:`Proc.alive`).
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
from typing import Any

import psutil

from fedlearn_kit.federation import settings
from fedlearn_kit.federation.command_runner import new_group_options, terminate_then_kill
from fedlearn_kit.i18n import _

MARKER = "FEDLEARN_DEPLOYMENT"
#: The deployment's work folder, in every process's environment (:func:`running_in`).
DIR_MARKER = "FEDLEARN_DEPLOYMENT_DIR"
#: The deployment's settings (JSON), in every process's environment: enough to rebuild
#: the state file from the running processes when it is lost.
SETTINGS_ENV = "FEDLEARN_DEPLOYMENT_SETTINGS"
#: A process's own record (JSON: name, log, port, site), in its environment.
PROCESS_ENV = "FEDLEARN_PROCESS"
#: The registrations file (site -> node id of each registered key), for the coordinator's
#: ServerApp: it refuses a reply whose node announces another site than its key's.
REGISTRATIONS_ENV = "FEDLEARN_REGISTRATIONS"
#: The SuperLink connection's name in the deployment's ``FLWR_HOME/config.toml``.
CONNECTION = "fedlearn-kit"
STATE_FILE = "deployment.json"
#: The address every process of a deployment on one machine uses (and the default host).
LOOPBACK = "127.0.0.1"


class DeploymentError(RuntimeError):
    """Something about the deployment's processes is wrong; the message says how to fix it."""


class PortInUseError(DeploymentError):
    """A port the deployment needs is taken by another process."""


#: The processes this Python process started itself, by pid: for them ``Popen.poll()``
#: says whether they still run, which needs no guess from start times or command lines.
_CHILDREN: dict[int, subprocess.Popen[bytes]] = {}


@dataclass
class Proc:
    """One process the kit started: what it is, its ids, its port, its log.

    A pid names a process only while it runs: after it exits (or after a reboot) the
    system may give the same number to any other program. So the record also keeps what
    identifies the process beyond its pid: the deployment's marker in its environment,
    its command line, and its start time. :meth:`alive` is true only when a running
    process matches them. Nothing is ever signalled on the pid alone.
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
    #: Seconds from the system's boot to the process's start: unlike ``create_time``, which
    #: psutil derives from the wall clock on Linux, this stays put when the clock is stepped.
    since_boot: float | None = None
    marker: str = ""  # the deployment's marker, as in the process's environment

    def alive(self) -> bool:
        """True while the recorded process itself runs (not a zombie, not a stranger).

        A process this Python started is asked directly (``Popen.poll()``). Any other must
        run the recorded command line and either carry the deployment's marker in its
        environment or, where the environment cannot be read, have started when the
        record says (within :data:`~fedlearn_kit.federation.settings.START_TIME_TOLERANCE`
        seconds, measured from boot where possible, so a step of the clock or a
        suspend does not turn a live process into a stranger).
        """
        child = _CHILDREN.get(self.pid)
        if child is not None and child.args == self.command:
            return child.poll() is None
        try:
            proc = psutil.Process(self.pid)
            if proc.status() == psutil.STATUS_ZOMBIE:
                return False
            if not _same_program(proc, self.command):
                return False
            verdict = _marker_says(proc, self.marker)
            if verdict is not None:
                return verdict
            return self._started_as_recorded(proc)
        except psutil.Error:
            return False

    def _started_as_recorded(self, proc: psutil.Process) -> bool:
        tolerance = settings.START_TIME_TOLERANCE
        if self.since_boot is not None:
            now = since_boot(proc)
            if now is not None:
                return abs(now - self.since_boot) <= tolerance
        if self.create_time:
            return abs(proc.create_time() - self.create_time) <= tolerance
        return proc.create_time() <= self.started  # a state file from before create_time


def _marker_says(proc: psutil.Process, marker: str) -> bool | None:
    """Whether ``proc`` carries ``marker`` in its environment; None if that cannot be read."""
    if not marker:
        return None
    try:
        return proc.environ().get(MARKER) == marker
    except (psutil.Error, OSError):
        return None


def _same_program(proc: psutil.Process, command: Sequence[str]) -> bool:
    """True if ``proc`` runs the recorded ``command`` (compared by its arguments)."""
    try:
        cmdline = proc.cmdline()
    except psutil.Error:
        return False
    if not cmdline or not command:
        return bool(command) is False
    # Python scripts show as `python script args`: compare the recorded arguments' tail.
    tail = [str(c) for c in command[1:]]
    return cmdline[-len(tail):] == tail if tail else Path(cmdline[0]).name == Path(
        command[0]).name


def since_boot(proc: psutil.Process) -> float | None:
    """Seconds from boot to ``proc``'s start, unaffected by steps of the wall clock.

    Linux counts a process's start in clock ticks since boot (``/proc/PID/stat``, field 22);
    psutil adds the boot time, which it computes from the wall clock, so a clock step moves
    ``create_time`` by the step. Elsewhere the system keeps the start as a wall-clock time
    of its own, which a later step does not change: there ``create_time`` serves.
    """
    if not sys.platform.startswith("linux"):
        return None
    try:
        fields = Path(f"/proc/{proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[19]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def flower_command(name: str) -> str:
    """The path of one of Flower's commands, next to this Python first."""
    here = Path(sys.executable).parent / name
    if not here.exists() and sys.platform == "win32":
        here = here.with_suffix(".exe")
    found = str(here) if here.exists() else shutil.which(name)
    if not found:
        raise DeploymentError(_("Flower's command `{name}` was not found. Install the kit with "
                                "`pip install -e .` (it brings flwr) in this environment.")
                              .format(name=name))
    return found


def port_owner(host: str, port: int) -> str:
    """Which process listens on ``host:port`` ("unknown process" if the system won't say).

    The system-wide table needs root on macOS; there each of this user's own processes is
    asked instead, which finds a course's own SuperLink or JupyterLab.
    """
    def described(pid: int) -> str:
        try:
            proc = psutil.Process(pid)
            return f"{proc.name()} (pid {pid}: {' '.join(proc.cmdline()[:3])})"
        except psutil.Error:
            return f"pid {pid}"

    def listens(conn: object) -> bool:
        # an unbound socket's laddr is an empty tuple, which has no port
        local_port = getattr(getattr(conn, "laddr", None), "port", None)
        return local_port == port and getattr(conn, "status", None) == psutil.CONN_LISTEN

    try:
        for conn in psutil.net_connections(kind="inet"):
            if listens(conn) and conn.pid:
                return described(conn.pid)
    except (psutil.AccessDenied, PermissionError):
        for proc in psutil.process_iter(["pid"]):
            try:
                if any(listens(c) for c in proc.net_connections(kind="inet")):
                    return described(proc.pid)
            except (psutil.Error, OSError):
                continue
    except (psutil.Error, OSError):
        pass
    return _("an unknown process")


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
    for _attempt in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind((host, 0))
            port = sock.getsockname()[1]
        if port not in avoid:
            return port
    raise DeploymentError(_("Found no free port on {host}.").format(host=host))


def require_free(host: str, port: int, what: str) -> None:
    """Raise :class:`PortInUseError` naming the owner if ``host:port`` is taken."""
    if not port_free(host, port):
        raise PortInUseError(_(
            "Port {port} on {host}, needed for the {what}, is already in use by {owner}. Stop "
            "that process (if it is an earlier deployment: `fedlearn-kit deploy down --workdir "
            "DIR`) or choose another port.").format(port=port, host=host, what=what,
                                                     owner=port_owner(host, port)))


def start(name: str, command: Sequence[str], log: Path, env: Mapping[str, str],
          port: int | None = None, site: int | None = None) -> Proc:
    """Start ``command`` in a process group of its own, output to ``log``.

    POSIX: a new session (so the process leads its group); Windows: a new process group.
    The process's own record goes into its environment (:data:`PROCESS_ENV`).
    """
    log.parent.mkdir(parents=True, exist_ok=True)
    n = 1
    while log.exists():  # a restarted process gets a fresh log: name-2.log, name-3.log, ...
        n += 1
        log = log.with_name(f"{log.stem.rsplit('__', 1)[0]}__{n}{log.suffix}")
    own = {"name": name, "log": str(log), "port": port, "site": site,
           "command": [str(c) for c in command]}
    with open(log, "wb") as out:
        popen = subprocess.Popen(list(command), stdout=out, stderr=subprocess.STDOUT,
                                 stdin=subprocess.DEVNULL,
                                 env=dict(env) | {PROCESS_ENV: json.dumps(own)},
                                 **new_group_options())
    _CHILDREN[popen.pid] = popen
    # Reap the child as soon as it exits: a dead process that nobody waited for stays a
    # zombie, and to Flower's parent monitoring a zombie still looks alive.
    threading.Thread(target=popen.wait, daemon=True).start()
    try:
        ps = psutil.Process(popen.pid)
        create_time, boot = ps.create_time(), since_boot(ps)
    except psutil.Error:
        create_time, boot = 0.0, None
    return Proc(name, popen.pid, _group_of(popen.pid), list(command), str(log), port, site,
                started=time.time() + 1.0, create_time=create_time, since_boot=boot,
                marker=env.get(MARKER, ""))


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
    return [proc for proc, env in _environments() if env.get(MARKER) == marker]


def _environments() -> list[tuple[psutil.Process, dict[str, str]]]:
    """Every other process whose environment this user may read, with that environment."""
    found = []
    for proc in psutil.process_iter(["pid"]):
        if proc.pid == os.getpid():
            continue
        try:
            env = proc.environ()
        except (psutil.Error, OSError):
            continue
        if MARKER in env:
            found.append((proc, env))
    return found


def running_folders() -> set[Path]:
    """The work folders of every deployment process running for this user."""
    return {Path(env[DIR_MARKER]) for _proc, env in _environments() if env.get(DIR_MARKER)}


@dataclass
class Found:
    """A running process of a deployment, found by the marks in its environment."""

    record: Proc
    settings: dict[str, Any]  # decoded from JSON: the deployment's settings


def running_in(workdir: Path) -> list[Found]:
    """The deployment processes running for ``workdir``, found without its state file.

    Each process the kit starts carries its folder, the deployment's settings and its own
    record in its environment (:func:`start`). Only the processes the kit started are
    returned (their children, e.g. Flower's ``flower-superexec``, inherit the marks but
    are found again by :func:`stop` through the marker).
    """
    folder = str(Path(workdir).resolve())
    found = []
    for proc, env in _environments():
        if env.get(DIR_MARKER) != folder or PROCESS_ENV not in env:
            continue
        try:
            parent = proc.parent()
            if parent is not None and parent.environ().get(PROCESS_ENV) == env[PROCESS_ENV]:
                continue  # a child that inherited its parent's record
        except (psutil.Error, OSError):
            pass
        try:
            own = json.loads(env[PROCESS_ENV])
            setting = json.loads(env.get(SETTINGS_ENV, "{}"))
            create_time = proc.create_time()
            if not _same_program(proc, own["command"]):
                continue  # e.g. Flower's flower-superexec, orphaned: a child, not a record
        except (psutil.Error, ValueError, KeyError, TypeError):
            continue
        record = Proc(str(own["name"]), proc.pid, _group_of(proc.pid), list(own["command"]),
                      str(own["log"]), own.get("port"), own.get("site"),
                      started=create_time + 1.0, create_time=create_time,
                      since_boot=since_boot(proc), marker=env[MARKER])
        found.append(Found(record, setting))
    return sorted(found, key=lambda f: f.record.pid)


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
