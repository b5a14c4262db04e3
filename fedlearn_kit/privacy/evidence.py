"""Attack figures with their uncertainty: counts, intervals, a blind-attack null (lessons 05-06).

A membership attack's advantage or its TPR at 0.1 % FPR is a measurement on a few hundred
patients. Read alone it can look like evidence of leakage when an attack that knows nothing
would do as well. :func:`evidence` therefore reports, for one :class:`AttackResult`:

- the advantage with the threshold chosen on *held-out* patients (two-fold: each half is
  scored with the threshold picked on the other half) and its 95 % interval;
- what a blind attack reaches (a permutation null: the same scores with the member labels
  shuffled), so "0.12" can be read against "a blind attack reaches 0.10 one time in 20";
- the TPR at a low FPR as a count ("1 of 226 members") with its Clopper-Pearson interval,
  and how often a blind attack finds at least as many.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from scipy.stats import beta

from fedlearn_kit.privacy.attacks import AttackResult


def clopper_pearson(successes: int, trials: int, level: float = 0.95) -> tuple[float, float]:
    """The exact (Clopper-Pearson) interval for a binomial proportion, e.g. a TPR."""
    if trials < 1 or not 0 <= successes <= trials:
        raise ValueError(f"successes={successes}, trials={trials}: need 0 <= k <= n, n >= 1.")
    if not 0 < level < 1:
        raise ValueError(f"level={level}: a confidence level is between 0 and 1.")
    alpha = 1 - level
    low = 0.0 if successes == 0 else float(beta.ppf(alpha / 2, successes, trials - successes + 1))
    high = 1.0 if successes == trials else float(
        beta.ppf(1 - alpha / 2, successes + 1, trials - successes))
    return low, high


def _curves(is_member: np.ndarray, order: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """TPR and FPR after each record, flagging records from the highest score down.

    ``is_member`` has one row per labelling (e.g. per permutation), columns in score order.
    """
    labels = is_member[:, order]
    members = labels.sum(axis=1, keepdims=True)
    tpr = np.cumsum(labels, axis=1) / members
    fpr = np.cumsum(1 - labels, axis=1) / (labels.shape[1] - members)
    return tpr, fpr


def permutation_null(result: AttackResult, *, low_fpr: float = 0.001,
                     num_permutations: int = 500, seed: int = 0
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Advantage and TPR at ``low_fpr`` of blind attacks: the scores with shuffled labels.

    A blind attack gives the same scores but they carry no information about membership, so
    its best-threshold advantage and its TPR at ``low_fpr`` show what chance alone reaches
    with this many members and non-members. Returns two arrays, one value per permutation.
    """
    if num_permutations < 20:
        raise ValueError(f"num_permutations={num_permutations}: use at least 20.")
    rng = np.random.default_rng(np.random.SeedSequence([seed, 17]))
    labels = np.tile(result.is_member, (num_permutations, 1))
    labels = rng.permuted(labels, axis=1)
    tpr, fpr = _curves(labels, np.argsort(-result.scores, kind="stable"))
    advantage = np.max(tpr - fpr, axis=1).clip(min=0)
    tpr_low = np.where(fpr <= low_fpr, tpr, 0.0).max(axis=1)
    return advantage, tpr_low


def held_out_counts(result: AttackResult, seed: int = 0) -> tuple[int, int]:
    """Members found and non-members flagged when each half's threshold is picked on the other.

    Members and non-members are split at random into two halves; on each half the threshold
    with the largest TPR - FPR is chosen and applied to the *other* half. Every patient is
    scored once by a threshold that was not tuned on them, as a real attacker must.
    """
    rng = np.random.default_rng(np.random.SeedSequence([seed, 19]))
    halves = []
    for scores in (result.member_scores, result.non_member_scores):
        if len(scores) < 2:
            raise ValueError("A held-out threshold needs at least 2 members and 2 non-members.")
        half = np.zeros(len(scores), dtype=bool)
        half[rng.permutation(len(scores))[:len(scores) // 2]] = True
        halves.append(half)
    found = flagged = 0
    for pick in (True, False):
        tune_m = result.member_scores[halves[0] == pick]
        tune_n = result.non_member_scores[halves[1] == pick]
        threshold = _best_threshold(tune_m, tune_n)
        found += int(np.sum(result.member_scores[halves[0] != pick] >= threshold))
        flagged += int(np.sum(result.non_member_scores[halves[1] != pick] >= threshold))
    return found, flagged


def _best_threshold(member_scores: np.ndarray, non_member_scores: np.ndarray) -> float:
    # Midpoints between neighbouring scores: a threshold that generalises to unseen patients
    # rather than one that sits exactly on a tuning patient's score.
    values = np.unique(np.concatenate([member_scores, non_member_scores]))
    candidates = np.concatenate([[-np.inf], (values[1:] + values[:-1]) / 2, [np.inf]])
    tpr = (member_scores[None, :] >= candidates[:, None]).mean(axis=1)
    fpr = (non_member_scores[None, :] >= candidates[:, None]).mean(axis=1)
    return float(candidates[int(np.argmax(tpr - fpr))])


@dataclass(frozen=True)
class AttackEvidence:
    """One attack's figures with what stands behind them (see the module docstring)."""

    attack: str
    members: int
    non_members: int
    advantage: float  # best threshold, chosen on the scored patients (optimistic)
    held_out_advantage: float  # threshold chosen on the other half of the patients
    held_out_advantage_ci: tuple[float, float]
    null_advantage_95: float  # a blind attack's best-threshold advantage, 95th percentile
    advantage_p_value: float  # share of blind attacks with at least ``advantage``
    low_fpr: float
    members_found_at_low_fpr: int
    tpr_at_low_fpr: float
    tpr_at_low_fpr_ci: tuple[float, float]
    blind_tpr_at_least_as_high: float  # share of blind attacks finding at least as many

    @property
    def leaks_beyond_chance(self) -> bool:
        """True when the held-out advantage's 95 % interval lies above zero."""
        return self.held_out_advantage_ci[0] > 0

    def sentence(self) -> str:
        """The figures in one plain sentence, counts first."""
        low, high = self.held_out_advantage_ci
        pct = f"{100 * self.low_fpr:g} %"
        return (f"{self.attack}: advantage {self.held_out_advantage:.3f} with thresholds chosen "
                f"on held-out patients (95 % CI {low:.3f} to {high:.3f}); a blind attack "
                f"reaches {self.null_advantage_95:.3f} one time in 20. At {pct} FPR it finds "
                f"{self.members_found_at_low_fpr} of {self.members} members (95 % CI "
                f"{100 * self.tpr_at_low_fpr_ci[0]:.1f} % to "
                f"{100 * self.tpr_at_low_fpr_ci[1]:.1f} %), as many as a blind attack does "
                f"{100 * self.blind_tpr_at_least_as_high:.0f} % of the time.")

    def facts(self) -> dict[str, object]:
        """The fact names of ``fedlearn_kit.gdpr.facts`` (lesson 08 and the DPIA)."""
        return {"attack": self.attack, "membership_advantage": round(self.held_out_advantage, 4),
                "membership_advantage_ci": [round(v, 4) for v in self.held_out_advantage_ci],
                "null_advantage_95": round(self.null_advantage_95, 4),
                "attack_members": self.members, "attack_non_members": self.non_members,
                "tpr_at_low_fpr": round(self.tpr_at_low_fpr, 4),
                "tpr_at_low_fpr_ci": [round(v, 4) for v in self.tpr_at_low_fpr_ci],
                "low_fpr": self.low_fpr}

    def as_row(self) -> dict[str, object]:
        """A flat dict for a table (intervals as two columns)."""
        row = asdict(self)
        for key in ("held_out_advantage_ci", "tpr_at_low_fpr_ci"):
            low, high = row.pop(key)
            row[f"{key}_low"], row[f"{key}_high"] = low, high
        return row


def evidence(result: AttackResult, *, low_fpr: float = 0.001, num_permutations: int = 500,
             seed: int = 0) -> AttackEvidence:
    """Counts, intervals and the blind-attack null for one attack (see the module docstring).

    The held-out advantage's interval combines two Clopper-Pearson intervals at 97.5 % (TPR
    and FPR), so it covers at least 95 %.
    """
    m, n = len(result.member_scores), len(result.non_member_scores)
    null_adv, null_tpr = permutation_null(result, low_fpr=low_fpr,
                                          num_permutations=num_permutations, seed=seed)
    found, flagged = held_out_counts(result, seed)
    tpr_ci, fpr_ci = clopper_pearson(found, m, 0.975), clopper_pearson(flagged, n, 0.975)
    tpr_low = result.tpr_at(low_fpr)
    k_low = int(round(tpr_low * m))
    return AttackEvidence(
        attack=result.name, members=m, non_members=n, advantage=result.advantage,
        held_out_advantage=found / m - flagged / n,
        held_out_advantage_ci=(tpr_ci[0] - fpr_ci[1], tpr_ci[1] - fpr_ci[0]),
        null_advantage_95=float(np.quantile(null_adv, 0.95)),
        advantage_p_value=float(np.mean(null_adv >= result.advantage - 1e-12)),
        low_fpr=low_fpr, members_found_at_low_fpr=k_low, tpr_at_low_fpr=tpr_low,
        tpr_at_low_fpr_ci=clopper_pearson(k_low, m),
        blind_tpr_at_least_as_high=float(np.mean(null_tpr >= tpr_low - 1e-12)))



def blind_advantage_95(members: int, non_members: int, *, num_permutations: int = 500,
                       seed: int = 0) -> float:
    """The best-threshold advantage a blind attack reaches one time in 20, for these counts.

    It depends only on the numbers of members and non-members (the attack's scores carry
    no information, so only their ranks matter), so it is the yardstick for any table of
    advantages measured with the same counts.
    """
    if members < 1 or non_members < 1:
        raise ValueError("members and non_members must be >= 1.")
    scores = np.arange(members + non_members, dtype=float)
    blind = AttackResult("blind", scores[:members], scores[members:])
    return float(np.quantile(permutation_null(blind, num_permutations=num_permutations,
                                              seed=seed)[0], 0.95))


def evidence_table(results: Mapping[str, AttackResult], *, low_fpr: float = 0.001,
                   num_permutations: int = 500, seed: int = 0) -> pd.DataFrame:
    """One row per attacked model (or attack): counts, held-out advantage, interval, null.

    Columns: members and non-members; ``advantage`` with held-out thresholds and its 95 %
    interval (``ci_low``, ``ci_high``); ``blind_95``, what a blind attack reaches one time
    in 20; ``found_at_low_fpr``, members found at ``low_fpr`` as a count; ``blind_as_many``,
    how often a blind attack finds at least as many.
    """
    rows = {}
    for name, result in results.items():
        e = evidence(result, low_fpr=low_fpr, num_permutations=num_permutations, seed=seed)
        rows[name] = {"members": e.members, "non_members": e.non_members,
                      "advantage": e.held_out_advantage, "ci_low": e.held_out_advantage_ci[0],
                      "ci_high": e.held_out_advantage_ci[1], "blind_95": e.null_advantage_95,
                      "found_at_low_fpr": f"{e.members_found_at_low_fpr} of {e.members}",
                      "blind_as_many": e.blind_tpr_at_least_as_high}
    return pd.DataFrame(rows).T.astype({"members": int, "non_members": int, "advantage": float,
                                         "ci_low": float, "ci_high": float,
                                         "blind_95": float, "blind_as_many": float})
