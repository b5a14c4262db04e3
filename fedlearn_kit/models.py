"""The two models the course trains: logistic regression and a small MLP (lesson 02)."""

from __future__ import annotations

import torch
from torch import nn

from fedlearn_kit.experiment import MODEL_KINDS

__all__ = ["MLP", "MODEL_KINDS", "LogisticRegression", "make_model"]


class LogisticRegression(nn.Module):
    """One linear layer; its weights are log-odds per scaled feature, comparable to the truth."""

    def __init__(self, num_features: int) -> None:
        super().__init__()
        self.linear = nn.Linear(num_features, 1)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        return self.linear(X).squeeze(-1)


class MLP(nn.Module):
    """A small two-layer network: enough to learn the non-linear sodium effect."""

    def __init__(self, num_features: int, hidden: int = 16) -> None:
        super().__init__()
        self.layers = nn.Sequential(nn.Linear(num_features, hidden), nn.ReLU(),
                                    nn.Linear(hidden, 1))

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        return self.layers(X).squeeze(-1)


def make_model(kind: str, num_features: int, seed: int = 0, hidden: int = 16) -> nn.Module:
    """A freshly initialised model; the same ``seed`` gives the same starting weights.

    ``hidden`` is the MLP's width (ignored for logistic regression); the privacy lessons
    use wider MLPs that over-fit on purpose.
    """
    if kind not in MODEL_KINDS:
        raise ValueError(f"model={kind!r}: choose one of {MODEL_KINDS}.")
    generator_state = torch.random.get_rng_state()
    torch.manual_seed(seed)
    try:
        if kind == "logistic":
            return LogisticRegression(num_features)
        return MLP(num_features, hidden)
    finally:
        # Leave the caller's random state as it was: building a model is not a side effect.
        torch.random.set_rng_state(generator_state)
