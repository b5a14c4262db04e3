"""Every figure the kit draws can be read on its own: a title, axis labels (with units where
the quantity has one), and a legend when an axes shows more than one series.

Each plotting function of the kit (``plot_*`` in the modules of :data:`PLOT_MODULES`) must
have an example in :data:`EXAMPLES`; a new one without fails here, so no figure escapes.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from dataclasses import replace
from functools import cache
from types import ModuleType
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.container import BarContainer, ErrorbarContainer
from matplotlib.figure import Figure
from matplotlib.patches import Polygon

import fedlearn_kit as kit
from fedlearn_kit import evaluation, plots
from fedlearn_kit.federation import plots as federation_plots
from fedlearn_kit.privacy import plots as privacy_plots
from fedlearn_kit.privacy.attacks import AttackResult
from fedlearn_kit.schema import BY_NAME

PLOT_MODULES: tuple[ModuleType, ...] = (plots, federation_plots, privacy_plots)
#: A label that is a bare column or variable name ("nt_probnp"), not words for a reader.
_IDENTIFIER = re.compile(r"^[a-z0-9]+(_[a-z0-9]+)+$")


@cache
def course() -> dict[str, Any]:
    """A small version of what the lessons plot: two sites, their models, a federated run."""
    exp = kit.Experiment(patients_per_site=400, seed=7, epochs=3, num_rounds=2)
    cohort = exp.cohort()
    splits = kit.split_cohort(cohort, exp.test_fraction, exp.seed)
    local = kit.fit_local(splits, exp)
    central = kit.fit_central(splits, exp)
    future = kit.future_patients(cohort, 400)
    table = kit.compare([*local.values(), central], future)
    fedavg = kit.federation.run(exp, progress=False)
    fedprox = kit.federation.run(replace(exp, strategy="fedprox"), progress=False)
    return {"cohort": cohort, "local": local, "central": central, "future": future,
            "table": table, "runs": {"FedAvg": fedavg, "FedProx": fedprox},
            "intervals": evaluation.auroc_intervals([*local.values(), central], future,
                                                    num_samples=50)}


def _attacks() -> dict[str, AttackResult]:
    rng = np.random.default_rng(0)
    return {name: AttackResult(name, rng.normal(shift, 1, 200), rng.normal(0, 1, 200))
            for name, shift in (("loss threshold", 0.3), ("LiRA", 0.6))}


def _privacy_utility() -> pd.DataFrame:
    eps = np.array([0.5, 1, 4, np.inf])
    return pd.DataFrame({"epsilon": eps, "auroc A": [0.70, 0.74, 0.76, 0.77],
                         "auroc B": [0.75, 0.78, 0.79, 0.79],
                         "held_out_advantage": [0.01, 0.02, 0.03, 0.05],
                         "ci_low": [-0.05, -0.04, -0.03, -0.01],
                         "ci_high": [0.07, 0.08, 0.09, 0.11],
                         "advantage_bound": [0.46, 0.76, 1.0, 1.0],
                         "null_advantage_95": [0.06] * 4})


def _subgroups() -> pd.DataFrame:
    rows = [{"model": m, "group": g, "value": v, "n": n, "auroc": a}
            for m, shift in (("no DP", 0.0), ("ε = 1", -0.03))
            for (g, v, n, a) in (("sex", "F", 120, 0.78), ("sex", "M", 130, 0.80),
                                 ("age band", "<65", 40, 0.74))
            for a in [a + shift]]
    return pd.DataFrame(rows)


EXAMPLES: dict[str, Callable[[], Figure]] = {
    "fedlearn_kit.plots.plot_sites": lambda: plots.plot_sites(course()["cohort"]),
    "fedlearn_kit.plots.plot_reliability": lambda: plots.plot_reliability(
        course()["local"], course()["future"]["A"]),
    "fedlearn_kit.plots.plot_coefficients": lambda: plots.plot_coefficients(course()["local"]),
    "fedlearn_kit.plots.plot_comparison": lambda: plots.plot_comparison(course()["table"]),
    "fedlearn_kit.plots.plot_comparison with intervals": lambda: plots.plot_comparison(
        course()["table"], intervals=course()["intervals"]),
    "fedlearn_kit.federation.plots.plot_rounds": lambda: federation_plots.plot_rounds(
        course()["runs"]),
    "fedlearn_kit.federation.plots.plot_gain": lambda: federation_plots.plot_gain(
        course()["table"]),
    "fedlearn_kit.federation.plots.plot_collaboration": lambda: (
        federation_plots.plot_collaboration(course()["table"])),
    "fedlearn_kit.privacy.plots.plot_attack_roc": lambda: privacy_plots.plot_attack_roc(
        _attacks()),
    "fedlearn_kit.privacy.plots.plot_privacy_utility": lambda: (
        privacy_plots.plot_privacy_utility(_privacy_utility())),
    "fedlearn_kit.privacy.plots.plot_subgroups": lambda: privacy_plots.plot_subgroups(
        _subgroups()),
    "fedlearn_kit.privacy.plots.plot_reconstruction": lambda: (
        privacy_plots.plot_reconstruction(pd.DataFrame({1: [1e-6, 0.2], 5: [1e-3, 0.4]},
                                                       index=[1, 8]))),
    "fedlearn_kit.privacy.plots.plot_round_leakage": lambda: (
        privacy_plots.plot_round_leakage(pd.DataFrame({"Site A's update": [0.1, 0.2],
                                                       "aggregate": [0.05, 0.04]},
                                                      index=[1, 2]), baseline=0.08)),
}


def plotting_functions() -> list[str]:
    """Every public ``plot_*`` function of the kit's plotting modules, by full name."""
    return sorted(f"{module.__name__}.{name}" for module in PLOT_MODULES
                  for name, fn in inspect.getmembers(module, inspect.isfunction)
                  if name.startswith("plot_") and fn.__module__ == module.__name__)


def _text_ticks(labels: list[Any]) -> bool:
    """True when an axis is categorical: its tick labels are words, not numbers."""
    texts = [t.get_text() for t in labels if t.get_text()]
    return bool(texts) and not all(re.fullmatch(r"[−\-+0-9.,e^{}$\\mathdefault ]+|10\^?.*", t)
                                   for t in texts)


def series_count(ax: Axes) -> int:
    """How many data series an axes draws: curves, labelled lines, bar groups, step
    histograms and scatter groups (one per colour). An unlabelled straight line across the
    axes (a zero line, a marker at a threshold) is a reference, not a series."""
    bars = [c for c in ax.containers if isinstance(c, BarContainer)]
    errorbars = [c for c in ax.containers if isinstance(c, ErrorbarContainer)]
    in_errorbars = {id(part) for c in errorbars for part in (c.lines[0], *c.lines[1],
                                                              *c.lines[2]) if part is not None}
    lines = [line for line in ax.lines if id(line) not in in_errorbars
             and (len(line.get_xdata()) > 2 or not line.get_label().startswith("_"))]
    steps = [p for p in ax.patches if isinstance(p, Polygon)]
    colours = {tuple(np.round(c.get_edgecolor()[0], 3)) for c in ax.collections
               if len(c.get_edgecolor()) and id(c) not in in_errorbars}
    return len(bars) + len(lines) + len(steps) + len(colours)


def _legend_entries(fig: Figure) -> int:
    legends = [ax.get_legend() for ax in fig.axes if ax.get_legend()] + list(fig.legends)
    return max((len(legend.get_texts()) for legend in legends), default=0)


def figure_problems(fig: Figure) -> list[str]:
    """What a reader would miss in ``fig`` (empty when it reads on its own)."""
    problems = []
    suptitle = fig._suptitle.get_text() if fig._suptitle else ""  # noqa: SLF001
    panels = [ax for ax in fig.axes if ax.axison and ax.has_data()]
    if not panels:
        return ["the figure draws nothing"]
    for n, ax in enumerate(panels):
        where = f"panel {n + 1} ({ax.get_title() or 'untitled'})"
        if not (ax.get_title() or suptitle):
            problems.append(f"{where}: no title")
        if not ax.get_xlabel() and not _text_ticks(ax.get_xticklabels()):
            problems.append(f"{where}: no x-axis label")
        if not ax.get_ylabel() and not _text_ticks(ax.get_yticklabels()):
            problems.append(f"{where}: no y-axis label")
        for label in (ax.get_xlabel(), ax.get_ylabel(), ax.get_title()):
            if _IDENTIFIER.match(label):
                problems.append(f"{where}: the label {label!r} is a variable's name, not words")
        if series_count(ax) > 1 and _legend_entries(fig) < 2:
            problems.append(f"{where}: {series_count(ax)} series but no legend naming them")
    return problems


def test_every_plotting_function_has_an_example() -> None:
    examples = {name.split(" with ")[0] for name in EXAMPLES}
    assert sorted(set(plotting_functions()) - examples) == []
    assert sorted(examples - set(plotting_functions())) == []


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_a_figure_has_a_title_axis_labels_and_a_legend(name: str) -> None:
    fig = EXAMPLES[name]()
    try:
        assert figure_problems(fig) == []
    finally:
        plt.close(fig)


def test_histograms_of_whole_numbers_have_whole_bins_and_units() -> None:
    """Lesson 01's saw-tooth: bins 3.5 wide over whole numbers alternately held 4 and 3
    possible values. Every bin now holds as many possible values as the next."""
    cohort = course()["cohort"]
    for column in ("age", "ejection_fraction", "systolic_bp", "sodium", "length_of_stay"):
        values = pd.concat([df[column] for df in cohort.values()])
        edges = plots.histogram_bins(BY_NAME[column], values)
        widths = np.diff(edges)
        assert np.allclose(widths, widths[0]) and widths[0] == int(widths[0]), column
        assert np.allclose(edges % 1, 0.5), column  # edges halfway between two values
        assert edges[0] < values.min() and values.max() < edges[-1], column
    fig = plots.plot_sites(cohort, columns=("age", "ejection_fraction", "nt_probnp"))
    try:
        labels = [ax.get_xlabel() for ax in fig.axes[1:4]]
        assert labels == ["years", "% (LVEF)", "ng/L (log scale)"]
    finally:
        plt.close(fig)


def test_figure_problems_finds_what_a_reader_would_miss() -> None:
    fig, ax = plt.subplots()
    ax.plot([0, 0.5, 1], [0, 0.4, 1])
    ax.plot([0, 0.5, 1], [1, 0.6, 0])
    ax.set_xlabel("nt_probnp")
    try:
        found = " | ".join(figure_problems(fig))
        for missing in ("no title", "no y-axis label", "variable's name", "no legend"):
            assert missing in found
    finally:
        plt.close(fig)


def test_value_labels_inside_bars_keep_the_stronger_contrast() -> None:
    """A value written inside a bar is black or white, whichever contrasts more (WCAG 2.1
    relative luminance); on every course colour that is at least 4.5:1 (AA, small text)."""
    from matplotlib.colors import to_rgb

    from fedlearn_kit.plots import SITE_COLOURS, text_colour_on

    def luminance(colour: str) -> float:
        def linear(c: float) -> float:
            return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
        r, g, b = (linear(c) for c in to_rgb(colour))
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    assert text_colour_on("#ffffff") == "black" and text_colour_on("#000000") == "white"
    for colour in SITE_COLOURS:
        a, b = sorted([luminance(colour), luminance(text_colour_on(colour))])
        assert (b + 0.05) / (a + 0.05) >= 4.5, colour
