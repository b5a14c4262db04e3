"""The privacy lessons' facts for the DPIA carry the test's p-value, the adjacency the budget
holds for, and the mechanism's bound beside the (ε, δ) bound."""

from __future__ import annotations

import numpy as np
import pytest

import fedlearn_kit as kit
from fedlearn_kit import gdpr
from fedlearn_kit.gdpr.facts import FactsError, MeasuredFacts
from fedlearn_kit.privacy import accounting, attacks, evidence


def test_attack_facts_carry_the_p_value_and_the_dpia_reads_the_verdict_from_it(tmp_path):
    rng = np.random.default_rng(0)
    found = evidence.evidence(attacks.AttackResult("loss threshold", rng.normal(0.4, 1, 226),
                                                   rng.normal(size=2000)), num_permutations=199)
    facts = found.facts()
    assert facts["advantage_p_value"] == pytest.approx(found.advantage_p_value, abs=1e-4)
    assert facts["best_threshold_advantage"] == pytest.approx(found.advantage, abs=1e-4)
    path = gdpr.record_facts("what_leaks", kit.Experiment(), tmp_path / "facts.json", **facts)
    loaded = gdpr.load_facts(path)
    (measured,) = loaded.attacks
    assert measured.advantage_p_value == facts["advantage_p_value"]
    risks = gdpr.dpia_draft({}, loaded).markdown(["risks"])
    assert "better than chance" in risks and f"p = {facts['advantage_p_value']:.3g}" in risks


def test_dp_facts_name_replace_one_and_both_bounds():
    history = [(1.0, 1 / 15, 150)]  # the federated Site A of lesson 06
    facts = accounting.budget_facts(history, 1e-5)
    assert facts["adjacency"] == "replace-one"
    assert facts["epsilon"] == pytest.approx(accounting.replace_one_epsilon(history, 1e-5),
                                             abs=1e-4)
    assert facts["mechanism_advantage_bound"] == pytest.approx(0.590, abs=2e-3)
    assert facts["mechanism_advantage_bound"] <= facts["advantage_bound"] <= 1
    (k2, eps2, d2), (k3, eps3, d3) = facts["group_budgets"]
    assert (k2, k3) == (2, 3) and eps3 == pytest.approx(3 * facts["epsilon"], abs=1e-3)
    assert d3 > 1  # the review's E06.5: at this budget three stays are not covered at all
    measured = MeasuredFacts(section="privacy_defences", dp_level="record", **facts)
    assert measured.values()["group_budgets"][0][0] == 2


@pytest.mark.parametrize(("change", "message"), [
    ({"advantage_p_value": 0.0}, "never 0"),
    ({"advantage_p_value": 1.5}, "advantage_p_value must be in"),
    ({"mechanism_advantage_bound": 0.9, "advantage_bound": 0.5}, "must not exceed"),
    ({"group_budgets": [[1, 1.0, 1e-5]]}, "group_budgets must be"),
    ({"group_budgets": [[2, 2.0]]}, "group_budgets must be"),
])
def test_inconsistent_privacy_facts_are_refused(change, message):
    with pytest.raises(FactsError, match=message):
        MeasuredFacts(section="x", epsilon=1.0, delta=1e-5, **change)


def test_the_cards_figures_are_the_accountants():
    """Card privacy_defences.enough quotes the mechanism's bound for lesson 06's runs (q = 1/15,
    450 steps, σ for ε = 1 and 2) and card privacy_defences.epsilon the group-privacy δ."""
    enough = gdpr.card_by_id("privacy_defences.enough")
    for target, pair, mechanism in ((1.0, "0.76", "0.19"), (2.0, "0.96", "0.34")):
        sigma = accounting.noise_for_epsilon(target, 1e-5, 1 / 15, 450)
        history = [(sigma, 1 / 15, 450)]
        eps = accounting.epsilon_spent(history, 1e-5)
        assert f"{accounting.advantage_bound(eps, 1e-5):.2f}" == pair
        assert f"{accounting.mechanism_advantage_bound(history):.2f}" == mechanism
        for lang, text in (("en", f"{mechanism} instead of {pair}"),
                           ("sv", f"{mechanism} i stället för {pair}".replace(".", ","))):
            assert text in " ".join(enough.text("why", lang).split()), lang
    epsilon = " ".join(gdpr.card_by_id("privacy_defences.epsilon").text("why", "en").split())
    assert f"(2, {accounting.group_privacy(1.0, 1e-5, 2)[1] / 1e-5:.1f}δ)" in epsilon
    assert accounting.group_privacy(6.3, 1e-5, 3)[1] > 1 and "exceeds 1" in epsilon
