"""Differential privacy for the course's models and updates (lesson 06).

Record-level DP-SGD runs the kit's training loop through Opacus: each patient's gradient is
clipped and Gaussian noise is added. The privacy budget always comes from an accountant,
never from a formula typed in here (:mod:`fedlearn_kit.privacy.accounting`): ε at δ from
Opacus's RDP accountant, and the mechanism's own bound on any membership attack from its
privacy-loss distribution.

**Secret noise by default.** An ε holds only if nobody can regenerate the noise or the
sampling. By default both are drawn from a ChaCha20 stream keyed with 256 bits from the
operating system's CSPRNG (:mod:`fedlearn_kit.privacy.randomness`, which says exactly what
that does and does not guarantee), so no two runs share noise. The course's notebooks pass
``reproducible=True``, a classroom switch that derives the key from the whole public seed
so the numbers repeat; wherever it is on, one line says that this ε would not hold for a
released model.

**Which adjacency.** Opacus's ε is for *add/remove* neighbours (one record in or out). The
membership game the course plays (members against fresh patients, with the number of
training patients fixed) compares datasets where one record is *replaced*; every bound the
kit prints is for that game (:func:`~fedlearn_kit.privacy.accounting.advantage_bound`,
:func:`~fedlearn_kit.privacy.accounting.mechanism_advantage_bound`).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import torch
from opacus import GradSampleModule
from opacus.accountants import RDPAccountant
from opacus.optimizers import DPOptimizer
from opacus.optimizers.optimizer import _check_processed_flag, _mark_as_processed
from torch import nn

from fedlearn_app.task import to_tensors
from fedlearn_kit.cohort import Cohort
from fedlearn_kit.evaluation import evaluate, subgroup_scores
from fedlearn_kit.experiment import Experiment
from fedlearn_kit.i18n import N_, _, ngettext
from fedlearn_kit.privacy.accounting import (
    ADJACENCIES,
    HistoryEntry,
    advantage_bound,
    epsilon_spent,
    group_privacy,
    mechanism_advantage_bound,
    noise_for_epsilon,
    patient_epsilon,
    replace_one_budget,
    replace_one_epsilon,
    tpr_bound,
)
from fedlearn_kit.privacy.attacks import AttackResult, loss_attack, matching_non_members
from fedlearn_kit.privacy.randomness import SecurePoissonSampler, SecureStream
from fedlearn_kit.training import TrainedModel, fit, new_net, one_torch_thread

__all__ = [  # the accounting names are re-exported: lessons call them as defences.*
    "ADJACENCIES", "EPSILONS", "BoundCheck", "DPConfig", "DPTraining", "HistoryEntry",
    "PrivacyUtility", "PrivateModel", "SecureNoiseDPOptimizer", "advantage_bound", "audit_table",
    "announce_classroom_noise",
    "consistent_with_dp", "default_delta", "dp_train", "epsilon_spent", "fit_dp",
    "group_privacy", "history_from_lists", "history_to_lists", "mechanism_advantage_bound",
    "noise_for_epsilon", "opacus_sample_rate", "patient_epsilon", "privacy_utility",
    "replace_one_budget", "replace_one_epsilon", "subgroup_table", "tpr_bound",
    "overfitting_gaps", "report_audits", "report_budget", "report_group_privacy",
    "subgroup_summary",
]

#: The privacy budgets of lesson 06's privacy-utility curve; None means no DP.
EPSILONS: tuple[float | None, ...] = (0.5, 1.0, 2.0, 4.0, 8.0, None)


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


CLASSROOM_WARNING = N_("⚠ Classroom noise: seeded from the public seed so the numbers repeat. "
                       "Anyone with the seed can replay the noise, so this ε would not hold "
                       "for a released model.")


def announce_classroom_noise() -> None:
    """Print the one-line warning that goes with ``reproducible=True``."""
    print(_(CLASSROOM_WARNING))


class SecureNoiseDPOptimizer(DPOptimizer):
    """Opacus's DP optimizer with its Gaussian noise drawn from a :class:`SecureStream`.

    Everything else is Opacus's: per-record clipping to ``max_grad_norm``, the sum, the
    averaging by the expected batch size and the accountant's step hook. Only
    :meth:`add_noise` is replaced, so the noise comes from ChaCha20 rather than torch's
    Mersenne Twister.
    """

    def __init__(self, optimizer: torch.optim.Optimizer, *, stream: SecureStream,
                 noise_multiplier: float, max_grad_norm: float, expected_batch_size: int
                 ) -> None:
        super().__init__(optimizer, noise_multiplier=noise_multiplier,
                         max_grad_norm=max_grad_norm, expected_batch_size=expected_batch_size)
        self.stream = stream

    def add_noise(self) -> None:
        """Add noise of standard deviation ``noise_multiplier × max_grad_norm`` to the
        clipped sum of every parameter's per-record gradients (Opacus's own steps)."""
        sums = [p.summed_grad for p in self.params]
        for summed in sums:
            _check_processed_flag(summed)
        # One draw for all parameters: the same noise, far fewer calls into the cipher.
        noise = torch.from_numpy(self.stream.normal(
            sum(s.numel() for s in sums), self.noise_multiplier * self.max_grad_norm))
        for p, part in zip(self.params, noise.split([s.numel() for s in sums]), strict=True):
            p.grad = (p.summed_grad + part.to(p.summed_grad).view_as(p.summed_grad)).view_as(p)
            _mark_as_processed(p.summed_grad)


def dp_train(net: nn.Module, X: torch.Tensor, y: torch.Tensor, *, epochs: int, lr: float,  # noqa: N803
             batch_size: int, seed: int | None, dp: DPConfig,
             history: Sequence[HistoryEntry] = (), draw: int = 0) -> DPTraining:
    """DP-SGD with Opacus on the kit's loss: the private twin of ``training.train``.

    Batches are Poisson-sampled at rate ``1 / ceil(n / batch_size)``, Opacus's rate (so the
    expected batch is ``n / ceil(n / batch_size)``, at most ``batch_size``), each record's
    gradient is clipped to ``dp.max_grad_norm`` (Opacus's ``GradSampleModule`` and
    ``DPOptimizer``) and Gaussian noise of ``dp.noise_multiplier`` times that norm is added.
    Opacus's RDP accountant counts every step, from ``history`` on (e.g. a site's earlier
    federated rounds), so ε covers everything the site released. ``net`` is trained in
    place and left a plain module.

    ``seed=None`` (the default of every caller) draws the sampling and the noise from
    ChaCha20 keyed from the operating system's CSPRNG, so nobody can replay them; an integer
    ``seed`` is the classroom switch: the key is derived from the whole seed and ``draw``,
    the run repeats exactly, and the ε does not hold against anyone who knows the seed.
    An empty Poisson batch is still noised and accounted; only the loss bookkeeping skips it.
    """
    if len(X) == 0:
        raise ValueError("dp_train needs at least one record.")
    if not 1 <= batch_size <= len(X):
        raise ValueError(f"batch_size={batch_size}: must be between 1 and {len(X)} records.")
    if seed is None:
        sampling, noise = SecureStream.from_os(), SecureStream.from_os()
    else:
        sampling = SecureStream.from_seed(seed, f"sampling, draw {draw}")
        noise = SecureStream.from_seed(seed, f"noise, draw {draw}")
    rate = opacus_sample_rate(len(X), batch_size)
    # The sampler yields each step's Poisson batch as indices (possibly none); the records
    # are tensors already, so indexing them is the whole data loader.
    batches = SecurePoissonSampler(len(X), rate, sampling)
    accountant = RDPAccountant()
    accountant.history = list(history)
    loss_fn = nn.BCEWithLogitsLoss()
    losses = []
    with warnings.catch_warnings(), one_torch_thread():
        warnings.simplefilter("ignore")  # Opacus's notes on hooks and on secure mode
        private = GradSampleModule(net)
        optimizer = SecureNoiseDPOptimizer(
            torch.optim.SGD(net.parameters(), lr=lr), stream=noise,
            noise_multiplier=dp.noise_multiplier, max_grad_norm=dp.max_grad_norm,
            expected_batch_size=int(len(X) * rate))
        optimizer.attach_step_hook(accountant.get_optimizer_hook_fn(sample_rate=rate))
        private.train()
        for _epoch in range(epochs):
            total, seen = 0.0, 0
            for batch in batches:
                xb, yb = X[batch], y[batch]
                optimizer.zero_grad()
                loss = loss_fn(private(xb), yb)
                loss.backward()  # on an empty batch too: the step is then noise alone
                optimizer.step()
                if len(xb):
                    total, seen = total + loss.item() * len(xb), seen + len(xb)
            losses.append(total / max(seen, 1))
        private._close()  # remove Opacus's hooks: ``net`` is a plain module again
    new_history = [(float(s), float(q), int(n)) for s, q, n in accountant.history]
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


def fit_dp(train_df: pd.DataFrame, exp: Experiment, epsilon: float, *, name: str = "",
           delta: float | None = None, max_grad_norm: float = 1.0,
           reproducible: bool = False, announce: bool = True, draw: int = 0) -> PrivateModel:
    """Train the experiment's model on ``train_df`` with record-level DP-SGD to a budget ε.

    The accountant picks the noise multiplier that spends at most ``epsilon`` over the
    experiment's epochs, for the sampling rate Opacus actually uses (1 / ceil(n / batch)); the
    model reports the ε actually spent (add/remove adjacency, per record). The noise is
    secret unless ``reproducible=True`` (the classroom switch, which prints a warning
    unless ``announce=False``); ``draw`` numbers the classroom noise draws of one seed.
    """
    if len(train_df) == 0:
        raise ValueError("fit_dp needs training rows.")
    delta = default_delta(len(train_df)) if delta is None else delta
    batch_size = min(exp.batch_size, len(train_df))
    sample_rate = opacus_sample_rate(len(train_df), batch_size)
    steps = exp.epochs * math.ceil(len(train_df) / batch_size)
    sigma = noise_for_epsilon(epsilon, delta, sample_rate, steps)
    X, y = to_tensors(train_df)  # noqa: N806
    net = new_net(exp)
    if reproducible and announce:
        announce_classroom_noise()
    run = dp_train(net, X, y, epochs=exp.epochs, lr=exp.lr, batch_size=batch_size,
                   seed=exp.seed if reproducible else None,
                   dp=DPConfig(sigma, max_grad_norm, delta), draw=draw)
    return PrivateModel(name or f"DP ε={epsilon:g}", net,
                        tuple(sorted(train_df["site"].unique())), run.losses,
                        run.epsilon, delta, sigma, run.history)


@dataclass(frozen=True)
class PrivacyUtility:
    """Lesson 06's privacy-utility curve (see :func:`privacy_utility`).

    ``table`` has one row per budget; ``draws`` one row per budget and noise draw (the
    AUROC of each draw); ``models`` maps each model's name to its draws (the model without
    DP has one).
    """

    table: pd.DataFrame
    draws: pd.DataFrame
    models: dict[str, list[TrainedModel]]

    def model(self, name: str) -> TrainedModel:
        """The first draw of the model called ``name`` (e.g. "DP ε=1" or "no DP")."""
        if name not in self.models:
            raise KeyError(f"No model {name!r}; the curve has {list(self.models)}.")
        return self.models[name][0]


def _auroc_columns(draws: pd.DataFrame, sites: Sequence[str]) -> dict[str, float]:
    row = {}
    for site in sites:
        values = draws[f"auroc {site}"]
        row.update({f"auroc {site}": float(values.mean()), f"auroc {site} low": float(
            values.min()), f"auroc {site} high": float(values.max())})
    return row


def privacy_utility(train_df: pd.DataFrame, future: Cohort, exp: Experiment,
                    epsilons: Sequence[float | None] = EPSILONS, *,
                    max_grad_norm: float = 1.0, non_member_ratio: float = 1.0, seed: int = 0,
                    reproducible: bool = False, noise_draws: int = 5,
                    num_permutations: int = 999) -> PrivacyUtility:
    """Train models per ε on ``train_df`` and measure them: lesson 06's privacy-utility curve.

    ``train_df`` is one site's training rows (a local model) or all sites' pooled (the
    central model). Every budget is trained ``noise_draws`` times (the same data and
    initial weights, different DP noise and sampling), because one draw of the noise can
    land high or low. Each row of ``table``: the target ε, the ε the accountant reports
    (add/remove, per record) and the noise multiplier; per site the AUROC on that site's
    future patients, averaged over the draws (``auroc A``) with the lowest and highest draw
    (``auroc A low``, ``auroc A high``); the loss attack on the *first* draw (members = the
    training rows, non-members = future patients in the same site mix): the best-threshold
    ``advantage``, ``blind_95``, the permutation test's ``p_value`` and ``p_holm`` (all
    rows tested together) and ``leaks``, the held-out advantage with its 95 % interval
    (``ci_low``, ``ci_high``); and two bounds on *any* membership attack in this game
    (replace-one, n fixed): ``advantage_bound`` from the (ε, δ) pair and
    ``mechanism_bound`` from the mechanism's privacy-loss distribution (never larger).
    """
    from fedlearn_kit.privacy.evidence import evidence, holm

    if noise_draws < 1:
        raise ValueError(f"noise_draws={noise_draws}: train each budget at least once.")
    non_members = matching_non_members(train_df, future, ratio=non_member_ratio, seed=seed)
    if reproducible:
        announce_classroom_noise()
    rows, draw_rows, models = [], [], {}
    for eps in epsilons:
        if eps is None:
            runs: list[TrainedModel] = [fit(train_df, exp, "no DP")]
        else:
            runs = [fit_dp(train_df, exp, eps, max_grad_norm=max_grad_norm,
                           reproducible=reproducible, announce=False, draw=d)
                    for d in range(noise_draws)]
        first = runs[0]
        models[first.name] = runs
        target = math.inf if eps is None else eps
        for d, model in enumerate(runs):
            draw_rows.append({"target_epsilon": target, "draw": d, **{
                f"auroc {site}": evaluate(model, future[site])["auroc"] for site in future}})
        attack = loss_attack(first, train_df, non_members)
        found = evidence(attack, num_permutations=num_permutations, seed=seed)
        if isinstance(first, PrivateModel):
            spent, sigma, delta, history = (first.epsilon, first.noise_multiplier, first.delta,
                                            first.history)
        else:
            spent, sigma, delta, history = math.inf, 0.0, 0.0, []
        row = {"target_epsilon": target, "epsilon": spent, "noise_multiplier": sigma,
               **_auroc_columns(pd.DataFrame(draw_rows[-len(runs):]), list(future)),
               "attack_auc": attack.auc, "advantage": found.advantage,
               "blind_95": found.null_advantage_95, "p_value": found.advantage_p_value,
               "held_out_advantage": found.held_out_advantage,
               "ci_low": found.held_out_advantage_ci[0],
               "ci_high": found.held_out_advantage_ci[1],
               "tpr@0.1%fpr": attack.tpr_at(0.001), "tpr@1%fpr": attack.tpr_at(0.01),
               "advantage_bound": advantage_bound(spent, delta, "add-remove"),
               "mechanism_bound": (mechanism_advantage_bound(history) if history else 1.0)}
        rows.append(row)
    table = pd.DataFrame(rows)
    table.insert(table.columns.get_loc("p_value") + 1, "p_holm", holm(table["p_value"]))
    table.insert(table.columns.get_loc("p_holm") + 1, "leaks", table["p_holm"] <= 0.05)
    return PrivacyUtility(table, pd.DataFrame(draw_rows), models)


def subgroup_table(models: Mapping[str, TrainedModel | Sequence[TrainedModel]],
                   patients: pd.DataFrame, trained_on: pd.DataFrame | None = None
                   ) -> pd.DataFrame:
    """AUROC per sex and age band for each model: who pays the accuracy cost of DP.

    A model may be given as several noise draws: ``auroc`` is then their mean and
    ``auroc_low``/``auroc_high`` the lowest and highest draw. ``n`` is how many of
    ``patients`` are in the group (the patients scored); with ``trained_on`` (the training
    rows) ``n_train`` says how many of the group the models learnt from.
    """
    train_counts = (None if trained_on is None else
                    group_counts(trained_on))
    frames = []
    for name, given in models.items():
        draws = [given] if isinstance(given, TrainedModel) else list(given)
        if not draws:
            raise ValueError(f"Model {name!r} has no draws.")
        tables = [subgroup_scores(m, patients) for m in draws]
        table = tables[0].drop(columns="auroc").copy()
        values = np.stack([t["auroc"].to_numpy() for t in tables])
        table["auroc"], table["auroc_low"], table["auroc_high"] = (
            values.mean(axis=0), values.min(axis=0), values.max(axis=0))
        table["draws"] = len(draws)
        if train_counts is not None:
            table["n_train"] = [train_counts.get((g, v), 0)
                                for g, v in zip(table["group"], table["value"], strict=True)]
        table.insert(0, "model", name)
        frames.append(table)
    return pd.concat(frames, ignore_index=True)


def group_counts(patients: pd.DataFrame) -> dict[tuple[str, str], int]:
    """How many of ``patients`` fall in each (group, value) of :func:`subgroup_table`."""
    from fedlearn_kit.evaluation import age_band

    counts: dict[tuple[str, str], int] = {}
    for label, n in patients["sex"].astype(str).value_counts().items():
        counts[("sex", str(label))] = int(n)
    for label, n in age_band(patients["age"]).astype(str).value_counts().items():
        counts[("age band", str(label))] = int(n)
    return counts


def audit_table(models: Mapping[str, TrainedModel], members: pd.DataFrame,
                non_members: pd.DataFrame, claimed: Mapping[str, float] | None = None, *,
                delta: float = 1e-5, seed: int = 0) -> pd.DataFrame:
    """Privacy claims next to what the loss attack measures: one row per model.

    A model trained with :func:`fit_dp` claims the ε its accountant reported (add/remove, at
    its δ); any other model's claim is read from ``claimed`` (e.g. a vendor's "ε = 0.05", at
    ``delta``). Columns: ``epsilon`` and ``delta`` claimed, the held-out advantage of the
    loss attack (members against ``non_members``) and the lower end of its 95 % interval
    (``ci_low``), the quantity an audit compares with the claim's bound.
    """
    from fedlearn_kit.privacy.evidence import clopper_pearson, held_out_counts

    claimed = dict(claimed or {})
    rows = {}
    for name, model in models.items():
        if isinstance(model, PrivateModel) and name not in claimed:
            epsilon, model_delta = model.epsilon, model.delta
        elif name in claimed:
            epsilon, model_delta = float(claimed[name]), delta
        else:
            raise ValueError(f"{name!r} was not trained with DP: give its claimed ε in "
                             "`claimed`.")
        attack = loss_attack(model, members, non_members)
        found, flagged = held_out_counts(attack, seed)
        m, n = len(attack.member_scores), len(attack.non_member_scores)
        rows[name] = {"epsilon": epsilon, "delta": model_delta,
                      "held_out_advantage": found / m - flagged / n,
                      "ci_low": clopper_pearson(found, m, 0.975)[0]
                      - clopper_pearson(flagged, n, 0.975)[1]}
    return pd.DataFrame(rows).T.astype(float)


def history_to_lists(history: Sequence[HistoryEntry]) -> dict[str, list[float] | list[int]]:
    """An accountant history as three lists, e.g. for a Flower ConfigRecord in context.state."""
    return {"noise": [float(h[0]) for h in history], "rate": [float(h[1]) for h in history],
            "steps": [int(h[2]) for h in history]}


def history_from_lists(lists: Mapping[str, Sequence[float]]) -> list[HistoryEntry]:
    """The inverse of :func:`history_to_lists`."""
    return [(float(s), float(q), int(n))
            for s, q, n in zip(lists["noise"], lists["rate"], lists["steps"], strict=True)]


@dataclass(frozen=True)
class BoundCheck:
    """Whether a measured attack is consistent with a bound on every attack; true if it is."""

    ok: bool
    reason: str
    measured_low: float  # one-sided lower confidence bound of the held-out advantage
    bound: float
    level: float  # the chance that a consistent claim is called refuted, at most

    def __bool__(self) -> bool:
        return self.ok


def consistent_with_dp(attack: AttackResult, epsilon: float, delta: float,
                       adjacency: str = "add-remove", *, bound: float | None = None,
                       level: float = 0.025, tests: int = 1, seed: int = 0) -> BoundCheck:
    """Does a measured attack refute a privacy claim? A test that can fail.

    ``bound`` is the most advantage any attack can reach under the claim: by default
    :func:`advantage_bound` of the (ε, δ) pair; pass
    :func:`~fedlearn_kit.privacy.accounting.mechanism_advantage_bound` of the run's history
    to test the mechanism itself (a tighter bound, so a stronger test). The attack's
    advantage is measured with thresholds chosen on held-out patients, and its lower
    confidence bound is the TPR's lower minus the FPR's upper Clopper-Pearson bound, each
    one-sided at ``level / (2 · tests)``. If that lower bound exceeds the claim's bound, the
    claim is refuted at ``level`` (with ``tests`` claims checked together, Bonferroni): no
    model with that guarantee produces it more often. A refutation means the claim is false,
    the noise was replayed, or the accounting is wrong. One training run is enough evidence
    because members and non-members are exchangeable draws from one population (auditing
    in one run: Steinke, Nasr and Jagielski, NeurIPS 2023). Passing says only that this
    attack did not refute the claim.
    """
    from fedlearn_kit.privacy.evidence import clopper_pearson, held_out_counts

    if not 0 < level < 1 or tests < 1:
        raise ValueError(f"level={level}, tests={tests}: need 0 < level < 1 and tests >= 1.")
    limit = advantage_bound(epsilon, delta, adjacency) if bound is None else bound
    found, flagged = held_out_counts(attack, seed)
    m, n = len(attack.member_scores), len(attack.non_member_scores)
    two_sided = 1 - level / tests  # each side then leaves level / (2 · tests) in its tail
    low = clopper_pearson(found, m, two_sided)[0] - clopper_pearson(flagged, n, two_sided)[1]
    claim = (_("ε = {epsilon}, δ = {delta} ({adjacency})").format(
        epsilon=f"{epsilon:.3g}", delta=f"{delta:g}", adjacency=adjacency) if bound is None
             else _("the mechanism's bound for ε = {epsilon}").format(epsilon=f"{epsilon:.3g}"))
    values = {"low": f"{low:.3f}", "limit": f"{limit:.3f}", "claim": claim,
              "level": f"{100 * level:g}"}
    if low > limit:
        return BoundCheck(False, _("the attack's advantage (lower bound {low}) exceeds {limit}, "
                                   "the most any attack can reach under {claim}: refuted at "
                                   "the {level} % level.").format(**values), low, limit, level)
    return BoundCheck(True, _("the attack (lower bound {low}) stays within {limit} under "
                              "{claim}: not refuted.").format(**values), low, limit, level)


# --- what lesson 06 prints: whole sentences through _(), so a Swedish notebook prints Swedish --


def report_budget(model: PrivateModel, records: int) -> None:
    """Print the noise multiplier the accountant chose and the (ε, δ) the model spent, with
    the number of training records and 1/n (δ should be well below it)."""
    if records < 1:
        raise ValueError(f"records={records}: the model was trained on at least one record.")
    print(_("Noise multiplier chosen by the accountant: {sigma}.").format(
        sigma=f"{model.noise_multiplier:.2f}"))
    print(ngettext("Spent: ε = {epsilon} at δ = {delta} ({n} patient, 1/n = {inverse}).",
                   "Spent: ε = {epsilon} at δ = {delta} ({n} patients, 1/n = {inverse}).",
                   records).format(epsilon=f"{model.epsilon:.2f}", delta=f"{model.delta:.0e}",
                                   n=records, inverse=f"{1 / records:.0e}"))


def report_group_privacy(model: PrivateModel, stays: Sequence[int] = (2, 3)
                         ) -> dict[int, tuple[float, float, float]]:
    """For a patient with k records (each k in ``stays``), print and return two budgets: group
    privacy's (kε, δ_k) and ε with the k rows accounted together at the model's own δ.

    Returns ``{k: (group ε, group δ, together ε)}``.
    """
    out = {}
    for k in stays:
        eps_k, delta_k = group_privacy(model.epsilon, model.delta, k)
        together = patient_epsilon(model.history, model.delta, k)
        out[k] = (eps_k, delta_k, together)
        print(_("{k} stays: group privacy gives ε = {eps_k} at δ = {delta_k}; the rows "
                "accounted together give ε = {together} at δ = {delta}.").format(
            k=k, eps_k=f"{eps_k:.2f}", delta_k=f"{delta_k:.1e}", together=f"{together:.2f}",
            delta=f"{model.delta:.0e}"))
    return out


def overfitting_gaps(models: Mapping[str, TrainedModel], own: pd.DataFrame,
                     future: pd.DataFrame) -> dict[str, float]:
    """AUROC on the patients a model trained on minus AUROC on future patients, per model:
    how much each over-fits. Prints one line per model and returns the gaps by name."""
    gaps = {name: evaluate(m, own)["auroc"] - evaluate(m, future)["auroc"]
            for name, m in models.items()}
    for name, gap in gaps.items():
        print(_("{model}: AUROC on its own patients minus AUROC on future patients = "
                "{gap}.").format(model=name, gap=f"{gap:.3f}"))
    return gaps


def report_audits(audits: Mapping[str, BoundCheck]) -> None:
    """Print each audit's verdict with its reason, one line per model."""
    for name, audit in audits.items():
        verdict = (_("{model}: consistent, {reason}") if audit.ok
                   else _("{model}: REFUTED, {reason}"))
        print(verdict.format(model=name, reason=audit.reason))


def subgroup_summary(groups: pd.DataFrame) -> pd.DataFrame:
    """:func:`subgroup_table` for reading: one row per model, one column per group, the mean
    AUROC rounded to 3 decimals, and a last row with how many of each group the site trained
    on (translated label)."""
    if "n_train" not in groups:
        raise ValueError("subgroup_summary needs n_train: call subgroup_table with trained_on.")
    table = groups.pivot_table(index="model", columns=["group", "value"], values="auroc",
                               sort=False).round(3)
    trained = groups.drop_duplicates(["group", "value"]).set_index(["group", "value"])["n_train"]
    table.loc[_("training patients (n)")] = trained.reindex(table.columns).to_numpy()
    return table
