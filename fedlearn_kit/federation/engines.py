"""Run an Experiment federated on one of three engines, get one Result (lesson 04).

``run(exp, engine="local")`` drives the kit's Flower apps in this process through
:class:`~fedlearn_kit.federation.local.LocalGrid`: no Ray, no subprocess, deterministic, a
second or two. ``engine="simulation"`` runs the same apps on Flower's simulation runtime
(Ray) in a subprocess (:mod:`~fedlearn_kit.federation.simulation`). ``engine="deployment"``
runs them on a SuperLink and one SuperNode per site
(:mod:`~fedlearn_kit.federation.deployment`). All three return the same :class:`Result`,
and for the same seed the same weights.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fedlearn_kit.experiment import Experiment
from fedlearn_kit.federation import local, settings, simulation
from fedlearn_kit.federation.apps import check_min_sites
from fedlearn_kit.federation.config import experiment_to_config
from fedlearn_kit.federation.result import (
    Result,
    load_result,
    progress_default,
    quiet_flower,
)

__all__ = ["ENGINES", "Result", "load_result", "quiet_flower", "run"]

ENGINES = ("local", "simulation", "deployment")


def _local(exp: Experiment, *, min_sites: int, server_eval: bool, progress: bool,
           timeout: float, **options: Any) -> Result:
    config = experiment_to_config(exp, min_sites=min_sites, server_eval=server_eval)
    return local.run_local(exp, config, progress=progress, timeout=timeout, **options)


def _simulation(exp: Experiment, *, min_sites: int, server_eval: bool, progress: bool,
                timeout: float, **options: Any) -> Result:
    if options:
        raise TypeError(f"engine='simulation' takes no options {sorted(options)}.")
    config = experiment_to_config(exp, min_sites=min_sites, server_eval=server_eval)
    return simulation.run_simulation(exp, config, progress=progress, timeout=timeout)


def _deployment(exp: Experiment, **options: Any) -> Result:
    # Imported only here: an in-process or simulation run loads nothing of the deployment
    # (its processes, certificates, `cryptography`).
    from fedlearn_kit.federation.deployment.engine import run_deployment

    return run_deployment(exp, **options)


#: Each engine takes the experiment and the same keyword arguments (see :func:`run`).
RUNNERS: dict[str, Callable[..., Result]] = {
    "local": _local, "simulation": _simulation, "deployment": _deployment}


def run(experiment: Experiment | None = None, engine: str = "local", *, min_sites: int = 1,
        server_eval: bool = True, progress: bool | None = None,
        timeout: float = settings.RUN_TIMEOUT, **kwargs: Any) -> Result:
    """Train ``experiment`` federated with Flower on ``engine`` and return the :class:`Result`.

    ``min_sites``: the fewest sites that must reply in a round; a site that fails is
    recorded as missing that round and training goes on while at least this many remain.
    ``server_eval``: evaluate the global model on the pooled test patients every round.
    ``progress``: a progress bar over rounds (default: on, unless the environment variable
    ``FEDLEARN_PROGRESS`` is ``0``). ``timeout``: seconds the whole run may take on any
    engine; a run that takes longer is stopped with :class:`TimeoutError`. Other keyword
    arguments go to the engine: ``client_app`` and ``server_app`` (local engine, e.g. apps
    built with hooks, or a site that fails), or the deployment engine's options
    (``deployment``, ``workdir``, ``insecure``, ``drop_site``, ...). Every engine honours
    ``min_sites``, ``server_eval``, ``progress`` and ``timeout``.
    """
    exp = experiment or Experiment()
    if not isinstance(exp, Experiment):
        raise TypeError(f"run() needs a fedlearn_kit.Experiment, got {type(exp).__name__}.")
    if engine not in RUNNERS:
        raise ValueError(f"engine={engine!r}: choose one of {ENGINES}.")
    check_min_sites(min_sites, exp.num_sites)
    return RUNNERS[engine](exp, min_sites=min_sites, server_eval=server_eval,
                           progress=progress_default(progress), timeout=timeout, **kwargs)
