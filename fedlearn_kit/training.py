"""Local and centralised training (lessons 02 and 03).

The same :func:`train` loop runs inside each site's federated client later on, so local,
central and federated models differ only in what data they saw.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import torch
from torch import nn

from fedlearn_kit.cohort import Cohort
from fedlearn_kit.experiment import Experiment
from fedlearn_kit.features import NUM_FEATURES, to_tensors
from fedlearn_kit.models import make_model
from fedlearn_kit.result_cache import cached
from fedlearn_kit.schema import OUTCOME_NAME
from fedlearn_kit.validation import check_site_size


@contextmanager
def one_torch_thread() -> Iterator[None]:
    """Run torch on one thread for the block (lessons 02-04).

    The course's models are tiny: on a busy 2-core laptop torch's thread pool costs far
    more than it saves (measured 4-5x slower with 2 threads under load), and one thread
    gives every engine the same arithmetic.
    """
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


@dataclass(frozen=True)
class Split:
    """One site's patients, divided once into a training and a test part."""

    train: pd.DataFrame
    test: pd.DataFrame


def split_site(df: pd.DataFrame, test_fraction: float, seed: int, site_index: int = 0) -> Split:
    """Stratified train/test split: both parts keep the site's readmission rate."""
    check_site_size(df, site=str(df["site"].iloc[0]) if len(df) else None)
    rng = np.random.default_rng(np.random.SeedSequence([seed, site_index, 1]))
    test_rows = []
    for _, group in df.groupby(OUTCOME_NAME, sort=True):
        idx = group.index.to_numpy()
        n_test = int(round(test_fraction * len(idx)))
        test_rows.append(rng.choice(idx, size=n_test, replace=False))
    test_idx = np.sort(np.concatenate(test_rows))
    is_test = df.index.isin(test_idx)
    return Split(train=df[~is_test].reset_index(drop=True), test=df[is_test].reset_index(drop=True))


def split_cohort(cohort: Cohort, test_fraction: float = 0.25, seed: int = 42) -> dict[str, Split]:
    """Split every site; each site keeps its own test set, used by every model in the course."""
    return {site: split_site(df, test_fraction, seed, i)
            for i, (site, df) in enumerate(cohort.items())}


def train(net: nn.Module, X: torch.Tensor, y: torch.Tensor, *, epochs: int, lr: float,
          batch_size: int, seed: int, proximal_mu: float = 0.0) -> list[float]:
    """Minibatch SGD on binary cross-entropy; returns the mean loss of each epoch.

    ``proximal_mu > 0`` adds FedProx's penalty ``mu/2 * ||w - w_start||^2``, which keeps a
    site's model close to the weights it started from (the global model in a round).
    """
    optimizer = torch.optim.SGD(net.parameters(), lr=lr)
    loss_fn = nn.BCEWithLogitsLoss()
    start = [p.detach().clone() for p in net.parameters()]
    shuffler = torch.Generator().manual_seed(seed)
    losses = []
    net.train()
    for _ in range(epochs):
        order = torch.randperm(len(X), generator=shuffler)
        total = 0.0
        for i in range(0, len(X), batch_size):
            batch = order[i:i + batch_size]
            optimizer.zero_grad()
            loss = loss_fn(net(X[batch]), y[batch])
            if proximal_mu > 0:
                loss = loss + proximal_mu / 2 * sum(
                    ((p - p0) ** 2).sum() for p, p0 in zip(net.parameters(), start, strict=True))
            loss.backward()
            optimizer.step()
            total += loss.item() * len(batch)
        losses.append(total / len(X))
    return losses


def predict_proba(net: nn.Module, df: pd.DataFrame) -> np.ndarray:
    """Predicted probability of readmission for each patient in ``df``."""
    X, _ = to_tensors(df)
    net.eval()
    with torch.no_grad():
        return torch.sigmoid(net(X)).numpy().astype(float)


@dataclass
class TrainedModel:
    """A trained network with the sites whose data it saw and its training losses."""

    name: str
    net: nn.Module
    trained_on: tuple[str, ...]
    losses: list[float] = field(default_factory=list)

    def predict_proba(self, df: pd.DataFrame) -> np.ndarray:
        """Predicted readmission probability for each row of ``df``."""
        return predict_proba(self.net, df)


@cached  # the test run's Swedish lessons reuse the English run's models (result_cache)
def fit(train_df: pd.DataFrame, exp: Experiment, name: str, *, seed: int | None = None,
        hidden: int = 16) -> TrainedModel:
    """Train the experiment's model on one DataFrame.

    The one way the kit builds and trains a model: ``seed`` (default the experiment's)
    sets the starting weights and the shuffling; ``hidden`` is the MLP's width (the
    privacy lessons train wider MLPs that over-fit on purpose).
    """
    seed = exp.seed if seed is None else seed
    X, y = to_tensors(train_df)
    net = make_model(exp.model, NUM_FEATURES, seed=seed, hidden=hidden)
    with one_torch_thread():
        losses = train(net, X, y, epochs=exp.epochs, lr=exp.lr, batch_size=exp.batch_size,
                       seed=seed)
    return TrainedModel(name, net, tuple(sorted(train_df["site"].unique())), losses)


def fit_local(splits: Mapping[str, Split], exp: Experiment) -> dict[str, TrainedModel]:
    """Each site trains alone on its own training data (lesson 02)."""
    return {site: fit(split.train, exp, f"local {site}") for site, split in splits.items()}


def fit_central(splits: Mapping[str, Split], exp: Experiment) -> TrainedModel:
    """One model on every site's training data pooled together (lesson 03)."""
    pooled = pd.concat([s.train for s in splits.values()], ignore_index=True)
    return fit(pooled, exp, "central")
