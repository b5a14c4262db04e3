"""Feedback for the exercises of lesson 02 (local models)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import cast

import numpy as np
import pandas as pd
from torch import nn

from fedlearn_kit.checks import Verdict, failed, is_close, passed, shown
from fedlearn_kit.cohort import TRUE_COEFFICIENTS
from fedlearn_kit.evaluation import auroc, bootstrap_auroc, evaluate
from fedlearn_kit.experiment import Experiment
from fedlearn_kit.schema import FEATURE_NAMES, OUTCOME_NAME
from fedlearn_kit.training import TrainedModel, fit


def brier(answer: float, model: TrainedModel, test: pd.DataFrame,
          train: pd.DataFrame | None = None) -> Verdict:
    """Exercise 2.1: the Brier score, the mean squared gap between risk and outcome.

    Names the usual slips: no square, a square root, 0/1 predictions instead of risks, and
    (when ``train`` is given) the training patients instead of the test patients.
    """
    y, y_hat = test[OUTCOME_NAME].to_numpy(), model.predict_proba(test)
    expected = evaluate(model, test)["brier"]
    slips = [
        (np.mean(np.abs(y_hat - y)), "that is the mean absolute difference: the square is "
         "missing.", "square each difference before averaging."),
        (np.mean(y_hat - y), "that is the mean difference, without a square.",
         "square each difference before averaging, so errors in both directions count."),
        (expected ** 0.5, "that is the square root of the Brier score.",
         "the Brier score is the mean of the squared differences, with no root."),
        (np.mean(((y_hat >= 0.5) - y) ** 2), "that uses yes/no predictions (risk ≥ 0.5).",
         "use the predicted probabilities themselves: the Brier score rewards risks "
         "that mean what they say."),
    ]
    if train is not None:
        y_train, p_train = train[OUTCOME_NAME].to_numpy(), model.predict_proba(train)
        slips.append((np.mean((p_train - y_train) ** 2), "that is the score on the training "
                      "patients.", "use the test patients: the model has seen the others."))
    if not is_close(answer, expected, 1e-6):
        for value, what, hint in slips:
            if is_close(answer, float(value), 1e-6):
                return failed(f"{shown(answer)}: {what}", hint)
        return failed(f"{shown(answer)} is not the Brier score of this model on these "
                      "patients.", "average (y_hat - y) ** 2 over the test patients, with "
                      "y_hat the predicted probabilities.")
    base = float(np.mean(y))
    return passed(f"Brier score {expected:.4f}: lower is better, 0 is perfect. Always "
                  f"predicting the site's rate ({100 * base:.1f} %) would score "
                  f"{base * (1 - base):.4f}.")


def mlp_auroc(answer: float, train: pd.DataFrame, test: pd.DataFrame, exp: Experiment
              ) -> Verdict:
    """Exercise 2.2: test AUROC of an MLP trained with the experiment's other settings."""
    expected = evaluate(fit(train, replace(exp, model="mlp"), "mlp"),
                        test)["auroc"]
    logistic = evaluate(fit(train, replace(exp, model="logistic"), "lr"),
                        test)["auroc"]
    if not is_close(answer, expected, 1e-6):
        if is_close(answer, logistic, 1e-6):
            return failed(f"{shown(answer, 3)} is the logistic regression's AUROC.",
                          "set model='mlp' in the new experiment.")
        return failed(f"{shown(answer, 3)} is not the AUROC this MLP reaches.",
                      "build the experiment with model='mlp' and keep the other settings "
                      "(seed included), train on the training part and evaluate on the test "
                      "part.")
    events = int(test[OUTCOME_NAME].sum())
    low, high = bootstrap_auroc(fit(train, replace(exp, model="logistic"),
                                    "lr"), test)
    inside = low <= expected <= high
    verdict = ("inside the logistic model's 95 % interval "
               f"({low:.3f} to {high:.3f}), so these {len(test)} test patients "
               f"({events} readmitted) cannot tell the two models apart" if inside else
               f"outside the logistic model's 95 % interval ({low:.3f} to {high:.3f})")
    return passed(f"The MLP reaches AUROC {expected:.3f}, the logistic regression "
                  f"{logistic:.3f}: {verdict}.")


def bootstrap_interval(answer: Sequence[float], model: TrainedModel, test: pd.DataFrame
                       ) -> Verdict:
    """Exercise 2.3: a 95 % bootstrap interval of the AUROC on a site's test patients.

    Resampling is random, so the learner's interval may differ a little from the kit's;
    the bounds must lie within 0.03 of it.
    """
    try:
        low, high = (float(v) for v in answer)
    except (TypeError, ValueError):
        return failed(f"expected two numbers (low, high), got {shown(answer)}.")
    if np.isnan(low) or np.isnan(high):
        return failed("the interval contains nan.", "a resample with no readmitted patient "
                      "has no AUROC (kit.auroc gives nan): skip such resamples, e.g. with "
                      "np.nanpercentile.")
    point = evaluate(model, test)["auroc"]
    ref_low, ref_high = bootstrap_auroc(model, test)
    if high - low < 1e-9:
        return failed("the interval has no width.", "resample the test patients *with* "
                      "replacement (rng.integers or rng.choice(..., replace=True)).")
    if low > high:
        return failed("low is above high.", "give (2.5th percentile, 97.5th percentile).")
    if not low <= point <= high:
        return failed(f"the interval ({low:.3f}, {high:.3f}) does not contain the AUROC "
                      f"itself ({point:.3f}).", "resample each patient's outcome and "
                      "predicted risk together (the same indices for both).")
    if high - low < 0.6 * (ref_high - ref_low):
        return failed(f"({low:.3f}, {high:.3f}) is too narrow for a 95 % interval.",
                      "use the 2.5th and 97.5th percentiles of the resampled AUROCs.")
    if not (is_close(low, ref_low, 0.03) and is_close(high, ref_high, 0.03)):
        return failed(f"({low:.3f}, {high:.3f}) is far from the interval the kit finds.",
                      "resample all test patients, with replacement, a few hundred times.")
    y = test[OUTCOME_NAME].to_numpy()
    return passed(f"AUROC {point:.3f}, 95 % interval {low:.3f} to {high:.3f}: with "
                  f"{len(y)} test patients of whom {int(y.sum())} were readmitted, the site "
                  "cannot pin its model's quality down more tightly than that.")


def subgroup_auroc(answer: Mapping[str, float], model: TrainedModel, test: pd.DataFrame,
                   num_samples: int = 300) -> Verdict:
    """Exercise 2.4: the AUROC for women and for men, weighed against the groups' sizes."""
    if not isinstance(answer, Mapping) or sorted(answer) != ["F", "M"]:
        return failed(f"expected a dict with keys 'F' and 'M', got {shown(answer)}"
                      + (f" with keys {sorted(answer)}" if isinstance(answer, Mapping) else "")
                      + ".", "one entry per value of the 'sex' column.")
    y, y_hat = test[OUTCOME_NAME].to_numpy(), model.predict_proba(test)
    sex = test["sex"].to_numpy()
    expected = {g: auroc(y[sex == g], y_hat[sex == g]) for g in ("F", "M")}
    if is_close(answer["F"], expected["M"], 1e-6) and is_close(answer["M"], expected["F"], 1e-6):
        return failed("the two groups are swapped.", "'F' are the women, 'M' the men.")
    whole = auroc(y, y_hat)
    for group in ("F", "M"):
        if is_close(answer[group], whole, 1e-6):
            return failed(f"the value for '{group}' is the AUROC of all test patients.",
                          "keep only the rows of that group, for y and y_hat alike.")
        if not is_close(answer[group], expected[group], 1e-6):
            return failed(f"{shown(answer[group], 3)} is not the AUROC for '{group}'.",
                          "select the group's rows (test['sex'] == ...) and compute the AUROC "
                          "of the model's risks for them.")
    rng = np.random.default_rng(0)
    gaps = []
    for _ in range(num_samples):
        idx = rng.integers(0, len(y), len(y))
        ys, ps, ss = y[idx], y_hat[idx], sex[idx]
        gaps.append(auroc(ys[ss == "F"], ps[ss == "F"]) - auroc(ys[ss == "M"], ps[ss == "M"]))
    low, high = np.nanpercentile(gaps, [2.5, 97.5])
    sizes = ", ".join(f"{'women' if g == 'F' else 'men'} {expected[g]:.3f} "
                      f"(n={int((sex == g).sum())}, {int(y[sex == g].sum())} readmitted)"
                      for g in ("F", "M"))
    verdict = ("includes 0: these test patients cannot show that the model works "
               "differently for women and men" if low <= 0 <= high else
               "excludes 0: the difference is larger than chance would give with groups "
               "this size")
    return passed(f"{sizes}. The 95 % interval of the difference is {low:+.3f} to "
                  f"{high:+.3f}; it {verdict}.")


def furthest_from_truth(answer: str, model: TrainedModel,
                        compare_with: TrainedModel | None = None) -> Verdict:
    """Exercise 2.5: the variable whose learned weight is furthest from its true effect."""
    weights = dict(zip(FEATURE_NAMES,
                       cast(nn.Linear, model.net.linear).weight.detach().numpy().ravel(),
                       strict=True))
    errors = {f: abs(weights[f] - TRUE_COEFFICIENTS[f]) for f in FEATURE_NAMES}
    expected = max(errors, key=errors.__getitem__)
    if answer not in weights:
        return failed(f"{shown(answer)} is not one of the model's variables.",
                      "give a name from kit.FEATURE_NAMES, as a string.")
    if answer != expected:
        largest_weight = max(weights, key=lambda f: abs(weights[f]))
        signed = max(errors, key=lambda f: weights[f] - TRUE_COEFFICIENTS[f])
        if answer == largest_weight:
            return failed(f"{answer!r} has the largest weight, not the largest error.",
                          "compare each weight with the true effect of the same variable.")
        if answer == signed:
            return failed(f"{answer!r} overshoots most, but another variable is further "
                          "off in the other direction.", "use the absolute difference.")
        return failed(f"{answer!r} is off by {errors[answer]:.3f}; another variable is "
                      "further from its true effect.", "take the absolute difference between "
                      "weight and true effect for every variable, and the largest.")
    message = (f"{expected!r}: learned {weights[expected]:+.3f}, true "
               f"{TRUE_COEFFICIENTS[expected]:+.3f} (off by {errors[expected]:.3f}).")
    if compare_with is not None:
        other = dict(zip(FEATURE_NAMES, cast(nn.Linear, compare_with.net.linear).weight.detach()
                         .numpy().ravel(), strict=True))
        worst = max(abs(other[f] - TRUE_COEFFICIENTS[f]) for f in FEATURE_NAMES)
        closer = ("more patients, effects closer to the truth" if worst < errors[expected]
                  else "here no closer, despite more patients")
        message += f" {compare_with.name}'s largest error is {worst:.3f}: {closer}."
    return passed(message)
