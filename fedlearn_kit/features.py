"""From a DataFrame to model inputs, with the schema's fixed reference scaling (lesson 02)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from fedlearn_kit.models import DTYPE
from fedlearn_kit.schema import FEATURES, OUTCOME_NAME


def feature_matrix(df: pd.DataFrame) -> np.ndarray:
    """Scaled features, one row per patient, in schema order.

    Every site applies the same published centre and scale, so no site has to reveal
    statistics of its own patients for the features to be comparable.
    """
    cols = []
    for col in FEATURES:
        values = df[col.name]
        if col.kind == "category":
            x = (values == col.categories[0]).to_numpy(dtype=float)
        else:
            x = values.to_numpy(dtype=float)
            if col.log:
                x = np.log(x)
        cols.append((x - col.center) / col.scale)
    return np.column_stack(cols).astype(np.float64)


def to_tensors(df: pd.DataFrame) -> tuple[torch.Tensor, torch.Tensor]:
    """``X`` (scaled features) and ``y`` (0/1 readmission) as tensors of the models' DTYPE."""
    X = torch.from_numpy(feature_matrix(df)).to(DTYPE)
    y = torch.from_numpy(df[OUTCOME_NAME].to_numpy(dtype=np.float64)).to(DTYPE)
    return X, y


NUM_FEATURES = len(FEATURES)
