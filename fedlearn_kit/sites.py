"""Site profiles: how care providers differ in size, case mix, outcomes and assays (lesson 01)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from fedlearn_kit.i18n import N_, _

if TYPE_CHECKING:
    import pandas as pd

#: The most sites the kit generates (a workshop room of 20 to 30 laptops fits well inside).
MAX_SITES = 64


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
    SiteProfile("A", N_("County hospital: older, more rural, fewer patients"),
                300, 79.0, 0.47, -0.2, 0.0, 1.0),
    SiteProfile("B", N_("University hospital: larger, sicker, referred cases"),
                2400, 72.0, 0.38, 0.4, 0.2, 1.3),
    SiteProfile("C", N_("Regional hospital"), 1200, 76.0, 0.44, 0.1, 0.1, 1.1),
    SiteProfile("D", N_("Small rural hospital"), 300, 81.0, 0.50, -0.3, -0.1, 0.9),
    SiteProfile("E", N_("Specialist heart clinic"), 800, 70.0, 0.35, 0.6, 0.3, 1.0),
    SiteProfile("F", N_("Geriatric unit"), 600, 84.0, 0.55, 0.0, 0.2, 1.15),
    SiteProfile("G", N_("City hospital"), 1500, 74.0, 0.42, 0.2, 0.0, 1.05),
    SiteProfile("H", N_("Island hospital"), 250, 78.0, 0.48, -0.1, 0.05, 0.95),
)


#: How many sites have a hand-written profile; the lessons use only these.
NUM_PRESETS = len(_PRESETS)

# The ranges generated sites are drawn from: those the hand-written presets span.
_GENERATED_RANGES = {
    "age_mean": (70.0, 84.0), "female_fraction": (0.35, 0.55), "severity_shift": (-0.3, 0.6),
    "baseline_log_odds": (-0.1, 0.3), "ntprobnp_assay_factor": (0.9, 1.3),
}
_GENERATED_SIZES = (250, 2400)  # patients, drawn on a log scale
_PROFILE_SEED = 20_261_127  # fixed: a generated site's profile never depends on a run's seed


def site_name(index: int) -> str:
    """The letter(s) naming site ``index`` (counted from 0): A, B, ..., Z, AA, AB, ...

    Site 0 is hospital A, site 1 hospital B, and so on, so a deployment's site number K
    and the hospital's name always go together.
    """
    if index < 0:
        raise ValueError(_("index={index}: sites are numbered from 0.").format(index=index))
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(ord("A") + rest) + name
    return name


#: The description of a generated site (English; :func:`profiles_table` shows it translated).
GENERATED_DESCRIPTION = N_("Generated hospital {name}")


def _shown_description(profile: SiteProfile) -> str:
    """A site's description in the course's language, a generated site's included."""
    if profile.description == GENERATED_DESCRIPTION.format(name=profile.name):
        return _(GENERATED_DESCRIPTION).format(name=profile.name)
    return _(profile.description)


def generated_profile(index: int) -> SiteProfile:
    """A deterministic profile for site ``index`` beyond the hand-written presets.

    Each value is drawn from the range the presets span, from a random generator seeded by
    the site's index alone: site 12 is the same hospital in every run, on every laptop.
    """
    if index < NUM_PRESETS:
        return _PRESETS[index]
    import numpy as np  # here, not at the top: the command line reads MAX_SITES at start-up

    rng = np.random.default_rng(np.random.SeedSequence([_PROFILE_SEED, index]))
    low, high = np.log(_GENERATED_SIZES)
    values = {key: round(float(rng.uniform(lo, hi)), 2)
              for key, (lo, hi) in _GENERATED_RANGES.items()}
    values["age_mean"] = round(values["age_mean"], 1)
    patients = int(round(float(np.exp(rng.uniform(low, high))), -1))
    return SiteProfile(site_name(index), GENERATED_DESCRIPTION.format(name=site_name(index)),
                       patients, **values)


def default_sites(num_sites: int = 2, patients_per_site: int | None = None
                  ) -> tuple[SiteProfile, ...]:
    """The profiles of the first ``num_sites`` sites; ``patients_per_site`` gives each the
    same size.

    Sites 0 to 7 (hospitals A to H) are hand-written presets, the ones the lessons use;
    sites from 8 on (I, J, ...) are generated deterministically, for a workshop room with
    more participants (see :func:`generated_profile`).
    """
    if not 1 <= num_sites <= MAX_SITES:
        raise ValueError(_(
            "num_sites={num_sites}: the kit has profiles for 1 to {max} sites. Pick a number in "
            "that range, or pass your own SiteProfile objects.").format(num_sites=num_sites,
                                                                         max=MAX_SITES))
    sites = tuple(generated_profile(i) for i in range(num_sites))
    if patients_per_site is not None:
        if patients_per_site < 1:
            raise ValueError(_("patients_per_site={n}: must be at least 1.").format(
                n=patients_per_site))
        sites = tuple(replace(s, num_patients=patients_per_site) for s in sites)
    return sites


def profiles_table(sites: tuple[SiteProfile, ...]) -> pd.DataFrame:
    """The site profiles as a table to read, one row per site, its labels in the course's
    language (lesson 00)."""
    rows = {s.name: {_("description"): _shown_description(s), _("patients"): s.num_patients,
                     _("mean age"): s.age_mean, _("female share"): s.female_fraction,
                     _("severity shift"): s.severity_shift,
                     _("baseline log-odds"): s.baseline_log_odds,
                     _("NT-proBNP assay factor"): s.ntprobnp_assay_factor}
            for s in sites}
    import pandas as pd  # only for this table: the command line reads MAX_SITES at start-up

    return pd.DataFrame(rows).T
