"""How far each site's model moves away from the global model in one round (lesson 04).

FedProx adds ``mu/2 * ||w - w_global||^2`` to each site's loss. What it changes first is
not the final AUROC but this distance, the *drift* of each site's update: the penalty pulls
every site's model back towards the model it received.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

import pandas as pd
import torch

from fedlearn_kit.experiment import Experiment
from fedlearn_kit.federation.task import first_round, new_net
from fedlearn_kit.i18n import _

StateDict = Mapping[str, torch.Tensor]


def start_and_updates(exp: Experiment, proximal_mu: float = 0.0
                      ) -> tuple[dict[str, torch.Tensor], dict[str, dict[str, torch.Tensor]]]:
    """The round-1 global model and every site's model after its round-1 training.

    The same computation as each site's ClientApp in round 1
    (:func:`~fedlearn_kit.federation.task.first_round`), with FedProx's penalty when
    ``proximal_mu > 0``.
    """
    start = {k: v.detach().clone() for k, v in new_net(exp).state_dict().items()}
    return start, {site: model for site, (model, _n) in first_round(exp, proximal_mu).items()}


def distance(model: StateDict, start: StateDict) -> float:
    """The Euclidean distance between two models' weights: sqrt of the summed squares."""
    return float(sum(((model[k] - start[k]) ** 2).sum() for k in start) ** 0.5)


def drift_table(exp: Experiment, mus: Sequence[float], local_epochs: Sequence[int]
                ) -> pd.DataFrame:
    """Each site's drift in round 1, for every ``proximal_mu`` and number of local epochs."""
    rows = {}
    for epochs in local_epochs:
        for mu in mus:
            start, updates = start_and_updates(replace(exp, local_epochs=epochs), mu)
            label = "FedAvg" if mu == 0 else f"FedProx mu={mu:g}"
            rows[(epochs, label)] = {s: distance(u, start) for s, u in updates.items()}
    table = pd.DataFrame(rows).T
    table.index.names = [_("local epochs"), _("strategy")]  # read only, never indexed
    return table
