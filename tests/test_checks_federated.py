"""The checks of lesson 04 accept right answers and reject the typical wrong ones."""

from __future__ import annotations

import pandas as pd
import pytest
import torch

from fedlearn_kit.checks import federated as check

UPDATES = {"A": ({"w": torch.tensor([1.0, 2.0]), "b": torch.tensor([0.0])}, 100),
           "B": ({"w": torch.tensor([3.0, 6.0]), "b": torch.tensor([1.0])}, 300)}


def test_fedavg_average_accepts_the_weighted_mean_only(capsys) -> None:
    right = {"w": torch.tensor([2.5, 5.0]), "b": torch.tensor([0.75])}
    assert check.fedavg_average(right, UPDATES)
    assert check.fedavg_average({k: v.tolist() for k, v in right.items()}, UPDATES)
    plain = {"w": torch.tensor([2.0, 4.0]), "b": torch.tensor([0.5])}
    assert not check.fedavg_average(plain, UPDATES)
    assert "plain mean" in capsys.readouterr().out
    assert not check.fedavg_average({"w": right["w"]}, UPDATES)
    assert not check.fedavg_average([1, 2], UPDATES)  # type: ignore[arg-type]
    assert not check.fedavg_average({"w": torch.zeros(3), "b": torch.zeros(1)}, UPDATES)


@pytest.fixture
def table() -> pd.DataFrame:
    return pd.DataFrame({"A": [0.70, 0.78, 0.80], "B": [0.75, 0.79, 0.79]},
                        index=["local A", "local B", "federated (FedAvg)"])


def test_collaboration_gain(table: pd.DataFrame, capsys) -> None:
    gains = {"A": 0.80 - 0.70, "B": 0.79 - 0.79}
    assert check.collaboration_gain(gains, table)
    assert "Site A gains most" in capsys.readouterr().out
    assert not check.collaboration_gain({"A": -0.1, "B": 0.0}, table)
    assert "reversed" in capsys.readouterr().out
    assert not check.collaboration_gain({"A": 0.1}, table)
    assert not check.collaboration_gain({"A": 0.1, "B": 0.04}, table)


def test_update_numbers() -> None:
    state_dict = {"linear.weight": torch.zeros(1, 16), "linear.bias": torch.zeros(1)}
    assert check.update_numbers(17, state_dict)
    assert not check.update_numbers(16, state_dict)
    assert not check.update_numbers("many", state_dict)
