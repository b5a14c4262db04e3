"""Starting and stopping a room server: JupyterHub, its proxy, and every participant's server.

:func:`up` prepares the room's folders and certificate, writes JupyterHub's configuration
(:mod:`.config`), starts JupyterHub in the background and waits until it answers on the
public HTTPS port. :func:`down` stops it with everything it started, including processes a
participant left running on purpose (lesson 07's SuperNodes outlive the command that
started them), and checks that no port of the room is still open. With ``remove_users`` it
also deletes the participants' system users and homes, their answers with them.

Linux only, as root: the hub starts each participant's server as that participant's own
system user.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psutil

from fedlearn_kit.federation import deployment
from fedlearn_kit.federation.command_runner import (
    descendants,
    new_group_options,
    stop_tree,
    terminate_then_kill,
)
from fedlearn_kit.hub import config, users
from fedlearn_kit.hub.api import HubAPIError, HubClient
from fedlearn_kit.hub.settings import RoomSettings, load, settings_file
from fedlearn_kit.i18n import _
from fedlearn_kit.offline import offline_env

#: Where a room keeps its folders unless told otherwise (below the current folder, as the
#: deployments do).
DEFAULT_WORKDIR = Path("work") / "hub"
TLS_FOLDER = "tls"
#: Lesson 07's drop box: participants may add files, only the facilitator may list them.
DROP_BOX_MODE = 0o1733


class RoomError(RuntimeError):
    """The room could not start or stop; the message says why and what to do."""


def require_linux_root() -> None:
    if not sys.platform.startswith("linux"):
        raise RoomError(_("The room server runs on a Linux server only (JupyterHub starts "
                          "each participant's JupyterLab as a system user). On a laptop, use "
                          "`python course.py lab`."))
    if os.geteuid() != 0:
        raise RoomError(_("The room server must be started as root (sudo): it creates a "
                          "system user for each participant and starts their server as that "
                          "user."))


def room_certificate(settings: RoomSettings, renew: bool = False) -> None:
    """The room's own CA and HTTPS certificate (reused unless ``renew``), made with the
    deployment's certificate code; ``exchange/room-ca.crt`` is the CA for participants."""
    folder = settings.private / TLS_FOLDER
    certs = deployment.certs
    cert, key = folder / certs.SERVER_CERT, folder / certs.SERVER_KEY
    if renew or not cert.exists():
        certs.make_ca(folder, name="fedlearn-kit room CA")
        names = [settings.address, "127.0.0.1", "localhost", socket.gethostname(), settings.host]
        hosts = tuple(h for h in dict.fromkeys(names) if h not in ("0.0.0.0", "::", ""))
        certs.make_server_cert(folder, hosts=hosts)
    settings.cert, settings.key, settings.ca = str(cert), str(key), str(folder / certs.CA_CERT)
    shutil.copyfile(folder / certs.CA_CERT, settings.exchange / "room-ca.crt")
    os.chmod(settings.exchange / "room-ca.crt", 0o644)


def prepare_folders(settings: RoomSettings) -> None:
    """The room's folders with their permissions (see :mod:`.settings`)."""
    settings.root.mkdir(parents=True, exist_ok=True)
    os.chmod(settings.root, 0o755)
    settings.private.mkdir(exist_ok=True)
    os.chmod(settings.private, 0o700)
    settings.exchange.mkdir(exist_ok=True)
    os.chmod(settings.exchange, 0o755)
    Path(settings.homes).mkdir(parents=True, exist_ok=True)
    facilitator = users.ensure_user(users.system_name(settings.admin), Path(settings.homes))
    for name, mode in (("pubkeys", DROP_BOX_MODE), ("superlink", 0o755)):
        folder = settings.exchange / name
        folder.mkdir(exist_ok=True)
        os.chown(folder, facilitator.uid, facilitator.gid)
        os.chmod(folder, mode)


def check_participants_can_run_the_kit(settings: RoomSettings) -> None:
    """Fail early, naming the fix, when a participant could not start the kit's Python."""
    facilitator = users.system_name(settings.admin)
    works, error = users.can_run_as(
        facilitator, [settings.python, "-c", "import fedlearn_kit, jupyterhub"])
    if works:
        return
    closed = users.closed_folders(settings.python, settings.course)
    fix = (_("Let other users pass through {folders} (chmod o+x), or install the course "
             "with a Python installed for every user (for example /usr/bin/python3.11 "
             "course.py install --set hub) in a folder every user may read.").format(
        folders=", ".join(map(str, closed)))
        if closed else _("Make the course folder and its .venv readable by every user."))
    raise RoomError(_("A participant's account cannot run the kit's Python ({python}): "
                      "{error}\n{fix}").format(python=settings.python, error=error, fix=fix))


def _log_tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def up(settings: RoomSettings, *, renew: bool = False, timeout: float = 120) -> RoomSettings:
    """Start the room described by ``settings``; returns them with the pid and ports filled in.

    Without ``settings.cert`` the room makes (or reuses) its own certificate. Refuses a
    work folder whose room is still running.
    """
    require_linux_root()
    if settings_file(settings.workdir).exists():
        previous = load(settings.workdir)
        if previous.pid and psutil.pid_exists(previous.pid):
            raise RoomError(_("A room already runs from {folder} (pid {pid}): stop it with "
                              "`fedlearn-kit hub down` first.").format(folder=settings.workdir,
                                                                        pid=previous.pid))
    if not deployment.port_free(settings.host, settings.port):
        raise RoomError(_("Port {port} is in use on this server: choose another with --port, "
                          "or stop what listens there.").format(port=settings.port))
    prepare_folders(settings)
    check_participants_can_run_the_kit(settings)
    if not settings.cert:
        room_certificate(settings, renew=renew)
    settings.hub_port = deployment.free_port()
    settings.proxy_api_port = deployment.free_port(avoid=[settings.hub_port])
    settings.save()
    config_file = config.write_config_file(settings)
    log = settings.private / "jupyterhub.log"
    with open(log, "ab") as out:
        process = subprocess.Popen(
            [settings.python, "-m", "jupyterhub", "-f", str(config_file)],
            cwd=settings.private, stdout=out, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, env=offline_env(), **new_group_options())
    settings.pid = process.pid
    settings.save()
    client = HubClient(settings)
    deadline = time.monotonic() + timeout
    while True:
        try:
            client.request("GET", "/", timeout=5)
            return settings
        except HubAPIError:
            if process.poll() is not None:
                raise RoomError(_("JupyterHub stopped while starting (exit {code}). The end "
                                  "of its log ({log}):\n{tail}").format(
                    code=process.returncode, log=log, tail=_log_tail(log))) from None
            if time.monotonic() > deadline:
                stop_tree(process.pid)
                raise RoomError(_("JupyterHub did not answer within {timeout} s; see {log}:"
                                  "\n{tail}").format(timeout=f"{timeout:.0f}", log=log,
                                                     tail=_log_tail(log))) from None
            time.sleep(0.5)


def _room_system_users(settings: RoomSettings) -> list[str]:
    registry = settings.private / "users.json"
    known = json.loads(registry.read_text()) if registry.exists() else []
    return sorted({*known, users.system_name(settings.admin)})


def room_processes(settings: RoomSettings) -> list[psutil.Process]:
    """Every process still running that belongs to the room: JupyterHub and what it started,
    the proxy, and anything run by one of the room's system users."""
    found: dict[int, psutil.Process] = {}
    if settings.pid:
        for process in descendants(settings.pid):
            found[process.pid] = process
    names = set(_room_system_users(settings))
    for process in psutil.process_iter(["username"]):
        if process.info["username"] in names:
            found[process.pid] = process
    proxy_pid = settings.private / "proxy.pid"
    try:
        pid = int(proxy_pid.read_text())
        found.setdefault(pid, psutil.Process(pid))
    except (OSError, ValueError, psutil.Error):
        pass
    return list(found.values())


def room_ports(settings: RoomSettings) -> list[tuple[str, int]]:
    """The ports the room itself opens (the public one, JupyterHub's API, the proxy's API)."""
    return [(settings.host, settings.port), ("127.0.0.1", settings.hub_port),
            ("127.0.0.1", settings.proxy_api_port)]


def down(workdir: str | os.PathLike[str], *, remove_users: bool = False,
         grace: float = 30) -> dict[str, Any]:
    """Stop the room in ``workdir``; a report of what was stopped and what is still open."""
    require_linux_root()
    settings = load(workdir)
    stopped: list[int] = []
    if settings.pid and psutil.pid_exists(settings.pid):
        # JupyterHub's own shutdown stops every participant's server and the proxy first.
        hub = psutil.Process(settings.pid)
        family = descendants(settings.pid)
        hub.terminate()
        with contextlib.suppress(psutil.TimeoutExpired):
            hub.wait(grace)
        stopped += [p.pid for p in family]
    leftovers = room_processes(settings)
    if leftovers:
        stopped += terminate_then_kill(leftovers, grace=5)
    open_ports = [f"{host}:{port}" for host, port in room_ports(settings)
                  if port and not deployment.port_free(host, port)]
    removed: list[str] = []
    if remove_users:
        for name in _room_system_users(settings):
            users.remove_user(name)
            removed.append(name)
        # The hub's database and log hold participants' names and addresses: they go too.
        for name in ("users.json", "jupyterhub.sqlite", "jupyterhub.log"):
            (settings.private / name).unlink(missing_ok=True)
    settings.pid = 0
    settings.save()
    alive = [p.pid for p in room_processes(settings) if _running(p)]
    return {"stopped": sorted(set(stopped)), "still_running": alive,
            "ports_still_open": open_ports, "users_removed": removed}


def _running(process: psutil.Process) -> bool:
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False
