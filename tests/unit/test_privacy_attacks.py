"""Attacks of lesson 05: membership inference, the two-site subtraction, reconstruction."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
from flwr.app import ArrayRecord, MetricRecord, RecordDict
from flwr.serverapp.strategy.strategy_utils import aggregate_arrayrecords

import fedlearn_kit as kit
from fedlearn_kit.privacy import attacks


@pytest.fixture(scope="module")
def data():
    cohort = kit.generate(2, seed=11, patients_per_site=300)
    splits = kit.split_cohort(cohort, seed=11)
    future = kit.future_patients(cohort, 1200)
    population = kit.future_patients(cohort, 1200, stream=2)
    return cohort, splits, future, population


@pytest.fixture(scope="module")
def overfit(data):
    _, splits, _, _ = data
    exp = kit.Experiment(model="mlp", hidden=64, epochs=60, lr=0.2, batch_size=16, seed=1)
    return exp, kit.fit(splits["A"].train, exp, "target")


def test_attack_result_figures_match_their_definitions():
    result = attacks.AttackResult("x", np.array([3.0, 2.0, 0.5]), np.array([1.0, 0.0, -1.0, 0.4]))
    assert result.auc == pytest.approx((4 + 4 + 3) / 12)
    assert result.advantage == pytest.approx(1 - 1 / 4)  # threshold 0.45: TPR 1, FPR 1/4
    assert result.tpr_at(0.0) == pytest.approx(2 / 3)
    assert result.summary()["members"] == 3
    with pytest.raises(ValueError, match="between 0 and 1"):
        result.tpr_at(2)
    with pytest.raises(ValueError, match="at least one member"):
        attacks.AttackResult("x", np.array([]), np.array([1.0]))


def test_random_scores_give_no_advantage_beyond_chance():
    rng = np.random.default_rng(0)
    result = attacks.AttackResult("coin", rng.normal(size=2000), rng.normal(size=2000))
    assert abs(result.auc - 0.5) < 0.03 and result.advantage < 0.06


def test_losses_are_binary_cross_entropy(data, overfit):
    _, splits, _, _ = data
    _, model = overfit
    df = splits["A"].test
    p = model.predict_proba(df)
    y = df.readmitted_30d.to_numpy()
    expected = -(y * np.log(p) + (1 - y) * np.log(1 - p))
    np.testing.assert_allclose(attacks.record_losses(model, df), expected, rtol=1e-4, atol=1e-6)


def test_an_overfitted_model_leaks_more_than_a_regularised_one(data, overfit):
    _, splits, future, _ = data
    members = splits["A"].train
    _, model = overfit
    plain = kit.fit(members, kit.Experiment(epochs=3, lr=0.05, seed=1), "plain")
    leaky = attacks.loss_attack(model, members, future["A"])
    mild = attacks.loss_attack(plain, members, future["A"])
    assert leaky.auc > 0.55
    assert leaky.advantage > mild.advantage


def test_lira_uses_shadow_models_and_beats_chance(data, overfit):
    _, splits, future, population = data
    exp, model = overfit
    members = splits["A"].train
    shadows = attacks.shadow_models(population["A"], exp, num_shadow=4,
                                    train_size=len(members))
    result = attacks.lira_attack(model, members, future["A"], shadows)
    assert result.auc > 0.52
    assert set(attacks.summarise([result]).columns) >= {"auc", "advantage", "tpr@0.1%fpr",
                                                        "tpr@1%fpr"}
    with pytest.raises(ValueError, match="at least 2 shadow"):
        attacks.lira_attack(model, members, future["A"], shadows[:1])
    with pytest.raises(ValueError, match="train_size"):
        attacks.shadow_models(population["A"], exp, num_shadow=2, train_size=10**6)


def test_non_members_follow_the_members_site_mix(data):
    _, splits, future, _ = data
    members = pd.concat([splits["A"].train, splits["B"].train.iloc[:50]])
    non = attacks.matching_non_members(members, future, ratio=2)
    assert non.site.value_counts().to_dict() == {"A": 2 * (members.site == "A").sum(), "B": 100}
    assert not set(non.patient_id) & set(members.patient_id)
    with pytest.raises(ValueError, match="future patients"):
        attacks.matching_non_members(members, future, ratio=100)


def _as_record(model, n):
    return RecordDict({"arrays": ArrayRecord(model.state_dict()),
                       "metrics": MetricRecord({"num-examples": n})})


def test_one_of_two_sites_recovers_the_other_from_flowers_fedavg(data):
    _, splits, _, _ = data
    exp = kit.Experiment(model="mlp", hidden=8, epochs=2, seed=3)
    a, b = kit.fit(splits["A"].train, exp, "A"), kit.fit(splits["B"].train.iloc[:150], exp, "B")
    na, nb = len(splits["A"].train), 150
    aggregate = aggregate_arrayrecords([_as_record(a.net, na), _as_record(b.net, nb)],
                                       "num-examples").to_numpy_ndarrays()
    keys = list(a.net.state_dict())
    recovered = attacks.recover_partner_update(dict(zip(keys, aggregate, strict=True)),
                                               attacks.state_arrays(a), na, nb)
    truth = attacks.state_arrays(b)
    for k in keys:
        np.testing.assert_allclose(recovered[k], truth[k], atol=1e-5)
    with pytest.raises(ValueError, match="positive"):
        attacks.recover_partner_update(truth, truth, 0, 1)


@pytest.mark.parametrize("model", ["logistic", "mlp"])
@pytest.mark.parametrize("local_epochs", [1, 4])
def test_one_record_is_read_back_exactly_from_its_update(data, model, local_epochs):
    _, splits, _, _ = data
    record = splits["A"].train.iloc[[7]]
    before, after = attacks.local_update(record, model=model, local_epochs=local_epochs)
    x_hat = attacks.reconstruct_record(before, after)
    assert attacks.reconstruction_error(x_hat, record) < 1e-4
    back = attacks.unscale(x_hat)
    assert back["age"] == pytest.approx(record.age.iloc[0], abs=0.01)
    assert back["sex"] == record.sex.iloc[0]


def test_bigger_batches_blur_the_reconstruction(data):
    _, splits, _, _ = data
    table = attacks.reconstruction_sweep(splits["A"].train, batch_sizes=(1, 32),
                                         local_epochs=(1, 3))
    assert (table.loc[1] < 1e-4).all()
    assert (table.loc[32] > 0.05).all()
    with pytest.raises(ValueError, match="batch size"):
        attacks.reconstruction_sweep(splits["A"].train.iloc[:5], batch_sizes=(10,))


def test_untrained_update_and_wrong_inputs_are_refused():
    net = kit.new_net(kit.Experiment(), seed=0)
    with pytest.raises(ValueError, match="did not change"):
        attacks.reconstruct_record(net, net)
    with pytest.raises(TypeError, match="TrainedModel"):
        attacks.logits("model", pd.DataFrame())
    with pytest.raises(ValueError, match="scaled features"):
        attacks.unscale(np.zeros(3))
    assert isinstance(attacks.first_layer(net), torch.nn.Linear)


def test_side_by_side_shows_the_record_in_clinical_units(data):
    _, splits, _, _ = data
    record = splits["A"].train.iloc[[3]]
    before, after = attacks.local_update(record)
    table = attacks.side_by_side(record, attacks.reconstruct_record(before, after))
    assert (table["real record"] == table["read from the update"]).all()
    assert len(attacks.training_rows(splits)) == sum(len(s.train) for s in splits.values())
    with pytest.raises(ValueError, match="one patient"):
        attacks.side_by_side(splits["A"].train.iloc[:2], np.zeros(16))


def test_shadow_models_are_trained_like_the_target_with_their_own_seeds(data):
    _, splits, _, population = data
    exp = kit.Experiment(seed=4, model="mlp", hidden=5, epochs=3, lr=0.05, batch_size=64)
    shadows = attacks.shadow_models(population["A"], exp, num_shadow=2, train_size=50, seed=9)
    assert all(s.experiment == exp and s.net.layers[0].out_features == 5 for s in shadows)
    assert len(shadows[0].patient_ids) == 50
    sample = population["A"][population["A"]["patient_id"].astype(str).isin(
        shadows[1].patient_ids)]
    again = kit.fit(sample, exp, "again", seed=exp.seed + 1001)
    for p, q in zip(shadows[1].net.parameters(), again.net.parameters(), strict=True):
        assert torch.equal(p, q)  # shadow k is kit.fit with seed exp.seed + 1000 + k
    assert not torch.equal(next(shadows[0].net.parameters()), next(again.net.parameters()))
