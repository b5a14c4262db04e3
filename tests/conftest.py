"""Shared fixtures: a small cohort that every test can afford."""

from __future__ import annotations

import pytest

import fedlearn_kit as kit


@pytest.fixture(scope="session")
def small_cohort() -> kit.Cohort:
    return kit.generate(2, seed=7, patients_per_site=400)


@pytest.fixture(scope="session")
def small_experiment() -> kit.Experiment:
    return kit.Experiment(patients_per_site=400, seed=7, epochs=5)
