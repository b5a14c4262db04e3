"""Feedback for the exercises of lesson 04 (federated training)."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import torch

from fedlearn_kit.checks import failed, is_close, passed

Update = tuple[Mapping[str, torch.Tensor], int]


def _as_tensor(value: object) -> torch.Tensor | None:
    try:
        return torch.as_tensor(value, dtype=torch.float32)
    except (TypeError, ValueError, RuntimeError):
        return None


def fedavg_average(answer: Mapping[str, object], updates: Mapping[str, Update]) -> bool:
    """Exercise 4.1: the example-weighted average of the sites' round-1 models."""
    if not isinstance(answer, Mapping):
        return failed(f"expected a dict of tensors (like a state_dict), got "
                      f"{type(answer).__name__}.", "build {name: tensor} for each weight name.")
    total = sum(n for _, n in updates.values())
    names = list(next(iter(updates.values()))[0])
    if sorted(answer) != sorted(names):
        return failed(f"the keys are {sorted(answer)}, expected {sorted(names)}.",
                      "average every entry of the state_dict, keeping its name.")
    expected = {k: sum(sd[k] * n for sd, n in updates.values()) / total for k in names}
    plain = {k: sum(sd[k] for sd, _ in updates.values()) / len(updates) for k in names}
    given = {k: _as_tensor(v) for k, v in answer.items()}
    if any(given[k] is None or given[k].shape != expected[k].shape for k in names):
        return failed("some entries are not tensors of the right shape.",
                      "each entry must have the shape of the sites' tensor with that name.")
    if all(torch.allclose(given[k], expected[k], atol=1e-6) for k in names):
        sizes = ", ".join(f"{site}: {n}" for site, (_, n) in updates.items())
        return passed(f"Each site counts by its number of training patients ({sizes}), "
                      "as Flower's FedAvg does with the num-examples each site reports.")
    if all(torch.allclose(given[k], plain[k], atol=1e-6) for k in names):
        return failed("this is the plain mean: every site counts the same.",
                      "weight each site's tensor by its number of training patients, then "
                      "divide by the total number of patients.")
    return failed("the values differ from the example-weighted average.",
                  "sum over sites of (site's tensor x site's patients) / all patients.")


def collaboration_gain(gains: Mapping[str, float], table: pd.DataFrame,
                       model: str = "federated (FedAvg)") -> bool:
    """Exercise 4.2: per site, the federated model's AUROC minus the site's own model's."""
    if not isinstance(gains, Mapping):
        return failed(f"expected a dict {{site: gain}}, got {type(gains).__name__}.")
    sites = list(table.columns)
    if sorted(gains) != sorted(sites):
        return failed(f"the sites are {sorted(gains)}, expected {sites}.",
                      "one entry per column of the table.")
    for site in sites:
        expected = table.loc[model, site] - table.loc[f"local {site}", site]
        if is_close(gains[site], -expected, 1e-9) and expected != 0:
            return failed(f"the sign for site {site} is reversed.", "take federated minus local.")
        if not is_close(gains[site], expected, 1e-9):
            return failed(f"the gain for site {site} is not the difference in the table.",
                          f"row '{model}' minus row 'local {site}', both in column '{site}'.")
    best = max(sites, key=lambda s: gains[s])
    return passed(f"Site {best} gains most ({gains[best]:+.3f} AUROC): "
                  "the fewer patients a site has, the more it gains from the others'.")


def update_numbers(answer: object, state_dict: Mapping[str, torch.Tensor]) -> bool:
    """Exercise 4.3: how many numbers one site's model update carries."""
    expected = sum(int(t.numel()) for t in state_dict.values())
    if not is_close(answer, expected, 0):
        shapes = ", ".join(f"{k} {tuple(t.shape)}" for k, t in state_dict.items())
        return failed(f"{answer!r} is not the number of values in the update.",
                      f"add up the sizes of every tensor ({shapes}); .numel() counts one.")
    return passed(f"{expected} numbers per update, however many patients the site has.")
