"""Every time the course states agrees with tools/materials/lesson_times.yaml, the one source.

The learner review found each practice notebook stating a fraction of its lesson's practice
time (04: "10 min" for eight exercises, the lesson 50). One test reads every place a time is
stated: the lessons' Time lines, the solution and exercise notebooks' (the lesson's practice
block), README's course table and run-time sentence, the agendas of docs/workshop.md, and
every generated material page that states minutes (agendas, summaries, handouts, projector
views, lesson exports).
"""

from __future__ import annotations

import re

import pytest

from tests.helpers import ROOT
from tools.materials import build, facilitator_notes, times

#: Generated pages whose text states minutes (the others state none).
TIMED_PAGES = re.compile(r"(agenda|summaries|handout)-\w+\.html$|(projector|lessons)/")


def stated_time_problems() -> list[str]:
    """Every stated time that disagrees with lesson_times.yaml (empty when all agree)."""
    problems = times.notebook_time_problems()
    for path, update in ((build.README, build.readme_text),
                         (facilitator_notes.GUIDE, build.guide_text)):
        current = path.read_text(encoding="utf-8")
        if update(current) != current:
            problems.append(f"{path.relative_to(ROOT)}: its times differ from lesson_times.yaml")
    for path, make in build.targets().items():
        relative = path.relative_to(ROOT).as_posix()
        if TIMED_PAGES.search(relative) and (
                not path.exists() or path.read_text(encoding="utf-8") != make()):
            problems.append(f"{relative}: not what lesson_times.yaml gives")
    return problems


def test_every_stated_time_agrees_with_lesson_times() -> None:
    assert stated_time_problems() == [], "run `python -m tools.materials` and `make exercises`"


def test_a_practice_notebook_states_its_lessons_practice_block() -> None:
    for slug, lesson in times.lesson_times().items():
        if lesson.exercises:
            assert times.practice_time_line(slug) == f"**Time:** {lesson.practice} min"
            assert f"{lesson.practice} exercises)" in times.time_line(slug)


def test_a_time_stated_in_one_place_only_is_found(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(times, "practice_time_line", lambda slug: "**Time:** 99 min")
    found = " ".join(times.notebook_time_problems())
    assert "solutions/04_federated.ipynb" in found and "exercises/04_federated.ipynb" in found
