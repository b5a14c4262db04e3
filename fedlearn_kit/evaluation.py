"""How good is a model, for whom: AUROC, calibration and subgroups (lesson 02)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import cast

import numpy as np
import pandas as pd
from sklearn.calibration import calibration_curve
from sklearn.metrics import brier_score_loss, roc_auc_score
from torch import nn

from fedlearn_kit.cohort import TRUE_COEFFICIENTS, Cohort, generate_site
from fedlearn_kit.i18n import N_, _, ngettext
from fedlearn_kit.schema import FEATURE_NAMES, OUTCOME_NAME
from fedlearn_kit.training import Split, TrainedModel

AGE_BANDS = (0, 65, 80, 200)
AGE_LABELS = ("<65", "65-79", "80+")


def auroc(y: np.ndarray, y_hat: np.ndarray) -> float:
    """Area under the ROC curve; NaN when only one outcome is present (it is undefined then)."""
    y = np.asarray(y)
    return float(roc_auc_score(y, y_hat)) if len(np.unique(y)) == 2 else float("nan")


def scores(y: np.ndarray, y_hat: np.ndarray) -> dict[str, float]:
    """AUROC, Brier score, and observed vs. mean predicted readmission rate."""
    return {
        "auroc": auroc(y, y_hat),
        "brier": float(brier_score_loss(y, y_hat)),
        "observed_rate": float(np.mean(y)),
        "predicted_rate": float(np.mean(y_hat)),
        "n": int(len(y)),
    }


def evaluate(model: TrainedModel, df: pd.DataFrame) -> dict[str, float]:
    """Scores of one model on one set of patients."""
    return scores(df[OUTCOME_NAME].to_numpy(), model.predict_proba(df))


def as_list(models: Iterable[TrainedModel] | Mapping[str, TrainedModel]) -> list[TrainedModel]:
    """Models given as a list or as the dict ``fit_local`` returns, as a list."""
    return list(models.values()) if isinstance(models, Mapping) else list(models)


def compare(models: Iterable[TrainedModel] | Mapping[str, TrainedModel],
            test_sets: Mapping[str, pd.DataFrame | Split], metric: str = "auroc"
            ) -> pd.DataFrame:
    """One row per model (by its name), one column per site's patients.

    ``test_sets`` maps a site to its patients: the test parts of ``split_cohort`` (a
    ``Split`` stands for its test part) or a cohort of future patients.
    """
    frames = {site: s.test if isinstance(s, Split) else s for site, s in test_sets.items()}
    table = {m.name: {site: evaluate(m, df)[metric] for site, df in frames.items()}
             for m in as_list(models)}
    return pd.DataFrame(table).T


def site_report(models: Mapping[str, TrainedModel], test_sets: Mapping[str, Split]
                ) -> pd.DataFrame:
    """Each site's model on its own test patients, with a 95 % bootstrap interval."""
    rows = {}
    for site, model in models.items():
        test = test_sets[site].test
        low, high = bootstrap_auroc(model, test)
        result = evaluate(model, test)
        rows[model.name] = {"test patients": result["n"],
                            "readmitted": int(test[OUTCOME_NAME].sum()),
                            "AUROC": result["auroc"], "95% low": low, "95% high": high,
                            "Brier": result["brier"]}
    return pd.DataFrame(rows).T.astype({"test patients": int, "readmitted": int})


def bootstrap_auroc(model: TrainedModel, df: pd.DataFrame, num_samples: int = 300,
                    seed: int = 0) -> tuple[float, float]:
    """A 95 % bootstrap interval of the AUROC: how sure can a site be of its own figure?"""
    y, y_hat = df[OUTCOME_NAME].to_numpy(), model.predict_proba(df)
    rng = np.random.default_rng(seed)
    values = []
    for _sample in range(num_samples):
        idx = rng.integers(0, len(y), len(y))
        if 0 < y[idx].sum() < len(idx):
            values.append(roc_auc_score(y[idx], y_hat[idx]))
    low, high = np.percentile(values, [2.5, 97.5])
    return float(low), float(high)


def reliability(y: np.ndarray, y_hat: np.ndarray, bins: int = 8) -> pd.DataFrame:
    """Mean predicted vs. observed rate in bins of equal size (a reliability curve)."""
    observed, predicted = calibration_curve(y, y_hat, n_bins=bins, strategy="quantile")
    return pd.DataFrame({"predicted": predicted, "observed": observed})


def age_band(age: pd.Series) -> pd.Series:
    """The course's age bands: <65, 65-79, 80+."""
    return pd.cut(age, bins=AGE_BANDS, labels=AGE_LABELS, right=False).astype(str)


def subgroup_scores(model: TrainedModel, df: pd.DataFrame) -> pd.DataFrame:
    """AUROC and size per sex and per age band: does the model work equally well for all?"""
    y, y_hat = df[OUTCOME_NAME].to_numpy(), model.predict_proba(df)
    groups = {"sex": df["sex"].astype(str), "age band": age_band(df["age"])}
    rows = []
    for by, labels in groups.items():
        order = AGE_LABELS if by == "age band" else sorted(labels.unique())
        for label in [v for v in order if v in set(labels)]:
            mask = (labels == label).to_numpy()
            rows.append({"group": by, "value": label, "n": int(mask.sum()),
                         "readmitted": int(y[mask].sum()), "auroc": auroc(y[mask], y_hat[mask])})
    return pd.DataFrame(rows)


#: Column labels and group names of the tables lessons show (site_report, subgroup_scores);
#: :func:`readable` translates them for display.
TABLE_LABELS = (N_("test patients"), N_("readmitted"), N_("95% low"), N_("95% high"),
                N_("group"), N_("value"), N_("sex"), N_("age band"))


def readable(table: pd.DataFrame, lang: str | None = None) -> pd.DataFrame:
    """A copy of ``table`` to display, its column labels and group names in the course's
    language (or ``lang``); the lesson's code keeps indexing the original by its English
    labels, which are identifiers in both languages (lesson 02)."""
    labels = {label: _(label, lang) for label in TABLE_LABELS}
    shown = table.rename(columns=labels)
    for column in shown.select_dtypes(exclude="number").columns:
        shown[column] = shown[column].map(lambda value: labels.get(value, value))
    return shown


def pooling_cost(splits: Mapping[str, Split], model: TrainedModel) -> pd.DataFrame:
    """What pooling copies between hospitals, next to the size of the model (lesson 03)."""
    rows = {}
    for site, split in splits.items():
        rows[f"Site {site} records copied"] = {
            "patients": len(split.train),
            "values": int(split.train.size),
        }
    rows["the trained model"] = {"patients": 0,
                                 "values": sum(p.numel() for p in model.net.parameters())}
    return pd.DataFrame(rows).T


def relabelled(table: pd.DataFrame, label: Callable[[str], str]) -> pd.DataFrame:
    """A copy of ``table`` for reading, each column label, index label and index level name
    passed through ``label`` (which translates it). The table the code indexes keeps its
    English identifiers: lessons index it in both languages."""
    shown = table.rename(columns=label, index=label)
    shown.index.names = [label(name) if name else name for name in table.index.names]
    return shown


#: The labels of :func:`pooling_cost`'s table, translated by :func:`readable_cost`.
COST_LABELS = frozenset({N_("patients"), N_("values"), N_("the trained model")})
_COPIED = re.compile(r"Site (?P<site>\w+) records copied")


def _cost_label(text: str) -> str:
    copied = _COPIED.fullmatch(text)
    if copied:
        return _("Site {site} records copied").format(site=copied["site"])
    return _(text) if text in COST_LABELS else text


def readable_cost(table: pd.DataFrame) -> pd.DataFrame:
    """:func:`pooling_cost`'s table with its labels in the course's language (lesson 03)."""
    return relabelled(table, _cost_label)


def sample_rates(cohort: Cohort, site: str, num_samples: int = 200) -> np.ndarray:
    """Readmission rates of ``num_samples`` other samples of the site's size (lesson 02).

    Each sample has as many patients as the site's own data, drawn from the same profile
    (independent streams, none of them the site's own data or the future patients): how
    much a hospital's observed rate moves by chance alone.
    """
    if cohort.seed is None:
        raise ValueError(_("This cohort was loaded from files without its seed and profiles; "
                           "generate it with fedlearn_kit.generate(...) to draw other "
                           "samples."))
    index = list(cohort).index(site)
    profile = cohort.profiles[index]
    size = len(cohort[site])
    return np.array([generate_site(profile, cohort.seed, index, num_patients=size,
                                   stream=100 + k)[OUTCOME_NAME].mean()
                     for k in range(num_samples)])


def coefficient_error(model: TrainedModel) -> float:
    """Mean absolute gap between a logistic model's weights and the true effects."""
    weights = cast(nn.Linear, model.net.linear).weight.detach().numpy().ravel()
    truth = np.array([TRUE_COEFFICIENTS[f] for f in FEATURE_NAMES])
    return float(np.mean(np.abs(weights - truth)))


def calibration_gaps(models: Iterable[TrainedModel] | Mapping[str, TrainedModel],
                     df: pd.DataFrame, bins: int = 8) -> pd.DataFrame:
    """|observed - predicted| per risk bin (rows, lowest risk first), one column per model."""
    y = df[OUTCOME_NAME].to_numpy()
    gaps = {}
    for model in as_list(models):
        curve = reliability(y, model.predict_proba(df), bins)
        gaps[model.name] = (curve["observed"] - curve["predicted"]).abs().to_numpy()
    return pd.DataFrame(gaps)


def collaboration_gains(table: pd.DataFrame, model: str, own: str = "local {site}"
                        ) -> pd.Series:
    """Per site: ``model``'s score minus the site's own model's, on that site's patients.

    ``table`` is :func:`compare`'s (rows: models, columns: sites); a positive gain means the
    collaboration helped that site.
    """
    return pd.Series({site: table.loc[model, site] - table.loc[own.format(site=site), site]
                      for site in table.columns}, name=f"{model} gain")


@dataclass(frozen=True)
class Difference:
    """One AUROC minus another on the same patients, with a 95 % paired bootstrap interval.

    ``low`` and ``high`` bound the difference itself (not each AUROC), so they answer "is
    one model better than the other on these patients, beyond chance?"
    """

    value: float
    low: float
    high: float

    @property
    def excludes_zero(self) -> bool:
        """True when the whole interval lies on one side of 0: the difference is beyond
        what resampling these patients gives by chance."""
        return self.low > 0 or self.high < 0

    def within(self, margin: float) -> bool:
        """True when the whole interval lies within ``margin`` of 0: no difference that
        matters, as far as these patients can tell."""
        return -margin <= self.low and self.high <= margin

    def __str__(self) -> str:
        return _("{value:+.3f} (95 % interval {low:+.3f} to {high:+.3f})").format(
            value=self.value, low=self.low, high=self.high)

    def minus(self, other: Difference) -> Difference:
        """This difference minus ``other``, measured on *other* patients (another site),
        with an approximate 95 % interval: each interval's half-width is read as 1.96
        standard errors and the two errors are added in quadrature (independent samples).

        >>> print(Difference(0.04, 0.026, 0.055).minus(Difference(0.015, 0.004, 0.025)))
        +0.025 (95 % interval +0.007 to +0.043)
        """
        half = float(np.hypot((self.high - self.low) / 2, (other.high - other.low) / 2))
        value = self.value - other.value
        return Difference(value, value - half, value + half)


def resampled_aurocs(y: np.ndarray, y_hat: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The AUROC of ``y_hat`` on each bootstrap resample of the patients ``y``.

    ``counts`` has one row per resample: how often each patient was drawn. Computed from
    the ranks in one pass (the Mann-Whitney form of the AUROC, ties counting one half), so
    hundreds of resamples of thousands of patients take a fraction of a second; equal to
    :func:`auroc` on the resampled patients. NaN for a resample with one outcome only.
    """
    y, y_hat, counts = np.asarray(y), np.asarray(y_hat), np.asarray(counts, dtype=float)
    order = np.argsort(y_hat, kind="stable")
    ranked, positive = y_hat[order], np.asarray(y)[order] == 1
    weights = counts[:, order]
    starts = np.flatnonzero(np.r_[True, ranked[1:] != ranked[:-1]])  # one group per tie
    pos = np.add.reduceat(weights * positive, starts, axis=1)
    neg = np.add.reduceat(weights * ~positive, starts, axis=1)
    below = np.cumsum(neg, axis=1) - neg  # negatives ranked strictly lower
    pairs = pos.sum(axis=1) * neg.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(pairs > 0, (pos * (below + neg / 2)).sum(axis=1) / pairs, np.nan)


def bootstrap_counts(num_patients: int, num_samples: int, seed: int = 0) -> np.ndarray:
    """``num_samples`` bootstrap resamples of ``num_patients``, as draw counts per patient
    (one row per resample), drawn as :func:`bootstrap_auroc` draws its indices."""
    rng = np.random.default_rng(seed)
    counts = np.zeros((num_samples, num_patients))
    for row in counts:
        np.add.at(row, rng.integers(0, num_patients, num_patients), 1)
    return counts


def auroc_difference(y: np.ndarray, y_hat: np.ndarray, y_hat_other: np.ndarray,
                     num_samples: int = 300, seed: int = 0) -> Difference:
    """AUROC of ``y_hat`` minus AUROC of ``y_hat_other`` on the same patients ``y``, with a
    paired bootstrap interval: each resample draws patients once and scores both models on
    them, so the interval reflects the difference, not two separate uncertainties."""
    counts = bootstrap_counts(len(y), num_samples, seed)
    values = resampled_aurocs(y, y_hat, counts) - resampled_aurocs(y, y_hat_other, counts)
    low, high = np.nanpercentile(values, [2.5, 97.5])
    return Difference(auroc(y, y_hat) - auroc(y, y_hat_other), float(low), float(high))


def auroc_intervals(models: Iterable[TrainedModel] | Mapping[str, TrainedModel],
                    test_sets: Mapping[str, pd.DataFrame | Split], num_samples: int = 300,
                    seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The 95 % bootstrap interval of every AUROC of :func:`compare`'s table: two tables of
    the same shape (low, high). Each site's patients are resampled once for all models."""
    low: dict[str, dict[str, float]] = {}
    high: dict[str, dict[str, float]] = {}
    frames = {site: s.test if isinstance(s, Split) else s for site, s in test_sets.items()}
    for site, df in frames.items():
        y = df[OUTCOME_NAME].to_numpy()
        counts = bootstrap_counts(len(y), num_samples, seed)
        for model in as_list(models):
            values = resampled_aurocs(y, model.predict_proba(df), counts)
            bounds = np.nanpercentile(values, [2.5, 97.5])
            low.setdefault(model.name, {})[site] = float(bounds[0])
            high.setdefault(model.name, {})[site] = float(bounds[1])
    return pd.DataFrame(low).T, pd.DataFrame(high).T


def model_difference(model: TrainedModel, other: TrainedModel, df: pd.DataFrame,
                     num_samples: int = 300, seed: int = 0) -> Difference:
    """:func:`auroc_difference` of two trained models on the patients ``df``."""
    return auroc_difference(df[OUTCOME_NAME].to_numpy(), model.predict_proba(df),
                            other.predict_proba(df), num_samples, seed)


def report_splits(splits: Mapping[str, Split]) -> None:
    """Print, in the course's language, how many patients each site trains and tests on
    (lesson 02)."""
    for site, part in splits.items():
        print(_("Site {site}: {train} patients to train on, {test} to test.").format(
            site=site, train=len(part.train), test=len(part.test)))


def report_losses(models: Mapping[str, TrainedModel]) -> None:
    """Print, in the course's language, each model's training loss after the first and the
    last epoch (lesson 02): a loss that falls means the model fits its training data better."""
    for model in models.values():
        print(_("{model}: loss {first} after the first epoch, {last} after the last.").format(
            model=model.name, first=f"{model.losses[0]:.3f}", last=f"{model.losses[-1]:.3f}"))


def report_difference(difference: Difference, first: str, second: str, site: str) -> None:
    """Print, in the course's language, one model's AUROC minus another's on a site's future
    patients, with its 95 % interval (lesson 02)."""
    print(_("On Site {site}'s future patients, {first} minus {second}: {difference} "
            "AUROC.").format(site=site, first=first, second=second, difference=difference))


def report_sample_rates(cohort: Cohort, future: Cohort, site: str, samples: np.ndarray) -> None:
    """Print, in the course's language, a site's own readmission rate next to its future
    patients' and to the rates of other samples of its size (:func:`sample_rates`, lesson 02):
    how unusual the site's own sample is."""
    own = float(cohort[site][OUTCOME_NAME].mean())
    print(_("Site {site}'s own {n} patients: {own} readmitted. Its {n_future} future "
            "patients: {future}.").format(
        site=site, n=len(cohort[site]), own=f"{own:.1%}", n_future=len(future[site]),
        future=f"{future[site][OUTCOME_NAME].mean():.1%}"))
    print(_("{count} other samples of {n} patients: the middle 95 % lie between {low} and "
            "{high}. {share} of them are as low as Site {site}'s.").format(
        count=len(samples), n=len(cohort[site]), low=f"{np.percentile(samples, 2.5):.1%}",
        high=f"{np.percentile(samples, 97.5):.1%}", share=f"{np.mean(samples <= own):.0%}",
        site=site))


def gain_intervals(models: Iterable[TrainedModel] | Mapping[str, TrainedModel],
                   patients: Mapping[str, pd.DataFrame], model: str,
                   own: str = "local {site}", num_samples: int = 300) -> dict[str, Difference]:
    """Per site: ``model``'s AUROC minus the site's own model's on that site's ``patients``,
    with its paired 95 % interval (:func:`collaboration_gains` with uncertainty)."""
    by_name = {m.name: m for m in as_list(models)}
    return {site: model_difference(by_name[model], by_name[own.format(site=site)], df,
                                   num_samples)
            for site, df in patients.items()}


def gain_lines(gains: Mapping[str, Difference], model: str) -> str:
    """:func:`gain_intervals`' result as one line per site in the course's language: the
    AUROC of ``model`` minus the site's own model's, with its interval (lesson 03)."""
    return "\n".join(_("Site {site}: {model} minus own model = {difference} AUROC").format(
        site=site, model=model, difference=gain) for site, gain in gains.items())


def borrowed_line(difference: Difference, site: str, other: str, model: str) -> str:
    """:func:`model_difference` of ``model`` and Site ``other``'s own model on Site ``site``'s
    patients, as one line in the course's language (lesson 03)."""
    return _("Site {site}'s patients: {model} minus Site {other}'s model = {difference} "
             "AUROC").format(site=site, model=model, other=other, difference=difference)


def _listed(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def gains_by_size(gains: Mapping[str, float], sizes: Mapping[str, int]) -> str:
    """What the sites' gains say about their sizes, as one sentence that holds for them.

    ``gains`` maps a site to its gain from collaborating, ``sizes`` to its number of
    training patients. The sentence says whether the gains shrink as size grows, and names
    every exception: a smaller site that gains less than a larger one. It reads the gains
    as given (point estimates); whether a difference is beyond chance is for their
    intervals (:func:`gain_intervals`, :meth:`Difference.minus`), as lesson 04 shows.

    >>> gains_by_size({"A": 0.04, "B": 0.0}, {"A": 226, "B": 1800})
    'With this seed the smaller hospital gains more.'
    >>> gains_by_size({"A": 0.04, "B": 0.0, "C": 0.01, "D": 0.015},
    ...               {"A": 226, "B": 1800, "C": 900, "D": 224})
    'With this seed the gains shrink with size, with one exception: D (224 patients) gains less than A (226).'
    """  # noqa: E501
    by_size = sorted(gains, key=lambda s: (sizes[s], s))
    exceptions = [(small, large) for i, small in enumerate(by_size) for large in by_size[i + 1:]
                  if sizes[small] < sizes[large] and gains[small] < gains[large]]
    if not exceptions:
        return (_("With this seed the smaller hospital gains more.") if len(by_size) == 2 else
                _("With this seed, the smaller the hospital, the more it gains."))
    named = "; ".join(_("{small} ({n} patients) gains less than {large} ({m})").format(
        small=small, n=sizes[small], large=large, m=sizes[large]) for small, large in exceptions)
    pairs = len(by_size) * (len(by_size) - 1) // 2
    if len(by_size) > 2 and len(exceptions) <= pairs // 3:
        return ngettext("With this seed the gains shrink with size, with {count} exception: "
                        "{named}.",
                        "With this seed the gains shrink with size, with {count} exceptions: "
                        "{named}.", len(exceptions)).format(
            count=_("one") if len(exceptions) == 1 else len(exceptions), named=named)
    return _("With this seed the gains do not follow size: {named}.").format(named=named)
