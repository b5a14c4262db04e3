"""Defences of lesson 06: DP-SGD with Opacus, its accountant, client-level DP with Flower."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import fedlearn_kit as kit
from fedlearn_kit.features import to_tensors
from fedlearn_kit.privacy import attacks, defences


@pytest.fixture(scope="module")
def data():
    cohort = kit.generate(2, seed=5, patients_per_site=300)
    return kit.split_cohort(cohort, seed=5), kit.future_patients(cohort, 1500)


def test_the_accountant_spends_what_was_asked_for(data):
    splits, _ = data
    recipe = attacks.Recipe("logistic", epochs=3, batch_size=32, seed=2)
    model = defences.fit_dp(splits["A"].train, recipe, epsilon=1.0)
    assert 0.8 < model.epsilon <= 1.0
    assert model.delta < 1 / len(splits["A"].train)
    # The same history in a fresh accountant gives the same ε: nothing is computed by hand.
    assert defences.epsilon_spent(model.history, model.delta) == pytest.approx(model.epsilon)
    assert defences.epsilon_spent([], 1e-5) == 0.0


def test_more_noise_means_smaller_epsilon():
    eps = [defences.epsilon_spent([(s, 0.1, 100)], 1e-5) for s in (0.8, 1.5, 3.0)]
    assert eps[0] > eps[1] > eps[2] > 0
    sigma = defences.noise_for_epsilon(2.0, 1e-5, 0.1, 100)
    assert defences.epsilon_spent([(sigma, 0.1, 100)], 1e-5) == pytest.approx(2.0, rel=0.02)


def test_dp_training_is_deterministic_leaves_a_plain_module_and_continues_history(data):
    splits, _ = data
    X, y = to_tensors(splits["A"].train)  # noqa: N806
    runs = []
    for _ in range(2):
        net = attacks.Recipe("mlp", hidden=8).new_net(3)
        run = defences.dp_train(net, X, y, epochs=2, lr=0.1, batch_size=32, seed=4,
                                dp=defences.DPConfig(1.0))
        runs.append((net, run))
    (net_a, run_a), (net_b, run_b) = runs
    for p, q in zip(net_a.parameters(), net_b.parameters(), strict=True):
        assert torch.equal(p, q)
    assert not hasattr(net_a, "_module") and not any(
        hasattr(p, "grad_sample") and p.grad_sample is not None for p in net_a.parameters())
    more = defences.dp_train(net_a, X, y, epochs=2, lr=0.1, batch_size=32, seed=5,
                             dp=defences.DPConfig(1.0), history=run_a.history)
    assert more.epsilon > run_a.epsilon
    assert defences.history_from_lists(defences.history_to_lists(more.history)) == more.history


def test_dp_changes_the_model_compared_with_plain_training(data):
    splits, _ = data
    recipe = attacks.Recipe("logistic", epochs=3, batch_size=32, seed=2)
    plain, private = recipe.fit(splits["A"].train), defences.fit_dp(splits["A"].train, recipe, 0.5)
    w0 = plain.net.linear.weight.detach().numpy()
    w1 = private.net.linear.weight.detach().numpy()
    assert not np.allclose(w0, w1, atol=1e-3)


def test_measured_membership_advantage_stays_under_the_dp_bound(data):
    splits, future = data
    recipe = attacks.Recipe("mlp", hidden=32, epochs=15, lr=0.2, batch_size=16, seed=1)
    table, models = defences.privacy_utility(splits["A"].train, future, recipe,
                                             epsilons=(0.5, 1.0, None), non_member_ratio=4)
    private = table[np.isfinite(table.epsilon)]
    assert len(private) == 2 and len(models) == 3
    assert (private.epsilon <= private.target_epsilon + 1e-9).all()
    for _, row in private.iterrows():
        assert row.advantage <= math.expm1(row.epsilon)
    assert {"auroc A", "auroc B", "tpr@0.1%fpr"} <= set(table.columns)
    groups = defences.subgroup_table(models, future["A"])
    assert set(groups.model) == set(models) and {"sex", "age band"} == set(groups.group)


def test_client_level_dp_wraps_flowers_strategy_and_uses_the_accountant():
    from flwr.clientapp.mod import fixedclipping_mod
    from flwr.serverapp.strategy import DifferentialPrivacyClientSideFixedClipping, FedAvg

    strategy = defences.client_dp_strategy(FedAvg(), noise_multiplier=1.0, clipping_norm=0.5,
                                           num_sites=3)
    assert isinstance(strategy, DifferentialPrivacyClientSideFixedClipping)
    assert strategy.clipping_norm == 0.5 and strategy.num_sampled_clients == 3
    assert defences.client_dp_mods() == [fixedclipping_mod]
    five, ten = (defences.client_level_epsilon(2.0, r, 1e-3) for r in (5, 10))
    assert 0 < five < ten


def test_bad_settings_are_refused():
    with pytest.raises(ValueError, match="noise_multiplier"):
        defences.DPConfig(0.0)
    with pytest.raises(ValueError, match="delta"):
        defences.DPConfig(1.0, delta=2)
    with pytest.raises(ValueError, match="epsilon"):
        defences.noise_for_epsilon(0, 1e-5, 0.1, 10)
    with pytest.raises(ValueError, match="batch_size"):
        defences.dp_train(torch.nn.Linear(2, 1), torch.zeros(3, 2), torch.zeros(3), epochs=1,
                          lr=0.1, batch_size=5, seed=0, dp=defences.DPConfig(1.0))
    assert defences.advantage_bound(math.inf) == math.inf
