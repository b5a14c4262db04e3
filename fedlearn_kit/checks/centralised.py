"""Feedback for the exercises of lesson 03 (centralised training)."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from fedlearn_kit.checks import Verdict, failed, is_close, passed, shown, true_or_false
from fedlearn_kit.training import Split, TrainedModel


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
        return failed(f"{shown(answer)} is not the difference in the table.",
                      f"read the column '{site}' in the rows 'central' and 'local {site}'.")
    verdict = "pooling helped" if expected > 0 else "pooling did not help"
    return passed(f"Gain for site {site}: {expected:+.3f} AUROC ({verdict}).")


def values_moved(copied: object, model_numbers: object, train: pd.DataFrame,
                 model: TrainedModel) -> Verdict:
    """Exercise 3.3: the values pooling copies from one site, against the model's size."""
    expected = int(train.size)
    size = sum(int(p.numel()) for p in model.net.parameters())
    if is_close(copied, len(train), 0):
        return failed(f"{shown(copied)} is the number of patients.",
                      "count values: every cell of the table, patients x columns (df.size).")
    if is_close(copied, len(train.columns), 0):
        return failed(f"{shown(copied)} is the number of columns.",
                      "count every cell: patients x columns (df.size).")
    if not is_close(copied, expected, 0):
        return failed(f"{shown(copied)} is not the number of values in these training "
                      "records.", "df.size counts every cell of a DataFrame.")
    if not is_close(model_numbers, size, 0):
        return failed(f"{shown(model_numbers)} is not the number of the model's weights.",
                      "count every value of every weight tensor of the model (.numel()).")
    return passed(f"Pooling copied {expected:,} values about {len(train)} patients; the "
                  f"model they produced is {size} numbers, {expected // size:,} times fewer. "
                  "Small, but computed from those patients: lessons 05 and 06 measure what "
                  "it reveals.")


POOLING_STATEMENTS = {
    "pseudonyms_make_it_anonymous": (
        False, "reread section 4: what does GDPR Art. 4(5) say about pseudonymised data?"),
    "copying_is_a_disclosure": (
        True, "reread the paragraph on utlämnande: moving records between care providers."),
    "depends_on_the_recipient": (
        True, "reread what the Court of Justice held in C-413/23 P (EDPS v SRB)."),
    "small_model_is_not_personal_data": (
        False, "the lesson's price-of-pooling section says what lessons 05 and 06 measure; "
        "size says nothing about what a model reveals."),
}


def pooling_law(answers: object) -> Verdict:
    """Exercise 3.4: true or false, four statements about pooling and the law."""
    return true_or_false(answers, POOLING_STATEMENTS,
                         "Pseudonymised records stay personal data for anyone who can link "
                         "them back; copying them to another care provider is a disclosure "
                         "with a secrecy assessment; and the model's size settles nothing. "
                         "Now answer the question cards at the end of lesson 03.")
