"""Attack figures with their uncertainty: a test, counts, intervals (lessons 05-06).

A membership attack's advantage or its TPR at 0.1 % FPR is a measurement on a few hundred
patients. Read alone it can look like evidence of leakage when an attack that knows nothing
would do as well, or look like "no leakage" when the sample is too small to tell.
:func:`evidence` therefore reports, for one :class:`AttackResult`:

- **the test**: does the attack separate members from non-members better than chance? The
  statistic is the best-threshold advantage (max TPR - FPR); its null distribution comes
  from the same scores with the member labels shuffled (a permutation test). Members and
  non-members are drawn from the same population, so under "no leakage" their scores are
  exchangeable and the p-value ``(1 + #{shuffles at least as high}) / (1 + shuffles)`` is
  exact: it is at most 5 % with probability at most 5 % (Phipson and Smyth, *Statistical
  Applications in Genetics and Molecular Biology*, 2010, for the +1). "Leaks beyond chance"
  in the course means this p-value is at most 5 %, after a Holm correction when several
  models are tested together (:func:`holm`);
- **the effect size**: the advantage with the threshold chosen on *held-out* patients
  (two-fold: each half is scored with the threshold picked on the other half) and its 95 %
  interval. It says how large the leak is; it is not the test (it is valid but has little
  power: an interval reaching below zero is not "no leakage");
- the TPR at a low FPR as a count ("1 of 226 members") with its Clopper-Pearson interval,
  and how often a blind attack finds at least as many.

A result that is not significant is reported as "not shown at the 5 % level", never as "no
leakage": a stronger attack or more patients may show what this one could not.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import beta

from fedlearn_kit.i18n import N_, _
from fedlearn_kit.privacy.attacks import AttackResult

#: The significance level of every "leaks beyond chance" in the course.
LEVEL = 0.05
#: Shuffles of the permutation test: the smallest p-value it can give is 1 / (1 + this).
NUM_PERMUTATIONS = 999
_CHUNK = 250  # permutations per block: bounds memory for the central model's 4000 patients
#: The names the kit's attacks give their results (``attacks.loss_attack``, ``lira_attack``),
#: marked for the catalogue: sentences show them translated.
ATTACK_NAMES = (N_("loss threshold"), N_("LiRA (offline)"))


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


def _statistics(labels: np.ndarray, scores: np.ndarray, low_fpr: float
                ) -> tuple[np.ndarray, np.ndarray]:
    """Best-threshold advantage and TPR at ``low_fpr`` for each row of ``labels``.

    A threshold can only fall between two different scores, so with tied scores the curve
    is read only after the last record of each tie (as ``sklearn.metrics.roc_curve`` does);
    the observed statistic and the shuffled ones are computed the same way.
    """
    order = np.argsort(-scores, kind="stable")
    ranked = scores[order]
    ends = np.r_[ranked[1:] != ranked[:-1], True]
    tpr, fpr = _curves(labels, order)
    tpr, fpr = tpr[:, ends], fpr[:, ends]
    advantage = np.max(tpr - fpr, axis=1).clip(min=0)  # the threshold above every score: 0
    tpr_low = np.where(fpr <= low_fpr, tpr, 0.0).max(axis=1)
    return advantage, tpr_low


def permutation_null(result: AttackResult, *, low_fpr: float = 0.001,
                     num_permutations: int = NUM_PERMUTATIONS, seed: int = 0
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Advantage and TPR at ``low_fpr`` of blind attacks: the scores with shuffled labels.

    A blind attack gives the same scores but they carry no information about membership, so
    its best-threshold advantage and its TPR at ``low_fpr`` show what chance alone reaches
    with this many members and non-members. Returns two arrays, one value per permutation.
    """
    if num_permutations < 19:
        raise ValueError(f"num_permutations={num_permutations}: use at least 19 (999 to "
                         "resolve p-values down to 0.001).")
    rng = np.random.default_rng(np.random.SeedSequence([seed, 17]))
    scores = result.scores
    advantages, tprs = [], []
    for start in range(0, num_permutations, _CHUNK):
        size = min(_CHUNK, num_permutations - start)
        labels = rng.permuted(np.tile(result.is_member, (size, 1)), axis=1)
        adv, tpr = _statistics(labels, scores, low_fpr)
        advantages.append(adv)
        tprs.append(tpr)
    return np.concatenate(advantages), np.concatenate(tprs)


def p_value(observed: float, null: np.ndarray) -> float:
    """The permutation p-value (1 + #{null >= observed}) / (1 + len(null)).

    Counting the observed labelling as one of the permutations makes the test exact: under
    exchangeable scores the p-value is at most ``a`` with probability at most ``a``.
    """
    null = np.asarray(null, dtype=float)
    if null.size == 0:
        raise ValueError("A permutation p-value needs at least one shuffled statistic.")
    return float((1 + np.sum(null >= observed - 1e-12)) / (1 + null.size))


def holm(p_values: Sequence[float] | np.ndarray) -> np.ndarray:
    """Holm's step-down adjustment: p-values for testing several models together.

    A model is declared leaking when its adjusted p-value is at most the level; the chance
    of calling *any* non-leaking model leaking then stays at most the level (Holm,
    *Scandinavian Journal of Statistics*, 1979), without Bonferroni's full price.
    """
    p = np.asarray(p_values, dtype=float)
    if p.ndim != 1 or p.size == 0 or np.any((p < 0) | (p > 1)) or np.any(np.isnan(p)):
        raise ValueError(f"holm needs a non-empty list of p-values in [0, 1], got {p_values!r}.")
    order = np.argsort(p, kind="stable")
    m = p.size
    stepped = np.minimum(1.0, np.maximum.accumulate((m - np.arange(m)) * p[order]))
    adjusted = np.empty(m)
    adjusted[order] = stepped
    return adjusted


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
    advantage: float  # best threshold, chosen on the scored patients: the tested statistic
    null_advantage_95: float  # a blind attack's best-threshold advantage, 95th percentile
    advantage_p_value: float  # permutation test of ``advantage`` (exact, +1 counted)
    num_permutations: int
    held_out_advantage: float  # threshold chosen on the other half: the effect size
    held_out_advantage_ci: tuple[float, float]
    low_fpr: float
    members_found_at_low_fpr: int
    tpr_at_low_fpr: float
    tpr_at_low_fpr_ci: tuple[float, float]
    blind_tpr_at_least_as_high: float  # share of blind attacks finding at least as many

    @property
    def leaks_beyond_chance(self) -> bool:
        """True when the permutation test rejects "no leakage" at the 5 % level.

        For one model tested alone. When several models are tested together, adjust their
        p-values with :func:`holm` first (as :func:`evidence_table` does).
        """
        return self.advantage_p_value <= LEVEL

    def p_text(self) -> str:
        """The p-value as the course prints it (the smallest one the shuffles can give as
        "p ≤ ...")."""
        smallest = 1 / (1 + self.num_permutations)
        if self.advantage_p_value <= smallest + 1e-12:
            return f"p ≤ {smallest:.3g}"
        return f"p = {self.advantage_p_value:.3f}"

    def sentence(self) -> str:
        """The figures in plain sentences: the test first, then the effect size and counts.

        Each sentence is whole (only numbers are filled in), so that it can be translated.
        """
        low, high = self.held_out_advantage_ci
        values = {"attack": _(self.attack), "adv": f"{self.advantage:.3f}",
                  "null": f"{self.null_advantage_95:.3f}", "p": self.p_text()}
        if self.leaks_beyond_chance:
            test = _("{attack}: best-threshold advantage {adv}, where a blind attack reaches "
                     "{null} one time in 20; the permutation test gives {p}, so the model "
                     "leaks beyond chance at the 5 % level.").format(**values)
        else:
            test = _("{attack}: best-threshold advantage {adv}, where a blind attack reaches "
                     "{null} one time in 20; the permutation test gives {p}, so leakage is "
                     "not shown at the 5 % level.").format(**values)
        size = _("With thresholds chosen on held-out patients the advantage is {adv} (95 % CI "
                 "{low} to {high}).").format(adv=f"{self.held_out_advantage:.3f}",
                                             low=f"{low:.3f}", high=f"{high:.3f}")
        counts = _("At {fpr} % FPR it finds {k} of {m} members (95 % CI {lo} % to {hi} %), "
                   "as many as a blind attack does {blind} % of the time.").format(
            fpr=f"{100 * self.low_fpr:g}", k=self.members_found_at_low_fpr, m=self.members,
            lo=f"{100 * self.tpr_at_low_fpr_ci[0]:.1f}",
            hi=f"{100 * self.tpr_at_low_fpr_ci[1]:.1f}",
            blind=f"{100 * self.blind_tpr_at_least_as_high:.0f}")
        return " ".join((test, size, counts))

    def facts(self) -> dict[str, object]:
        """The fact names of ``fedlearn_kit.gdpr.facts`` (lesson 08 and the DPIA).

        ``membership_advantage`` is the held-out advantage (the effect size) with its
        interval; ``advantage_p_value`` is the permutation test's p-value, which decides
        "leaks beyond chance"; ``null_advantage_95`` is the blind attack's level for the
        best-threshold advantage, the statistic the test uses.
        """
        return {"attack": self.attack, "membership_advantage": round(self.held_out_advantage, 4),
                "membership_advantage_ci": [round(v, 4) for v in self.held_out_advantage_ci],
                "best_threshold_advantage": round(self.advantage, 4),
                "null_advantage_95": round(self.null_advantage_95, 4),
                "advantage_p_value": round(self.advantage_p_value, 4),
                "attack_members": self.members, "attack_non_members": self.non_members,
                "tpr_at_low_fpr": round(self.tpr_at_low_fpr, 4),
                "tpr_at_low_fpr_ci": [round(v, 4) for v in self.tpr_at_low_fpr_ci],
                "low_fpr": self.low_fpr}


def evidence(result: AttackResult, *, low_fpr: float = 0.001,
             num_permutations: int = NUM_PERMUTATIONS, seed: int = 0) -> AttackEvidence:
    """The test, the effect size and the counts for one attack (see the module docstring).

    The held-out advantage's interval combines two Clopper-Pearson intervals at 97.5 % (TPR
    and FPR), so it covers at least 95 %.
    """
    m, n = len(result.member_scores), len(result.non_member_scores)
    null_adv, null_tpr = permutation_null(result, low_fpr=low_fpr,
                                          num_permutations=num_permutations, seed=seed)
    observed, observed_tpr = _statistics(result.is_member[None, :], result.scores, low_fpr)
    found, flagged = held_out_counts(result, seed)
    tpr_ci, fpr_ci = clopper_pearson(found, m, 0.975), clopper_pearson(flagged, n, 0.975)
    tpr_low = float(observed_tpr[0])
    k_low = int(round(tpr_low * m))
    return AttackEvidence(
        attack=result.name, members=m, non_members=n, advantage=float(observed[0]),
        null_advantage_95=float(np.quantile(null_adv, 0.95)),
        advantage_p_value=p_value(float(observed[0]), null_adv),
        num_permutations=num_permutations,
        held_out_advantage=found / m - flagged / n,
        held_out_advantage_ci=(tpr_ci[0] - fpr_ci[1], tpr_ci[1] - fpr_ci[0]),
        low_fpr=low_fpr, members_found_at_low_fpr=k_low, tpr_at_low_fpr=tpr_low,
        tpr_at_low_fpr_ci=clopper_pearson(k_low, m),
        blind_tpr_at_least_as_high=float(np.mean(null_tpr >= tpr_low - 1e-12)))


def overfitted_note(found: AttackEvidence, site: str = "A") -> str:
    """The note lesson 05 saves beside its DPIA facts: the evidence on Site ``site``'s
    over-fitted local model, in the course's language (the DPIA shows notes as written)."""
    return _("Site {site}'s over-fitted local model, attacked with its members and future "
             "patients: {evidence}").format(site=site, evidence=found.sentence())


def report_saved(facts_file: str | os.PathLike[str], found: AttackEvidence) -> None:
    """Print where the facts for the DPIA were saved, with the evidence they hold (lesson 05)."""
    print(_("Saved to {file}: {evidence}").format(file=Path(facts_file).name,
                                                  evidence=found.sentence()))


def leaks_beyond_chance(result: AttackResult, *, level: float = LEVEL,
                        num_permutations: int = NUM_PERMUTATIONS, seed: int = 0) -> bool:
    """The course's verdict for one attacked model: permutation p-value at most ``level``.

    Use :func:`evidence_table` to decide for several models tested together (it adjusts
    the p-values with :func:`holm`).
    """
    if not 0 < level < 1:
        raise ValueError(f"level={level}: a significance level is between 0 and 1.")
    found = evidence(result, num_permutations=num_permutations, seed=seed)
    return found.advantage_p_value <= level


def blind_advantage_95(members: int, non_members: int, *,
                       num_permutations: int = NUM_PERMUTATIONS, seed: int = 0) -> float:
    """The best-threshold advantage a blind attack reaches one time in 20, for these counts.

    It depends only on the numbers of members and non-members (without ties only the ranks
    of the scores matter), so it is the yardstick for any *best-threshold* advantage
    measured with the same counts; a held-out advantage is a different statistic and is not
    compared with it.
    """
    if members < 1 or non_members < 1:
        raise ValueError("members and non_members must be >= 1.")
    scores = np.arange(members + non_members, dtype=float)
    blind = AttackResult("blind", scores[:members], scores[members:])
    return float(np.quantile(permutation_null(blind, num_permutations=num_permutations,
                                              seed=seed)[0], 0.95))


def evidence_table(results: Mapping[str, AttackResult], *, low_fpr: float = 0.001,
                   num_permutations: int = NUM_PERMUTATIONS, seed: int = 0,
                   level: float = LEVEL) -> pd.DataFrame:
    """One row per attacked model (or attack), the models tested together.

    Columns: members and non-members; ``advantage``, the best-threshold advantage (the
    tested statistic), ``blind_95``, what a blind attack reaches with it one time in 20, and
    ``p_value``, the permutation test; ``p_holm``, the p-value adjusted for testing all rows
    together, and ``leaks``, whether that is at most ``level``; ``held_out`` with ``ci_low``
    and ``ci_high``, the advantage with thresholds chosen on held-out patients and its 95 %
    interval (the effect size); ``found_at_low_fpr``, members found at ``low_fpr`` as a
    count.
    """
    if not results:
        raise ValueError("evidence_table needs at least one attack result.")
    rows = {}
    for name, result in results.items():
        e = evidence(result, low_fpr=low_fpr, num_permutations=num_permutations, seed=seed)
        rows[name] = {"members": e.members, "non_members": e.non_members,
                      "advantage": e.advantage, "blind_95": e.null_advantage_95,
                      "p_value": e.advantage_p_value,
                      "held_out": e.held_out_advantage, "ci_low": e.held_out_advantage_ci[0],
                      "ci_high": e.held_out_advantage_ci[1],
                      "found_at_low_fpr": _("{found} of {members}").format(
                          found=e.members_found_at_low_fpr, members=e.members)}
    table = pd.DataFrame(rows).T
    table.insert(5, "p_holm", holm(table["p_value"].to_numpy(dtype=float)))
    table.insert(6, "leaks", table["p_holm"].to_numpy(dtype=float) <= level)
    return table.astype({"members": int, "non_members": int, "advantage": float,
                         "blind_95": float, "p_value": float, "p_holm": float, "leaks": bool,
                         "held_out": float, "ci_low": float, "ci_high": float})


@dataclass(frozen=True)
class OperatingPointComparison:
    """Two attacks on the same patients compared at one false positive rate, in one run."""

    fpr: float
    members: int
    names: tuple[str, str]
    found: tuple[int, int]  # members each attack finds at ``fpr``
    found_ci: tuple[tuple[float, float], tuple[float, float]]  # Clopper-Pearson, as TPRs
    difference: float  # TPR of the first minus TPR of the second
    difference_ci: tuple[float, float]  # paired bootstrap, 95 %

    @property
    def first_stronger(self) -> bool:
        """True only when the whole 95 % interval of the difference lies above zero."""
        return self.difference_ci[0] > 0

    @property
    def settled(self) -> bool:
        """True when the interval excludes zero (either attack shown stronger at ``fpr``)."""
        return self.difference_ci[0] > 0 or self.difference_ci[1] < 0

    def sentence(self) -> str:
        """The comparison as counts, with the interval of the difference (whole sentences)."""
        (a, b), (ka, kb) = self.names, self.found
        low, high = self.difference_ci
        values = {"fpr": f"{100 * self.fpr:g}", "a": _(a), "b": _(b), "ka": ka, "kb": kb,
                  "m": self.members, "diff": f"{self.difference:+.3f}", "low": f"{low:+.3f}",
                  "high": f"{high:+.3f}"}
        if low > 0:
            text = _("At {fpr} % FPR, in this run, {a} finds {ka} and {b} {kb} of {m} "
                     "members; the difference in TPR is {diff} (95 % paired-bootstrap CI {low} "
                     "to {high}): {a} finds more.")
        elif high < 0:
            text = _("At {fpr} % FPR, in this run, {a} finds {ka} and {b} {kb} of {m} "
                     "members; the difference in TPR is {diff} (95 % paired-bootstrap CI {low} "
                     "to {high}): {b} finds more.")
        else:
            text = _("At {fpr} % FPR, in this run, {a} finds {ka} and {b} {kb} of {m} "
                     "members; the difference in TPR is {diff} (95 % paired-bootstrap CI {low} "
                     "to {high}): this run does not show which attack finds more.")
        return text.format(**values)


def _tpr_at(member_scores: np.ndarray, non_member_scores: np.ndarray, fpr: float) -> float:
    """TPR at FPR <= ``fpr``: flag scores above the ⌊fpr·n⌋-th highest non-member score."""
    allowed = int(np.floor(fpr * len(non_member_scores) + 1e-9))
    ranked = np.sort(non_member_scores)[::-1]
    if allowed >= len(ranked):
        return 1.0
    # Flag every score strictly above the (allowed+1)-th highest non-member: at most
    # ``allowed`` non-members are flagged, and no threshold flags more members.
    return float(np.mean(member_scores > ranked[allowed]))


def compare_at_fpr(first: AttackResult, second: AttackResult, fpr: float = 0.01, *,
                   num_bootstrap: int = 1000, seed: int = 0) -> OperatingPointComparison:
    """Is one attack stronger than another at ``fpr``? Counts and a paired-bootstrap interval.

    Both attacks must score the same members and non-members in the same order. Members
    and non-members are resampled together (the same patients for both attacks), each
    attack's TPR at ``fpr`` is recomputed, and the 2.5 % and 97.5 % quantiles of the
    difference give the interval. A handful of members found is a count, and the interval
    says whether this run can tell the attacks apart.
    """
    if not 0 <= fpr < 1:
        raise ValueError(f"fpr={fpr}: a false positive rate is between 0 and 1.")
    if (first.member_scores.shape != second.member_scores.shape
            or first.non_member_scores.shape != second.non_member_scores.shape):
        raise ValueError("Both attacks must score the same members and non-members.")
    if num_bootstrap < 100:
        raise ValueError(f"num_bootstrap={num_bootstrap}: use at least 100.")
    m = len(first.member_scores)
    tprs = (_tpr_at(first.member_scores, first.non_member_scores, fpr),
            _tpr_at(second.member_scores, second.non_member_scores, fpr))
    rng = np.random.default_rng(np.random.SeedSequence([seed, 23]))
    n = len(first.non_member_scores)
    diffs = np.empty(num_bootstrap)
    for b in range(num_bootstrap):
        mi, ni = rng.integers(0, m, m), rng.integers(0, n, n)
        diffs[b] = (_tpr_at(first.member_scores[mi], first.non_member_scores[ni], fpr)
                    - _tpr_at(second.member_scores[mi], second.non_member_scores[ni], fpr))
    found = (int(round(tprs[0] * m)), int(round(tprs[1] * m)))
    return OperatingPointComparison(
        fpr=fpr, members=m, names=(first.name, second.name), found=found,
        found_ci=(clopper_pearson(found[0], m), clopper_pearson(found[1], m)),
        difference=tprs[0] - tprs[1],
        difference_ci=(float(np.quantile(diffs, 0.025)), float(np.quantile(diffs, 0.975))))
