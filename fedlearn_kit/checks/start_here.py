"""The demonstration check of lesson 00: how exercise feedback looks (no exercise uses it)."""

from __future__ import annotations

from fedlearn_kit.checks import Verdict, failed, is_close, passed, shown
from fedlearn_kit.cohort import Cohort


def patients_at_site(answer: object, cohort: Cohort, site: str = "A") -> Verdict:
    """How many patients one site has: right, or the likely slip named."""
    expected = len(cohort[site])
    if is_close(answer, sum(len(df) for df in cohort.values()), 0):
        return failed(f"{shown(answer)} is the number of patients at all sites together.",
                      f"count only Site {site}'s rows.")
    if not is_close(answer, expected, 0):
        return failed(f"{shown(answer)} is not the number of Site {site}'s patients.",
                      "each row of a site's table is one patient.")
    return passed(f"Site {site} has {expected} patients.")
