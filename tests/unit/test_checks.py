"""The exercise checks accept right answers and explain wrong ones."""

import pandas as pd
import pytest

import fedlearn_kit as kit
from fedlearn_kit.checks import Verdict, centralised, local_models, synthetic_patients


@pytest.fixture(scope="module")
def trained(small_experiment):
    splits = kit.split_cohort(small_experiment.cohort(), 0.25, small_experiment.seed)
    local = kit.fit_local(splits, small_experiment)
    central = kit.fit_central(splits, small_experiment)
    return splits, local, central


def test_verdict_is_truthy_and_prints_once(capsys):
    verdict = kit.checks.failed("wrong", "look here")
    assert isinstance(verdict, Verdict) and not verdict
    assert capsys.readouterr().out == "❌ Not yet: wrong\n   Hint: look here\n"


def test_readmission_rates(small_cohort, capsys):
    right = {s: df.readmitted_30d.mean() for s, df in small_cohort.items()}
    assert synthetic_patients.readmission_rates(right, small_cohort)
    assert not synthetic_patients.readmission_rates({k: 100 * v for k, v in right.items()},
                                                    small_cohort)
    assert "percentage" in capsys.readouterr().out
    assert not synthetic_patients.readmission_rates({"A": right["A"]}, small_cohort)
    assert not synthetic_patients.readmission_rates([0.1, 0.2], small_cohort)


def test_fixed_site(small_cohort, capsys):
    damaged = kit.damaged_copy(small_cohort["A"])
    fixed = damaged.dropna(subset=["egfr"])
    fixed = fixed[fixed.sodium.between(115, 155)]
    assert synthetic_patients.fixed_site(fixed, damaged)
    assert not synthetic_patients.fixed_site(damaged, damaged)
    assert "fails validation" in capsys.readouterr().out
    assert not synthetic_patients.fixed_site(fixed.iloc[3:], damaged)
    edited = fixed.copy()
    edited.loc[edited.index[0], "age"] += 1
    assert not synthetic_patients.fixed_site(edited, damaged)
    assert "changed" in capsys.readouterr().out


def test_brier_and_mlp_auroc(trained, small_experiment, capsys):
    splits, local, _ = trained
    test = splits["B"].test
    y_hat, y = local["B"].predict_proba(test), test.readmitted_30d.to_numpy()
    brier = ((y_hat - y) ** 2).mean()
    assert local_models.brier(brier, local["B"], test)
    assert not local_models.brier(brier ** 0.5, local["B"], test)
    assert "square root" in capsys.readouterr().out
    mlp = kit.fit(splits["A"].train, kit.Experiment(**{**small_experiment.as_dict(),
                                                       "model": "mlp"}), "mlp")
    value = kit.evaluate(mlp, splits["A"].test)["auroc"]
    assert local_models.mlp_auroc(value, splits["A"].train, splits["A"].test, small_experiment)
    assert not local_models.mlp_auroc(value + 0.01, splits["A"].train, splits["A"].test,
                                      small_experiment)


def test_pooling_and_gain(trained, capsys):
    splits, local, central = trained
    pooled = pd.concat([s.train for s in splits.values()], ignore_index=True)
    assert centralised.pooled_training_data(pooled, splits)
    everything = pd.concat([pooled, splits["A"].test], ignore_index=True)
    assert not centralised.pooled_training_data(everything, splits)
    assert "test patients" in capsys.readouterr().out
    assert not centralised.pooled_training_data(splits["B"].train, splits)
    table = kit.compare([*local.values(), central], splits)
    gain = table.loc["central", "A"] - table.loc["local A", "A"]
    assert centralised.collaboration_gain(gain, table)
    assert not centralised.collaboration_gain(gain + 0.1, table)


def test_feedback_rounds_numbers_and_never_shows_a_numpy_repr(small_cohort, capsys):
    import numpy as np

    from fedlearn_kit.checks import shown

    assert shown(np.float64(0.28871236568336217)) == "0.2887"
    assert shown(np.int64(17)) == "17" and shown("x" * 100) == repr("x" * 40)
    verdict = synthetic_patients.readmission_rates({"A": np.float64(0.123456789), "B": 0.5},
                                                   small_cohort)
    out = capsys.readouterr().out
    assert not verdict and "Not yet" in out  # neither is the sites' rate
    assert "np.float64" not in out and "0.1235" in out


def test_readmission_rates_names_a_count_and_keeps_its_hint_to_itself(small_cohort, capsys):
    counts = {s: int(df.readmitted_30d.sum()) for s, df in small_cohort.items()}
    assert not synthetic_patients.readmission_rates(counts, small_cohort)
    assert "number of patients" in capsys.readouterr().out
    right = {s: df.readmitted_30d.mean() for s, df in small_cohort.items()}
    assert not synthetic_patients.readmission_rates({**right, "A": 0.5}, small_cohort)
    assert ".mean()" not in capsys.readouterr().out


def test_hidden_variable_loss(trained, small_experiment, capsys):
    splits, _, _ = trained
    train, test, column = splits["B"].train, splits["B"].test, "prior_admissions_12m"

    def auroc(tr, te):
        return kit.evaluate(kit.fit(tr, small_experiment, "m"), te)["auroc"]

    full = auroc(train, test)
    right = full - auroc(kit.without_variable(train, column), kit.without_variable(test, column))
    assert synthetic_patients.hidden_variable_loss(right, column, train, test, small_experiment)
    assert "diabetes" in capsys.readouterr().out
    assert not synthetic_patients.hidden_variable_loss(-right, column, train, test,
                                                       small_experiment)
    assert "reversed" in capsys.readouterr().out
    only_train = full - auroc(kit.without_variable(train, column), test)
    assert not synthetic_patients.hidden_variable_loss(only_train, column, train, test,
                                                       small_experiment)
    assert "test patients too" in capsys.readouterr().out


def test_assay_factor_tells_the_lab_from_the_patients(small_cohort, capsys):
    assert synthetic_patients.assay_factor(1.3, small_cohort, "B")
    medians = {s: df.nt_probnp.median() for s, df in small_cohort.items()}
    assert not synthetic_patients.assay_factor(medians["B"] / medians["A"], small_cohort, "B")
    assert "ratio of the two sites' medians" in capsys.readouterr().out
    assert not synthetic_patients.assay_factor(1.0, small_cohort, "B")


def test_brier_names_the_usual_slips(trained, capsys):
    import numpy as np

    splits, local, _ = trained
    test, train, model = splits["B"].test, splits["B"].train, local["B"]
    y, p = test.readmitted_30d.to_numpy(), model.predict_proba(test)
    slips = {"square is missing": np.mean(np.abs(p - y)),
             "yes/no predictions": np.mean(((p >= 0.5) - y) ** 2),
             "training patients": np.mean((model.predict_proba(train)
                                           - train.readmitted_30d.to_numpy()) ** 2)}
    for words, value in slips.items():
        assert not local_models.brier(value, model, test, train=train)
        out = capsys.readouterr().out
        assert words in out and "np.float64" not in out


def test_mlp_auroc_names_a_forgotten_model_and_gives_the_interval(trained, small_experiment,
                                                                 capsys):
    splits, local, _ = trained
    train, test = splits["A"].train, splits["A"].test
    logistic = kit.evaluate(local["A"], test)["auroc"]
    assert not local_models.mlp_auroc(logistic, train, test, small_experiment)
    assert "model='mlp'" in capsys.readouterr().out
    mlp = kit.fit(train, kit.Experiment(**{**small_experiment.as_dict(), "model": "mlp"}), "m")
    assert local_models.mlp_auroc(kit.evaluate(mlp, test)["auroc"], train, test,
                                  small_experiment)
    assert "95 % interval" in capsys.readouterr().out


def test_bootstrap_interval_checks_the_resamples_and_their_percentiles(trained, capsys):
    import numpy as np

    splits, local, _ = trained
    test, model = splits["A"].test, local["A"]
    y, p = test.readmitted_30d.to_numpy(), model.predict_proba(test)
    rng = np.random.default_rng(5)
    values = [kit.auroc(y[i], p[i]) for i in (rng.integers(0, len(y), len(y))
                                             for _ in range(300))]
    right = tuple(np.nanpercentile(values, [2.5, 97.5]))
    assert local_models.bootstrap_interval(right, values, model, test)
    point = kit.evaluate(model, test)["auroc"]
    assert not local_models.bootstrap_interval((point, point), [point] * 300, model, test)
    assert "no width" in capsys.readouterr().out
    assert not local_models.bootstrap_interval(tuple(np.nanpercentile(values, [40, 60])),
                                               values, model, test)
    assert "20 % interval" in capsys.readouterr().out
    assert not local_models.bootstrap_interval((float("nan"), 0.8), values, model, test)
    assert not local_models.bootstrap_interval("wide", values, model, test)
    assert not local_models.bootstrap_interval(right, values[:30], model, test)
    assert "asks for 300" in capsys.readouterr().out


def test_subgroup_auroc(trained, capsys):
    splits, local, _ = trained
    test, model = splits["B"].test, local["B"]
    y, p, sex = test.readmitted_30d.to_numpy(), model.predict_proba(test), test.sex.to_numpy()
    right = {g: kit.auroc(y[sex == g], p[sex == g]) for g in ("F", "M")}
    assert local_models.subgroup_auroc(right, model, test, num_samples=50)
    assert "n=" in capsys.readouterr().out
    assert not local_models.subgroup_auroc({"F": right["M"], "M": right["F"]}, model, test)
    assert "swapped" in capsys.readouterr().out
    assert not local_models.subgroup_auroc({"F": kit.auroc(y, p), "M": right["M"]}, model, test)
    assert "all test patients" in capsys.readouterr().out
    assert not local_models.subgroup_auroc({"women": 0.7}, model, test)


def test_furthest_from_truth(trained, capsys):
    splits, local, _ = trained
    weights = dict(zip(kit.FEATURE_NAMES, local["A"].net.linear.weight.detach().numpy().ravel(),
                       strict=True))
    errors = {f: abs(w - kit.TRUE_COEFFICIENTS[f]) for f, w in weights.items()}
    assert local_models.furthest_from_truth(max(errors, key=errors.get), local["A"], local["B"])
    second = sorted(errors, key=errors.get)[-2]
    assert not local_models.furthest_from_truth(second, local["A"])
    assert not local_models.furthest_from_truth("shoe_size", local["A"])
    assert "not one of the model's variables" in capsys.readouterr().out


def test_values_moved_and_pooling_law(trained, capsys):
    splits, _, central = trained
    train = splits["A"].train
    size = sum(p.numel() for p in central.net.parameters())
    assert centralised.values_moved(train.size, size, train, central)
    assert not centralised.values_moved(len(train), size, train, central)
    assert "number of patients" in capsys.readouterr().out
    assert not centralised.values_moved(train.size, size - 1, train, central)
    right = {k: truth for k, (truth, _) in centralised.POOLING_STATEMENTS.items()}
    assert centralised.pooling_law(right)
    assert not centralised.pooling_law({**right, "copying_is_a_disclosure": False})
    out = capsys.readouterr().out
    assert "utlämnande" in out and "True" not in out.split("Hint:")[1]
    assert not centralised.pooling_law({k: "yes" for k in right})
    assert not centralised.pooling_law({})


def test_lesson_03_feedback_is_swedish_in_a_swedish_session(trained, capsys, monkeypatch):
    splits, local, central = trained
    monkeypatch.setenv("FEDLEARN_LANG", "sv")
    pooled = pd.concat([s.train for s in splits.values()], ignore_index=True)
    assert not centralised.pooled_training_data(
        pd.concat([pooled, splits["A"].test.head(1)], ignore_index=True), splits)
    out = capsys.readouterr().out
    assert "1 testpatient finns i de sammanslagna träningsdata." in out and "Tips" in out
    table = kit.compare([*local.values(), central], splits)
    gain = table.loc["central", "A"] - table.loc["local A", "A"]
    assert not centralised.collaboration_gain(-gain, table)
    assert "tecknet är omvänt" in capsys.readouterr().out
    train = splits["A"].train
    size = sum(p.numel() for p in central.net.parameters())
    assert not centralised.values_moved(train.size, size - 1, train, central)
    assert "räknar vikterna men inte interceptet" in capsys.readouterr().out
    right = {k: truth for k, (truth, _) in centralised.POOLING_STATEMENTS.items()}
    assert not centralised.pooling_law({**right, "pseudonyms_make_it_anonymous": True})
    assert "artikel 4.5 i dataskyddsförordningen" in capsys.readouterr().out
    assert centralised.values_moved(train.size, size, train, central)
    assert f"kopierade {train.size} värden" in capsys.readouterr().out  # no English 1,234
