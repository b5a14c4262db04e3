"""Defences of lesson 06: DP-SGD with Opacus, its accountant, client-level DP with Flower."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import fedlearn_kit as kit
from fedlearn_app.task import make_model, to_tensors
from fedlearn_kit.privacy import attacks, defences, evidence


@pytest.fixture(scope="module")
def data():
    cohort = kit.generate(2, seed=5, patients_per_site=300)
    return kit.split_cohort(cohort, seed=5), kit.future_patients(cohort, 1500)


def test_the_accountant_spends_what_was_asked_for(data):
    splits, _ = data
    exp = kit.Experiment(epochs=3, batch_size=32, seed=2)
    model = defences.fit_dp(splits["A"].train, exp, epsilon=1.0)
    assert 0.9 < model.epsilon <= 1.0
    assert model.delta < 1 / len(splits["A"].train)
    # The same history in a fresh accountant gives the same ε: nothing is computed by hand.
    assert defences.epsilon_spent(model.history, model.delta) == pytest.approx(model.epsilon)
    assert defences.epsilon_spent([], 1e-5) == 0.0


def test_more_noise_means_smaller_epsilon():
    eps = [defences.epsilon_spent([(s, 0.1, 100)], 1e-5) for s in (0.8, 1.5, 3.0)]
    assert eps[0] > eps[1] > eps[2] > 0
    sigma = defences.noise_for_epsilon(2.0, 1e-5, 0.1, 100)
    assert defences.epsilon_spent([(sigma, 0.1, 100)], 1e-5) == pytest.approx(2.0, rel=0.02)


def _dp_twice(X, y, seed):  # noqa: N803
    runs = []
    for _ in range(2):
        net = kit.new_net(kit.Experiment(model="mlp", hidden=8), seed=3)
        run = defences.dp_train(net, X, y, epochs=2, lr=0.1, batch_size=32, seed=seed,
                                dp=defences.DPConfig(1.0))
        runs.append((net, run))
    return runs


def _same(a, b):
    return all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters(), strict=True))


def test_default_dp_noise_is_secret_and_only_the_classroom_switch_repeats(data, capsys):
    splits, _ = data
    X, y = to_tensors(splits["A"].train)  # noqa: N806
    (secret_a, _), (secret_b, _) = _dp_twice(X, y, seed=None)
    assert not _same(secret_a, secret_b)  # nobody can replay OS-entropy noise
    exp = kit.Experiment(epochs=2, batch_size=32, seed=2)
    fits = [defences.fit_dp(splits["A"].train, exp, 1.0) for _ in range(2)]
    assert not _same(fits[0].net, fits[1].net)
    assert "Classroom" not in capsys.readouterr().out
    classroom = [defences.fit_dp(splits["A"].train, exp, 1.0, reproducible=True)
                 for _ in range(2)]
    assert _same(classroom[0].net, classroom[1].net)
    out = capsys.readouterr().out
    assert out.count("would not hold for a released model") == 2
    other_draw = defences.fit_dp(splits["A"].train, exp, 1.0, reproducible=True,
                                 announce=False, draw=1)
    assert not _same(classroom[0].net, other_draw.net)  # draws of one seed differ


@pytest.mark.parametrize("high_bit", [32, 40, 63, 100])
def test_classroom_seeds_that_differ_only_in_high_bits_give_different_noise(data, high_bit):
    """torch's manual_seed keeps 32 bits; the kit's streams hash the whole seed."""
    splits, _ = data
    X, y = to_tensors(splits["A"].train[:60])  # noqa: N806
    nets = []
    for seed in (5, 5 + 2 ** high_bit):
        net = kit.new_net(kit.Experiment(), seed=0)
        defences.dp_train(net, X, y, epochs=1, lr=0.1, batch_size=16, seed=seed,
                          dp=defences.DPConfig(1.0))
        nets.append(net)
    assert not _same(*nets)


class _Wide(torch.nn.Module):
    """A linear model with many weights whose inputs are all zero: only noise moves them."""

    def __init__(self) -> None:
        super().__init__()
        self.linear = torch.nn.Linear(4000, 1, bias=False)
        torch.nn.init.zeros_(self.linear.weight)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear(x).squeeze(-1)


def test_the_noise_has_the_standard_deviation_the_accountant_assumes():
    """With zero inputs every clipped gradient is 0, so the weights move by noise alone:
    lr · σ · C / E[B] per step, independent across steps."""
    n, batch, sigma, clip, lr, epochs = 64, 16, 2.0, 0.5, 0.1, 3
    net = _Wide()
    defences.dp_train(net, torch.zeros(n, 4000), torch.ones(n), epochs=epochs, lr=lr,
                      batch_size=batch, seed=None, dp=defences.DPConfig(sigma, clip))
    steps = epochs * math.ceil(n / batch)
    expected = lr * sigma * clip / int(n * defences.opacus_sample_rate(n, batch)) * steps ** 0.5
    weights = net.linear.weight.detach().double().numpy().ravel()
    assert abs(weights.mean()) < 4 * expected / len(weights) ** 0.5
    assert weights.std() == pytest.approx(expected, rel=0.05)  # 4000 values: ±2.2 % is 2 sd


def test_fit_dp_calibrates_on_the_sampling_rate_opacus_uses(data):
    splits, _ = data
    train = splits["A"].train  # 225 rows: ceil(225/16) = 15 batches, q = 1/15, not 16/225
    exp = kit.Experiment(epochs=2, batch_size=16, seed=2)
    model = defences.fit_dp(train, exp, epsilon=1.0, reproducible=True, announce=False)
    rate = defences.opacus_sample_rate(len(train), 16)
    assert rate == 1 / math.ceil(len(train) / 16) != 16 / len(train)
    assert {q for _, q, _ in model.history} == {rate}
    assert model.noise_multiplier == pytest.approx(
        defences.noise_for_epsilon(1.0, model.delta, rate, 2 * math.ceil(len(train) / 16)))
    # Calibrated on what ran, ε lands close under the target (within the search tolerance).
    assert 0.97 < model.epsilon <= 1.0


def test_empty_poisson_batches_are_noised_and_accounted(data):
    splits, _ = data
    tiny = splits["A"].train.iloc[:40]
    X, y = to_tensors(tiny)  # noqa: N806
    net = kit.new_net(kit.Experiment(), seed=0)
    start = [p.detach().clone() for p in net.parameters()]
    # batch 1 of 40: each step is empty with probability (39/40)^40 ≈ 0.36, so 120 steps
    # without an empty one has probability about 1e-23.
    run = defences.dp_train(net, X, y, epochs=3, lr=0.1, batch_size=1, seed=7,
                            dp=defences.DPConfig(1.0))
    assert sum(n for _, _, n in run.history) == 120
    assert run.epsilon == pytest.approx(defences.epsilon_spent([(1.0, 1 / 40, 120)], 1e-5))
    assert not _same_tensors(start, list(net.parameters()))
    assert all(np.isfinite(p.detach().numpy()).all() for p in net.parameters())


def _same_tensors(a, b):
    return all(torch.equal(p, q) for p, q in zip(a, b, strict=True))


def test_dp_training_is_deterministic_leaves_a_plain_module_and_continues_history(data):
    splits, _ = data
    X, y = to_tensors(splits["A"].train)  # noqa: N806
    (net_a, run_a), (net_b, run_b) = _dp_twice(X, y, seed=4)
    assert _same(net_a, net_b)
    assert not hasattr(net_a, "_module") and not any(
        hasattr(p, "grad_sample") and p.grad_sample is not None for p in net_a.parameters())
    more = defences.dp_train(net_a, X, y, epochs=2, lr=0.1, batch_size=32, seed=5,
                             dp=defences.DPConfig(1.0), history=run_a.history)
    assert more.epsilon > run_a.epsilon
    assert defences.history_from_lists(defences.history_to_lists(more.history)) == more.history


def test_dp_noise_is_drawn_in_64_bits_and_the_default_dtype_is_untouched(data, monkeypatch):
    # 32-bit noise differed in its seventh digit between CPUs with and without AVX2
    # (benchmarks/numeric_drift.py); the kit's stream draws float64 and adds it unrounded.
    from fedlearn_kit.privacy.randomness import SecureStream

    splits, _ = data
    X, y = to_tensors(splits["A"].train)  # noqa: N806
    drawn = []
    normal = SecureStream.normal

    def spy(self, count, std):
        out = normal(self, count, std)
        drawn.append(out.dtype)
        return out

    monkeypatch.setattr(SecureStream, "normal", spy)
    net = make_model("logistic", seed=1)
    defences.dp_train(net, X, y, epochs=1, lr=0.1, batch_size=64, seed=3,
                      dp=defences.DPConfig(1.0))
    assert drawn and set(drawn) == {np.dtype("float64")}
    assert all(p.dtype == torch.float64 for p in net.parameters())
    assert torch.get_default_dtype() == torch.float32


def test_dp_changes_the_model_compared_with_plain_training(data):
    splits, _ = data
    exp = kit.Experiment(epochs=3, batch_size=32, seed=2)
    plain, private = kit.fit(splits["A"].train, exp, "plain"), defences.fit_dp(splits["A"].train,
                                                                                exp, 0.5)
    w0 = plain.net.linear.weight.detach().numpy()
    w1 = private.net.linear.weight.detach().numpy()
    assert not np.allclose(w0, w1, atol=1e-3)


@pytest.mark.parametrize(("epsilon", "delta", "adjacency", "expected"), [
    (math.log(3), 0.0, "replace-one", 0.5),  # (3 - 1) / (3 + 1)
    (math.log(3) / 2, 0.0, "add-remove", 0.5),  # replace-one costs 2ε
    (math.log(3) / 2, 0.0, "zero-out", 0.5),
    (0.0, 0.1, "replace-one", 0.1),  # ε = 0: the advantage is at most δ
    (0.0, 0.1, "add-remove", 0.2),  # (1 + e^0) δ
    (0.9286, 1e-5, "replace-one", 0.4336),  # the review's "tight" column at ε 0.93
    (0.9286, 1e-5, "add-remove", 0.7300),  # the review's "valid (replace-one)" column
    (0.4643, 1e-5, "add-remove", 0.4336),  # lesson 06's ε 0.46: not the old 0.591
    (7.4743, 1e-5, "add-remove", 1.0000),
    (math.inf, 1e-5, "add-remove", 1.0),
])
def test_advantage_bound_known_values_for_both_adjacencies(epsilon, delta, adjacency, expected):
    assert defences.advantage_bound(epsilon, delta, adjacency) == pytest.approx(expected,
                                                                                 abs=1e-4)


def test_bound_is_below_one_for_every_finite_budget_and_tpr_bound_is_tight():
    assert defences.advantage_bound(3.0, 1e-5, "replace-one") < 1
    assert defences.advantage_bound(2.0, 0.0) > defences.advantage_bound(2.0, 0.0,
                                                                         "replace-one")
    assert defences.replace_one_budget(1.0, 1e-5) == pytest.approx((2.0, (1 + math.e) * 1e-5))
    assert defences.tpr_bound(0.01, math.log(2), 0.0, "replace-one") == pytest.approx(0.02)
    assert defences.tpr_bound(0.01, math.log(2) / 2, 0.0) == pytest.approx(0.02)
    assert defences.tpr_bound(0.0, 1.0, 1e-3, "replace-one") == pytest.approx(1e-3)
    with pytest.raises(ValueError, match="adjacency"):
        defences.advantage_bound(1.0, 1e-5, "add-one")


def test_a_leaking_model_reported_with_a_small_epsilon_is_caught(data):
    splits, future = data
    members = splits["A"].train
    leaky = kit.fit(members, kit.Experiment(model="mlp", hidden=64, epochs=60, lr=0.2,
                                            batch_size=16, seed=1), "leaky")  # no DP at all
    attack = attacks.loss_attack(leaky, members, future["A"])
    claimed = defences.consistent_with_dp(attack, epsilon=0.05, delta=1e-5)
    assert not claimed  # the lie is caught: the attack's lower bound beats the DP bound
    assert "refuted at the 2.5 % level" in claimed.reason
    # Against the mechanism's own (tighter) bound for a claimed run, too.
    history = [(20.0, 1 / 15, 75)]
    assert not defences.consistent_with_dp(
        attack, 0.1, 1e-5, bound=defences.mechanism_advantage_bound(history), tests=5)
    # The same check passes a model that really is DP at that budget.
    honest = defences.fit_dp(members, kit.Experiment(epochs=5, seed=1), 0.5)
    check = defences.consistent_with_dp(attacks.loss_attack(honest, members, future["A"]),
                                        epsilon=honest.epsilon, delta=honest.delta,
                                        bound=defences.mechanism_advantage_bound(honest.history))
    assert check and "not refuted" in check.reason


def test_measured_membership_advantage_stays_under_both_bounds(data):
    splits, future = data
    exp = kit.Experiment(model="mlp", hidden=32, epochs=15, lr=0.2, batch_size=16, seed=1)
    curve = defences.privacy_utility(splits["A"].train, future, exp, epsilons=(0.5, 1.0, None),
                                     non_member_ratio=4, num_permutations=99, noise_draws=2)
    table = curve.table
    private = table[np.isfinite(table.epsilon)]
    assert len(private) == 2 and len(curve.models) == 3
    assert [len(v) for v in curve.models.values()] == [2, 2, 1]
    assert len(curve.draws) == 5 and curve.model("no DP").name == "no DP"
    assert (private.epsilon <= private.target_epsilon + 1e-9).all()
    for _, row in private.iterrows():
        bound = defences.advantage_bound(row.epsilon, 1e-5, "add-remove")
        assert row.advantage_bound == pytest.approx(bound) and bound < 1
        assert row.mechanism_bound <= row.advantage_bound  # the PLD is never looser
        assert row.ci_low <= row.mechanism_bound  # the measurement never contradicts it
        assert row.ci_low <= row.held_out_advantage <= row.ci_high
        assert row["auroc A low"] <= row["auroc A"] <= row["auroc A high"]
    assert table["p_holm"].to_numpy() == pytest.approx(evidence.holm(table["p_value"]))
    assert {"auroc A", "auroc B", "tpr@0.1%fpr", "leaks"} <= set(table.columns)
    groups = defences.subgroup_table(curve.models, future["A"], trained_on=splits["A"].train)
    assert set(groups.model) == set(curve.models) and {"sex", "age band"} == set(groups.group)
    assert (groups.auroc_low <= groups.auroc).all() and (groups.auroc <= groups.auroc_high).all()
    trained = groups[groups.model == "no DP"].set_index("value")["n_train"]
    assert trained["F"] + trained["M"] == len(splits["A"].train)
    assert trained["F"] == int((splits["A"].train["sex"].astype(str) == "F").sum())


def site_epsilons(noise_multiplier: float, rounds: int, delta: float,
                  weights: list[float]) -> list[float]:
    """Oracle: ε per site under central DP when the average weighs sites by ``weights``.

    Flower's fixed-clipping wrapper adds noise σ·C/K to the average of K clipped updates,
    matching a sensitivity C/K (a uniform average). With weights w a site moves the average
    by up to (w_i / Σw)·C, so its effective noise multiplier is σ / (K · w_i / Σw).
    """
    total, k = float(sum(weights)), len(weights)
    return [defences.epsilon_spent([(noise_multiplier * total / (k * w), 1.0, rounds)], delta)
            for w in weights]


def test_unequal_site_weights_cost_the_large_site_more():
    """Why the kit's central-DP run weighs sites equally (coordinator.equal_weight)."""
    uniform = defences.epsilon_spent([(1.0, 1.0, 5)], 1e-5)
    assert uniform == pytest.approx(12.30, abs=0.01)  # the review's A7 figure
    assert site_epsilons(1.0, 5, 1e-5, [1, 1]) == pytest.approx([uniform] * 2)
    small, large = site_epsilons(1.0, 5, 1e-5, [226, 1800])
    assert small < uniform < large
    assert large == pytest.approx(25.7, abs=0.1)  # the review's A7.weights figure


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
    assert defences.advantage_bound(math.inf) == 1.0
