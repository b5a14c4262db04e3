"""The figures of lessons 05 and 06, in the course's style (``fedlearn_kit.plots``)."""

from __future__ import annotations

import re
from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from fedlearn_kit.figure_text import describe
from fedlearn_kit.i18n import N_, _, ngettext
from fedlearn_kit.plots import bar_axis, new_figure, series_hatch, series_marker, site_colour
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
                color=site_colour(i), marker=series_marker(i), markevery=0.1, markersize=4,
                label=f"{_(name)} (AUC {result.auc:.2f})")
    grid = np.geomspace(floor, 1, 50)
    ax.plot(grid, grid, color="grey", linestyle=":", label=_("guessing"))
    for f in LOW_FPRS:
        ax.axvline(f, color="grey", linewidth=0.6, linestyle="--")
    ax.set(xscale="log", yscale="log", xlim=(floor, 1), ylim=(floor, 1.05),
           xlabel=_("false positive rate (non-members flagged)"),
           ylabel=_("true positive rate (members found)"),
           title=_(title) if title else _("Membership attacks: members found against false "
                                          "alarms"))
    ax.legend(loc="lower right", fontsize=8)
    best = max(results, key=lambda name: results[name].auc)
    return describe(fig, " ".join([
        _("Attack ROC curves on log-log axes: the share of members found against the share "
          "of non-members wrongly flagged, with the diagonal of guessing and marks at {low:g} % "
          "and {high:g} % false positives.").format(low=100 * min(LOW_FPRS),
                                                    high=100 * max(LOW_FPRS)),
        _("Area under each curve: {values}.").format(
            values=", ".join(f"{_(name)} {r.auc:.2f}" for name, r in results.items())),
        _("The largest is {name}'s.").format(name=_(best))]))


def plot_privacy_utility(table: pd.DataFrame, title: str = "", *, site: str | None = None
                         ) -> Figure:
    """Left: AUROC per site against ε. Right: the measured attack and two bounds on any attack.

    Left: each site's AUROC, the mean over the noise draws, with a bar from the lowest to
    the highest draw (when the table has ``auroc A low``/``high``); the axis runs from 0.5
    (chance) to 1, so a drop looks as large as it is. Right: the advantage with thresholds
    chosen on held-out patients and its 95 % interval (the effect size); the (ε, δ) bound
    (``advantage_bound``: (e^ε′ − 1 + 2δ′)/(e^ε′ + 1) with (ε′, δ′) = (2ε, (1 + e^ε)δ)); and
    the mechanism's own bound from its privacy-loss distribution (``mechanism_bound``).
    Without a ``title``, ``site`` (whose local model the table is about) gives one.
    """
    fig, (left, right) = new_figure(ncols=2, width=4.2, height=3.4)
    finite = table[np.isfinite(table["epsilon"])]
    plain = table[~np.isfinite(table["epsilon"])]
    sites = [c.removeprefix("auroc ") for c in table.columns
             if c.startswith("auroc ") and not c.endswith((" low", " high"))]
    for i, site in enumerate(sites):
        mean = finite[f"auroc {site}"]
        if {f"auroc {site} low", f"auroc {site} high"} <= set(table.columns):
            left.errorbar(finite["epsilon"] * (1 + 0.04 * i), mean,
                          yerr=[mean - finite[f"auroc {site} low"],
                                finite[f"auroc {site} high"] - mean],
                          marker=series_marker(i), capsize=3, color=site_colour(i),
                          label=_("Site {site} patients (range over noise draws)").format(
                              site=site))
        else:
            left.plot(finite["epsilon"], mean, marker=series_marker(i), color=site_colour(i),
                      label=_("Site {site} patients").format(site=site))
        if len(plain):
            left.axhline(float(plain[f"auroc {site}"].iloc[0]), color=site_colour(i),
                         linestyle="--", linewidth=0.9)
    left.set(xscale="log", ylim=(0.5, 1.0), xlabel=_("privacy budget ε (log scale)"),
             ylabel=_("AUROC (0.5 = chance)"), title=_("Utility (dashed: no DP)"))
    left.legend(fontsize=7, loc="upper left")
    measured = "held_out_advantage" if "held_out_advantage" in table else "advantage"
    if {"ci_low", "ci_high"} <= set(table.columns):
        right.errorbar(finite["epsilon"], finite[measured],
                       yerr=[finite[measured] - finite["ci_low"],
                             finite["ci_high"] - finite[measured]],
                       marker="o", color="black", capsize=3,
                       label=_("measured, held-out (95 % CI)"))
    else:
        right.plot(finite["epsilon"], finite[measured], marker="o", color="black",
                   label=_("measured advantage"))
    if "advantage_bound" in table:
        right.plot(finite["epsilon"], finite["advantage_bound"], color="grey", linestyle=":",
                   marker="s", label=_("bound from (ε, δ)"))
    if "mechanism_bound" in table:
        right.plot(finite["epsilon"], finite["mechanism_bound"], color="grey",
                   linestyle="-", marker="^", label=_("bound from the mechanism (PLD)"))
    right.axhline(0, color="grey", linewidth=0.6)
    right.set(xscale="log", ylim=(-0.1, 1.05), xlabel=_("privacy budget ε (log scale)"),
              ylabel=_("membership advantage (TPR − FPR)"), title=_("Membership attack"))
    right.legend(fontsize=7, loc="upper left")
    for ax in (left, right):
        ax.minorticks_off()
        ax.set_xticks(finite["epsilon"], [f"{e:.2g}" for e in finite["epsilon"]])
    if not title and site is not None:
        title = _("Site {site}'s local model under DP-SGD").format(site=site)
    if title:
        fig.suptitle(title)
    return describe(fig, privacy_utility_description(table))


def privacy_utility_description(table: pd.DataFrame) -> str:
    """The text alternative of :func:`plot_privacy_utility`: AUROC per site and the measured
    advantage at the smallest and the largest privacy budget."""
    finite = table[np.isfinite(table["epsilon"])].sort_values("epsilon")
    sites = [c.removeprefix("auroc ") for c in table.columns
             if c.startswith("auroc ") and not c.endswith((" low", " high"))]
    measured = "held_out_advantage" if "held_out_advantage" in table else "advantage"
    text = [_("Two panels against the privacy budget ε on a log scale. Left: AUROC on each "
              "hospital's patients, dashed without DP. Right: the measured membership "
              "advantage (TPR − FPR) beside the DP bound and what a blind attack reaches.")]
    for row in (finite.iloc[0], finite.iloc[-1]):
        text.append(_("At ε = {epsilon:.2g}: AUROC {aurocs}; advantage {advantage:.3f}.")
                    .format(epsilon=row["epsilon"], advantage=row[measured],
                            aurocs=", ".join(_site_auroc(row, s) for s in sites)))
    return " ".join(text)


def _site_auroc(row: pd.Series, site: str) -> str:
    """One site's AUROC in the text alternative, with the range over the noise draws where
    the table has it (its ``low``/``high`` columns are bounds, not sites)."""
    auroc = f"{row[f'auroc {site}']:.3f}"
    if f"auroc {site} low" not in row or f"auroc {site} high" not in row:
        return _("Site {site} {auroc}").format(site=site, auroc=auroc)
    return _("Site {site} {auroc} (noise draws from {low} to {high})").format(
        site=site, auroc=auroc, low=f"{row[f'auroc {site} low']:.3f}",
        high=f"{row[f'auroc {site} high']:.3f}")


def plot_subgroups(groups: pd.DataFrame, title: str = "", *, site: str | None = None
                   ) -> Figure:
    """AUROC per sex and age band, one bar per model: who pays for the noise.

    With ``n_train`` (as from ``subgroup_table(..., trained_on=...)``) each group's label
    says how many of its patients the models learnt from, otherwise (``n``) how many were
    scored. With ``auroc_low``/``auroc_high`` (several noise draws) each bar carries the
    range over the draws. The axis starts at 0.5 (chance). Without a ``title``, ``site``
    (whose future patients were scored) gives one.
    """
    fig, (ax,) = new_figure(width=7.5, height=3.6)
    count = "n_train" if "n_train" in groups else "n" if "n" in groups else None
    label = (_("{group}: {value}\n(trained on {n})") if count == "n_train" else
             _("{group}: {value}\n(scored {n})") if count else "{group}: {value}")
    keys = groups.drop_duplicates(["group", "value"])
    labels = [label.format(group=row.group, value=row.value,
                           n=getattr(row, count) if count else 0)
              for row in keys.itertuples(index=False)]
    models = list(dict.fromkeys(groups["model"]))
    x = np.arange(len(labels))
    width = 0.8 / len(models)
    ranged = {"auroc_low", "auroc_high"} <= set(groups.columns)
    for i, name in enumerate(models):
        rows = groups[groups["model"] == name]
        err = ([rows["auroc"] - rows["auroc_low"], rows["auroc_high"] - rows["auroc"]]
               if ranged else None)
        ax.bar(x + i * width, rows["auroc"], width, color=site_colour(i), label=name,
               hatch=series_hatch(i), edgecolor="white", linewidth=0, yerr=err, capsize=2,
               error_kw={"elinewidth": 0.8})
    ax.set_xticks(x + width * (len(models) - 1) / 2, labels, fontsize=8)
    ylabel = bar_axis(ax, groups["auroc_high" if ranged else "auroc"].to_numpy(dtype=float),
                      "AUROC", headroom=0.12)
    if not title:
        title = (_("AUROC per group, site {site}'s future patients").format(site=site)
                 if site is not None else _("AUROC per group of patients"))
    ax.set(ylabel=ylabel, title=title)
    ax.legend(ncols=min(len(models), 6), fontsize=7, loc="upper left",
              title=_("bars: range over noise draws") if ranged else None, title_fontsize=7)
    lowest = groups.loc[groups["auroc"].idxmin()]
    return describe(fig, " ".join([
        _("Bar chart of AUROC for each patient group (sex and age band), one bar per model: "
          "{models}.").format(models=", ".join(models)),
        _("The lowest bar is {model} for {group} {value}: {auroc:.3f}.").format(
            model=lowest["model"], group=lowest["group"], value=lowest["value"],
            auroc=lowest["auroc"])]))


def plot_reconstruction(table: pd.DataFrame, title: str = "") -> Figure:
    """Reconstruction error against records per update, one line per number of local epochs."""
    fig, (ax,) = new_figure(width=4.6, height=3.4)
    for i, epochs in enumerate(table.columns):
        ax.plot(table.index, np.maximum(table[epochs], 1e-8), marker=series_marker(i),
                color=site_colour(i), label=ngettext("{n} local epoch", "{n} local epochs",
                                                     int(epochs)).format(n=epochs))
    ax.set(xscale="log", yscale="log", xlabel=_("records in the update (batch size)"),
           ylabel=_("distance to nearest record / its length"),
           title=_(title) if title else _("How close the reconstruction comes to a record"))
    ax.legend(fontsize=8)
    records, epochs = table.stack().idxmin()
    return describe(fig, " ".join([
        _("Line chart on log-log axes of how far the record read back from an update lies "
          "from the nearest real record (relative to its length), against the number of "
          "records in the update, one line per number of local epochs."),
        _("The smallest distance is {value:.2g}, for an update of {records} records with "
          "local epochs set to {epochs}.").format(value=table.loc[records, epochs],
                                                  records=records, epochs=epochs)]))


#: The column names of ``round_leakage`` (privacy.coordinator) and how a figure shows them.
_LEAKAGE_COLUMNS = (
    (re.compile(r"site (?P<site>\w+) update"), N_("Site {site}'s update")),
    (re.compile(r"global model, site (?P<site>\w+) patients"),
     N_("global model, Site {site}'s patients")),
)
#: What lesson 05 measures per round, marked so that a figure shows it translated.
MEMBERSHIP_ADVANTAGE = N_("membership advantage (TPR − FPR)")


def leakage_label(column: object) -> str:
    """A column of ``round_leakage`` as a figure shows it, in the course's language (the
    table keeps its identifier columns, which the lessons' code indexes)."""
    for pattern, label in _LEAKAGE_COLUMNS:
        match = pattern.fullmatch(str(column))
        if match:
            return _(label).format(site=match["site"])
    name = str(column)
    return _(name)


def plot_round_leakage(table: pd.DataFrame, metric: str = MEMBERSHIP_ADVANTAGE, title: str = "",
                       baseline: float | Mapping[str, float] | None = None) -> Figure:
    """An attack's figure per round, one line per thing attacked (columns of ``table``).

    ``baseline`` draws what a blind attack reaches (its 95th percentile): one value, or one
    per site as ``{"A": 0.086, "B": 0.034}``, drawn in that site's colour and matched to the
    columns whose name contains "site A" (etc.), so each line is read against the blind
    attack with its own numbers of patients. The legend sits beside the axes, off the data.
    """
    fig, (ax,) = new_figure(width=6.8, height=3.4)
    sites = list(baseline) if isinstance(baseline, Mapping) else []
    styles = ["-", "--", "-.", ":"]
    for i, name in enumerate(table.columns):
        index = next((k for k, s in enumerate(sites) if f"site {s} " in f"{name} "), None)
        colour = site_colour(i if index is None else index)
        style = styles[sum(1 for c in table.columns[:i] if index is not None
                           and f"site {sites[index]} " in f"{c} ") % len(styles)]
        ax.plot(table.index, table[name], marker=series_marker(i), color=colour,
                linestyle=style,
                label=leakage_label(name))
    if isinstance(baseline, Mapping):
        for k, (site_name, value) in enumerate(baseline.items()):
            ax.axhline(value, color=site_colour(k), linestyle=(0, (1, 3)), linewidth=1.2,
                       label=_("blind attack, 95th percentile, Site {site}'s numbers").format(
                           site=site_name))
    elif baseline is not None:
        ax.axhline(baseline, color="grey", linestyle="--", linewidth=0.9,
                   label=_("blind attack, 95th percentile"))
    shown = _(metric)
    ax.set(xlabel=_("round"), ylabel=shown,
           title=_(title) if title else _("{metric} per round").format(metric=shown),
           ylim=(0, None))
    ax.set_xticks(list(table.index))
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0)
    round_, name = table.stack().idxmax()
    text = [_("Line chart of the attack's {metric} in each round, for {names}.").format(
        metric=shown, names=", ".join(map(leakage_label, table.columns)))]
    if isinstance(baseline, Mapping):
        text.append(_("Dotted lines mark what a blind attack reaches one time in 20 with each "
                      "site's numbers: {values}.").format(values=", ".join(
                          _("Site {site} {value:.3f}").format(site=site, value=value)
                          for site, value in baseline.items())))
    elif baseline is not None:
        text.append(_("A dashed line marks what a blind attack reaches one time in 20: "
                      "{baseline:.3f}.").format(baseline=baseline))
    text.append(_("The highest value is {value:.3f}, for {name} in round {round}.").format(
        value=table.loc[round_, name], name=leakage_label(name), round=round_))
    return describe(fig, " ".join(text))
