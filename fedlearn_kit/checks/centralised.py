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
from fedlearn_kit.i18n import N_, _, ngettext
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
        return failed(_("expected a DataFrame, got {type}.").format(type=type(pooled).__name__))
    wanted = pd.concat([s.train for s in splits.values()], ignore_index=True)
    if "patient_id" not in pooled.columns:
        return failed(_("the frame has no 'patient_id' column."),
                      _("pool the training parts with all their columns."))
    ids = set(pooled["patient_id"])
    test_ids = set().union(*(set(s.test["patient_id"]) for s in splits.values()))
    if ids & test_ids:
        leaked = len(ids & test_ids)
        return failed(ngettext("{n} test patient is in the pooled training data.",
                               "{n} test patients are in the pooled training data.",
                               leaked).format(n=leaked),
                      _("pool only the .train part of each split: test patients must stay "
                        "unseen, or the evaluation flatters the model."))
    missing = {site for site, s in splits.items() if not set(s.train["patient_id"]) <= ids}
    if missing:
        return failed(_("training patients of these sites are missing: {sites}.").format(
            sites=sorted(missing)), _("concatenate the training parts of all sites."))
    if len(pooled) != len(wanted):
        return failed(_("some patients appear more than once."),
                      _("concatenate each site once."))
    lacking = [c for c in wanted.columns if c not in pooled.columns]
    if lacking:
        return failed(_("the frame lacks these columns: {columns}.").format(columns=lacking),
                      _("keep every column: the central model learns from the features and "
                        "the outcome '{outcome}' of each patient.").format(outcome=OUTCOME_NAME))
    extra = [c for c in pooled.columns if c not in wanted.columns]
    if extra:
        return failed(_("the frame has columns the sites' records do not: {columns}.").format(
            columns=extra), _("pool the training parts as they are."))
    mine = pooled.set_index("patient_id").loc[wanted["patient_id"], list(wanted.columns[1:])]
    theirs = wanted.set_index("patient_id")[list(wanted.columns[1:])]
    changed = [c for c in theirs.columns
               if not mine[c].reset_index(drop=True).equals(theirs[c].reset_index(drop=True))]
    if OUTCOME_NAME in changed:
        return failed(_("the outcomes ('{outcome}') no longer belong to their patients.").format(
            outcome=OUTCOME_NAME), _("join whole rows, never columns on their own: each "
                                     "patient's outcome must stay with that patient's features."))
    if changed:
        return failed(_("the values of {columns} differ from the sites' training records.").format(
            columns=changed), _("pool the records as each site recorded them; the exercise asks "
                                "for the pool, not for corrections (harmonising a lab is a "
                                "decision of its own, made with the labs)."))
    return passed(ngettext("{n} training patients from {sites} site, no test patient.",
                           "{n} training patients from {sites} sites, no test patient.",
                           len(splits)).format(n=len(pooled), sites=len(splits)))


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
        if is_close(answer, expected, 1e-9):
            return passed(_("Gain for Site {site}: {gain:+.3f} AUROC. Lesson 03 gives its 95 % "
                            "interval, and whether it is more than chance.").format(
                site=site, gain=expected))
        return passed(_("Gain for Site {site}: {gain:+.3f} AUROC (read from the rounded table). "
                        "Lesson 03 gives its 95 % interval, and whether it is more than "
                        "chance.").format(site=site, gain=expected))
    if (matches(-expected) or is_close(answer, -shown_gain, 1e-9)) and expected != 0:
        return failed(_("the sign is reversed."), _("take central minus local."))
    for other in others:
        if matches(table.loc["central", site] - table.loc[f"local {other}", site]):
            return failed(_("that compares with Site {other}'s model.").format(other=other),
                          _("subtract Site {site}'s own model ('local {site}').").format(
                              site=site))
        if matches(table.loc["central", other] - table.loc[f"local {site}", other]):
            return failed(_("that is measured on Site {other}'s patients.").format(other=other),
                          _("use the column '{site}': Site {site}'s patients.").format(
                              site=site))
    return failed(_("{answer} is not the difference in the table.").format(
        answer=shown(answer)), _("read the column '{site}' in the rows 'central' and "
                                 "'local {site}'.").format(site=site))


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
        return failed(_("{answer} is the number of patients.").format(answer=shown(copied)),
                      _("count values: every cell of the table, patients x columns."))
    if is_close(copied, len(train.columns), 0):
        return failed(_("{answer} is the number of columns.").format(answer=shown(copied)),
                      _("count every cell: patients x columns."))
    if not is_close(copied, expected, 0):
        features = [c for c in FEATURE_NAMES if c in train.columns]
        if is_close(copied, len(train) * len(features), 0):
            return failed(_("{answer} counts only the model's variables.").format(
                answer=shown(copied)), _("every column of the records is copied, the "
                                         "identifier, site and outcome too."))
        if is_close(copied, expected - len(train), 0):
            return failed(_("{answer} leaves out one column.").format(answer=shown(copied)),
                          _("every column of the training records is copied, the identifier "
                            "and the outcome too."))
        return failed(_("{answer} is not the number of values in this site's training "
                        "records.").format(answer=shown(copied)),
                      _("count the cells of the one site's training part: the others' are "
                        "copied too, but the exercise asks for this site's."))
    if is_close(model_numbers, size - 1, 0):
        return failed(_("{answer} counts the weights but not the intercept.").format(
            answer=shown(model_numbers)), _("every tensor of the model counts, the bias too."))
    if is_close(model_numbers, len(list(model.net.parameters())), 0):
        return failed(_("{answer} is the number of tensors, not of values.").format(
            answer=shown(model_numbers)), _("count the values inside each tensor."))
    if not is_close(model_numbers, size, 0):
        return failed(_("{answer} is not the number of the model's weights.").format(
            answer=shown(model_numbers)),
            _("count every value of every weight tensor of the model."))
    return passed(_("Pooling copied {values:,} values about {n} patients; the model they "
                    "produced is {size} numbers, {ratio:,} times fewer. Small, but computed from "
                    "those patients: lessons 05 and 06 measure what it reveals.").format(
        values=expected, n=len(train), size=size, ratio=expected // size))


POOLING_STATEMENTS = {
    "pseudonyms_make_it_anonymous": (
        False, N_("reread section 5: what does GDPR Art. 4(5) say about pseudonymised data?")),
    "copying_is_a_disclosure": (
        True, N_("reread the paragraph on secrecy: moving records between care providers is a "
                 "disclosure (utlämnande).")),
    "depends_on_the_recipient": (
        True, N_("reread what the Court of Justice held in C-413/23 P (EDPS v SRB).")),
    "small_model_is_not_personal_data": (
        False, N_("the lesson's price-of-pooling section says what lessons 05 and 06 measure; "
                  "size says nothing about what a model reveals.")),
}


def pooling_law(answers: object) -> Verdict:
    """Exercise 3.4: true or false, four statements about pooling and the law."""
    statements = {key: (truth, _(hint)) for key, (truth, hint) in POOLING_STATEMENTS.items()}
    return true_or_false(answers, statements,
                         _("Pseudonymised records stay personal data for anyone who can link "
                           "them back; copying them to another care provider is a disclosure "
                           "with a secrecy assessment; and the model's size settles nothing. "
                           "Now answer the question cards at the end of lesson 03."))
