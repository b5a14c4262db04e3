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
from fedlearn_kit.privacy.defences import advantage_bound, epsilon_spent


def epsilon(answer: object, noise_multiplier: float, sample_rate: float, steps: int,
            delta: float) -> Verdict:
    """Exercise 6.1: ε from the accountant for a given DP-SGD run."""
    expected = epsilon_spent([(noise_multiplier, sample_rate, steps)], delta)
    if is_close(answer, expected, 1e-6):
        return passed(f"ε = {expected:.2f} at δ = {delta:g} after {steps} steps.")
    for other in (1e-3, 1e-4, 1e-6, 1 / 226):
        if other != delta and is_close(answer, epsilon_spent(
                [(noise_multiplier, sample_rate, steps)], other), 1e-6):
            return failed(f"{shown(answer)} is ε at δ = {other:g}, not at δ = {delta:g}.",
                          "check the delta you pass to the accountant.")
    wrong_steps = {"one epoch's steps": round(1 / sample_rate), "one step": 1}
    for what, n in wrong_steps.items():
        if is_close(answer, epsilon_spent([(noise_multiplier, sample_rate, n)], delta), 1e-6):
            return failed(f"that is ε after {what} ({n}).", f"the site took {steps} steps.")
    if is_close(answer, epsilon_spent([(noise_multiplier, 1.0, steps)], delta), 1e-6):
        return failed("that is ε without sampling (rate 1).",
                      f"each step samples {sample_rate:g} of the patients.")
    return failed(f"{shown(answer)} is not what the RDP accountant reports.",
                  "the history is a list of (noise multiplier, sample rate, steps) tuples.")


def bounds(answer_bounds: object, answer_within: object, claims: pd.DataFrame) -> Verdict:
    """Exercise 6.2: the advantage bound per claim (replace-one) and whether the attack fits.

    ``claims`` is :func:`fedlearn_kit.privacy.defences.audit_table`: one row per model with
    its claimed add/remove ``epsilon`` and ``delta`` and the attack's ``ci_low``.
    """
    eps, deltas = claims["epsilon"].to_numpy(), claims["delta"].to_numpy()
    expected = np.array([advantage_bound(e, d, "add-remove") for e, d in zip(eps, deltas,
                                                                              strict=True)])
    if isinstance(answer_bounds, str) or not hasattr(answer_bounds, "__iter__"):
        return failed("expected one bound (a number) per claim, in the order of the rows.")
    try:
        got = np.asarray(list(answer_bounds), dtype=np.float64)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return failed("expected one bound (a number) per claim, in the order of the rows.")
    if got.shape != expected.shape:
        return failed(f"expected {len(expected)} bounds, one per row of `claims`, got "
                      f"{got.size}.")
    if not np.allclose(got, expected, atol=1e-4):
        mistakes = {
            "that is Yeom's e^ε − 1, a looser bound for pure ε-DP":
                np.expm1(eps),
            "that uses the claimed ε directly; the game replaces a record (2ε, (1 + e^ε)δ)":
                [advantage_bound(e, d, "replace-one") for e, d in zip(eps, deltas, strict=True)],
            "δ is missing: the replace-one δ is (1 + e^ε)δ, and it enters as + 2δ":
                [advantage_bound(e, 0.0, "add-remove") for e in eps],
        }
        for message, values in mistakes.items():
            if np.allclose(got, values, atol=1e-4):
                return failed(message + ".", "convert first, then apply "
                              "(e^ε′ − 1 + 2δ′) / (e^ε′ + 1).")
        return failed(f"the bounds {[shown(v, 3) for v in got]} are not the bounds for these "
                      "claims.", "convert each claim (ε, δ) to replace-one, then apply "
                      "(e^ε′ − 1 + 2δ′)/(e^ε′ + 1).")
    want = [bool(low <= b) for low, b in zip(claims["ci_low"], expected, strict=True)]
    if isinstance(answer_within, str) or not hasattr(answer_within, "__iter__"):
        return failed("`within` should hold one True/False per claim.")
    within = list(answer_within)  # type: ignore[call-overload]
    if len(within) != len(want):
        return failed(f"`within` should hold {len(want)} values, one per claim.")
    if any(not isinstance(v, bool | np.bool_) for v in within):
        return failed("the values of `within` are not True or False.",
                      "compare two numbers; the comparison gives True or False.")
    if [bool(v) for v in within] != want:
        for column in ("held_out_advantage", "ci_high"):
            if column in claims and [bool(v) for v in within] == [
                    bool(x <= b) for x, b in zip(claims[column], expected, strict=True)]:
                return failed(f"that compares {column} with the bound.",
                              "a claim is refuted only when even the interval's lower end "
                              "(ci_low) exceeds the bound: compare ci_low.")
        return failed("the bounds are right, but `within` is not.",
                      "compare the lower end of each interval (ci_low) with its bound.")
    refuted = [name for name, ok in zip(claims.index, want, strict=True) if not ok]
    return passed(f"{len(want) - len(refuted)} of {len(want)} claims are consistent with the "
                  "attack" + (f"; refuted: {', '.join(refuted)}." if refuted else ".")
                  + f" The bounds run from {expected.min():.3f} to {expected.max():.3f}.")


def largest_drop(answer: object, groups: pd.DataFrame, model: str) -> Verdict:
    """Exercise 6.3: the subgroup whose AUROC falls most from 'no DP' to ``model``."""
    table = groups.pivot_table(index=["group", "value"], columns="model", values="auroc")
    drop = table["no DP"] - table[model]
    group, value = drop.idxmax()
    if answer != value:
        if answer in set(groups["value"]) and answer == (table[model] - table["no DP"]).idxmax()[1]:
            return failed(f"{shown(answer)} gains most, not loses most.",
                          "subtract the DP model's AUROC from the no-DP AUROC.")
        return failed(f"{shown(answer)} is not the group with the largest drop.",
                      "subtract each group's AUROC under the DP model from its AUROC "
                      "without DP, and pick the largest difference.")
    rows = groups[(groups["model"] == "no DP") & (groups["value"] == value)]
    n = int(rows["n"].iloc[0]) if "n" in rows and len(rows) else None
    size = f" ({n} of these patients scored)" if n is not None else ""
    return passed(f"{group} {value}: AUROC falls by {drop.max():.3f} under {model}{size}. "
                  "Weigh the drop against how many patients of the group there are.")


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
        return failed(f"expected a flwr.clientapp.ClientApp, got {shown(app)}.",
                      "make a new, empty ClientApp and register the course app's two "
                      "handlers on it.")
    exp = Experiment(patients_per_site=120, num_rounds=2, local_epochs=1, seed=3)

    def final(client: ClientApp) -> dict:
        with coordinator.numpy_noise(7):
            result, _ = coordinator.run_tapped(exp, client)
        return result.state_dict

    try:
        theirs = final(app)
    except Exception as err:  # noqa: BLE001 - any failure of the learner's app is feedback
        reason = str(err).strip().splitlines()[-1] if str(err).strip() else type(err).__name__
        return failed(f"the app did not run: {reason}",
                      "register client_app.train and client_app.evaluate, and LocalDpMod on "
                      "the training handler only (an evaluation reply has no weights to noise).")

    def same(a: dict, b: dict) -> bool:
        return all(bool((a[k] == b[k]).all()) for k in a)

    if same(theirs, final(coordinator.app_handlers())):
        return failed("the weights are those of a run without DP: no noise was added.",
                      "pass mods=[LocalDpMod(...)] to the train() registration.")
    reference = coordinator.app_handlers(train_mods=[LocalDpMod(
        clipping_norm, clipping_norm, epsilon_per_round, delta)])
    if not same(theirs, final(reference)):
        return failed("the noise is not that of LocalDpMod(C, C, epsilon_per_round, delta).",
                      "check the four numbers and their order: clipping norm, sensitivity "
                      "(also C), ε per round, δ.")
    return passed(f"Every site now clips its update to {clipping_norm:g} and adds Gaussian "
                  f"noise calibrated for ε = {epsilon_per_round:g} per round at δ = "
                  f"{delta:g}, before the update leaves the hospital.")


def patient_epsilon(answer: object, noise_multiplier: float, rounds: int, delta: float) -> Verdict:
    """Exercise 6.4: site-level DP, ε for one patient's record replaced, n fixed (2C)."""
    expected = epsilon_spent([(noise_multiplier / 2, 1.0, rounds)], delta)
    if is_close(answer, expected, 1e-6):
        return passed(f"ε = {expected:.2f} for one patient's record replaced over {rounds} "
                      "rounds; the zero-out figure covers only the site's update replaced by "
                      "a zero update.")
    zero_out = epsilon_spent([(noise_multiplier, 1.0, rounds)], delta)
    if is_close(answer, zero_out, 1e-6):
        return failed("that is the zero-out ε (the site's update against a zero update).",
                      "two datasets of one site give updates up to 2C apart: per unit of "
                      "sensitivity the noise is half as large.")
    if is_close(answer, epsilon_spent([(noise_multiplier * 2, 1.0, rounds)], delta), 1e-6):
        return failed("the noise was doubled instead of halved.",
                      "a larger sensitivity means less noise per unit of it.")
    if is_close(answer, rounds * epsilon_spent([(noise_multiplier / 2, 1.0, 1)], delta), 1e-6):
        return failed("that adds up the rounds' ε.",
                      "give the accountant all rounds at once: it composes them more tightly.")
    return failed(f"{shown(answer)} is not ε for one patient's record replaced.",
                  "every round is one Gaussian release at sampling rate 1.")


def secure_aggregate(secure: object, gap: object) -> Verdict:
    """Exercise 6.5: SecAgg+ with three sites gives the FedAvg model."""
    from fedlearn_kit.privacy.secagg import SecAggRun, plain_fedavg

    if not isinstance(secure, SecAggRun):
        return failed("`secure` should be what secagg.run_secagg returns.")
    sites = len({u["partition"] for u in secure.plain})
    if sites < 3:
        return failed(f"{sites} sites took part.",
                      "SecAgg+ needs at least three sites: set num_sites=3.")
    expected = max(float(np.max(np.abs(a - b)))
                   for a, b in zip(secure.final, plain_fedavg(secure, 1), strict=True))
    if not is_close(gap, expected, 1e-9):
        return failed(f"{shown(gap)} is not the largest difference between the SecAgg+ model "
                      "and plain FedAvg.", "compare secure.final with secagg.plain_fedavg.")
    if not math.isfinite(expected) or expected > 1e-3:
        return failed(f"the two models differ by {expected:.3g}.")
    # The exact gap changes from run to run (random masks, rounding): report the tolerance.
    return passed("the coordinator saw only masked updates, yet the sum equals FedAvg to "
                  "within 1e-3 (SecAgg+ rounds updates to integers).")
