"""Privacy accounting: what a DP run spent, and what that bounds (lesson 06).

Two accountants, two summaries of the same mechanism:

- **ε at δ** comes from Opacus's RDP accountant (:func:`epsilon_spent`), for *add/remove*
  neighbours (one record in or out), as Opacus and most papers report it. One (ε, δ) pair
  bounds every attack, but only through the worst case of all mechanisms with that pair:
  :func:`advantage_bound` and :func:`tpr_bound`.
- **The mechanism's own bound** comes from its whole privacy-loss distribution (PLD), with
  Google's ``dp-accounting`` (the same library behind Flower's accountant). The PLD knows
  that the noise is Gaussian and the batches Poisson-sampled, so the most advantage any
  membership attack can reach is the total variation distance between the two outputs,
  δ(0) of the PLD (:func:`mechanism_advantage_bound`). It is never larger than the
  (ε, δ) bound, and for DP-SGD much smaller: one (ε, δ) pair is a single point of the
  trade-off curve, the PLD is the whole curve (Dong, Roth and Su, *Journal of the Royal
  Statistical Society B*, 2022, "Gaussian differential privacy").

**Which neighbours.** The course's membership game keeps the number of training patients
fixed and swaps one member for a fresh patient: *replace-one* (n fixed). That is also the
only relation that can hold when each site's patient count leaves in the clear, as it does
in every federated reply. An add/remove budget (ε, δ) converts to replace-one as
(2ε, (1 + e^ε)δ) (:func:`replace_one_budget`); the PLD accounts replace-one directly
(:func:`replace_one_epsilon`).

**Patients with several rows.** ε is per record (row). A patient with k rows is covered by
group privacy at (kε, δ·Σ_{i<k} e^{iε}) (:func:`group_privacy`; Dwork and Roth 2014,
Theorem 2.2 for pure ε, with the δ term for approximate DP), whose δ grows so fast that it
is void for large ε; :func:`patient_epsilon` accounts the patient's k rows directly (each
row Poisson-sampled, their clipped gradients adding up), which is tighter.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Sequence
from functools import lru_cache

from opacus.accountants import RDPAccountant
from opacus.accountants.utils import get_noise_multiplier
from scipy.stats import binom

#: One entry of an accountant's history: (noise multiplier, sample rate, steps).
HistoryEntry = tuple[float, float, int]

#: Neighbouring datasets an (ε, δ) can be stated for. Opacus reports "add-remove" (one
#: record in or out); Flower's LocalDpMod with sensitivity C and its central DP wrappers
#: report "zero-out" (one site's update replaced by a zero update, the number of sites
#: fixed); "replace-one" is one record swapped for another, n fixed.
ADJACENCIES = ("add-remove", "zero-out", "replace-one")

#: The PLD's discretisation of the privacy loss. Its rounding is pessimistic, so a coarser
#: grid gives a slightly larger (still valid) bound; 1e-3 is within 1e-3 of dp-accounting's
#: default 1e-4 on the course's runs and ten times faster.
PLD_DISCRETISATION = 1e-3
_GROUP_DISCRETISATION = 1e-2  # the group mixture is slower; still a valid upper bound


def _history(history: Iterable[HistoryEntry]) -> list[HistoryEntry]:
    entries = [(float(s), float(q), int(n)) for s, q, n in history]
    for s, q, n in entries:
        if s <= 0 or not 0 < q <= 1 or n < 0:
            raise ValueError(f"History entry {(s, q, n)}: need noise multiplier > 0, "
                             "0 < sample rate <= 1 and steps >= 0.")
    return entries


def epsilon_spent(history: Iterable[HistoryEntry], delta: float) -> float:
    """ε at ``delta`` for a sequence of DP-SGD steps, from Opacus's RDP accountant
    (add/remove neighbours)."""
    accountant = RDPAccountant()
    accountant.history = _history(history)
    if not accountant.history:
        return 0.0
    with warnings.catch_warnings():
        # "Optimal order is the largest alpha": ε is then a valid but looser upper bound.
        warnings.filterwarnings("ignore", message="Optimal order")
        return float(accountant.get_epsilon(delta=delta))


@lru_cache(maxsize=256)  # every noise draw of a curve asks the same question
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


# --- the (ε, δ) pair and what it bounds ---------------------------------------------------

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
    """The most membership advantage (TPR − FPR) an (ε, δ) pair allows in the course's game.

    For (ε, δ)-DP every membership test satisfies TPR <= e^ε·FPR + δ, and for the opposite
    verdict (flagging the complement) 1 − FPR <= e^ε·(1 − TPR) + δ; the largest TPR − FPR
    under both is (e^ε − 1 + 2δ) / (e^ε + 1) (the hypothesis-testing view of DP: Kairouz,
    Oh and Viswanath, ICML 2015). It is tight over all mechanisms with this pair, and a
    DP-SGD run usually does much better (:func:`mechanism_advantage_bound`). The course's
    game is replace-one, so an add/remove or zero-out budget is converted first with
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


def group_privacy(epsilon: float, delta: float, k: int) -> tuple[float, float]:
    """(ε, δ) for a group of ``k`` records from a per-record (ε, δ): (kε, δ·Σ_{i<k} e^{iε}).

    Chaining the guarantee through k neighbours multiplies the likelihood ratio by e^ε each
    time and adds a δ weighted by the ratio so far. A δ of 1 or more promises nothing.
    """
    if k < 1:
        raise ValueError(f"k={k}: a group has at least one record.")
    if epsilon < 0 or not 0 <= delta < 1:
        raise ValueError(f"epsilon={epsilon}, delta={delta}: need ε >= 0 and 0 <= δ < 1.")
    group_delta = delta * sum(math.exp(i * epsilon) for i in range(k))
    return k * epsilon, group_delta


# --- the mechanism's own bound (privacy-loss distributions) -------------------------------

def _pld_accountant(history: Iterable[HistoryEntry], adjacency: str,
                    discretisation: float = PLD_DISCRETISATION) -> object:
    import dp_accounting
    from dp_accounting.pld import pld_privacy_accountant

    relations = {"replace-one": dp_accounting.NeighboringRelation.REPLACE_ONE,
                 "add-remove": dp_accounting.NeighboringRelation.ADD_OR_REMOVE_ONE,
                 "zero-out": dp_accounting.NeighboringRelation.REPLACE_SPECIAL}
    if adjacency not in relations:
        raise ValueError(f"adjacency={adjacency!r}: choose one of {ADJACENCIES}.")
    accountant = pld_privacy_accountant.PLDAccountant(
        relations[adjacency], value_discretization_interval=discretisation)
    for sigma, rate, steps in _history(history):
        if steps == 0:
            continue
        gaussian = dp_accounting.GaussianDpEvent(sigma)
        event = gaussian if rate >= 1 else dp_accounting.PoissonSampledDpEvent(rate, gaussian)
        accountant.compose(event, steps)
    return accountant


def mechanism_advantage_bound(history: Iterable[HistoryEntry],
                              adjacency: str = "replace-one") -> float:
    """The most membership advantage any attack can reach against this mechanism (PLD).

    The advantage TPR − FPR of any test between two neighbouring datasets is at most the
    total variation distance between the mechanism's outputs on them, which is the
    privacy profile δ(ε) at ε = 0. The PLD accountant computes it for the noise, sampling
    rate and steps in ``history`` (Gaussian noise with Poisson sampling; a rate of 1 is no
    sampling), for the game's replace-one neighbours by default. Its rounding is
    pessimistic, so the figure is an upper bound.
    """
    entries = _history(history)
    if not any(n for _, _, n in entries):
        return 0.0
    return min(1.0, float(_pld_accountant(entries, adjacency).get_delta(0.0)))  # type: ignore[attr-defined]


def replace_one_epsilon(history: Iterable[HistoryEntry], delta: float) -> float:
    """ε at ``delta`` for replace-one neighbours (n fixed), accounted directly with the PLD.

    The budget that holds when the number of records is public, e.g. when a site's patient
    count leaves with its update. Tighter than converting the add/remove ε with
    :func:`replace_one_budget`, and at the same δ.
    """
    if not 0 < delta < 1:
        raise ValueError(f"delta={delta}: need 0 < δ < 1.")
    entries = _history(history)
    if not any(n for _, _, n in entries):
        return 0.0
    return float(_pld_accountant(entries, "replace-one").get_epsilon(delta))  # type: ignore[attr-defined]


def patient_epsilon(history: Iterable[HistoryEntry], delta: float, rows: int) -> float:
    """ε at ``delta`` for one patient with ``rows`` records (all in or all out), accounted
    directly.

    Each of the patient's rows is Poisson-sampled on its own, so in a step j of them are in
    the batch with binomial probability, and their clipped gradients move the sum by at most
    j·C. That is a mixture of Gaussian mechanisms, which dp-accounting's PLD accounts exactly
    (the vector case is dominated by the scalar one: Choquette-Choo, Ganesh, Steinke and
    Thakurta 2024, Corollary 4.7). Add/remove neighbours; for ``rows`` = 1 it is the
    per-record ε (up to the accountant).
    """
    import dp_accounting
    from dp_accounting.pld import pld_privacy_accountant

    if rows < 1:
        raise ValueError(f"rows={rows}: a patient has at least one record.")
    if not 0 < delta < 1:
        raise ValueError(f"delta={delta}: need 0 < δ < 1.")
    accountant = pld_privacy_accountant.PLDAccountant(
        dp_accounting.NeighboringRelation.ADD_OR_REMOVE_ONE,
        value_discretization_interval=_GROUP_DISCRETISATION)
    entries = [e for e in _history(history) if e[2]]
    if not entries:
        return 0.0
    for sigma, rate, steps in entries:
        weights = [float(binom.pmf(j, rows, rate)) for j in range(rows + 1)]
        accountant.compose(dp_accounting.dp_event.MixtureOfGaussiansDpEvent(
            sigma, list(range(rows + 1)), weights), steps)
    return float(accountant.get_epsilon(delta))


def budget_facts(history: Iterable[HistoryEntry], delta: float, *,
                 group_sizes: Sequence[int] = (2, 3)) -> dict[str, object]:
    """The DPIA's facts for one DP run whose record counts are released (every federated one).

    With the number of records public, only replace-one neighbours (n fixed) can hold, so the
    budget is accounted for them directly: ``epsilon`` at ``delta`` (PLD), ``adjacency``
    "replace-one", ``advantage_bound`` from that (ε, δ) pair, ``mechanism_advantage_bound``
    from the whole privacy-loss distribution, and ``group_budgets``: what group privacy gives
    a patient with k records, ``[k, kε, δ·Σ_{i<k} e^{iε}]``. The names are those of
    :class:`fedlearn_kit.gdpr.facts.MeasuredFacts`.
    """
    entries = _history(history)
    epsilon = replace_one_epsilon(entries, delta)
    return {"epsilon": round(epsilon, 4), "delta": delta, "adjacency": "replace-one",
            "advantage_bound": round(advantage_bound(epsilon, delta, "replace-one"), 4),
            "mechanism_advantage_bound": round(mechanism_advantage_bound(entries), 4),
            "group_budgets": [[k, round(eps, 4), float(f"{d:.3g}")] for k in group_sizes
                              for eps, d in [group_privacy(epsilon, delta, k)]]}
