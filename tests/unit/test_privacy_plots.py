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
    rounds = pd.DataFrame({"site A update": [0.1, 0.2]}, index=[1, 2])
    figures = [plots.plot_attack_roc({"x": result}), plots.plot_privacy_utility(curve),
               plots.plot_subgroups(groups), plots.plot_reconstruction(sweep),
               plots.plot_round_leakage(rounds)]
    assert all(isinstance(f, Figure) and f.axes for f in figures)
    assert figures[1].axes[0].get_xscale() == "log"
    assert figures[0].axes[0].get_yscale() == "log"
