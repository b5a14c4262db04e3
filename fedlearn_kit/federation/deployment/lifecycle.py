"""A whole federation on this machine: ``up``, ``status``, ``down`` (lesson 07).

``up(num_sites=2)`` starts what a real federation runs, as separate processes on loopback:
one ``flower-superlink`` (the coordinator) and one ``flower-supernode`` per site, with TLS
(a local CA and a certificate the kit makes, :mod:`.certs`) and SuperNode authentication
(one key pair per site, registered with ``flwr supernode register``, :mod:`.registration`).
The processes are started and watched by :mod:`.supervisor` and recorded in the
:class:`~.state.Deployment` it returns; ``Deployment.run(exp)`` trains on it (:mod:`.runs`)
and ``down`` stops every process and checks that no port is left open. A workshop room,
whose halves run on different laptops, is :mod:`.room`.
"""

from __future__ import annotations

import atexit
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from fedlearn_kit.federation import settings
from fedlearn_kit.federation.deployment import certs, credentials, registration, supervisor
from fedlearn_kit.federation.deployment.folders import (
    default_workdir,
    lesson_workdir,
    workdirs,
)
from fedlearn_kit.federation.deployment.process_control import LOOPBACK, DeploymentError, free_port
from fedlearn_kit.federation.deployment.state import (
    Deployment,
    load,
    load_if_any,
    new_deployment,
)
from fedlearn_kit.i18n import _

if TYPE_CHECKING:
    import pandas as pd


def up(num_sites: int = 2, workdir: str | Path | None = None, *, insecure: bool = False,
       port: int | None = None, timeout: float = settings.SUPERNODE_JOIN_TIMEOUT,
       isolation: str = "process", replace: bool = False, stop_at_exit: bool = False
       ) -> Deployment:
    """Start a whole federation on loopback: SuperLink plus one SuperNode per site.

    TLS and SuperNode authentication are on; ``insecure=True`` turns both off (only when
    asked by name). Every site makes its own key pair in its own folder (``site-K/keys``)
    and the coordinator registers a copy of the public half only: the procedure of a real
    federation, with all sites on one machine (the classroom shortcut). ``port``: the
    SuperLink's port (default: a free one). ``isolation``: ``"process"`` runs each message
    in a process forked from one warm executor; ``"subprocess"`` is Flower's default, a
    fresh Python process per message (slow). ``replace``: first stop a deployment left in
    ``workdir`` by `up` (e.g. by a notebook kernel that crashed; a room's is never
    stopped this way). ``stop_at_exit``: stop everything when this Python process ends.
    """
    workdir = Path(workdir or default_workdir()).resolve()
    old = load_if_any(workdir)
    if old is not None and old.role != "local":
        raise DeploymentError((_(
            "{workdir} holds a workshop room's SuperLink (`deploy link`); `up` uses its own "
            "folder (default {default}, lesson 07: {lesson}). Choose another workdir.")
            if old.role == "room" else _(
            "{workdir} holds a workshop room's SuperNode (`deploy node`); `up` uses its own "
            "folder (default {default}, lesson 07: {lesson}). Choose another workdir.")).format(
            workdir=workdir, default=default_workdir(), lesson=lesson_workdir()))
    if replace and old is not None:
        old.down()
    if port is None:
        port = free_port(LOOPBACK)
    dep = new_deployment(workdir, f"{LOOPBACK}:{port}", num_sites, insecure, isolation)
    if stop_at_exit:
        atexit.register(dep.down)
    try:
        if not insecure:
            certs.make_ca(dep.credentials)
            certs.make_server_cert(dep.credentials, (LOOPBACK, "localhost"))
            made = {s: credentials.make_site_keys(dep.site_keys(s), s, renew=True)
                    for s in range(num_sites)}
            registration.add_public_keys(dep, {s: k.public_key for s, k in made.items()})
        registration.write_flower_config(dep)
        supervisor.start_superlink(dep, LOOPBACK, port, timeout)
        registration.register_nodes(dep)
        for site in range(num_sites):
            supervisor.start_supernode(dep, site, wait=False, executor="shared")
        supervisor.start_shared_executor(dep, range(num_sites))
        supervisor.wait_for_supernodes(dep, range(num_sites), timeout)
        supervisor.wait_for_executors(dep, max(timeout, settings.EXECUTOR_WARM_TIMEOUT))
    except BaseException:
        dep.down()
        raise
    return dep


def status(workdir: str | Path | None = None) -> pd.DataFrame:
    """The process table of the deployment in ``workdir``."""
    return load(workdir).status()


def down(workdir: str | Path | None = None) -> dict[str, list[int]]:
    """Stop the deployment recorded in ``workdir``; safe to call twice.

    Without ``workdir``, every deployment recorded under ``./work`` of the current folder: a
    participant's ``deploy down`` then finds the SuperNode ``deploy node`` started.
    """
    folders = [Path(workdir)] if workdir is not None else workdirs()
    report: dict[str, list[int]] = {"stopped": [], "already_gone": [], "ports_still_open": [],
                                    "ports_held_by_others": []}
    for folder in folders:
        try:
            dep = load(folder)
        except FileNotFoundError:
            continue
        for key, values in dep.down().items():
            report.setdefault(key, []).extend(values)
    return report


def stop_summary(report: Mapping[str, list[int]], names: Mapping[int, str]) -> str:
    """What ``down`` did, in the learner's language: the processes it stopped, those that
    had already ended, and the ports still open.

    ``report`` is ``down``'s; ``names`` maps the pids recorded before ``down`` to their
    process names (``down`` empties the record). Flower's own child processes, which
    ``down`` stops too, have no name there and are not listed.
    """
    def listed(pids: list[int]) -> str:
        return ", ".join(sorted(names[pid] for pid in pids if pid in names))

    stopped, gone = listed(report["stopped"]), listed(report["already_gone"])
    lines = [_("stopped: {processes}").format(processes=stopped) if stopped
             else _("stopped: none"),
             _("already gone: {processes}").format(processes=gone) if gone
             else _("already gone: none")]
    ports = report.get("ports_still_open", [])
    lines.append(_("ports still open: {ports}").format(ports=", ".join(map(str, ports)))
                 if ports else _("ports still open: none"))
    return "\n".join(lines)
