"""The exercise generator keeps a template the exercise's text promises, or refuses to run.

Exercise 5.7 once said "fill in the template below" above an empty cell: its template sat
inside the solution block and was removed with the answer.
"""

from __future__ import annotations

import nbformat
import pytest

from tools import authoring

TASK = "### Exercise 9.1 · A test\nFill in the template below."


def _solution(code: str, task: str = TASK) -> nbformat.NotebookNode:
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(task),
                                           nbformat.v4.new_code_cell(code),
                                           nbformat.v4.new_code_cell("check.it(answer)")])


def test_a_template_inside_the_solution_block_is_refused() -> None:
    inside = ("### BEGIN SOLUTION\nanswer = {'conclusion': 'personal data'}\n"
              "### END SOLUTION")
    with pytest.raises(authoring.ExerciseError, match=r"Exercise 9\.1 promises a template"):
        authoring.to_exercise(_solution(inside))


def test_a_template_before_the_block_stays_in_the_exercise() -> None:
    before = ("answer = {'conclusion': ...}\n### BEGIN SOLUTION\n"
              "answer = {'conclusion': 'personal data'}\n### END SOLUTION")
    exercise = authoring.to_exercise(_solution(before))
    assert exercise.cells[1].source == (
        "answer = {'conclusion': ...}\n# YOUR CODE HERE\nraise NotImplementedError()")


def test_an_exercise_without_a_template_needs_none() -> None:
    plain = "### BEGIN SOLUTION\nanswer = 1\n### END SOLUTION"
    exercise = authoring.to_exercise(_solution(plain, "### Exercise 9.2 · Count\nCount them."))
    assert "raise NotImplementedError()" in exercise.cells[1].source


def test_an_ellipsis_in_the_answer_or_in_text_is_not_a_template() -> None:
    assert authoring.template_problems([
        nbformat.v4.new_markdown_cell(TASK),
        nbformat.v4.new_code_cell("print('wait...')\n" + authoring.BLANK)]) != []


def test_every_solution_notebook_generates_its_exercise() -> None:
    from tests.helpers import ROOT

    for path in sorted((ROOT / "solutions").glob("*.ipynb")):
        authoring.to_exercise(nbformat.read(path, as_version=4))  # raises on a lost template
