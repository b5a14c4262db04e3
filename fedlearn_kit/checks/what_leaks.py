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
from fedlearn_kit.i18n import N_, _, ngettext
from fedlearn_kit.privacy.attacks import AttackResult, Model, ShadowModel, lira_attack
from fedlearn_kit.privacy.evidence import LEVEL, evidence, holm


def advantage(answer: object, result: AttackResult) -> Verdict:
    """Exercise 5.1: membership advantage = the largest TPR - FPR over thresholds."""
    expected = float(np.max(result.tpr - result.fpr))
    if is_close(answer, float(np.max(result.tpr)), 1e-9) and expected != np.max(result.tpr):
        return failed(_("that is the largest TPR alone."),
                      _("subtract the FPR at the same threshold before taking the maximum."))
    if is_close(answer, float(np.mean(result.tpr - result.fpr)), 1e-9):
        return failed(_("that is the mean of TPR - FPR."), _("take the maximum over thresholds."))
    if is_close(answer, float(np.max(result.fpr - result.tpr)), 1e-9):
        return failed(_("that is FPR - TPR: the subtraction is the wrong way round."),
                      _("the advantage is members found minus non-members flagged."))
    if not is_close(answer, expected, 1e-9):
        return failed(_("{answer} is not the largest TPR - FPR of this attack.").format(
            answer=shown(answer)),
                      _("each position of result.tpr and result.fpr is one threshold: compute "
                        "TPR - FPR for every threshold, then keep the largest."))
    return passed(_("advantage {advantage:.3f}: at its best threshold the share of members the "
                    "attack finds exceeds the share of non-members it flags by {points:.1f} "
                    "points.").format(advantage=expected, points=100 * expected))


def tpr_at_fpr(answer: object, result: AttackResult, fpr: float = 0.01) -> Verdict:
    """Exercise 5.2: the highest TPR while the FPR stays at or below ``fpr``."""
    expected = result.tpr_at(fpr)
    above = result.tpr[np.argmax(result.fpr > fpr)] if (result.fpr > fpr).any() else None
    found = int(round(expected * len(result.member_scores)))
    if not is_close(answer, expected, 1e-9):
        if above is not None and is_close(answer, float(above), 1e-9):
            return failed(_("that is the TPR at the first FPR *above* the limit."),
                          _("keep only thresholds whose FPR is at most {fpr}.").format(fpr=fpr))
        if found and is_close(answer, float(found), 1e-9):
            return failed(_("that is the number of members found, not the rate."),
                          _("divide by the number of members, or read result.tpr directly."))
        if expected and is_close(answer, 100 * expected, 1e-6):
            return failed(_("that is a percentage; the check wants a rate between 0 and 1."))
        return failed(_("{answer} is not the TPR at {percent} % FPR.").format(
            answer=shown(answer), percent=f"{100 * fpr:g}"),
                      _("keep only the points of the curve whose FPR is at most {fpr}, then "
                        "take the largest TPR among them.").format(fpr=fpr))
    return passed(_("TPR {tpr:.3f}: {found} of {members} members found while at most "
                    "{percent} % of non-members are flagged.").format(
        tpr=expected, found=found, members=len(result.member_scores), percent=f"{100 * fpr:g}"))


def partner_update(recovered: Mapping[str, object], truth: Mapping[str, torch.Tensor]) -> Verdict:
    """Exercise 5.5: the other site's model, solved from the aggregate."""
    if not isinstance(recovered, Mapping) or set(recovered) != set(truth):
        return failed(_("expected a dict with the same keys as the model's state dict "
                        "({keys}).").format(keys=sorted(truth)),
                      _("attacks.recover_partner_update returns one."))
    gap = max(float(np.max(np.abs(np.asarray(recovered[k]) - truth[k].numpy())))
              for k in truth)
    if gap > 1e-4:
        return failed(_("the recovered weights differ from the real ones by up to "
                        "{gap:.3g}.").format(gap=gap),
                      _("pass your own site's model as `own` and check which size is whose."))
    return passed(_("the other site's model, recovered exactly from the aggregate."))


def _numbers(x: object) -> np.ndarray:
    if isinstance(x, torch.Tensor):
        x = x.detach().numpy()
    return np.asarray(x, dtype=float).ravel()


def reconstruction(x_hat: object, patient: pd.DataFrame) -> Verdict:
    """Exercise 5.6: the patient's scaled features read back from an update."""
    if isinstance(x_hat, torch.nn.Module):
        return failed(_("that is a model, not the record."),
                      _("use the change of the first layer's weight and bias between the two "
                        "models (after.linear.weight, after.linear.bias)."))
    expected = to_tensors(patient)[0].double().numpy()[0]
    try:
        got = _numbers(x_hat)
    except (TypeError, ValueError):
        return failed(_("expected numbers, got {answer}.").format(answer=shown(x_hat)))
    if got.shape != expected.shape:
        return failed(_("expected {expected} numbers (one per feature), got {got}.").format(
            expected=expected.size, got=got.size),
                      _("divide the weight change (one row) by the bias change (one number)."))
    if np.allclose(got, expected, atol=1e-3):
        return passed(_("the update gave the patient's record back, every feature."))
    if np.allclose(got, -expected, atol=1e-3):
        return failed(_("the sign is flipped."), _("use after minus before for both changes."))
    with np.errstate(divide="ignore", invalid="ignore"):
        if np.allclose(got * expected, 1.0, atol=1e-3, equal_nan=False):
            return failed(_("that is one over the record: the division is upside down."),
                          _("the weight change goes on top, the bias change below."))
        ratio = got / expected
    nonzero = np.abs(expected) > 1e-6
    if nonzero.any() and np.allclose(ratio[nonzero], ratio[nonzero][0], rtol=1e-3):
        return failed(_("that is proportional to the record but not the record."),
                      _("divide the weight change by the bias change."))
    return failed(_("that is not the patient's record."),
                  _("use the *change* of weight and bias (after minus before), not the "
                    "weights."))


def _shapes(model: Model) -> list[tuple[int, ...]]:
    net = model.net if hasattr(model, "net") else model
    return [tuple(p.shape) for p in net.parameters()]  # type: ignore[union-attr]


def _shadow_problem(shadows: object, target: Model, members: pd.DataFrame,
                    non_members: pd.DataFrame, num_shadow: int) -> Verdict | None:
    """What is wrong with the learner's shadow models, or None when they fit the exercise."""
    if not isinstance(shadows, list | tuple) or not all(
            isinstance(s, ShadowModel) for s in shadows):
        return failed(_("`shadows` should be the list attacks.shadow_models returns."),
                      _("train them with attacks.shadow_models, so that the check can see "
                        "which patients each one learnt from."))
    if len(shadows) != num_shadow:
        return failed(ngettext("{n} shadow model; the exercise asks for {asked}.",
                               "{n} shadow models; the exercise asks for {asked}.",
                               len(shadows)).format(n=len(shadows), asked=num_shadow))
    target_sites = set(members["site"].astype(str))
    if any(set(s.trained_on) != target_sites for s in shadows):
        other = sorted({site for s in shadows for site in s.trained_on} - target_sites)
        return failed(_("the shadows learnt from Site {other}'s patients, not from the "
                        "target site's population ({target}).").format(
            other=", ".join(other) or "?", target=", ".join(sorted(target_sites))),
                      _("a shadow model stands in for the target, so it is trained on patients "
                        "from the same population: population[\"A\"] for Site A's model."))
    member_ids = set(members["patient_id"].astype(str))
    candidate_ids = member_ids | set(non_members["patient_id"].astype(str))
    if any(s.patient_ids & member_ids for s in shadows):
        return failed(_("the shadows were trained on the target's own members."),
                      _("offline LiRA's shadows must not have seen the candidates: train them "
                        "on the attacker's own patients (the population), never on the "
                        "members."))
    if any(s.patient_ids & candidate_ids for s in shadows):
        return failed(_("the shadows were trained on some of the candidates (the "
                        "non-members)."),
                      _("train them on the attacker's own patients, whom LiRA does not test."))
    sizes = sorted({len(s.patient_ids) for s in shadows})
    if sizes != [len(members)]:
        return failed(_("the shadows learnt from {sizes} patients each; the target learnt "
                        "from {members}.").format(sizes=sizes, members=len(members)),
                      _("use train_size = the number of members: a shadow fits its data as "
                        "closely as the target does only at the same size."))
    if any(_shapes(s) != _shapes(target) for s in shadows):
        return failed(_("the shadows are not the target's kind of model."),
                      _("train them with the target's recipe: LiRA assumes the attacker "
                        "knows it."))
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
        return problem or failed(_("`shadows` should be a list of shadow models."))
    if not isinstance(answer, AttackResult):
        return failed(_("expected the result of attacks.lira_attack, got {answer}.").format(
            answer=shown(answer)))
    expected = lira_attack(target, members, non_members, list(shadows))
    if len(answer.member_scores) == len(non_members) != len(members):
        return failed(_("members and non-members are swapped."),
                      _("the members are the patients the target was trained on."))
    if not np.allclose(answer.scores, expected.scores, atol=1e-6):
        return failed(_("these are not LiRA's scores for this target and these shadows."),
                      _("attack the target model, with the members, the non-members and the "
                        "shadow models you trained, in that order."))
    found = round(expected.tpr_at(0.01) * len(members))
    return passed(_("LiRA with {shadows} shadows: at 1 % FPR it finds {found} of {members} "
                    "members, advantage {advantage:.3f}. With so few members found, compare "
                    "attacks with an interval, not by the counts alone.").format(
        shadows=len(shadows), found=found, members=len(members), advantage=expected.advantage))


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
        return failed(_("expected a dict with one True/False per model: {names}.").format(
            names=sorted(expected)))
    not_bool = _as_bools(answer)
    if not_bool:
        return failed(_("the values for {keys} are not True or False.").format(keys=not_bool),
                      _(NOT_QUOTED))
    given = {n: bool(answer[n]) for n in names}
    if given == expected:
        leaky = [n for n, v in expected.items() if v]
        values = {"percent": f"{100 * level:g}", "count": len(names),
                  "leaky": ", ".join(leaky)}
        if not leaky:
            return passed(_("no model leaks beyond chance at the {percent} % level, {count} "
                            "models tested together. They are \"not shown\", not \"safe\": "
                            "this attack with these numbers of patients cannot tell.").format(
                **values))
        return passed(_("beyond chance at the {percent} % level, {count} models tested "
                        "together: {leaky}. The others are \"not shown\", not \"safe\": this "
                        "attack with these numbers of patients cannot tell.").format(**values))
    rules = {
        "interval": ({n: found[n].held_out_advantage_ci[0] > 0 for n in names},
                     _("that is the interval rule (the held-out interval above zero)."),
                     _("an interval that reaches below zero is not evidence of no leakage: "
                       "decide with the permutation test's p-value.")),
        "unadjusted": ({n: bool(found[n].advantage_p_value <= level) for n in names},
                       _("those are the unadjusted p-values."),
                       _("{count} models are tested together: adjust the p-values with "
                         "evidence.holm before comparing them with 0.05.").format(
                           count=len(names))),
        "inverted": ({n: not v for n, v in expected.items()},
                     _("every verdict is turned round."),
                     _("a small p-value (at most 0.05) means the attack does better than "
                       "chance.")),
        "blind": ({n: found[n].held_out_advantage > found[n].null_advantage_95 for n in names},
                  _("that compares the held-out advantage with the blind attack's level, two "
                    "different statistics."), _("decide with the permutation test's p-value.")),
    }
    for rule, message, hint in rules.values():
        if given == rule and rule != expected:
            return failed(message, hint)
    wrong = [n for n in names if given[n] != expected[n]]
    return failed(_("not right yet for {name!r}.").format(name=wrong[0]),
                  _("compute each model's permutation p-value, adjust them together with "
                    "evidence.holm, and call a model leaking when its adjusted p-value is at "
                    "most 0.05."))


#: The hint for a True or False written as text (exercises 5.4 and 5.7).
NOT_QUOTED = N_("write True or False without quotes: any non-empty text, \"no\" included, "
                "counts as true in Python.")
ANONYMITY_KEYS = ("attacks_tried", "leaks_beyond_chance", "single_record_update_readable",
                  "means_reasonably_likely", "conclusion", "reason")
#: Words that name the attacks of lesson 05 (an entry of attacks_tried must contain one), in
#: English and in Swedish: a learner of the Swedish exercise names them in Swedish.
ATTACK_WORDS = ("loss", "lira", "likelihood", "shadow", "reconstruct", "record from",
                "update", "gradient", "inversion", "partner", "aggregat", "membership",
                "förlust", "skugg", "rekonstru", "uppdatering", "medlemskap", "återskap")
#: Phrases that say the model is safe: a reason for "personal data" must not rest on them.
_SAFE_PHRASES = ("is anonymous", "anonymous because", "no attack found", "found no",
                 "no leakage", "does not leak", "did not leak", "nothing leaks",
                 "not personal data", "no member", "cannot be read",
                 "är anonym", "anonym eftersom", "hittade inga", "hittade ingen",
                 "inget läckage", "läcker inte", "läckte inte", "ingenting läcker",
                 "inte personuppgifter", "ingen medlem", "kan inte läsas")
#: Words of a reason that says what was measured (English and Swedish).
FINDING_WORDS = ("leak", "member", "record", "update", "attack",
                 "läck", "medlem", "post", "uppdatering", "uppgifter")
#: The feedback on a right anonymity test, per conclusion (the template's values).
CONCLUDED = {
    "personal data": N_("conclusion: personal data. Keep the figures, the attacks and this "
                        "reason in the DPIA's documentation, as the EDPB asks."),
    "anonymous": N_("conclusion: anonymous. Keep the figures, the attacks and this reason in "
                    "the DPIA's documentation, as the EDPB asks."),
}


def anonymity_test(answer: object, target_evidence: object, reconstruction_error: float
                   ) -> Verdict:
    """Exercise 5.7: a written EDPB anonymity test that agrees with the measurements."""
    if not isinstance(answer, Mapping):
        return failed(_("expected a dict with the keys of the template."))
    missing = [k for k in ANONYMITY_KEYS if k not in answer]
    if missing:
        return failed(_("the test lacks {keys}.").format(keys=missing),
                      _("fill in every key of the template."))
    attacks_tried = answer["attacks_tried"]
    if isinstance(attacks_tried, str) or not isinstance(attacks_tried, list | tuple) \
            or len(attacks_tried) < 2:
        return failed(_("name every attack you ran (a list of at least two)."))
    unknown = [a for a in attacks_tried
               if not any(w in str(a).lower() for w in ATTACK_WORDS)]
    if unknown:
        return failed(_("{names} do not name an attack of lesson 05.").format(names=unknown),
                      _("name the attacks as the lesson does: the loss-threshold attack, LiRA, "
                        "reconstruction from a one-patient update."))
    flags = ("leaks_beyond_chance", "single_record_update_readable", "means_reasonably_likely")
    not_bool = [k for k in flags if not isinstance(answer[k], bool | np.bool_)]
    if not_bool:
        return failed(_("the values for {keys} are not True or False.").format(keys=not_bool),
                      _(NOT_QUOTED))
    leaks = bool(target_evidence.leaks_beyond_chance)  # type: ignore[attr-defined]
    if bool(answer["leaks_beyond_chance"]) != leaks:
        return failed(_("leaks_beyond_chance does not match the measurement of the target."),
                      _("look at the permutation test's p-value in target_evidence."))
    readable = reconstruction_error < 1e-3
    if bool(answer["single_record_update_readable"]) != readable:
        return failed(_("single_record_update_readable does not match section 7."),
                      _("how far was the record read from a one-patient update from the real "
                        "one?"))
    if answer["means_reasonably_likely"] is not True:
        return failed(_("who has the record, the recipe and a laptop in a federation?"),
                      _("Recital 26 asks about means reasonably likely to be used by anyone."))
    expected = "personal data" if leaks or readable else "anonymous"
    if answer["conclusion"] != expected:
        return failed(_("with these findings the conclusion is not {answer}.").format(
            answer=shown(answer["conclusion"])),
                      _("the EDPB asks that extraction be insignificant for every data "
                        "subject."))
    reason = str(answer["reason"])
    if len(reason.split()) < 8:
        return failed(_("write the reason as a sentence a DPO can read (8 words or more)."))
    if expected == "personal data" and any(p in reason.lower() for p in _SAFE_PHRASES):
        return failed(_("the reason argues that the model is safe, but the conclusion is "
                        "personal data."), _("give the finding that decides it: what leaked, "
                                             "or what a one-patient update gave back."))
    if not any(w in reason.lower() for w in FINDING_WORDS):
        return failed(_("the reason does not say what was measured."),
                      _("name the finding that decides it: a leak beyond chance, or a record "
                        "read back from an update."))
    return passed(_(CONCLUDED[expected]))
