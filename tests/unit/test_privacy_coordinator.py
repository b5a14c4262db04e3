"""The coordinator's view of a federated run, and SecAgg+ on Flower's legacy API."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import torch

import fedlearn_kit as kit
from fedlearn_kit.federation.task import load_site
from fedlearn_kit.privacy import attacks, coordinator, defences, secagg


@pytest.fixture(scope="module")
def tapped():
    exp = kit.Experiment(seed=3, patients_per_site=200, num_rounds=2, local_epochs=1)
    result, tap = coordinator.run_tapped(exp)
    return exp, result, tap


def test_the_tap_sees_every_site_update_without_changing_the_run(tapped):
    exp, result, tap = tapped
    assert len(tap.updates) == exp.num_rounds * exp.num_sites
    plain = kit.federation.run(exp, engine="local", progress=False)
    for k, v in plain.state_dict.items():
        assert torch.equal(v, result.state_dict[k])
    with pytest.raises(KeyError, match="round 9"):
        tap.site_model(9, 0)


def test_a_partner_recovers_the_other_site_from_the_real_global_model(tapped):
    exp, result, tap = tapped
    last = exp.num_rounds
    sizes = [len(load_site(exp, i).train) for i in range(2)]
    own = {k: v.numpy() for k, v in tap.site_model(last, 0).items()}
    aggregate = {k: v.numpy() for k, v in result.state_dict.items()}
    recovered = attacks.recover_partner_update(aggregate, own, sizes[0], sizes[1])
    for k, v in tap.site_model(last, 1).items():
        np.testing.assert_allclose(recovered[k], v.numpy(), atol=1e-5)


def test_round_leakage_attacks_each_update_and_the_global_model(tapped):
    exp, result, tap = tapped
    future = kit.future_patients(exp.cohort(), 400)
    table = coordinator.round_leakage(exp, tap, future, result)
    assert list(table.index) == [1, 2]
    # Recomputed by hand: the loss attack on site B's round-2 update (its weights loaded
    # into a model) and, in the last row, on the final global model.
    model = result.model()
    final = {s: attacks.loss_attack(model, load_site(exp, i).train, future[s])
             for i, s in enumerate(("A", "B"))}
    for s in ("A", "B"):
        assert table.loc[2, f"global model, site {s} patients"] == pytest.approx(
            final[s].summary()["advantage"])
    model.net.load_state_dict(tap.site_model(2, 1))
    update_b = attacks.loss_attack(model, load_site(exp, 1).train, future["B"])
    assert table.loc[2, "site B update"] == pytest.approx(update_b.summary()["advantage"])
    assert table.notna().all().all()
    with pytest.raises(ValueError, match="no updates"):
        coordinator.round_leakage(exp, coordinator.CoordinatorTap(), future)


def test_secagg_plus_hides_updates_but_releases_the_fedavg_aggregate():
    exp = kit.Experiment(seed=3, num_sites=3, patients_per_site=120, num_rounds=1)
    run = secagg.run_secagg(exp)
    assert len(run.plain) == len(run.masked) == 3
    expected = secagg.plain_fedavg(run, 1)
    for got, want in zip(run.final, expected, strict=True):
        np.testing.assert_allclose(got, want, atol=1e-3)  # SecAgg+ quantises updates
    view = secagg.coordinator_view(run, 0)
    assert not np.allclose(view.iloc[:, 0], view.iloc[:, 1])
    with pytest.raises(ValueError, match="at least 3"):
        secagg.run_secagg(kit.Experiment(num_sites=2))


def test_dp_sgd_inside_the_client_app_accounts_across_rounds(tapped):
    exp, plain, _ = tapped
    result, tap = coordinator.run_record_dp(exp, noise_multiplier=1.0)
    eps = result.site_metrics("epsilon", "train")
    assert (eps[["A", "B"]].diff().iloc[1:] > 0).all().all()  # ε grows every round
    assert len(tap.updates) == exp.num_rounds * exp.num_sites
    assert not torch.equal(result.state_dict["linear.weight"], plain.state_dict["linear.weight"])
    # Losses and the sites' evaluation metrics stay at the sites in a DP run.
    assert "loss" not in result.history[result.history.stage == "train"].dropna(axis=1)
    assert "auroc" not in result.history[result.history.stage == "evaluate"].dropna(axis=1)
    future = kit.future_patients(exp.cohort(), 400)
    for i, site in enumerate(("A", "B")):  # the DP bound holds for the federated DP model too
        attack = attacks.loss_attack(result.model(), load_site(exp, i).train, future[site])
        assert defences.consistent_with_dp(attack, eps[site].iloc[-1], 1e-5)
    # FedAvg's average of the sites' ε is no ε: the run leaves it blank.
    assert eps["all"].isna().all()
    # The budgets recomputed from the settings are the ones the sites reported (add/remove),
    # and the replace-one budget that holds with the counts public is larger, never smaller.
    budgets = coordinator.record_dp_budgets(
        exp, {site: load_site(exp, i) for i, site in enumerate(("A", "B"))},
        noise_multiplier=1.0)
    assert budgets["epsilon_add_remove"].to_numpy() == pytest.approx(
        eps[["A", "B"]].iloc[-1].to_numpy(), rel=1e-9)
    assert (budgets["epsilon_replace_one"] > budgets["epsilon_add_remove"]).all()
    assert (budgets["epsilon_replace_one"] < 2 * budgets["epsilon_add_remove"]).all()
    assert (budgets["mechanism_bound"] < budgets["advantage_bound"]).all()
    facts = coordinator.site_budget_facts(exp, load_site(exp, 0), noise_multiplier=1.0)
    assert facts["adjacency"] == "replace-one"
    assert facts["epsilon"] == budgets.loc["A", "epsilon_replace_one"]
    assert kit.gdpr.facts.MeasuredFacts("privacy_defences", **facts).epsilon == facts["epsilon"]


def test_record_dp_history_is_what_dp_train_accounts_round_after_round():
    torch.manual_seed(0)
    X, y = torch.randn(37, 3), torch.randint(0, 2, (37, 1)).float()  # noqa: N806
    history: list = []
    for round_seed in (1, 2, 3):
        run = defences.dp_train(torch.nn.Linear(3, 1), X, y, epochs=2, lr=0.1, batch_size=8,
                                seed=round_seed, dp=defences.DPConfig(1.3), history=history)
        history = run.history
    assert coordinator.record_dp_history(37, batch_size=8, local_epochs=2, rounds=3,
                                         noise_multiplier=1.3) == history


@pytest.mark.parametrize("bad", [
    {"num_records": 0}, {"batch_size": 0}, {"batch_size": 38}, {"local_epochs": 0},
    {"rounds": -1}, {"noise_multiplier": 0.0}])
def test_record_dp_history_refuses_impossible_settings(bad):
    settings = {"num_records": 37, "batch_size": 8, "local_epochs": 2, "rounds": 3,
                "noise_multiplier": 1.3, **bad}
    with pytest.raises(ValueError, match="must be|need"):
        coordinator.record_dp_history(**settings)


def test_without_averaged_epsilon_blanks_only_the_all_rows():
    class Run:
        history = pd.DataFrame({"site": ["A", "B", "all"], "epsilon": [3.0, 1.5, 2.1],
                                "num_examples": [100, 300, 400]})

    run = coordinator.without_averaged_epsilon(Run())
    assert run.history["epsilon"].tolist()[:2] == [3.0, 1.5]
    assert math.isnan(run.history["epsilon"].iloc[2])
    assert run.history["num_examples"].tolist() == [100, 300, 400]  # counts are kept
    plain = Run()
    plain.history = plain.history.drop(columns="epsilon")  # a run without ε is left alone
    assert coordinator.without_averaged_epsilon(plain).history.equals(plain.history)


def test_record_dp_noise_in_the_federation_is_secret_unless_the_classroom_switch_is_on(capsys):
    exp = kit.Experiment(seed=3, patients_per_site=120, num_rounds=1, local_epochs=1)
    secret = [coordinator.run_record_dp(exp, noise_multiplier=1.0)[0] for _ in range(2)]
    assert not torch.equal(secret[0].state_dict["linear.weight"],
                           secret[1].state_dict["linear.weight"])
    classroom = [coordinator.run_record_dp(exp, noise_multiplier=1.0, reproducible=True)[0]
                 for _ in range(2)]
    assert torch.equal(classroom[0].state_dict["linear.weight"],
                       classroom[1].state_dict["linear.weight"])
    assert capsys.readouterr().out.count("would not hold for a released model") == 2
    # Another classroom draw of the same seed is other noise, and asked quietly says nothing.
    other = coordinator.run_record_dp(exp, noise_multiplier=1.0, reproducible=True, draw=1,
                                      announce=False)[0]
    assert not torch.equal(other.state_dict["linear.weight"],
                           classroom[0].state_dict["linear.weight"])
    assert "would not hold" not in capsys.readouterr().out


def test_site_dp_reports_epsilon_for_one_record_replaced_and_leaves_numpy_alone(capsys):
    exp = kit.Experiment(seed=3, patients_per_site=120, num_rounds=3, local_epochs=1)
    np.random.seed(123)  # noqa: NPY002 - a learner's own seeding must survive the run
    expected_next = np.random.random_sample()  # noqa: NPY002
    np.random.seed(123)  # noqa: NPY002
    run = coordinator.run_site_dp(exp, clipping_norm=0.5, epsilon_per_round=1.0)
    assert np.random.random_sample() == expected_next  # noqa: NPY002
    sigma = math.sqrt(2 * math.log(1.25 / 1e-5)) / 1.0
    assert run.noise_multiplier == pytest.approx(sigma)
    # Zero-out (the site's update vs none): sensitivity C. Any change of one site's data,
    # e.g. one patient in or out: two clipped updates up to 2C apart, so σ/2 per unit.
    assert run.epsilon_zero_out == pytest.approx(defences.epsilon_spent([(sigma, 1, 3)], 1e-5))
    assert run.epsilon == pytest.approx(defences.epsilon_spent([(sigma / 2, 1, 3)], 1e-5))
    assert run.epsilon > 2 * run.epsilon_zero_out * 0.9 and run.adjacency == "replace-one"
    from_sites = run.result.history[run.result.history.stage.isin(["train", "evaluate"])]
    assert not {"loss", "auroc", "brier"} & set(from_sites.dropna(axis=1, how="all"))
    again = coordinator.run_site_dp(exp, clipping_norm=0.5, epsilon_per_round=1.0)
    assert not torch.equal(run.result.state_dict["linear.weight"],
                           again.result.state_dict["linear.weight"])
    seeded = [coordinator.run_site_dp(exp, clipping_norm=0.5, epsilon_per_round=1.0, seed=1,
                                      reproducible=True) for _ in range(2)]
    assert torch.equal(seeded[0].result.state_dict["linear.weight"],
                       seeded[1].result.state_dict["linear.weight"])
    assert "would not hold" in capsys.readouterr().out


def test_central_dp_runs_flowers_wrapper_with_equal_weights_and_clipped_updates():
    exp = kit.Experiment(seed=3, patients_per_site=120, num_rounds=2, local_epochs=1)
    run = coordinator.run_central_dp(exp, noise_multiplier=1.0, clipping_norm=0.1)
    # Flower's accountant composed one release per round; Opacus's agrees on the figure.
    assert run.releases == 2
    assert run.epsilon_per_site == pytest.approx(defences.epsilon_spent([(1.0, 1.0, 2)], 1e-5))
    assert run.epsilon == pytest.approx(defences.epsilon_spent([(0.5, 1.0, 2)], 1e-5))
    for update in run.tap.updates:  # what the coordinator receives is clipped to C
        change = torch.cat([(update["site"][k] - update["global"][k]).flatten()
                            for k in update["site"]])
        assert float(change.norm()) <= 0.1 + 1e-5
    history = run.result.history
    train = history[(history.stage == "train") & history.site.isin(["A", "B"])]
    assert set(train.equal_weight) == {1} and "loss" not in train.dropna(axis=1, how="all")


def test_flowers_accountant_refuses_the_patient_weighted_average_the_dp_path_avoids():
    from flwr.clientapp.mod import fixedclipping_mod
    from flwr.serverapp.strategy import DifferentialPrivacyClientSideFixedClipping, FedAvg

    exp = kit.Experiment(seed=3, patients_per_site=120, num_rounds=1, local_epochs=1)
    accountant = coordinator.flower_accountant(exp.num_sites, 1e-5)
    with pytest.raises(ValueError, match="FedAvg.aggregate_train"):
        class Reweighted(FedAvg):  # any override of aggregate_train is refused
            def aggregate_train(self, server_round, replies):
                return super().aggregate_train(server_round, replies)
        DifferentialPrivacyClientSideFixedClipping(
            Reweighted(), noise_multiplier=1.0, clipping_norm=0.1, num_sampled_clients=2,
            accountant=accountant)

    from flwr.serverapp import ServerApp

    from fedlearn_app.server_app import run_rounds

    weighted_by_patients = ServerApp()  # no equal_weight mod: sites send their sizes

    @weighted_by_patients.main()
    def main(grid, context):
        run_rounds(grid, context, DifferentialPrivacyClientSideFixedClipping(
            FedAvg(min_available_nodes=1, min_train_nodes=1, min_evaluate_nodes=1),
            noise_multiplier=1.0, clipping_norm=0.1, num_sampled_clients=exp.num_sites,
            accountant=accountant))

    unequal = kit.Experiment(seed=3, num_rounds=1, local_epochs=1)  # preset sizes differ
    with pytest.raises(Exception, match="equal client weights"):
        coordinator.run_tapped(unequal, coordinator.app_handlers(
            train_mods=[fixedclipping_mod]), weighted_by_patients)


def test_flower_epsilon_grows_with_releases_and_shrinks_with_noise():
    eps = [coordinator.flower_epsilon(1.0, r, 2, 1e-5) for r in (1, 2, 5)]
    assert eps == sorted(eps) and eps[2] < 5 * eps[0]  # composes, more tightly than adding
    assert coordinator.flower_epsilon(2.0, 5, 2, 1e-5) < eps[2]
    assert eps[2] == pytest.approx(defences.epsilon_spent([(1.0, 1.0, 5)], 1e-5))


def test_what_record_dp_covers_has_its_swedish_dpia_text():
    from fedlearn_kit.gdpr.dpia_text import COVERS

    assert coordinator.RECORD_DP_COVERS in COVERS["sv"]
    assert "patient count leaves" in coordinator.RECORD_DP_COVERS


def test_utility_over_draws_gives_the_mean_and_range_and_refuses_no_draws():
    exp = kit.Experiment(seed=3, patients_per_site=120)
    cohort = exp.cohort()
    splits = kit.split_cohort(cohort, exp.test_fraction, exp.seed)
    future = kit.future_patients(cohort, 200)
    fitted = [kit.fit(splits["A"].train, kit.Experiment(epochs=2, seed=s), f"draw {s}")
              for s in range(3)]
    table = coordinator.utility_over_draws({"noisy": lambda d: fitted[d],
                                          "fixed": lambda d: fitted[0]}, future, draws=3)
    scores = [kit.evaluate(m, future["A"])["auroc"] for m in fitted]
    assert len(set(scores)) > 1  # the draws differ, so the range is not trivially one value
    assert table.loc["noisy", "A"] == pytest.approx(np.mean(scores))
    assert (table.loc["noisy", "A low"], table.loc["noisy", "A high"]) == (min(scores),
                                                                         max(scores))
    assert table.loc["fixed", "A low"] == table.loc["fixed", "A high"]
    assert list(table.columns) == ["A", "A low", "A high", "B", "B low", "B high"]
    with pytest.raises(ValueError, match="at least once"):
        coordinator.utility_over_draws({"x": lambda d: fitted[0]}, future, draws=0)
