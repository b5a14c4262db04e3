"""Feedback for the exercises of lesson 01 (synthetic patients)."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from fedlearn_kit.checks import Verdict, failed, is_close, passed, shown
from fedlearn_kit.cohort import Cohort
from fedlearn_kit.evaluation import evaluate
from fedlearn_kit.experiment import Experiment
from fedlearn_kit.faulty_data import without_variable
from fedlearn_kit.schema import OUTCOME_NAME
from fedlearn_kit.training import fit
from fedlearn_kit.validation import CohortError, validate


def readmission_rates(rates: Mapping[str, float], cohort: Cohort) -> Verdict:
    """Exercise 1.1: the share of readmitted patients at each site, as a fraction."""
    if not isinstance(rates, Mapping):
        return failed(f"expected a dict such as {{'A': 0.2, ...}}, got {type(rates).__name__}.")
    if set(rates) != set(cohort):
        return failed(f"expected one rate per site {sorted(cohort)}, got {sorted(rates)}.")
    for site, df in cohort.items():
        expected = df[OUTCOME_NAME].mean()
        if is_close(rates[site], 100 * expected, 0.05):
            return failed(f"site {site}: {shown(rates[site])} looks like a percentage.",
                          "give a fraction between 0 and 1 (the mean of a 0/1 column).")
        if is_close(rates[site], df[OUTCOME_NAME].sum(), 0.5):
            return failed(f"site {site}: {shown(rates[site])} is a number of patients.",
                          "divide by the number of the site's patients to get a share.")
        if not is_close(rates[site], expected, 1e-6):
            return failed(f"site {site}: {shown(rates[site])} is not its readmission rate.",
                          f"look at the '{OUTCOME_NAME}' column: what does its average mean "
                          "for a column of 0s and 1s?")
    summary = ", ".join(f"{s} {100 * float(r):.1f} %" for s, r in rates.items())
    return passed(f"Readmission rates: {summary}.")


def fixed_site(fixed: pd.DataFrame, damaged: pd.DataFrame) -> Verdict:
    """Exercise 1.2: the damaged file with exactly its faulty patients removed."""
    if not isinstance(fixed, pd.DataFrame):
        return failed(f"expected a DataFrame, got {type(fixed).__name__}.")
    try:
        validate(fixed)
    except CohortError as err:
        return failed(f"the data still fails validation:\n{err}")
    faulty = damaged["egfr"].isna() | ~damaged["sodium"].between(115, 155)
    lost = set(damaged.loc[~faulty, "patient_id"]) - set(fixed["patient_id"])
    if lost:
        return failed(f"{len(lost)} patient(s) without faults were removed too.",
                      "remove only rows with an empty eGFR or an impossible sodium value.")
    if not fixed.reset_index(drop=True).equals(damaged[~faulty].reset_index(drop=True)):
        return failed("the remaining rows were changed.",
                      "filter rows; do not fill in or edit values you cannot verify.")
    return passed(f"{int(faulty.sum())} faulty patients removed, {len(fixed)} kept. In a real "
                  "project you would also ask the source system why they were wrong.")


def hidden_variable_loss(answer: float, column: str, train: pd.DataFrame, test: pd.DataFrame,
                         exp: Experiment, compare_with: str = "diabetes") -> Verdict:
    """Exercise 1.3: the AUROC a model loses when it may not use ``column``.

    The feedback puts the answer next to the loss from hiding ``compare_with``, so that the
    learner sees evidence for (or against) collecting each variable.
    """
    def auroc(train_df: pd.DataFrame, test_df: pd.DataFrame) -> float:
        return evaluate(fit(train_df, exp, "check"), test_df)["auroc"]

    full = auroc(train, test)
    hidden = auroc(without_variable(train, column), without_variable(test, column))
    expected = full - hidden
    if is_close(answer, -expected, 1e-6) and abs(expected) > 1e-6:
        return failed("the sign is reversed.",
                      "take the AUROC with the variable minus the AUROC without it.")
    if not is_close(answer, expected, 1e-6):
        only_train = full - auroc(without_variable(train, column), test)
    if not is_close(answer, expected, 1e-6) and is_close(answer, only_train, 1e-6):
        return failed("the model was trained without the variable but tested with it.",
                      "hide the variable in the test patients too: a variable that is not "
                      "collected is missing at prediction time as well.")
    if not is_close(answer, expected, 1e-6):
        return failed(f"{shown(answer)} is not the AUROC lost by hiding {column!r}.",
                      "train and test once as they are, once with the variable hidden in "
                      "both; subtract the second AUROC from the first.")
    other = full - auroc(without_variable(train, compare_with),
                         without_variable(test, compare_with))
    return passed(f"Without {column!r} the AUROC changes by {-expected:+.3f} (from {full:.3f}); "
                  f"without {compare_with!r} it changes by {other:+.3f}. A variable whose "
                  "loss is within the noise of the test set is hard to defend under "
                  "Art. 5(1)(c); one that costs several hundredths is easier to argue for.")


def assay_factor(answer: float, cohort: Cohort, site: str = "B") -> Verdict:
    """Exercise 1.4: a site's NT-proBNP assay factor, read from the data card."""
    profiles = {p.name: p for p in cohort.profiles}
    expected = profiles[site].ntprobnp_assay_factor
    medians = {s: df["nt_probnp"].median() for s, df in cohort.items()}
    others = [s for s in cohort if s != site]
    ratio = medians[site] / medians[others[0]] if others else float("nan")
    if is_close(answer, ratio, 0.01):
        return failed(f"{shown(answer, 3)} is the ratio of the two sites' medians.",
                      "the medians differ for two reasons (sicker patients and the lab); "
                      "the data card gives the lab's part on its own.")
    if not is_close(answer, expected, 1e-9):
        return failed(f"{shown(answer, 3)} is not the assay factor the data card gives for "
                      f"Site {site}.", "look for 'NT-proBNP assay factor' in the data card's "
                      "table of sites.")
    return passed(f"Site {site}'s lab records {expected:g} times the NT-proBNP the patient "
                  f"has. Its median is {ratio:.2f} times Site "
                  f"{others[0]}'s: the rest of the difference comes from the patients themselves.")
