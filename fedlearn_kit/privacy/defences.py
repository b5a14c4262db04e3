"""Differential privacy for the course's models and updates (lesson 06).

Record-level DP-SGD runs the kit's training loop through Opacus: each patient's gradient is
clipped and Gaussian noise is added. Client-level DP uses Flower's own strategy wrapper and
client mod. The privacy budget (ε, δ) always comes from an accountant (Opacus's RDP
accountant), never from a formula typed in here.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import torch
from opacus import PrivacyEngine
from opacus.accountants import RDPAccountant
from opacus.accountants.utils import get_noise_multiplier
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from fedlearn_kit.cohort import Cohort
from fedlearn_kit.evaluation import evaluate, subgroup_scores
from fedlearn_kit.features import to_tensors
from fedlearn_kit.federation.task import one_torch_thread
from fedlearn_kit.privacy.attacks import Recipe, loss_attack, matching_non_members
from fedlearn_kit.training import TrainedModel

#: The privacy budgets of lesson 06's privacy-utility curve; None means no DP.
EPSILONS: tuple[float | None, ...] = (0.5, 1.0, 2.0, 4.0, 8.0, None)

#: One entry of an accountant's history: (noise multiplier, sample rate, steps).
HistoryEntry = tuple[float, float, int]


@dataclass(frozen=True)
class DPConfig:
    """Settings of DP-SGD: noise relative to the clipping norm, the norm, and δ."""

    noise_multiplier: float
    max_grad_norm: float = 1.0
    delta: float = 1e-5

    def __post_init__(self) -> None:
        if self.noise_multiplier <= 0:
            raise ValueError(f"noise_multiplier={self.noise_multiplier}: must be > 0 "
                             "(0 would be no privacy; train without DP instead).")
        if self.max_grad_norm <= 0:
            raise ValueError(f"max_grad_norm={self.max_grad_norm}: must be > 0.")
        if not 0 < self.delta < 1:
            raise ValueError(f"delta={self.delta}: must be between 0 and 1, well below 1/n.")


@dataclass(frozen=True)
class DPTraining:
    """What one DP-SGD run produced: losses, the accountant's history and ε spent so far."""

    losses: list[float]
    history: list[HistoryEntry]
    epsilon: float
    delta: float


def epsilon_spent(history: Iterable[HistoryEntry], delta: float) -> float:
    """ε at ``delta`` for a sequence of DP-SGD steps, from Opacus's RDP accountant."""
    accountant = RDPAccountant()
    accountant.history = [(float(s), float(q), int(n)) for s, q, n in history]
    if not accountant.history:
        return 0.0
    with warnings.catch_warnings():
        # "Optimal order is the largest alpha": ε is then a valid but looser upper bound.
        warnings.filterwarnings("ignore", message="Optimal order")
        return float(accountant.get_epsilon(delta=delta))


def noise_for_epsilon(epsilon: float, delta: float, sample_rate: float, steps: int) -> float:
    """The noise multiplier the RDP accountant needs to stay within (ε, δ) after ``steps``."""
    if epsilon <= 0:
        raise ValueError(f"epsilon={epsilon}: a privacy budget must be > 0.")
    if not 0 < sample_rate <= 1 or steps < 1:
        raise ValueError(f"sample_rate={sample_rate}, steps={steps}: need 0 < q <= 1, steps >= 1.")
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Optimal order")
        return float(get_noise_multiplier(target_epsilon=epsilon, target_delta=delta,
                                          sample_rate=sample_rate, steps=steps,
                                          accountant="rdp"))


def dp_train(net: nn.Module, X: torch.Tensor, y: torch.Tensor, *, epochs: int, lr: float,  # noqa: N803
             batch_size: int, seed: int, dp: DPConfig,
             history: Sequence[HistoryEntry] = ()) -> DPTraining:
    """DP-SGD with Opacus on the kit's loss: the private twin of ``training.train``.

    Batches are Poisson-sampled (expected size ``batch_size``), each record's gradient is
    clipped to ``dp.max_grad_norm`` and Gaussian noise of ``dp.noise_multiplier`` times that
    norm is added. ``history`` continues an earlier accountant, e.g. a site's previous
    federated rounds, so ε covers everything the site released. ``net`` is trained in
    place and left a plain module. A federated ClientApp can call this instead of
    ``train`` and keep ``history`` in its ``context.state``.
    """
    if len(X) == 0:
        raise ValueError("dp_train needs at least one record.")
    if not 1 <= batch_size <= len(X):
        raise ValueError(f"batch_size={batch_size}: must be between 1 and {len(X)} records.")
    loss_fn = nn.BCEWithLogitsLoss()
    losses = []
    with torch.random.fork_rng(), warnings.catch_warnings(), one_torch_thread():
        warnings.simplefilter("ignore")  # Opacus warns about secure RNG and hooks; noted above
        torch.manual_seed(seed)
        loader = DataLoader(TensorDataset(X, y), batch_size=batch_size,
                            generator=torch.Generator().manual_seed(seed))
        engine = PrivacyEngine(accountant="rdp")
        engine.accountant.history = list(history)
        private, optimizer, loader = engine.make_private(
            module=net, optimizer=torch.optim.SGD(net.parameters(), lr=lr), data_loader=loader,
            noise_multiplier=dp.noise_multiplier, max_grad_norm=dp.max_grad_norm,
            poisson_sampling=True, noise_generator=torch.Generator().manual_seed(seed + 1))
        private.train()
        for _ in range(epochs):
            total, seen = 0.0, 0
            for xb, yb in loader:
                optimizer.zero_grad()
                if len(xb) == 0:  # Poisson sampling can draw an empty batch; noise still steps
                    optimizer.step()
                    continue
                loss = loss_fn(private(xb), yb)
                loss.backward()
                optimizer.step()
                total, seen = total + loss.item() * len(xb), seen + len(xb)
            losses.append(total / max(seen, 1))
        new_history = [(float(s), float(q), int(n)) for s, q, n in engine.accountant.history]
        private._close()  # remove Opacus's hooks: ``net`` is a plain module again
    return DPTraining(losses, new_history, epsilon_spent(new_history, dp.delta), dp.delta)


@dataclass
class PrivateModel(TrainedModel):
    """A model trained with DP-SGD, with the budget its accountant reported."""

    epsilon: float = math.inf
    delta: float = 0.0
    noise_multiplier: float = 0.0
    history: list[HistoryEntry] = field(default_factory=list)


def default_delta(num_records: int) -> float:
    """δ well below 1/n, as usual guidance asks: 1e-5, or 1/(10 n) for more than 10^4 rows."""
    return min(1e-5, 1.0 / (10 * num_records))


def fit_dp(train_df: pd.DataFrame, recipe: Recipe, epsilon: float, *, name: str = "",
           delta: float | None = None, max_grad_norm: float = 1.0) -> PrivateModel:
    """Train ``recipe`` on ``train_df`` with record-level DP-SGD to a target budget ε.

    The accountant picks the noise multiplier that spends at most ``epsilon`` over the
    recipe's epochs; the model reports the ε actually spent.
    """
    if len(train_df) == 0:
        raise ValueError("fit_dp needs training rows.")
    delta = default_delta(len(train_df)) if delta is None else delta
    batch_size = min(recipe.batch_size, len(train_df))
    sample_rate = batch_size / len(train_df)
    steps = recipe.epochs * math.ceil(1 / sample_rate)
    sigma = noise_for_epsilon(epsilon, delta, sample_rate, steps)
    X, y = to_tensors(train_df)  # noqa: N806
    net = recipe.new_net()
    run = dp_train(net, X, y, epochs=recipe.epochs, lr=recipe.lr, batch_size=batch_size,
                   seed=recipe.seed, dp=DPConfig(sigma, max_grad_norm, delta))
    return PrivateModel(name or f"DP ε={epsilon:g}", net,
                        tuple(sorted(train_df["site"].unique())), run.losses,
                        run.epsilon, delta, sigma, run.history)


def privacy_utility(train_df: pd.DataFrame, future: Cohort, recipe: Recipe,
                    epsilons: Sequence[float | None] = EPSILONS, *,
                    max_grad_norm: float = 1.0, non_member_ratio: float = 1.0, seed: int = 0
                    ) -> tuple[pd.DataFrame, dict[str, TrainedModel]]:
    """Train one model per ε on ``train_df`` and measure it: lesson 06's privacy-utility curve.

    ``train_df`` is one site's training rows (a local model) or all sites' pooled (the
    central model). Each row of the table: the target ε and the ε the accountant reports,
    AUROC on every site's future patients, and the loss attack on the model (members = the
    training rows, non-members = future patients in the same site mix) next to the bound
    e^ε - 1. Returns the table and the models, keyed by name.
    """
    non_members = matching_non_members(train_df, future, ratio=non_member_ratio, seed=seed)
    rows, models = [], {}
    for eps in epsilons:
        if eps is None:
            model = recipe.fit(train_df, "no DP")
            spent, sigma = math.inf, 0.0
        else:
            model = fit_dp(train_df, recipe, eps, max_grad_norm=max_grad_norm)
            spent, sigma = model.epsilon, model.noise_multiplier
        attack = loss_attack(model, train_df, non_members)
        row = {"target_epsilon": math.inf if eps is None else eps, "epsilon": spent,
               "noise_multiplier": sigma}
        row.update({f"auroc {site}": evaluate(model, future[site])["auroc"] for site in future})
        row.update({"attack_auc": attack.auc, "advantage": attack.advantage,
                    "tpr@0.1%fpr": attack.tpr_at(0.001), "tpr@1%fpr": attack.tpr_at(0.01),
                    "bound": advantage_bound(spent)})
        rows.append(row)
        models[model.name] = model
    return pd.DataFrame(rows), models


def subgroup_table(models: Mapping[str, TrainedModel], patients: pd.DataFrame) -> pd.DataFrame:
    """AUROC per sex and age band for each model: who pays the accuracy cost of DP."""
    frames = []
    for name, model in models.items():
        table = subgroup_scores(model, patients)
        table.insert(0, "model", name)
        frames.append(table)
    return pd.concat(frames, ignore_index=True)


# --- client-level DP with Flower --------------------------------------------------------------

def client_level_epsilon(noise_multiplier: float, num_rounds: int, delta: float,
                         sample_rate: float = 1.0) -> float:
    """ε per site for Flower's fixed-clipping DP after ``num_rounds`` rounds (RDP accountant).

    Every round is one Gaussian mechanism on the clipped site updates; with all sites in
    every round the sampling rate is 1, so there is no amplification by sampling.
    """
    if noise_multiplier <= 0 or num_rounds < 1:
        raise ValueError("noise_multiplier must be > 0 and num_rounds >= 1.")
    return epsilon_spent([(noise_multiplier, sample_rate, num_rounds)], delta)


def client_dp_strategy(strategy: object, *, noise_multiplier: float, clipping_norm: float,
                       num_sites: int) -> object:
    """Wrap a Flower strategy in its client-side fixed-clipping DP wrapper (lesson 06).

    The sites clip their own update with Flower's ``fixedclipping_mod`` (see
    :func:`client_dp_mods`); the coordinator adds Gaussian noise to the aggregate.
    """
    from flwr.serverapp.strategy import DifferentialPrivacyClientSideFixedClipping

    return DifferentialPrivacyClientSideFixedClipping(
        strategy, noise_multiplier=noise_multiplier, clipping_norm=clipping_norm,
        num_sampled_clients=num_sites)


def client_dp_mods() -> list[object]:
    """The ClientApp mods that go with :func:`client_dp_strategy`: clip each site's update."""
    from flwr.clientapp.mod import fixedclipping_mod

    return [fixedclipping_mod]


def history_to_lists(history: Sequence[HistoryEntry]) -> dict[str, list[float] | list[int]]:
    """An accountant history as three lists, e.g. for a Flower ConfigRecord in context.state."""
    return {"noise": [float(h[0]) for h in history], "rate": [float(h[1]) for h in history],
            "steps": [int(h[2]) for h in history]}


def history_from_lists(lists: Mapping[str, Sequence[float]]) -> list[HistoryEntry]:
    """The inverse of :func:`history_to_lists`."""
    return [(float(s), float(q), int(n))
            for s, q, n in zip(lists["noise"], lists["rate"], lists["steps"], strict=True)]


def advantage_bound(epsilon: float) -> float:
    """Yeom et al.'s bound on membership advantage under ε-DP: e^ε - 1 (>= 1 says nothing)."""
    return float(np.expm1(epsilon)) if math.isfinite(epsilon) else math.inf
