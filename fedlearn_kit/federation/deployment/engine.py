"""The deployment engine: ``federation.run(exp, engine="deployment")`` (lesson 07)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fedlearn_kit.experiment import Experiment
from fedlearn_kit.federation.deployment.folders import default_workdir
from fedlearn_kit.federation.deployment.lifecycle import up
from fedlearn_kit.federation.deployment.process_control import DeploymentError
from fedlearn_kit.federation.deployment.state import Deployment, load
from fedlearn_kit.federation.result import Result
from fedlearn_kit.i18n import _


def run_deployment(experiment: Experiment, *, deployment: Deployment | None = None,
                   workdir: str | Path | None = None, insecure: bool = False,
                   **run_options: Any) -> Result:
    """Train ``experiment`` on ``deployment``, or on a running or fresh one in ``workdir``.

    Without ``deployment``, a deployment already running in ``workdir`` (for example one
    started with ``fedlearn-kit deploy up``) is used if it has one SuperNode per site;
    otherwise the kit starts a federation for the run (TLS and node authentication on
    unless ``insecure=True``) and always stops it afterwards. ``run_options`` go to
    :func:`.runs.run_on`, which lists them (``app``, ``min_sites``, ``server_eval``,
    ``progress`` and ``timeout`` from :func:`fedlearn_kit.federation.run`; ``drop_site``, ...);
    ``timeout`` bounds the run (``flwr run``), not the start of a fresh deployment.
    """
    if deployment is None:
        try:
            running: Deployment | None = load(workdir or default_workdir())
        except FileNotFoundError:
            running = None
        if running is not None and running.role != "local":
            # A workshop room's folder: run on its SuperLink, never start a federation here.
            link = running.process("superlink")
            if link is None or not link.alive():
                raise DeploymentError(_(
                    "{workdir} holds a workshop room whose SuperLink is not running: start "
                    "it again with `fedlearn-kit deploy link` (same options as before), then "
                    "run again.").format(workdir=running.workdir))
            deployment = running
        elif (running is not None and running.num_sites == experiment.num_sites
                and any(p.alive() for p in running.processes)):
            deployment = running
    if deployment is not None:
        return deployment.run(experiment, **run_options)
    with up(experiment.num_sites, workdir, insecure=insecure) as dep:
        return dep.run(experiment, **run_options)
