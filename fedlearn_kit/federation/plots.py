"""Figures of federated runs, in the course's style (lesson 04)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from fedlearn_kit.evaluation import Difference
from fedlearn_kit.federation.result import Result
from fedlearn_kit.figure_text import describe
from fedlearn_kit.i18n import _, ngettext
from fedlearn_kit.plots import (
    bar_axis,
    comparison_description,
    grouped_bars,
    new_figure,
    series_hatch,
    series_marker,
    site_colour,
)


def plot_rounds(results: Mapping[str, Result], metric: str = "auroc",
                baselines: Mapping[str, Mapping[str, float]] | None = None) -> Figure:
    """The global model's ``metric`` on each site's test patients, round by round.

    One panel per site, one line per run in ``results``; ``baselines`` (name -> site ->
    value, e.g. the local and central models) are drawn as horizontal lines, each with
    its own dash and width so that two equal baselines both stay visible. Every panel has
    the same y-range, so a rise looks as large as it is; the legend sits below the panels.
    """
    first = next(iter(results.values()))
    sites = first.sites
    fig, axes = new_figure(ncols=len(sites), width=3.4, height=3.0)
    styles = [("--", 2.6), (":", 1.6), ("-.", 1.2)]
    values: list[float] = []
    for ax, site in zip(axes, sites, strict=True):
        for i, (name, result) in enumerate(results.items()):
            series = result.site_metrics(metric)[site]
            values += list(series.to_numpy())
            ax.plot(series.index, series.to_numpy(), marker=series_marker(i),
                    color=site_colour(i), label=name)
        for j, (name, by_site) in enumerate((baselines or {}).items()):
            if site in by_site:
                dash, width = styles[j % len(styles)]
                values.append(by_site[site])
                ax.axhline(by_site[site], linestyle=dash, linewidth=width,
                           color=site_colour(len(results) + j), label=name)
        ax.set(title=_("Site {site}'s test patients").format(site=site), xlabel=_("round"),
               ylabel=metric.upper())
        ax.set_xticks(list(first.site_metrics(metric).index))
    low, high = float(np.nanmin(values)), float(np.nanmax(values))
    pad = max(0.01, 0.1 * (high - low))
    for ax in axes:
        ax.set_ylim(low - pad, high + pad)
    fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center",
               ncols=len(results) + len(baselines or {}), fontsize=8, frameon=False)
    return describe(fig, rounds_description(results, metric, baselines))


def own_and_central(table: pd.DataFrame, own: str = "local {site}", central: str = "central"
                    ) -> dict[str, dict[str, float]]:
    """The baselines of :func:`plot_rounds`: each site's own model and the central model on
    that site's patients, read from :func:`fedlearn_kit.compare`'s ``table`` (rows: models,
    columns: sites) and named in the learner's language."""
    sites = list(table.columns)
    return {_("own model"): {s: float(table.loc[own.format(site=s), s]) for s in sites},
            _("central"): {s: float(table.loc[central, s]) for s in sites}}


def rounds_description(results: Mapping[str, Result], metric: str = "auroc",
                       baselines: Mapping[str, Mapping[str, float]] | None = None) -> str:
    """The text alternative of :func:`plot_rounds`: each run's last-round value on each
    site's patients, beside the baselines."""
    first = next(iter(results.values()))
    text = [_("Line chart of the global model's {metric} on each hospital's test patients, "
              "round by round, for {runs}.").format(metric=metric.upper(),
                                                    runs=", ".join(results))]
    for site in first.sites:
        last = ", ".join(f"{name} {result.site_metrics(metric)[site].iloc[-1]:.3f}"
                         for name, result in results.items())
        text.append(_("On Site {site}'s patients, the last round gives {values}.").format(
            site=site, values=last))
        compared = ", ".join(f"{name} {by_site[site]:.3f}"
                             for name, by_site in (baselines or {}).items() if site in by_site)
        if compared:
            text.append(_("The horizontal lines: {values}.").format(values=compared))
    return " ".join(text)


def plot_gain(table: pd.DataFrame, own: str = "local {site}", title: str = "",
              intervals: Mapping[str, Mapping[str, Difference]] | None = None) -> Figure:
    """Each collaborative model's gain over the site's own model, on each site's patients.

    ``table`` is :func:`fedlearn_kit.compare`'s (rows: models, columns: sites); the rows
    named ``own.format(site=...)`` are the sites' own models and the baselines.
    ``intervals`` (model name -> site -> :class:`~fedlearn_kit.evaluation.Difference`, as
    :func:`~fedlearn_kit.evaluation.gain_intervals` gives) draws each gain's 95 % interval
    as a whisker, so that small differences between sites are not read as a ranking.
    """
    sites = list(table.columns)
    own_rows = {own.format(site=s) for s in sites}
    others = [name for name in table.index if name not in own_rows]
    gains = pd.DataFrame({s: table.loc[others, s] - table.loc[own.format(site=s), s]
                          for s in sites})
    fig, (ax,) = new_figure(width=max(5.0, 1.3 * len(sites) + 2.5), height=3.2)
    x = np.arange(len(sites))
    width = 0.8 / len(others)
    for i, name in enumerate(others):
        values = gains.loc[name].to_numpy(dtype=float)
        bars = ax.bar(x + i * width, values, width, color=site_colour(i + 2), label=name,
                      hatch=series_hatch(i), edgecolor="white", linewidth=0)
        ranges = (intervals or {}).get(name)
        if ranges is not None:
            low = np.array([ranges[s].low for s in sites])
            high = np.array([ranges[s].high for s in sites])
            ax.errorbar(x + i * width, values, yerr=[values - low, high - values], fmt="none",
                        ecolor="black", elinewidth=0.9, capsize=3,
                        label=_("{name}: 95 % interval").format(name=name))
            for xi, top, value in zip(x + i * width, high, values, strict=True):
                ax.annotate(f"{value:+.3f}", (xi, top), xytext=(0, 2),
                            textcoords="offset points", ha="center", va="bottom", fontsize=7)
        else:
            ax.bar_label(bars, [f"{v:+.3f}" for v in values], fontsize=7)
    ax.axhline(0, color="grey", linewidth=0.8)
    ax.margins(y=0.15)  # room for the value labels above the bars and whiskers
    ax.set_xticks(x + width * (len(others) - 1) / 2,
                  [_("Site {site}").format(site=s) for s in sites])
    ax.set(ylabel=_("AUROC gain over own model"), title=title or ngettext(
        "Gain over each hospital's own model ({n} hospital)",
        "Gain over each hospital's own model ({n} hospitals)", len(sites)).format(n=len(sites)))
    ax.legend(loc="best", fontsize=8)
    text = [_("Bar chart of each collaborative model's AUROC gain over the hospital's own "
              "model, on each hospital's patients.")]
    text += [_("On Site {site}'s patients: {values}.").format(
        site=site, values=", ".join(f"{name} {gains.loc[name, site]:+.3f}" for name in others))
        for site in sites]
    return describe(fig, " ".join(text))


def plot_collaboration(table: pd.DataFrame, metric: str = "AUROC", title: str = "",
                       intervals: tuple[pd.DataFrame, pd.DataFrame] | None = None) -> Figure:
    """Own, central and federated models side by side on each site's patients.

    ``table`` is :func:`fedlearn_kit.compare`'s (rows: models, columns: sites); the legend
    sits below the bars so that five or more models still fit. ``intervals`` (low, high),
    as :func:`~fedlearn_kit.evaluation.auroc_intervals` gives them, draws each bar's 95 %
    interval as a whisker (the values then sit inside the bars).
    """
    sites, names = list(table.columns), list(table.index)
    fig, (ax,) = new_figure(width=max(6.0, 0.55 * len(names) * len(sites) + 1.5), height=3.8)
    width = 0.84 / len(names)
    top = grouped_bars(ax, table, width, intervals, rotation=90, padding=2)
    # Rotated value labels (or whiskers) need more room above the tallest bar.
    label = bar_axis(ax, top, metric, headroom=0.1)
    ax.set_xticks(np.arange(len(sites)) + width * (len(names) - 1) / 2,
                  [_("Site {site}'s patients").format(site=s) for s in sites])
    ax.set(ylabel=label, title=title or _("{metric} of each model on each hospital's "
                                          "patients").format(metric=metric))
    fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center",
               ncols=min(len(names) + (intervals is not None), 3), fontsize=8, frameon=False)
    return describe(fig, comparison_description(table, metric, title))
