"""The cohort's columns: meaning, unit, type, plausible range and model scaling (lesson 01).

One table drives the generator, the validator, the data card and the feature matrix, so a
column cannot mean one thing in the data and another in the model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pandas as pd

from fedlearn_kit.i18n import N_, _

Kind = Literal["id", "site", "binary", "integer", "float", "category"]


@dataclass(frozen=True)
class Column:
    """One column of a site file."""

    name: str
    kind: Kind
    description: str
    unit: str = ""
    low: float | None = None
    high: float | None = None
    categories: tuple[str, ...] = ()
    # Model input = (transform(value) - center) / scale. Fixed reference values that every
    # site can apply on its own, so no site has to share statistics of its data to scale it.
    center: float = 0.0
    scale: float = 1.0
    log: bool = False
    is_feature: bool = True

    @property
    def range_text(self) -> str:
        """The allowed values as text: ``0/1``, ``F/M`` or ``115-155``."""
        if self.kind == "binary":
            return "0/1"
        if self.categories:
            return "/".join(self.categories)
        return f"{self.low:g}-{self.high:g}" if self.low is not None else ""


ID = Column("patient_id", "id",
            N_("Synthetic identifier made up by the generator (never a personnummer)"),
            is_feature=False)
SITE = Column("site", "site", N_("Care provider the record belongs to"), is_feature=False)
OUTCOME = Column("readmitted_30d", "binary", N_("Readmitted within 30 days of discharge (label)"),
                 is_feature=False)

FEATURES: tuple[Column, ...] = (
    Column("age", "integer", N_("Age at discharge"), N_("years"), 18, 105, center=75, scale=10),
    # Enters the model as 1 for "F", 0 for "M".
    Column("sex", "category", N_("Sex as recorded"), "", categories=("F", "M"), center=0.45,
           scale=0.5),
    Column("ejection_fraction", "integer", N_("Left ventricular ejection fraction"), "%", 10, 80,
           center=40, scale=12),
    Column("nyha_class", "integer", N_("NYHA functional class at discharge"),
           N_("I-IV as 1-4"), 1, 4, center=2.5, scale=0.8),
    Column("nt_probnp", "integer", N_("NT-proBNP at discharge"), "ng/L", 20, 70000,
           center=8.0, scale=1.0, log=True),
    Column("egfr", "float", N_("Estimated glomerular filtration rate"), "mL/min/1.73 m²", 5, 150,
           center=55, scale=20),
    Column("sodium", "integer", N_("Plasma sodium"), "mmol/L", 115, 155, center=139, scale=4),
    Column("systolic_bp", "integer", N_("Systolic blood pressure at discharge"), "mmHg", 70, 220,
           center=125, scale=20),
    Column("diabetes", "binary", N_("Diabetes mellitus"), center=0.35, scale=0.5),
    Column("atrial_fibrillation", "binary", N_("Atrial fibrillation"), center=0.45, scale=0.5),
    Column("copd", "binary", N_("Chronic obstructive pulmonary disease"), center=0.2, scale=0.4),
    Column("prior_admissions_12m", "integer", N_("Hospital admissions in the previous 12 months"),
           N_("count"), 0, 15, center=1, scale=1.2),
    Column("length_of_stay", "integer", N_("Length of the index stay"), N_("days"), 1, 60,
           center=6, scale=4),
    Column("beta_blocker", "binary", N_("Beta blocker at discharge"), center=0.8, scale=0.4),
    Column("raas_inhibitor", "binary", N_("ACE inhibitor, ARB or ARNI at discharge"),
           center=0.75, scale=0.43),
    Column("mra", "binary", N_("Mineralocorticoid receptor antagonist at discharge"),
           center=0.45, scale=0.5),
)

COLUMNS: tuple[Column, ...] = (ID, SITE, *FEATURES, OUTCOME)
COLUMN_NAMES: tuple[str, ...] = tuple(c.name for c in COLUMNS)
FEATURE_NAMES: tuple[str, ...] = tuple(c.name for c in FEATURES)
OUTCOME_NAME = OUTCOME.name
BY_NAME: dict[str, Column] = {c.name: c for c in COLUMNS}


def unit_text(column: Column, lang: str | None = None) -> str:
    """A column's unit in the course's language (or ``lang``): "years" is "år" in Swedish."""
    return _(column.unit, lang) if column.unit else ""


def schema_table(lang: str | None = None) -> pd.DataFrame:
    """The columns with meaning, unit and plausible range, as a table to read (lesson 01),
    labelled in the course's language (or ``lang``); the index is the column names."""
    rows = {c.name: {_("meaning", lang): _(c.description, lang),
                     _("unit", lang): unit_text(c, lang), _("range", lang): c.range_text,
                     _("used by the model", lang): c.is_feature}
            for c in COLUMNS}
    return pd.DataFrame(rows).T
