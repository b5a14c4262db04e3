"""The Flower apps of the course: one ClientApp and one ServerApp (lesson 04).

The same two apps run on every engine: the kit's in-process engine, Flower's simulation
runtime and Flower's deployment engine (``flwr run``). They follow Flower's
quickstart-pytorch: the ClientApp loads the global model from the message, trains or
evaluates it on its own site's data (:mod:`fedlearn_kit.federation.task`, no Flower code)
and replies; the ServerApp hands the rounds to one of Flower's strategies (FedAvg or
FedProx, weighted by each site's number of training examples).

What the kit adds on top of Flower, all in this module:

- each SuperNode learns which site it is from its node config (``partition-id``,
  ``num-partitions``) and loads only that site's data;
- the experiment's values travel in the run config (kebab-case keys, see
  :mod:`fedlearn_kit.federation.config`);
- the strategy records every site's metrics in every round, which sites took part and
  which failed (with the ClientApp's traceback), and stops the run with a clear error
  when fewer than ``min-sites`` sites reply;
- the ServerApp keeps the outcome in its ``Context.state`` and, when the run config names
  a ``result-path``, saves it there for the engine to read.

Extension points, so the rest of the kit changes the apps without copying them:

- ``make_client_app(train_fn=...)``: how a site trains (e.g. DP-SGD instead of SGD); the
  function gets the global model, the site's data and a :class:`TrainRequest`;
- ``make_client_app(mods=..., train_mods=..., evaluate_mods=...)``: Flower mods for the
  whole app or one handler (e.g. ``LocalDpMod`` on training replies only, a tap that
  keeps what the coordinator receives, a site that stops answering);
- ``make_server_app(wrap_strategy=...)``: wrap the kit's strategy (e.g. one of Flower's
  differential-privacy wrappers); ``make_server_app(on_round=...)``: be told when each
  round's evaluation is in.

The helpers a custom handler needs are public: :func:`node_setup` (which site and
experiment this node serves), :func:`load_global` (the global model of a message),
:func:`train_reply` (the reply the strategy expects).
"""

from __future__ import annotations

import json
import time
import traceback
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from flwr.app import (
    ArrayRecord,
    ConfigRecord,
    Context,
    Error,
    Message,
    MetricRecord,
    RecordDict,
)
from flwr.clientapp import ClientApp
from flwr.serverapp import Grid, ServerApp
from flwr.serverapp.strategy import FedAvg, FedProx, Strategy
from torch import nn

from fedlearn_kit.experiment import Experiment
from fedlearn_kit.federation._flower import CLIENT_APP_RAISED_EXCEPTION, aggregate_metricrecords
from fedlearn_kit.federation.config import experiment_from_config, merged_config
from fedlearn_kit.federation.task import (
    evaluate_net,
    load_site,
    new_net,
    pooled_test,
    round_seed,
    site_name,
    train_site,
)
from fedlearn_kit.training import Split, one_torch_thread

#: The node-config keys that tell a SuperNode which site it is (Flower's convention).
PARTITION_KEY = "partition-id"
NUM_PARTITIONS_KEY = "num-partitions"
#: The metric Flower's strategies weight each reply by.
WEIGHT_KEY = "num-examples"
STATE_ARRAYS = "fedlearn-global-arrays"
STATE_SUMMARY = "fedlearn-summary"


#: A Flower mod: ``mod(msg, context, call_next) -> reply`` (see ``flwr.clientapp.mod``).
Mod = Callable[[Message, Context, Callable[[Message, Context], Message]], Message]
#: Wraps the kit's strategy in another, e.g. ``lambda s: DifferentialPrivacyServerSide...(s,
#: ...)``; the wrapper must pass aggregation on to the wrapped strategy (Flower's do).
StrategyWrapper = Callable[[Strategy], Strategy]


class SiteDropoutError(RuntimeError):
    """Fewer sites replied in a round than the run's ``min-sites`` allows."""


# --------------------------------------------------------------------------- ClientApp

def report_exceptions(msg: Message, context: Context,
                      call_next: Callable[[Message, Context], Message]) -> Message:
    """A Flower mod: an exception in a handler becomes an error reply with its traceback.

    Without it the server sees only a count of failures; with it, the engine can show the
    site's traceback next to the round it spoiled.
    """
    try:
        return call_next(msg, context)
    except Exception:  # noqa: BLE001 - every failure of a site is reported, not raised
        where = context.node_config.get(PARTITION_KEY, "?")
        reason = f"ClientApp with partition-id {where} raised:\n{traceback.format_exc()}"
        return Message(Error(code=CLIENT_APP_RAISED_EXCEPTION, reason=reason), reply_to=msg)


def node_setup(context: Context, config: Mapping[str, object] | None = None
               ) -> tuple[Experiment, int]:
    """The experiment (from the run config) and this node's site index (from node config).

    ``config`` is the fallback run config for runtimes that pass an empty one (see
    :func:`make_client_app`). Raises a ``ValueError`` that says how to start the SuperNode
    when its node config is missing or does not fit the run.
    """
    exp = experiment_from_config(merged_config(config, context.run_config))
    missing = [k for k in (PARTITION_KEY, NUM_PARTITIONS_KEY) if k not in context.node_config]
    if missing:
        raise ValueError(f"This SuperNode's node config lacks {missing}: start it with "
                         f'--node-config "partition-id=K num-partitions={exp.num_sites}".')
    partition_id = int(context.node_config[PARTITION_KEY])
    num_partitions = int(context.node_config[NUM_PARTITIONS_KEY])
    if num_partitions != exp.num_sites:
        raise ValueError(f"num-partitions={num_partitions} in the node config, but the run has "
                         f"num-sites={exp.num_sites}; give every SuperNode the same number.")
    site_name(exp, partition_id)  # a clear error for an out-of-range partition-id
    return exp, partition_id


def load_global(exp: Experiment, msg: Message) -> nn.Module:
    """The experiment's network with the global weights the message carries."""
    net = new_net(exp)
    net.load_state_dict(msg.content.array_records["arrays"].to_torch_state_dict())
    return net


def train_reply(msg: Message, net: nn.Module, metrics: Mapping[str, float],
                num_examples: int, partition_id: int) -> Message:
    """The reply to a training message that the kit's strategy expects.

    The trained weights, the site's ``metrics``, its number of training examples (the
    FedAvg weight) and its ``partition-id`` (so the server can name the site).
    """
    record = MetricRecord({**metrics, WEIGHT_KEY: num_examples, PARTITION_KEY: partition_id})
    content = RecordDict({"arrays": ArrayRecord(net.state_dict()), "metrics": record})
    return Message(content=content, reply_to=msg)


# Kept for code written against the first version; new code uses the public names.
_node_setup = lambda config, context: node_setup(context, config)  # noqa: E731
_load_global = load_global


@dataclass(frozen=True)
class TrainRequest:
    """What a training function is asked to do in one round at one site.

    ``context`` is the SuperNode's Flower :class:`Context`; its ``state`` lives for the
    whole run, so a training function can keep things between rounds there (e.g. a
    privacy accountant's history). ``config`` is the message's config record as sent by
    the strategy (``lr``, ``server-round``, ``proximal-mu`` for FedProx, ...).
    """

    exp: Experiment
    partition_id: int
    server_round: int
    lr: float
    seed: int
    proximal_mu: float
    config: Mapping[str, Any]
    context: Context


#: A site's training step: train ``net`` in place on ``split`` and return the loss, or a
#: dict of metrics with at least ``loss`` (e.g. ``{"loss": ..., "epsilon": ...}``).
TrainFn = Callable[[nn.Module, Split, TrainRequest], "float | Mapping[str, float]"]


def sgd_train(net: nn.Module, split: Split, request: TrainRequest) -> float:
    """The course's training step: :func:`~fedlearn_kit.federation.task.train_site`."""
    return train_site(net, split, request.exp, lr=request.lr, seed=request.seed,
                      proximal_mu=request.proximal_mu)


def make_client_app(config: Mapping[str, object] | None = None, *,
                    train_fn: TrainFn | None = None,
                    mods: Sequence[Mod] = (report_exceptions,),
                    train_mods: Sequence[Mod] = (), evaluate_mods: Sequence[Mod] = ()
                    ) -> ClientApp:
    """The ClientApp: train and evaluate one site's model when the server asks.

    ``config`` (a run config, e.g. from :func:`experiment_to_config`) is the fallback for
    runtimes that pass an empty run config, such as ``flwr.simulation.run_simulation``.
    ``train_fn`` replaces the training step (default :func:`sgd_train`). ``mods`` are
    Flower mods around both handlers (default: :func:`report_exceptions`; the first is the
    outermost); ``train_mods`` / ``evaluate_mods`` wrap one handler only, inside ``mods``,
    as ``@app.train(mods=[...])`` does.
    """
    train_step = train_fn or sgd_train
    app = ClientApp(mods=list(mods))

    @app.train(mods=list(train_mods))
    def train(msg: Message, context: Context) -> Message:
        exp, partition_id = node_setup(context, config)
        net = load_global(exp, msg)
        split = load_site(exp, partition_id)
        train_config: dict[str, Any] = dict(msg.content.config_records["config"])
        server_round = int(train_config["server-round"])
        request = TrainRequest(
            exp, partition_id, server_round, lr=float(train_config.get("lr", exp.lr)),
            seed=round_seed(exp, server_round, partition_id),
            proximal_mu=float(train_config.get("proximal-mu", 0.0)),
            config=train_config, context=context)
        with one_torch_thread():  # the same arithmetic on every engine, and faster
            outcome = train_step(net, split, request)
        metrics = {"loss": float(outcome)} if isinstance(outcome, int | float) \
            else dict(outcome)
        return train_reply(msg, net, metrics, len(split.train), partition_id)

    @app.evaluate(mods=list(evaluate_mods))
    def evaluate(msg: Message, context: Context) -> Message:
        exp, partition_id = node_setup(context, config)
        net = load_global(exp, msg)
        split = load_site(exp, partition_id)
        metrics = MetricRecord({**evaluate_net(net, split.test), WEIGHT_KEY: len(split.test),
                                PARTITION_KEY: partition_id})
        return Message(content=RecordDict({"metrics": metrics}), reply_to=msg)

    return app


# --------------------------------------------------------------------------- ServerApp

def aggregate_site_metrics(records: list[RecordDict], weighted_by_key: str) -> MetricRecord:
    """Flower's weighted average of the replies' metrics, leaving out the site index."""
    cleaned = []
    for record in records:
        metrics = next(iter(record.metric_records.values()))
        cleaned.append(RecordDict({"metrics": MetricRecord(
            {k: v for k, v in metrics.items() if k != PARTITION_KEY})}))
    return aggregate_metricrecords(cleaned, weighted_by_key)


class SiteRecorder:
    """Per-site metrics, participation and failures of every round of a run."""

    def __init__(self, sites: list[str], min_sites: int,
                 on_round: Callable[[int], None] | None = None) -> None:
        self.sites = sites
        self.min_sites = min_sites
        #: Called with the round number once that round's evaluation replies are recorded.
        self.on_round = on_round
        self.rows: list[dict[str, Any]] = []
        self.took_part: dict[int, list[str]] = {}
        self.missing: dict[int, list[str]] = {}
        self.errors: list[dict[str, Any]] = []
        self.node_sites: dict[int, str] = {}

    def take(self, stage: str, server_round: int, replies: Iterable[Message]) -> list[Message]:
        """Record one stage of one round; raise :class:`SiteDropoutError` if too few replied."""
        replies = list(replies)
        replied = []
        for msg in replies:
            node_id = msg.metadata.src_node_id
            if msg.has_error():
                self.errors.append({"round": server_round, "stage": stage, "node_id": node_id,
                                    "site": self.node_sites.get(node_id, "?"),
                                    "reason": msg.error.reason})
                continue
            metrics: dict[str, Any] = dict(next(iter(msg.content.metric_records.values())))
            site = self.sites[int(metrics.pop(PARTITION_KEY))]
            self.node_sites[node_id] = site
            replied.append(site)
            row = {"round": server_round, "stage": stage, "site": site,
                   "num_examples": int(metrics.pop(WEIGHT_KEY))}
            self.rows.append(row | {k.replace("-", "_"): v for k, v in metrics.items()})
        replied.sort(key=self.sites.index)
        missing = [s for s in self.sites if s not in replied]
        if stage == "train":
            self.took_part[server_round] = replied
        if missing:
            self.missing[server_round] = sorted(set(self.missing.get(server_round, [])) |
                                                set(missing), key=self.sites.index)
        if len(replied) < self.min_sites:
            details = "\n".join(f"- node {e['node_id']} ({e['site']}): {e['reason']}"
                                for e in self.errors if e["round"] == server_round)
            raise SiteDropoutError(
                f"Round {server_round} ({stage}): {len(replied)} of {len(self.sites)} sites "
                f"replied ({', '.join(replied) or 'none'}), fewer than min_sites="
                f"{self.min_sites}. Missing: {', '.join(missing)}.\n{details}".rstrip())
        if stage == "evaluate" and self.on_round is not None:
            self.on_round(server_round)
        return replies

    def summary(self, result: Any) -> dict[str, Any]:
        """Per-site rows plus Flower's aggregated metrics, as plain JSON-ready values."""
        rows = list(self.rows)
        for stage, by_round in (("train", result.train_metrics_clientapp),
                                ("evaluate", result.evaluate_metrics_clientapp),
                                ("server", result.evaluate_metrics_serverapp)):
            for server_round, metrics in sorted(by_round.items()):
                site = "pooled test" if stage == "server" else "all"
                n = sum(r["num_examples"] for r in self.rows
                        if r["round"] == server_round and r["stage"] == stage)
                row = {"round": server_round, "stage": stage, "site": site}
                if stage != "server":
                    row["num_examples"] = n
                rows.append(row | {k.replace("-", "_"): v for k, v in metrics.items()})
        return {"sites": self.sites, "history": rows,
                "took_part": {str(k): v for k, v in self.took_part.items()},
                "missing": {str(k): v for k, v in self.missing.items()},
                "errors": self.errors}


class RecordingStrategy(Strategy):
    """The outermost strategy of every run: hand each round's replies to a :class:`SiteRecorder`,
    then to the strategy it wraps.

    Recording from the outside leaves the wrapped strategy exactly Flower's: its DP wrappers
    only account for privacy around a plain ``FedAvg`` (``aggregate_train`` not overridden).
    """

    def __init__(self, strategy: Strategy, recorder: SiteRecorder) -> None:
        super().__init__()
        self.strategy = strategy
        self.recorder = recorder

    def configure_train(self, server_round: int, arrays: ArrayRecord, config: ConfigRecord,
                        grid: Grid) -> Iterable[Message]:
        return self.strategy.configure_train(server_round, arrays, config, grid)

    def aggregate_train(self, server_round: int, replies: Iterable[Message]) -> Any:
        replies = self.recorder.take("train", server_round, replies)
        return self.strategy.aggregate_train(server_round, replies)

    def configure_evaluate(self, server_round: int, arrays: ArrayRecord, config: ConfigRecord,
                           grid: Grid) -> Iterable[Message]:
        return self.strategy.configure_evaluate(server_round, arrays, config, grid)

    def aggregate_evaluate(self, server_round: int, replies: Iterable[Message]) -> Any:
        replies = self.recorder.take("evaluate", server_round, replies)
        return self.strategy.aggregate_evaluate(server_round, replies)

    def summary(self) -> None:
        self.strategy.summary()


def make_strategy(exp: Experiment, min_sites: int = 1) -> FedAvg:
    """The experiment's Flower strategy (FedAvg or FedProx): every connected site in every round."""
    common: dict[str, Any] = dict(
        fraction_train=1.0, fraction_evaluate=1.0, min_train_nodes=min_sites,
        min_evaluate_nodes=min_sites, min_available_nodes=min_sites, weighted_by_key=WEIGHT_KEY,
        train_metrics_aggr_fn=aggregate_site_metrics,
        evaluate_metrics_aggr_fn=aggregate_site_metrics)
    if exp.strategy == "fedprox":
        return FedProx(proximal_mu=exp.proximal_mu, **common)
    return FedAvg(**common)


def server_evaluate_fn(exp: Experiment) -> Callable[[int, ArrayRecord], MetricRecord]:
    """Server-side evaluation of the global model on every site's test patients pooled.

    A teaching yardstick: a real coordinator would hold no patients of the sites.
    """
    test = pooled_test(exp)

    def evaluate(server_round: int, arrays: ArrayRecord) -> MetricRecord:
        net = new_net(exp)
        net.load_state_dict(arrays.to_torch_state_dict())
        return MetricRecord({**evaluate_net(net, test), WEIGHT_KEY: len(test)})

    return evaluate


#: Told, at every look while sites are missing: (connected, expected, seconds left); the
#: seconds are 0 once the wait gives up and the run starts with the sites present.
WaitNote = Callable[[int, int, float], None]


def wait_for_sites(grid: Grid, num_sites: int, min_sites: int, timeout: float,
                   on_wait: WaitNote | None = None) -> list[int]:
    """Wait until every site's SuperNode has connected (or ``timeout``); need ``min_sites``."""
    deadline = time.monotonic() + timeout
    while len(nodes := list(grid.get_node_ids())) < num_sites:
        left = max(0.0, deadline - time.monotonic())
        if on_wait is not None:
            on_wait(len(nodes), num_sites, left)
        if left <= 0:
            break
        time.sleep(0.2)
    if len(nodes) < min_sites:
        raise SiteDropoutError(f"Only {len(nodes)} of {num_sites} SuperNodes connected within "
                               f"{timeout:.0f} s, fewer than min_sites={min_sites}. Are all "
                               "SuperNodes running and pointed at this SuperLink?")
    return nodes


def check_min_sites(min_sites: int, num_sites: int) -> int:
    """``min_sites`` as an int between 1 and ``num_sites``, or a clear error."""
    if not 1 <= int(min_sites) <= num_sites:
        raise ValueError(f"min_sites={min_sites}: must be between 1 and num_sites={num_sites} "
                         "(the fewest sites that must reply for a round to count).")
    return int(min_sites)


def make_server_app(config: Mapping[str, object] | None = None, *,
                    wrap_strategy: StrategyWrapper | None = None,
                    on_round: Callable[[int], None] | None = None,
                    on_wait: WaitNote | None = None) -> ServerApp:
    """The ServerApp: run the experiment's strategy for ``num_rounds`` rounds.

    ``config`` is the fallback run config, as for :func:`make_client_app`.
    ``wrap_strategy`` receives Flower's FedAvg or FedProx as the experiment configures it and
    returns the strategy to run, e.g. Flower's
    ``DifferentialPrivacyClientSideFixedClipping(strategy, ...)``; the kit records every
    site's replies around whatever it returns (:class:`RecordingStrategy`). ``on_round`` is called
    with the round number as soon as that round's evaluation replies are in. ``on_wait``
    hears how the wait for the sites goes (:data:`WaitNote`), e.g. to print a countdown.
    """
    app = ServerApp()

    @app.main()
    def main(grid: Grid, context: Context) -> None:
        cfg = merged_config(config, context.run_config)
        exp = experiment_from_config(cfg)
        min_sites = check_min_sites(int(cfg["min-sites"]), exp.num_sites)  # type: ignore[call-overload]
        wait_for_sites(grid, exp.num_sites, min_sites, float(cfg["connect-timeout"]),  # type: ignore[arg-type]
                       on_wait)
        recorder = SiteRecorder([s.name for s in exp.sites()], min_sites, on_round)
        strategy: Strategy = make_strategy(exp, min_sites)
        if wrap_strategy is not None:
            strategy = wrap_strategy(strategy)
        strategy = RecordingStrategy(strategy, recorder)  # notes which sites replied
        result = strategy.start(
            grid=grid, initial_arrays=ArrayRecord(new_net(exp).state_dict()),
            num_rounds=exp.num_rounds, timeout=float(cfg["round-timeout"]),  # type: ignore[arg-type]
            train_config=ConfigRecord({"lr": exp.lr}),
            evaluate_fn=server_evaluate_fn(exp) if cfg["server-eval"] else None)
        save_outcome(context, result.arrays, recorder.summary(result), str(cfg["result-path"]))

    return app


# --------------------------------------------------------------------------- outcome

def save_outcome(context: Context, arrays: ArrayRecord, summary: dict[str, Any],
                 path: str = "") -> None:
    """Keep the final global model and the run's summary in the ServerApp's Context state,
    and in a file at ``path`` if given (``torch.load(path, weights_only=True)`` reads it)."""
    context.state[STATE_ARRAYS] = arrays
    context.state[STATE_SUMMARY] = ConfigRecord({"json": json.dumps(summary)})
    if path:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        torch.save({"state_dict": arrays.to_torch_state_dict(), "summary": json.dumps(summary)},
                   path)


def load_outcome(source: Context | str | Path) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    """The final state_dict and summary a ServerApp saved, from its Context or a file."""
    if isinstance(source, Context):
        if STATE_ARRAYS not in source.state:
            raise RuntimeError("The ServerApp finished without a result in its Context state.")
        arrays = source.state[STATE_ARRAYS]
        summary = json.loads(str(source.state[STATE_SUMMARY]["json"]))
        return arrays.to_torch_state_dict(), summary  # type: ignore[union-attr]
    saved = torch.load(source, weights_only=True)
    return saved["state_dict"], json.loads(saved["summary"])


#: The apps ``flwr run`` loads (``fedlearn_kit.federation.apps:client_app`` / ``:server_app``);
#: they read the experiment from the run config.
client_app = make_client_app()
server_app = make_server_app()
