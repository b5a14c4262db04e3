"""Every lesson, opened in JupyterLab in Chromium, restarted and run top to bottom."""

from __future__ import annotations

import pytest

from fedlearn_kit.paths import ROOT
from tests.e2e.lab import (
    error_outputs,
    restart_and_run_all,
    screenshot_top_and_end,
    stream_of_first_code_cell,
    wait_for_notebook,
)

LESSONS = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.e2e
@pytest.mark.parametrize("name", LESSONS)
def test_lesson_runs_in_the_browser_without_errors(lab, page, name):
    page.goto(lab.open_url(f"notebooks/{name}"))
    wait_for_notebook(page)
    restart_and_run_all(page)
    screenshot_top_and_end(page, name.removesuffix(".ipynb"))
    assert error_outputs(page) == []
    if name.startswith("00_"):
        assert stream_of_first_code_cell(page) == "", "the first cell printed warnings"
