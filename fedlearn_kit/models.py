"""The two models the course trains: logistic regression and a small MLP (lesson 02)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch
from torch import nn

from fedlearn_kit.experiment import MODEL_KINDS

__all__ = ["DTYPE", "MLP", "MODEL_KINDS", "LogisticRegression", "default_dtype", "make_model"]

#: The number type of every weight and input the kit trains and evaluates with: 64-bit.
#: In 32 bits, CPUs that add numbers in a different order (AVX-512, AVX2 or no vector
#: units; one thread or two) round differently, and a long training run carries the
#: difference into the third decimal of an attack's figure. 64-bit rounding errors are a
#: billion times smaller, so the same seed prints the same figures on every CPU. The models
#: are tiny: the cost is a few per cent (benchmarks/numeric_drift.py).
DTYPE = torch.float64


@contextmanager
def default_dtype() -> Iterator[None]:
    """Inside the block, tensors made without a dtype are :data:`DTYPE` (torch's is 32-bit).

    For library code that makes its own tensors, e.g. Opacus's DP-SGD noise: drawn in 32
    bits, the noise differs in its seventh digit between CPUs with and without AVX2.
    """
    previous = torch.get_default_dtype()
    torch.set_default_dtype(DTYPE)
    try:
        yield
    finally:
        torch.set_default_dtype(previous)


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
    """A freshly initialised model in :data:`DTYPE`; the same ``seed`` gives the same weights.

    ``hidden`` is the MLP's width (ignored for logistic regression); the privacy lessons
    use wider MLPs that over-fit on purpose.
    """
    if kind not in MODEL_KINDS:
        raise ValueError(f"model={kind!r}: choose one of {MODEL_KINDS}.")
    generator_state = torch.random.get_rng_state()
    torch.manual_seed(seed)
    try:
        net = LogisticRegression(num_features) if kind == "logistic" else MLP(num_features, hidden)
        return net.to(DTYPE)
    finally:
        # Leave the caller's random state as it was: building a model is not a side effect.
        torch.random.set_rng_state(generator_state)
