"""Feedback for the exercises of lesson 03 (centralised training)."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from fedlearn_kit.checks import Verdict, failed, is_close, passed
from fedlearn_kit.training import Split


def pooled_training_data(pooled: pd.DataFrame, splits: Mapping[str, Split]) -> Verdict:
    """Exercise 3.1: every site's training rows, and none of any site's test rows."""
    if not isinstance(pooled, pd.DataFrame):
        return failed(f"expected a DataFrame, got {type(pooled).__name__}.")
    ids = set(pooled["patient_id"]) if "patient_id" in pooled.columns else set()
    test_ids = set().union(*(set(s.test["patient_id"]) for s in splits.values()))
    if ids & test_ids:
        return failed(f"{len(ids & test_ids)} test patients are in the pooled training data.",
                      "pool only the .train part of each split: test patients must stay "
                      "unseen, or the evaluation flatters the model.")
    missing = {site for site, s in splits.items() if not set(s.train["patient_id"]) <= ids}
    if missing:
        return failed(f"training patients of site(s) {sorted(missing)} are missing.",
                      "concatenate the training parts of all sites.")
    if len(pooled) != sum(len(s.train) for s in splits.values()):
        return failed("some patients appear more than once.", "concatenate each site once.")
    return passed(f"{len(pooled)} training patients from {len(splits)} sites, no test patient.")


def collaboration_gain(answer: float, table: pd.DataFrame, site: str = "A") -> Verdict:
    """Exercise 3.2: central minus local AUROC on one site's patients."""
    expected = table.loc["central", site] - table.loc[f"local {site}", site]
    if is_close(answer, -expected, 1e-9) and expected != 0:
        return failed("the sign is reversed.", "take central minus local.")
    if not is_close(answer, expected, 1e-9):
        return failed(f"{answer!r} is not the difference in the table.",
                      f"read the column '{site}' in the rows 'central' and 'local {site}'.")
    verdict = "pooling helped" if expected > 0 else "pooling did not help"
    return passed(f"Gain for site {site}: {expected:+.3f} AUROC ({verdict}).")
