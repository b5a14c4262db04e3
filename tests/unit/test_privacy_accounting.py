"""Privacy accounting: the (ε, δ) pair, the mechanism's own bound, groups of rows."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import norm

from fedlearn_kit.privacy import accounting

#: Lesson 06's local DP-SGD (q = 1/15, 450 steps) at target ε 0.5, 1, 2, 4, 8 (σ from the
#: RDP accountant), and the federated Site A of the DPIA (σ = 1, q = 1/15, 150 steps).
LESSON_RUNS = [[(11.094, 1 / 15, 450)], [(5.859, 1 / 15, 450)], [(3.203, 1 / 15, 450)],
               [(1.853, 1 / 15, 450)], [(1.177, 1 / 15, 450)]]
DPIA_RUN = [(1.0, 1 / 15, 150)]


def _own_pld_total_variation(sigma: float, q: float, steps: int) -> float:
    """An independent replace-one TV for Poisson-subsampled Gaussian DP-SGD: the privacy
    loss of one step on a fine grid, composed by FFT, then E_P[(1 - e^{-L})_+]."""
    x = np.linspace(-12 * sigma - 2, 12 * sigma + 2, 400_001)
    dx = x[1] - x[0]
    p = (1 - q) * norm.pdf(x, 0, sigma) + q * norm.pdf(x, -1, sigma)
    r = (1 - q) * norm.pdf(x, 0, sigma) + q * norm.pdf(x, 1, sigma)
    loss, mass = np.log(p / r), p * dx
    step = 5e-4
    bins = np.round(loss / step).astype(int)
    offset = -bins.min()
    pmf = np.bincount(bins + offset, weights=mass)
    size = 1
    while size < steps * (len(pmf) - 1) + 1:
        size *= 2
    total = np.fft.irfft(np.fft.rfft(pmf, size) ** steps, size)[: steps * (len(pmf) - 1) + 1]
    values = (np.arange(len(total)) - steps * offset) * step
    return float(np.sum(np.clip(total, 0, None) * np.clip(1 - np.exp(-values), 0, None)))


@pytest.mark.parametrize(("history", "review"), [
    (LESSON_RUNS[0], 0.101), (LESSON_RUNS[1], 0.191), (LESSON_RUNS[2], 0.340),
    (LESSON_RUNS[3], 0.552), (DPIA_RUN, 0.590)])
def test_the_mechanism_bound_matches_the_reviews_independent_figures(history, review):
    assert accounting.mechanism_advantage_bound(history) == pytest.approx(review, abs=2e-3)


def test_the_mechanism_bound_matches_a_closed_form_and_an_independent_pld():
    # No sampling: T Gaussian releases 2C apart with noise σC are one Gaussian 2√T/σ apart,
    # whose total variation is 2Φ(√T/σ) − 1.
    for sigma, steps in ((4.8448, 5), (1.0, 5), (3.0, 1)):
        exact = 2 * norm.cdf(math.sqrt(steps) / sigma) - 1
        assert accounting.mechanism_advantage_bound([(sigma, 1.0, steps)]) == \
            pytest.approx(exact, abs=2e-3)
    own = _own_pld_total_variation(1.5, 0.1, 20)
    assert accounting.mechanism_advantage_bound([(1.5, 0.1, 20)]) == pytest.approx(own, abs=3e-3)


@pytest.mark.parametrize("history", [*LESSON_RUNS, DPIA_RUN, [(4.8448, 1.0, 5)],
                                     [(0.5, 0.02, 1000)], [(2.0, 1.0, 1)]])
def test_the_mechanism_bound_never_exceeds_the_epsilon_delta_bound(history):
    eps = accounting.epsilon_spent(history, 1e-5)
    assert accounting.mechanism_advantage_bound(history) <= \
        accounting.advantage_bound(eps, 1e-5, "add-remove") + 1e-9
    eps_replace = accounting.replace_one_epsilon(history, 1e-5)
    assert accounting.mechanism_advantage_bound(history) <= \
        accounting.advantage_bound(eps_replace, 1e-5, "replace-one") + 1e-9
    # Direct replace-one accounting is tighter than converting the add/remove ε, at the
    # converted δ (1 + e^ε)δ.
    converted_eps, converted_delta = accounting.replace_one_budget(eps, 1e-5)
    if converted_delta < 1:  # (at ε ≳ 11.5 the converted δ is 1: a void guarantee)
        assert accounting.replace_one_epsilon(history, converted_delta) <= converted_eps + 1e-9


def test_replace_one_epsilon_matches_the_review():
    assert accounting.replace_one_epsilon(DPIA_RUN, 1e-5) == pytest.approx(8.37, abs=0.02)
    assert accounting.replace_one_epsilon([], 1e-5) == 0.0
    with pytest.raises(ValueError, match="noise multiplier"):
        accounting.replace_one_epsilon([(0.0, 0.1, 3)], 1e-5)


def test_group_privacy_states_its_delta_and_it_becomes_void():
    eps, delta = accounting.group_privacy(1.0, 1e-5, 2)
    assert (eps, delta) == pytest.approx((2.0, 1e-5 * (1 + math.e)))
    assert accounting.group_privacy(6.32, 1e-5, 3)[1] == pytest.approx(3.1, abs=0.05)
    assert accounting.group_privacy(0.5, 1e-5, 1) == (0.5, 1e-5)
    with pytest.raises(ValueError, match="at least one"):
        accounting.group_privacy(1.0, 1e-5, 0)


def test_per_patient_accounting_grows_with_the_rows_and_beats_group_privacy():
    one = accounting.patient_epsilon(DPIA_RUN, 1e-5, 1)
    two, three = (accounting.patient_epsilon(DPIA_RUN, 1e-5, k) for k in (2, 3))
    assert one == pytest.approx(accounting.epsilon_spent(DPIA_RUN, 1e-5), rel=0.15)
    assert one < two < three
    # The review's direct figures (14.2, 23.3, from a looser method) bound ours from above.
    assert two <= 14.2 and three <= 23.3
    # Group privacy at k = 3 is void here (δ ≈ 3.1); the direct figure holds at δ = 1e-5.
    assert accounting.group_privacy(accounting.epsilon_spent(DPIA_RUN, 1e-5), 1e-5, 3)[1] > 1
    # At ε ≈ 1 the direct figure is close to k·ε, as group privacy says (but at δ = 1e-5).
    small = LESSON_RUNS[1]
    assert accounting.patient_epsilon(small, 1e-5, 2) == pytest.approx(
        2 * accounting.epsilon_spent(small, 1e-5), rel=0.1)
    with pytest.raises(ValueError, match="at least one record"):
        accounting.patient_epsilon(DPIA_RUN, 1e-5, 0)


def test_the_pair_bound_converts_to_replace_one_first():
    assert accounting.replace_one_budget(1.0, 1e-5) == pytest.approx((2.0, (1 + math.e) * 1e-5))
    assert accounting.advantage_bound(math.log(3), 0.0, "replace-one") == pytest.approx(0.5)
    assert accounting.mechanism_advantage_bound([(1.0, 0.1, 0)]) == 0.0
