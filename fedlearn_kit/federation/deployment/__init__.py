"""Flower's deployment engine: a SuperLink and one SuperNode per site, as real processes.

Lesson 07 and the workshop room. One module per job:

- :mod:`.lifecycle`: ``up``/``status``/``down``: a whole federation on this machine;
- :mod:`.room`: ``link``/``keygen``/``register``/``node``: a workshop room, the
  facilitator's SuperLink and each participant's SuperNode, with certificate reuse;
- :mod:`.state`: :class:`Deployment` (a deployment's settings, processes and files) and
  ``load``;
- :mod:`.supervisor`: start, wait for and stop the SuperLink, SuperNodes and executors;
- :mod:`.registration`: ``flwr supernode register``/``list`` and the ``flwr`` connection;
- :mod:`.folders`: the default work folders (``lesson_workdir()``, ``room_workdir()``, ...);
- :mod:`.runs`: run the course's app folder on a running deployment (``flwr run APP
  --stream``), with a site that drops out on request;
- :mod:`.engine`: ``federation.run(exp, engine="deployment")``;
- :mod:`.executor`: the warm executor that runs each task in a forked process;
- :mod:`.flower_launcher`: Flower's SuperLink and SuperNode with the course's heartbeat
  and polling;
- :mod:`.certs`: the local CA, the SuperLink's TLS certificate, the sites' key pairs;
- :mod:`.credentials`: participant-made keys, and checks that name a wrong file at once;
- :mod:`.process_control`: starting processes, stopping every one of them, ports, state file;
- :mod:`.diagnose`: log tails and hints for the faults the course provokes.

Every timing (polls, heartbeats, timeouts) is in :mod:`fedlearn_kit.federation.settings`.

Names load when first used: the executor and the SuperNodes import this package's
modules without paying for torch, which only the process that trains imports.

The command line (``fedlearn-kit deploy up|link|keygen|register|node|status|down``) is
wired in :mod:`fedlearn_kit.cli`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fedlearn_kit.lazy_names import lazy_exports

if TYPE_CHECKING:
    from fedlearn_kit.federation.deployment import certs, credentials, registration, supervisor
    from fedlearn_kit.federation.deployment.engine import run_deployment
    from fedlearn_kit.federation.deployment.folders import (
        default_workdir,
        lesson_workdir,
        room_workdir,
        work_root,
        workdirs,
    )
    from fedlearn_kit.federation.deployment.lifecycle import down, status, stop_summary, up
    from fedlearn_kit.federation.deployment.process_control import (
        LOOPBACK,
        DeploymentError,
        PortInUseError,
        free_port,
        port_free,
    )
    from fedlearn_kit.federation.deployment.room import keygen, link, node, register
    from fedlearn_kit.federation.deployment.state import Deployment, load

#: Public name -> the module that defines it (``None``: a module of this package itself).
_HOME: dict[str, str | None] = {
    **dict.fromkeys(("certs", "credentials", "registration", "supervisor")),
    "run_deployment": "engine",
    **dict.fromkeys(("default_workdir", "lesson_workdir", "room_workdir", "work_root",
                     "workdirs"), "folders"),
    **dict.fromkeys(("down", "status", "stop_summary", "up"), "lifecycle"),
    **dict.fromkeys(("LOOPBACK", "DeploymentError", "PortInUseError", "free_port",
                     "port_free"), "process_control"),
    **dict.fromkeys(("keygen", "link", "node", "register"), "room"),
    **dict.fromkeys(("Deployment", "load"), "state"),
}

__all__ = ["LOOPBACK", "Deployment", "DeploymentError", "PortInUseError", "certs",
           "credentials", "default_workdir", "down", "free_port", "keygen", "lesson_workdir",
           "link", "load", "node", "port_free", "register", "registration", "room_workdir",
           "run_deployment", "status", "stop_summary", "supervisor", "up", "work_root", "workdirs"]


__getattr__, __dir__ = lazy_exports(__name__, _HOME)
