"""What a risk score means on the ward: alerts, readmissions caught, calibration (lesson 03).

An AUROC says how well a model ranks patients; a clinician deciding whether to act on a
score asks other questions. If the ward follows up the patients with the highest scores,
how many alerts per 100 patients is that, how many of the readmissions does it catch, and
how many flagged patients does the team see for each readmission it catches? And when the
score says 25 %, are about a quarter of such patients readmitted? The functions here answer
those questions for a model on a set of patients; lesson 03 prints them for the local and
the central model and checks its sentences against them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from fedlearn_kit.evaluation import as_list, relabelled
from fedlearn_kit.i18n import N_, _
from fedlearn_kit.schema import OUTCOME_NAME
from fedlearn_kit.training import TrainedModel

#: The shares of patients a ward might follow up, highest predicted risk first.
SHARES = (0.1, 0.2, 0.3)


def flag_top(risk: np.ndarray, share: float) -> np.ndarray:
    """A mask of the ``share`` of patients with the highest risk (ties keep their order).

    ``share`` is a fraction between 0 and 1; the number flagged is rounded to whole patients.
    """
    if not 0 < share <= 1:
        raise ValueError(_("share={share}: give the fraction of patients to flag, between 0 "
                           "and 1 (0.2 flags the top 20 %).").format(share=share))
    risk = np.asarray(risk, dtype=float)
    count = int(round(share * len(risk)))
    order = np.argsort(-risk, kind="stable")
    mask = np.zeros(len(risk), dtype=bool)
    mask[order[:count]] = True
    return mask


def alert_counts(y: np.ndarray, risk: np.ndarray, share: float) -> dict[str, float]:
    """Per 100 patients: how many are flagged, how many readmissions are caught and missed;
    and the sensitivity, the positive predictive value (PPV) and the number of flagged
    patients per readmission caught (1 / PPV), for flagging the top ``share``."""
    y = np.asarray(y).astype(bool)
    flagged = flag_top(risk, share)
    n, caught = len(y), int((flagged & y).sum())
    readmitted = int(y.sum())
    return {
        "flagged per 100": 100 * flagged.sum() / n,
        "caught per 100": 100 * caught / n,
        "missed per 100": 100 * (readmitted - caught) / n,
        "sensitivity %": 100 * caught / readmitted if readmitted else float("nan"),
        "PPV %": 100 * caught / flagged.sum() if flagged.sum() else float("nan"),
        "flagged per catch": flagged.sum() / caught if caught else float("inf"),
    }


def threshold_table(models: Iterable[TrainedModel] | Mapping[str, TrainedModel],
                    df: pd.DataFrame, shares: Sequence[float] = SHARES) -> pd.DataFrame:
    """One row per model and share of patients flagged, with :func:`alert_counts`' columns."""
    y = df[OUTCOME_NAME].to_numpy()
    rows = {}
    for model in as_list(models):
        risk = model.predict_proba(df)
        for share in shares:
            rows[(model.name, f"top {100 * share:.0f} %")] = alert_counts(y, risk, share)
    table = pd.DataFrame(rows).T
    table.index.names = ["model", "flagged"]
    return table


def caught_difference(model: TrainedModel, other: TrainedModel, df: pd.DataFrame,
                      share: float = 0.2, num_samples: int = 300, seed: int = 0
                      ) -> tuple[float, float, float]:
    """Readmissions caught per 100 patients by ``model`` minus ``other`` when each flags its
    top ``share``, with a 95 % paired bootstrap interval (both on the same resampled
    patients): does the difference hold beyond the luck of these patients?"""
    y = df[OUTCOME_NAME].to_numpy()
    first, second = model.predict_proba(df), other.predict_proba(df)

    def difference(idx: np.ndarray) -> float:
        return (alert_counts(y[idx], first[idx], share)["caught per 100"]
                - alert_counts(y[idx], second[idx], share)["caught per 100"])

    rng = np.random.default_rng(seed)
    values = [difference(rng.integers(0, len(y), len(y))) for _sample in range(num_samples)]
    low, high = np.percentile(values, [2.5, 97.5])
    return difference(np.arange(len(y))), float(low), float(high)


def risk_band(model: TrainedModel, df: pd.DataFrame, low: float, high: float
              ) -> dict[str, float]:
    """Calibration in plain words: of the patients whose predicted risk lies in
    [``low``, ``high``), how many there are, their mean predicted risk and the share of them
    readmitted (both in %)."""
    if not 0 <= low < high <= 1:
        raise ValueError(_("risk band [{low}, {high}): give two risks between 0 and 1, the "
                           "lower first (0.2, 0.3 is 20-30 %).").format(low=low, high=high))
    risk = model.predict_proba(df)
    inside = (risk >= low) & (risk < high)
    y = df[OUTCOME_NAME].to_numpy()[inside]
    return {"patients": int(inside.sum()),
            "predicted %": 100 * float(risk[inside].mean()) if inside.any() else float("nan"),
            "readmitted %": 100 * float(y.mean()) if inside.any() else float("nan")}


def risk_bands(models: Iterable[TrainedModel] | Mapping[str, TrainedModel], df: pd.DataFrame,
               edges: Sequence[float] = (0.1, 0.2, 0.3, 0.4)) -> pd.DataFrame:
    """:func:`risk_band` for each model and each band between consecutive ``edges``, with a
    95 % interval (normal approximation) of the share readmitted."""
    rows = {}
    for model in as_list(models):
        for low, high in zip(edges, edges[1:], strict=False):
            band = risk_band(model, df, low, high)
            n, share = band["patients"], band["readmitted %"] / 100
            half = 196 * np.sqrt(share * (1 - share) / n) if n else float("nan")
            rows[(model.name, f"{100 * low:.0f}-{100 * high:.0f} %")] = {
                **band, "readmitted % low": band["readmitted %"] - half,
                "readmitted % high": band["readmitted %"] + half}
    table = pd.DataFrame(rows).T.astype({"patients": int})
    table.index.names = ["model", "predicted risk"]
    return table


#: The labels of :func:`threshold_table`'s and :func:`risk_bands`' tables (columns and index
#: level names), translated by :func:`readable`; the code indexes the English ones.
LABELS = frozenset({
    N_("flagged per 100"), N_("caught per 100"), N_("missed per 100"), N_("sensitivity %"),
    N_("PPV %"), N_("flagged per catch"), N_("model"), N_("flagged"), N_("patients"),
    N_("predicted %"), N_("readmitted %"), N_("readmitted % low"), N_("readmitted % high"),
    N_("predicted risk")})
_TOP = re.compile(r"top (?P<percent>\d+) %")


def _label(text: str) -> str:
    top = _TOP.fullmatch(text)
    if top:
        return _("top {percent} %").format(percent=top["percent"])
    return _(text) if text in LABELS else text


def readable(table: pd.DataFrame, decimals: int = 1) -> pd.DataFrame:
    """:func:`threshold_table`'s or :func:`risk_bands`' table for reading: rounded to
    ``decimals``, its labels in the course's language (lesson 03 shows both)."""
    return relabelled(table.round(decimals), _label)


def gain_sentence(rate: float, extra: float, low: float, high: float, share: float = 0.2
                  ) -> str:
    """The readmission rate and :func:`caught_difference`'s result as one sentence in the
    course's language (lesson 03 prints it)."""
    return _("Readmitted: {rate:.0f} of every 100 patients. Flagging the top {share:.0f} %, the "
             "first model catches {extra:+.1f} readmissions per 100 patients compared with the "
             "second (95 % interval {low:+.1f} to {high:+.1f}).").format(
        rate=100 * rate, share=100 * share, extra=extra, low=low, high=high)
