"""Feedback for the exercises of lesson 02 (local models)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import cast

import numpy as np
import pandas as pd
from torch import nn

from fedlearn_kit.checks import (
    Verdict,
    failed,
    is_close,
    is_rounded,
    number_problem,
    passed,
    shown,
)
from fedlearn_kit.cohort import TRUE_COEFFICIENTS
from fedlearn_kit.evaluation import (
    auroc,
    bootstrap_counts,
    evaluate,
    model_difference,
    resampled_aurocs,
)
from fedlearn_kit.experiment import Experiment
from fedlearn_kit.i18n import _, ngettext
from fedlearn_kit.schema import FEATURE_NAMES, OUTCOME_NAME
from fedlearn_kit.training import TrainedModel, fit


def brier(answer: float, model: TrainedModel, test: pd.DataFrame,
          train: pd.DataFrame | None = None) -> Verdict:
    """Exercise 2.1: the Brier score, the mean squared gap between risk and outcome.

    Names the usual slips: text, no square, a square root, a sum instead of a mean, 0/1
    predictions instead of risks, a value copied rounded, and (when ``train`` is given) the
    training patients instead of the test patients.
    """
    problem = number_problem(answer, _("brier"))
    if problem is not None:
        return problem
    y, y_hat = test[OUTCOME_NAME].to_numpy(), model.predict_proba(test)
    expected = evaluate(model, test)["brier"]
    base = float(np.mean(y))
    if is_close(answer, expected, 1e-6):
        return passed(_("Brier score {score}: lower is better, 0 is perfect. Always "
                        "predicting the site's rate ({rate} %) would score {base}.").format(
                            score=f"{expected:.4f}", rate=f"{100 * base:.1f}",
                            base=f"{base * (1 - base):.4f}"))
    slips = [
        (np.mean(np.abs(y_hat - y)), _("that is the mean absolute difference: the square "
                                       "is missing."),
         _("square each difference before averaging.")),
        (np.mean(y_hat - y), _("that is the mean difference, without a square."),
         _("square each difference before averaging, so errors in both directions count.")),
        (expected ** 0.5, _("that is the square root of the Brier score."),
         _("the Brier score is the mean of the squared differences, with no root.")),
        (np.sum((y_hat - y) ** 2), _("that is the sum of the squared differences, not "
                                     "their mean."),
         _("divide by the number of test patients.")),
        (np.mean(((y_hat >= 0.5) - y) ** 2), _("that uses yes/no predictions (risk ≥ 0.5)."),
         _("use the predicted probabilities themselves: the Brier score rewards risks "
           "that mean what they say.")),
    ]
    if train is not None:
        y_train, p_train = train[OUTCOME_NAME].to_numpy(), model.predict_proba(train)
        slips.append((np.mean((p_train - y_train) ** 2),
                      _("that is the score on the training patients."),
                      _("use the test patients: the model has seen the others.")))
    for value, what, hint in slips:
        if is_close(answer, float(value), 1e-6):
            return failed(_("{answer}: {slip}").format(answer=shown(answer), slip=what), hint)
    if is_rounded(answer, expected, 2):
        return failed(_("{answer} is the Brier score rounded.").format(answer=shown(answer)),
                      _("compute it from the predictions and outcomes, without rounding."))
    return failed(_("{answer} is not the Brier score of this model on these patients.")
                  .format(answer=shown(answer)),
                  _("average (y_hat - y) ** 2 over the test patients, with y_hat the "
                    "predicted probabilities."))


def mlp_auroc(answer: float, train: pd.DataFrame, test: pd.DataFrame, exp: Experiment
              ) -> Verdict:
    """Exercise 2.2: test AUROC of an MLP trained with the experiment's other settings.

    Names the usual slips: text, the logistic model's AUROC, the MLP measured on its own
    training patients, other epochs or another seed. The feedback compares the two models
    on these test patients with the paired interval of their difference.
    """
    problem = number_problem(answer, _("mlp_auroc"))
    if problem is not None:
        return problem
    mlp = fit(train, replace(exp, model="mlp"), "mlp")
    logistic = fit(train, replace(exp, model="logistic"), "lr")
    expected = evaluate(mlp, test)["auroc"]
    if not is_close(answer, expected, 1e-6):
        if is_close(answer, evaluate(logistic, test)["auroc"], 1e-6):
            return failed(_("{answer} is the logistic regression's AUROC.").format(
                answer=shown(answer, 3)), _("set model='mlp' in the new experiment."))
        if is_close(answer, evaluate(mlp, train)["auroc"], 1e-6):
            return failed(_("{answer} is the MLP's AUROC on its own training patients.")
                          .format(answer=shown(answer, 3)),
                          _("evaluate on the test patients: a model always looks better on "
                            "the patients it learned from."))
        if is_close(answer, expected, 0.0005):
            return failed(_("{answer} is this MLP's AUROC rounded.").format(
                answer=shown(answer, 3)),
                _("give the value evaluate returns, without rounding."))
        return failed(_("{answer} is not the AUROC this MLP reaches.").format(
            answer=shown(answer, 3)),
            _("build the experiment with model='mlp' and keep the other settings (seed and "
              "epochs included). Train on the training part and evaluate on the test part."))
    events = int(test[OUTCOME_NAME].sum())
    gap = model_difference(mlp, logistic, test)
    lr_auroc = evaluate(logistic, test)["auroc"]
    if not gap.excludes_zero:
        verdict = _("The interval includes 0, so these {n} test patients ({events} readmitted) "
                    "cannot tell the two models apart.").format(n=len(test), events=events)
    elif gap.value > 0:
        verdict = _("The interval excludes 0: on these {n} test patients the MLP is better "
                    "beyond chance.").format(n=len(test))
    else:
        verdict = _("The interval excludes 0: on these {n} test patients the logistic "
                    "regression is better beyond chance.").format(n=len(test))
    return passed(_("The MLP reaches AUROC {mlp}, the logistic regression {logistic}: MLP "
                    "minus logistic {gap}. {verdict}").format(
                        mlp=f"{expected:.3f}", logistic=f"{lr_auroc:.3f}", gap=gap,
                        verdict=verdict))


#: How many resamples exercise 2.3 asks for.
RESAMPLES = 300


def _percentiles_of(value: float, values: np.ndarray) -> list[float]:
    """The percentiles (in steps of 0.5) of ``values`` that equal ``value``."""
    return [float(q) for q in np.arange(0.0, 100.5, 0.5)
            if abs(float(np.nanpercentile(values, q)) - value) < 1e-9]


def bootstrap_interval(answer: Sequence[float], values: Sequence[float], model: TrainedModel,
                       test: pd.DataFrame) -> Verdict:
    """Exercise 2.3: a 95 % bootstrap interval of the AUROC on a site's test patients.

    ``values`` are the learner's resampled AUROCs, ``answer`` the interval taken from them.
    The check verifies both: that ``values`` look like 300 AUROCs of this model on
    resamples of these test patients (the right number, centre and spread, against the
    kit's own 2,000 resamples), and that ``answer`` is their 2.5th and 97.5th percentiles.
    Resampling is random, so the kit's interval is not the yardstick; the learner's own
    resamples are.
    """
    try:
        low, high = (float(v) for v in answer)  # type: ignore[union-attr]
    except (TypeError, ValueError):
        return failed(_("expected two numbers (low, high), got {answer}.").format(
            answer=shown(answer)))
    if isinstance(answer, str) or any(isinstance(v, str) for v in answer):
        return failed(_("the interval holds text, not numbers."), _("leave out the quotes."))
    try:
        resampled = np.asarray([float(v) for v in values], dtype=float)
    except (TypeError, ValueError):
        return failed(_("expected values to be the list of resampled AUROCs, got {values}.")
                      .format(values=shown(values)))
    finite = resampled[~np.isnan(resampled)]
    if len(resampled) == 0:
        return failed(_("values holds no resampled AUROCs."),
                      _("compute the interval from your own resamples: an interval copied "
                        "from the lesson is not this exercise's."))
    if len(resampled) != RESAMPLES:
        return failed(ngettext("values holds {n} AUROC; the exercise asks for {wanted} "
                               "resamples.",
                               "values holds {n} AUROCs; the exercise asks for {wanted} "
                               "resamples.", len(resampled)).format(
                                   n=len(resampled), wanted=RESAMPLES),
                      _("draw {wanted} resamples: with few, the outermost percentiles rest on "
                        "one or two values.").format(wanted=RESAMPLES))
    if np.isnan(low) or np.isnan(high):
        return failed(_("the interval contains nan."),
                      _("a resample with no readmitted patient has no AUROC (kit.auroc gives "
                        "nan): skip such resamples, e.g. with np.nanpercentile."))
    point = evaluate(model, test)["auroc"]
    if np.ptp(finite) < 1e-9:
        return failed(_("every resampled AUROC is the same, so the interval has no width."),
                      _("resample the test patients *with* replacement: each resample draws "
                        "as many patients as the test set, some twice, some not at all."))
    y, y_hat = test[OUTCOME_NAME].to_numpy(), model.predict_proba(test)
    reference = resampled_aurocs(y, y_hat, bootstrap_counts(len(y), 2000, seed=1))
    ref_mean, ref_sd = float(np.nanmean(reference)), float(np.nanstd(reference))
    mean, sd = float(np.mean(finite)), float(np.std(finite))
    if abs(mean - 0.5) < 0.05 < abs(ref_mean - 0.5):
        return failed(_("your AUROCs centre on {mean}, about chance, while the model's AUROC "
                        "on these patients is {point}.").format(mean=f"{mean:.3f}",
                                                                 point=f"{point:.3f}"),
                      _("resample each patient's outcome and predicted risk together (the "
                        "same rows for both)."))
    if abs(mean - ref_mean) > 5 * ref_sd / np.sqrt(len(finite)) + 0.01:
        return failed(_("your AUROCs centre on {mean}, but resamples of these test patients "
                        "centre on about {reference}.").format(mean=f"{mean:.3f}",
                                                                reference=f"{ref_mean:.3f}"),
                      _("resample this site's test patients (not its training patients) and "
                        "score them with this model."))
    if sd > 1.3 * ref_sd:
        return failed(_("your AUROCs spread more ({sd}) than resamples of the whole test set "
                        "do ({reference}).").format(sd=f"{sd:.3f}", reference=f"{ref_sd:.3f}"),
                      _("each resample draws as many patients as the test set has: a smaller "
                        "resample varies more."))
    if sd < 0.75 * ref_sd:
        return failed(_("your AUROCs spread less ({sd}) than resamples of the test set do "
                        "({reference}).").format(sd=f"{sd:.3f}", reference=f"{ref_sd:.3f}"),
                      _("draw each resample with replacement, as many patients as the test "
                        "set has."))
    if low > high:
        return failed(_("low is above high."),
                      _("give (2.5th percentile, 97.5th percentile)."))
    wanted = np.nanpercentile(resampled, [2.5, 97.5])
    if is_close(low, wanted[0], 1e-9) and is_close(high, wanted[1], 1e-9):
        return passed(_("AUROC {point}, 95 % interval {low} to {high}. With {n} test "
                        "patients of whom {events} were readmitted, the site cannot pin its "
                        "model's quality down more tightly than that.").format(
                            point=f"{point:.3f}", low=f"{low:.3f}", high=f"{high:.3f}",
                            n=len(y), events=int(y.sum())))
    pair = f"({low:.3f}, {high:.3f})"
    if is_close(low, wanted[0], 0.0005) and is_close(high, wanted[1], 0.0005):
        return failed(_("{pair} are your percentiles rounded.").format(pair=pair),
                      _("give the percentiles as computed: the check compares them exactly "
                        "with your values."))
    pairs = [(a, b) for a in _percentiles_of(low, resampled)
             for b in _percentiles_of(high, resampled) if abs(a + b - 100) < 1e-9]
    if pairs:
        q_low, q_high = pairs[0]
        return failed(_("{pair} are the percentiles {q_low} and {q_high}: a {width} % "
                        "interval.").format(pair=pair, q_low=f"{q_low:g}",
                                            q_high=f"{q_high:g}",
                                            width=f"{q_high - q_low:g}"),
                      _("a 95 % interval leaves 2.5 % of the resamples out on each side."))
    center, spread = float(np.nanmean(resampled)), float(np.nanstd(resampled))
    for k in (1.96, 1.0, 2.0):
        if is_close(low, center - k * spread, 1e-6) and is_close(high, center + k * spread,
                                                                  1e-6):
            return failed(_("{pair} is the mean ± {k} standard deviations.").format(
                pair=pair, k=f"{k:g}"),
                _("take percentiles of the resampled AUROCs: they need no assumption about "
                  "the shape of their distribution."))
    return failed(_("{pair} are not the 2.5th and 97.5th percentiles of your resampled "
                    "AUROCs.").format(pair=pair),
                  _("np.nanpercentile gives percentiles and skips nan."))


def subgroup_auroc(answer: Mapping[str, float], model: TrainedModel, test: pd.DataFrame,
                   num_samples: int = 300) -> Verdict:
    """Exercise 2.4: the AUROC for women and for men, weighed against the groups' sizes.

    Names the usual slips: other keys, text, the groups swapped, the AUROC of all test
    patients. Values rounded to 3 decimals or more (as the feedback prints them) count as
    right: 3 decimals is the precision the course reads AUROCs at.
    """
    if not isinstance(answer, Mapping) or sorted(answer) != ["F", "M"]:
        wrong = (_("expected a dict with keys 'F' and 'M', got {answer} with keys {keys}.")
                 .format(answer=shown(answer), keys=sorted(answer))
                 if isinstance(answer, Mapping) else
                 _("expected a dict with keys 'F' and 'M', got {answer}.").format(
                     answer=shown(answer)))
        return failed(wrong, _("one entry per value of the 'sex' column."))
    for group in ("F", "M"):
        problem = number_problem(answer[group], _("the value for '{group}'").format(
            group=group))
        if problem is not None:
            return problem
    y, y_hat = test[OUTCOME_NAME].to_numpy(), model.predict_proba(test)
    sex = test["sex"].to_numpy()
    expected = {g: auroc(y[sex == g], y_hat[sex == g]) for g in ("F", "M")}

    def matches(value: object, target: float) -> bool:
        return is_close(value, target, 1e-6) or is_rounded(value, target, 3)

    if matches(answer["F"], expected["M"]) and matches(answer["M"], expected["F"]):
        return failed(_("the two groups are swapped."), _("'F' are the women, 'M' the men."))
    whole = auroc(y, y_hat)
    for group in ("F", "M"):
        if matches(answer[group], whole):
            return failed(_("the value for '{group}' is the AUROC of all test patients.")
                          .format(group=group),
                          _("keep only the rows of that group, for y and y_hat alike."))
        if not matches(answer[group], expected[group]):
            return failed(_("{answer} is not the AUROC for '{group}' among these test "
                            "patients.").format(answer=shown(answer[group], 3), group=group),
                          _("select the group's rows (test['sex'] == ...) and compute the "
                            "AUROC of this model's risks for them."))
    counts = bootstrap_counts(len(y), num_samples, seed=0)
    women = sex == "F"
    gaps = (resampled_aurocs(y[women], y_hat[women], counts[:, women])
            - resampled_aurocs(y[~women], y_hat[~women], counts[:, ~women]))
    low, high = np.nanpercentile(gaps, [2.5, 97.5])
    sizes = _("Women {women} (n={n_women}, {events_women} readmitted), men {men} (n={n_men}, "
              "{events_men} readmitted).").format(
        women=f"{expected['F']:.3f}", n_women=int((sex == "F").sum()),
        events_women=int(y[sex == "F"].sum()), men=f"{expected['M']:.3f}",
        n_men=int((sex == "M").sum()), events_men=int(y[sex == "M"].sum()))
    verdict = (_("It includes 0: these test patients cannot show that the model works "
                 "differently for women and men.") if low <= 0 <= high else
               _("It excludes 0: the difference is larger than chance would give with "
                 "groups this size."))
    return passed(_("{sizes} The 95 % interval of the difference (women minus men) is "
                    "{low} to {high}. {verdict}").format(
                        sizes=sizes, low=f"{low:+.3f}", high=f"{high:+.3f}", verdict=verdict))


def _weights(model: TrainedModel) -> dict[str, float]:
    """A logistic model's learned weight per variable."""
    return dict(zip(FEATURE_NAMES,
                    (float(w) for w in cast(nn.Linear, model.net.linear).weight.detach()
                     .numpy().ravel()), strict=True))


def furthest_from_truth(answer: str, model: TrainedModel,
                        compare_with: TrainedModel | None = None) -> Verdict:
    """Exercise 2.5: the variable whose learned weight is furthest from its true effect.

    Names the usual slips: not a variable's name, the largest weight, the largest signed
    or relative error, the closest variable, and the other model's answer.
    """
    weights = _weights(model)
    errors = {f: abs(weights[f] - TRUE_COEFFICIENTS[f]) for f in FEATURE_NAMES}
    expected = max(errors, key=errors.__getitem__)
    if not isinstance(answer, str) or answer not in weights:
        return failed(_("{answer} is not one of the model's variables.").format(
            answer=shown(answer)), _("give one name from kit.FEATURE_NAMES, as a string."))
    if answer != expected:
        largest_weight = max(weights, key=lambda f: abs(weights[f]))
        signed = max(errors, key=lambda f: weights[f] - TRUE_COEFFICIENTS[f])
        relative = max(errors, key=lambda f: errors[f] / abs(TRUE_COEFFICIENTS[f]))
        closest = min(errors, key=errors.__getitem__)
        if answer == largest_weight:
            return failed(_("'{answer}' has the largest weight, not the largest error.")
                          .format(answer=answer),
                          _("compare each weight with the true effect of the same variable."))
        if answer == signed:
            return failed(_("'{answer}' overshoots most, but another variable is further off "
                            "in the other direction.").format(answer=answer),
                          _("use the absolute difference."))
        if answer == relative:
            return failed(_("'{answer}' is off by the largest share of its true effect, not "
                            "by the largest amount.").format(answer=answer),
                          _("compare the differences themselves, not divided by the true "
                            "effect."))
        if answer == closest:
            return failed(_("'{answer}' is the variable *closest* to its true effect.")
                          .format(answer=answer), _("the exercise asks for the furthest."))
        if compare_with is not None:
            other = _weights(compare_with)
            theirs = max(FEATURE_NAMES, key=lambda f: abs(other[f] - TRUE_COEFFICIENTS[f]))
            if answer == theirs:
                return failed(_("'{answer}' is furthest off in the model {other}.").format(
                    answer=answer, other=compare_with.name),
                    _("use the weights of {model}, the model `weights` holds.").format(
                        model=model.name))
        return failed(_("'{answer}' is off by {error}; another variable is further from its "
                        "true effect.").format(answer=answer, error=f"{errors[answer]:.3f}"),
                      _("take the absolute difference between weight and true effect for "
                        "every variable, and the largest."))
    message = _("'{variable}': learned {learned}, true {true} (off by {error}).").format(
        variable=expected, learned=f"{weights[expected]:+.3f}",
        true=f"{TRUE_COEFFICIENTS[expected]:+.3f}", error=f"{errors[expected]:.3f}")
    if compare_with is not None:
        other = _weights(compare_with)
        worst = max(abs(other[f] - TRUE_COEFFICIENTS[f]) for f in FEATURE_NAMES)
        closer = (_("The largest error of {other} is {worst}: more patients, effects closer "
                    "to the truth.") if worst < errors[expected] else
                  _("The largest error of {other} is {worst}: here no closer, despite more "
                    "patients."))
        message += " " + closer.format(other=compare_with.name, worst=f"{worst:.3f}")
    return passed(message)
