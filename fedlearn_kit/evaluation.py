"""How good is a model, for whom: AUROC, calibration and subgroups (lesson 02)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from sklearn.calibration import calibration_curve
from sklearn.metrics import brier_score_loss, roc_auc_score

from fedlearn_kit.schema import OUTCOME_NAME
from fedlearn_kit.training import Split, TrainedModel

AGE_BANDS = (0, 65, 80, 200)
AGE_LABELS = ("<65", "65-79", "80+")


def auroc(y: np.ndarray, y_hat: np.ndarray) -> float:
    """Area under the ROC curve; NaN when only one outcome is present (it is undefined then)."""
    y = np.asarray(y)
    return float(roc_auc_score(y, y_hat)) if len(np.unique(y)) == 2 else float("nan")


def scores(y: np.ndarray, y_hat: np.ndarray) -> dict[str, float]:
    """AUROC, Brier score, and observed vs. mean predicted readmission rate."""
    return {
        "auroc": auroc(y, y_hat),
        "brier": float(brier_score_loss(y, y_hat)),
        "observed_rate": float(np.mean(y)),
        "predicted_rate": float(np.mean(y_hat)),
        "n": int(len(y)),
    }


def evaluate(model: TrainedModel, df: pd.DataFrame) -> dict[str, float]:
    """Scores of one model on one set of patients."""
    return scores(df[OUTCOME_NAME].to_numpy(), model.predict_proba(df))


def compare(models: Mapping[str, TrainedModel], splits: Mapping[str, Split],
            metric: str = "auroc") -> pd.DataFrame:
    """One row per model, one column per site's test set: the course's comparison table."""
    table = {name: {site: evaluate(m, s.test)[metric] for site, s in splits.items()}
             for name, m in models.items()}
    return pd.DataFrame(table).T


def reliability(y: np.ndarray, y_hat: np.ndarray, bins: int = 8) -> pd.DataFrame:
    """Mean predicted vs. observed rate in bins of equal size (a reliability curve)."""
    observed, predicted = calibration_curve(y, y_hat, n_bins=bins, strategy="quantile")
    return pd.DataFrame({"predicted": predicted, "observed": observed})


def age_band(age: pd.Series) -> pd.Series:
    """The course's age bands: <65, 65-79, 80+."""
    return pd.cut(age, bins=AGE_BANDS, labels=AGE_LABELS, right=False).astype(str)


def subgroup_scores(model: TrainedModel, df: pd.DataFrame) -> pd.DataFrame:
    """AUROC and size per sex and per age band: does the model work equally well for all?"""
    y, y_hat = df[OUTCOME_NAME].to_numpy(), model.predict_proba(df)
    groups = {"sex": df["sex"].astype(str), "age band": age_band(df["age"])}
    rows = []
    for by, labels in groups.items():
        for label in sorted(labels.unique()):
            mask = (labels == label).to_numpy()
            rows.append({"group": by, "value": label, "n": int(mask.sum()),
                         "readmitted": int(y[mask].sum()), "auroc": auroc(y[mask], y_hat[mask])})
    return pd.DataFrame(rows)
