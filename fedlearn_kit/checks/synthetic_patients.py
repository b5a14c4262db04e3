"""Feedback for the exercises of lesson 01 (synthetic patients)."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from fedlearn_kit.checks import (
    Verdict,
    failed,
    is_close,
    is_rounded,
    number_problem,
    passed,
    shown,
)
from fedlearn_kit.cohort import Cohort
from fedlearn_kit.evaluation import Difference, auroc_difference, evaluate
from fedlearn_kit.experiment import Experiment
from fedlearn_kit.faulty_data import without_variable
from fedlearn_kit.i18n import _, ngettext
from fedlearn_kit.schema import OUTCOME_NAME
from fedlearn_kit.training import fit
from fedlearn_kit.validation import CohortError, validate


def readmission_rates(rates: Mapping[str, float], cohort: Cohort) -> Verdict:
    """Exercise 1.1: the share of readmitted patients at each site, as a fraction.

    Names the usual slips: a Series instead of a dict, text, percentages, counts, the share
    *not* readmitted, the sites swapped, one rate for all patients pooled, and a rate copied
    rounded from the summary table.
    """
    if isinstance(rates, pd.Series):
        return failed(_("rates is a pandas Series, not a dict."),
                      _("make a dict that maps each site's name to its rate (a Series can be "
                        "turned into one)."))
    if not isinstance(rates, Mapping):
        return failed(_("expected a dict such as {example}, got {type}.").format(
            example="{'A': 0.2, ...}", type=type(rates).__name__))
    if set(rates) != set(cohort):
        return failed(_("expected one rate per site {sites}, got {given}.").format(
            sites=sorted(cohort), given=sorted(rates)))
    for site in cohort:
        problem = number_problem(rates[site], _("the rate of site {site}").format(site=site))
        if problem is not None:
            return problem
    expected = {site: float(df[OUTCOME_NAME].mean()) for site, df in cohort.items()}
    if all(is_close(rates[s], expected[s], 1e-9) for s in cohort):
        summary = ", ".join(f"{s} {100 * expected[s]:.1f} %" for s in cohort)
        return passed(_("Readmission rates: {rates}.").format(rates=summary))
    sites = list(cohort)
    pooled = float(pd.concat(list(cohort.values()))[OUTCOME_NAME].mean())
    if all(is_close(rates[s], pooled, 1e-6) for s in sites):
        return failed(_("every site has {rate}: the rate of all patients together.").format(
            rate=shown(pooled)), _("compute each site's rate from that site's patients only."))
    if len(sites) == 2 and all(is_close(rates[a], expected[b], 1e-9)
                               for a, b in (sites, sites[::-1])):
        return failed(_("the two sites' rates are swapped."),
                      _("each key must map to the rate of that site's own DataFrame."))
    for site, df in cohort.items():
        given, rate = rates[site], expected[site]
        if is_close(given, 100 * rate, 0.05):
            return failed(_("site {site}: {answer} looks like a percentage.").format(
                site=site, answer=shown(given)),
                _("give a fraction between 0 and 1 (the mean of a 0/1 column)."))
        if is_close(given, df[OUTCOME_NAME].sum(), 0.5) and rate * len(df) > 1:
            return failed(_("site {site}: {answer} is a number of patients.").format(
                site=site, answer=shown(given)),
                _("divide by the number of the site's patients to get a share."))
        if is_close(given, 1 - rate, 1e-9):
            return failed(_("site {site}: {answer} is the share of patients who were not "
                            "readmitted.").format(site=site, answer=shown(given)),
                          _("readmitted patients have a 1 in '{column}'.").format(
                              column=OUTCOME_NAME))
        if is_rounded(given, rate, 3):
            return failed(_("site {site}: {answer} is the rate rounded, as the lesson's "
                            "summary table shows it.").format(site=site, answer=shown(given)),
                          _("compute the share from the site's patients, without rounding: "
                            "the check compares exact values."))
        if not is_close(given, rate, 1e-9):
            return failed(_("site {site}: {answer} is not its readmission rate.").format(
                site=site, answer=shown(given)),
                _("look at the '{column}' column: what does its average mean for a column "
                  "of 0s and 1s?").format(column=OUTCOME_NAME))
    return failed(_("the rates are not right yet."))  # unreachable: some site differed


def fixed_site(fixed: pd.DataFrame, damaged: pd.DataFrame) -> Verdict:
    """Exercise 1.2: the damaged file with exactly its faulty patients removed.

    The rows may come in any order; their values must be the damaged file's, unedited.
    """
    if not isinstance(fixed, pd.DataFrame):
        return failed(_("expected a DataFrame, got {type}.").format(type=type(fixed).__name__))
    wanted_site = set(damaged["site"]) if "site" in damaged.columns else set()
    if "site" in fixed.columns and len(fixed) and not set(fixed["site"]) <= wanted_site:
        return failed(_("these are patients of the sites {sites}, not of the damaged file's "
                        "site {wanted}.").format(sites=sorted(set(fixed["site"])),
                                                 wanted=sorted(wanted_site)),
                      _("start from `damaged`, the faulty export."))
    try:
        validate(fixed)
    except CohortError as err:
        return failed(_("the data still fails validation:\n{error}").format(error=err))
    faulty = damaged["egfr"].isna() | ~damaged["sodium"].between(115, 155)
    lost = set(damaged.loc[~faulty, "patient_id"]) - set(fixed["patient_id"])
    if lost:
        return failed(ngettext("{n} patient without faults was removed too.",
                               "{n} patients without faults were removed too.",
                               len(lost)).format(n=len(lost)),
                      _("remove only rows with an empty eGFR or an impossible sodium value."))
    repaired = set(damaged.loc[faulty, "patient_id"]) & set(fixed["patient_id"])
    if repaired:
        return failed(ngettext("{n} faulty patient is still there, with values changed so "
                               "that it passes.",
                               "{n} faulty patients are still there, with values changed so "
                               "that they pass.", len(repaired)).format(n=len(repaired)),
                      _("do not fill in or correct values you cannot verify (a sodium divided "
                        "by 10, a guessed eGFR): remove those rows."))
    ordered = fixed.sort_values("patient_id").reset_index(drop=True)
    wanted = damaged[~faulty].sort_values("patient_id").reset_index(drop=True)
    if list(ordered.columns) != list(wanted.columns) or not ordered.equals(wanted):
        return failed(_("the remaining rows were changed."),
                      _("filter rows; do not fill in or edit values you cannot verify."))
    return passed(_("{removed} faulty patients removed, {kept} kept. In a real project you "
                    "would also ask the source system why they were wrong.").format(
                        removed=int(faulty.sum()), kept=len(fixed)))


def hidden_variable_loss(answer: float, column: str, train: pd.DataFrame, test: pd.DataFrame,
                         exp: Experiment, compare_with: str = "diabetes") -> Verdict:
    """Exercise 1.3: the AUROC a model loses when it may not use ``column``.

    Names the usual slips: text, the sign reversed, percentage points, the variable hidden
    in the training patients only, the AUROCs measured on the training patients, another
    variable hidden. The feedback puts the answer next to the loss from hiding
    ``compare_with``, so that the learner sees evidence for (or against) collecting each
    variable.
    """
    problem = number_problem(answer, _("loss"))
    if problem is not None:
        return problem

    def auroc(train_df: pd.DataFrame, test_df: pd.DataFrame) -> float:
        return evaluate(fit(train_df, exp, "check"), test_df)["auroc"]

    def change(hidden: str) -> Difference:
        """AUROC without ``hidden`` minus with it, on the same test patients, paired."""
        without = fit(without_variable(train, hidden), exp, "without")
        return auroc_difference(test[OUTCOME_NAME].to_numpy(),
                                without.predict_proba(without_variable(test, hidden)),
                                fit(train, exp, "with").predict_proba(test))

    full = auroc(train, test)
    expected = full - auroc(without_variable(train, column), without_variable(test, column))
    other = full - auroc(without_variable(train, compare_with),
                         without_variable(test, compare_with))
    if is_close(answer, expected, 1e-6):
        def verdict(diff: Difference) -> str:
            return (_("beyond the noise of these test patients") if diff.excludes_zero else
                    _("within the noise of these test patients"))

        mine, theirs = change(column), change(compare_with)
        return passed(_("Hiding '{column}' changes the AUROC of {auroc} by {change}: "
                        "{verdict}. Hiding '{other}' changes it by {other_change}: "
                        "{other_verdict}. A variable whose loss is within the noise is hard "
                        "to defend under Art. 5(1)(c) on this evidence alone. One that costs "
                        "more is easier to argue for.").format(
                            column=column, auroc=f"{full:.3f}", change=mine,
                            verdict=verdict(mine), other=compare_with, other_change=theirs,
                            other_verdict=verdict(theirs)))
    if is_close(answer, -expected, 1e-6) and abs(expected) > 1e-6:
        return failed(_("the sign is reversed."),
                      _("take the AUROC with the variable minus the AUROC without it."))
    if is_close(answer, 100 * expected, 1e-4) and abs(expected) > 1e-6:
        return failed(_("{answer} is the loss in percentage points.").format(
            answer=shown(answer, 3)),
            _("give it on the AUROC's own scale (0.5 is chance, 1 is perfect)."))
    if is_close(answer, full - auroc(without_variable(train, column), test), 1e-6):
        return failed(_("the model was trained without the variable but tested with it."),
                      _("hide the variable in the test patients too: a variable that is not "
                        "collected is missing at prediction time as well."))
    on_train = auroc(train, train) - auroc(without_variable(train, column),
                                           without_variable(train, column))
    if is_close(answer, on_train, 1e-6):
        return failed(_("both AUROCs were measured on the training patients."),
                      _("measure on the test patients: on its own training patients a model "
                        "looks better than it is."))
    if is_close(answer, other, 1e-6):
        return failed(_("that is the loss from hiding '{other}'.").format(other=compare_with),
                      _("hide '{column}', the variable the exercise names.").format(
                          column=column))
    return failed(_("{answer} is not the AUROC lost by hiding '{column}'.").format(
        answer=shown(answer), column=column),
        _("train and test once as they are, once with the variable hidden in both; subtract "
          "the second AUROC from the first."))


def assay_factor(answer: float, cohort: Cohort, site: str = "B") -> Verdict:
    """Exercise 1.4: a site's NT-proBNP assay factor, read from the data card.

    Names the usual slips: text, the ratio of the sites' medians (lab and patients mixed),
    the inverse factor, and another site's factor.
    """
    problem = number_problem(answer, _("factor"))
    if problem is not None:
        return problem
    profiles = {p.name: p for p in cohort.profiles}
    expected = profiles[site].ntprobnp_assay_factor
    medians = {s: df["nt_probnp"].median() for s, df in cohort.items()}
    others = [s for s in cohort if s != site]
    ratio = medians[site] / medians[others[0]] if others else float("nan")
    if is_close(answer, expected, 1e-9):
        return passed(_("Site {site}'s lab records {factor} times the NT-proBNP the patient "
                        "has. Its median is {ratio} times Site {other}'s: the rest of the "
                        "difference comes from the patients themselves.").format(
                            site=site, factor=f"{expected:g}", ratio=f"{ratio:.2f}",
                            other=others[0]))
    if is_close(answer, ratio, 0.01):
        return failed(_("{answer} is the ratio of the two sites' medians.").format(
            answer=shown(answer, 3)),
            _("the medians differ for two reasons (sicker patients and the lab); the data "
              "card gives the lab's part on its own."))
    if is_close(answer, 1 / expected, 1e-3) and expected != 1:
        return failed(_("{answer} is the inverse of the factor.").format(
            answer=shown(answer, 3)),
            _("the factor says how many times higher Site {site}'s lab reports the same "
              "concentration: more than 1 for a lab that reads high.").format(site=site))
    wrong_site = [s for s, p in profiles.items() if s != site
                  and is_close(answer, p.ntprobnp_assay_factor, 1e-9)]
    if wrong_site:
        return failed(_("{answer} is Site {other}'s factor.").format(
            answer=shown(answer, 3), other=wrong_site[0]),
            _("read the row of Site {site}.").format(site=site))
    return failed(_("{answer} is not the assay factor the data card gives for Site {site}.")
                  .format(answer=shown(answer, 3), site=site),
                  _("look for '{label}' in the data card's table of sites.").format(
                      label=_("NT-proBNP assay factor")))
