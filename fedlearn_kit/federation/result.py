"""What a federated run returns, on every engine: :class:`Result` (lesson 04).

Also the small pieces every engine shares: reading the outcome a ServerApp saved
(:func:`load_result`), a progress bar over rounds (:func:`progress_bar`), Flower's log level
(:func:`quiet_flower`) and the default of ``progress`` (:func:`progress_default`).
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import torch

from fedlearn_kit.experiment import Experiment
from fedlearn_kit.federation.task import new_net
from fedlearn_kit.i18n import _
from fedlearn_kit.training import TrainedModel

STRATEGY_NAMES = {"fedavg": "FedAvg", "fedprox": "FedProx"}
#: The app's ServerApp prints this when a round's evaluation replies are in (its round
#: log's ``ROUND_DONE``): the engines that run it in another process follow it.
_ROUND_DONE = re.compile(r"^round (\d+) of (\d+) took ")
#: Set to ``0`` to hide the progress bars of every run (CI logs, papermill).
PROGRESS_ENV = "FEDLEARN_PROGRESS"


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
        """Build from what the app's ServerApp saved: its round log (``RoundLog.summary``)."""
        names = [s.name for s in exp.sites()]

        def name(partition: int | None) -> str:
            return "?" if partition is None or not 0 <= partition < len(names) \
                else names[partition]

        def plain(metrics: dict[str, Any]) -> dict[str, Any]:
            return {k.replace("-", "_"): v for k, v in metrics.items()}

        rows = []
        for reply in summary["replies"]:
            row = dict(reply)
            rows.append({"round": row.pop("round"), "stage": row.pop("stage"),
                         "site": name(row.pop("partition")), **plain(row)})
        for aggregate in summary["aggregated"]:
            row = dict(aggregate)
            server_round, stage = row.pop("round"), row.pop("stage")
            if stage == "server":
                rows.append({"round": server_round, "stage": stage, "site": "pooled test",
                             **plain(row)})
                continue
            counted = sum(r["num_examples"] for r in rows if r["round"] == server_round
                          and r["stage"] == stage and r["site"] in names)
            rows.append({"round": server_round, "stage": stage, "site": "all",
                         "num_examples": counted, **plain(row)})
        history = pd.DataFrame(rows)
        if len(history):
            # Replies arrive in any order on Flower's runtimes: sort into one fixed order.
            stages = {"train": 0, "evaluate": 1, "server": 2}
            sites = {s: i for i, s in enumerate([*names, "all", "pooled test", "?"])}
            history = (history.assign(_stage=history["stage"].map(stages),
                                      _site=history["site"].map(sites))
                       .sort_values(["round", "_stage", "_site"], kind="stable")
                       .drop(columns=["_stage", "_site"]).reset_index(drop=True))
        errors = [{**{k: v for k, v in e.items() if k != "partition"},
                   "site": name(e.get("partition"))} for e in summary["errors"]]
        return cls(exp, engine, state_dict, history,
                   {int(k): tuple(map(name, v)) for k, v in summary["took_part"].items()},
                   {int(k): tuple(map(name, v)) for k, v in summary["missing"].items()},
                   errors, seconds)

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
        net = new_net(self.experiment)
        net.load_state_dict(self.state_dict)
        trained_on = tuple(sorted({s for sites in self.took_part.values() for s in sites}))
        label = name or f"federated ({STRATEGY_NAMES[self.experiment.strategy]})"
        return TrainedModel(label, net, trained_on)

    def report_errors(self) -> None:
        """Print one line per site failure of the run (round, stage, site, cause) to stderr.

        The full reason, with the traceback, stays in :attr:`errors`; a learner reading a
        run's output needs which site failed and why, not fifty lines of stack.
        """
        for error in self.errors:
            lines = [line for line in str(error["reason"]).strip().splitlines() if line.strip()]
            cause = lines[-1].strip() if lines else _("no reason given")
            print(_("Round {round} ({stage}): site {site} failed and was left out: {cause} "
                    "(details: result.errors)").format(round=error["round"],
                                                       stage=error["stage"],
                                                       site=error["site"], cause=cause),
                  file=sys.stderr)

    def __repr__(self) -> str:
        exp = self.experiment
        dropped = f", {sum(map(len, self.missing.values()))} site-round(s) missing" \
            if self.missing else ""
        return (f"Result({STRATEGY_NAMES[exp.strategy]}, {exp.num_sites} sites, "
                f"{exp.num_rounds} rounds, engine={self.engine!r}{dropped})")


def load_result(exp: Experiment, path: str | Path, engine: str = "deployment",
                seconds: float = float("nan")) -> Result:
    """The Result of a run whose ServerApp saved its model and round log at ``path``.

    The app's ServerApp saves them when its run config has a ``result-path``
    (``run_config(exp, result_path=...)``).
    """
    saved = torch.load(path, weights_only=True)
    return Result.from_summary(exp, engine, saved["state_dict"], json.loads(saved["summary"]),
                               seconds)


def round_done(line: str) -> int | None:
    """The round number if ``line`` is the app's "round K of N took ..." line, else None."""
    match = _ROUND_DONE.match(line.strip())
    return int(match.group(1)) if match else None


def progress_default(progress: bool | None) -> bool:
    """``progress`` if given, else on unless the environment says ``FEDLEARN_PROGRESS=0``."""
    if progress is None:
        return os.environ.get(PROGRESS_ENV, "1") != "0"
    return bool(progress)


@contextmanager
def progress_bar(total: int, show: bool, label: str) -> Iterator[Callable[[int], None]]:
    """A tqdm bar over rounds; yields a function that moves it to a given round."""
    if not show:
        yield lambda _round: None
        return
    from tqdm.auto import tqdm  # only when a bar is shown: tqdm.auto probes for Jupyter

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
