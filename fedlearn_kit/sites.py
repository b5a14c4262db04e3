"""Site profiles: how care providers differ in size, case mix, outcomes and assays (lesson 01)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

MAX_SITES = 8


@dataclass(frozen=True)
class SiteProfile:
    """How one care provider's patients are generated.

    Each field is one kind of difference between real sites: ``num_patients`` (quantity
    skew), ``age_mean``, ``female_fraction`` and ``severity_shift`` (case mix, i.e. covariate
    shift), ``baseline_log_odds`` (outcome prevalence not explained by the features, such as
    follow-up routines) and ``ntprobnp_assay_factor`` (a lab whose NT-proBNP assay reads
    high or low: the same patient gets a different number).
    """

    name: str
    description: str
    num_patients: int
    age_mean: float
    female_fraction: float
    severity_shift: float
    baseline_log_odds: float
    ntprobnp_assay_factor: float


_PRESETS: tuple[SiteProfile, ...] = (
    SiteProfile("A", "County hospital: older, more rural, fewer patients",
                300, 79.0, 0.47, -0.2, 0.0, 1.0),
    SiteProfile("B", "University hospital: larger, sicker, referred cases",
                2400, 72.0, 0.38, 0.4, 0.2, 1.3),
    SiteProfile("C", "Regional hospital", 1200, 76.0, 0.44, 0.1, 0.1, 1.1),
    SiteProfile("D", "Small rural hospital", 300, 81.0, 0.50, -0.3, -0.1, 0.9),
    SiteProfile("E", "Specialist heart clinic", 800, 70.0, 0.35, 0.6, 0.3, 1.0),
    SiteProfile("F", "Geriatric unit", 600, 84.0, 0.55, 0.0, 0.2, 1.15),
    SiteProfile("G", "City hospital", 1500, 74.0, 0.42, 0.2, 0.0, 1.05),
    SiteProfile("H", "Island hospital", 250, 78.0, 0.48, -0.1, 0.05, 0.95),
)


def default_sites(num_sites: int = 2, patients_per_site: int | None = None
                  ) -> tuple[SiteProfile, ...]:
    """The first ``num_sites`` preset sites; ``patients_per_site`` gives each the same size."""
    if not 1 <= num_sites <= MAX_SITES:
        raise ValueError(
            f"num_sites={num_sites}: the kit has profiles for 1 to {MAX_SITES} sites. "
            f"Pick a number in that range, or pass your own SiteProfile objects."
        )
    sites = _PRESETS[:num_sites]
    if patients_per_site is not None:
        if patients_per_site < 1:
            raise ValueError(f"patients_per_site={patients_per_site}: must be at least 1.")
        sites = tuple(replace(s, num_patients=patients_per_site) for s in sites)
    return sites


def profiles_table(sites: tuple[SiteProfile, ...]) -> pd.DataFrame:
    """The site profiles as a table, one row per site (lesson 00)."""
    rows = {s.name: {"description": s.description, "patients": s.num_patients,
                     "mean age": s.age_mean, "female share": s.female_fraction,
                     "severity shift": s.severity_shift,
                     "baseline log-odds": s.baseline_log_odds,
                     "NT-proBNP assay factor": s.ntprobnp_assay_factor}
            for s in sites}
    import pandas as pd  # only for this table: the command line reads MAX_SITES at start-up

    return pd.DataFrame(rows).T
