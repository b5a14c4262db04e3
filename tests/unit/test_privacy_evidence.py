"""Attack figures with their uncertainty: intervals, held-out thresholds, the blind null."""

from __future__ import annotations

import numpy as np
import pytest

from fedlearn_kit.privacy import attacks, evidence


def test_clopper_pearson_matches_known_intervals():
    low, high = evidence.clopper_pearson(1, 226)  # the review's "1 of 226 members"
    assert low == pytest.approx(0.000112, abs=2e-6) and high == pytest.approx(0.0244, abs=1e-4)
    assert evidence.clopper_pearson(0, 10)[0] == 0.0
    assert evidence.clopper_pearson(10, 10)[1] == 1.0
    assert evidence.clopper_pearson(5, 10) == pytest.approx((0.1871, 0.8129), abs=1e-4)
    with pytest.raises(ValueError, match="successes"):
        evidence.clopper_pearson(3, 2)


def test_a_blind_attack_is_read_as_blind_and_an_informed_one_as_leakage():
    rng = np.random.default_rng(3)
    blind = attacks.AttackResult("blind", rng.normal(size=226), rng.normal(size=2000))
    found = evidence.evidence(blind, num_permutations=200)
    assert not found.leaks_beyond_chance
    assert found.advantage <= found.null_advantage_95 + 0.03  # in-sample looks like > 0 ...
    assert found.advantage > 0  # ... which is exactly why the null is reported
    assert found.advantage_p_value > 0.05
    informed = attacks.AttackResult("informed", rng.normal(1, 1, 226), rng.normal(size=2000))
    strong = evidence.evidence(informed, num_permutations=200)
    assert strong.leaks_beyond_chance and strong.advantage_p_value < 0.01
    assert strong.held_out_advantage <= strong.advantage + 1e-9  # held out is not optimistic
    assert strong.held_out_advantage_ci[0] < strong.held_out_advantage < \
        strong.held_out_advantage_ci[1]
    assert "of 226 members" in strong.sentence()
    facts = strong.facts()
    assert facts["attack_members"] == 226 and facts["attack_non_members"] == 2000
    assert len(facts["membership_advantage_ci"]) == 2


def test_one_member_found_at_low_fpr_is_not_confident_identification():
    rng = np.random.default_rng(5)
    members, non = rng.normal(size=226), rng.normal(size=2000)
    members[0] = 10.0  # one member scores above every non-member: TPR 1/226 at FPR 0
    found = evidence.evidence(attacks.AttackResult("x", members, non), low_fpr=0.001)
    assert found.members_found_at_low_fpr >= 1
    assert found.tpr_at_low_fpr_ci[0] < 0.001  # the interval reaches down to almost nothing
    assert found.blind_tpr_at_least_as_high > 0.05  # chance does as well often


def test_held_out_thresholds_separate_a_perfect_attack_exactly():
    result = attacks.AttackResult("perfect", np.arange(100, 110.0), np.arange(0, 10.0))
    assert evidence.held_out_counts(result) == (10, 0)
    with pytest.raises(ValueError, match="at least 2"):
        evidence.held_out_counts(attacks.AttackResult("x", np.ones(1), np.zeros(5)))
    with pytest.raises(ValueError, match="at least 20"):
        evidence.permutation_null(result, num_permutations=5)
