"""Shared fixtures (a small cohort every test can afford) and the test tiers.

Tiers: ``python course.py check`` (``make check``) runs ``-m "not slow and not e2e"``: unit
tests that start no process, kernel or browser. ``python course.py test`` (``make test``) runs
everything, notebooks included. A test that starts real processes is marked ``slow`` in its
module; the few below are marked here until their modules' owners mark them.
"""

from __future__ import annotations

import pytest

import fedlearn_kit as kit

#: Tests that start a kernel, a subprocess or Flower processes (node id prefixes).
STARTS_PROCESSES = (
    "tests/test_course.py::test_exercise_runs_up_to_its_first_blank",
    "tests/test_gdpr_panel.py::test_plain_terminal_prints_markdown",
    "tests/test_gdpr_panel.py::test_notebook_kernel_output_is_text_plus_widget",
    "tests/test_storage_and_cli.py::test_cli_entry_point_is_installed",
    "tests/test_deploy_processes.py",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.nodeid.startswith("tests/e2e/"):
            item.add_marker(pytest.mark.e2e)
        if item.nodeid.startswith(STARTS_PROCESSES) or item.nodeid.endswith(".ipynb") \
                or ".ipynb::" in item.nodeid:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def small_cohort() -> kit.Cohort:
    return kit.generate(2, seed=7, patients_per_site=400)


@pytest.fixture(scope="session")
def small_experiment() -> kit.Experiment:
    return kit.Experiment(patients_per_site=400, seed=7, epochs=5)
