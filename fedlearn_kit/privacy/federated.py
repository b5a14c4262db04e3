"""What the coordinator of a federated run sees, and what it can infer from it (lesson 05).

:class:`CoordinatorTap` sits between the coordinator and the kit's ClientApp and keeps a
copy of every model a site sends back: exactly what a Flower SuperLink and ServerApp
receive when secure aggregation is off. The attacks of :mod:`~fedlearn_kit.privacy.attacks`
then run on those per-round site models as well as on the global model.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np
import pandas as pd
import torch

from fedlearn_kit.cohort import Cohort
from fedlearn_kit.experiment import Experiment
from fedlearn_kit.privacy.attacks import loss_attack, summarise

Mod = Callable[..., Any]


@dataclass
class CoordinatorTap:
    """A ClientApp wrapper that records each site's training reply, round by round.

    ``mods`` are Flower client mods (e.g. ``LocalDpMod``) applied around the wrapped app's
    training handler only, innermost last, as ``@app.train(mods=[...])`` would apply them;
    ``every_message_mods`` wrap every handler (outside ``mods``), as ``ClientApp(mods=...)``.
    """

    client_app: Callable[..., Any]
    mods: Sequence[Mod] = ()
    updates: list[dict[str, Any]] = field(default_factory=list)
    every_message_mods: Sequence[Mod] = ()

    def __call__(self, msg: Any, context: Any) -> Any:
        from flwr.app import MessageType

        call = self.client_app
        is_train = msg.metadata.message_type == MessageType.TRAIN
        for mod in [*reversed(self.mods if is_train else ()),
                    *reversed(self.every_message_mods)]:
            call = partial(mod, call_next=call)
        reply = call(msg, context)
        if is_train and not reply.has_error():
            metrics = next(iter(reply.content.metric_records.values()))
            self.updates.append({
                "round": int(msg.content["config"]["server-round"]),
                "partition": int(context.node_config["partition-id"]),
                "num_examples": int(metrics["num-examples"]),
                "global": msg.content["arrays"].to_torch_state_dict(),
                "site": reply.content["arrays"].to_torch_state_dict()})
        return reply

    def site_model(self, server_round: int, partition: int) -> dict[str, torch.Tensor]:
        """The weights one site sent back in one round."""
        for u in self.updates:
            if u["round"] == server_round and u["partition"] == partition:
                return u["site"]
        raise KeyError(f"No update of partition {partition} in round {server_round}; "
                       f"rounds recorded: {sorted({u['round'] for u in self.updates})}.")


def run_tapped(exp: Experiment, mods: Sequence[Mod] = (),
               every_message_mods: Sequence[Mod] = ()) -> tuple[Any, CoordinatorTap]:
    """Run ``exp`` federated on the local engine and keep what the coordinator received."""
    from fedlearn_kit.federation import run
    from fedlearn_kit.federation.apps import make_client_app

    tap = CoordinatorTap(make_client_app(), mods, every_message_mods=every_message_mods)
    return run(exp, engine="local", client_app=tap, progress=False), tap


def _net(exp: Experiment, state: dict[str, torch.Tensor]) -> torch.nn.Module:
    from fedlearn_kit.federation.task import new_net

    net = new_net(exp)
    net.load_state_dict(state)
    return net


def round_leakage(exp: Experiment, tap: CoordinatorTap, future: Cohort, result: Any = None,
                  metric: str = "advantage") -> pd.DataFrame:
    """The loss attack on each site's update and on the global model, round by round.

    Members are each site's training rows, non-members that site's future patients. The
    global model after round ``r`` is attacked with each site's members in turn; pass the
    run's ``result`` to include the final global model.

    Threat model. *Who*: the coordinator (honest but curious), or anyone who can read the
    updates in transit or at rest. *Sees*: every site's model each round, as a Flower
    SuperLink does without secure aggregation. *Needs*: candidate patients' records with
    outcomes (the loss attack); the global-model columns need only what every site sees.
    """
    from fedlearn_kit.federation.task import load_site

    if not tap.updates:
        raise ValueError("The tap recorded no updates: run the experiment through it first.")
    sites = [s.name for s in exp.sites()]
    members = {i: load_site(exp, i).train for i in range(len(sites))}
    rounds = sorted({u["round"] for u in tap.updates})
    rows = []
    for r in rounds:
        row: dict[str, float | int] = {"round": r}
        for u in (u for u in tap.updates if u["round"] == r):
            i = u["partition"]
            site_net = _net(exp, u["site"])
            row[f"site {sites[i]} update"] = loss_attack(
                site_net, members[i], future[sites[i]]).summary()[metric]
        rows.append(row)
    table = pd.DataFrame(rows).set_index("round")
    # The global model of round r is the model sent out in round r + 1.
    sent = {u["round"]: u["global"] for u in tap.updates}
    if result is not None:
        sent[max(rounds) + 1] = result.state_dict
    for i, site in enumerate(sites):
        values = []
        for r in rounds:
            state = sent.get(r + 1)
            values.append(float("nan") if state is None else loss_attack(
                _net(exp, state), members[i], future[site]).summary()[metric])
        table[f"global model, site {site} patients"] = values
    return table


def attack_global(exp: Experiment, result: Any, future: Cohort) -> pd.DataFrame:
    """The loss attack on the final global model, once per site's members."""
    from fedlearn_kit.federation.task import load_site

    model = result.model()
    return summarise({f"{model.name}, site {s.name} patients":
                      loss_attack(model, load_site(exp, i).train, future[s.name])
                      for i, s in enumerate(exp.sites())})


@contextmanager
def numpy_noise(seed: int | None) -> Iterator[None]:
    """Noise from numpy's global generator (Flower's DP code uses it), the user's state kept.

    ``seed=None`` reseeds the generator from OS entropy for the block; an integer seeds it
    (the classroom switch). Either way the caller's numpy random state is restored after,
    so nothing is seeded behind the user's back.
    """
    state = np.random.get_state()  # noqa: NPY002 - Flower's DP code draws from the global RNG
    np.random.seed(seed)  # noqa: NPY002 - None: fresh OS entropy
    try:
        yield
    finally:
        np.random.set_state(state)  # noqa: NPY002


def drop_site_metrics(msg: Any, context: Any, call_next: Callable[..., Any]) -> Any:
    """A Flower mod for DP runs: replies carry counts and ε, not losses or AUROC.

    DP covers what the noise covers: the weights. A training loss or a site's AUROC and
    Brier score on its own test patients are exact functions of its patients, so a DP run
    keeps them at the site. What still leaves: the weights (noised), each site's number of
    patients (treated as public: the game is replace-one, n fixed), its partition index and
    its ε.
    """
    reply = call_next(msg, context)
    if reply.has_error():
        return reply
    from flwr.app import MetricRecord

    from fedlearn_kit.federation.apps import PARTITION_KEY, WEIGHT_KEY

    for key, record in list(reply.content.metric_records.items()):
        reply.content[key] = MetricRecord({k: v for k, v in record.items()
                                           if k in (PARTITION_KEY, WEIGHT_KEY, "epsilon")})
    return reply


@dataclass(frozen=True)
class SiteDPRun:
    """A federated run where every site noised its own update with Flower's ``LocalDpMod``.

    Two budgets, per site over all rounds, for two adjacencies:

    - ``epsilon_zero_out``: the site's update against *no update at all* (zero-out
      adjacency, sensitivity C, what ``LocalDpMod(clipping_norm=C, sensitivity=C)`` is
      calibrated for). It protects "did this site take part", not one patient in or out.
    - ``epsilon``: any two datasets of the site, e.g. one patient in or out. Their clipped
      updates can lie 2C apart, so the same noise gives the larger ε. This is the figure
      for a patient, and the one the course reports.
    """

    result: Any
    tap: CoordinatorTap
    noise_multiplier: float  # noise standard deviation / clipping norm, per release
    epsilon: float  # any change of a site's data (sensitivity 2C), RDP accountant
    epsilon_zero_out: float  # the site's update vs none (sensitivity C)
    delta: float
    reproducible: bool = False

    @property
    def adjacency(self) -> str:
        """The adjacency of :attr:`epsilon`: any two datasets of one site."""
        return "replace-one"


def run_site_dp(exp: Experiment, *, clipping_norm: float, epsilon_per_round: float,
                delta: float = 1e-5, seed: int = 0, reproducible: bool = False) -> SiteDPRun:
    """Site-level DP with Flower's own ``LocalDpMod``: each site clips and noises its update.

    ``LocalDpMod`` calibrates Gaussian noise with the classic one-release formula
    σ = sensitivity·sqrt(2 ln(1.25/δ))/ε at ``epsilon_per_round``, with sensitivity = the
    clipping norm C. Every site releases once per round, so the rounds compose; Opacus's
    RDP accountant gives ε over all rounds, which is less than rounds × ε per round (RDP
    composes the Gaussian mechanism more tightly than adding up). ``LocalDpMod`` draws from
    numpy's global generator: from OS entropy by default, from ``seed`` only with
    ``reproducible=True`` (the classroom switch, announced), and the caller's numpy state
    is restored either way. Losses and evaluation metrics stay at the sites
    (:func:`drop_site_metrics`).
    """
    from flwr.clientapp.mod import LocalDpMod

    from fedlearn_kit.privacy.defences import announce_classroom_noise, epsilon_spent

    if clipping_norm <= 0 or epsilon_per_round <= 0 or not 0 < delta < 1:
        raise ValueError("clipping_norm and epsilon_per_round must be > 0, 0 < delta < 1.")
    mod = LocalDpMod(clipping_norm, clipping_norm, epsilon_per_round, delta)
    # The standard deviation LocalDpMod adds, relative to the clipping norm (its sensitivity).
    noise_multiplier = float(np.sqrt(2 * np.log(1.25 / delta)) / epsilon_per_round)
    if reproducible:
        announce_classroom_noise()
    with numpy_noise(seed if reproducible else None):
        result, tap = run_tapped(exp, mods=[mod], every_message_mods=[drop_site_metrics])
    releases = [(noise_multiplier, 1.0, exp.num_rounds)]
    any_change = [(noise_multiplier / 2, 1.0, exp.num_rounds)]  # sensitivity 2C
    return SiteDPRun(result, tap, noise_multiplier, epsilon_spent(any_change, delta),
                     epsilon_spent(releases, delta), delta, reproducible)


#: Where a site keeps its DP accountant's history between rounds (in ``context.state``).
DP_STATE_KEY = "dp-accountant"


@dataclass
class RecordDPClient:
    """The kit's ClientApp with DP-SGD (Opacus) in place of plain SGD for training.

    Training messages run :func:`fedlearn_kit.privacy.defences.dp_train` on the site's data
    and keep the accountant's history in the node's ``context.state``, so the ε each site
    reports (metric ``epsilon``) covers every round it has trained. Other messages go to the
    wrapped app unchanged.
    """

    client_app: Callable[..., Any]
    noise_multiplier: float
    max_grad_norm: float = 1.0
    delta: float = 1e-5
    reproducible: bool = False  # classroom switch: noise seeded from the public round seed

    def __call__(self, msg: Any, context: Any) -> Any:
        from flwr.app import (
            ArrayRecord,
            ConfigRecord,
            Message,
            MessageType,
            MetricRecord,
            RecordDict,
        )

        from fedlearn_kit.features import to_tensors
        from fedlearn_kit.federation.apps import (
            PARTITION_KEY,
            WEIGHT_KEY,
            _load_global,
            _node_setup,
        )
        from fedlearn_kit.federation.task import load_site, round_seed
        from fedlearn_kit.privacy.defences import (
            DPConfig,
            dp_train,
            history_from_lists,
            history_to_lists,
        )

        if msg.metadata.message_type != MessageType.TRAIN:
            return self.client_app(msg, context)
        exp, partition = _node_setup(None, context)
        net = _load_global(exp, msg)
        split = load_site(exp, partition)
        config = msg.content["config"]
        saved = context.state.config_records.get(DP_STATE_KEY)
        X, y = to_tensors(split.train)  # noqa: N806 - the kit's naming glossary
        run = dp_train(net, X, y, epochs=exp.local_epochs, lr=float(config.get("lr", exp.lr)),
                       batch_size=exp.batch_size,
                       seed=(round_seed(exp, int(config["server-round"]), partition)
                             if self.reproducible else None),
                       dp=DPConfig(self.noise_multiplier, self.max_grad_norm, self.delta),
                       history=history_from_lists(saved) if saved else ())
        context.state[DP_STATE_KEY] = ConfigRecord(history_to_lists(run.history))
        # No training loss in the reply: it is an exact function of the site's patients.
        metrics = MetricRecord({"epsilon": run.epsilon, WEIGHT_KEY: len(split.train),
                                PARTITION_KEY: partition})
        return Message(content=RecordDict({"arrays": ArrayRecord(net.state_dict()),
                                           "metrics": metrics}), reply_to=msg)


def run_record_dp(exp: Experiment, *, noise_multiplier: float, max_grad_norm: float = 1.0,
                  delta: float = 1e-5, reproducible: bool = False
                  ) -> tuple[Any, CoordinatorTap]:
    """Run ``exp`` federated with DP-SGD inside every site's ClientApp (local engine).

    Each site's ε (metric ``epsilon``) is per record, add/remove adjacency, and covers the
    weights; losses and evaluation metrics stay at the site (:func:`drop_site_metrics`).
    The noise is secret unless ``reproducible=True`` (classroom switch, announced).
    """
    from fedlearn_kit.federation import run
    from fedlearn_kit.federation.apps import make_client_app
    from fedlearn_kit.privacy.defences import announce_classroom_noise

    if reproducible:
        announce_classroom_noise()
    client = RecordDPClient(make_client_app(), noise_multiplier, max_grad_norm, delta,
                            reproducible)
    tap = CoordinatorTap(client, every_message_mods=[drop_site_metrics])
    return run(exp, engine="local", client_app=tap, progress=False), tap
