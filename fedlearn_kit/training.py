"""Local and centralised training (lessons 02 and 03).

The training loop, the model and the train/test split are the course app's own
(``app/fedlearn_app/task.py``): the loop that trains a hospital's local model here is the one
each site's ClientApp runs in lesson 04, so local, central and federated models differ only
in what data they saw.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import torch
from torch import nn

from fedlearn_app.task import make_model, split, to_tensors, train
from fedlearn_kit.cohort import Cohort
from fedlearn_kit.experiment import Experiment
from fedlearn_kit.i18n import ngettext
from fedlearn_kit.validation import check_site_size

__all__ = ["Split", "TrainedModel", "default_dtype", "fit", "fit_central", "fit_local", "new_net",
           "one_torch_thread", "predict_proba", "split_cohort", "split_site", "train"]


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


@contextmanager
def default_dtype() -> Iterator[None]:
    """Inside the block, tensors made without a dtype are the app's ``task.DTYPE`` (64-bit;
    torch's own default is 32-bit).

    For library code that makes its own tensors, e.g. Opacus's DP-SGD noise: drawn in 32
    bits, the noise differs in its seventh digit between CPUs with and without AVX2.
    """
    from fedlearn_app import task  # read at each use: a benchmark may change it

    previous = torch.get_default_dtype()
    torch.set_default_dtype(task.DTYPE)
    try:
        yield
    finally:
        torch.set_default_dtype(previous)


@dataclass(frozen=True)
class Split:
    """One site's patients, divided once into a training and a test part."""

    train: pd.DataFrame
    test: pd.DataFrame


def split_site(df: pd.DataFrame, test_fraction: float, seed: int, site_index: int = 0) -> Split:
    """Stratified train/test split (the app's ``task.split``): both parts keep the site's
    readmission rate. A site too small to split is refused with the reason."""
    check_site_size(df, site=str(df["site"].iloc[0]) if len(df) else None)
    train_df, test_df = split(df, test_fraction, seed, site_index)
    return Split(train=train_df, test=test_df)


def split_cohort(cohort: Cohort, test_fraction: float = 0.25, seed: int = 42) -> dict[str, Split]:
    """Split every site; each site keeps its own test set, used by every model in the course."""
    return {site: split_site(df, test_fraction, seed, i)
            for i, (site, df) in enumerate(cohort.items())}


def predict_proba(net: nn.Module, df: pd.DataFrame) -> np.ndarray:
    """Predicted probability of readmission for each patient in ``df``."""
    X, _outcomes = to_tensors(df)
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


def new_net(exp: Experiment, seed: int | None = None) -> nn.Module:
    """The experiment's model (kind and MLP width) with fresh starting weights.

    ``seed`` (default the experiment's) sets the weights: the same seed, the same network.
    """
    return make_model(exp.model, exp.seed if seed is None else seed, exp.hidden)


def fit(train_df: pd.DataFrame, exp: Experiment, name: str, *, seed: int | None = None
        ) -> TrainedModel:
    """Train the experiment's model on one DataFrame, with the app's training loop.

    The one way the kit builds and trains a model outside a federation: ``seed`` (default
    the experiment's) sets the starting weights and the shuffling. The privacy lessons
    train their targets and the attacker's shadow models with it too.
    """
    if not isinstance(train_df, pd.DataFrame) or len(train_df) == 0:
        raise ValueError(f"fit({name!r}): the training data must be a non-empty DataFrame of "
                         f"patients (got {type(train_df).__name__} with "
                         f"{len(train_df) if hasattr(train_df, '__len__') else 0} rows).")
    seed = exp.seed if seed is None else seed
    X, y = to_tensors(train_df)
    net = new_net(exp, seed)
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


def trained_on_sentence(model: TrainedModel, splits: Mapping[str, Split]) -> str:
    """How many training patients, from which sites, trained ``model``: one sentence in the
    course's language (lesson 03 prints it for the central model)."""
    n = sum(len(splits[site].train) for site in model.trained_on)
    return ngettext("The model '{model}' was trained on {n} patient from the sites {sites}.",
                    "The model '{model}' was trained on {n} patients from the sites {sites}.",
                    n).format(model=model.name, n=n, sites=", ".join(model.trained_on))
