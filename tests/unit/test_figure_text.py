"""Figures carry a text alternative computed from what they draw (fedlearn_kit.figure_text)."""

from __future__ import annotations

import pandas as pd
import pytest

from fedlearn_kit import figure_text, plots


def test_describe_attaches_and_the_export_reads_it_back():
    fig, _ = plots.new_figure()
    assert figure_text.description(fig) is None
    figure_text.describe(fig, "Bar chart of X.\n  Highest: Y.")
    assert figure_text.description(fig) == "Bar chart of X. Highest: Y."
    assert figure_text.alt_text({"text/plain": ["Bar chart of X. ", "Highest: Y."]}) == \
        "Bar chart of X. Highest: Y."
    assert figure_text.alt_text({"text/plain": "<Figure size 585x306 with 1 Axes>"}) is None
    with pytest.raises(ValueError, match="must say what it shows"):
        figure_text.describe(fig, "  ")


def test_comparison_description_names_the_best_model_per_site():
    table = pd.DataFrame({"A": [0.70, 0.75], "B": [0.78, 0.77]}, index=["local A", "central"])
    text = plots.comparison_description(table, "AUROC (0.5 = chance)", "Who gains?")
    assert "On Site A's patients the highest is central, 0.750." in text
    assert "On Site B's patients the highest is local A, 0.780." in text
    assert "of AUROC for the models local A, central" in text
    fig = plots.plot_comparison(table)
    assert figure_text.description(fig) == plots.comparison_description(table, "AUROC")


def test_reliability_description_names_the_closest_and_farthest_curve():
    text = plots.reliability_description({"local A": 0.05, "central": 0.01}, "On Site A")
    assert "closest to the diagonal is that of central" in text and "1.0 percentage points" in text
    assert "The farthest is that of local A, 5.0 percentage points." in text


def test_series_differ_by_more_than_colour():
    n = 6
    for cue in (plots.series_marker, plots.series_line_style, plots.series_hatch):
        assert len({str(cue(i)) for i in range(n)}) == n


def test_federation_figures_say_each_sites_values():
    from types import SimpleNamespace

    from fedlearn_kit.federation import plots as fplots

    rounds = pd.DataFrame({"A": [0.60, 0.68], "B": [0.70, 0.74]}, index=[1, 2])
    run = SimpleNamespace(sites=["A", "B"], site_metrics=lambda metric: rounds)
    text = fplots.rounds_description({"FedAvg": run}, "auroc",
                                     {"central": {"A": 0.71, "B": 0.75}})
    assert "global model's AUROC" in text
    assert "On Site A's patients, the last round gives FedAvg 0.680." in text
    assert "On Site B's patients, the last round gives FedAvg 0.740." in text
    assert "The horizontal lines: central 0.710." in text
    table = pd.DataFrame({"A": [0.60, 0.70, 0.66], "B": [0.78, 0.77, 0.76]},
                         index=["local A", "local B", "central"])
    gain = figure_text.description(fplots.plot_gain(table))
    assert "On Site A's patients: central +0.060." in gain
    assert "On Site B's patients: central -0.010." in gain
    assert figure_text.description(fplots.plot_collaboration(table)) == \
        plots.comparison_description(table, "AUROC")


def test_privacy_figures_say_what_they_measured():
    import numpy as np

    from fedlearn_kit.privacy import plots as pplots
    from fedlearn_kit.privacy.attacks import AttackResult

    rng = np.random.default_rng(0)
    strong = AttackResult("local A", rng.normal(1, 1, 200), rng.normal(0, 1, 200))
    weak = AttackResult("central", rng.normal(0.1, 1, 200), rng.normal(0, 1, 200))
    roc = figure_text.description(pplots.plot_attack_roc({"local A": strong, "central": weak}))
    assert f"local A {strong.auc:.2f}, central {weak.auc:.2f}" in roc
    assert "The largest is local A's." in roc and "0.1 % and 1 % false positives" in roc

    groups = pd.DataFrame({"group": ["sex", "sex", "sex", "sex"], "value": ["F", "M", "F", "M"],
                           "n": [40, 60, 40, 60], "model": ["no DP", "no DP", "ε=1", "ε=1"],
                           "auroc": [0.70, 0.72, 0.61, 0.69]})
    text = figure_text.description(pplots.plot_subgroups(groups))
    assert "one bar per model: no DP, ε=1." in text
    assert "The lowest bar is ε=1 for sex F: 0.610." in text

    errors = pd.DataFrame({1: [0.001, 0.2], 5: [0.05, 0.4]}, index=[1, 32])
    text = figure_text.description(pplots.plot_reconstruction(errors))
    assert "The smallest distance is 0.001, for an update of 1 records with local epochs set " \
           "to 1." in text

    leakage = pd.DataFrame({"update A": [0.05, 0.20], "global": [0.02, 0.03]}, index=[1, 2])
    text = figure_text.description(pplots.plot_round_leakage(leakage, baseline=0.08))
    assert "one time in 20: 0.080." in text
    assert "The highest value is 0.200, for update A in round 2." in text

    budget = pd.DataFrame({"epsilon": [0.5, 8.0, np.inf], "auroc A": [0.60, 0.68, 0.70],
                           "auroc B": [0.70, 0.75, 0.76], "advantage": [0.01, 0.05, 0.09]})
    text = figure_text.description(pplots.plot_privacy_utility(budget))
    assert "At ε = 0.5: AUROC Site A 0.600, Site B 0.700; advantage 0.010." in text
    assert "At ε = 8: AUROC Site A 0.680, Site B 0.750; advantage 0.050." in text


def test_a_lessons_figure_title_and_axes_follow_the_course_language(monkeypatch):
    # Lesson 03's code cell passes an English title; a Swedish lesson must draw it in Swedish.
    table = pd.DataFrame({"A": [0.77, 0.80], "B": [0.75, 0.79]}, index=["local A", "central"])
    monkeypatch.setenv("FEDLEARN_LANG", "sv")
    fig = plots.plot_comparison(table, title="Who gains from pooling?")
    ax = fig.axes[0]
    assert ax.get_title() == "Vem vinner på sammanslagningen?"
    assert ax.get_ylabel() == "AUROC (0.5 = slump)"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Sjukhus A:s patienter",
                                                           "Sjukhus B:s patienter"]
    assert "(Vem vinner på sammanslagningen?)" in figure_text.description(fig)
    monkeypatch.setenv("FEDLEARN_LANG", "en")
    fig = plots.plot_comparison(table, title="A title no catalogue holds")
    assert fig.axes[0].get_title() == "A title no catalogue holds"
