"""The exercise checks of lessons 05 and 06 accept right answers and explain wrong ones."""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch

from fedlearn_kit.checks import privacy_defences, what_leaks
from fedlearn_kit.privacy import attacks, defences


def _result():
    rng = np.random.default_rng(1)
    return attacks.AttackResult("x", rng.normal(0.5, 1, 200), rng.normal(0, 1, 400))


def test_advantage_and_tpr_checks(capsys):
    r = _result()
    assert what_leaks.advantage(np.max(r.tpr - r.fpr), r)
    assert not what_leaks.advantage(np.max(r.tpr), r)
    assert not what_leaks.advantage("high", r)
    assert what_leaks.tpr_at_fpr(r.tpr[r.fpr <= 0.01].max(), r)
    assert not what_leaks.tpr_at_fpr(0.5, r)
    assert "Hint" in capsys.readouterr().out


def test_partner_update_and_reconstruction_checks():
    truth = {"w": torch.ones(2, 3), "b": torch.zeros(2)}
    assert what_leaks.partner_update({k: v.numpy() for k, v in truth.items()}, truth)
    assert not what_leaks.partner_update({"w": np.zeros((2, 3)), "b": np.zeros(2)}, truth)
    assert not what_leaks.partner_update([1, 2], truth)
    import fedlearn_kit as kit
    from fedlearn_kit.features import to_tensors

    patient = kit.generate(1, seed=2, patients_per_site=60)["A"].iloc[[0]]
    x = to_tensors(patient)[0][0]
    assert what_leaks.reconstruction(x, patient)
    assert not what_leaks.reconstruction(-x, patient)
    assert not what_leaks.reconstruction(x[:3], patient)


def test_defence_checks():
    expected = defences.epsilon_spent([(1.0, 0.1, 50)], 1e-5)
    assert privacy_defences.epsilon(expected, 1.0, 0.1, 50, 1e-5)
    assert not privacy_defences.epsilon(expected + 1, 1.0, 0.1, 50, 1e-5)
    curve = pd.DataFrame({"epsilon": [0.5, 2.0, np.inf], "advantage": [0.7, 0.2, 0.3]})
    assert privacy_defences.within_bound([False, True], curve)
    assert not privacy_defences.within_bound([True, True], curve)
    assert not privacy_defences.within_bound([True], curve)
    groups = pd.DataFrame({"model": ["no DP", "no DP", "DP", "DP"],
                           "group": ["sex"] * 4, "value": ["F", "M", "F", "M"],
                           "auroc": [0.8, 0.8, 0.6, 0.75]})
    assert privacy_defences.largest_drop("F", groups, "DP")
    assert not privacy_defences.largest_drop("M", groups, "DP")
