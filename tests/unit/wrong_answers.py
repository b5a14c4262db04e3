"""The pattern of the wrong-answer tests: every exercise check is fed the wrong answers a
learner plausibly gives, and must refuse each with feedback that names the mistake.

One test module per exercise notebook (``test_wrong_answers_NN.py``) holds

- a *context*: what the exercise notebook has computed when the learner reaches the check
  (the same calls, with the notebook's default parameters), built once per module;
- ``RIGHT``: the solution's answer per exercise, which the check must accept;
- ``WRONG``: a table of :class:`Wrong` rows, one per wrong answer: the exercise, the
  mistake in words, a function that calls the check with it, and the words the feedback
  must contain. ``source="review"`` marks the wrong answers the learner review tried
  (``reviews/learner-review.md``); the others are the authors' own.

:func:`assert_rejected` asserts that the check returns a false verdict, that its feedback
contains the expected words (it points at the mistake), and that it does not contain the
solution's code (it does not give the answer away). :func:`table_problems` keeps the
tables complete: every exercise of the notebook has its right answer and at least one
wrong one, and every notebook at least two of the authors' own.

To add a wrong answer: add a row to the notebook's ``WRONG``; if the check accepts it or
names the wrong mistake, fix the check in ``fedlearn_kit/checks/``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import nbformat

from fedlearn_kit.checks import Verdict
from tests.helpers import ROOT

#: The exercise headings of a solution notebook ("### Exercise 2.3 · How sure ...").
_HEADING = re.compile(r"^#{2,4} Exercise (\d+\.\d+) · ", re.MULTILINE)
#: What a solution block holds (docs/authoring.md, "Exercises").
_SOLUTION = re.compile(r"### BEGIN SOLUTION\n(.*?)^[ \t]*### END SOLUTION",
                       re.DOTALL | re.MULTILINE)


@dataclass(frozen=True)
class Wrong:
    """One wrong answer to one exercise, and the words its feedback must contain."""

    exercise: str  #: "2.3"
    answer: str  #: the mistake in words: "a 90 % interval (5th and 95th percentiles)"
    call: Callable[[Any], object]  #: context -> the check's verdict for this answer
    hint: str  #: words (case-insensitive) the feedback must contain
    source: str = "own"  #: "review" when the learner review tried it

    @property
    def id(self) -> str:
        """A test id: the exercise and the mistake."""
        return f"{self.exercise} {self.answer}"


def solution_code(notebook: str) -> dict[str, list[str]]:
    """Per exercise id, the lines of its solution blocks in ``solutions/<notebook>``."""
    nb = nbformat.read(ROOT / "solutions" / notebook, as_version=4)
    code: dict[str, list[str]] = {}
    current = None
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            found = _HEADING.findall(cell.source)
            if found:
                current = found[0]
                code.setdefault(current, [])
        elif current is not None:
            for block in _SOLUTION.findall(cell.source):
                code[current] += [line.strip() for line in block.splitlines()
                                  if line.strip() and not line.strip().startswith("#")]
    return code


def exercise_ids(notebook: str) -> list[str]:
    """The ids of the exercises in ``solutions/<notebook>``, in order."""
    return list(solution_code(notebook))


def _normal(text: str) -> str:
    return re.sub(r"\s+", "", text)


def gives_code_away(feedback: str, solution_lines: Sequence[str]) -> list[str]:
    """The lines of the solution (of at least 12 characters) that appear in ``feedback``,
    spaces ignored: feedback may name a function the exercise names, not write the answer."""
    said = _normal(feedback)
    return [line for line in solution_lines if len(_normal(line)) >= 12
            and _normal(line) in said]


def assert_accepted(verdict: object, output: str) -> None:
    """The check accepted the solution's answer."""
    assert isinstance(verdict, Verdict), f"a check returns a Verdict, got {verdict!r}"
    assert verdict, f"the solution's answer was refused:\n{output}"
    assert output.startswith("✅"), output


def assert_rejected(wrong: Wrong, verdict: object, output: str,
                    solution_lines: Sequence[str]) -> None:
    """The check refused ``wrong``, saying what is wrong without the solution's code."""
    assert isinstance(verdict, Verdict), f"a check returns a Verdict, got {verdict!r}"
    assert not verdict, f"exercise {wrong.exercise} accepted a wrong answer " \
        f"({wrong.answer}):\n{output}"
    assert output.startswith("❌"), output
    assert wrong.hint.lower() in output.lower(), (
        f"exercise {wrong.exercise}, {wrong.answer}: the feedback should say "
        f"{wrong.hint!r}:\n{output}")
    leaked = gives_code_away(output, solution_lines)
    assert not leaked, f"exercise {wrong.exercise}: the feedback gives the code {leaked}"


def table_problems(notebook: str, right: dict[str, object], wrong: Sequence[Wrong],
                   own_per_notebook: int = 2) -> list[str]:
    """What is missing from a notebook's tables (empty when complete)."""
    ids = exercise_ids(notebook)
    problems = [f"exercise {ex} has no right answer in RIGHT" for ex in ids if ex not in right]
    problems += [f"exercise {ex} has no wrong answer in WRONG" for ex in ids
                 if not any(w.exercise == ex for w in wrong)]
    problems += [f"{w.id}: exercise {w.exercise} is not in {notebook}" for w in wrong
                 if w.exercise not in ids]
    own = sum(w.source == "own" for w in wrong)
    if own < own_per_notebook:
        problems.append(f"{notebook}: only {own} wrong answers of the authors' own")
    names = [w.id for w in wrong]
    problems += [f"{name}: listed twice" for name in sorted({n for n in names
                                                             if names.count(n) > 1})]
    return problems
