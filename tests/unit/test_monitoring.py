"""Lab recalibration: same patients, same outcomes, a shifted lab value."""

from __future__ import annotations

import pytest

import fedlearn_kit as kit
from fedlearn_kit.monitoring import lab_recalibration


@pytest.fixture(scope="module")
def central(small_experiment):
    cohort = small_experiment.cohort()
    splits = kit.split_cohort(cohort, small_experiment.test_fraction, small_experiment.seed)
    return kit.fit_central(splits, small_experiment)


def test_outcomes_stay_and_predictions_follow_the_assay(central, small_experiment):
    # NT-proBNP raises the risk (cohort.TRUE_COEFFICIENTS), and the model has learnt so: an
    # assay reading twice as high raises the predicted rate, one reading half as high lowers
    # it, while the patients and their outcomes stay the same.
    assert kit.TRUE_COEFFICIENTS["nt_probnp"] > 0
    higher = lab_recalibration(central, small_experiment, site="A", factor=2.0,
                               num_patients=1000)
    lower = lab_recalibration(central, small_experiment, site="A", factor=0.5,
                              num_patients=1000)
    assert list(higher.index) == ["as trained", "assay x2"]
    assert higher["observed_rate"].nunique() == 1  # the same patients, the same outcomes
    assert higher.iloc[0].equals(lower.iloc[0])  # the same "as trained" patients
    before = higher["predicted_rate"].iloc[0]
    assert lower["predicted_rate"].iloc[1] < before < higher["predicted_rate"].iloc[1]


def test_factor_one_changes_nothing(central, small_experiment):
    table = lab_recalibration(central, small_experiment, factor=1.0, num_patients=500)
    assert table.iloc[0].equals(table.iloc[1])


def test_bad_site_and_factor_are_explained(central, small_experiment):
    with pytest.raises(ValueError, match="this experiment has sites"):
        lab_recalibration(central, small_experiment, site="Z")
    with pytest.raises(ValueError, match="must be > 0"):
        lab_recalibration(central, small_experiment, factor=0)
