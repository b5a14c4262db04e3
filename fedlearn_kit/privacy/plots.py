"""The figures of lessons 05 and 06, in the course's style (``fedlearn_kit.plots``)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from fedlearn_kit.plots import new_figure, site_colour
from fedlearn_kit.privacy.attacks import LOW_FPRS, AttackResult


def plot_attack_roc(results: Mapping[str, AttackResult], title: str = "") -> Figure:
    """Attack ROC curves on log-log axes, where the low false positive rates are visible.

    An attack that only guesses follows the diagonal; a curve above it at FPR 0.1 % means
    some patients are identified as members with almost no false alarms.
    """
    fig, (ax,) = new_figure(width=4.6, height=4.0)
    floor = 1e-4
    for i, (name, result) in enumerate(results.items()):
        ax.plot(np.maximum(result.fpr, floor), np.maximum(result.tpr, floor),
                color=site_colour(i), label=f"{name} (AUC {result.auc:.2f})")
    grid = np.geomspace(floor, 1, 50)
    ax.plot(grid, grid, color="grey", linestyle=":", label="guessing")
    for f in LOW_FPRS:
        ax.axvline(f, color="grey", linewidth=0.6, linestyle="--")
    ax.set(xscale="log", yscale="log", xlim=(floor, 1), ylim=(floor, 1.05),
           xlabel="false positive rate (non-members flagged)",
           ylabel="true positive rate (members found)",
           title=title or "Membership attacks: members found against false alarms")
    ax.legend(loc="lower right", fontsize=8)
    return fig


def plot_privacy_utility(table: pd.DataFrame, title: str = "") -> Figure:
    """Left: AUROC per site against ε. Right: measured membership advantage and its DP bound.

    The right panel shows the advantage with thresholds chosen on held-out patients and its
    95 % interval (when the table has them), what a blind attack reaches one time in 20,
    and the column ``advantage_bound``: the most any attack can reach in the course's
    replace-one game, (e^ε′ − 1 + 2δ′)/(e^ε′ + 1) with (ε′, δ′) = (2ε, (1 + e^ε)δ).
    """
    fig, (left, right) = new_figure(ncols=2, width=4.2, height=3.4)
    finite = table[np.isfinite(table["epsilon"])]
    plain = table[~np.isfinite(table["epsilon"])]
    sites = [c.removeprefix("auroc ") for c in table.columns if c.startswith("auroc ")]
    for i, site in enumerate(sites):
        left.plot(finite["epsilon"], finite[f"auroc {site}"], marker="o",
                  color=site_colour(i), label=f"Site {site} patients")
        if len(plain):
            left.axhline(float(plain[f"auroc {site}"].iloc[0]), color=site_colour(i),
                         linestyle="--", linewidth=0.9)
    left.set(xscale="log", xlabel="privacy budget ε (log scale)", ylabel="AUROC",
             title="Utility (dashed: no DP)")
    left.legend(fontsize=8)
    measured = "held_out_advantage" if "held_out_advantage" in table else "advantage"
    if {"ci_low", "ci_high"} <= set(table.columns):
        right.errorbar(finite["epsilon"], finite[measured],
                       yerr=[finite[measured] - finite["ci_low"],
                             finite["ci_high"] - finite[measured]],
                       marker="o", color="black", capsize=3,
                       label="measured advantage (95 % CI)")
    else:
        right.plot(finite["epsilon"], finite[measured], marker="o", color="black",
                   label="measured advantage")
    if "advantage_bound" in table:
        right.plot(finite["epsilon"], finite["advantage_bound"], color="grey", linestyle=":",
                   label="DP bound, replace-one (2ε, (1+e^ε)δ)")
    if "null_advantage_95" in table:
        right.plot(finite["epsilon"], finite["null_advantage_95"], color="grey",
                   linestyle="-.", linewidth=0.9, label="blind attack, 95th percentile")
    if len(plain):
        right.axhline(float(plain[measured].iloc[0]), color="black", linestyle="--",
                      linewidth=0.9, label="no DP")
    right.set(xscale="log", ylim=(0, 1.05), xlabel="privacy budget ε (log scale)",
              ylabel="TPR − FPR", title="Membership attack")
    right.legend(fontsize=8)
    for ax in (left, right):
        ax.minorticks_off()
        ax.set_xticks(finite["epsilon"], [f"{e:.2g}" for e in finite["epsilon"]])
    if title:
        fig.suptitle(title)
    return fig


def plot_subgroups(groups: pd.DataFrame, title: str = "") -> Figure:
    """AUROC per sex and age band, one bar per model: who pays for the noise.

    With an ``n`` column (as from ``subgroup_table``), each group's label shows how many
    patients were scored: a drop in a small group weighs less than the same drop in a large one.
    """
    fig, (ax,) = new_figure(width=7.5, height=3.4)
    cols = ["group", "value", "n"] if "n" in groups else ["group", "value"]
    labels = [f"{row[0]}: {row[1]}" + (f"\n(n = {row[2]})" if len(row) > 2 else "")
              for row in groups[cols].drop_duplicates(["group", "value"]).itertuples(index=False)]
    models = list(dict.fromkeys(groups["model"]))
    x = np.arange(len(labels))
    width = 0.8 / len(models)
    for i, name in enumerate(models):
        rows = groups[groups["model"] == name]
        ax.bar(x + i * width, rows["auroc"], width, color=site_colour(i), label=name)
    ax.set_xticks(x + width * (len(models) - 1) / 2, labels)
    low = float(np.nanmin(groups["auroc"]))
    ax.set_ylim(max(0.0, low - 0.05), 1.0)
    ax.set(ylabel="AUROC", title=title or "AUROC per group of patients")
    ax.legend(ncols=min(len(models), 6), fontsize=8, loc="upper left")
    return fig


def plot_reconstruction(table: pd.DataFrame, title: str = "") -> Figure:
    """Reconstruction error against records per update, one line per number of local epochs."""
    fig, (ax,) = new_figure(width=4.6, height=3.4)
    for i, epochs in enumerate(table.columns):
        ax.plot(table.index, np.maximum(table[epochs], 1e-8), marker="o",
                color=site_colour(i), label=f"{epochs} local epoch(s)")
    ax.set(xscale="log", yscale="log", xlabel="records in the update (batch size)",
           ylabel="distance to nearest record / its length",
           title=title or "How close the reconstruction comes to a record")
    ax.legend(fontsize=8)
    return fig


def plot_round_leakage(table: pd.DataFrame, metric: str = "advantage", title: str = "",
                       baseline: float | None = None) -> Figure:
    """An attack's figure per round, one line per thing attacked (columns of ``table``).

    ``baseline`` draws what a blind attack reaches (e.g. its 95th percentile), so values
    below it read as "no evidence of leakage". The legend sits beside the axes, off the data.
    """
    fig, (ax,) = new_figure(width=6.8, height=3.4)
    for i, name in enumerate(table.columns):
        ax.plot(table.index, table[name], marker="o", color=site_colour(i), label=name)
    if baseline is not None:
        ax.axhline(baseline, color="grey", linestyle="--", linewidth=0.9,
                   label="blind attack, 95th percentile")
    ax.set(xlabel="round", ylabel=metric, title=title or f"{metric} per round",
           ylim=(0, None))
    ax.set_xticks(list(table.index))
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0)
    return fig
