"""Feedback for the exercises of lesson 03 (centralised training)."""

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
    true_or_false,
)
from fedlearn_kit.schema import FEATURE_NAMES, OUTCOME_NAME
from fedlearn_kit.training import Split, TrainedModel


def pooled_training_data(pooled: pd.DataFrame, splits: Mapping[str, Split]) -> Verdict:
    """Exercise 3.1: every site's training rows as the sites recorded them, and none of any
    site's test rows.

    Compares the frame's columns and values with the training parts, patient by patient, so
    a frame without the outcome, with a column changed (a "harmonised" lab value) or with
    the outcomes shuffled is named, not only one with the wrong patients.
    """
    if not isinstance(pooled, pd.DataFrame):
        return failed(f"expected a DataFrame, got {type(pooled).__name__}.")
    wanted = pd.concat([s.train for s in splits.values()], ignore_index=True)
    if "patient_id" not in pooled.columns:
        return failed("the frame has no 'patient_id' column.",
                      "pool the training parts with all their columns.")
    ids = set(pooled["patient_id"])
    test_ids = set().union(*(set(s.test["patient_id"]) for s in splits.values()))
    if ids & test_ids:
        return failed(f"{len(ids & test_ids)} test patients are in the pooled training data.",
                      "pool only the .train part of each split: test patients must stay "
                      "unseen, or the evaluation flatters the model.")
    missing = {site for site, s in splits.items() if not set(s.train["patient_id"]) <= ids}
    if missing:
        return failed(f"training patients of site(s) {sorted(missing)} are missing.",
                      "concatenate the training parts of all sites.")
    if len(pooled) != len(wanted):
        return failed("some patients appear more than once.", "concatenate each site once.")
    lacking = [c for c in wanted.columns if c not in pooled.columns]
    if lacking:
        return failed(f"the frame lacks the column(s) {lacking}.",
                      "keep every column: the central model learns from the features and "
                      f"the outcome '{OUTCOME_NAME}' of each patient.")
    extra = [c for c in pooled.columns if c not in wanted.columns]
    if extra:
        return failed(f"the frame has column(s) the sites' records do not: {extra}.",
                      "pool the training parts as they are.")
    mine = pooled.set_index("patient_id").loc[wanted["patient_id"], list(wanted.columns[1:])]
    theirs = wanted.set_index("patient_id")[list(wanted.columns[1:])]
    changed = [c for c in theirs.columns
               if not mine[c].reset_index(drop=True).equals(theirs[c].reset_index(drop=True))]
    if OUTCOME_NAME in changed:
        return failed(f"the outcomes ('{OUTCOME_NAME}') no longer belong to their patients.",
                      "join whole rows, never columns on their own: each patient's outcome "
                      "must stay with that patient's features.")
    if changed:
        return failed(f"the values of {changed} differ from the sites' training records.",
                      "pool the records as each site recorded them; the exercise asks for "
                      "the pool, not for corrections (harmonising a lab is a decision of "
                      "its own, made with the labs).")
    return passed(f"{len(pooled)} training patients from {len(splits)} sites, no test patient.")


def collaboration_gain(answer: float, table: pd.DataFrame, site: str = "A") -> Verdict:
    """Exercise 3.2: central minus local AUROC on one site's patients.

    The table is shown rounded to 3 decimals, so a gain read from it (0.803 - 0.770) counts
    as right. Names the usual slips: text, the sign reversed, the other site's own model,
    the other site's patients.
    """
    problem = number_problem(answer, "gain")
    if problem is not None:
        return problem
    expected = table.loc["central", site] - table.loc[f"local {site}", site]
    shown_gain = round(table.loc["central", site], 3) - round(table.loc[f"local {site}", site],
                                                              3)
    others = [s for s in table.columns if s != site]

    def matches(value: float) -> bool:
        return is_close(answer, value, 1e-9) or is_rounded(answer, value, 3)

    if matches(expected) or is_close(answer, shown_gain, 1e-9):
        rounded = "" if is_close(answer, expected, 1e-9) else " (read from the rounded table)"
        return passed(f"Gain for site {site}: {expected:+.3f} AUROC{rounded}. Lesson 03 "
                      "gives its 95 % interval, and whether it is more than chance.")
    if (matches(-expected) or is_close(answer, -shown_gain, 1e-9)) and expected != 0:
        return failed("the sign is reversed.", "take central minus local.")
    for other in others:
        if matches(table.loc["central", site] - table.loc[f"local {other}", site]):
            return failed(f"that compares with Site {other}'s model.",
                          f"subtract Site {site}'s own model ('local {site}').")
        if matches(table.loc["central", other] - table.loc[f"local {site}", other]):
            return failed(f"that is measured on Site {other}'s patients.",
                          f"use the column '{site}': Site {site}'s patients.")
    return failed(f"{shown(answer)} is not the difference in the table.",
                  f"read the column '{site}' in the rows 'central' and 'local {site}'.")


def values_moved(copied: object, model_numbers: object, train: pd.DataFrame,
                 model: TrainedModel) -> Verdict:
    """Exercise 3.3: the values pooling copies from one site, against the model's size.

    Names the usual slips: text, the number of patients or of columns, the values of all
    sites, the weights without the intercept.
    """
    for value, what in ((copied, "copied"), (model_numbers, "model_numbers")):
        problem = number_problem(value, what)
        if problem is not None:
            return problem
    expected = int(train.size)
    size = sum(int(p.numel()) for p in model.net.parameters())
    if is_close(copied, len(train), 0):
        return failed(f"{shown(copied)} is the number of patients.",
                      "count values: every cell of the table, patients x columns.")
    if is_close(copied, len(train.columns), 0):
        return failed(f"{shown(copied)} is the number of columns.",
                      "count every cell: patients x columns.")
    if not is_close(copied, expected, 0):
        features = [c for c in FEATURE_NAMES if c in train.columns]
        if is_close(copied, len(train) * len(features), 0):
            return failed(f"{shown(copied)} counts only the model's variables.",
                          "every column of the records is copied, the identifier, site and "
                          "outcome too.")
        if is_close(copied, expected - len(train), 0):
            return failed(f"{shown(copied)} leaves out one column.",
                          "every column of the training records is copied, the identifier "
                          "and the outcome too.")
        return failed(f"{shown(copied)} is not the number of values in this site's training "
                      "records.", "count the cells of the one site's training part: the "
                      "others' are copied too, but the exercise asks for this site's.")
    if is_close(model_numbers, size - 1, 0):
        return failed(f"{shown(model_numbers)} counts the weights but not the intercept.",
                      "every tensor of the model counts, the bias too.")
    if is_close(model_numbers, len(list(model.net.parameters())), 0):
        return failed(f"{shown(model_numbers)} is the number of tensors, not of values.",
                      "count the values inside each tensor.")
    if not is_close(model_numbers, size, 0):
        return failed(f"{shown(model_numbers)} is not the number of the model's weights.",
                      "count every value of every weight tensor of the model.")
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
