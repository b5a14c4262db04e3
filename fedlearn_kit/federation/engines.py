"""Run an Experiment federated on one of three engines, get one Result (lesson 04).

``run(exp, engine="local")`` drives the kit's Flower apps in this process through
:class:`~fedlearn_kit.federation.local.LocalGrid`: no Ray, no subprocess, deterministic, a
second or two. ``engine="simulation"`` runs the same apps on Flower's simulation runtime
(Ray) in a subprocess with a timeout. ``engine="deployment"`` hands over to
:mod:`fedlearn_kit.federation.deploy` (a SuperLink and one SuperNode per site). All three
return the same :class:`Result`, and for the same seed the same weights.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import torch

from fedlearn_kit.experiment import Experiment
from fedlearn_kit.federation.config import experiment_to_config
from fedlearn_kit.paths import ROOT
from fedlearn_kit.training import TrainedModel, one_torch_thread

ENGINES = ("local", "simulation", "deployment")
STRATEGY_NAMES = {"fedavg": "FedAvg", "fedprox": "FedProx"}


@dataclass
class Result:
    """What a federated run produced: the global model, and what happened in each round.

    ``history`` has one row per round, stage (``train``, ``evaluate`` on each site's test
    split, ``server`` on the pooled test splits) and site (a site's name, ``all`` for
    Flower's example-weighted aggregate, ``pooled test`` for the server's evaluation).
    ``took_part`` maps a round to the sites whose update went into it, ``missing`` to the
    sites that failed or did not reply; ``errors`` keeps each failure's traceback.
    """

    experiment: Experiment
    engine: str
    state_dict: dict[str, torch.Tensor]
    history: pd.DataFrame
    took_part: dict[int, tuple[str, ...]]
    missing: dict[int, tuple[str, ...]] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = float("nan")
    #: Every message of the run, one row each (``local`` engine only; see ``messages()``).
    traffic: pd.DataFrame = field(default_factory=pd.DataFrame)

    @classmethod
    def from_summary(cls, exp: Experiment, engine: str, state_dict: dict[str, torch.Tensor],
                     summary: dict[str, Any], seconds: float) -> Result:
        """Build from what the ServerApp saved (see ``apps.save_outcome``)."""
        history = pd.DataFrame(summary["history"])
        if len(history):
            # Replies arrive in any order on Flower's runtimes: sort into one fixed order.
            stages = {"train": 0, "evaluate": 1, "server": 2}
            sites = {s: i for i, s in enumerate([*summary["sites"], "all", "pooled test"])}
            history = (history.assign(_stage=history["stage"].map(stages),
                                      _site=history["site"].map(sites))
                       .sort_values(["round", "_stage", "_site"], kind="stable")
                       .drop(columns=["_stage", "_site"]).reset_index(drop=True))
        return cls(exp, engine, state_dict, history,
                   {int(k): tuple(v) for k, v in summary["took_part"].items()},
                   {int(k): tuple(v) for k, v in summary["missing"].items()},
                   list(summary["errors"]), seconds)

    @property
    def sites(self) -> list[str]:
        """The experiment's sites, in order."""
        return [s.name for s in self.experiment.sites()]

    def site_metrics(self, metric: str = "auroc", stage: str = "evaluate") -> pd.DataFrame:
        """One row per round, one column per site (plus ``all``): e.g. each site's AUROC."""
        rows = self.history[self.history["stage"] == stage]
        return rows.pivot(index="round", columns="site", values=metric)

    def participation(self) -> pd.DataFrame:
        """One row per round, one column per site: True if its update was aggregated."""
        rounds = range(1, self.experiment.num_rounds + 1)
        return pd.DataFrame({s: [s in self.took_part.get(r, ()) for r in rounds]
                             for s in self.sites}, index=pd.Index(rounds, name="round"))

    def messages(self) -> pd.DataFrame:
        """What crossed the grid, one row per message: to whom, what it carried, its size.

        Only the ``local`` engine records this; on the other engines it is empty.
        """
        if self.traffic.empty:
            return self.traffic
        sites = self.sites
        frame = self.traffic.copy()
        frame.insert(3, "site", [sites[int(p)] for p in frame.pop("partition_id")])
        return frame

    def model(self, name: str | None = None) -> TrainedModel:
        """The global model as a :class:`TrainedModel`, comparable with local and central ones."""
        from fedlearn_kit.federation.task import new_net

        net = new_net(self.experiment)
        net.load_state_dict(self.state_dict)
        trained_on = tuple(sorted({s for sites in self.took_part.values() for s in sites}))
        label = name or f"federated ({STRATEGY_NAMES[self.experiment.strategy]})"
        return TrainedModel(label, net, trained_on)

    def __repr__(self) -> str:
        exp = self.experiment
        dropped = f", {sum(map(len, self.missing.values()))} site-round(s) missing" \
            if self.missing else ""
        return (f"Result({STRATEGY_NAMES[exp.strategy]}, {exp.num_sites} sites, "
                f"{exp.num_rounds} rounds, engine={self.engine!r}{dropped})")


def run(experiment: Experiment | None = None, engine: str = "local", *, min_sites: int = 1,
        server_eval: bool = True, progress: bool | None = None, timeout: float = 600.0,
        **kwargs: Any) -> Result:
    """Train ``experiment`` federated with Flower on ``engine`` and return the :class:`Result`.

    ``min_sites``: the fewest sites that must reply in a round; a site that fails is
    recorded as missing that round and training goes on while at least this many remain.
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
    if engine not in ENGINES:
        raise ValueError(f"engine={engine!r}: choose one of {ENGINES}.")
    from fedlearn_kit.federation.apps import check_min_sites

    check_min_sites(min_sites, exp.num_sites)
    if progress is None:
        progress = os.environ.get("FEDLEARN_PROGRESS", "1") != "0"
    if engine == "deployment":
        try:
            from fedlearn_kit.federation import deploy
        except ImportError as err:
            raise RuntimeError("The deployment engine (fedlearn_kit.federation.deploy) is not "
                               "available in this copy of the kit.") from err
        return deploy.run_deployment(exp, min_sites=min_sites, server_eval=server_eval,
                                     progress=progress, timeout=timeout, **kwargs)
    config = experiment_to_config(exp, min_sites=min_sites, server_eval=server_eval)
    if engine == "local":
        return run_local(exp, config, progress=progress, timeout=timeout, **kwargs)
    if kwargs:
        raise TypeError(f"engine='simulation' takes no options {sorted(kwargs)}.")
    return run_simulation(exp, config, progress=progress, timeout=timeout)


@contextmanager
def _rounds_bar(total: int, show: bool, label: str) -> Iterator[Callable[[int], None]]:
    """A tqdm bar over rounds; yields a function that moves it to a given round."""
    if not show:
        yield lambda _: None
        return
    from tqdm.auto import tqdm

    bar = tqdm(total=total, desc=label, unit="round")

    def to_round(server_round: int) -> None:
        bar.update(max(0, server_round - bar.n))

    try:
        yield to_round
    finally:
        bar.close()


@contextmanager
def quiet_flower(level: int = logging.WARNING) -> Iterator[None]:
    """Hide Flower's per-round INFO log lines for the block."""
    logger = logging.getLogger("flwr")
    previous = logger.level
    logger.setLevel(level)
    try:
        yield
    finally:
        logger.setLevel(previous)


def _report_errors(result: Result) -> None:
    for error in result.errors:
        print(f"Round {error['round']} ({error['stage']}): site {error['site']} "
              f"(node {error['node_id']}) failed and was left out.\n{error['reason']}",
              file=sys.stderr)


def run_local(exp: Experiment, config: dict[str, Any], *, progress: bool = False,
              timeout: float = 600.0, client_app: Any = None, server_app: Any = None
              ) -> Result:
    """The in-process engine: the ServerApp drives the ClientApp through a LocalGrid.

    ``client_app`` / ``server_app`` replace the kit's apps, e.g. ones built with hooks
    (``make_client_app(train_fn=...)``, ``make_server_app(wrap_strategy=...)``).

    ``timeout`` is checked after every round (a round in this process cannot be cut off
    half-way): once the run has taken longer, it stops with :class:`TimeoutError`.
    """
    from flwr.app import Context, RecordDict

    from fedlearn_kit.federation.apps import load_outcome, make_client_app, make_server_app
    from fedlearn_kit.federation.local import LocalGrid

    start = time.perf_counter()
    node_configs = [{"partition-id": i, "num-partitions": exp.num_sites}
                    for i in range(exp.num_sites)]
    server_context = Context(run_id=1, node_id=0, node_config={}, state=RecordDict(),
                             run_config=dict(config))
    with _rounds_bar(exp.num_rounds, progress, "rounds (local)") as to_round:

        def round_done(server_round: int) -> None:
            to_round(server_round)
            if time.perf_counter() - start > timeout:
                raise TimeoutError(f"The local engine did not finish within {timeout:g} s "
                                   f"and was stopped after round {server_round} of "
                                   f"{exp.num_rounds}.")

        grid = LocalGrid(client_app or make_client_app(), node_configs, config,
                         on_round=round_done)
        with quiet_flower(), one_torch_thread(), grid.identity():
            (server_app or make_server_app())(grid, server_context)
    state_dict, summary = load_outcome(server_context)
    result = Result.from_summary(exp, "local", state_dict, summary,
                                 time.perf_counter() - start)
    result.traffic = pd.DataFrame(grid.traffic)
    _report_errors(result)
    return result


def flower_home() -> Path:
    """Where Flower keeps its state for the kit: ``$FLWR_HOME`` or ``.flwr`` in the kit."""
    return Path(os.environ.get("FLWR_HOME") or ROOT / ".flwr")


def run_simulation(exp: Experiment, config: dict[str, Any], *, progress: bool = False,
                   timeout: float = 600.0) -> Result:
    """Flower's simulation runtime (Ray), in a subprocess that cannot hang the kernel."""
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="fedlearn-sim-") as tmp:
        result_path = Path(tmp) / "result.pt"
        config_path = Path(tmp) / "config.json"
        config_path.write_text(json.dumps(config | {"result-path": str(result_path)}))
        env = os.environ | {"FLWR_TELEMETRY_ENABLED": "0", "FLWR_HOME": str(flower_home()),
                            "PYTHONUNBUFFERED": "1"}
        command = [sys.executable, "-m", "fedlearn_kit.federation.simulation", str(config_path)]
        with _rounds_bar(exp.num_rounds, progress, "rounds (simulation)") as to_round:
            log = _run_streaming(command, env, timeout, to_round)
            to_round(exp.num_rounds)
        if not result_path.exists():
            raise RuntimeError("Flower's simulation ended without a result. Its output "
                               f"ended with:\n{_tail(log)}")
        result = load_result(exp, result_path, "simulation", time.perf_counter() - start)
    _report_errors(result)
    return result


def load_result(exp: Experiment, path: str | Path, engine: str = "deployment",
                seconds: float = float("nan")) -> Result:
    """The Result a ServerApp saved at its run config's ``result-path``.

    For engines whose ServerApp runs in another process: write the run config with
    ``experiment_to_config(exp, result_path=...)`` (or ``write_flower_app``), run, then call
    this with the same path.
    """
    from fedlearn_kit.federation.apps import load_outcome

    state_dict, summary = load_outcome(path)
    return Result.from_summary(exp, engine, state_dict, summary, seconds)


def _tail(lines: list[str], n: int = 60) -> str:
    return "".join(lines[-n:])


def _stop_group(pgid: int, grace: float = 5.0) -> None:
    """Give the subprocess's group (Ray's workers) ``grace`` seconds to exit, then kill it."""
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except (ProcessLookupError, PermissionError):
            return
        time.sleep(0.2)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def _run_streaming(command: list[str], env: dict[str, str], timeout: float,
                   to_round: Callable[[int], None]) -> list[str]:
    """Run ``command``, follow Flower's ``[ROUND k/N]`` lines, stop it after ``timeout``."""
    log: list[str] = []
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, start_new_session=True)

    def follow() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            log.append(line)
            if "[ROUND " in line:
                to_round(int(line.split("[ROUND ")[1].split("/")[0]) - 1)

    reader = threading.Thread(target=follow, daemon=True)
    reader.start()
    try:
        code = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # the whole group: Ray's workers too
        proc.wait()
        reader.join(timeout=5)
        raise TimeoutError(f"Flower's simulation did not finish within {timeout:.0f} s and "
                           f"was stopped. Its output ended with:\n{_tail(log)}") from None
    reader.join(timeout=5)
    _stop_group(proc.pid)
    if code != 0:
        raise RuntimeError(f"Flower's simulation failed (exit code {code}). Its output "
                           f"ended with:\n{_tail(log)}")
    return log
