"""Shared fixtures (a small cohort every test can afford) and the test tiers.

A test's tier is the folder it lives in, named after what the test needs (README, "Tests"):

- ``tests/unit``: no subprocess, kernel, browser, network or Flower runtime. ``python course.py
  check`` runs this tier (with ruff and mypy); ``tests/unit/conftest.py`` fails a test there
  that starts a process.
- ``tests/integration``: one real Flower deployment, one Ray run, the CLI as a process, a
  Jupyter kernel.
- ``tests/notebooks``: the lessons and solutions under nbval, and the exercises (generated
  from the solutions, run up to their first blank). Each Swedish copy runs on other CPU
  kernels than its English one (:func:`pytest_runtest_setup` below): the cross-CPU check.
- ``tests/e2e``: JupyterLab in Chromium.
- ``tests/scale``: a lost laptop in a small room, the offline bundle, a copied course in its
  own environment, the run without POSIX process calls.

Each test gets its folder's marker here (``-m integration`` and so on), so a test's tier
cannot drift from where it is. ``python course.py test --tier NAME`` runs one tier.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Generator, Mapping
from functools import lru_cache, wraps
from pathlib import Path

import pytest

import fedlearn_kit as kit
from fedlearn_kit.i18n import LANGUAGES, SOURCE_LANGUAGE
from tools import authoring

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
    items.sort(key=start_order)  # stable: the modules that declare nothing keep their order


def start_order(item: pytest.Item) -> int:
    """Sort key: the item's module's ``STARTS_FIRST`` seconds, longest first (0 if it
    declares none). For the few modules that take minutes of their tier.

    pytest-xdist (``--dist loadfile``) hands each worker two modules at once in collection
    order, by default the modules with the most tests first. That put the one-test modules
    that take longest (a room day, the offline bundle, the room server) at the end, where one
    worker ran them while the other had nothing left: the scale tier took 177 s for 119 s of
    its longest module. course.py runs those tiers with ``--no-loadscope-reorder`` so this
    order holds.
    """
    return -int(getattr(getattr(item, "module", None), "STARTS_FIRST", 0))


@pytest.fixture(scope="session")
def small_cohort() -> kit.Cohort:
    return kit.generate(2, seed=7, patients_per_site=400)


@pytest.fixture(scope="session")
def small_experiment() -> kit.Experiment:
    return kit.Experiment(patients_per_site=400, seed=7, epochs=5)


# ------------------------------------------- the notebooks' kernels: cross-CPU, restarts

def is_translation(path: Path) -> bool:
    """A course notebook's translation (``notebooks/sv/...``): the same code as its English
    notebook, and the same stored figures."""
    return course_notebook(path) is not None and path.parent.name in LANGUAGES \
        and path.parent.name != SOURCE_LANGUAGE


@lru_cache(maxsize=1)
def _environments() -> tuple[dict[str, str], dict[str, str]]:
    """The kernels' environments: as the tier started (English) and cross-CPU (translations)."""
    tier = dict(os.environ)
    return tier, authoring.cross_cpu_env(tier)


def kernel_environment(path: Path) -> dict[str, str]:
    """The environment a course notebook's kernel starts with in the notebooks tier."""
    tier, cross_cpu = _environments()
    return cross_cpu if is_translation(path) else tier


def _switch_environment(wanted: Mapping[str, str]) -> None:
    for name in set(os.environ) - set(wanted):
        del os.environ[name]
    os.environ.update(wanted)


class NotebookKernels:
    """How the notebooks tier starts the course notebooks' kernels (the cross-CPU check, and a
    second start for a kernel that dies before it answers), as a plugin: registered for the
    whole session (:func:`pytest_configure`), because a conftest's own item hooks only reach
    the items of its folder, and the notebooks are not under tests/."""

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        """Before nbval starts a notebook's kernel (at its first cell), give the process the
        environment that kernel inherits: a Swedish copy runs on another kernel family, two
        threads and generic OpenBLAS (tools.authoring.cross_cpu_env), an English notebook on
        the machine's own. The stored outputs were made on the portable settings, so every
        figure of every lesson and solution is compared under two more kernel families."""
        if course_notebook(item.path) is not None:
            _switch_environment(kernel_environment(item.path))
            notebook = item.parent
            if notebook is not None and not hasattr(notebook.setup, "__wrapped__"):
                notebook.setup = retry_kernel_start(notebook.setup)  # type: ignore[method-assign]
        elif _environments.cache_info().currsize:  # a notebook switched it: back for a test
            _switch_environment(_environments()[0])

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]
                                  ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        """A failing cell of a translation says on which CPU settings it ran, and what a
        difference in a number means when its English notebook passed."""
        report = yield
        if report.failed and call.when == "call" and is_translation(item.path):
            env = kernel_environment(item.path)
            settings = ", ".join(f"{k}={env[k]}" for k in (
                "ATEN_CPU_CAPABILITY", "OMP_NUM_THREADS", "OPENBLAS_CORETYPE") if k in env)
            report.sections.append(("cross-CPU check", (
                f"This translated copy ran on {settings or 'its own kernels'}; its English "
                "notebook ran on the machine's own kernels. If only a number differs and the "
                "English notebook passed, a stored figure depends on the CPU: see "
                "docs/authoring.md, 'The same numbers on every CPU'. If the text differs, "
                "rebuild the translation: python -m tools.translate build.")))
        return report


#: How often nbval may start a notebook's kernel before the notebook errors.
KERNEL_START_ATTEMPTS = 3


def retry_kernel_start(setup: Callable[[], None]) -> Callable[[], None]:
    """nbval's notebook setup, started again when the kernel dies before it answers.

    A kernel that dies before its first reply ("Kernel died before replying to kernel_info")
    has run none of the notebook: seen once in a fresh-clone CI run, for one notebook of 41,
    while lesson 07's deployment was starting processes on the other worker (jupyter_client
    picks the kernel's five ports by binding and releasing them, so another process can take
    one first). Only that error is retried, and each retry is reported as a warning;
    anything a notebook's code does still fails at once.
    """
    @wraps(setup)
    def setup_with_retries() -> None:
        for attempt in range(1, KERNEL_START_ATTEMPTS + 1):
            try:
                setup()
                return
            except RuntimeError as err:
                if "Kernel died before replying" not in str(err) \
                        or attempt == KERNEL_START_ATTEMPTS:
                    raise
                warnings.warn(f"a notebook's kernel died before it answered (attempt "
                              f"{attempt} of {KERNEL_START_ATTEMPTS}); starting another",
                              stacklevel=1)
    return setup_with_retries


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(NotebookKernels(), "fedlearn-notebook-kernels")
