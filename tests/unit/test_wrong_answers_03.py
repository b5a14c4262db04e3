"""Exercise notebook 03: each check accepts the solution and refuses the wrong answers below,
naming the mistake (the pattern: tests/unit/wrong_answers.py)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import pandas as pd
import pytest

import fedlearn_kit as kit
from fedlearn_kit.checks import centralised as check
from tests.unit.wrong_answers import (
    Wrong,
    assert_accepted,
    assert_rejected,
    solution_code,
    table_problems,
)

NOTEBOOK = "03_centralised.ipynb"
OUTCOME = "readmitted_30d"


@dataclass
class Context:
    """What solutions/03 has computed when the learner reaches each check."""

    splits: dict[str, kit.Split]
    pooled: pd.DataFrame
    central: kit.TrainedModel
    table: pd.DataFrame

    def pool(self, parts: list[pd.DataFrame]) -> object:
        return check.pooled_training_data(pd.concat(parts, ignore_index=True), self.splits)

    def trains(self) -> list[pd.DataFrame]:
        return [s.train for s in self.splits.values()]

    def gain(self, answer: object) -> object:
        return check.collaboration_gain(answer, self.table)

    def cell(self, row: str, column: str) -> float:
        return float(self.table.loc[row, column])

    def moved(self, copied: object, numbers: object = 17) -> object:
        return check.values_moved(copied, numbers, self.splits["A"].train, self.central)


@cache
def context() -> Context:
    exp = kit.Experiment(seed=42)
    cohort = exp.cohort()
    splits = kit.split_cohort(cohort, exp.test_fraction, exp.seed)
    pooled = pd.concat([split.train for split in splits.values()], ignore_index=True)
    central = kit.fit(pooled, exp, "central")
    local = kit.fit_local(splits, exp)
    table = kit.compare([*local.values(), central], kit.future_patients(cohort, 5000))
    return Context(splits, pooled, central, table)


def _harmonised(c: Context) -> list[pd.DataFrame]:
    a, b = c.trains()
    return [a, b.assign(nt_probnp=b["nt_probnp"] / 1.3)]


def _shuffled(c: Context) -> list[pd.DataFrame]:
    pooled = c.pooled.copy()
    pooled[OUTCOME] = pooled[OUTCOME].sample(frac=1, random_state=0).to_numpy()
    return [pooled]


ANSWERS = {"pseudonyms_make_it_anonymous": False, "copying_is_a_disclosure": True,
           "depends_on_the_recipient": True, "small_model_is_not_personal_data": False}

RIGHT = {
    "3.1": lambda c: c.pool(c.trains()),
    "3.2": lambda c: c.gain(c.cell("central", "A") - c.cell("local A", "A")),
    "3.3": lambda c: c.moved(c.splits["A"].train.size),
    "3.4": lambda c: check.pooling_law(ANSWERS),
}

WRONG = [
    # 3.1 pool the training data
    Wrong("3.1", "the whole cohort, test patients included", lambda c: c.pool(
        [*c.trains(), *(s.test for s in c.splits.values())]), "test patients are in",
        "review"),
    Wrong("3.1", "a frame without the outcome column", lambda c: c.pool(
        [c.pooled.drop(columns=OUTCOME)]), f"lacks these columns: ['{OUTCOME}']", "review"),
    Wrong("3.1", "Site B's NT-proBNP divided by 1.3", lambda c: c.pool(_harmonised(c)),
          "differ from the sites' training records", "review"),
    Wrong("3.1", "the outcomes shuffled", lambda c: c.pool(_shuffled(c)),
          "no longer belong to their patients", "review"),
    Wrong("3.1", "Site B's training patients only", lambda c: c.pool(c.trains()[1:]),
          "these sites are missing: ['A']"),
    Wrong("3.1", "the training parts twice", lambda c: c.pool(c.trains() * 2),
          "more than once"),
    Wrong("3.1", "the features only, without identifiers", lambda c: c.pool(
        [c.pooled[list(kit.FEATURE_NAMES)]]), "no 'patient_id'"),
    # 3.2 the collaboration gain
    Wrong("3.2", "central minus Site B's model, on Site A's patients", lambda c: c.gain(
        c.cell("central", "A") - c.cell("local B", "A")), "site b's model", "review"),
    Wrong("3.2", "local minus central", lambda c: c.gain(
        c.cell("local A", "A") - c.cell("central", "A")), "reversed"),
    Wrong("3.2", "on Site B's patients", lambda c: c.gain(
        c.cell("central", "B") - c.cell("local A", "B")), "site b's patients"),
    Wrong("3.2", "text for a number", lambda c: c.gain("0.033"), "not a number"),
    # 3.3 what pooling moves
    Wrong("3.3", "the feature cells only", lambda c: c.moved(
        c.splits["A"].train[list(kit.FEATURE_NAMES)].size), "only the model's variables",
        "review"),
    Wrong("3.3", "16 weights", lambda c: c.moved(c.splits["A"].train.size, 16),
          "not the intercept", "review"),
    Wrong("3.3", "the texts '4294' and '17'", lambda c: c.moved(
        str(c.splits["A"].train.size), "17"), "not a number", "review"),
    Wrong("3.3", "the number of patients", lambda c: c.moved(len(c.splits["A"].train)),
          "number of patients"),
    Wrong("3.3", "the number of tensors", lambda c: c.moved(c.splits["A"].train.size, 2),
          "number of tensors"),
    Wrong("3.3", "both sites' values", lambda c: c.moved(c.pooled.size), "this site's"),
    # 3.4 pooling and the law
    Wrong("3.4", "texts 'True'/'False'", lambda c: check.pooling_law(
        {k: str(v) for k, v in ANSWERS.items()}), "without quotes", "review"),
    Wrong("3.4", "1 and 0", lambda c: check.pooling_law(
        {k: int(v) for k, v in ANSWERS.items()}), "not 1/0", "review"),
    Wrong("3.4", "one statement flipped", lambda c: check.pooling_law(
        {**ANSWERS, "depends_on_the_recipient": False}), "c-413/23", "review"),
    Wrong("3.4", "'no' for False", lambda c: check.pooling_law(
        {**ANSWERS, "pseudonyms_make_it_anonymous": "no"}), "\"no\" included"),
    Wrong("3.4", "a statement left out", lambda c: check.pooling_law(
        {k: v for k, v in ANSWERS.items() if k != "copying_is_a_disclosure"}), "no answer yet"),
]


def test_the_tables_cover_every_exercise() -> None:
    assert table_problems(NOTEBOOK, RIGHT, WRONG) == []


@pytest.mark.parametrize("exercise", sorted(RIGHT))
def test_the_solution_is_accepted(exercise: str, capsys: pytest.CaptureFixture[str]) -> None:
    verdict = RIGHT[exercise](context())
    assert_accepted(verdict, capsys.readouterr().out)


def test_a_gain_read_from_the_rounded_table_counts(capsys: pytest.CaptureFixture[str]) -> None:
    """The exercise shows the table rounded to 3 decimals: reading it there is right."""
    c = context()
    read = round(c.cell("central", "A"), 3) - round(c.cell("local A", "A"), 3)
    assert_accepted(c.gain(read), out := capsys.readouterr().out)
    assert "rounded table" in out


@pytest.mark.parametrize("wrong", WRONG, ids=lambda w: w.id)
def test_a_wrong_answer_is_refused_and_named(wrong: Wrong,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    verdict = wrong.call(context())
    assert_rejected(wrong, verdict, capsys.readouterr().out,
                    solution_code(NOTEBOOK)[wrong.exercise])
