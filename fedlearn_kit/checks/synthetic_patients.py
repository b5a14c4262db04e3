"""Feedback for the exercises of lesson 01 (synthetic patients)."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from fedlearn_kit.checks import Verdict, failed, is_close, passed
from fedlearn_kit.cohort import Cohort
from fedlearn_kit.schema import OUTCOME_NAME
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
            return failed(f"site {site}: {rates[site]:.3g} looks like a percentage.",
                          "give a fraction between 0 and 1 (the mean of a 0/1 column).")
        if not is_close(rates[site], expected, 1e-6):
            return failed(f"site {site}: {rates[site]!r} is not its readmission rate.",
                          f"take the mean of the '{OUTCOME_NAME}' column of that site.")
    summary = ", ".join(f"{s} {100 * r:.1f} %" for s, r in rates.items())
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
