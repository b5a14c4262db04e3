"""Exercise notebook 01: each check accepts the solution and refuses the wrong answers below,
naming the mistake (the pattern: tests/unit/wrong_answers.py)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import pandas as pd
import pytest

import fedlearn_kit as kit
from fedlearn_kit.checks import synthetic_patients as check
from tests.unit.wrong_answers import (
    Wrong,
    assert_accepted,
    assert_rejected,
    solution_code,
    table_problems,
)

NOTEBOOK = "01_synthetic_patients.ipynb"
OUTCOME = "readmitted_30d"


@dataclass
class Context:
    """What solutions/01 has computed when the learner reaches each check."""

    cohort: kit.Cohort
    damaged: pd.DataFrame
    fixed: pd.DataFrame
    exp: kit.Experiment
    split: kit.Split
    column: str = "prior_admissions_12m"

    def rates(self, **changed: float) -> dict[str, float]:
        right = {s: df[OUTCOME].mean() for s, df in self.cohort.items()}
        return {**right, **changed}

    def auroc(self, train: pd.DataFrame, test: pd.DataFrame) -> float:
        return kit.evaluate(kit.fit(train, self.exp, "m"), test)["auroc"]

    def loss(self, *, hide_in_test: bool = True, on: str = "test",
             column: str | None = None) -> float:
        column = column or self.column
        train = self.split.train
        test = self.split.test if on == "test" else train
        hidden_test = kit.without_variable(test, column) if hide_in_test else test
        return (self.auroc(train, test)
                - self.auroc(kit.without_variable(train, column), hidden_test))

    def hidden(self, answer: object) -> object:
        return check.hidden_variable_loss(answer, self.column, self.split.train,
                                          self.split.test, self.exp)


@cache
def context() -> Context:
    cohort = kit.generate(seed=42)
    damaged = kit.damaged_copy(cohort["A"])
    fixed = damaged.dropna(subset=["egfr"])
    fixed = fixed[fixed["sodium"].between(115, 155)]
    # The notebook trains 20 epochs; 3 name the same slips in a fraction of the time.
    exp = kit.Experiment(seed=42, epochs=3)
    split = kit.split_cohort(cohort, exp.test_fraction, exp.seed)["B"]
    return Context(cohort, damaged, fixed, exp, split)


def _unit_fixed(c: Context) -> pd.DataFrame:
    repaired = c.damaged.dropna(subset=["egfr"]).copy()
    wrong_unit = repaired["sodium"] > 155
    repaired.loc[wrong_unit, "sodium"] = repaired.loc[wrong_unit, "sodium"] // 10
    return repaired


def _imputed(c: Context) -> pd.DataFrame:
    imputed = c.damaged.copy()
    imputed["egfr"] = imputed["egfr"].fillna(imputed["egfr"].median())
    return imputed[imputed["sodium"].between(115, 155)]


def _edited(fixed: pd.DataFrame) -> pd.DataFrame:
    edited = fixed.copy()
    edited.loc[edited.index[0], "age"] -= 1
    return edited


def _medians_ratio(c: Context) -> float:
    return c.cohort["B"]["nt_probnp"].median() / c.cohort["A"]["nt_probnp"].median()


RIGHT = {
    "1.1": lambda c: check.readmission_rates(c.rates(), c.cohort),
    "1.2": lambda c: check.fixed_site(c.fixed, c.damaged),
    "1.3": lambda c: c.hidden(c.loss()),
    "1.4": lambda c: check.assay_factor(1.3, c.cohort, site="B"),
}

WRONG = [
    # 1.1 readmission rates
    Wrong("1.1", "the summary's rounded percentages / 100, as a Series",
          lambda c: check.readmission_rates(c.cohort.summary()["readmitted_%"] / 100,
                                            c.cohort), "series", "review"),
    Wrong("1.1", "the summary's rounded percentages / 100, as a dict",
          lambda c: check.readmission_rates(
              (c.cohort.summary()["readmitted_%"] / 100).to_dict(), c.cohort), "rounded",
          "review"),
    Wrong("1.1", "the rate of all patients pooled, for every site",
          lambda c: check.readmission_rates(
              dict.fromkeys(c.cohort, pd.concat(list(c.cohort.values()))[OUTCOME].mean()),
              c.cohort), "all patients together", "review"),
    Wrong("1.1", "percentages", lambda c: check.readmission_rates(
        {s: 100 * r for s, r in c.rates().items()}, c.cohort), "percentage"),
    Wrong("1.1", "counts of readmitted patients", lambda c: check.readmission_rates(
        {s: int(df[OUTCOME].sum()) for s, df in c.cohort.items()}, c.cohort),
        "number of patients"),
    Wrong("1.1", "the sites swapped", lambda c: check.readmission_rates(
        dict(zip(c.rates(), reversed(c.rates().values()), strict=True)), c.cohort), "swapped"),
    Wrong("1.1", "the share not readmitted", lambda c: check.readmission_rates(
        {s: 1 - r for s, r in c.rates().items()}, c.cohort), "not readmitted"),
    Wrong("1.1", "text for a number", lambda c: check.readmission_rates(
        c.rates(A="0.14"), c.cohort), "not a number"),
    Wrong("1.1", "one site only", lambda c: check.readmission_rates(
        {"A": c.rates()["A"]}, c.cohort), "one rate per site"),
    # 1.2 a faulty export
    Wrong("1.2", "sodium divided by 10 instead of the row removed",
          lambda c: check.fixed_site(_unit_fixed(c), c.damaged), "still there", "review"),
    Wrong("1.2", "missing eGFR filled with the median", lambda c: check.fixed_site(
        _imputed(c), c.damaged), "still there", "review"),
    Wrong("1.2", "only the empty eGFR rows dropped", lambda c: check.fixed_site(
        c.damaged.dropna(subset=["egfr"]), c.damaged), "fails validation", "review"),
    Wrong("1.2", "sodium filtered to 135-145 mmol/L", lambda c: check.fixed_site(
        c.damaged.dropna(subset=["egfr"]).query("135 <= sodium <= 145"), c.damaged),
        "without faults were removed", "review"),
    Wrong("1.2", "the other site's (valid) file", lambda c: check.fixed_site(
        c.cohort["B"], c.damaged), "not of the damaged file's site"),
    Wrong("1.2", "a value edited in a kept row", lambda c: check.fixed_site(
        _edited(c.fixed), c.damaged), "changed"),
    # 1.3 does the model need it?
    Wrong("1.3", "variable hidden in the training patients only", lambda c: c.hidden(
        c.loss(hide_in_test=False)), "tested with it", "review"),
    Wrong("1.3", "AUROCs measured on the training patients", lambda c: c.hidden(
        c.loss(on="train")), "training patients", "review"),
    Wrong("1.3", "without minus with (sign reversed)", lambda c: c.hidden(-c.loss()),
          "reversed"),
    Wrong("1.3", "in percentage points", lambda c: c.hidden(100 * c.loss()),
          "percentage points"),
    Wrong("1.3", "another variable hidden", lambda c: c.hidden(c.loss(column="diabetes")),
          "'diabetes'"),
    Wrong("1.3", "text for a number", lambda c: c.hidden(f"{c.loss():.3f}"), "not a number"),
    # 1.4 the data card
    Wrong("1.4", "the ratio of the sites' medians", lambda c: check.assay_factor(
        _medians_ratio(c), c.cohort, "B"), "ratio of the two sites' medians", "review"),
    Wrong("1.4", "1.0", lambda c: check.assay_factor(1.0, c.cohort, "B"), "Site A's factor",
          "review"),
    Wrong("1.4", "0.3 (the excess, not the factor)", lambda c: check.assay_factor(
        0.3, c.cohort, "B"), "not the assay factor", "review"),
    Wrong("1.4", "the text '1.3'", lambda c: check.assay_factor("1.3", c.cohort, "B"),
          "not a number", "review"),
    Wrong("1.4", "the inverse, 1/1.3", lambda c: check.assay_factor(1 / 1.3, c.cohort, "B"),
          "inverse"),
]


def test_the_tables_cover_every_exercise() -> None:
    assert table_problems(NOTEBOOK, RIGHT, WRONG) == []


@pytest.mark.parametrize("exercise", sorted(RIGHT))
def test_the_solution_is_accepted(exercise: str, capsys: pytest.CaptureFixture[str]) -> None:
    verdict = RIGHT[exercise](context())
    assert_accepted(verdict, capsys.readouterr().out)


@pytest.mark.parametrize("wrong", WRONG, ids=lambda w: w.id)
def test_a_wrong_answer_is_refused_and_named(wrong: Wrong,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    verdict = wrong.call(context())
    assert_rejected(wrong, verdict, capsys.readouterr().out,
                    solution_code(NOTEBOOK)[wrong.exercise])
