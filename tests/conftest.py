"""Shared fixtures (a small cohort every test can afford) and the test tiers.

A test's tier is the folder it lives in, named after what the test needs (README, "Tests"):

- ``tests/unit``: no subprocess, kernel, browser, network or Flower runtime. ``python course.py
  check`` runs this tier (with ruff and mypy); ``tests/unit/conftest.py`` fails a test there
  that starts a process.
- ``tests/integration``: one real Flower deployment, one Ray run, the CLI as a process, a
  Jupyter kernel.
- ``tests/notebooks``: the lessons and solutions under nbval, and the exercises (generated
  from the solutions, run up to their first blank).
- ``tests/e2e``: JupyterLab in Chromium.
- ``tests/scale``: a lost laptop in a small room, the offline bundle, a copied course in its
  own environment, the run without POSIX process calls.

Each test gets its folder's marker here (``-m integration`` and so on), so a test's tier
cannot drift from where it is. ``python course.py test --tier NAME`` runs one tier.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import fedlearn_kit as kit
from fedlearn_kit.i18n import LANGUAGES

TESTS = Path(__file__).resolve().parent
#: The tiers, cheapest first (course.py lists the same names; a unit test checks they agree).
TIERS = ("unit", "integration", "notebooks", "e2e", "scale")
#: The course notebooks nbval collects (``--nbval``): they belong to the notebooks tier.
NOTEBOOK_FOLDERS = ("notebooks", "solutions")


def course_notebook(path: Path) -> str | None:
    """``notebooks/00_start_here.ipynb`` for a course notebook in English or in a translation
    (``notebooks/sv/00_start_here.ipynb``); None for any other file."""
    if path.suffix != ".ipynb":
        return None
    folder = path.parent.parent if path.parent.name in LANGUAGES else path.parent
    return f"{folder.name}/{path.name}" if folder.name in NOTEBOOK_FOLDERS else None


def tier_of(path: Path) -> str | None:
    """The tier of a collected file: its folder under tests/, or notebooks for a course
    notebook; None for a test file placed directly in tests/ (it has no tier)."""
    path = path.resolve()
    if course_notebook(path):
        return "notebooks"
    try:
        folder = path.relative_to(TESTS).parts[0]
    except ValueError:
        return None
    return folder if folder in TIERS else None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    untiered = sorted({str(item.path) for item in items if tier_of(item.path) is None})
    if untiered:
        raise pytest.UsageError(
            "These test files are in no tier folder: " + ", ".join(untiered) + ". Move each "
            "into tests/unit (no process, kernel, browser or network), tests/integration, "
            "tests/notebooks, tests/e2e or tests/scale (see tests/conftest.py).")
    for item in items:
        item.add_marker(getattr(pytest.mark, str(tier_of(item.path))))


@pytest.fixture(scope="session")
def small_cohort() -> kit.Cohort:
    return kit.generate(2, seed=7, patients_per_site=400)


@pytest.fixture(scope="session")
def small_experiment() -> kit.Experiment:
    return kit.Experiment(patients_per_site=400, seed=7, epochs=5)
