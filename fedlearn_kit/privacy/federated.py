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

    ``mods`` are Flower client mods (e.g. ``fixedclipping_mod``) applied around the
    wrapped app, innermost last, as ``ClientApp(mods=...)`` would apply them.
    """

    client_app: Callable[..., Any]
    mods: Sequence[Mod] = ()
    updates: list[dict[str, Any]] = field(default_factory=list)

    def __call__(self, msg: Any, context: Any) -> Any:
        from flwr.app import MessageType

        call = self.client_app
        for mod in reversed(self.mods):
            call = partial(mod, call_next=call)
        reply = call(msg, context)
        if msg.metadata.message_type == MessageType.TRAIN and not reply.has_error():
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
