"""What the coordinator of a federated run sees, and what it can infer from it (lesson 05).

:class:`CoordinatorTap` sits between the coordinator and the kit's ClientApp and keeps a
copy of every model a site sends back: exactly what a Flower SuperLink and ServerApp
receive when secure aggregation is off. The attacks of :mod:`~fedlearn_kit.privacy.attacks`
then run on those per-round site models as well as on the global model.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

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
    training handler only, innermost last, as ``@app.train(mods=[...])`` would apply them.
    """

    client_app: Callable[..., Any]
    mods: Sequence[Mod] = ()
    updates: list[dict[str, Any]] = field(default_factory=list)

    def __call__(self, msg: Any, context: Any) -> Any:
        from flwr.app import MessageType

        call = self.client_app
        is_train = msg.metadata.message_type == MessageType.TRAIN
        for mod in reversed(self.mods if is_train else ()):
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


def run_tapped(exp: Experiment, mods: Sequence[Mod] = ()) -> tuple[Any, CoordinatorTap]:
    """Run ``exp`` federated on the local engine and keep what the coordinator received."""
    from fedlearn_kit.federation import run
    from fedlearn_kit.federation.apps import make_client_app

    tap = CoordinatorTap(make_client_app(), mods)
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


@dataclass(frozen=True)
class SiteDPRun:
    """A federated run where every site noised its own update with Flower's ``LocalDpMod``."""

    result: Any
    tap: CoordinatorTap
    noise_multiplier: float  # noise standard deviation / clipping norm, per release
    epsilon: float  # per site, over all rounds, from the RDP accountant
    delta: float


def run_site_dp(exp: Experiment, *, clipping_norm: float, epsilon_per_round: float,
                delta: float = 1e-5, seed: int = 0) -> SiteDPRun:
    """Site-level DP with Flower's own ``LocalDpMod``: each site clips and noises its update.

    ``LocalDpMod`` calibrates its Gaussian noise with the classic formula for one release
    at ``epsilon_per_round``; the ε over all rounds then comes from Opacus's RDP accountant
    for that noise (every site releases once per round). ``LocalDpMod`` draws from numpy's
    global generator, so it is seeded here for repeatable numbers.
    """
    import numpy as np
    from flwr.clientapp.mod import LocalDpMod

    from fedlearn_kit.privacy.defences import epsilon_spent

    if clipping_norm <= 0 or epsilon_per_round <= 0 or not 0 < delta < 1:
        raise ValueError("clipping_norm and epsilon_per_round must be > 0, 0 < delta < 1.")
    mod = LocalDpMod(clipping_norm, clipping_norm, epsilon_per_round, delta)
    # The standard deviation LocalDpMod adds, relative to the clipping norm (its sensitivity).
    noise_multiplier = float(np.sqrt(2 * np.log(1.25 / delta)) / epsilon_per_round)
    np.random.seed(seed)  # noqa: NPY002 - LocalDpMod uses numpy's global generator
    result, tap = run_tapped(exp, mods=[mod])
    epsilon = epsilon_spent([(noise_multiplier, 1.0, exp.num_rounds)], delta)
    return SiteDPRun(result, tap, noise_multiplier, epsilon, delta)
