"""Feedback for the exercises of lesson 05 (what leaks)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import torch

from fedlearn_kit.checks import failed, is_close, passed
from fedlearn_kit.features import to_tensors
from fedlearn_kit.privacy.attacks import AttackResult


def advantage(answer: object, result: AttackResult) -> bool:
    """Exercise 5.1: membership advantage = the largest TPR - FPR over thresholds."""
    expected = float(np.max(result.tpr - result.fpr))
    if is_close(answer, float(np.max(result.tpr)), 1e-9) and expected != np.max(result.tpr):
        return failed("that is the largest TPR alone.",
                      "subtract the FPR at the same threshold before taking the maximum.")
    if is_close(answer, float(np.mean(result.tpr - result.fpr)), 1e-9):
        return failed("that is the mean of TPR - FPR.", "take the maximum over thresholds.")
    if not is_close(answer, expected, 1e-9):
        return failed(f"{answer!r} is not the largest TPR - FPR of this attack.",
                      "use result.tpr and result.fpr: np.max(result.tpr - result.fpr).")
    return passed(f"advantage {expected:.3f}: at its best threshold the share of members the "
                  f"attack finds exceeds the share of non-members it flags by "
                  f"{100 * expected:.1f} points.")


def tpr_at_fpr(answer: object, result: AttackResult, fpr: float = 0.01) -> bool:
    """Exercise 5.2: the highest TPR while the FPR stays at or below ``fpr``."""
    expected = result.tpr_at(fpr)
    if not is_close(answer, expected, 1e-9):
        return failed(f"{answer!r} is not the TPR at {100 * fpr:g} % FPR.",
                      f"keep only the points with result.fpr <= {fpr}, then take the largest "
                      "result.tpr among them.")
    found = int(round(expected * len(result.member_scores)))
    return passed(f"TPR {expected:.3f}: {found} of {len(result.member_scores)} members found "
                  f"while at most {100 * fpr:g} % of non-members are flagged.")


def partner_update(recovered: Mapping[str, object], truth: Mapping[str, torch.Tensor]) -> bool:
    """Exercise 5.3: the other site's model, solved from the aggregate."""
    if not isinstance(recovered, Mapping) or set(recovered) != set(truth):
        return failed("expected a dict with the same keys as the model's state dict "
                      f"({sorted(truth)}).", "attacks.recover_partner_update returns one.")
    gap = max(float(np.max(np.abs(np.asarray(recovered[k]) - truth[k].numpy())))
              for k in truth)
    if gap > 1e-4:
        return failed(f"the recovered weights differ from the real ones by up to {gap:.3g}.",
                      "pass your own site's model as `own` and check which size is whose.")
    return passed("the other site's model, recovered exactly from the aggregate.")


def reconstruction(x_hat: object, patient: pd.DataFrame) -> bool:
    """Exercise 5.4: the patient's scaled features read back from an update."""
    x, _ = to_tensors(patient)
    expected = x.double().numpy()[0]
    got = np.asarray(x_hat.detach().numpy() if isinstance(x_hat, torch.Tensor) else x_hat,
                     dtype=float).ravel()
    if got.shape != expected.shape:
        return failed(f"expected {expected.size} numbers (one per feature), got {got.size}.",
                      "divide the weight change (one row) by the bias change (one number).")
    if np.allclose(got, -expected, atol=1e-3):
        return failed("the sign is flipped.", "divide the weight change by the bias change.")
    if not np.allclose(got, expected, atol=1e-3):
        return failed("that is not the patient's record.",
                      "use after minus before for both the weight and the bias.")
    return passed("the update gave the patient's record back, every feature.")
