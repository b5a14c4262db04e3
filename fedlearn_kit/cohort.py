"""The synthetic heart-failure cohort: generator and ground-truth model (lesson 01).

Every patient is drawn from random numbers; no record describes a real person. A latent
"severity" ties the clinical variables together the way they co-vary in heart failure, and
30-day readmission is drawn from a documented logistic model (:data:`TRUE_COEFFICIENTS`)
so a course can check which effects a trained model recovered.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from fedlearn_kit.i18n import _
from fedlearn_kit.schema import BY_NAME, COLUMN_NAMES, FEATURE_NAMES, OUTCOME_NAME
from fedlearn_kit.sites import SiteProfile, default_sites

#: Log-odds change per reference standard deviation of each feature (see ``schema``).
TRUE_COEFFICIENTS: dict[str, float] = {
    "age": 0.15,
    "sex": -0.05,
    "ejection_fraction": -0.10,
    "nyha_class": 0.30,
    "nt_probnp": 0.45,
    "egfr": -0.25,
    "sodium": -0.10,
    "systolic_bp": -0.15,
    "diabetes": 0.10,
    "atrial_fibrillation": 0.05,
    "copd": 0.15,
    "prior_admissions_12m": 0.45,
    "length_of_stay": 0.15,
    "beta_blocker": -0.10,
    "raas_inhibitor": -0.15,
    "mra": -0.10,
}
TRUE_INTERCEPT = -1.75
#: Threshold effects that a logistic regression cannot represent and a small MLP can learn,
#: given enough patients: extra log-odds per unit below each threshold.
NONLINEAR_EFFECTS: dict[str, tuple[float, float, float]] = {
    # column: (threshold, unit, log-odds per unit below the threshold)
    "sodium": (135.0, 4.0, 0.6),  # hyponatraemia
    "egfr": (30.0, 10.0, 0.7),  # severe kidney failure
    "systolic_bp": (100.0, 10.0, 0.5),  # hypotension
}


@dataclass(frozen=True)
class Cohort(Mapping[str, pd.DataFrame]):
    """One DataFrame per site, with the profiles and seed that made them."""

    data: Mapping[str, pd.DataFrame]
    profiles: tuple[SiteProfile, ...] = ()
    seed: int | None = None

    def __getitem__(self, site: str) -> pd.DataFrame:
        try:
            return self.data[site]
        except KeyError:
            raise KeyError(_("No site {site} in this cohort; it has {sites}.").format(
                site=repr(site), sites=list(self.data))) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)

    def pooled(self) -> pd.DataFrame:
        """All sites' rows in one frame, as a central data warehouse would hold them."""
        return pd.concat(list(self.data.values()), ignore_index=True)

    def summary(self) -> pd.DataFrame:
        """Per-site size, outcome rate and a few case-mix figures."""
        rows = {
            site: {
                "patients": len(df),
                "readmitted_%": 100 * df[OUTCOME_NAME].mean(),
                "age_mean": df["age"].mean(),
                "female_%": 100 * (df["sex"] == "F").mean(),
                "ef_mean": df["ejection_fraction"].mean(),
                "nt_probnp_median": df["nt_probnp"].median(),
                "prior_admissions_mean": df["prior_admissions_12m"].mean(),
            }
            for site, df in self.data.items()
        }
        return pd.DataFrame(rows).T.round(1)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _scaled(name: str, values: np.ndarray) -> np.ndarray:
    col = BY_NAME[name]
    x = np.log(values) if col.log else values
    return (x - col.center) / col.scale


def true_log_odds(features: Mapping[str, np.ndarray], baseline_log_odds: float = 0.0
                  ) -> np.ndarray:
    """The ground-truth readmission log-odds for true (not assay-distorted) feature values."""
    logit = np.full(len(features["age"]), TRUE_INTERCEPT + baseline_log_odds)
    for name, beta in TRUE_COEFFICIENTS.items():
        logit += beta * _scaled(name, np.asarray(features[name], dtype=float))
    for name, (threshold, unit, beta) in NONLINEAR_EFFECTS.items():
        below = np.maximum(0.0, threshold - np.asarray(features[name], dtype=float)) / unit
        logit += beta * below
    return logit


def _clip_round(x: np.ndarray, name: str, decimals: int = 0) -> np.ndarray:
    col = BY_NAME[name]
    x = np.clip(np.round(x, decimals), col.low, col.high)
    return x if decimals else x.astype(np.int64)


def pseudonyms(site: str, n: int, prefix: str = "SYN") -> pd.Series:
    """Ids such as ``SYN-A-000001``: the letters mean they can never be read as a personnummer."""
    width = max(6, len(str(n)))
    return pd.Series([f"{prefix}-{site}-{i:0{width}d}" for i in range(1, n + 1)], dtype="str")


def generate_site(profile: SiteProfile, seed: int, site_index: int,
                  num_patients: int | None = None, stream: int = 0) -> pd.DataFrame:
    """Generate one site's patients from its profile; the same arguments give the same rows.

    ``stream`` selects an independent set of patients from the same profile: 0 is the
    site's own data, other values are "future" patients who were never in it.
    """
    rng = np.random.default_rng(np.random.SeedSequence([seed, site_index, stream]))
    n = profile.num_patients if num_patients is None else num_patients
    normal = rng.standard_normal

    severity = profile.severity_shift + normal(n)
    age = _clip_round(profile.age_mean + 10.0 * normal(n), "age")
    female = rng.random(n) < profile.female_fraction
    age_c = (age - 75.0) / 10.0
    f: dict[str, np.ndarray] = {
        "age": age,
        "sex": female.astype(float),
        "ejection_fraction": _clip_round(40 - 7 * severity + 4 * female + 10 * normal(n),
                                         "ejection_fraction"),
        "nyha_class": _clip_round(2.4 + 0.6 * severity + 0.6 * normal(n), "nyha_class"),
        "nt_probnp": _clip_round(np.exp(7.9 + 0.7 * severity + 0.15 * age_c + 0.8 * normal(n)),
                                 "nt_probnp"),
        "egfr": _clip_round(60 - 8 * age_c - 6 * severity + 15 * normal(n), "egfr", 1),
        "sodium": _clip_round(139 - 1.2 * severity + 3.5 * normal(n), "sodium"),
        "systolic_bp": _clip_round(125 - 6 * severity + 18 * normal(n), "systolic_bp"),
        "diabetes": rng.random(n) < _sigmoid(-0.6 + 0.2 * severity),
        "atrial_fibrillation": rng.random(n) < _sigmoid(-0.2 + 0.3 * age_c),
        "copd": rng.random(n) < 0.2,
        "prior_admissions_12m": _clip_round(rng.poisson(0.9 * np.exp(0.4 * severity)),
                                            "prior_admissions_12m"),
        "length_of_stay": _clip_round(1 + rng.poisson(4.5 * np.exp(0.25 * severity)),
                                      "length_of_stay"),
        "beta_blocker": rng.random(n) < 0.82,
        "mra": rng.random(n) < _sigmoid(-0.2 + 0.3 * severity),
    }
    f["raas_inhibitor"] = rng.random(n) < np.where(f["egfr"] < 30, 0.45, 0.8)
    readmitted = rng.random(n) < _sigmoid(true_log_odds(f, profile.baseline_log_odds))

    # What the site's lab reports: the assay factor distorts the value the model will see,
    # while the outcome above was drawn from the patient's true value.
    observed_ntprobnp = _clip_round(f["nt_probnp"] * profile.ntprobnp_assay_factor, "nt_probnp")

    frame = {
        "patient_id": pseudonyms(profile.name, n, "SYN" if stream == 0 else f"FUT{stream}"),
        "site": profile.name,
        **{name: f[name] for name in FEATURE_NAMES},
        OUTCOME_NAME: readmitted,
    }
    frame["sex"] = np.where(female, "F", "M")
    frame["nt_probnp"] = observed_ntprobnp
    df = pd.DataFrame(frame, columns=list(COLUMN_NAMES))
    for name in FEATURE_NAMES + (OUTCOME_NAME,):
        if BY_NAME[name].kind == "binary":
            df[name] = df[name].astype(np.int64)
    return df


def generate(sites: Sequence[SiteProfile] | int = 2, seed: int = 42,
             patients_per_site: int | None = None) -> Cohort:
    """Generate the synthetic cohort: one DataFrame per site, deterministic in ``seed``.

    ``sites`` is either a number of preset sites (see :func:`fedlearn_kit.sites.default_sites`)
    or a sequence of :class:`SiteProfile` objects.
    """
    if isinstance(sites, int):
        sites = default_sites(sites, patients_per_site)
    names = [s.name for s in sites]
    if len(set(names)) != len(names):
        raise ValueError(_("Site names must be unique, got {names}.").format(names=names))
    data = {p.name: generate_site(p, seed, i) for i, p in enumerate(sites)}
    return Cohort(data=data, profiles=tuple(sites), seed=seed)


def future_patients(cohort: Cohort, num_patients: int = 5000, stream: int = 1) -> Cohort:
    """New patients from each site's profile, who are in none of the cohort's data.

    Only synthetic data allows this: a real site cannot draw its next 5,000 patients to
    measure a model precisely. The course uses them as a precise yardstick and as the
    "non-members" of membership-inference attacks.
    """
    if cohort.seed is None:
        raise ValueError(_("This cohort was loaded from files without its seed and profiles; "
                           "generate it with fedlearn_kit.generate(...) to draw future "
                           "patients."))
    data = {p.name: generate_site(p, cohort.seed, i, num_patients, stream)
            for i, p in enumerate(cohort.profiles)}
    return Cohort(data=data, profiles=cohort.profiles, seed=cohort.seed)
