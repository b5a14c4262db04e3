"""The exercise checks of lessons 05 and 06 accept right answers and explain wrong ones."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

import fedlearn_kit as kit
from fedlearn_app.task import to_tensors
from fedlearn_kit.checks import privacy_defences, what_leaks
from fedlearn_kit.privacy import attacks, defences, evidence


def _result():
    rng = np.random.default_rng(1)
    return attacks.AttackResult("x", rng.normal(0.5, 1, 200), rng.normal(0, 1, 400))


def test_advantage_and_tpr_checks_diagnose_and_give_no_code_away(capsys):
    r = _result()
    assert what_leaks.advantage(np.max(r.tpr - r.fpr), r)
    assert not what_leaks.advantage(np.max(r.tpr), r)
    assert not what_leaks.advantage(np.max(r.fpr - r.tpr), r)
    assert "wrong way round" in capsys.readouterr().out
    assert not what_leaks.advantage(np.float64(0.123456789), r)
    out = capsys.readouterr().out
    assert "np.float64" not in out and "0.1235" in out and "np.max" not in out
    assert what_leaks.tpr_at_fpr(r.tpr[r.fpr <= 0.01].max(), r)
    assert not what_leaks.tpr_at_fpr(0.5, r)
    assert "Hint" in capsys.readouterr().out


def test_partner_update_and_reconstruction_checks_name_the_mistake(capsys):
    truth = {"w": torch.ones(2, 3), "b": torch.zeros(2)}
    assert what_leaks.partner_update({k: v.numpy() for k, v in truth.items()}, truth)
    assert not what_leaks.partner_update({"w": np.zeros((2, 3)), "b": np.zeros(2)}, truth)
    assert not what_leaks.partner_update([1, 2], truth)
    patient = kit.generate(1, seed=2, patients_per_site=60)["A"].iloc[[0]]
    x = to_tensors(patient)[0][0].double()
    assert what_leaks.reconstruction(x, patient)
    capsys.readouterr()
    for wrong, words in ((-x, "sign"), (1 / x, "upside down"), (0.3 * x, "proportional"),
                         (x[:3], "one per feature"), (torch.nn.Linear(2, 1), "a model")):
        assert not what_leaks.reconstruction(wrong, patient)
        assert words in capsys.readouterr().out


def test_beyond_chance_and_anonymity_test_checks(capsys):
    rng = np.random.default_rng(2)
    results = {"leaky": attacks.AttackResult("a", rng.normal(1, 1, 200), rng.normal(0, 1, 800)),
               "blind": attacks.AttackResult("b", rng.normal(0, 1, 200), rng.normal(0, 1, 800))}
    assert what_leaks.beyond_chance({"leaky": True, "blind": False}, results)
    assert not what_leaks.beyond_chance({"leaky": True, "blind": True}, results)
    assert not what_leaks.beyond_chance({"leaky": False, "blind": True}, results)
    assert "turned round" in capsys.readouterr().out
    assert not what_leaks.beyond_chance({"leaky": "yes", "blind": "no"}, results)
    assert "without quotes" in capsys.readouterr().out
    assert not what_leaks.beyond_chance([True, False], results)
    found = evidence.evidence(results["leaky"])
    answer = {"attacks_tried": ["loss threshold", "LiRA"], "leaks_beyond_chance": True,
              "single_record_update_readable": True, "means_reasonably_likely": True,
              "conclusion": "personal data",
              "reason": "The attack finds members beyond chance with means every site has."}
    assert what_leaks.anonymity_test(answer, found, 0.0)
    assert not what_leaks.anonymity_test({**answer, "conclusion": "anonymous"}, found, 0.0)
    assert not what_leaks.anonymity_test({**answer, "means_reasonably_likely": False}, found, 0.0)
    assert not what_leaks.anonymity_test({**answer, "leaks_beyond_chance": False}, found, 0.0)
    assert not what_leaks.anonymity_test({**answer, "reason": "leaks"}, found, 0.0)
    assert not what_leaks.anonymity_test({k: v for k, v in answer.items() if k != "reason"},
                                         found, 0.0)


def test_epsilon_check_diagnoses_a_wrong_delta_and_steps(capsys):
    expected = defences.epsilon_spent([(1.0, 0.1, 50)], 1e-5)
    assert privacy_defences.epsilon(expected, 1.0, 0.1, 50, 1e-5)
    assert not privacy_defences.epsilon(defences.epsilon_spent([(1.0, 0.1, 50)], 1e-4),
                                        1.0, 0.1, 50, 1e-5)
    assert "δ = 0.0001" in capsys.readouterr().out
    assert not privacy_defences.epsilon(defences.epsilon_spent([(1.0, 0.1, 10)], 1e-5),
                                        1.0, 0.1, 50, 1e-5)
    assert "one epoch" in capsys.readouterr().out
    assert not privacy_defences.epsilon(expected + 1, 1.0, 0.1, 50, 1e-5)


def test_bound_check_catches_the_loose_and_the_unconverted_bound(capsys):
    claims = pd.DataFrame({"epsilon": [0.5, 2.0, 0.05], "delta": [1e-5] * 3,
                           "held_out_advantage": [0.6, 0.2, 0.3], "ci_low": [0.5, 0.1, 0.2],
                           "ci_high": [0.7, 0.3, 0.4]},
                          index=["DP ε=0.5", "DP ε=2", "vendor, claimed ε=0.05"])
    right = [defences.advantage_bound(e, 1e-5) for e in (0.5, 2.0, 0.05)]
    assert privacy_defences.bounds(right, [False, True, False], claims)
    assert "refuted: DP ε=0.5, vendor" in capsys.readouterr().out
    assert not privacy_defences.bounds(right, [True, True, True], claims)
    assert not privacy_defences.bounds(list(np.expm1([0.5, 2.0, 0.05])), [True] * 3, claims)
    assert "Yeom" in capsys.readouterr().out
    unconverted = [defences.advantage_bound(e, 1e-5, "replace-one") for e in (0.5, 2.0, 0.05)]
    assert not privacy_defences.bounds(unconverted, [False, True, False], claims)
    assert "replaces a record" in capsys.readouterr().out
    assert not privacy_defences.bounds(right[:1], [True], claims)
    assert not privacy_defences.bounds(right, ["False", "True", "False"], claims)
    assert "True or False" in capsys.readouterr().out


def test_subgroup_patient_epsilon_and_secagg_checks(capsys):
    groups = pd.DataFrame({"model": ["no DP", "no DP", "DP", "DP"],
                           "group": ["sex"] * 4, "value": ["F", "M", "F", "M"],
                           "n": [10, 12, 10, 12], "auroc": [0.8, 0.8, 0.6, 0.75]})
    assert privacy_defences.largest_drop("F", groups, "DP")
    assert "10 of these patients" in capsys.readouterr().out
    assert not privacy_defences.largest_drop("M", groups, "DP")
    right = defences.epsilon_spent([(2.0, 1.0, 5)], 1e-5)
    assert privacy_defences.patient_epsilon(right, 4.0, 5, 1e-5)
    assert not privacy_defences.patient_epsilon(defences.epsilon_spent([(4.0, 1.0, 5)], 1e-5),
                                                4.0, 5, 1e-5)
    assert "zero-out" in capsys.readouterr().out
    assert not privacy_defences.secure_aggregate("run", 0.0)


@pytest.mark.parametrize("answer", [None, "0.3", [0.1]])
def test_checks_never_crash_on_odd_answers(answer):
    r = _result()
    assert not what_leaks.advantage(answer, r)
    assert not privacy_defences.patient_epsilon(answer, 4.0, 5, 1e-5)


def test_beyond_chance_names_the_interval_rule_when_it_disagrees_with_the_test(capsys):
    """Exercise 5.4 on data where a model leaks by the test but its held-out interval reaches
    below zero, as the lesson-02 model does (on the notebook's own data the two rules agree)."""
    rng = np.random.default_rng(1)
    results = {"clear": attacks.AttackResult("a", rng.normal(1, 1, 200), rng.normal(0, 1, 800)),
               "faint": attacks.AttackResult("f", rng.normal(0.3, 1, 226), rng.normal(0, 1, 2000)),
               "blind": attacks.AttackResult("b", rng.normal(0, 1, 200), rng.normal(0, 1, 800))}
    assert evidence.evidence(results["faint"]).held_out_advantage_ci[0] < 0
    assert what_leaks.beyond_chance({"clear": True, "faint": True, "blind": False}, results)
    capsys.readouterr()
    assert not what_leaks.beyond_chance({"clear": True, "faint": False, "blind": False}, results)
    out = capsys.readouterr().out
    assert "interval rule" in out and "not evidence of no leakage" in out


def test_site_dp_app_accepts_flowers_mod_on_training_only(capsys) -> None:
    from flwr.clientapp import ClientApp
    from flwr.clientapp.mod import LocalDpMod

    from fedlearn_app import client_app
    from fedlearn_kit.checks import privacy_defences as dp_check

    def built(train_mods=(), mods=()):
        app = ClientApp(mods=list(mods))
        app.train(mods=list(train_mods))(client_app.train)
        app.evaluate()(client_app.evaluate)
        return app

    right = LocalDpMod(0.5, 0.5, 1.0, 1e-5)
    assert dp_check.site_dp_app(built([right]), 0.5, 1.0, 1e-5)
    assert not dp_check.site_dp_app(built(), 0.5, 1.0, 1e-5)
    assert "no noise was added" in capsys.readouterr().out
    assert not dp_check.site_dp_app(built([LocalDpMod(0.5, 0.5, 2.0, 1e-5)]), 0.5, 1.0, 1e-5)
    assert "not that of LocalDpMod" in capsys.readouterr().out
    assert not dp_check.site_dp_app(built(mods=[right]), 0.5, 1.0, 1e-5)  # on evaluate too
    assert "did not run" in capsys.readouterr().out
    assert not dp_check.site_dp_app("an app", 0.5, 1.0, 1e-5)
