"""Exercise notebook 06: each check accepts the solution and refuses the wrong answers below,
naming the mistake (the pattern: tests/unit/wrong_answers.py).

Exercise 6.2 audits three claims (two DP models and a vendor's ε = 0.05 on a model without DP,
lesson 05's over-fitted network, which the attack refutes), so that ``within`` is tested at
all; its rows hold the review's wrong answers (``within`` hard-coded, the wrong way round,
as words). ``within`` from the held-out advantage is not among them: on these data it
gives the same verdicts.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd
import pytest

import fedlearn_kit as kit
from fedlearn_kit.checks import privacy_defences as check
from fedlearn_kit.privacy import attacks, defences, secagg
from tests.unit.wrong_answers import (
    Wrong,
    assert_accepted,
    assert_rejected,
    solution_code,
    table_problems,
)

NOTEBOOK = "06_privacy_defences.ipynb"
#: Exercises whose rows wait for another branch's merge (see the module's docstring).
PENDING: tuple[str, ...] = ()
#: 6.1's run, 6.4's settings: as in solutions/06.
SIGMA, RATE, STEPS, DELTA = 1.5, 0.05, 600, 1e-5
C, EPS_ROUND = 0.5, 1.0
NOISE, ROUNDS = 4.84, 5
DP = "DP ε=0.5"


@dataclass
class Context:
    """What solutions/06 has computed when the learner reaches each check."""

    groups: pd.DataFrame
    secure: secagg.SecAggRun
    claims: pd.DataFrame

    def bounds(self, convert: bool = True) -> list[float]:
        """6.2's advantage bound per claim; ``convert=False`` skips the replace-one step.

        (Leaving δ out is not a wrong answer here: at δ = 1e-5 it moves a bound by 4e-5.)
        """
        eps, delta = self.claims.epsilon, self.claims.delta
        if convert:
            eps, delta = 2 * eps, (1 + np.exp(eps)) * delta
        return list((np.expm1(eps) + 2 * delta) / (np.exp(eps) + 1))

    def within(self) -> list[bool]:
        return [bool(x <= b) for x, b in zip(self.claims.ci_low, self.bounds(), strict=True)]

    def eps(self, answer: object) -> object:
        return check.epsilon(answer, noise_multiplier=SIGMA, sample_rate=RATE, steps=STEPS,
                             delta=DELTA)

    def drops(self, sign: float = 1.0) -> pd.Series:
        table = self.groups.pivot_table(index=["group", "value"], columns="model",
                                        values="auroc")
        return sign * (table["no DP"] - table[DP])

    def gap(self, reference: list[np.ndarray]) -> float:
        return max(float(np.abs(a - b).max())
                   for a, b in zip(self.secure.final, reference, strict=True))


@cache
def context() -> Context:
    exp = kit.Experiment(seed=42)
    splits = kit.split_cohort(exp.cohort(), exp.test_fraction, exp.seed)
    future = kit.future_patients(exp.cohort(), 2000)
    dp_exp = kit.Experiment(epochs=30, batch_size=16, seed=42)
    curve = defences.privacy_utility(splits["A"].train, future, dp_exp, (0.5, 2.0, None),
                                     non_member_ratio=4, seed=42, reproducible=True)
    groups = defences.subgroup_table(curve.models, future["A"], trained_on=splits["A"].train)
    secure = secagg.run_secagg(kit.Experiment(seed=42, num_sites=3, num_rounds=1))
    members = splits["A"].train
    non_members = attacks.matching_non_members(members, future, ratio=4, seed=42)
    vendor = "vendor, claimed ε=0.05"
    overfitted = kit.Experiment(model="mlp", hidden=64, epochs=200, seed=42)  # lesson 05's MLP
    claims = defences.audit_table({"DP ε=0.5": curve.model("DP ε=0.5"),
                                   "DP ε=2": curve.model("DP ε=2"),
                                   vendor: kit.fit(members, overfitted, vendor)},
                                  members, non_members, claimed={vendor: 0.05})
    return Context(groups, secure, claims)


def _site_dp(train_mods: list[object] | None = None, evaluate_mods: list[object] | None = None
             ) -> object:
    """A learner's ClientApp: the course app's handlers with the given mods."""
    from flwr.clientapp import ClientApp

    from fedlearn_app import client_app

    app = ClientApp()
    app.train(mods=train_mods or [])(client_app.train)
    app.evaluate(mods=evaluate_mods or [])(client_app.evaluate)
    return app


def _local_dp(clipping: float = C, epsilon: float = EPS_ROUND) -> object:
    from flwr.clientapp.mod import LocalDpMod

    return LocalDpMod(clipping, clipping, epsilon, DELTA)


def _dp_app(app: object) -> object:
    return check.site_dp_app(app, C, EPS_ROUND, DELTA)


def _patient(answer: object) -> object:
    return check.patient_epsilon(answer, NOISE, ROUNDS, DELTA)


def _spent(sigma: float, rate: float, steps: int, delta: float = DELTA) -> float:
    return defences.epsilon_spent([(sigma, rate, steps)], delta)


RIGHT = {
    "6.1": lambda c: c.eps(_spent(SIGMA, RATE, STEPS)),
    "6.2": lambda c: check.bounds(c.bounds(), c.within(), c.claims),
    "6.3": lambda c: check.largest_drop(c.drops().idxmax()[1], c.groups, DP),
    "6.4": lambda c: _dp_app(_site_dp([_local_dp()])) and _patient(
        _spent(NOISE / 2, 1.0, ROUNDS)),
    "6.5": lambda c: check.secure_aggregate(c.secure, c.gap(secagg.plain_fedavg(c.secure, 1))),
}

WRONG = [
    # 6.1 ask the accountant
    Wrong("6.1", "one epoch's ε times 30", lambda c: c.eps(
        30 * _spent(SIGMA, RATE, round(1 / RATE))), "not what the rdp accountant reports",
        "review"),
    Wrong("6.1", "δ = 1e-4", lambda c: c.eps(_spent(SIGMA, RATE, STEPS, 1e-4)),
          "δ = 0.0001"),
    Wrong("6.1", "one epoch's steps", lambda c: c.eps(_spent(SIGMA, RATE, round(1 / RATE))),
          "one epoch's steps"),
    Wrong("6.1", "every patient in every step", lambda c: c.eps(_spent(SIGMA, 1.0, STEPS)),
          "without sampling"),
    # 6.2 audit the claims
    Wrong("6.2", "Yeom's e^ε − 1", lambda c: check.bounds(
        list(np.expm1(c.claims.epsilon)), c.within(), c.claims), "yeom's e^ε − 1"),
    Wrong("6.2", "the claimed ε used as replace-one", lambda c: check.bounds(
        c.bounds(convert=False), c.within(), c.claims), "uses the claimed ε directly"),
    Wrong("6.2", "bounds as text", lambda c: check.bounds(
        str(c.bounds()), c.within(), c.claims), "one bound (a number) per claim"),
    Wrong("6.2", "one bound too few", lambda c: check.bounds(
        c.bounds()[:-1], c.within(), c.claims), "expected 3 bounds"),
    Wrong("6.2", "within the wrong way round (bound below ci_low)", lambda c: check.bounds(
        c.bounds(), [not w for w in c.within()], c.claims), "`within` is not"),
    Wrong("6.2", "within for two of the three claims", lambda c: check.bounds(
        c.bounds(), c.within()[:2], c.claims), "should hold 3 values"),
    Wrong("6.2", "within hard-coded: every claim holds", lambda c: check.bounds(
        c.bounds(), [True] * len(c.claims), c.claims), "`within` is not", "review"),
    Wrong("6.2", "within as the words 'yes'/'no'", lambda c: check.bounds(
        c.bounds(), ["yes" if w else "no" for w in c.within()], c.claims),
          "not true or false"),
    # 6.3 who pays
    Wrong("6.3", "the group that gains most", lambda c: check.largest_drop(
        c.drops(-1.0).idxmax()[1], c.groups, DP), "gains most, not loses most"),
    Wrong("6.3", "the group with the lowest AUROC under DP", lambda c: check.largest_drop(
        c.groups[c.groups["model"] == DP].set_index("value")["auroc"].idxmin(), c.groups, DP),
          "not the group with the largest drop", "review"),
    Wrong("6.3", "the group's name, not its value", lambda c: check.largest_drop(
        c.drops().idxmax()[0], c.groups, DP), "not the group with the largest drop"),
    # 6.4 site-level DP: the app, then ε for one patient
    Wrong("6.4", "the app without LocalDpMod", lambda c: _dp_app(_site_dp()),
          "no noise was added"),
    Wrong("6.4", "LocalDpMod with ε per round 2", lambda c: _dp_app(
        _site_dp([_local_dp(epsilon=2.0)])), "not that of localdpmod"),
    Wrong("6.4", "a handler function, not a ClientApp", lambda c: _dp_app(print),
          "expected a flwr.clientapp.clientapp"),
    Wrong("6.4", "the zero-out ε for one patient", lambda c: _patient(
        _spent(NOISE, 1.0, ROUNDS)), "zero-out ε", "review"),
    Wrong("6.4", "the noise doubled, not halved", lambda c: _patient(
        _spent(NOISE * 2, 1.0, ROUNDS)), "doubled instead of halved"),
    Wrong("6.4", "the rounds' ε added up", lambda c: _patient(
        ROUNDS * _spent(NOISE / 2, 1.0, 1)), "adds up the rounds"),
    # 6.5 SecAgg+
    Wrong("6.5", "the masked updates, not the run", lambda c: check.secure_aggregate(
        c.secure.masked, 0.0), "should be what secagg.run_secagg returns"),
    Wrong("6.5", "the gap to the first site's update", lambda c: check.secure_aggregate(
        c.secure, 1.0), "is not the largest difference"),
    Wrong("6.5", "the gap as text", lambda c: check.secure_aggregate(
        c.secure, str(c.gap(secagg.plain_fedavg(c.secure, 1)))),
          "is not the largest difference"),
]


def test_the_tables_cover_every_exercise_but_the_pending_ones() -> None:
    problems = table_problems(NOTEBOOK, RIGHT, WRONG)
    assert [p for p in problems if not p.startswith(tuple(f"exercise {e} " for e in PENDING))
            ] == []


@pytest.mark.parametrize("exercise", sorted(RIGHT))
def test_the_solution_is_accepted(exercise: str, capsys: pytest.CaptureFixture[str]) -> None:
    c = context()
    capsys.readouterr()  # the classroom-noise notice of building the context
    verdict = RIGHT[exercise](c)
    assert_accepted(verdict, capsys.readouterr().out)


@pytest.mark.parametrize("wrong", WRONG, ids=lambda w: w.id)
def test_a_wrong_answer_is_refused_and_named(wrong: Wrong,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    c = context()
    capsys.readouterr()
    verdict = wrong.call(c)
    assert_rejected(wrong, verdict, capsys.readouterr().out,
                    solution_code(NOTEBOOK)[wrong.exercise])
