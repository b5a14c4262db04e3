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
from fedlearn_kit.privacy.attacks import AttackResult, Model, ShadowModel, lira_attack
from fedlearn_kit.privacy.evidence import LEVEL, evidence, holm


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
    found = int(round(expected * len(result.member_scores)))
    if not is_close(answer, expected, 1e-9):
        if above is not None and is_close(answer, float(above), 1e-9):
            return failed("that is the TPR at the first FPR *above* the limit.",
                          f"keep only thresholds whose FPR is at most {fpr}.")
        if found and is_close(answer, float(found), 1e-9):
            return failed("that is the number of members found, not the rate.",
                          "divide by the number of members, or read result.tpr directly.")
        if expected and is_close(answer, 100 * expected, 1e-6):
            return failed("that is a percentage; the check wants a rate between 0 and 1.")
        return failed(f"{shown(answer)} is not the TPR at {100 * fpr:g} % FPR.",
                      f"keep only the points of the curve whose FPR is at most {fpr}, then "
                      "take the largest TPR among them.")
    return passed(f"TPR {expected:.3f}: {found} of {len(result.member_scores)} members found "
                  f"while at most {100 * fpr:g} % of non-members are flagged.")


def partner_update(recovered: Mapping[str, object], truth: Mapping[str, torch.Tensor]) -> Verdict:
    """Exercise 5.5: the other site's model, solved from the aggregate."""
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
    """Exercise 5.6: the patient's scaled features read back from an update."""
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


def _shapes(model: Model) -> list[tuple[int, ...]]:
    net = model.net if hasattr(model, "net") else model
    return [tuple(p.shape) for p in net.parameters()]  # type: ignore[union-attr]


def _shadow_problem(shadows: object, target: Model, members: pd.DataFrame,
                    non_members: pd.DataFrame, num_shadow: int) -> Verdict | None:
    """What is wrong with the learner's shadow models, or None when they fit the exercise."""
    if not isinstance(shadows, list | tuple) or not all(
            isinstance(s, ShadowModel) for s in shadows):
        return failed("`shadows` should be the list attacks.shadow_models returns.",
                      "train them with attacks.shadow_models, so that the check can see "
                      "which patients each one learnt from.")
    if len(shadows) != num_shadow:
        return failed(f"{len(shadows)} shadow models; the exercise asks for {num_shadow}.")
    target_sites = set(members["site"].astype(str))
    if any(set(s.trained_on) != target_sites for s in shadows):
        other = sorted({site for s in shadows for site in s.trained_on} - target_sites)
        return failed(f"the shadows learnt from Site {', '.join(other) or '?'}'s patients, "
                      f"not from the target site's population ({', '.join(sorted(target_sites))}).",
                      "a shadow model stands in for the target, so it is trained on patients "
                      "from the same population: population[\"A\"] for Site A's model.")
    member_ids = set(members["patient_id"].astype(str))
    candidate_ids = member_ids | set(non_members["patient_id"].astype(str))
    if any(s.patient_ids & member_ids for s in shadows):
        return failed("the shadows were trained on the target's own members.",
                      "offline LiRA's shadows must not have seen the candidates: train them on "
                      "the attacker's own patients (the population), never on the members.")
    if any(s.patient_ids & candidate_ids for s in shadows):
        return failed("the shadows were trained on some of the candidates (the non-members).",
                      "train them on the attacker's own patients, whom LiRA does not test.")
    sizes = sorted({len(s.patient_ids) for s in shadows})
    if sizes != [len(members)]:
        return failed(f"the shadows learnt from {sizes} patients each; the target learnt from "
                      f"{len(members)}.", "use train_size = the number of members: a shadow "
                      "fits its data as closely as the target does only at the same size.")
    if any(_shapes(s) != _shapes(target) for s in shadows):
        return failed("the shadows are not the target's kind of model.",
                      "train them with the target's recipe: LiRA assumes the attacker knows it.")
    return None


def lira(answer: object, target: Model, members: pd.DataFrame, non_members: pd.DataFrame,
         shadows: object, num_shadow: int = 4) -> Verdict:
    """Exercise 5.3: LiRA on the target with the learner's shadow models.

    The shadows must be what the exercise asks: ``num_shadow`` models of the target's kind,
    each trained on as many patients as the target, from the attacker's own population of
    the target's site, none of them a candidate.
    """
    problem = _shadow_problem(shadows, target, members, non_members, num_shadow)
    if problem is not None or not isinstance(shadows, list | tuple):
        return problem or failed("`shadows` should be a list of shadow models.")
    if not isinstance(answer, AttackResult):
        return failed(f"expected the result of attacks.lira_attack, got {shown(answer)}.")
    expected = lira_attack(target, members, non_members, list(shadows))
    if len(answer.member_scores) == len(non_members) != len(members):
        return failed("members and non-members are swapped.",
                      "the members are the patients the target was trained on.")
    if not np.allclose(answer.scores, expected.scores, atol=1e-6):
        return failed("these are not LiRA's scores for this target and these shadows.",
                      "attack the target model, with the members, the non-members and the "
                      "shadow models you trained, in that order.")
    found = round(expected.tpr_at(0.01) * len(members))
    return passed(f"LiRA with {len(shadows)} shadows: at 1 % FPR it finds {found} of "
                  f"{len(members)} members, advantage {expected.advantage:.3f}. With so few "
                  "members found, compare attacks with an interval, not by the counts alone.")


def _as_bools(answer: Mapping[str, object]) -> list[str]:
    return [name for name, v in answer.items() if not isinstance(v, bool | np.bool_)]


def beyond_chance(answer: object, results: Mapping[str, AttackResult], seed: int = 0,
                  level: float = LEVEL) -> Verdict:
    """Exercise 5.4: which attacked models leak beyond chance, tested together?

    The course's rule: each model's permutation p-value, Holm-adjusted for testing all the
    models together, at most ``level``. The check names the rules learners reach for
    instead (the interval above zero; unadjusted p-values; the verdict turned round).
    """
    found = {name: evidence(r, seed=seed) for name, r in results.items()}
    names = list(found)
    p = np.array([found[n].advantage_p_value for n in names])
    adjusted = dict(zip(names, holm(p), strict=True))
    expected = {n: bool(adjusted[n] <= level) for n in names}
    if not isinstance(answer, Mapping) or set(answer) != set(expected):
        return failed(f"expected a dict with one True/False per model: {sorted(expected)}.")
    not_bool = _as_bools(answer)
    if not_bool:
        return failed(f"the values for {not_bool} are not True or False.",
                      "write True or False without quotes: any non-empty text, \"no\" "
                      "included, counts as true in Python.")
    given = {n: bool(answer[n]) for n in names}
    if given == expected:
        leaky = [n for n, v in expected.items() if v] or ["none"]
        return passed(f"beyond chance at the {100 * level:g} % level, four models tested "
                      f"together: {', '.join(leaky)}. The others are \"not shown\", not "
                      "\"safe\": this attack with these numbers of patients cannot tell.")
    rules = {
        "interval": ({n: found[n].held_out_advantage_ci[0] > 0 for n in names},
                     "that is the interval rule (the held-out interval above zero).",
                     "an interval that reaches below zero is not evidence of no leakage: "
                     "decide with the permutation test's p-value."),
        "unadjusted": ({n: bool(found[n].advantage_p_value <= level) for n in names},
                       "those are the unadjusted p-values.",
                       f"{len(names)} models are tested together: adjust the p-values with "
                       "evidence.holm before comparing them with 0.05."),
        "inverted": ({n: not v for n, v in expected.items()},
                     "every verdict is turned round.",
                     "a small p-value (at most 0.05) means the attack does better than chance."),
        "blind": ({n: found[n].held_out_advantage > found[n].null_advantage_95 for n in names},
                  "that compares the held-out advantage with the blind attack's level, two "
                  "different statistics.", "decide with the permutation test's p-value."),
    }
    for rule, message, hint in rules.values():
        if given == rule and rule != expected:
            return failed(message, hint)
    wrong = [n for n in names if given[n] != expected[n]]
    return failed(f"not right yet for {wrong[0]!r}.",
                  "compute each model's permutation p-value, adjust them together with "
                  "evidence.holm, and call a model leaking when its adjusted p-value is at "
                  "most 0.05.")


ANONYMITY_KEYS = ("attacks_tried", "leaks_beyond_chance", "single_record_update_readable",
                  "means_reasonably_likely", "conclusion", "reason")
#: Words that name the attacks of lesson 05 (an entry of attacks_tried must contain one).
ATTACK_WORDS = ("loss", "lira", "likelihood", "shadow", "reconstruct", "record from",
                "update", "gradient", "inversion", "partner", "aggregate", "membership")
#: Phrases that say the model is safe: a reason for "personal data" must not rest on them.
_SAFE_PHRASES = ("is anonymous", "anonymous because", "no attack found", "found no",
                 "no leakage", "does not leak", "did not leak", "nothing leaks",
                 "not personal data", "no member", "cannot be read")


def anonymity_test(answer: object, target_evidence: object, reconstruction_error: float
                   ) -> Verdict:
    """Exercise 5.7: a written EDPB anonymity test that agrees with the measurements."""
    if not isinstance(answer, Mapping):
        return failed("expected a dict with the keys of the template.")
    missing = [k for k in ANONYMITY_KEYS if k not in answer]
    if missing:
        return failed(f"the test lacks {missing}.", "fill in every key of the template.")
    attacks_tried = answer["attacks_tried"]
    if isinstance(attacks_tried, str) or not isinstance(attacks_tried, list | tuple) \
            or len(attacks_tried) < 2:
        return failed("name every attack you ran (a list of at least two).")
    unknown = [a for a in attacks_tried
               if not any(w in str(a).lower() for w in ATTACK_WORDS)]
    if unknown:
        return failed(f"{unknown} do not name an attack of lesson 05.",
                      "name the attacks as the lesson does: the loss-threshold attack, LiRA, "
                      "reconstruction from a one-patient update.")
    flags = ("leaks_beyond_chance", "single_record_update_readable", "means_reasonably_likely")
    not_bool = [k for k in flags if not isinstance(answer[k], bool | np.bool_)]
    if not_bool:
        return failed(f"the values for {not_bool} are not True or False.",
                      "write True or False without quotes: any non-empty text, \"no\" "
                      "included, counts as true in Python.")
    leaks = bool(target_evidence.leaks_beyond_chance)  # type: ignore[attr-defined]
    if bool(answer["leaks_beyond_chance"]) != leaks:
        return failed("leaks_beyond_chance does not match the measurement of the target.",
                      "look at the permutation test's p-value in target_evidence.")
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
    if expected == "personal data" and any(p in reason.lower() for p in _SAFE_PHRASES):
        return failed("the reason argues that the model is safe, but the conclusion is "
                      "personal data.", "give the finding that decides it: what leaked, or "
                      "what a one-patient update gave back.")
    if not any(w in reason.lower() for w in ("leak", "member", "record", "update", "attack")):
        return failed("the reason does not say what was measured.",
                      "name the finding that decides it: a leak beyond chance, or a record "
                      "read back from an update.")
    return passed(f"conclusion: {expected}. Keep the figures, the attacks and this reason in the "
                  "DPIA's documentation, as the EDPB asks.")
