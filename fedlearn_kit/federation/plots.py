"""Figures of federated runs, in the course's style (lesson 04)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from fedlearn_kit.federation.result import Result
from fedlearn_kit.plots import bar_axis, new_figure, site_colour


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
            ax.plot(series.index, series.to_numpy(), marker="o", color=site_colour(i),
                    label=name)
        for j, (name, by_site) in enumerate((baselines or {}).items()):
            if site in by_site:
                dash, width = styles[j % len(styles)]
                values.append(by_site[site])
                ax.axhline(by_site[site], linestyle=dash, linewidth=width,
                           color=site_colour(len(results) + j), label=name)
        ax.set(title=f"Site {site}'s test patients", xlabel="round", ylabel=metric.upper())
        ax.set_xticks(list(first.site_metrics(metric).index))
    low, high = float(np.nanmin(values)), float(np.nanmax(values))
    pad = max(0.01, 0.1 * (high - low))
    for ax in axes:
        ax.set_ylim(low - pad, high + pad)
    fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center",
               ncols=len(results) + len(baselines or {}), fontsize=8, frameon=False)
    return fig


def plot_gain(table: pd.DataFrame, own: str = "local {site}", title: str = "") -> Figure:
    """Each collaborative model's gain over the site's own model, on each site's patients.

    ``table`` is :func:`fedlearn_kit.compare`'s (rows: models, columns: sites); the rows
    named ``own.format(site=...)`` are the sites' own models and the baselines.
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
        bars = ax.bar(x + i * width, gains.loc[name], width, color=site_colour(i + 2),
                      label=name)
        ax.bar_label(bars, [f"{v:+.3f}" for v in gains.loc[name]], fontsize=7)
    ax.axhline(0, color="grey", linewidth=0.8)
    ax.set_xticks(x + width * (len(others) - 1) / 2, [f"Site {s}" for s in sites])
    ax.set(ylabel="AUROC gain over own model", title=title)
    ax.legend(loc="best", fontsize=8)
    return fig


def plot_collaboration(table: pd.DataFrame, metric: str = "AUROC", title: str = "") -> Figure:
    """Own, central and federated models side by side on each site's patients.

    ``table`` is :func:`fedlearn_kit.compare`'s (rows: models, columns: sites); the legend
    sits below the bars so that five or more models still fit.
    """
    sites, names = list(table.columns), list(table.index)
    fig, (ax,) = new_figure(width=max(6.0, 0.55 * len(names) * len(sites) + 1.5), height=3.8)
    x = np.arange(len(sites))
    width = 0.84 / len(names)
    for i, name in enumerate(names):
        bars = ax.bar(x + i * width, table.loc[name], width, color=site_colour(i), label=name)
        ax.bar_label(bars, [f"{v:.3f}" for v in table.loc[name]], fontsize=7, rotation=90,
                     padding=2)
    # Rotated value labels need more room above the tallest bar.
    label = bar_axis(ax, table.to_numpy(dtype=float), metric, headroom=0.1)
    ax.set_xticks(x + width * (len(names) - 1) / 2, [f"Site {s}'s patients" for s in sites])
    ax.set(ylabel=label, title=title)
    fig.legend(*ax.get_legend_handles_labels(), loc="outside lower center",
               ncols=min(len(names), 3), fontsize=8, frameon=False)
    return fig
