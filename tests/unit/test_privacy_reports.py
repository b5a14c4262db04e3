"""What lesson 06 prints comes from the kit, in the learner's language, with the right numbers.

Lesson 06's code cells are the same in English and Swedish, so every sentence they show is
printed by one of these functions through ``_()``. Each test checks the numbers printed
against the kit's own computation, and that a Swedish run prints Swedish.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from fedlearn_kit.checks import privacy_defences as check
from fedlearn_kit.privacy import coordinator, defences, secagg
from fedlearn_kit.privacy.defences import BoundCheck, PrivateModel


def _private(epsilon: float = 1.0, delta: float = 1e-5) -> PrivateModel:
    history = [(1.2, 16 / 226, 400)]
    return PrivateModel(name="DP ε=1", net=None, trained_on=("A",),  # type: ignore[arg-type]
                        epsilon=epsilon,
                        delta=delta, noise_multiplier=1.2345, history=history)


def test_the_budget_and_group_privacy_are_printed_with_the_accountants_numbers(english, capsys):
    model = _private()
    defences.report_budget(model, 226)
    out = capsys.readouterr().out
    assert "accountant: 1.23." in out and "ε = 1.00 at δ = 1e-05 (226 patients, 1/n = 4e-03)" in out
    got = defences.report_group_privacy(model, (2, 3))
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 2 and out[0].startswith("2 stays:")
    for k, (eps_k, delta_k, together) in got.items():
        assert (eps_k, delta_k) == defences.group_privacy(1.0, 1e-5, k)
        assert together == defences.patient_epsilon(model.history, 1e-5, k)
        assert f"ε = {eps_k:.2f} at δ = {delta_k:.1e}" in out[k - 2]
        assert f"ε = {together:.2f} at δ = 1e-05" in out[k - 2]
    with pytest.raises(ValueError, match="at least one record"):
        defences.report_budget(model, 0)


def test_a_swedish_run_prints_swedish(swedish, capsys):
    defences.report_budget(_private(), 1)
    defences.report_group_privacy(_private(), (2,))
    out = capsys.readouterr().out
    assert "Förbrukat: ε = 1.00 vid δ = 1e-05 (1 patient, 1/n = 1e+00)." in out
    assert "2 vårdtillfällen: gruppintegritet ger" in out
    assert " stays" not in out


def test_audits_print_their_verdicts_and_reasons(english, capsys):
    defences.report_audits({"DP ε=1": BoundCheck(True, "within.", 0.0, 0.3, 0.025),
                            "vendor": BoundCheck(False, "beyond.", 0.6, 0.1, 0.025)})
    assert capsys.readouterr().out.splitlines() == ["DP ε=1: consistent, within.",
                                                    "vendor: REFUTED, beyond."]


def test_the_audit_reasons_follow_the_language(swedish):
    from fedlearn_kit.privacy.attacks import AttackResult

    rng = np.random.default_rng(0)
    leaky = AttackResult("loss", rng.normal(3, 1, 300), rng.normal(0, 1, 300))
    audit = defences.consistent_with_dp(leaky, 0.05, 1e-5)
    assert not audit.ok and "motbevisat på 2.5 %-nivån" in audit.reason


def test_overfitting_gaps_are_own_minus_future_auroc(english, capsys, monkeypatch):
    scores = {("m", "own"): 0.9, ("m", "future"): 0.7}
    monkeypatch.setattr(defences, "evaluate", lambda m, df: {"auroc": scores[(m, df)]})
    gaps = defences.overfitting_gaps({"no DP": "m"}, "own", "future")  # type: ignore[dict-item]
    assert gaps == {"no DP": pytest.approx(0.2)}
    assert capsys.readouterr().out == ("no DP: AUROC on its own patients minus AUROC on future "
                                       "patients = 0.200.\n")


def test_the_subgroup_summary_adds_the_training_counts_in_the_learners_language(swedish):
    groups = pd.DataFrame({"model": ["no DP", "no DP", "DP", "DP"], "group": ["sex"] * 4,
                           "value": ["F", "M", "F", "M"], "n_train": [30, 40, 30, 40],
                           "auroc": [0.81234, 0.8, 0.6, 0.75]})
    table = defences.subgroup_summary(groups)
    assert list(table.index) == ["no DP", "DP", "träningspatienter (n)"]
    assert table.loc["no DP", ("sex", "F")] == 0.812
    assert list(table.loc["träningspatienter (n)"]) == [30, 40]
    with pytest.raises(ValueError, match="n_train"):
        defences.subgroup_summary(groups.drop(columns="n_train"))


def test_site_and_central_dp_budgets_are_printed_for_both_neighbour_relations(english, capsys):
    site = coordinator.SiteDPRun(result=None, tap=None, noise_multiplier=4.84,  # type: ignore[arg-type]
                               epsilon=4.31, epsilon_zero_out=2.05, delta=1e-5)
    coordinator.report_site_dp(site, rounds=5)
    out = capsys.readouterr().out.splitlines()
    assert out == ["Noise multiplier 4.84 per round, 5 rounds:",
                   "  A site's update replaced by a zero update: ε = 2.05.",
                   "  One patient's record replaced, n fixed (updates 2C apart): ε = 4.31 "
                   "(δ = 1e-05)."]
    central = coordinator.CentralDPRun(result=None, tap=None, noise_multiplier=1.0,  # type: ignore[arg-type]
                                     clipping_norm=0.5, epsilon=30.2, epsilon_per_site=9.1,
                                     delta=1e-5, releases=1)
    coordinator.report_central_dp(central)
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Central DP, noise multiplier 1.0, 1 release; ε from Flower's accountant:"
    assert "ε = 9.10." in out[1] and "ε = 30.20 (δ = 1e-05)" in out[2]
    note = coordinator.site_dp_note(site)
    assert "ε = 4.31 for one patient's record" in note and "ε = 2.05 for the site's" in note
    coordinator.report_facts_saved("fedlearn-facts.json", 8.4, "The attack: …")
    assert capsys.readouterr().out == ("Saved to fedlearn-facts.json: ε = 8.40 for one record "
                                       "replaced. The attack: …\n")


def test_secagg_comparison_reports_the_gap_and_whether_it_is_within_tolerance(english, capsys):
    plain = [{"partition": p, "num_examples": n, "weights": [np.full(2, w)]}
             for p, n, w in ((0, 1, 0.0), (1, 3, 1.0), (2, 4, 2.0))]
    fedavg = (0 * 1 + 1 * 3 + 2 * 4) / 8
    run = secagg.SecAggRun(final=[np.full(2, fedavg + 2e-4)], plain=plain)
    assert secagg.compare_with_fedavg(run) == pytest.approx(2e-4)
    assert capsys.readouterr().out == "The global model equals plain FedAvg to within 0.001.\n"
    run.final = [np.full(2, fedavg + 0.5)]
    assert secagg.compare_with_fedavg(run) == pytest.approx(0.5)
    assert "differs from plain FedAvg by more than 0.001" in capsys.readouterr().out


def test_the_exercise_checks_give_swedish_feedback_and_still_catch_wrong_answers(swedish,
                                                                                   capsys):
    right = defences.epsilon_spent([(1.0, 0.1, 50)], 1e-5)
    assert check.epsilon(right, 1.0, 0.1, 50, 1e-5)
    assert "✅" in (out := capsys.readouterr().out) and "efter 50 steg" in out
    wrong_delta = defences.epsilon_spent([(1.0, 0.1, 50)], 1e-4)
    assert not check.epsilon(wrong_delta, 1.0, 0.1, 50, 1e-5)
    out = capsys.readouterr().out
    assert "är ε vid δ = 0.0001, inte vid δ = 1e-05" in out and "ε-beräkningen" in out
    zero_out = defences.epsilon_spent([(4.0, 1.0, 5)], 1e-5)
    assert not check.patient_epsilon(zero_out, 4.0, 5, 1e-5)
    assert "nolluppdateringen" in capsys.readouterr().out
    assert not check.secure_aggregate("run", 0.0)
    assert "`secure` ska vara" in capsys.readouterr().out
    assert math.isfinite(right)
