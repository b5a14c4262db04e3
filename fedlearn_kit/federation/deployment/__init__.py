"""Flower's deployment engine: a SuperLink and one SuperNode per site, as real processes.

Lesson 07. One module per job:

- :mod:`.lifecycle`: :class:`Deployment` and ``up``/``link``/``node``/``load``/``status``/
  ``down``: start, watch and stop the processes, on loopback or in a workshop room;
- :mod:`.runs`: train an experiment on a running deployment (``flwr run --stream``),
  with a site that drops out on request;
- :mod:`.engine`: ``federation.run(exp, engine="deployment")``;
- :mod:`.server_app`: the ServerApp the deployment runs (the kit's, prompt and announcing
  each round);
- :mod:`.executor`: the warm executor that runs each task in a forked process;
- :mod:`.certs`: the local CA, the SuperLink's TLS certificate, the sites' key pairs;
- :mod:`.processes`: starting processes, stopping every one of them, ports, state file;
- :mod:`.diagnose`: log tails and hints for the faults the course provokes;
- :mod:`.credentials`: participant-made keys, and checks that name a wrong file at once;
- :mod:`.flower_processes`: Flower's SuperLink and SuperNode with the course's heartbeat
  and polling.

Names load when first used: the executor and the SuperNodes import this package's
modules without paying for torch, which only the process that trains imports.

The command line (``fedlearn-kit deploy up|link|node|status|down``) is wired in
:mod:`fedlearn_kit.cli`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fedlearn_kit.federation.deployment import certs, credentials
    from fedlearn_kit.federation.deployment.engine import run_deployment
    from fedlearn_kit.federation.deployment.lifecycle import (
        DEFAULT_WORKDIR,
        LESSON_WORKDIR,
        LOOPBACK,
        ROOM_WORKDIR,
        Deployment,
        default_workdir,
        down,
        keygen,
        lesson_workdir,
        link,
        load,
        node,
        register,
        room_workdir,
        status,
        up,
        work_root,
        workdirs,
    )
    from fedlearn_kit.federation.deployment.processes import (
        DeploymentError,
        PortInUseError,
        free_port,
        port_free,
    )

_HOME = {
    **dict.fromkeys(("certs", "credentials"), ""),
    "run_deployment": "engine",
    **dict.fromkeys(("DEFAULT_WORKDIR", "LESSON_WORKDIR", "LOOPBACK", "ROOM_WORKDIR",
                     "Deployment", "default_workdir", "down", "keygen", "lesson_workdir",
                     "link", "load", "node", "register", "room_workdir", "status", "up",
                     "work_root", "workdirs"), "lifecycle"),
    **dict.fromkeys(("DeploymentError", "PortInUseError", "free_port", "port_free"),
                    "processes"),
}

__all__ = ["DEFAULT_WORKDIR", "LESSON_WORKDIR", "LOOPBACK", "ROOM_WORKDIR", "Deployment",
           "DeploymentError", "PortInUseError", "certs", "credentials", "default_workdir",
           "down", "free_port", "keygen", "lesson_workdir", "link", "load", "node",
           "port_free", "register", "room_workdir", "run_deployment", "status", "up",
           "work_root", "workdirs"]

#: Default folders, computed from the current folder on every access (never cached here).
_NOW = ("DEFAULT_WORKDIR", "LESSON_WORKDIR", "ROOM_WORKDIR")


def __getattr__(name: str) -> Any:
    """Load a public name from the module that implements it, on first use."""
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = _HOME[name]
    if not module:
        return importlib.import_module(f"{__name__}.{name}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    if name not in _NOW:
        globals()[name] = value
    return value
