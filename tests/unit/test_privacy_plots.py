"""The figures of lessons 05 and 06 draw from the kit's own results."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from fedlearn_kit.privacy import attacks, plots  # noqa: E402


def test_every_figure_is_drawn_and_returned():
    rng = np.random.default_rng(0)
    result = attacks.AttackResult("x", rng.normal(1, 1, 100), rng.normal(0, 1, 500))
    curve = pd.DataFrame({"epsilon": [0.5, 2.0, np.inf], "auroc A": [0.6, 0.7, 0.75],
                          "auroc B": [0.62, 0.7, 0.74], "advantage": [0.05, 0.1, 0.2]})
    groups = pd.DataFrame({"model": ["no DP", "no DP", "DP", "DP"], "group": ["sex"] * 4,
                           "value": ["F", "M", "F", "M"], "auroc": [0.8, 0.78, 0.7, 0.72]})
    sweep = pd.DataFrame({1: [0.0, 0.5], 5: [0.0, 0.6]}, index=[1, 8])
    rounds = pd.DataFrame({"site A update": [0.1, 0.2], "site B update": [0.03, 0.02]},
                          index=[1, 2])
    figures = [plots.plot_attack_roc({"x": result}), plots.plot_privacy_utility(curve),
               plots.plot_subgroups(groups), plots.plot_reconstruction(sweep),
               plots.plot_round_leakage(rounds)]
    assert all(isinstance(f, Figure) and f.axes for f in figures)
    assert figures[1].axes[0].get_xscale() == "log"
    assert figures[0].axes[0].get_yscale() == "log"


def test_the_figures_the_reviews_found_misleading_now_show_what_they_should():
    curve = pd.DataFrame({"epsilon": [0.5, 2.0, np.inf], "auroc A": [0.65, 0.74, 0.75],
                          "auroc A low": [0.57, 0.72, 0.75], "auroc A high": [0.75, 0.76, 0.75],
                          "held_out_advantage": [0.02, 0.05, 0.1], "ci_low": [-0.1, -0.05, 0],
                          "ci_high": [0.1, 0.15, 0.2], "advantage_bound": [0.46, 0.96, 1],
                          "mechanism_bound": [0.1, 0.34, 1]})
    left, right = plots.plot_privacy_utility(curve).axes[:2]
    assert left.get_ylim() == (0.5, 1.0)  # the full AUROC axis from chance, not 0.70-0.77
    assert any("noise draws" in t.get_text() for t in left.get_legend().get_texts())
    legend = [t.get_text() for t in right.get_legend().get_texts()]
    assert any("mechanism" in t for t in legend) and any("(ε, δ)" in t for t in legend)
    groups = pd.DataFrame({"model": ["no DP", "no DP", "DP", "DP"], "group": ["sex"] * 4,
                           "value": ["F", "M", "F", "M"], "n": [2333, 2667] * 2,
                           "n_train": [109, 117] * 2, "auroc": [0.8, 0.78, 0.7, 0.72],
                           "auroc_low": [0.8, 0.78, 0.6, 0.7], "auroc_high": [0.8, 0.78, 0.75,
                                                                             0.74]})
    ax = plots.plot_subgroups(groups).axes[0]
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels == ["sex: F\n(trained on 109)", "sex: M\n(trained on 117)"]
    assert ax.get_ylim()[0] == 0.5 and ax.get_ylabel().startswith("AUROC")
    assert len(ax.lines) or ax.collections  # the range bars are drawn
    rounds = pd.DataFrame({"site A update": [0.1, 0.2], "global model, site B patients":
                           [0.03, 0.02]}, index=[1, 2])
    fig = plots.plot_round_leakage(rounds, baseline={"A": 0.086, "B": 0.034})
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "blind attack, 95th percentile, Site A's numbers" in legend
    assert "blind attack, 95th percentile, Site B's numbers" in legend
    blind = [line for line in fig.axes[0].lines if line.get_label().startswith("blind")]
    assert sorted(line.get_ydata()[0] for line in blind) == [0.034, 0.086]
