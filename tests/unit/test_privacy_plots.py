"""The figures of lessons 05 and 06 draw the numbers they are given (read back from the axes)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

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
    np.testing.assert_array_equal(right_lines["bound from (ε, δ)"], [0.3, 0.8])
    assert left.get_xscale() == right.get_xscale() == "log"


def test_privacy_utility_shows_the_full_axis_the_draws_and_both_bounds():
    """The reviews' figure: AUROC from chance (0.5) to 1, a range over noise draws, and the
    mechanism's bound beside the (ε, δ) bound."""
    curve = pd.DataFrame({"epsilon": [0.5, 2.0, np.inf], "auroc A": [0.65, 0.74, 0.75],
                          "auroc A low": [0.57, 0.72, 0.75], "auroc A high": [0.75, 0.76, 0.75],
                          "held_out_advantage": [0.02, 0.05, 0.1], "ci_low": [-0.1, -0.05, 0],
                          "ci_high": [0.1, 0.15, 0.2], "advantage_bound": [0.46, 0.96, 1],
                          "mechanism_bound": [0.1, 0.34, 1]})
    left, right = plots.plot_privacy_utility(curve).axes[:2]
    assert left.get_ylim() == (0.5, 1.0)  # not a zoomed 0.70-0.77
    assert left.get_ylabel() == "AUROC (0.5 = chance)"
    assert any("noise draws" in t.get_text() for t in left.get_legend().get_texts())
    (bars,) = left.containers  # one error-bar container per site: the draws' range
    segments = bars.lines[2][0].get_segments()
    np.testing.assert_allclose([s[:, 1] for s in segments], [[0.57, 0.75], [0.72, 0.76]])
    drawn = {line.get_label(): _xy(line)[1] for line in right.lines}
    np.testing.assert_array_equal(drawn["bound from (ε, δ)"], [0.46, 0.96])
    np.testing.assert_array_equal(drawn["bound from the mechanism (PLD)"], [0.1, 0.34])
    # The text alternative reads the draws' range as a range of one site, not as two sites.
    text = plots.privacy_utility_description(curve)
    assert "At ε = 0.5: AUROC Site A 0.650 (noise draws from 0.570 to 0.750); " in text
    assert "Site A low" not in text and "Site A high" not in text


def test_subgroup_bars_are_each_models_auroc_with_training_counts_and_draws():
    groups = pd.DataFrame({"model": ["no DP", "no DP", "DP", "DP"], "group": ["sex"] * 4,
                           "value": ["F", "M", "F", "M"], "n": [2333, 2667] * 2,
                           "n_train": [109, 117] * 2, "auroc": [0.8, 0.78, 0.7, 0.72],
                           "auroc_low": [0.8, 0.78, 0.6, 0.7],
                           "auroc_high": [0.8, 0.78, 0.75, 0.74]})
    ax = plots.plot_subgroups(groups).axes[0]
    from matplotlib.container import BarContainer, ErrorbarContainer

    heights = [[bar.get_height() for bar in c] for c in ax.containers
               if isinstance(c, BarContainer)]
    np.testing.assert_allclose(heights, [[0.8, 0.78], [0.7, 0.72]])
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels == ["sex: F\n(trained on 109)", "sex: M\n(trained on 117)"]
    assert ax.get_ylim()[0] == 0.5 and ax.get_ylabel().startswith("AUROC")
    ranges = [c for c in ax.containers if isinstance(c, ErrorbarContainer)]
    assert len(ranges) == 2  # the range over the draws on each model's bars
    without = plots.plot_subgroups(groups.drop(columns=["n_train", "auroc_low", "auroc_high"]))
    labels = [t.get_text() for t in without.axes[0].get_xticklabels()]
    assert labels == ["sex: F\n(scored 2333)", "sex: M\n(scored 2667)"]


def test_reconstruction_draws_one_line_per_epoch_count():
    sweep = pd.DataFrame({1: [0.0, 0.5], 5: [0.25, 0.6]}, index=[1, 8])
    ax = plots.plot_reconstruction(sweep).axes[0]
    (x1, y1), (x5, y5) = (_xy(line) for line in ax.lines)
    np.testing.assert_array_equal(x1, [1, 8])
    np.testing.assert_array_equal(y1, [1e-8, 0.5])  # an exact recovery stays on the log axis
    np.testing.assert_array_equal(y5, [0.25, 0.6])
    assert [line.get_label() for line in ax.lines] == ["1 local epoch", "5 local epochs"]


def test_round_leakage_draws_each_column_and_the_blind_baseline():
    rounds = pd.DataFrame({"site A update": [0.1, 0.2], "global model": [0.0, 0.05]},
                          index=[1, 2])
    ax = plots.plot_round_leakage(rounds, baseline=0.08).axes[0]
    drawn = {line.get_label(): _xy(line)[1] for line in ax.lines}
    np.testing.assert_array_equal(drawn["Site A's update"], [0.1, 0.2])
    np.testing.assert_array_equal(drawn["global model"], [0.0, 0.05])
    assert drawn["blind attack, 95th percentile"][0] == 0.08


def test_round_leakage_draws_one_blind_line_per_site_in_its_colour():
    rounds = pd.DataFrame({"site A update": [0.1, 0.2], "global model, site B patients":
                           [0.03, 0.02]}, index=[1, 2])
    ax = plots.plot_round_leakage(rounds, baseline={"A": 0.086, "B": 0.034}).axes[0]
    drawn = {line.get_label(): line for line in ax.lines}
    site_a = drawn["blind attack, 95th percentile, Site A's numbers"]
    site_b = drawn["blind attack, 95th percentile, Site B's numbers"]
    assert (_xy(site_a)[1][0], _xy(site_b)[1][0]) == (0.086, 0.034)
    assert site_a.get_color() == drawn["Site A's update"].get_color()
    assert site_b.get_color() == drawn["global model, Site B's patients"].get_color()
