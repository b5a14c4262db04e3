"""Differential privacy for the course's models and updates (lesson 06).

Record-level DP-SGD runs the kit's training loop through Opacus: each patient's gradient is
clipped and Gaussian noise is added. Client-level DP uses Flower's own strategy wrapper and
client mod. The privacy budget (ε, δ) always comes from an accountant (Opacus's RDP
accountant), never from a formula typed in here.

**Secret noise by default.** An ε holds only if nobody can regenerate the noise. By default
the Poisson sampling and the noise draw from the operating system's entropy (Opacus
``secure_mode`` when ``torchcsprng`` is installed; otherwise torch generators seeded from
``os.urandom``, with Opacus's floating-point-safe noise), so two runs differ. The course's
notebooks pass ``reproducible=True``, a classroom switch that seeds the noise from the
public seed so the numbers repeat; wherever it is on, one line says that this ε would not
hold for a released model.

**Which adjacency.** Opacus's ε is for *add/remove* neighbours (one patient's record in or
out). The membership game the course plays (members against fresh patients, with the
number of training patients fixed) compares datasets where one record is *replaced*, which
costs (2ε, (1 + e^ε)δ) (group privacy for one removal and one addition; Kairouz, Oh and
Viswanath, ICML 2015, for the hypothesis-testing view). :func:`advantage_bound` and
:func:`tpr_bound` convert before they bound.
"""

from __future__ import annotations

import math
import os
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd
import torch
from opacus import PrivacyEngine
from opacus.accountants import RDPAccountant
from opacus.accountants.utils import get_noise_multiplier
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from fedlearn_app.task import to_tensors
from fedlearn_kit.cohort import Cohort
from fedlearn_kit.evaluation import evaluate, subgroup_scores
from fedlearn_kit.privacy.attacks import AttackResult, Recipe, loss_attack, matching_non_members
from fedlearn_kit.training import TrainedModel, default_dtype, one_torch_thread

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


CLASSROOM_WARNING = ("⚠ Classroom noise: seeded from the public seed so the numbers repeat. "
                     "Anyone with the seed can replay the noise, so this ε would not hold "
                     "for a released model.")


def announce_classroom_noise() -> None:
    """Print the one-line warning that goes with ``reproducible=True``."""
    print(CLASSROOM_WARNING)


def os_entropy_seed() -> int:
    """A 63-bit seed from the operating system's entropy pool (``os.urandom``)."""
    return int.from_bytes(os.urandom(8), "little") >> 1


def _secure_engine_available() -> bool:
    try:
        import torchcsprng  # noqa: F401
    except ImportError:
        return False
    return True


def dp_train(net: nn.Module, X: torch.Tensor, y: torch.Tensor, *, epochs: int, lr: float,  # noqa: N803
             batch_size: int, seed: int | None, dp: DPConfig,
             history: Sequence[HistoryEntry] = ()) -> DPTraining:
    """DP-SGD with Opacus on the kit's loss: the private twin of ``training.train``.

    Batches are Poisson-sampled at rate ``1 / ceil(n / batch_size)``, Opacus's rate (so the
    expected batch is ``n / ceil(n / batch_size)``, at most ``batch_size``), each record's
    gradient is clipped to ``dp.max_grad_norm`` and Gaussian noise of ``dp.noise_multiplier``
    times that norm is added. ``history`` continues an earlier accountant, e.g. a site's
    previous federated rounds, so ε covers everything the site released. ``net`` is trained
    in place and left a plain module.

    ``seed=None`` (the default of every caller) draws the sampling and the noise from OS
    entropy, so nobody can replay them; an integer ``seed`` is the classroom switch: the
    run repeats exactly, and the ε does not hold against anyone who knows the seed.
    An empty Poisson batch is handled by Opacus itself: the step is still noised and
    accounted; only the loss bookkeeping skips it.
    """
    if len(X) == 0:
        raise ValueError("dp_train needs at least one record.")
    if not 1 <= batch_size <= len(X):
        raise ValueError(f"batch_size={batch_size}: must be between 1 and {len(X)} records.")
    secure = seed is None and _secure_engine_available()
    sample_seed, noise_seed = ((os_entropy_seed(), os_entropy_seed()) if seed is None
                               else (seed, seed + 1))
    loss_fn = nn.BCEWithLogitsLoss()
    losses = []
    with torch.random.fork_rng(), warnings.catch_warnings(), one_torch_thread(), \
            default_dtype():  # Opacus draws its noise in torch's default dtype
        # Opacus warns that seeded noise is not secure (the classroom switch prints its own
        # line) and about its hooks; neither is news here.
        warnings.simplefilter("ignore")
        torch.manual_seed(sample_seed)
        loader = DataLoader(TensorDataset(X, y), batch_size=batch_size,
                            generator=None if secure else
                            torch.Generator().manual_seed(sample_seed))
        engine = PrivacyEngine(accountant="rdp", secure_mode=secure)
        engine.accountant.history = list(history)
        private, optimizer, loader = engine.make_private(
            module=net, optimizer=torch.optim.SGD(net.parameters(), lr=lr), data_loader=loader,
            noise_multiplier=dp.noise_multiplier, max_grad_norm=dp.max_grad_norm,
            poisson_sampling=True,
            noise_generator=None if secure else torch.Generator().manual_seed(noise_seed))
        # Opacus's noise that resists floating-point attacks (Mironov-style), in both modes.
        optimizer.secure_mode = True
        private.train()
        for _ in range(epochs):
            total, seen = 0.0, 0
            for xb, yb in loader:
                optimizer.zero_grad()
                loss = loss_fn(private(xb), yb)
                loss.backward()  # on an empty batch too: Opacus then steps on noise alone
                optimizer.step()
                if len(xb):
                    total, seen = total + loss.item() * len(xb), seen + len(xb)
            losses.append(total / max(seen, 1))
        new_history = [(float(s), float(q), int(n)) for s, q, n in engine.accountant.history]
        private._close()  # remove Opacus's hooks: ``net`` is a plain module again
    return DPTraining(losses, new_history, epsilon_spent(new_history, dp.delta), dp.delta)


def opacus_sample_rate(num_records: int, batch_size: int) -> float:
    """The Poisson sampling rate Opacus uses for a loader: 1 / ceil(n / batch_size)."""
    if num_records < 1 or batch_size < 1:
        raise ValueError("num_records and batch_size must be >= 1.")
    return 1 / math.ceil(num_records / batch_size)


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
           delta: float | None = None, max_grad_norm: float = 1.0,
           reproducible: bool = False, announce: bool = True) -> PrivateModel:
    """Train ``recipe`` on ``train_df`` with record-level DP-SGD to a target budget ε.

    The accountant picks the noise multiplier that spends at most ``epsilon`` over the
    recipe's epochs, for the sampling rate Opacus actually uses (1 / ceil(n / batch)); the
    model reports the ε actually spent (add/remove adjacency, per record). The noise is
    secret unless ``reproducible=True`` (the classroom switch, which prints a warning
    unless ``announce=False``).
    """
    if len(train_df) == 0:
        raise ValueError("fit_dp needs training rows.")
    delta = default_delta(len(train_df)) if delta is None else delta
    batch_size = min(recipe.batch_size, len(train_df))
    sample_rate = opacus_sample_rate(len(train_df), batch_size)
    steps = recipe.epochs * math.ceil(len(train_df) / batch_size)
    sigma = noise_for_epsilon(epsilon, delta, sample_rate, steps)
    X, y = to_tensors(train_df)  # noqa: N806
    net = recipe.new_net()
    if reproducible and announce:
        announce_classroom_noise()
    run = dp_train(net, X, y, epochs=recipe.epochs, lr=recipe.lr, batch_size=batch_size,
                   seed=recipe.seed if reproducible else None,
                   dp=DPConfig(sigma, max_grad_norm, delta))
    return PrivateModel(name or f"DP ε={epsilon:g}", net,
                        tuple(sorted(train_df["site"].unique())), run.losses,
                        run.epsilon, delta, sigma, run.history)


def privacy_utility(train_df: pd.DataFrame, future: Cohort, recipe: Recipe,
                    epsilons: Sequence[float | None] = EPSILONS, *,
                    max_grad_norm: float = 1.0, non_member_ratio: float = 1.0, seed: int = 0,
                    reproducible: bool = False, num_permutations: int = 200
                    ) -> tuple[pd.DataFrame, dict[str, TrainedModel]]:
    """Train one model per ε on ``train_df`` and measure it: lesson 06's privacy-utility curve.

    ``train_df`` is one site's training rows (a local model) or all sites' pooled (the
    central model). Each row of the table: the target ε and the ε the accountant reports
    (add/remove, per record), AUROC on every site's future patients, and the loss attack on
    the model (members = the training rows, non-members = future patients in the same site
    mix): its best-threshold advantage, the advantage with thresholds chosen on held-out
    patients and the 95 % interval of that, what a blind attack reaches one time in 20
    (``null_advantage_95``), and ``advantage_bound``, the most any attack can reach in this
    game (members against fresh patients, n fixed: replace-one, so (2ε, (1 + e^ε)δ)).
    Returns the table and the models, keyed by name.
    """
    from fedlearn_kit.privacy.evidence import evidence

    non_members = matching_non_members(train_df, future, ratio=non_member_ratio, seed=seed)
    if reproducible:
        announce_classroom_noise()
    rows, models = [], {}
    for eps in epsilons:
        if eps is None:
            model = recipe.fit(train_df, "no DP")
            spent, sigma, delta = math.inf, 0.0, 0.0
        else:
            model = fit_dp(train_df, recipe, eps, max_grad_norm=max_grad_norm,
                           reproducible=reproducible, announce=False)
            spent, sigma, delta = model.epsilon, model.noise_multiplier, model.delta
        attack = loss_attack(model, train_df, non_members)
        found = evidence(attack, num_permutations=num_permutations, seed=seed)
        row = {"target_epsilon": math.inf if eps is None else eps, "epsilon": spent,
               "noise_multiplier": sigma}
        row.update({f"auroc {site}": evaluate(model, future[site])["auroc"] for site in future})
        row.update({"attack_auc": attack.auc, "advantage": attack.advantage,
                    "held_out_advantage": found.held_out_advantage,
                    "ci_low": found.held_out_advantage_ci[0],
                    "ci_high": found.held_out_advantage_ci[1],
                    "null_advantage_95": found.null_advantage_95,
                    "tpr@0.1%fpr": attack.tpr_at(0.001), "tpr@1%fpr": attack.tpr_at(0.01),
                    "advantage_bound": advantage_bound(spent, delta, "add-remove")})
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


def history_to_lists(history: Sequence[HistoryEntry]) -> dict[str, list[float] | list[int]]:
    """An accountant history as three lists, e.g. for a Flower ConfigRecord in context.state."""
    return {"noise": [float(h[0]) for h in history], "rate": [float(h[1]) for h in history],
            "steps": [int(h[2]) for h in history]}


def history_from_lists(lists: Mapping[str, Sequence[float]]) -> list[HistoryEntry]:
    """The inverse of :func:`history_to_lists`."""
    return [(float(s), float(q), int(n))
            for s, q, n in zip(lists["noise"], lists["rate"], lists["steps"], strict=True)]


#: Neighbouring datasets an (ε, δ) can be stated for. Opacus and Flower's LocalDpMod with
#: sensitivity C report "add-remove" (one record in or out) resp. "zero-out" (one site's
#: update replaced by nothing); "replace-one" is one record swapped for another, n fixed.
ADJACENCIES = ("add-remove", "zero-out", "replace-one")


def replace_one_budget(epsilon: float, delta: float, adjacency: str = "add-remove"
                       ) -> tuple[float, float]:
    """The (ε, δ) for replace-one neighbours, the adjacency of the course's membership game.

    Replacing a record is removing one and adding another, so an add/remove (or zero-out)
    guarantee (ε, δ) gives (2ε, (1 + e^ε)δ) for replace-one; a replace-one budget is
    returned as it is.
    """
    if adjacency not in ADJACENCIES:
        raise ValueError(f"adjacency={adjacency!r}: choose one of {ADJACENCIES}.")
    if epsilon < 0 or not 0 <= delta < 1:
        raise ValueError(f"epsilon={epsilon}, delta={delta}: need ε >= 0 and 0 <= δ < 1.")
    if adjacency == "replace-one" or not math.isfinite(epsilon):
        return epsilon, delta
    return 2 * epsilon, min(1.0, (1 + math.exp(epsilon)) * delta)


def advantage_bound(epsilon: float, delta: float = 0.0, adjacency: str = "add-remove"
                    ) -> float:
    """The most membership advantage (TPR − FPR) any attack can reach in the course's game.

    For (ε, δ)-DP every membership test satisfies TPR <= e^ε·FPR + δ and, swapping the roles,
    1 − FPR <= e^ε·(1 − TPR) + δ; the largest TPR − FPR under both is
    (e^ε − 1 + 2δ) / (e^ε + 1) (from the hypothesis-testing view of DP: Kairouz, Oh and
    Viswanath, ICML 2015),
    which is below 1 for every finite ε. The course's game (members against fresh patients,
    n fixed) is replace-one, so an add/remove or zero-out budget is converted first with
    :func:`replace_one_budget`. Yeom et al.'s e^ε − 1 is a looser bound for pure ε-DP.
    """
    eps, d = replace_one_budget(epsilon, delta, adjacency)
    if not math.isfinite(eps):
        return 1.0
    return min(1.0, (math.expm1(eps) + 2 * d) / (math.exp(eps) + 1))


def tpr_bound(fpr: float, epsilon: float, delta: float = 0.0, adjacency: str = "add-remove"
              ) -> float:
    """The most TPR any membership attack can reach at false positive rate ``fpr``.

    TPR <= min(1, e^ε·FPR + δ, 1 − e^(−ε)·(1 − δ − FPR)), for the game's replace-one budget.
    """
    if not 0 <= fpr <= 1:
        raise ValueError(f"fpr={fpr}: a false positive rate is between 0 and 1.")
    eps, d = replace_one_budget(epsilon, delta, adjacency)
    if not math.isfinite(eps):
        return 1.0
    return max(0.0, min(1.0, math.exp(eps) * fpr + d, 1 - math.exp(-eps) * (1 - d - fpr)))


@dataclass(frozen=True)
class BoundCheck:
    """Whether a measured attack is consistent with a claimed (ε, δ); true when it is."""

    ok: bool
    reason: str
    measured_low: float  # lower end of the attack's 95 % interval (held-out thresholds)
    bound: float

    def __bool__(self) -> bool:
        return self.ok


def consistent_with_dp(attack: AttackResult, epsilon: float, delta: float,
                       adjacency: str = "add-remove", seed: int = 0) -> BoundCheck:
    """Does a measured attack contradict a claimed (ε, δ)? A test that can fail.

    The attack's advantage is measured with thresholds chosen on held-out patients; if even
    the lower end of its 95 % interval exceeds :func:`advantage_bound` for the claim, no
    model with that guarantee could have produced it, so the claim is false (or the noise was
    replayed, or the accounting is wrong). Passing says only that this attack did not refute
    the claim.
    """
    from fedlearn_kit.privacy.evidence import evidence

    found = evidence(attack, num_permutations=20, seed=seed)
    bound = advantage_bound(epsilon, delta, adjacency)
    low = found.held_out_advantage_ci[0]
    if low > bound:
        return BoundCheck(False, f"the attack's advantage (95 % lower end {low:.3f}) exceeds "
                          f"the most any attack can reach at ε = {epsilon:.3g}, δ = {delta:g} "
                          f"({adjacency}): {bound:.3f}.", low, bound)
    return BoundCheck(True, f"the attack (95 % lower end {low:.3f}) stays within the bound "
                      f"{bound:.3f} for ε = {epsilon:.3g}, δ = {delta:g} ({adjacency}).",
                      low, bound)
