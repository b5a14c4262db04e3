"""The figures of lessons 05 and 06 draw the numbers they are given (read back from the axes)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from fedlearn_kit.privacy import attacks, plots  # noqa: E402


def _xy(line) -> tuple[np.ndarray, np.ndarray]:
    return np.asarray(line.get_xdata(), float), np.asarray(line.get_ydata(), float)


def test_attack_roc_draws_each_curve_above_the_floor_on_log_axes():
    rng = np.random.default_rng(0)
    result = attacks.AttackResult("x", rng.normal(1, 1, 100), rng.normal(0, 1, 500))
    ax = plots.plot_attack_roc({"member test": result}).axes[0]
    x, y = _xy(ax.lines[0])
    np.testing.assert_array_equal(x, np.maximum(result.fpr, 1e-4))
    np.testing.assert_array_equal(y, np.maximum(result.tpr, 1e-4))
    assert ax.lines[0].get_label() == f"member test (AUC {result.auc:.2f})"
    assert (ax.get_xscale(), ax.get_yscale()) == ("log", "log")
    guess_x, guess_y = _xy(ax.lines[1])
    np.testing.assert_array_equal(guess_x, guess_y)  # the guessing diagonal


def test_privacy_utility_draws_auroc_per_site_and_the_advantage():
    curve = pd.DataFrame({"epsilon": [0.5, 2.0, np.inf], "auroc A": [0.6, 0.7, 0.75],
                          "auroc B": [0.62, 0.71, 0.74], "advantage": [0.05, 0.1, 0.2],
                          "advantage_bound": [0.3, 0.8, np.nan]})
    left, right = plots.plot_privacy_utility(curve).axes
    lines = {line.get_label(): _xy(line) for line in left.lines}
    np.testing.assert_array_equal(lines["Site A patients"][0], [0.5, 2.0])
    np.testing.assert_array_equal(lines["Site A patients"][1], [0.6, 0.7])
    np.testing.assert_array_equal(lines["Site B patients"][1], [0.62, 0.71])
    no_dp = sorted(y[0] for label, (_, y) in lines.items() if label.startswith("_"))
    assert no_dp == [0.74, 0.75]  # the dashed no-DP level of each site
    right_lines = {line.get_label(): _xy(line)[1] for line in right.lines}
    np.testing.assert_array_equal(right_lines["measured advantage"], [0.05, 0.1])
    np.testing.assert_array_equal(right_lines["DP bound, replace-one (2ε, (1+e^ε)δ)"],
                                  [0.3, 0.8])
    assert right_lines["no DP"][0] == 0.2
    assert left.get_xscale() == right.get_xscale() == "log"


def test_subgroup_bars_are_each_models_auroc_in_order():
    groups = pd.DataFrame({"model": ["no DP", "no DP", "DP", "DP"], "group": ["sex"] * 4,
                           "value": ["F", "M", "F", "M"], "auroc": [0.8, 0.78, 0.7, 0.72],
                           "n": [40, 60, 40, 60]})
    ax = plots.plot_subgroups(groups).axes[0]
    heights = [bar.get_height() for bar in ax.patches]
    assert heights == [0.8, 0.78, 0.7, 0.72]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["sex: F\n(n = 40)",
                                                            "sex: M\n(n = 60)"]
    assert ax.get_ylim()[0] == pytest.approx(0.65)  # 0.05 below the lowest bar


def test_reconstruction_draws_one_line_per_epoch_count():
    sweep = pd.DataFrame({1: [0.0, 0.5], 5: [0.25, 0.6]}, index=[1, 8])
    ax = plots.plot_reconstruction(sweep).axes[0]
    (x1, y1), (x5, y5) = (_xy(line) for line in ax.lines)
    np.testing.assert_array_equal(x1, [1, 8])
    np.testing.assert_array_equal(y1, [1e-8, 0.5])  # an exact recovery stays on the log axis
    np.testing.assert_array_equal(y5, [0.25, 0.6])
    assert [line.get_label() for line in ax.lines] == ["1 local epoch(s)", "5 local epoch(s)"]


def test_round_leakage_draws_each_column_and_the_blind_baseline():
    rounds = pd.DataFrame({"site A update": [0.1, 0.2], "global model": [0.0, 0.05]},
                          index=[1, 2])
    ax = plots.plot_round_leakage(rounds, baseline=0.08).axes[0]
    drawn = {line.get_label(): _xy(line)[1] for line in ax.lines}
    np.testing.assert_array_equal(drawn["site A update"], [0.1, 0.2])
    np.testing.assert_array_equal(drawn["global model"], [0.0, 0.05])
    assert drawn["blind attack, 95th percentile"][0] == 0.08
