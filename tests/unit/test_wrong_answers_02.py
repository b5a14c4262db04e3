"""Exercise notebook 02: each check accepts the solution and refuses the wrong answers below,
naming the mistake (the pattern: tests/unit/wrong_answers.py)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cache

import numpy as np
import pandas as pd
import pytest

import fedlearn_kit as kit
from fedlearn_kit.checks import local_models as check
from tests.unit.wrong_answers import (
    Wrong,
    assert_accepted,
    assert_rejected,
    solution_code,
    table_problems,
)

NOTEBOOK = "02_local_models.ipynb"
OUTCOME = "readmitted_30d"


@dataclass
class Context:
    """What solutions/02 has computed when the learner reaches each check."""

    exp: kit.Experiment
    splits: dict[str, kit.Split]
    local: dict[str, kit.TrainedModel]
    drawn: dict[tuple, list[float]] = field(default_factory=dict)

    # 2.1
    def brier(self, answer: object) -> object:
        return check.brier(answer, self.local["B"], self.splits["B"].test,
                           train=self.splits["B"].train)

    def squared(self, site: str = "B", part: str = "test", model: str = "B") -> np.ndarray:
        df = getattr(self.splits[site], part)
        return (self.local[model].predict_proba(df) - df[OUTCOME].to_numpy()) ** 2

    # 2.2
    def mlp(self, answer: object) -> object:
        return check.mlp_auroc(answer, self.splits["A"].train, self.splits["A"].test, self.exp)

    def mlp_auroc(self, train_site: str = "A", on: str = "test", **changed: object) -> float:
        trained = kit.fit(self.splits[train_site].train,
                          replace(self.exp, model="mlp", **changed), "mlp")
        return kit.evaluate(trained, getattr(self.splits["A"], on))["auroc"]

    # 2.3
    def resamples(self, num: int = 300, size: float = 1.0, apart: bool = False,
                  part: str = "test", replace_: bool = True) -> list[float]:
        key = (num, size, apart, part, replace_)
        if key not in self.drawn:
            self.drawn[key] = self._resample(*key)
        return self.drawn[key]

    def _resample(self, num: int, size: float, apart: bool, part: str, replace_: bool
                  ) -> list[float]:
        df = getattr(self.splits["A"], part)
        y, y_hat = df[OUTCOME].to_numpy(), self.local["A"].predict_proba(df)
        rng = np.random.default_rng(0)
        values = []
        for _ in range(num):
            n = int(size * len(y))
            rows = rng.integers(0, len(y), n) if replace_ else rng.permutation(len(y))
            other = rng.integers(0, len(y), n) if apart else rows
            values.append(kit.auroc(y[rows], y_hat[other]))
        return values

    def interval(self, interval: object, values: object) -> object:
        return check.bootstrap_interval(interval, values, self.local["A"], self.splits["A"].test)

    def percentiles(self, low: float, high: float, **resampling: object) -> object:
        values = self.resamples(**resampling)  # type: ignore[arg-type]
        return self.interval(tuple(np.nanpercentile(values, [low, high])), values)

    def mean_sd(self, k: float) -> object:
        values = self.resamples()
        mean, sd = np.nanmean(values), np.nanstd(values)
        return self.interval((mean - k * sd, mean + k * sd), values)

    # 2.4
    def by_sex(self, model: str = "B") -> dict[str, float]:
        test = self.splits["B"].test
        y, risk = test[OUTCOME].to_numpy(), self.local[model].predict_proba(test)
        women = (test["sex"] == "F").to_numpy()
        return {"F": kit.auroc(y[women], risk[women]), "M": kit.auroc(y[~women], risk[~women])}

    def subgroups(self, answer: object) -> object:
        return check.subgroup_auroc(answer, self.local["B"], self.splits["B"].test)

    # 2.5
    def errors(self, model: str = "A") -> pd.Series:
        weights = pd.Series(self.local[model].net.linear.weight.detach().numpy().ravel(),
                            index=kit.FEATURE_NAMES)
        return weights - pd.Series(kit.TRUE_COEFFICIENTS)[list(kit.FEATURE_NAMES)]

    def worst(self, answer: object) -> object:
        return check.furthest_from_truth(answer, self.local["A"], compare_with=self.local["B"])


@cache
def context() -> Context:
    exp = kit.Experiment(seed=42, model="logistic", epochs=20)
    splits = kit.split_cohort(exp.cohort(), exp.test_fraction, exp.seed)
    return Context(exp, splits, kit.fit_local(splits, exp))


def _weights(c: Context) -> pd.Series:
    return c.errors() + pd.Series(kit.TRUE_COEFFICIENTS)[list(kit.FEATURE_NAMES)]


RIGHT = {
    "2.1": lambda c: c.brier(c.squared().mean()),
    "2.2": lambda c: c.mlp(c.mlp_auroc()),
    "2.3": lambda c: c.percentiles(2.5, 97.5),
    "2.4": lambda c: c.subgroups(c.by_sex()),
    "2.5": lambda c: c.worst(c.errors().abs().idxmax()),
}

WRONG = [
    # 2.1 the Brier score by hand
    Wrong("2.1", "Site A's model on Site A's test patients", lambda c: c.brier(
        c.squared("A", model="A").mean()), "not the Brier score of this model", "review"),
    Wrong("2.1", "0.145 read from the lesson's table", lambda c: c.brier(
        round(float(c.squared().mean()), 3)), "rounded", "review"),
    Wrong("2.1", "a square root", lambda c: c.brier(c.squared().mean() ** 0.5), "square root"),
    Wrong("2.1", "the sum, not the mean", lambda c: c.brier(c.squared().sum()), "sum"),
    Wrong("2.1", "the training patients", lambda c: c.brier(c.squared(part="train").mean()),
          "training patients"),
    Wrong("2.1", "text for a number", lambda c: c.brier("0.1452"), "not a number"),
    # 2.2 a small neural network
    Wrong("2.2", "the MLP trained on Site B", lambda c: c.mlp(c.mlp_auroc(train_site="B")),
          "not the AUROC this MLP reaches", "review"),
    Wrong("2.2", "40 epochs", lambda c: c.mlp(c.mlp_auroc(epochs=40)), "epochs", "review"),
    Wrong("2.2", "the logistic model's AUROC", lambda c: c.mlp(
        kit.evaluate(c.local["A"], c.splits["A"].test)["auroc"]), "logistic regression's"),
    Wrong("2.2", "measured on the training patients", lambda c: c.mlp(c.mlp_auroc(on="train")),
          "training patients"),
    Wrong("2.2", "another seed", lambda c: c.mlp(c.mlp_auroc(seed=7)), "seed"),
    # 2.3 how sure can Site A be?
    Wrong("2.3", "a 90 % interval (5th and 95th percentiles)", lambda c: c.percentiles(5, 95),
          "90 % interval", "review"),
    Wrong("2.3", "(0.430, 0.821) typed from the lesson, no resamples", lambda c: c.interval(
        (0.430, 0.821), []), "no resampled aurocs", "review"),
    Wrong("2.3", "30 resamples", lambda c: c.percentiles(2.5, 97.5, num=30), "asks for 300",
          "review"),
    Wrong("2.3", "mean ± 1.96 standard deviations", lambda c: c.mean_sd(1.96),
          "mean ± 1.96 standard deviations", "review"),
    Wrong("2.3", "an 80 % interval", lambda c: c.percentiles(10, 90), "80 % interval", "review"),
    Wrong("2.3", "half-size resamples", lambda c: c.percentiles(2.5, 97.5, size=0.5),
          "spread more", "review"),
    Wrong("2.3", "outcomes and risks resampled apart", lambda c: c.percentiles(
        2.5, 97.5, apart=True), "outcome and predicted risk together", "review"),
    Wrong("2.3", "mean ± 1 standard deviation", lambda c: c.mean_sd(1), "mean ± 1 standard",
          "review"),
    Wrong("2.3", "resamples of the training patients", lambda c: c.percentiles(
        2.5, 97.5, part="train"), "test patients (not its training", "review"),
    Wrong("2.3", "resamples without replacement", lambda c: c.percentiles(
        2.5, 97.5, replace_=False), "no width"),
    Wrong("2.3", "the percentiles rounded", lambda c: c.interval(
        tuple(round(float(v), 3) for v in np.nanpercentile(c.resamples(), [2.5, 97.5])),
        c.resamples()), "rounded"),
    Wrong("2.3", "(high, low)", lambda c: c.interval(
        tuple(np.nanpercentile(c.resamples(), [97.5, 2.5])), c.resamples()), "low is above"),
    # 2.4 women and men
    Wrong("2.4", "Site A's model", lambda c: c.subgroups(c.by_sex("A")), "this model",
          "review"),
    Wrong("2.4", "the groups swapped", lambda c: c.subgroups(
        {"F": c.by_sex()["M"], "M": c.by_sex()["F"]}), "swapped"),
    Wrong("2.4", "the AUROC of all test patients for women", lambda c: c.subgroups(
        {**c.by_sex(), "F": kit.evaluate(c.local["B"], c.splits["B"].test)["auroc"]}),
        "all test patients"),
    Wrong("2.4", "keys 'women' and 'men'", lambda c: c.subgroups(
        {"women": c.by_sex()["F"], "men": c.by_sex()["M"]}), "keys 'F' and 'M'"),
    Wrong("2.4", "text for a number", lambda c: c.subgroups({**c.by_sex(), "M": "0.81"}),
          "not a number"),
    # 2.5 learned and true effects
    Wrong("2.5", "the largest signed difference", lambda c: c.worst(c.errors().idxmax()),
          "overshoots", "review"),
    Wrong("2.5", "the largest error relative to the true effect", lambda c: c.worst(
        (c.errors().abs() / pd.Series(kit.TRUE_COEFFICIENTS).abs()).idxmax()),
        "share of its true effect", "review"),
    Wrong("2.5", "the largest weight", lambda c: c.worst(_weights(c).abs().idxmax()),
          "largest weight", "review"),
    Wrong("2.5", "the variable closest to the truth", lambda c: c.worst(
        c.errors().abs().idxmin()), "closest"),
    Wrong("2.5", "the furthest of Site B's model", lambda c: c.worst(
        c.errors("B").abs().idxmax()), "in the model local b"),
    Wrong("2.5", "the short name 'prior admissions'", lambda c: c.worst("prior admissions"),
          "not one of the model's variables"),
]


def test_the_tables_cover_every_exercise() -> None:
    assert table_problems(NOTEBOOK, RIGHT, WRONG) == []


@pytest.mark.parametrize("exercise", sorted(RIGHT))
def test_the_solution_is_accepted(exercise: str, capsys: pytest.CaptureFixture[str]) -> None:
    verdict = RIGHT[exercise](context())
    assert_accepted(verdict, capsys.readouterr().out)


def test_aurocs_rounded_as_the_course_prints_them_count(capsys: pytest.CaptureFixture[str]
                                                        ) -> None:
    """2.4 asks for AUROCs, which the course reads at 3 decimals: rounded ones are right."""
    c = context()
    rounded = {g: round(v, 3) for g, v in c.by_sex().items()}
    assert_accepted(c.subgroups(rounded), capsys.readouterr().out)


@pytest.mark.parametrize("wrong", WRONG, ids=lambda w: w.id)
def test_a_wrong_answer_is_refused_and_named(wrong: Wrong,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    verdict = wrong.call(context())
    assert_rejected(wrong, verdict, capsys.readouterr().out,
                    solution_code(NOTEBOOK)[wrong.exercise])
