"""Every lesson opens in JupyterLab in Chromium, with its stored outputs shown and the kit's
kernel behind it.

What only a browser shows is checked here: that each notebook renders, its figures load and
its kernel starts in this environment. Whether the lessons compute what they say is nbval's
job (`python course.py test` runs every notebook once); running them again here would double
the suite's time and check nothing new.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.e2e.lab import rendering, run_in_kernel, screenshot_top_and_end, wait_for_notebook
from tests.helpers import ROOT

LESSONS = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
PREFIX = "import sys; print(sys.prefix)"
WHERE = "import sys, fedlearn_kit; print(sys.prefix); print(fedlearn_kit.__file__)"


@pytest.mark.e2e
@pytest.mark.parametrize("name", LESSONS)
def test_lesson_renders_with_its_figures_and_the_kits_kernel(lab, page, name):
    page.goto(lab.open_url(f"notebooks/{name}"))
    wait_for_notebook(page)
    shown = rendering(page)
    screenshot_top_and_end(page, name.removesuffix(".ipynb"))
    assert shown["outputs"] > 0, "the stored outputs are not shown"
    assert shown["brokenImages"] == 0 and shown["renderErrors"] == 0, shown
    prefix = run_in_kernel(page, PREFIX).strip()
    assert Path(prefix) == Path(sys.prefix), "the lesson's kernel is not this environment's"


@pytest.mark.e2e
@pytest.mark.parametrize("folder", ["exercises", "solutions"])
def test_the_kit_imports_from_every_course_folder(lab, page, folder):
    page.goto(lab.open_url(f"{folder}/01_synthetic_patients.ipynb"))
    wait_for_notebook(page)
    printed = run_in_kernel(page, WHERE)
    assert "Error" not in printed, printed
    prefix, package = printed.split()
    assert Path(prefix) == Path(sys.prefix)
    assert Path(package).resolve() == (ROOT / "fedlearn_kit" / "__init__.py").resolve()
