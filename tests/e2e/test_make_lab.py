"""`make lab` opens the course where a learner starts, with the kit's kernel everywhere."""

from __future__ import annotations

import pytest

from tests.e2e.lab import (
    error_outputs,
    restart_and_run_all,
    stream_of_first_code_cell,
    wait_for_notebook,
)


@pytest.mark.e2e
def test_make_lab_opens_lesson_00_with_the_kits_kernel_and_no_warnings(lab, page):
    page.goto(f"{lab.url}/?token={lab.token}")  # where `make lab` points the browser
    wait_for_notebook(page)
    title = page.evaluate("() => window.jupyterapp.shell.currentWidget.context.path")
    assert title == "notebooks/00_start_here.ipynb"
    restart_and_run_all(page)
    first_output = stream_of_first_code_cell(page, "stdout")  # the cell after the parameters
    assert "All versions match the pins" in first_output
    assert "WARNING" not in first_output
    assert stream_of_first_code_cell(page, "stderr") == ""


@pytest.mark.e2e
@pytest.mark.parametrize("folder", ["exercises", "solutions"])
def test_the_kit_imports_from_every_course_folder(lab, page, folder):
    page.goto(lab.open_url(f"{folder}/01_synthetic_patients.ipynb"))
    wait_for_notebook(page)
    restart_and_run_all(page)
    errors = error_outputs(page)
    if folder == "solutions":
        assert errors == []
    else:  # the first blank stops the run; everything before it worked
        assert len(errors) == 1 and "NotImplementedError" in errors[0]
