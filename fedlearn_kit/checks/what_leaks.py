"""Feedback for the exercises of lesson 05 (what leaks).

Each check recomputes the answer with the kit, names the usual mistake when it sees one,
and points to where to look, without giving the code away.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import torch

from fedlearn_app.task import to_tensors
from fedlearn_kit.checks import Verdict, failed, is_close, passed, shown
from fedlearn_kit.privacy.attacks import AttackResult, Model, lira_attack
from fedlearn_kit.privacy.evidence import evidence


def advantage(answer: object, result: AttackResult) -> Verdict:
    """Exercise 5.1: membership advantage = the largest TPR - FPR over thresholds."""
    expected = float(np.max(result.tpr - result.fpr))
    if is_close(answer, float(np.max(result.tpr)), 1e-9) and expected != np.max(result.tpr):
        return failed("that is the largest TPR alone.",
                      "subtract the FPR at the same threshold before taking the maximum.")
    if is_close(answer, float(np.mean(result.tpr - result.fpr)), 1e-9):
        return failed("that is the mean of TPR - FPR.", "take the maximum over thresholds.")
    if is_close(answer, float(np.max(result.fpr - result.tpr)), 1e-9):
        return failed("that is FPR - TPR: the subtraction is the wrong way round.",
                      "the advantage is members found minus non-members flagged.")
    if not is_close(answer, expected, 1e-9):
        return failed(f"{shown(answer)} is not the largest TPR - FPR of this attack.",
                      "each position of result.tpr and result.fpr is one threshold: compute "
                      "TPR - FPR for every threshold, then keep the largest.")
    return passed(f"advantage {expected:.3f}: at its best threshold the share of members the "
                  f"attack finds exceeds the share of non-members it flags by "
                  f"{100 * expected:.1f} points.")


def tpr_at_fpr(answer: object, result: AttackResult, fpr: float = 0.01) -> Verdict:
    """Exercise 5.2: the highest TPR while the FPR stays at or below ``fpr``."""
    expected = result.tpr_at(fpr)
    above = result.tpr[np.argmax(result.fpr > fpr)] if (result.fpr > fpr).any() else None
    if not is_close(answer, expected, 1e-9):
        if above is not None and is_close(answer, float(above), 1e-9):
            return failed("that is the TPR at the first FPR *above* the limit.",
                          f"keep only thresholds whose FPR is at most {fpr}.")
        return failed(f"{shown(answer)} is not the TPR at {100 * fpr:g} % FPR.",
                      f"keep only the points of the curve whose FPR is at most {fpr}, then "
                      "take the largest TPR among them.")
    found = int(round(expected * len(result.member_scores)))
    return passed(f"TPR {expected:.3f}: {found} of {len(result.member_scores)} members found "
                  f"while at most {100 * fpr:g} % of non-members are flagged.")


def partner_update(recovered: Mapping[str, object], truth: Mapping[str, torch.Tensor]) -> Verdict:
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


def _numbers(x: object) -> np.ndarray:
    if isinstance(x, torch.Tensor):
        x = x.detach().numpy()
    return np.asarray(x, dtype=float).ravel()


def reconstruction(x_hat: object, patient: pd.DataFrame) -> Verdict:
    """Exercise 5.4: the patient's scaled features read back from an update."""
    if isinstance(x_hat, torch.nn.Module):
        return failed("that is a model, not the record.",
                      "use the change of the first layer's weight and bias between the two "
                      "models (after.linear.weight, after.linear.bias).")
    x, _ = to_tensors(patient)
    expected = x.double().numpy()[0]
    try:
        got = _numbers(x_hat)
    except (TypeError, ValueError):
        return failed(f"expected numbers, got {shown(x_hat)}.")
    if got.shape != expected.shape:
        return failed(f"expected {expected.size} numbers (one per feature), got {got.size}.",
                      "divide the weight change (one row) by the bias change (one number).")
    if np.allclose(got, expected, atol=1e-3):
        return passed("the update gave the patient's record back, every feature.")
    if np.allclose(got, -expected, atol=1e-3):
        return failed("the sign is flipped.", "use after minus before for both changes.")
    with np.errstate(divide="ignore", invalid="ignore"):
        if np.allclose(got * expected, 1.0, atol=1e-3, equal_nan=False):
            return failed("that is one over the record: the division is upside down.",
                          "the weight change goes on top, the bias change below.")
        ratio = got / expected
    nonzero = np.abs(expected) > 1e-6
    if nonzero.any() and np.allclose(ratio[nonzero], ratio[nonzero][0], rtol=1e-3):
        return failed("that is proportional to the record but not the record.",
                      "divide the weight change by the bias change.")
    return failed("that is not the patient's record.",
                  "use the *change* of weight and bias (after minus before), not the weights.")


def lira(answer: object, target: Model, members: pd.DataFrame, non_members: pd.DataFrame,
         shadows: list) -> Verdict:
    """Exercise 5.5: LiRA on the target with the learner's shadow models."""
    if not isinstance(answer, AttackResult):
        return failed(f"expected the result of attacks.lira_attack, got {shown(answer)}.")
    expected = lira_attack(target, members, non_members, shadows)
    if len(answer.member_scores) == len(non_members) != len(members):
        return failed("members and non-members are swapped.",
                      "the members are the patients the target was trained on.")
    if not np.allclose(answer.scores, expected.scores, atol=1e-6):
        return failed("these are not LiRA's scores for this target and these shadows.",
                      "attack the target model, with the members, the non-members and the "
                      "shadow models you trained, in that order.")
    return passed(f"LiRA with {len(shadows)} shadows: TPR at 1 % FPR {expected.tpr_at(0.01):.3f}"
                  f" ({round(expected.tpr_at(0.01) * len(members))} of {len(members)} members)"
                  f", advantage {expected.advantage:.3f}.")


def beyond_chance(answer: object, results: Mapping[str, AttackResult], seed: int = 0) -> Verdict:
    """Exercise 5.6: which attacked models leak beyond chance (interval above zero)?"""
    expected = {name: evidence(r, seed=seed).leaks_beyond_chance for name, r in results.items()}
    if not isinstance(answer, Mapping) or set(answer) != set(expected):
        return failed(f"expected a dict with one True/False per model: {sorted(expected)}.")
    if not all(isinstance(v, bool | np.bool_) for v in answer.values()):
        return failed("each value should be True or False.")
    wrong = [name for name in expected if bool(answer[name]) != expected[name]]
    if wrong:
        return failed(f"not right yet for {wrong[0]!r}.",
                      "a model leaks beyond chance when the lower end of its held-out "
                      "advantage's 95 % interval is above zero, not when its advantage is.")
    leaky = [n for n, v in expected.items() if v] or ["none"]
    return passed(f"beyond chance: {', '.join(leaky)}. The others may still leak; this attack "
                  "with these numbers of patients cannot tell.")


ANONYMITY_KEYS = ("attacks_tried", "leaks_beyond_chance", "single_record_update_readable",
                  "means_reasonably_likely", "conclusion", "reason")


def anonymity_test(answer: object, target_evidence: object, reconstruction_error: float
                   ) -> Verdict:
    """Exercise 5.7: a written EDPB anonymity test that agrees with the measurements."""
    if not isinstance(answer, Mapping):
        return failed("expected a dict with the keys of the template.")
    missing = [k for k in ANONYMITY_KEYS if k not in answer]
    if missing:
        return failed(f"the test lacks {missing}.", "fill in every key of the template.")
    attacks_tried = answer["attacks_tried"]
    if isinstance(attacks_tried, str) or len(attacks_tried) < 2:
        return failed("name every attack you ran (a list of at least two).")
    leaks = bool(target_evidence.leaks_beyond_chance)  # type: ignore[attr-defined]
    if bool(answer["leaks_beyond_chance"]) != leaks:
        return failed("leaks_beyond_chance does not match the measurement of the target.",
                      "look at the lower end of the held-out advantage's interval.")
    readable = reconstruction_error < 1e-3
    if bool(answer["single_record_update_readable"]) != readable:
        return failed("single_record_update_readable does not match section 7.",
                      "how far was the record read from a one-patient update from the real one?")
    if answer["means_reasonably_likely"] is not True:
        return failed("who has the record, the recipe and a laptop in a federation?",
                      "Recital 26 asks about means reasonably likely to be used by anyone.")
    expected = "personal data" if leaks or readable else "anonymous"
    if answer["conclusion"] != expected:
        return failed(f"with these findings the conclusion is not {shown(answer['conclusion'])}.",
                      "the EDPB asks that extraction be insignificant for every data subject.")
    reason = str(answer["reason"])
    if len(reason.split()) < 8:
        return failed("write the reason as a sentence a DPO can read (8 words or more).")
    return passed(f"conclusion: {expected}. Keep the figures, the attacks and this reason in the "
                  "DPIA's documentation, as the EDPB asks.")
