"""What one site does in a federated round, without any Flower code (lesson 04).

This is the ``task.py`` of Flower's quickstart-pytorch: loading a site's data, training
and evaluating a network. The Flower apps in :mod:`fedlearn_kit.federation.apps` only move
weights and metrics in and out of these functions, so local, central and federated models
share the same training loop (:func:`fedlearn_kit.training.train`).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd
import torch
from torch import nn

from fedlearn_kit.cohort import generate_site
from fedlearn_kit.evaluation import scores
from fedlearn_kit.experiment import Experiment
from fedlearn_kit.features import NUM_FEATURES, to_tensors
from fedlearn_kit.models import make_model
from fedlearn_kit.schema import OUTCOME_NAME
from fedlearn_kit.training import Split, one_torch_thread, split_site, train

__all__ = ["evaluate_net", "first_round_updates", "load_site", "new_net", "pooled_test",
           "round_seed", "site_name", "train_site"]


def site_name(exp: Experiment, partition_id: int) -> str:
    """The name of the site a SuperNode with this ``partition-id`` stands for."""
    sites = exp.sites()
    if not 0 <= partition_id < len(sites):
        raise ValueError(
            f"partition-id={partition_id}, but the experiment has {len(sites)} site(s) "
            f"(partition-id 0 to {len(sites) - 1}). Start each SuperNode with "
            f'--node-config "partition-id=K num-partitions={len(sites)}".')
    return sites[partition_id].name


@lru_cache(maxsize=32)
def load_site(exp: Experiment, partition_id: int) -> Split:
    """One site's own patients, split into train and test, and nothing of any other site.

    Gives exactly ``split_cohort(exp.cohort(), ...)[site]``, but generates only this site's
    rows, as a real node only ever reads its own hospital's records.
    """
    site_name(exp, partition_id)
    profile = exp.sites()[partition_id]
    df = generate_site(profile, exp.seed, partition_id)
    return split_site(df, exp.test_fraction, exp.seed, partition_id)


def pooled_test(exp: Experiment) -> pd.DataFrame:
    """Every site's test patients in one frame: the course's server-side yardstick."""
    parts = [load_site(exp, i).test for i in range(len(exp.sites()))]
    return pd.concat(parts, ignore_index=True)


def new_net(exp: Experiment) -> nn.Module:
    """The experiment's model with its seeded starting weights (the round-0 global model)."""
    return make_model(exp.model, NUM_FEATURES, seed=exp.seed)


def round_seed(exp: Experiment, server_round: int, partition_id: int) -> int:
    """The seed of one site's shuffling in one round: the same on every engine."""
    seq = np.random.SeedSequence([exp.seed, server_round, partition_id])
    return int(seq.generate_state(1)[0])


def train_site(net: nn.Module, split: Split, exp: Experiment, *, lr: float, seed: int,
               proximal_mu: float = 0.0) -> float:
    """``local_epochs`` passes over the site's training data; returns the last epoch's loss."""
    X, y = to_tensors(split.train)
    losses = train(net, X, y, epochs=exp.local_epochs, lr=lr, batch_size=exp.batch_size,
                   seed=seed, proximal_mu=proximal_mu)
    return losses[-1]


def evaluate_net(net: nn.Module, df: pd.DataFrame) -> dict[str, float]:
    """Loss (binary cross-entropy), AUROC and Brier score of ``net`` on ``df``."""
    X, y = to_tensors(df)
    net.eval()
    with torch.no_grad():
        logits = net(X)
        loss = float(nn.functional.binary_cross_entropy_with_logits(logits, y))
        y_hat = torch.sigmoid(logits).numpy().astype(float)
    result = scores(df[OUTCOME_NAME].to_numpy(), y_hat)
    return {"loss": loss, "auroc": result["auroc"], "brier": result["brier"]}


def first_round_updates(exp: Experiment) -> dict[str, tuple[dict[str, torch.Tensor], int]]:
    """Each site's model after its round-1 training, and its number of training patients.

    What every site would send back in round 1: all start from the same global model.
    Lesson 04's exercise averages them by hand and compares with Flower's FedAvg.
    """
    updates = {}
    for i, site in enumerate(s.name for s in exp.sites()):
        net = new_net(exp)
        split = load_site(exp, i)
        with one_torch_thread():
            train_site(net, split, exp, lr=exp.lr, seed=round_seed(exp, 1, i))
        updates[site] = ({k: v.detach().clone() for k, v in net.state_dict().items()},
                         len(split.train))
    return updates
