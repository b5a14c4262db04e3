"""The course's figures, in one style (lessons 01-03).

Each function draws one figure and returns it; a notebook cell that ends with the call
shows it once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import cast

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.typing import LineStyleType
from torch import nn

from fedlearn_kit.cohort import TRUE_COEFFICIENTS, Cohort
from fedlearn_kit.evaluation import as_list, reliability
from fedlearn_kit.figure_text import describe
from fedlearn_kit.i18n import N_, _
from fedlearn_kit.schema import BY_NAME, FEATURE_NAMES, OUTCOME_NAME, Column, unit_text
from fedlearn_kit.training import TrainedModel

#: Okabe and Ito's colour-blind-safe palette, the light colours darkened so that every line
#: keeps a contrast of at least 3:1 on white (WCAG 2.1, 1.4.11).
SITE_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#A3568A", "#8F6A00", "#000000", "#56606B",
                "#00785A")
#: The second cue besides colour (WCAG 2.1, 1.4.1): a marker, a line style and a bar hatch
#: per series, so that a reader who cannot tell the colours apart can tell the series apart.
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
LINE_STYLES: tuple[LineStyleType, ...] = (
    "-", "--", "-.", ":", (0, (5, 1, 1, 1)), (0, (3, 1, 1, 1, 1, 1)), (0, (1, 2)), (0, (8, 2)))
HATCHES = ("", "///", "...", "xxx", "\\\\\\", "---", "+++", "ooo")


def site_colour(index: int) -> str:
    """The colour a site (or the index-th series) has in every figure of the course."""
    return SITE_COLOURS[index % len(SITE_COLOURS)]


def series_marker(index: int) -> str:
    """The marker of the index-th series (the cue besides its colour)."""
    return MARKERS[index % len(MARKERS)]


def series_line_style(index: int) -> LineStyleType:
    """The line style of the index-th series (the cue besides its colour)."""
    return LINE_STYLES[index % len(LINE_STYLES)]


def series_hatch(index: int) -> str:
    """The bar hatch of the index-th series (the cue besides its colour)."""
    return HATCHES[index % len(HATCHES)]


def text_colour_on(colour: str) -> str:
    """Black or white, whichever contrasts more with ``colour`` (a value label inside a
    bar): WCAG 2.1's contrast ratio from relative luminance.

    >>> text_colour_on("#ffffff"), text_colour_on("#1f4e79")
    ('black', 'white')
    """
    from matplotlib.colors import to_rgb

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in to_rgb(colour))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    # contrast with black (L + 0.05) / 0.05 against white 1.05 / (L + 0.05)
    return "black" if (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) else "white"


def new_figure(ncols: int = 1, nrows: int = 1, width: float = 4.2, height: float = 3.2
               ) -> tuple[Figure, np.ndarray]:
    """A figure in the course's style: ``nrows`` x ``ncols`` axes of ``width`` x ``height``
    inches each, returned with the axes as a 2-D array (every plot module starts here)."""
    # Styled per axis rather than with plt.rc_context: leaving an rc_context can reset
    # the notebook's inline backend, and figures after the first would not show.
    fig, axes = plt.subplots(nrows, ncols, figsize=(width * ncols, height * nrows),
                             squeeze=False, layout="constrained", dpi=90)
    for ax in axes.ravel():
        ax.spines[["top", "right"]].set_visible(False)
        ax.grid(alpha=0.3)
        ax.set_axisbelow(True)
    return fig, axes.ravel()


#: Panel titles a reader understands (with the unit), for the columns plot_sites shows.
TITLES = {
    "age": N_("Age (years)"),
    "ejection_fraction": N_("Ejection fraction (%)"),
    "nt_probnp": N_("NT-proBNP (ng/L)"),
    "prior_admissions_12m": N_("Admissions in previous 12 months"),
    "egfr": N_("eGFR (mL/min/1.73 m²)"),
    "length_of_stay": N_("Length of stay (days)"),
}


#: Short labels for the model's variables, as a clinician would write them.
SHORT_NAMES = {
    "age": "age", "sex": "female", "ejection_fraction": "ejection fraction",
    "nyha_class": "NYHA class", "nt_probnp": "NT-proBNP", "egfr": "eGFR", "sodium": "sodium",
    "systolic_bp": "systolic BP", "diabetes": "diabetes",
    "atrial_fibrillation": "atrial fibrillation", "copd": "COPD",
    "prior_admissions_12m": "prior admissions", "length_of_stay": "length of stay",
    "beta_blocker": "beta blocker", "raas_inhibitor": "RAAS inhibitor", "mra": "MRA",
}


def axis_label(column: str) -> str:
    """The x-axis label of a column's histogram: its unit, as a reader would write it
    ("years", "ng/L (log scale)"), or "admissions" for a count."""
    col = BY_NAME[column]
    unit = {"count": _("admissions") if "admission" in column else _("number"),
            "%": "% (LVEF)"}.get(col.unit, unit_text(col)) or _(col.description).lower()
    return _("{unit} (log scale)").format(unit=unit) if col.log else unit


def title(column: str) -> str:
    """A human title for a column: its name and unit as a clinician would write them, in the
    course's language."""
    if column in TITLES:
        return _(TITLES[column])
    col = BY_NAME[column]
    if not col.unit:
        return _(col.description)
    return _("{description} ({unit})").format(description=_(col.description),
                                              unit=unit_text(col))


#: About how many bins a histogram of plot_sites has (small counts get one per value).
HISTOGRAM_BINS = 20


def histogram_bins(col: Column, values: pd.Series) -> np.ndarray:
    """Bin edges for a histogram of ``values`` of the column ``col``.

    Whole numbers get bins a whole number wide with edges halfway between two values, so
    every bin holds the same number of possible values: bins 3.5 wide would alternately
    hold 4 and 3 of them and draw a saw-tooth that is not in the data. Small counts get one
    bin per value; NT-proBNP, drawn on a log axis, bins of equal ratio.
    """
    if col.log:  # bins of equal width on the log axis the panel is drawn with
        return np.geomspace(max(col.low, values.min()), values.max() * 1.001, 25)
    if col.kind == "integer":
        low, top = int(values.min()), int(values.max())
        if col.low is not None and top - col.low <= 25:  # small counts: one bar per value
            return np.arange(col.low, top + 2) - 0.5
        width = max(1, -(-(top - low + 1) // HISTOGRAM_BINS))
        return np.arange(low, top + width + 1, width) - 0.5
    return np.linspace(values.min(), values.max(), HISTOGRAM_BINS + 1)


def _bins(col: Column, cohort: Cohort, column: str) -> np.ndarray:
    return histogram_bins(col, pd.concat([df[column] for df in cohort.values()]))


def plot_sites(cohort: Cohort, columns: Sequence[str] = (
        "age", "ejection_fraction", "nt_probnp", "prior_admissions_12m")) -> Figure:
    """How the sites' patients differ: size and readmission rate, then a few distributions.

    Each histogram shows the share of a site's patients in each bin (so a site of 300 and
    one of 2,400 compare directly), with the bins equally wide on the axis as drawn: on
    NT-proBNP's log axis, equal ratios. A dotted line marks each site's median, except on
    panels of small counts (one bar per value), where the bars show it and the medians of
    two sites would often sit on the same value, one line hiding the other.
    """
    ncols = 3
    nrows = -(-(len(columns) + 2) // ncols)  # the last free panel holds the legend
    fig, axes = new_figure(ncols=ncols, nrows=nrows, width=3.5, height=2.7)
    names = list(cohort)
    rates = [100 * cohort[s][OUTCOME_NAME].mean() for s in names]
    share = _("% of the site's patients")
    bars = axes[0].bar([_("Site {site}").format(site=s) for s in names], rates,
                       color=[site_colour(i) for i in range(len(names))])
    axes[0].bar_label(bars, [f"n={len(cohort[s])}" for s in names], fontsize=8)
    axes[0].set(title=_("Readmitted in 30 days"), xlabel=_("hospital"), ylabel=share,
                ylim=(0, max(rates) * 1.2))
    for ax, column in zip(axes[1:len(columns) + 1], columns, strict=True):
        col = BY_NAME[column]
        bins = _bins(col, cohort, column)
        one_bar_per_value = bool(np.allclose(np.diff(bins), 1.0))
        for i, site in enumerate(names):
            values = cohort[site][column]
            weights = np.full(len(values), 100 / len(values))
            ax.hist(values, bins=bins, weights=weights, histtype="step", linewidth=1.6,
                    color=site_colour(i), linestyle=series_line_style(i))
            if not one_bar_per_value:
                ax.axvline(values.median(), color=site_colour(i), linestyle=":", linewidth=1.2)
        if col.log:
            ax.set_xscale("log")
        ax.set(title=title(column), xlabel=axis_label(column), ylabel=share)
    handles = [plt.Line2D([], [], color=site_colour(i), linewidth=1.6,
                          linestyle=series_line_style(i),
                          label=_("Site {site} (n={n})").format(site=s, n=len(cohort[s])))
               for i, s in enumerate(names)]
    handles.append(plt.Line2D([], [], color="grey", linestyle=":", linewidth=1.2,
                              label=_("median")))
    legend_ax = axes[len(columns) + 1]
    legend_ax.axis("off")
    legend_ax.legend(handles=handles, loc="center", frameon=False)
    for ax in axes[len(columns) + 2:]:
        ax.axis("off")
    return describe(fig, sites_description(cohort, columns))


def sites_description(cohort: Cohort, columns: Sequence[str]) -> str:
    """The text alternative of :func:`plot_sites`: what it shows and how the sites differ."""
    sites = list(cohort)
    rates = "; ".join(_("Site {site}, {rate:.0f} % of {n} patients").format(
        site=s, rate=100 * cohort[s][OUTCOME_NAME].mean(), n=len(cohort[s])) for s in sites)
    medians = " ".join(_("Median of {variable}: {values}.").format(
        variable=title(c), values=", ".join(
            _("Site {site} {value:g}").format(site=s, value=cohort[s][c].median())
            for s in sites)) for c in columns)
    return _("Bar chart and histograms comparing the hospitals' patients. Readmitted within "
             "30 days: {rates}. The histograms show each hospital's share of patients by "
             "{variables}. {medians}").format(
        rates=rates, variables="; ".join(title(c) for c in columns), medians=medians)


Models = Iterable[TrainedModel] | Mapping[str, TrainedModel]

#: Figure titles the lessons pass to the plots below; like every title they are translated
#: where they are drawn, so that the same code cell gives a Swedish figure in a Swedish lesson.
LESSON_TITLES = (N_("Who gains from pooling?"), N_("On Site A's future patients"))


def _title(title: str) -> str:
    """A title given to a plot, in the course's language when the catalogue has it."""
    return _(title) if title else ""


def future_patients_title(site: str | None = None) -> str:
    """A figure title saying whose future patients a figure shows, in the course's language:
    ``"On Site A's future patients"``, or, without ``site``, each hospital's (lessons 02, 03)."""
    if site is None:
        return _("On each hospital's future patients")
    return _("On Site {site}'s future patients").format(site=site)


def plot_reliability(models: Models, df: pd.DataFrame, title: str = "") -> Figure:
    """Predicted vs. observed readmission rate: on the diagonal means well calibrated."""
    title = _title(title)
    fig, (ax,) = new_figure(width=4.2, height=3.8)
    y = df[OUTCOME_NAME].to_numpy()
    top = 0.0
    gaps = {}
    for i, model in enumerate(as_list(models)):
        curve = reliability(y, model.predict_proba(df))
        ax.plot(curve.predicted, curve.observed, marker=series_marker(i), color=site_colour(i),
                linestyle=series_line_style(i), label=model.name)
        top = max(top, curve.max().max())
        gaps[model.name] = float((curve.observed - curve.predicted).abs().mean())
    ax.plot([0, top], [0, top], color="grey", linestyle=":", label=_("perfect calibration"))
    ax.set(xlabel=_("mean predicted risk"), ylabel=_("observed rate"),
           title=title or _("Predicted against observed risk"))
    ax.legend(frameon=False, loc="upper left")
    return describe(fig, reliability_description(gaps, title))


def reliability_description(gaps: Mapping[str, float], title: str = "") -> str:
    """The text alternative of :func:`plot_reliability` from each model's mean gap between
    predicted risk and observed rate (over the curve's bins)."""
    closest = min(gaps, key=lambda name: gaps[name])
    text = _("Calibration curves ({title}): mean predicted risk against the observed "
             "readmission rate, for {models}, with the diagonal of perfect calibration. The "
             "curve closest to the diagonal is that of {closest}: on average its predicted and "
             "observed rates differ by {gap:.1f} percentage points.").format(
        title=title or _("these patients"), models=", ".join(gaps), closest=closest,
        gap=100 * gaps[closest])
    if len(gaps) > 1:
        farthest = max(gaps, key=lambda name: gaps[name])
        text += " " + _("The farthest is that of {farthest}, {gap:.1f} percentage "
                        "points.").format(farthest=farthest, gap=100 * gaps[farthest])
    return text


def plot_coefficients(models: Models) -> Figure:
    """Logistic-regression weights next to the true effects the data was generated with."""
    fig, (ax,) = new_figure(width=8.5, height=3.6)
    x = np.arange(len(FEATURE_NAMES))
    models = as_list(models)
    width = 0.8 / (len(models) + 1)
    truth = [TRUE_COEFFICIENTS[f] for f in FEATURE_NAMES]
    ax.bar(x, truth, width, color="black", label=_("truth"))
    errors = {}
    for i, model in enumerate(models):
        weights = cast(nn.Linear, model.net.linear).weight.detach().numpy().ravel()
        ax.bar(x + (i + 1) * width, weights, width, color=site_colour(i), label=model.name,
               hatch=series_hatch(i + 1), edgecolor="white", linewidth=0)
        errors[model.name] = float(np.abs(weights - np.asarray(truth)).mean())
    ax.set_xticks(x + width * len(models) / 2, [SHORT_NAMES.get(f, f) for f in FEATURE_NAMES],
                  rotation=60, ha="right")
    ax.axhline(0, color="grey", linewidth=0.8)
    ax.set(ylabel=_("log-odds per scaled unit"), title=_("What each model learned"))
    fig.legend(*ax.get_legend_handles_labels(), loc="outside upper right", frameon=False,
               ncols=len(models) + 1)
    closest = min(errors, key=lambda name: errors[name])
    return describe(fig, _(
        "Bar chart of the weight each model learned for each of the {n} variables, next to "
        "the true effect the synthetic data were generated with. The weights closest to the "
        "truth are those of {closest}: on average {error:.2f} log-odds from the true "
        "effect.").format(n=len(FEATURE_NAMES), closest=closest, error=errors[closest]))


def bar_axis(ax: Axes, values: np.ndarray, metric: str, headroom: float = 0.08) -> str:
    """Set a bar chart's value axis so that a bar's length is what the model adds.

    AUROC bars start at 0.5 (chance), other metrics at 0; a zoomed axis would make small
    differences look large. Returns the axis label to use.
    """
    top = float(np.nanmax(values))
    if metric.upper() == "AUROC":
        ax.set_ylim(0.5, min(1.0, top + headroom))
        return _("AUROC (0.5 = chance)")
    ax.set_ylim(0.0, top * 1.15)
    return metric


def grouped_bars(ax: Axes, table: pd.DataFrame, width: float,
                 intervals: tuple[pd.DataFrame, pd.DataFrame] | None = None,
                 **plain_labels: object) -> np.ndarray:
    """One bar per model (rows of ``table``) in each group (its columns), each labelled with
    its value; the bar chart of :func:`plot_comparison` and of lesson 04's collaboration figure.

    With ``intervals`` (low, high) each bar gets its 95 % whisker and its value inside the bar,
    in black or white, whichever is readable on the bar's colour; without them the value sits
    above the bar (``plain_labels``: further ``bar_label`` options). Returns what the value
    axis must hold: the values, or the intervals' upper ends.
    """
    x = np.arange(len(table.columns))
    for i, name in enumerate(table.index):
        values = table.loc[name].to_numpy(dtype=float)
        bars = ax.bar(x + i * width, values, width, color=site_colour(i), label=name,
                      hatch=series_hatch(i), edgecolor="white", linewidth=0)
        if intervals is None:
            ax.bar_label(bars, [f"{v:.3f}" for v in values], fontsize=7,
                         **plain_labels)  # type: ignore[arg-type]
            continue
        low, high = (part.loc[name, table.columns].to_numpy(dtype=float) for part in intervals)
        ax.errorbar(x + i * width, values, yerr=[values - low, high - values], fmt="none",
                    ecolor="black", elinewidth=0.9, capsize=2,
                    label=_("95 % interval") if i == 0 else None)
        ax.bar_label(bars, [f"{v:.3f}" for v in values], fontsize=7, label_type="center",
                     rotation=90, color=text_colour_on(site_colour(i)))
    return table.to_numpy(dtype=float) if intervals is None else intervals[1].to_numpy(float)


def plot_comparison(table: pd.DataFrame, metric: str = "AUROC", title: str = "",
                    intervals: tuple[pd.DataFrame, pd.DataFrame] | None = None) -> Figure:
    """Grouped bars: one group per site's patients, one bar per model (rows of ``table``).

    AUROC bars start at 0.5 (chance), other metrics at 0, so that a bar's length is what
    the model adds; the legend sits above the tallest bar. ``intervals`` (low, high), as
    :func:`~fedlearn_kit.evaluation.auroc_intervals` gives them, draws each bar's 95 %
    interval, so that two bars whose intervals overlap are not read as a ranking.
    """
    title = _title(title)
    fig, (ax,) = new_figure(width=6.5, height=3.6)
    width = 0.8 / len(table.index)
    top = grouped_bars(ax, table, width, intervals)
    metric = bar_axis(ax, top, metric, headroom=0.1)
    ax.set_xticks(np.arange(len(table.columns)) + width * (len(table.index) - 1) / 2,
                  [_("Site {site} patients").format(site=c) for c in table.columns])
    ax.set(ylabel=metric, title=title or _("{metric} of each model").format(
        metric=metric.split(" (")[0]))
    handles, labels = ax.get_legend_handles_labels()
    order = sorted(range(len(labels)), key=lambda i: labels[i] == _("95 % interval"))  # it last
    ax.legend([handles[i] for i in order], [labels[i] for i in order], frameon=False,
              loc="upper left", ncols=len(labels), fontsize=8)
    return describe(fig, comparison_description(table, metric, title))


def comparison_description(table: pd.DataFrame, metric: str = "AUROC", title: str = "") -> str:
    """The text alternative of :func:`plot_comparison`: the models, and the best on each
    site's patients (rows of ``table`` are models, columns sites)."""
    best = " ".join(_("On Site {site}'s patients the highest is {model}, {value:.3f}.").format(
        site=site, model=table[site].idxmax(), value=table[site].max())
        for site in table.columns)
    return _("Grouped bar chart ({title}) of {metric} for the models {models}, one group per "
             "hospital's patients. {best}").format(
        title=title or _("each model on each hospital's patients"),
        metric=metric.split(" (")[0], models=", ".join(map(str, table.index)), best=best)
