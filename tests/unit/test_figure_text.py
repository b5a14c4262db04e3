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
