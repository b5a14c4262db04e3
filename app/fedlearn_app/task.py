"""fedlearn_app: the task, with no Flower code in it.

What one hospital does with its own patients: read them (``load_data``), turn them into
model inputs (``to_tensors``), build the model (``make_model``), train it (``train``) and
test it (``test``). The ClientApp calls these functions for every message; the course's
local and central models (lessons 02 and 03) are trained by the very same ``train``.

To use this app with your own data, replace ``load_data`` (and the feature table it
relies on, ``FEATURES``) with your region's loader: it must return one site's training and
test patients as two DataFrames with the feature columns and the outcome column.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from sklearn.metrics import brier_score_loss, roc_auc_score
from torch import nn

#: The outcome the model predicts: readmitted within 30 days of discharge (0 or 1).
OUTCOME = "readmitted_30d"
#: The number type of every weight and input: 64-bit. In 32 bits, CPUs that add numbers in a
#: different order (with or without vector units, one thread or two) round differently, and
#: a run carries the difference into the figures; 64-bit rounding errors are a billion times
#: smaller, so the same seed gives the same model on every CPU. The models are tiny: 64 bits
#: cost a few per cent.
DTYPE = torch.float64


@dataclass(frozen=True)
class Feature:
    """One model input: ``(transform(value) - center) / scale``.

    The centre and scale are fixed reference values that every site can apply on its own,
    so no site has to share statistics of its own patients for the inputs to be comparable.
    ``is_value`` turns a category column into 1 for that value and 0 otherwise; ``log``
    takes the natural logarithm first.
    """

    column: str
    center: float
    scale: float
    log: bool = False
    is_value: str | None = None


#: The model's inputs, in order.
FEATURES: tuple[Feature, ...] = (
    Feature("age", 75, 10),
    Feature("sex", 0.45, 0.5, is_value="F"),
    Feature("ejection_fraction", 40, 12),
    Feature("nyha_class", 2.5, 0.8),
    Feature("nt_probnp", 8.0, 1.0, log=True),
    Feature("egfr", 55, 20),
    Feature("sodium", 139, 4),
    Feature("systolic_bp", 125, 20),
    Feature("diabetes", 0.35, 0.5),
    Feature("atrial_fibrillation", 0.45, 0.5),
    Feature("copd", 0.2, 0.4),
    Feature("prior_admissions_12m", 1, 1.2),
    Feature("length_of_stay", 6, 4),
    Feature("beta_blocker", 0.8, 0.4),
    Feature("raas_inhibitor", 0.75, 0.43),
    Feature("mra", 0.45, 0.5),
)
NUM_FEATURES = len(FEATURES)


# --------------------------------------------------------------------------- the data

def site_file(data_dir: str | Path, partition_id: int) -> Path:
    """The CSV file of site ``partition_id`` in a folder holding one file per site.

    The files are taken in the order of their names, shortest first (``site_A.csv``,
    ``site_B.csv``, ..., ``site_Z.csv``, ``site_AA.csv``): partition 0 reads the first.
    """
    files = sorted(Path(data_dir).glob("*.csv"), key=lambda p: (len(p.name), p.name))
    if not files:
        raise FileNotFoundError(f"No site files (*.csv) in {Path(data_dir).resolve()}.")
    if not 0 <= partition_id < len(files):
        raise ValueError(f"partition-id={partition_id}, but {data_dir} holds {len(files)} "
                         f"site file(s): partition-id 0 to {len(files) - 1}.")
    return files[partition_id]


def split(df: pd.DataFrame, test_fraction: float, seed: int, partition_id: int = 0
          ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Training and test patients of one site, each with the site's readmission rate.

    A stratified split: within each outcome, ``test_fraction`` of the rows go to the test
    part, drawn with a generator seeded by ``(seed, partition_id)``.
    """
    rng = np.random.default_rng(np.random.SeedSequence([seed, partition_id, 1]))
    test_rows = []
    for _, group in df.groupby(OUTCOME, sort=True):
        index = group.index.to_numpy()
        test_rows.append(rng.choice(index, size=int(round(test_fraction * len(index))),
                                    replace=False))
    is_test = df.index.isin(np.concatenate(test_rows) if test_rows else [])
    return df[~is_test].reset_index(drop=True), df[is_test].reset_index(drop=True)


@lru_cache(maxsize=64)
def load_data(path: str, partition_id: int, test_fraction: float, seed: int
              ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One site's training and test patients, read from its CSV file.

    This is the function to replace with your own loader: a site's SuperNode calls it with
    the file its node config names (``data-path``) and never sees another site's. Cached:
    a process reads a file once, not once per message.
    """
    return split(pd.read_csv(path), test_fraction, seed, partition_id)


def to_tensors(df: pd.DataFrame) -> tuple[torch.Tensor, torch.Tensor]:
    """The model's inputs ``X`` (one row per patient) and the outcome ``y`` (0 or 1)."""
    columns = []
    for feature in FEATURES:
        values = df[feature.column]
        if feature.is_value is not None:
            x = (values == feature.is_value).to_numpy(dtype=float)
        else:
            x = values.to_numpy(dtype=float)
            if feature.log:
                x = np.log(x)
        columns.append((x - feature.center) / feature.scale)
    X = torch.from_numpy(np.column_stack(columns).astype(np.float64)).to(DTYPE)
    y = torch.from_numpy(df[OUTCOME].to_numpy(dtype=np.float64)).to(DTYPE)
    return X, y


# --------------------------------------------------------------------------- the model

class LogisticRegression(nn.Module):
    """One linear layer: its weights are log-odds per scaled feature."""

    def __init__(self, num_features: int = NUM_FEATURES) -> None:
        super().__init__()
        self.linear = nn.Linear(num_features, 1)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        return self.linear(X).squeeze(-1)


class MLP(nn.Module):
    """A small two-layer network: enough to learn a non-linear effect."""

    def __init__(self, num_features: int = NUM_FEATURES, hidden: int = 16) -> None:
        super().__init__()
        self.layers = nn.Sequential(nn.Linear(num_features, hidden), nn.ReLU(),
                                    nn.Linear(hidden, 1))

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        return self.layers(X).squeeze(-1)


MODELS = ("logistic", "mlp")


def make_model(kind: str = "logistic", seed: int = 0, hidden: int = 16) -> nn.Module:
    """A new model in :data:`DTYPE`, its starting weights drawn from ``seed`` (the same seed,
    the same model).

    Every site and the server build it the same way, so a state dict fits on any of them.
    """
    if kind not in MODELS:
        raise ValueError(f"model={kind!r}: choose one of {MODELS}.")
    saved = torch.random.get_rng_state()
    torch.manual_seed(seed)
    try:
        model = LogisticRegression() if kind == "logistic" else MLP(hidden=hidden)
        return model.to(DTYPE)
    finally:
        torch.random.set_rng_state(saved)  # building a model leaves the caller's RNG alone


# --------------------------------------------------------------------------- train, test

def round_seed(seed: int, server_round: int, partition_id: int) -> int:
    """The seed of one site's shuffling in one round: the same wherever the site runs."""
    return int(np.random.SeedSequence([seed, server_round, partition_id]).generate_state(1)[0])


def train(net: nn.Module, X: torch.Tensor, y: torch.Tensor, *, epochs: int, lr: float,
          batch_size: int, seed: int, proximal_mu: float = 0.0) -> list[float]:
    """Minibatch SGD on binary cross-entropy; returns the mean loss of each epoch.

    ``proximal_mu > 0`` adds FedProx's penalty ``mu/2 * ||w - w_start||^2``, which keeps a
    site's model close to the weights it started from (the global model of the round).
    """
    optimizer = torch.optim.SGD(net.parameters(), lr=lr)
    loss_fn = nn.BCEWithLogitsLoss()
    start = [p.detach().clone() for p in net.parameters()]
    shuffler = torch.Generator().manual_seed(seed)
    losses = []
    net.train()
    for _ in range(epochs):
        order = torch.randperm(len(X), generator=shuffler)
        total = 0.0
        for i in range(0, len(X), batch_size):
            batch = order[i:i + batch_size]
            optimizer.zero_grad()
            loss = loss_fn(net(X[batch]), y[batch])
            if proximal_mu > 0:
                loss = loss + proximal_mu / 2 * sum(
                    ((p - p0) ** 2).sum() for p, p0 in zip(net.parameters(), start, strict=True))
            loss.backward()
            optimizer.step()
            total += loss.item() * len(batch)
        losses.append(total / len(X))
    return losses


def test(net: nn.Module, X: torch.Tensor, y: torch.Tensor) -> dict[str, float]:
    """Loss (binary cross-entropy), AUROC and Brier score of ``net`` on ``X``, ``y``.

    The AUROC is undefined (NaN) when the patients all have the same outcome.
    """
    net.eval()
    with torch.no_grad():
        logits = net(X)
        loss = float(nn.functional.binary_cross_entropy_with_logits(logits, y))
        predicted = torch.sigmoid(logits).numpy().astype(float)
    outcome = y.numpy().astype(int)
    auroc = float(roc_auc_score(outcome, predicted)) if len(np.unique(outcome)) == 2 \
        else float("nan")
    return {"loss": loss, "auroc": auroc, "brier": float(brier_score_loss(outcome, predicted))}
