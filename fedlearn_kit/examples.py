"""Deliberately faulty data for practising validation (lesson 01)."""

from __future__ import annotations

import numpy as np
import pandas as pd


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
