"""Flower's own simulation runtime (Ray) and the in-process engine agree."""

from __future__ import annotations

import torch

import fedlearn_kit as kit
from fedlearn_kit.federation import run


def test_local_and_simulation_give_the_same_weights(capsys) -> None:
    exp = kit.Experiment(patients_per_site=300, num_rounds=3, seed=5)
    local = run(exp, engine="local", progress=False)
    simulated = run(exp, engine="simulation", progress=True, timeout=300)
    bar = capsys.readouterr().err
    assert "rounds (simulation)" in bar and "3/3" in bar  # the engine honours progress=True
    assert simulated.engine == "simulation"
    for key, value in local.state_dict.items():
        torch.testing.assert_close(simulated.state_dict[key], value, rtol=0, atol=1e-6)
    assert simulated.took_part == local.took_part
    cols = ["round", "stage", "site"]
    assert simulated.history[cols].equals(local.history[cols])
    for metric in ("loss", "auroc"):
        torch.testing.assert_close(torch.tensor(simulated.history[metric].to_numpy()),
                                   torch.tensor(local.history[metric].to_numpy()),
                                   rtol=0, atol=1e-6, equal_nan=True)
