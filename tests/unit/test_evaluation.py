import math

import numpy as np
import pandas as pd
import pytest

import fedlearn_kit as kit
from fedlearn_kit.evaluation import age_band


def test_auroc_of_perfect_random_and_single_class_predictions():
    y = np.array([0, 0, 1, 1])
    assert kit.auroc(y, np.array([0.1, 0.2, 0.8, 0.9])) == 1.0
    assert kit.auroc(y, np.array([0.5, 0.5, 0.5, 0.5])) == 0.5
    assert math.isnan(kit.auroc(np.array([1, 1]), np.array([0.2, 0.3])))


def test_scores_include_brier_and_rates():
    s = kit.scores(np.array([0, 1]), np.array([0.2, 0.6]))
    assert s["brier"] == pytest.approx((0.04 + 0.16) / 2)
    assert s["observed_rate"] == 0.5 and s["predicted_rate"] == pytest.approx(0.4)


def test_reliability_bins_are_ordered_and_close_for_a_calibrated_predictor():
    rng = np.random.default_rng(0)
    p = rng.uniform(0, 1, 20_000)
    y = rng.uniform(0, 1, p.size) < p
    curve = kit.reliability(y, p, bins=5)
    assert curve.predicted.is_monotonic_increasing
    assert (abs(curve.predicted - curve.observed) < 0.03).all()


def test_age_bands_cover_the_edges():
    bands = age_band(pd.Series([18, 64, 65, 79, 80, 105]))
    assert bands.tolist() == ["<65", "<65", "65-79", "65-79", "80+", "80+"]


def test_subgroup_scores_cover_sex_and_age(small_experiment):
    splits = kit.split_cohort(small_experiment.cohort(), 0.25, small_experiment.seed)
    model = kit.fit_central(splits, small_experiment)
    table = kit.subgroup_scores(model, splits["B"].test)
    assert table.value.tolist() == ["F", "M", "<65", "65-79", "80+"]
    assert table.groupby("group").n.sum().eq(len(splits["B"].test)).all()


def test_resampled_aurocs_equal_the_auroc_of_each_resample() -> None:
    from fedlearn_kit.evaluation import auroc, bootstrap_counts, resampled_aurocs

    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 60)
    y_hat = np.round(rng.random(60), 1)  # rounded: many ties, which count one half
    counts = bootstrap_counts(len(y), 25, seed=4)
    draws = np.random.default_rng(4)
    expected = []
    for _ in range(25):
        rows = draws.integers(0, len(y), len(y))
        expected.append(auroc(y[rows], y_hat[rows]))
    assert np.allclose(resampled_aurocs(y, y_hat, counts), expected, equal_nan=True)
    assert np.isnan(resampled_aurocs(np.zeros(5), np.arange(5.0), np.ones((1, 5)))[0])


def test_auroc_difference_is_paired_and_reads_as_its_interval() -> None:
    from fedlearn_kit.evaluation import Difference, auroc_difference

    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, 400)
    good = y + rng.normal(0, 0.8, 400)
    same = auroc_difference(y, good, good)
    assert same == Difference(0.0, 0.0, 0.0) and not same.excludes_zero and same.within(0)
    better = auroc_difference(y, good, rng.random(400))
    assert better.value > 0.2 and better.excludes_zero and better.low > 0.1
    assert str(better).startswith(f"{better.value:+.3f} (95 % interval")
    assert Difference(0.001, -0.002, 0.004).within(0.005)
    assert not Difference(0.001, -0.002, 0.004).within(0.003)


def test_difference_minus_another_sites_difference_widens_the_interval() -> None:
    from fedlearn_kit.evaluation import Difference

    a, d = Difference(0.04, 0.03, 0.05), Difference(0.01, 0.00, 0.02)
    apart = a.minus(d)
    assert abs(apart.value - 0.03) < 1e-12
    # half-widths 0.01 and 0.01 in quadrature: 0.01 * sqrt(2) either side
    assert abs(apart.high - apart.value - 0.01 * 2 ** 0.5) < 1e-12
    assert apart.excludes_zero and not a.minus(Difference(0.03, 0.0, 0.06)).excludes_zero


def test_auroc_intervals_bracket_every_value_of_compare(small_experiment) -> None:
    from fedlearn_kit.evaluation import auroc_intervals

    splits = kit.split_cohort(small_experiment.cohort(), 0.25, small_experiment.seed)
    local = kit.fit_local(splits, small_experiment)
    table = kit.compare(local, splits)
    low, high = auroc_intervals(local, splits, num_samples=100)
    assert low.shape == high.shape == table.shape
    assert list(low.index) == list(table.index) and list(low.columns) == list(table.columns)
    assert ((low <= table) & (table <= high)).all().all()
    assert ((high - low) > 0.01).all().all()  # a few hundred test patients: not exact


def test_gains_by_size_names_every_exception() -> None:
    from fedlearn_kit.evaluation import gains_by_size

    sizes = {"A": 226, "B": 1800, "C": 900, "D": 224}
    lesson_04 = gains_by_size({"A": 0.040, "B": -0.001, "C": 0.010, "D": 0.015}, sizes)
    assert lesson_04 == ("With this seed the gains shrink with size, with one exception: "
                         "D (224 patients) gains less than A (226).")
    # half the pairs out of order: no trend to speak of
    assert gains_by_size({"A": 0.01, "B": 0.03, "C": 0.0, "D": 0.02}, sizes).startswith(
        "With this seed the gains do not follow size: D (224 patients) gains less than")
    assert gains_by_size({"A": 0.05, "B": 0.0, "C": 0.02, "D": 0.06}, sizes) == (
        "With this seed, the smaller the hospital, the more it gains.")
    assert gains_by_size({"A": 0.0, "B": 0.01}, sizes).startswith(
        "With this seed the gains do not follow size")


def test_the_printed_lines_of_lesson_03_speak_the_course_language(monkeypatch) -> None:
    gains = {"A": kit.evaluation.Difference(0.033, 0.024, 0.042),
             "B": kit.evaluation.Difference(-0.001, -0.002, 0.0)}
    monkeypatch.setenv("FEDLEARN_LANG", "en")
    assert kit.evaluation.gain_lines(gains, "central").splitlines() == [
        "Site A: central minus own model = +0.033 (95 % interval +0.024 to +0.042) AUROC",
        "Site B: central minus own model = -0.001 (95 % interval -0.002 to +0.000) AUROC"]
    assert kit.evaluation.borrowed_line(gains["B"], "A", "B", "central") == (
        "Site A's patients: central minus Site B's model = -0.001 (95 % interval -0.002 to "
        "+0.000) AUROC")
    monkeypatch.setenv("FEDLEARN_LANG", "sv")
    assert kit.evaluation.gain_lines(gains, "central").splitlines()[0] == (
        "Sjukhus A: central minus den egna modellen = +0.033 (95 %-intervall +0.024 till "
        "+0.042) AUROC")
    assert kit.evaluation.borrowed_line(gains["A"], "A", "B", "central").startswith(
        "Sjukhus A:s patienter: central minus sjukhus B:s modell = +0.033")


def test_pooling_cost_reads_in_the_course_language(small_experiment, monkeypatch) -> None:
    cohort = small_experiment.cohort()
    splits = kit.split_cohort(cohort, 0.25, small_experiment.seed)
    central = kit.fit_central(splits, small_experiment)
    moved = kit.pooling_cost(splits, central)
    assert moved.loc["the trained model", "values"] == len(kit.FEATURE_NAMES) + 1
    monkeypatch.setenv("FEDLEARN_LANG", "sv")
    shown = kit.evaluation.readable_cost(moved)
    assert list(shown.columns) == ["patienter", "värden"]
    assert list(shown.index) == ["Kopierade journaluppgifter från sjukhus A",
                                 "Kopierade journaluppgifter från sjukhus B",
                                 "den tränade modellen"]
    assert shown.to_numpy().tolist() == moved.to_numpy().tolist()
    n = sum(len(s.train) for s in splits.values())
    assert kit.training.trained_on_sentence(central, splits) == (
        f"Modellen 'central' tränades på {n} patienter från sjukhusen A, B.")
