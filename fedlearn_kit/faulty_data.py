"""Deliberately faulty data for practising validation (lesson 01)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from fedlearn_kit.i18n import _


def damaged_copy(df: pd.DataFrame, seed: int = 0) -> pd.DataFrame:
    """A copy of a site's data with the faults real exports have.

    Three patients lose their eGFR (empty cells) and two have sodium recorded in the wrong
    unit (x10). Everything else is untouched, so the fix is to find exactly those rows.
    """
    damaged = df.copy()
    rng = np.random.default_rng(seed)
    rows = rng.choice(len(df), size=5, replace=False)
    damaged["egfr"] = damaged["egfr"].astype(float)
    damaged.loc[damaged.index[rows[:3]], "egfr"] = np.nan
    damaged.loc[damaged.index[rows[3:]], "sodium"] *= 10
    return damaged


def without_variable(df: pd.DataFrame, column: str) -> pd.DataFrame:
    """A copy of ``df`` in which the model cannot use ``column`` (a minimisation experiment).

    The column is set to the reference value the kit scales it by, so its model input is
    0 for every patient: a model trained and tested on such data learns nothing from it,
    exactly as if the column had not been collected. ``sex``, a category, cannot be hidden
    this way.
    """
    from fedlearn_kit.schema import BY_NAME

    col = BY_NAME.get(column)
    if col is None or not col.is_feature:
        features = ", ".join(c for c, v in BY_NAME.items() if v.is_feature)
        raise ValueError(_("{column} is not one of the model's variables: {features}.").format(
            column=repr(column), features=features))
    if col.kind == "category":
        raise ValueError(_("{column} is a category; choose a number or 0/1 variable.").format(
            column=repr(column)))
    hidden = df.copy()
    hidden[column] = float(np.exp(col.center)) if col.log else col.center
    return hidden
