"""Feedback for the exercises of lesson 06 (privacy defences)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from fedlearn_kit.checks import failed, is_close, passed
from fedlearn_kit.privacy.defences import epsilon_spent


def epsilon(answer: object, noise_multiplier: float, sample_rate: float, steps: int,
            delta: float) -> bool:
    """Exercise 6.1: ε from the accountant for a given DP-SGD run."""
    expected = epsilon_spent([(noise_multiplier, sample_rate, steps)], delta)
    if not is_close(answer, expected, 1e-6):
        return failed(f"{answer!r} is not what the RDP accountant reports.",
                      "defences.epsilon_spent([(noise_multiplier, sample_rate, steps)], delta)")
    return passed(f"ε = {expected:.2f} at δ = {delta:g} after {steps} steps.")


def within_bound(answer: object, curve: pd.DataFrame) -> bool:
    """Exercise 6.2: for each DP model, is the measured advantage at most e^ε - 1?"""
    private = curve[np.isfinite(curve["epsilon"])]
    expected = [bool(a <= math.expm1(e)) for a, e in zip(private["advantage"],
                                                          private["epsilon"], strict=True)]
    try:
        got = [bool(v) for v in list(answer)]  # type: ignore[call-overload]
    except TypeError:
        return failed("expected one True/False per DP model.", "compare two columns.")
    if len(got) != len(expected):
        return failed(f"expected {len(expected)} values, one per DP model (rows with finite ε), "
                      f"got {len(got)}.", "leave out the no-DP row, whose ε is infinite.")
    if got != expected:
        return failed("some answers differ from advantage <= e^ε - 1.",
                      "use the column 'epsilon' (spent), np.expm1 and the column 'advantage'.")
    return passed(f"{sum(expected)} of {len(expected)} DP models stay within the bound.")


def largest_drop(answer: object, groups: pd.DataFrame, model: str) -> bool:
    """Exercise 6.3: the subgroup whose AUROC falls most from 'no DP' to ``model``."""
    table = groups.pivot_table(index=["group", "value"], columns="model", values="auroc")
    drop = table["no DP"] - table[model]
    group, value = drop.idxmax()
    if answer != value:
        return failed(f"{answer!r} is not the group with the largest drop.",
                      "subtract each group's AUROC under the DP model from its AUROC "
                      "without DP, and pick the largest difference.")
    return passed(f"{group} {value}: AUROC falls by {drop.max():.3f} under {model}.")
