"""Feedback for the exercises of lesson 06 (privacy defences).

Each check recomputes the answer with the kit, names the usual mistake when it sees one
(a wrong δ, the loose e^ε − 1 bound, the zero-out ε for a patient), and never gives the
code away.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from fedlearn_kit.checks import Verdict, failed, is_close, passed, shown
from fedlearn_kit.i18n import _, ngettext
from fedlearn_kit.privacy.defences import advantage_bound, epsilon_spent


def epsilon(answer: object, noise_multiplier: float, sample_rate: float, steps: int,
            delta: float) -> Verdict:
    """Exercise 6.1: ε from the accountant for a given DP-SGD run."""
    expected = epsilon_spent([(noise_multiplier, sample_rate, steps)], delta)
    if is_close(answer, expected, 1e-6):
        return passed(ngettext("ε = {epsilon} at δ = {delta} after {steps} step.",
                               "ε = {epsilon} at δ = {delta} after {steps} steps.", steps).format(
            epsilon=f"{expected:.2f}", delta=f"{delta:g}", steps=steps))
    for other in (1e-3, 1e-4, 1e-6, 1 / 226):
        if other != delta and is_close(answer, epsilon_spent(
                [(noise_multiplier, sample_rate, steps)], other), 1e-6):
            return failed(_("{answer} is ε at δ = {other}, not at δ = {delta}.").format(
                answer=shown(answer), other=f"{other:g}", delta=f"{delta:g}"),
                _("check the delta you pass to the accountant."))
    wrong_steps = {_("that is ε after one epoch's steps ({n})."): round(1 / sample_rate),
                   _("that is ε after one step ({n})."): 1}
    for message, n in wrong_steps.items():
        if is_close(answer, epsilon_spent([(noise_multiplier, sample_rate, n)], delta), 1e-6):
            return failed(message.format(n=n), ngettext(
                "the site took {steps} step.", "the site took {steps} steps.", steps).format(
                steps=steps))
    if is_close(answer, epsilon_spent([(noise_multiplier, 1.0, steps)], delta), 1e-6):
        return failed(_("that is ε without sampling (rate 1)."),
                      _("each step samples {rate} of the patients.").format(
                          rate=f"{sample_rate:g}"))
    return failed(_("{answer} is not what the RDP accountant reports.").format(
        answer=shown(answer)),
        _("the history is a list of (noise multiplier, sample rate, steps) tuples."))


def bounds(answer_bounds: object, answer_within: object, claims: pd.DataFrame) -> Verdict:
    """Exercise 6.2: the advantage bound per claim (replace-one) and whether the attack fits.

    ``claims`` is :func:`fedlearn_kit.privacy.defences.audit_table`: one row per model with
    its claimed add/remove ``epsilon`` and ``delta`` and the attack's ``ci_low``.
    """
    eps, deltas = claims["epsilon"].to_numpy(), claims["delta"].to_numpy()
    expected = np.array([advantage_bound(e, d, "add-remove") for e, d in zip(eps, deltas,
                                                                              strict=True)])
    one_per_claim = _("expected one bound (a number) per claim, in the order of the rows.")
    if isinstance(answer_bounds, str) or not hasattr(answer_bounds, "__iter__"):
        return failed(one_per_claim)
    try:
        got = np.asarray(list(answer_bounds), dtype=np.float64)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return failed(one_per_claim)
    if got.shape != expected.shape:
        return failed(ngettext("expected {n} bound, one per row of `claims`, got {got}.",
                               "expected {n} bounds, one per row of `claims`, got {got}.",
                               len(expected)).format(n=len(expected), got=got.size))
    if not np.allclose(got, expected, atol=1e-4):
        mistakes = {
            _("that is Yeom's e^ε − 1, a looser bound for pure ε-DP."):
                np.expm1(eps),
            _("that uses the claimed ε directly; the game replaces a record "
              "(2ε, (1 + e^ε)δ)."):
                [advantage_bound(e, d, "replace-one") for e, d in zip(eps, deltas, strict=True)],
            _("δ is missing: the replace-one δ is (1 + e^ε)δ, and it enters as + 2δ."):
                [advantage_bound(e, 0.0, "add-remove") for e in eps],
        }
        for message, values in mistakes.items():
            if np.allclose(got, values, atol=1e-4):
                return failed(message, _("convert first, then apply "
                                         "(e^ε′ − 1 + 2δ′) / (e^ε′ + 1)."))
        return failed(_("the bounds {bounds} are not the bounds for these claims.").format(
            bounds=[shown(v, 3) for v in got]), _("convert each claim (ε, δ) to replace-one, "
                                                  "then apply (e^ε′ − 1 + 2δ′)/(e^ε′ + 1)."))
    want = [bool(low <= b) for low, b in zip(claims["ci_low"], expected, strict=True)]
    if isinstance(answer_within, str) or not hasattr(answer_within, "__iter__"):
        return failed(_("`within` should hold one True/False per claim."))
    within = list(answer_within)  # type: ignore[call-overload]
    if len(within) != len(want):
        return failed(ngettext("`within` should hold {n} value, one per claim.",
                               "`within` should hold {n} values, one per claim.",
                               len(want)).format(n=len(want)))
    if any(not isinstance(v, bool | np.bool_) for v in within):
        return failed(_("the values of `within` are not True or False."),
                      _("compare two numbers; the comparison gives True or False."))
    if [bool(v) for v in within] != want:
        for column in ("held_out_advantage", "ci_high"):
            if column in claims and [bool(v) for v in within] == [
                    bool(x <= b) for x, b in zip(claims[column], expected, strict=True)]:
                return failed(_("that compares {column} with the bound.").format(
                    column=column), _("a claim is refuted only when even the interval's lower "
                                      "end (ci_low) exceeds the bound: compare ci_low."))
        return failed(_("the bounds are right, but `within` is not."),
                      _("compare the lower end of each interval (ci_low) with its bound."))
    refuted = [name for name, ok in zip(claims.index, want, strict=True) if not ok]
    values = {"consistent": len(want) - len(refuted), "n": len(want),
              "refuted": ", ".join(refuted), "low": f"{expected.min():.3f}",
              "high": f"{expected.max():.3f}"}
    if refuted:
        return passed(ngettext("{consistent} of {n} claim is consistent with the attack; "
                               "refuted: {refuted}. The bounds run from {low} to {high}.",
                               "{consistent} of {n} claims are consistent with the attack; "
                               "refuted: {refuted}. The bounds run from {low} to {high}.",
                               len(want)).format(**values))
    return passed(ngettext("{consistent} of {n} claim is consistent with the attack. The "
                           "bounds run from {low} to {high}.",
                           "{consistent} of {n} claims are consistent with the attack. The "
                           "bounds run from {low} to {high}.", len(want)).format(**values))


def largest_drop(answer: object, groups: pd.DataFrame, model: str) -> Verdict:
    """Exercise 6.3: the subgroup whose AUROC falls most from 'no DP' to ``model``."""
    table = groups.pivot_table(index=["group", "value"], columns="model", values="auroc")
    drop = table["no DP"] - table[model]
    group, value = drop.idxmax()
    if answer != value:
        if answer in set(groups["value"]) and answer == (table[model] - table["no DP"]).idxmax()[1]:
            return failed(_("{answer} gains most, not loses most.").format(
                answer=shown(answer)), _("subtract the DP model's AUROC from the no-DP AUROC."))
        return failed(_("{answer} is not the group with the largest drop.").format(
            answer=shown(answer)), _("subtract each group's AUROC under the DP model from its "
                                     "AUROC without DP, and pick the largest difference."))
    rows = groups[(groups["model"] == "no DP") & (groups["value"] == value)]
    values = {"group": group, "value": value, "drop": f"{drop.max():.3f}", "model": model}
    if "n" in rows and len(rows):
        n = int(rows["n"].iloc[0])
        return passed(ngettext("{group} {value}: AUROC falls by {drop} under {model} ({n} of "
                               "these patients scored). Weigh the drop against how many "
                               "patients of the group there are.",
                               "{group} {value}: AUROC falls by {drop} under {model} ({n} of "
                               "these patients scored). Weigh the drop against how many "
                               "patients of the group there are.", n).format(n=n, **values))
    return passed(_("{group} {value}: AUROC falls by {drop} under {model}. Weigh the drop "
                    "against how many patients of the group there are.").format(**values))


def site_dp_app(app: object, clipping_norm: float, epsilon_per_round: float,
                delta: float) -> Verdict:
    """Exercise 6.4: the app's handlers with Flower's ``LocalDpMod`` on training.

    Runs the learner's ClientApp and a reference built the right way on a small
    experiment with the same (seeded) noise: the same final weights mean the same mod,
    settings and placement; weights equal to a run without DP mean no noise was added.
    """
    from flwr.clientapp import ClientApp
    from flwr.clientapp.mod import LocalDpMod

    from fedlearn_kit.experiment import Experiment
    from fedlearn_kit.privacy import coordinator

    if not isinstance(app, ClientApp):
        return failed(_("expected a flwr.clientapp.ClientApp, got {answer}.").format(
            answer=shown(app)), _("make a new, empty ClientApp and register the course app's "
                                  "two handlers on it."))
    exp = Experiment(patients_per_site=120, num_rounds=2, local_epochs=1, seed=3)

    def final(client: ClientApp) -> dict:
        with coordinator.numpy_noise(7):
            result, _tap = coordinator.run_tapped(exp, client)
        return result.state_dict

    try:
        theirs = final(app)
    except Exception as err:  # noqa: BLE001 - any failure of the learner's app is feedback
        reason = str(err).strip().splitlines()[-1] if str(err).strip() else type(err).__name__
        return failed(_("the app did not run: {reason}").format(reason=reason),
                      _("register client_app.train and client_app.evaluate, and LocalDpMod on "
                        "the training handler only (an evaluation reply has no weights to "
                        "noise)."))

    def same(a: dict, b: dict) -> bool:
        return all(bool((a[k] == b[k]).all()) for k in a)

    if same(theirs, final(coordinator.app_handlers())):
        return failed(_("the weights are those of a run without DP: no noise was added."),
                      _("pass mods=[LocalDpMod(...)] to the train() registration."))
    reference = coordinator.app_handlers(train_mods=[LocalDpMod(
        clipping_norm, clipping_norm, epsilon_per_round, delta)])
    if not same(theirs, final(reference)):
        return failed(_("the noise is not that of LocalDpMod(C, C, epsilon_per_round, "
                        "delta)."),
                      _("check the four numbers and their order: clipping norm, sensitivity "
                        "(also C), ε per round, δ."))
    return passed(_("Every site now clips its update to {clipping_norm} and adds Gaussian "
                    "noise calibrated for ε = {epsilon} per round at δ = {delta}, before the "
                    "update leaves the hospital.").format(clipping_norm=f"{clipping_norm:g}",
                                                          epsilon=f"{epsilon_per_round:g}",
                                                          delta=f"{delta:g}"))


def patient_epsilon(answer: object, noise_multiplier: float, rounds: int, delta: float) -> Verdict:
    """Exercise 6.4: site-level DP, ε for one patient's record replaced, n fixed (2C)."""
    expected = epsilon_spent([(noise_multiplier / 2, 1.0, rounds)], delta)
    if is_close(answer, expected, 1e-6):
        return passed(ngettext(
            "ε = {epsilon} for one patient's record replaced over {rounds} round; the "
            "zero-out figure covers only the site's update replaced by a zero update.",
            "ε = {epsilon} for one patient's record replaced over {rounds} rounds; the "
            "zero-out figure covers only the site's update replaced by a zero update.",
            rounds).format(epsilon=f"{expected:.2f}", rounds=rounds))
    zero_out = epsilon_spent([(noise_multiplier, 1.0, rounds)], delta)
    if is_close(answer, zero_out, 1e-6):
        return failed(_("that is the zero-out ε (the site's update against a zero update)."),
                      _("two datasets of one site give updates up to 2C apart: per unit of "
                        "sensitivity the noise is half as large."))
    if is_close(answer, epsilon_spent([(noise_multiplier * 2, 1.0, rounds)], delta), 1e-6):
        return failed(_("the noise was doubled instead of halved."),
                      _("a larger sensitivity means less noise per unit of it."))
    if is_close(answer, rounds * epsilon_spent([(noise_multiplier / 2, 1.0, 1)], delta), 1e-6):
        return failed(_("that adds up the rounds' ε."),
                      _("give the accountant all rounds at once: it composes them more "
                        "tightly."))
    return failed(_("{answer} is not ε for one patient's record replaced.").format(
        answer=shown(answer)), _("every round is one Gaussian release at sampling rate 1."))


def secure_aggregate(secure: object, gap: object) -> Verdict:
    """Exercise 6.5: SecAgg+ with three sites gives the FedAvg model."""
    from fedlearn_kit.privacy.secagg import SecAggRun, plain_fedavg

    if not isinstance(secure, SecAggRun):
        return failed(_("`secure` should be what secagg.run_secagg returns."))
    sites = len({u["partition"] for u in secure.plain})
    if sites < 3:
        return failed(ngettext("{n} site took part.", "{n} sites took part.", sites).format(
            n=sites), _("SecAgg+ needs at least three sites: set num_sites=3."))
    expected = max(float(np.max(np.abs(a - b)))
                   for a, b in zip(secure.final, plain_fedavg(secure, 1), strict=True))
    if not is_close(gap, expected, 1e-9):
        return failed(_("{answer} is not the largest difference between the SecAgg+ model "
                        "and plain FedAvg.").format(answer=shown(gap)),
                      _("compare secure.final with secagg.plain_fedavg."))
    if not math.isfinite(expected) or expected > 1e-3:
        return failed(_("the two models differ by {gap}.").format(gap=f"{expected:.3g}"))
    # The exact gap changes from run to run (random masks, rounding): report the tolerance.
    return passed(_("the coordinator saw only masked updates, yet the sum equals FedAvg to "
                    "within 1e-3 (SecAgg+ rounds updates to integers)."))
