"""`python course.py lab` (and `make lab`) opens the course where a learner starts, with the
kit's kernel everywhere."""

from __future__ import annotations

import pytest

from tests.e2e.lab import (
    restart_and_run_all,
    stream_of_first_code_cell,
    wait_for_notebook,
)


@pytest.mark.e2e
def test_make_lab_opens_lesson_00_with_the_kits_kernel_and_no_warnings(lab, page):
    page.goto(f"{lab.url}/?token={lab.token}")  # where `course.py lab` points the browser
    wait_for_notebook(page)
    title = page.evaluate("() => window.jupyterapp.shell.currentWidget.context.path")
    assert title == "notebooks/00_start_here.ipynb"
    restart_and_run_all(page)
    first_output = stream_of_first_code_cell(page, "stdout")  # the cell after the parameters
    assert "All versions match the pins" in first_output
    assert "WARNING" not in first_output
    assert stream_of_first_code_cell(page, "stderr") == ""
