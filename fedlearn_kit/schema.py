"""The cohort's columns: meaning, unit, type, plausible range and model scaling (lesson 01).

One table drives the generator, the validator, the data card and the feature matrix, so a
column cannot mean one thing in the data and another in the model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pandas as pd

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
            "Synthetic identifier made up by the generator (never a personnummer)",
            is_feature=False)
SITE = Column("site", "site", "Care provider the record belongs to", is_feature=False)
OUTCOME = Column("readmitted_30d", "binary", "Readmitted within 30 days of discharge (label)",
                 is_feature=False)

FEATURES: tuple[Column, ...] = (
    Column("age", "integer", "Age at discharge", "years", 18, 105, center=75, scale=10),
    # Enters the model as 1 for "F", 0 for "M".
    Column("sex", "category", "Sex as recorded", "", categories=("F", "M"), center=0.45,
           scale=0.5),
    Column("ejection_fraction", "integer", "Left ventricular ejection fraction", "%", 10, 80,
           center=40, scale=12),
    Column("nyha_class", "integer", "NYHA functional class at discharge", "I-IV as 1-4", 1, 4,
           center=2.5, scale=0.8),
    Column("nt_probnp", "integer", "NT-proBNP at discharge", "ng/L", 20, 70000,
           center=8.0, scale=1.0, log=True),
    Column("egfr", "float", "Estimated glomerular filtration rate", "mL/min/1.73 m²", 5, 150,
           center=55, scale=20),
    Column("sodium", "integer", "Plasma sodium", "mmol/L", 115, 155, center=139, scale=4),
    Column("systolic_bp", "integer", "Systolic blood pressure at discharge", "mmHg", 70, 220,
           center=125, scale=20),
    Column("diabetes", "binary", "Diabetes mellitus", center=0.35, scale=0.5),
    Column("atrial_fibrillation", "binary", "Atrial fibrillation", center=0.45, scale=0.5),
    Column("copd", "binary", "Chronic obstructive pulmonary disease", center=0.2, scale=0.4),
    Column("prior_admissions_12m", "integer", "Hospital admissions in the previous 12 months",
           "count", 0, 15, center=1, scale=1.2),
    Column("length_of_stay", "integer", "Length of the index stay", "days", 1, 60,
           center=6, scale=4),
    Column("beta_blocker", "binary", "Beta blocker at discharge", center=0.8, scale=0.4),
    Column("raas_inhibitor", "binary", "ACE inhibitor, ARB or ARNI at discharge",
           center=0.75, scale=0.43),
    Column("mra", "binary", "Mineralocorticoid receptor antagonist at discharge",
           center=0.45, scale=0.5),
)

COLUMNS: tuple[Column, ...] = (ID, SITE, *FEATURES, OUTCOME)
COLUMN_NAMES: tuple[str, ...] = tuple(c.name for c in COLUMNS)
FEATURE_NAMES: tuple[str, ...] = tuple(c.name for c in FEATURES)
OUTCOME_NAME = OUTCOME.name
BY_NAME: dict[str, Column] = {c.name: c for c in COLUMNS}


def schema_table() -> pd.DataFrame:
    """The columns with meaning, unit and plausible range, as a table (lesson 01)."""
    rows = {c.name: {"meaning": c.description, "unit": c.unit, "range": c.range_text,
                     "used by the model": c.is_feature}
            for c in COLUMNS}
    return pd.DataFrame(rows).T
