"""The deployment engine: ``federation.run(exp, engine="deployment")`` (lesson 07)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fedlearn_kit.experiment import Experiment
from fedlearn_kit.federation.deployment.lifecycle import Deployment, default_workdir, load, up
from fedlearn_kit.federation.result import Result


def run_deployment(experiment: Experiment, *, min_sites: int = 1, server_eval: bool = True,
                   progress: bool | None = None, timeout: float = 600.0,
                   deployment: Deployment | None = None, workdir: str | Path | None = None,
                   insecure: bool = False, **run_options: Any) -> Result:
    """Train ``experiment`` on ``deployment``, or on a running or fresh one in ``workdir``.

    Without ``deployment``, a deployment already running in ``workdir`` (for example one
    started with ``fedlearn-kit deploy up``) is used if it has one SuperNode per site;
    otherwise the kit starts a federation for the run (TLS and node authentication on
    unless ``insecure=True``) and always stops it afterwards. ``timeout`` bounds the run
    (``flwr run``), not the start of a fresh deployment. ``run_options`` go to
    :meth:`Deployment.run` (``drop_site``, ``drop_after_round``, ``connect_timeout``).
    """
    options: dict[str, Any] = dict(min_sites=min_sites, server_eval=server_eval,
                                   timeout=timeout, progress=progress, **run_options)
    if deployment is None:
        try:
            running: Deployment | None = load(workdir or default_workdir())
        except FileNotFoundError:
            running = None
        if (running is not None and running.num_sites == experiment.num_sites
                and any(p.alive() for p in running.processes)):
            deployment = running
    if deployment is not None:
        return deployment.run(experiment, **options)
    with up(experiment.num_sites, workdir, insecure=insecure) as dep:
        return dep.run(experiment, **options)
