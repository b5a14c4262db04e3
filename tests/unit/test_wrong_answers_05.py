"""Exercise notebook 05: each check accepts the solution and refuses the wrong answers below,
naming the mistake (the pattern: tests/unit/wrong_answers.py)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd
import pytest
import torch

import fedlearn_kit as kit
from fedlearn_kit.checks import what_leaks as check
from fedlearn_kit.privacy import attacks, coordinator, evidence
from tests.unit.wrong_answers import (
    Wrong,
    assert_accepted,
    assert_rejected,
    solution_code,
    table_problems,
)

NOTEBOOK = "05_what_leaks.ipynb"


@dataclass
class Context:
    """What solutions/05 has computed when the learner reaches each check."""

    splits: dict[str, kit.Split]
    future: kit.Cohort
    population: kit.Cohort
    target_exp: kit.Experiment
    target: kit.TrainedModel
    result: attacks.AttackResult
    shadows: list[attacks.ShadowModel]
    compared: dict[str, attacks.AttackResult]
    run: object
    tap: coordinator.CoordinatorTap
    patient: pd.DataFrame
    before: torch.nn.Module
    after: torch.nn.Module

    @property
    def members(self) -> pd.DataFrame:
        return self.splits["A"].train

    @property
    def non_members(self) -> pd.DataFrame:
        return self.future["A"]

    def lira(self, shadows: list, answer: object = None) -> object:
        lira = (attacks.lira_attack(self.target, self.members, self.non_members, shadows)
                if answer is None else answer)
        return check.lira(lira, self.target, self.members, self.non_members, shadows)

    def cheap_shadows(self, population: pd.DataFrame, count: int = 4,
                      size: int | None = None, model: str = "logistic") -> list:
        shadow_exp = kit.Experiment(model=model, hidden=64, epochs=1, batch_size=16, seed=42)
        return attacks.shadow_models(population, shadow_exp, num_shadow=count,
                                     train_size=size or len(self.members))

    def p_values(self) -> dict[str, float]:
        return {n: evidence.evidence(r).advantage_p_value for n, r in self.compared.items()}

    def recovered(self, own: int, sizes: tuple[str, str]) -> dict:
        counts = {s: len(split.train) for s, split in self.splits.items()}
        return attacks.recover_partner_update(self.run.state_dict, self.tap.site_model(3, own),
                                              own_examples=counts[sizes[0]],
                                              partner_examples=counts[sizes[1]])

    def x_hat(self) -> torch.Tensor:
        d_w = (self.after.linear.weight - self.before.linear.weight).detach()[0]
        d_b = (self.after.linear.bias - self.before.linear.bias).detach()[0]
        return d_w / d_b

    def anonymity(self, **changed: object) -> object:
        found = evidence.evidence(self.result)
        error = attacks.reconstruction_error(self.x_hat(), self.patient)
        answer = {"attacks_tried": ["loss threshold", "LiRA", "reconstruction from an update"],
                  "leaks_beyond_chance": found.leaks_beyond_chance,
                  "single_record_update_readable": error < 1e-3,
                  "means_reasonably_likely": True, "conclusion": "personal data",
                  "reason": "The loss attack finds members beyond chance and a one-patient "
                            "update gives the record back."}
        answer.update(changed)
        return check.anonymity_test({k: v for k, v in answer.items() if v is not _DROP},
                                    found, error)


_DROP = object()


@cache
def context() -> Context:
    exp = kit.Experiment(seed=42, model="mlp", num_rounds=3)
    cohort = exp.cohort()
    splits = kit.split_cohort(cohort, exp.test_fraction, exp.seed)
    future = kit.future_patients(cohort, 2000)
    population = kit.future_patients(cohort, 2000, stream=2)
    # The notebook trains 100 epochs; 20 name the same slips in a fraction of the time.
    target_exp = kit.Experiment(model="mlp", hidden=64, epochs=20, batch_size=16, seed=42)
    members, non_members = splits["A"].train, future["A"]
    target = kit.fit(members, target_exp, "target")
    result = attacks.loss_attack(target, members, non_members)
    shadows = attacks.shadow_models(population["A"], target_exp, num_shadow=4,
                                    train_size=len(members))
    run, tap = coordinator.run_tapped(exp)
    update_a = kit.new_net(kit.Experiment(model="mlp"), seed=0)
    update_a.load_state_dict(tap.site_model(3, 0))
    pooled = attacks.training_rows(splits)
    compared = {"local A, over-fitted": result,
                "site A update, last round": attacks.loss_attack(update_a, members, non_members),
                "federated global model": attacks.loss_attack(run.model(), members, non_members),
                "central model": attacks.loss_attack(
                    kit.fit_central(splits, kit.Experiment(seed=42)), pooled,
                    attacks.matching_non_members(pooled, future, ratio=1))}
    patient = splits["A"].train.iloc[[5]]
    before, after = attacks.local_update(patient, model="logistic", local_epochs=3)
    return Context(splits, future, population, target_exp, target, result, shadows, compared, run,
                   tap, patient, before, after)


def _holm(c: Context) -> dict[str, bool]:
    p = c.p_values()
    return {n: bool(q <= 0.05) for n, q in zip(p, evidence.holm(list(p.values())), strict=True)}


RIGHT = {
    "5.1": lambda c: check.advantage(np.max(c.result.tpr - c.result.fpr), c.result),
    "5.2": lambda c: check.tpr_at_fpr(c.result.tpr[c.result.fpr <= 0.01].max(), c.result),
    "5.3": lambda c: c.lira(c.shadows),
    "5.4": lambda c: check.beyond_chance(_holm(c), c.compared),
    "5.5": lambda c: check.partner_update(c.recovered(1, ("B", "A")), c.tap.site_model(3, 0)),
    "5.6": lambda c: check.reconstruction(c.x_hat(), c.patient),
    "5.7": lambda c: c.anonymity(),
}

WRONG = [
    # 5.1 membership advantage
    Wrong("5.1", "the largest TPR alone", lambda c: check.advantage(
        np.max(c.result.tpr), c.result), "largest TPR alone"),
    Wrong("5.1", "FPR - TPR", lambda c: check.advantage(
        np.max(c.result.fpr - c.result.tpr), c.result), "wrong way round"),
    Wrong("5.1", "AUC - 0.5", lambda c: check.advantage(c.result.auc - 0.5, c.result),
          "largest TPR - FPR", "review"),
    Wrong("5.1", "the mean of TPR - FPR", lambda c: check.advantage(
        np.mean(c.result.tpr - c.result.fpr), c.result), "mean"),
    # 5.2 TPR at 1 % FPR
    Wrong("5.2", "the number of members found", lambda c: check.tpr_at_fpr(
        round(c.result.tpr_at(0.01) * len(c.members)), c.result), "number of members found"),
    Wrong("5.2", "a percentage", lambda c: check.tpr_at_fpr(
        100 * c.result.tpr_at(0.01), c.result), "percentage"),
    Wrong("5.2", "the TPR at 0.1 % FPR", lambda c: check.tpr_at_fpr(
        c.result.tpr_at(0.001), c.result), "at most 0.01"),
    # 5.3 LiRA with shadow models
    Wrong("5.3", "shadows trained on Site B's population", lambda c: c.lira(
        c.cheap_shadows(c.population["B"])), "Site B", "review"),
    Wrong("5.3", "2 logistic shadows of 50 patients", lambda c: c.lira(
        c.cheap_shadows(c.population["A"], count=2, size=50)), "asks for 4", "review"),
    Wrong("5.3", "shadows trained on the members themselves", lambda c: c.lira(
        c.cheap_shadows(c.members)), "own members", "review"),
    Wrong("5.3", "shadows trained on the non-members", lambda c: c.lira(
        c.cheap_shadows(c.non_members)), "candidates"),
    Wrong("5.3", "shadows of another size", lambda c: c.lira(
        c.cheap_shadows(c.population["A"], size=100)), "train_size"),
    Wrong("5.3", "logistic shadows for an MLP target", lambda c: c.lira(
        c.cheap_shadows(c.population["A"])), "target's kind"),
    Wrong("5.3", "the loss attack handed in as LiRA", lambda c: c.lira(c.shadows, c.result),
          "not LiRA's scores"),
    # 5.4 which models leak beyond chance
    Wrong("5.4", "unadjusted p-values at most 0.05", lambda c: check.beyond_chance(
        {n: p <= 0.05 for n, p in c.p_values().items()}, c.compared), "evidence.holm"),
    Wrong("5.4", "every verdict turned round", lambda c: check.beyond_chance(
        {n: not v for n, v in _holm(c).items()}, c.compared), "turned round"),
    Wrong("5.4", '"yes"/"no" for True/False', lambda c: check.beyond_chance(
        {n: "yes" if v else "no" for n, v in _holm(c).items()}, c.compared), "without quotes"),
    Wrong("5.4", "a list instead of a dict", lambda c: check.beyond_chance(
        list(_holm(c).values()), c.compared), "one True/False per model"),
    # 5.5 be Site B
    Wrong("5.5", "the sizes swapped", lambda c: check.partner_update(
        c.recovered(1, ("A", "B")), c.tap.site_model(3, 0)), "which size is whose"),
    Wrong("5.5", "Site A's own model passed as own", lambda c: check.partner_update(
        c.recovered(0, ("B", "A")), c.tap.site_model(3, 0)), "your own site's model"),
    Wrong("5.5", "a list of arrays", lambda c: check.partner_update(
        list(c.recovered(1, ("B", "A")).values()), c.tap.site_model(3, 0)), "same keys"),
    # 5.6 a record from an update
    Wrong("5.6", "the sign flipped", lambda c: check.reconstruction(-c.x_hat(), c.patient),
          "sign"),
    Wrong("5.6", "the division upside down", lambda c: check.reconstruction(
        1 / c.x_hat(), c.patient), "upside down"),
    Wrong("5.6", "the model instead of the record", lambda c: check.reconstruction(
        c.after, c.patient), "a model"),
    Wrong("5.6", "the weights divided by the bias, not their change", lambda c:
          check.reconstruction(c.after.linear.weight.detach()[0] / c.after.linear.bias.detach()[0],
                               c.patient), "change"),
    # 5.7 the anonymity test
    Wrong("5.7", 'leaks_beyond_chance = "no" (a truthy string)', lambda c: c.anonymity(
        leaks_beyond_chance="no"), "without quotes", "review"),
    Wrong("5.7", "a reason contradicting the conclusion, attacks 'a' and 'b'", lambda c:
          c.anonymity(attacks_tried=["a", "b"], reason="The model is anonymous because no "
                      "attack found any member at all."), "do not name an attack", "review"),
    Wrong("5.7", "a reason contradicting the conclusion", lambda c: c.anonymity(
        reason="The model is anonymous because no attack found any member at all."),
        "argues that the model is safe", "review"),
    Wrong("5.7", "only conclusion and reason", lambda c: check.anonymity_test(
        {"conclusion": "personal data", "reason": "It leaks."}, evidence.evidence(c.result),
        0.0), "lacks", "review"),
    Wrong("5.7", "conclusion anonymous", lambda c: c.anonymity(conclusion="anonymous"),
          "not 'anonymous'"),
    Wrong("5.7", "means not reasonably likely", lambda c: c.anonymity(
        means_reasonably_likely=False), "Recital 26"),
    Wrong("5.7", "one attack as a string", lambda c: c.anonymity(attacks_tried="LiRA"),
          "list of at least two"),
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
