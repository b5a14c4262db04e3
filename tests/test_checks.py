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
