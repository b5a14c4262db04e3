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
        return failed("rates is a pandas Series, not a dict.",
                      "make a dict that maps each site's name to its rate (a Series can be "
                      "turned into one).")
    if not isinstance(rates, Mapping):
        return failed(f"expected a dict such as {{'A': 0.2, ...}}, got {type(rates).__name__}.")
    if set(rates) != set(cohort):
        return failed(f"expected one rate per site {sorted(cohort)}, got {sorted(rates)}.")
    for site in cohort:
        problem = number_problem(rates[site], f"the rate of site {site}")
        if problem is not None:
            return problem
    expected = {site: float(df[OUTCOME_NAME].mean()) for site, df in cohort.items()}
    if all(is_close(rates[s], expected[s], 1e-9) for s in cohort):
        summary = ", ".join(f"{s} {100 * expected[s]:.1f} %" for s in cohort)
        return passed(f"Readmission rates: {summary}.")
    sites = list(cohort)
    pooled = float(pd.concat(list(cohort.values()))[OUTCOME_NAME].mean())
    if all(is_close(rates[s], pooled, 1e-6) for s in sites):
        return failed(f"every site has {shown(pooled)}: the rate of all patients together.",
                      "compute each site's rate from that site's patients only.")
    if len(sites) == 2 and all(is_close(rates[a], expected[b], 1e-9)
                               for a, b in (sites, sites[::-1])):
        return failed("the two sites' rates are swapped.",
                      "each key must map to the rate of that site's own DataFrame.")
    for site, df in cohort.items():
        given, rate = rates[site], expected[site]
        if is_close(given, 100 * rate, 0.05):
            return failed(f"site {site}: {shown(given)} looks like a percentage.",
                          "give a fraction between 0 and 1 (the mean of a 0/1 column).")
        if is_close(given, df[OUTCOME_NAME].sum(), 0.5) and rate * len(df) > 1:
            return failed(f"site {site}: {shown(given)} is a number of patients.",
                          "divide by the number of the site's patients to get a share.")
        if is_close(given, 1 - rate, 1e-9):
            return failed(f"site {site}: {shown(given)} is the share of patients who were "
                          "not readmitted.", f"readmitted patients have a 1 in "
                          f"'{OUTCOME_NAME}'.")
        if is_rounded(given, rate, 3):
            return failed(f"site {site}: {shown(given)} is the rate rounded, as the lesson's "
                          "summary table shows it.", "compute the share from the site's "
                          "patients, without rounding: the check compares exact values.")
        if not is_close(given, rate, 1e-9):
            return failed(f"site {site}: {shown(given)} is not its readmission rate.",
                          f"look at the '{OUTCOME_NAME}' column: what does its average mean "
                          "for a column of 0s and 1s?")
    return failed("the rates are not right yet.")  # unreachable: some site differed


def fixed_site(fixed: pd.DataFrame, damaged: pd.DataFrame) -> Verdict:
    """Exercise 1.2: the damaged file with exactly its faulty patients removed.

    The rows may come in any order; their values must be the damaged file's, unedited.
    """
    if not isinstance(fixed, pd.DataFrame):
        return failed(f"expected a DataFrame, got {type(fixed).__name__}.")
    wanted_site = set(damaged["site"]) if "site" in damaged.columns else set()
    if "site" in fixed.columns and len(fixed) and not set(fixed["site"]) <= wanted_site:
        return failed(f"these are patients of site(s) {sorted(set(fixed['site']))}, not of "
                      f"the damaged file's site {sorted(wanted_site)}.",
                      "start from `damaged`, the faulty export.")
    try:
        validate(fixed)
    except CohortError as err:
        return failed(f"the data still fails validation:\n{err}")
    faulty = damaged["egfr"].isna() | ~damaged["sodium"].between(115, 155)
    lost = set(damaged.loc[~faulty, "patient_id"]) - set(fixed["patient_id"])
    if lost:
        return failed(f"{len(lost)} patient(s) without faults were removed too.",
                      "remove only rows with an empty eGFR or an impossible sodium value.")
    repaired = set(damaged.loc[faulty, "patient_id"]) & set(fixed["patient_id"])
    if repaired:
        return failed(f"{len(repaired)} faulty patient(s) are still there, with values "
                      "changed so that they pass.", "do not fill in or correct values you "
                      "cannot verify (a sodium divided by 10, a guessed eGFR): remove those "
                      "rows.")
    ordered = fixed.sort_values("patient_id").reset_index(drop=True)
    wanted = damaged[~faulty].sort_values("patient_id").reset_index(drop=True)
    if list(ordered.columns) != list(wanted.columns) or not ordered.equals(wanted):
        return failed("the remaining rows were changed.",
                      "filter rows; do not fill in or edit values you cannot verify.")
    return passed(f"{int(faulty.sum())} faulty patients removed, {len(fixed)} kept. In a real "
                  "project you would also ask the source system why they were wrong.")


def hidden_variable_loss(answer: float, column: str, train: pd.DataFrame, test: pd.DataFrame,
                         exp: Experiment, compare_with: str = "diabetes") -> Verdict:
    """Exercise 1.3: the AUROC a model loses when it may not use ``column``.

    Names the usual slips: text, the sign reversed, percentage points, the variable hidden
    in the training patients only, the AUROCs measured on the training patients, another
    variable hidden. The feedback puts the answer next to the loss from hiding
    ``compare_with``, so that the learner sees evidence for (or against) collecting each
    variable.
    """
    problem = number_problem(answer, "loss")
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
            return ("beyond the noise of these test patients" if diff.excludes_zero else
                    "within the noise of these test patients")

        mine, theirs = change(column), change(compare_with)
        return passed(f"Hiding {column!r} changes the AUROC of {full:.3f} by {mine}: "
                      f"{verdict(mine)}. Hiding {compare_with!r} changes it by {theirs}: "
                      f"{verdict(theirs)}. A variable whose loss is within the noise is hard "
                      "to defend under Art. 5(1)(c) on this evidence alone; one that costs "
                      "more is easier to argue for.")
    if is_close(answer, -expected, 1e-6) and abs(expected) > 1e-6:
        return failed("the sign is reversed.",
                      "take the AUROC with the variable minus the AUROC without it.")
    if is_close(answer, 100 * expected, 1e-4) and abs(expected) > 1e-6:
        return failed(f"{shown(answer, 3)} is the loss in percentage points.",
                      "give it on the AUROC's own scale (0.5 is chance, 1 is perfect).")
    if is_close(answer, full - auroc(without_variable(train, column), test), 1e-6):
        return failed("the model was trained without the variable but tested with it.",
                      "hide the variable in the test patients too: a variable that is not "
                      "collected is missing at prediction time as well.")
    on_train = auroc(train, train) - auroc(without_variable(train, column),
                                           without_variable(train, column))
    if is_close(answer, on_train, 1e-6):
        return failed("both AUROCs were measured on the training patients.",
                      "measure on the test patients: on its own training patients a model "
                      "looks better than it is.")
    if is_close(answer, other, 1e-6):
        return failed(f"that is the loss from hiding {compare_with!r}.",
                      f"hide {column!r}, the variable the exercise names.")
    return failed(f"{shown(answer)} is not the AUROC lost by hiding {column!r}.",
                  "train and test once as they are, once with the variable hidden in "
                  "both; subtract the second AUROC from the first.")


def assay_factor(answer: float, cohort: Cohort, site: str = "B") -> Verdict:
    """Exercise 1.4: a site's NT-proBNP assay factor, read from the data card.

    Names the usual slips: text, the ratio of the sites' medians (lab and patients mixed),
    the inverse factor, and another site's factor.
    """
    problem = number_problem(answer, "factor")
    if problem is not None:
        return problem
    profiles = {p.name: p for p in cohort.profiles}
    expected = profiles[site].ntprobnp_assay_factor
    medians = {s: df["nt_probnp"].median() for s, df in cohort.items()}
    others = [s for s in cohort if s != site]
    ratio = medians[site] / medians[others[0]] if others else float("nan")
    if is_close(answer, expected, 1e-9):
        return passed(f"Site {site}'s lab records {expected:g} times the NT-proBNP the patient "
                      f"has. Its median is {ratio:.2f} times Site {others[0]}'s: the rest of "
                      "the difference comes from the patients themselves.")
    if is_close(answer, ratio, 0.01):
        return failed(f"{shown(answer, 3)} is the ratio of the two sites' medians.",
                      "the medians differ for two reasons (sicker patients and the lab); "
                      "the data card gives the lab's part on its own.")
    if is_close(answer, 1 / expected, 1e-3) and expected != 1:
        return failed(f"{shown(answer, 3)} is the inverse of the factor.",
                      f"the factor says how many times higher Site {site}'s lab reports the "
                      "same concentration: more than 1 for a lab that reads high.")
    wrong_site = [s for s, p in profiles.items() if s != site
                  and is_close(answer, p.ntprobnp_assay_factor, 1e-9)]
    if wrong_site:
        return failed(f"{shown(answer, 3)} is Site {wrong_site[0]}'s factor.",
                      f"read the row of Site {site}.")
    return failed(f"{shown(answer, 3)} is not the assay factor the data card gives for "
                  f"Site {site}.", "look for 'NT-proBNP assay factor' in the data card's "
                  "table of sites.")
