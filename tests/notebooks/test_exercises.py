"""The exercises: made from the solutions, two or more each, run up to their first blank."""

from __future__ import annotations

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from tests.helpers import ROOT
from tools import authoring

SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))


def test_exercises_are_generated_from_solutions():
    assert SOLUTIONS, "no solution notebooks found"
    assert authoring.stale_exercises() == [], "exercises/ is out of date: run `make exercises`"


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.name)
def test_every_solution_has_at_least_two_exercises(path):
    nb = nbformat.read(path, as_version=4)
    answers = [c for c in nb.cells if c.cell_type == "code" and authoring.BEGIN in c.source]
    assert len(answers) >= 2


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: p.name)
def test_exercise_runs_up_to_its_first_blank(path):
    exercise = nbformat.read(authoring.exercise_path(path), as_version=4)
    first_blank = next(i for i, c in enumerate(exercise.cells)
                       if c.cell_type == "code" and "raise NotImplementedError()" in c.source)
    exercise.cells = exercise.cells[:first_blank + 1]
    client = NotebookClient(exercise, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    with pytest.raises(CellExecutionError, match="NotImplementedError"):
        client.execute()
    ran_before_blank = [c for c in exercise.cells[:first_blank] if c.cell_type == "code"]
    assert all(not any(o.get("output_type") == "error" for o in c.outputs)
               for c in ran_before_blank)
