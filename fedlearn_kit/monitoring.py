"""Monitoring a model in use: what a lab recalibration does to its scores (lesson 08).

Only synthetic data makes this exact: the same future patients are drawn twice, once as the
site's lab measured them when the model was trained and once after the NT-proBNP assay
starts reading ``factor`` times higher. Nothing about the patients changes, only a number
the model reads.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from fedlearn_kit.cohort import generate_site
from fedlearn_kit.evaluation import evaluate
from fedlearn_kit.experiment import Experiment
from fedlearn_kit.training import TrainedModel

COLUMNS = ("auroc", "brier", "observed_rate", "predicted_rate")


def lab_recalibration(model: TrainedModel, exp: Experiment, site: str = "A",
                      factor: float = 1.5, num_patients: int = 5000,
                      stream: int = 1) -> pd.DataFrame:
    """Scores on one site's future patients before and after its NT-proBNP assay changes."""
    profiles = exp.sites()
    names = [p.name for p in profiles]
    if site not in names:
        raise ValueError(f"site={site!r}: this experiment has sites {names}.")
    if factor <= 0:
        raise ValueError(f"factor={factor}: an assay factor must be > 0 (1 means no change).")
    i = names.index(site)
    before = profiles[i]
    after = replace(before, ntprobnp_assay_factor=before.ntprobnp_assay_factor * factor)
    rows = {
        "as trained": evaluate(model, generate_site(before, exp.seed, i, num_patients, stream)),
        f"assay x{factor:g}": evaluate(model, generate_site(after, exp.seed, i, num_patients,
                                                           stream)),
    }
    return pd.DataFrame(rows).T.loc[:, list(COLUMNS)]
