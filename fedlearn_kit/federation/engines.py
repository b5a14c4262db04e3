"""Run an Experiment federated on one of three engines, get one Result (lesson 04).

Every engine runs the same Flower app folder (the course's ``app/`` unless ``app=`` names
another). ``run(exp, engine="local")`` loads the components its ``pyproject.toml`` names and
drives them in this process through :class:`~fedlearn_kit.federation.local.LocalGrid`: no
Ray, no subprocess, deterministic, a second or two. ``engine="simulation"`` runs the folder
with ``flwr run`` on Flower's simulation runtime (Ray) (:mod:`~fedlearn_kit.federation.
simulation`). ``engine="deployment"`` runs it with ``flwr run`` on a SuperLink and one
SuperNode per site (:mod:`~fedlearn_kit.federation.deployment`). All three return the same
:class:`Result`, and for the same seed the same weights.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from fedlearn_kit.experiment import Experiment
from fedlearn_kit.federation import local, settings, simulation
from fedlearn_kit.federation.config import check_min_sites
from fedlearn_kit.federation.result import (
    Result,
    load_result,
    progress_default,
    quiet_flower,
)
from fedlearn_kit.i18n import _

__all__ = ["ENGINES", "Result", "load_result", "quiet_flower", "run"]

ENGINES = ("local", "simulation", "deployment")


def _deployment(exp: Experiment, **options: Any) -> Result:
    # Imported only here: an in-process or simulation run loads nothing of the deployment
    # (its processes, certificates, `cryptography`).
    from fedlearn_kit.federation.deployment.engine import run_deployment

    return run_deployment(exp, **options)


#: Each engine takes the experiment and the same keyword arguments (see :func:`run`).
RUNNERS: dict[str, Callable[..., Result]] = {
    "local": local.run_local, "simulation": simulation.run_simulation,
    "deployment": _deployment}


def run(experiment: Experiment | None = None, engine: str = "local", *,
        app: str | Path | None = None, min_sites: int = 1, server_eval: bool = True,
        progress: bool | None = None, timeout: float = settings.RUN_TIMEOUT,
        **kwargs: Any) -> Result:
    """Train ``experiment`` federated with Flower on ``engine`` and return the :class:`Result`.

    ``app``: the Flower app folder to run (default: the course's ``app/``).
    ``min_sites``: the fewest sites that must reply in a round; a site that fails is
    recorded as missing that round and training goes on while at least this many remain.
    ``server_eval``: evaluate the global model on the pooled test patients every round.
    ``progress``: a progress bar over rounds (default: on, unless the environment variable
    ``FEDLEARN_PROGRESS`` is ``0``). ``timeout``: seconds the whole run may take on any
    engine; a run that takes longer is stopped with :class:`TimeoutError`. Other keyword
    arguments go to the engine: ``client_app``, ``server_app`` and ``echo`` (local engine:
    a Flower app that replaces one of the folder's, e.g. its handlers registered with a
    Flower mod; show what the apps print), or the deployment engine's options
    (``deployment``, ``workdir``, ``insecure``, ``drop_site``, ...). Every engine honours
    ``app``, ``min_sites``, ``server_eval``, ``progress`` and ``timeout``.
    """
    exp = experiment or Experiment()
    if not isinstance(exp, Experiment):
        raise TypeError(_("run() needs a fedlearn_kit.Experiment, got {type}.").format(
            type=type(exp).__name__))
    if engine not in RUNNERS:
        raise ValueError(_("engine={engine}: choose one of {engines}.").format(
            engine=repr(engine), engines=ENGINES))
    check_min_sites(min_sites, exp.num_sites)
    return RUNNERS[engine](exp, app=app, min_sites=min_sites, server_eval=server_eval,
                           progress=progress_default(progress), timeout=timeout, **kwargs)
