"""Feedback for the exercises of lesson 02 (local models)."""

from __future__ import annotations

import pandas as pd

from fedlearn_kit.checks import Verdict, failed, is_close, passed
from fedlearn_kit.evaluation import evaluate
from fedlearn_kit.experiment import Experiment
from fedlearn_kit.training import TrainedModel, fit


def brier(answer: float, model: TrainedModel, test: pd.DataFrame) -> Verdict:
    """Exercise 2.1: the Brier score, the mean squared gap between risk and outcome."""
    expected = evaluate(model, test)["brier"]
    if is_close(answer, expected ** 0.5, 1e-6):
        return failed("that is the square root of the Brier score.",
                      "the Brier score is the mean of the squared differences, no root.")
    if not is_close(answer, expected, 1e-6):
        return failed(f"{answer!r} is not the Brier score of this model on these patients.",
                      "average (y_hat - y) ** 2 over the test patients, with y_hat the "
                      "predicted probabilities.")
    return passed(f"Brier score {expected:.4f}: lower is better, 0 is perfect.")


def mlp_auroc(answer: float, train: pd.DataFrame, test: pd.DataFrame, exp: Experiment) -> Verdict:
    """Exercise 2.2: test AUROC of an MLP trained with the experiment's other settings."""
    expected = evaluate(fit(train, Experiment(**{**exp.as_dict(), "model": "mlp"}), "mlp"),
                        test)["auroc"]
    if not is_close(answer, expected, 1e-6):
        return failed(f"{answer!r} is not the AUROC this MLP reaches.",
                      "build the experiment with model='mlp' and keep the other settings "
                      "(seed included), train on the training part and evaluate on the test "
                      "part.")
    return passed(f"The MLP reaches AUROC {expected:.3f} on these test patients.")
