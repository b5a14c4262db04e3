"""Lesson times: the one source (``lesson_times.yaml``) and the texts generated from it.

Every time the course states comes from here: the "**Time:**" line of each lesson, the time
column and run-time sentence of README.md, and the agendas of docs/workshop.md. The tests
check the file against the notebooks (exercise ids, prose length, practice sums) and the
texts against the file, so a time cannot be changed in one place only.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import nbformat
import yaml

from fedlearn_kit.gdpr.cards import STEPS
from tools import ROOT
from tools.materials import HERE

#: Words a minute at which a mixed group reads the lessons' English prose (a conservative
#: figure for second-language readers of technical text; adults read plain text at ~200-250).
READING_WORDS_PER_MINUTE = 100
#: The exercise headings of solutions/ ("### Exercise 4.2 · Who gains?").
_EXERCISE = re.compile(r"^#{2,4} Exercise (\d+\.\d+) · (.+?)\s*$", re.MULTILINE)
#: The Time part of a lesson's opening cell, up to the next " · **...**" field or paragraph end.
_TIME_LINE = re.compile(r"\*\*Time:\*\*.*?(?=\s·\s\*\*|\n\n|\Z)", re.DOTALL)


@dataclass(frozen=True)
class LessonTime:
    """The minutes of one lesson (see the header of ``lesson_times.yaml``).

    ``exercises`` maps the id ("4.2") of each exercise now in solutions/ to its minutes;
    ``titles`` maps the same ids to their titles.
    """

    slug: str
    teaching: int
    practice: int
    exercises: dict[str, int]
    titles: dict[str, str]
    demo: int
    run_seconds: dict[str, int]
    practice_label: str = "exercises"
    estimated: tuple[str, ...] = ()

    @property
    def total(self) -> int:
        """Teaching plus practice: the lesson's time for a learner on their own."""
        return self.teaching + self.practice

    @property
    def number(self) -> str:
        """The lesson's two-digit number ("04")."""
        return STEPS[self.slug][0]

    @property
    def max_run_seconds(self) -> int:
        """The slowest measured run of the notebook, top to bottom."""
        return max(self.run_seconds.values())


@cache
def read_times_file() -> dict[str, Any]:
    """The parsed ``lesson_times.yaml`` in this folder."""
    text = (HERE / "lesson_times.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def lesson_times() -> dict[str, LessonTime]:
    """Every lesson's times, in course order, for the exercises now in solutions/; raises
    ValueError if the file is inconsistent (with itself or with solutions/)."""
    data = read_times_file()
    problems = validate_times(data) + exercise_problems(data)
    if problems:
        raise ValueError("tools/materials/lesson_times.yaml has problems:\n  "
                         + "\n  ".join(problems))
    result = {}
    for slug in STEPS:
        entry = data["lessons"][slug]
        present = solution_exercises(slug)
        minutes = {ex: entry["exercises"][title] for ex, title in present}
        practice = practice_minutes(minutes.values()) if minutes else entry.get("practice", 0)
        result[slug] = LessonTime(
            slug=slug, teaching=entry["teaching"], practice=practice, exercises=minutes,
            titles=dict(present), demo=entry["demo"], run_seconds=entry["run_seconds"],
            practice_label=entry.get("practice_label", "exercises"),
            estimated=tuple(ex for ex, title in present if title in entry.get("estimated", ())))
    return result


def validate_times(data: dict[str, Any]) -> list[str]:
    """Problems within a parsed times file: missing lessons, non-positive minutes, estimated
    or arriving titles without minutes (empty when all is well)."""
    problems = []
    lessons = data.get("lessons") or {}
    problems += [f"lesson {slug}: missing" for slug in STEPS if slug not in lessons]
    problems += [f"lesson {slug}: not a lesson of the course" for slug in lessons
                 if slug not in STEPS]
    for slug, entry in lessons.items():
        for name in ("teaching", "demo"):
            if not isinstance(entry.get(name), int) or entry[name] <= 0:
                problems.append(f"lesson {slug}: {name} must be a positive whole number of "
                                f"minutes")
        exercises = entry.get("exercises") or {}
        problems += [f"lesson {slug}: exercise {title!r} needs a positive number of minutes"
                     for title, minutes in exercises.items()
                     if not isinstance(minutes, int) or minutes <= 0]
        for listed in ("estimated", "arriving"):
            problems += [f"lesson {slug}: {listed} exercise {title!r} has no minutes"
                         for title in entry.get(listed) or () if title not in exercises]
        if not exercises and "practice" not in entry:
            problems.append(f"lesson {slug}: no exercises, so give `practice` minutes (0 if "
                            f"none)")
        if not entry.get("run_seconds"):
            problems.append(f"lesson {slug}: no measured run_seconds")
    if not isinstance(data.get("room_federation"), int):
        problems.append("room_federation: minutes missing")
    return problems


def exercise_problems(data: dict[str, Any]) -> list[str]:
    """Where the times file and solutions/ disagree: an exercise without minutes, or minutes
    for an exercise that is neither in solutions/ nor listed as arriving (an arriving one
    that has arrived simply counts; its `arriving` line can go when convenient)."""
    problems = []
    for slug in STEPS:
        entry = (data.get("lessons") or {}).get(slug) or {}
        listed, arriving = entry.get("exercises") or {}, entry.get("arriving") or {}
        present = {title for _, title in solution_exercises(slug)}
        problems += [f"lesson {slug}: exercise {title!r} in solutions/ has no minutes in "
                     f"lesson_times.yaml" for title in sorted(present - set(listed))]
        problems += [f"lesson {slug}: exercise {title!r} is in lesson_times.yaml but not in "
                     f"solutions/ (renamed? or list it under `arriving`)"
                     for title in sorted(set(listed) - present - set(arriving))]
    return problems


def practice_minutes(minutes: Iterable[int]) -> int:
    """A practice block's minutes: the exercises' minutes summed, rounded up to 5."""
    return 5 * math.ceil(sum(minutes) / 5)


def room_federation_minutes() -> int:
    """Minutes for lesson 07 run across the room (facilitator's SuperLink, up to 8 nodes)."""
    return int(read_times_file()["room_federation"])


# ------------------------------------------------------------------ notebooks


def notebook_path(slug: str, folder: str = "notebooks") -> Path:
    """The lesson notebook (or solution, with ``folder="solutions"``) of a step."""
    return ROOT / folder / f"{STEPS[slug][0]}_{slug}.ipynb"


@cache
def solution_exercises(slug: str) -> tuple[tuple[str, str], ...]:
    """The (id, title) of each exercise of a lesson's solution notebook, in order:
    (("4.2", "Who gains?"), ...); empty if the lesson has none."""
    path = notebook_path(slug, "solutions")
    if not path.exists():
        return ()
    nb = nbformat.read(path, as_version=4)
    return tuple((m[0], m[1]) for c in nb.cells if c.cell_type == "markdown"
                 for m in _EXERCISE.findall(c.source))


def prose_words(slug: str) -> int:
    """Words in a lesson's markdown cells (what a participant reads)."""
    nb = nbformat.read(notebook_path(slug), as_version=4)
    return sum(len(re.findall(r"\w+", c.source)) for c in nb.cells if c.cell_type == "markdown")


def min_teaching_minutes(slug: str) -> int:
    """The least teaching time a lesson can have: its prose at the reading speed plus its run."""
    lesson = lesson_times()[slug]
    return math.ceil(prose_words(slug) / READING_WORDS_PER_MINUTE
                     + lesson.max_run_seconds / 60)


def time_line(slug: str) -> str:
    """The "**Time:**" field of a lesson's opening cell, as it must read."""
    t = lesson_times()[slug]
    if not t.practice:
        return f"**Time:** {t.total} min"
    return (f"**Time:** {t.total} min ({t.teaching} teaching, {t.practice} "
            f"{t.practice_label})")


def practice_time_line(slug: str) -> str:
    """The "**Time:**" field of a lesson's practice notebook (solutions/ and exercises/): the
    practice block of the lesson's own Time line, so the two cannot disagree."""
    return f"**Time:** {lesson_times()[slug].practice} min"


def stated_time_line(slug: str, folder: str = "notebooks") -> str | None:
    """The "**Time:**" field a stored notebook states now (None if it has none): the lesson,
    or its solution or exercise notebook with ``folder="solutions"`` or ``"exercises"``."""
    path = notebook_path(slug, folder)
    if not path.exists():
        return None
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            match = _TIME_LINE.search(cell.source)
            if match:
                return match.group(0)
    return None


def _expected_lines() -> dict[Path, str]:
    """Every notebook that states a time, with the Time line it must state."""
    lines = {notebook_path(slug): time_line(slug) for slug in STEPS}
    lines |= {notebook_path(slug, "solutions"): practice_time_line(slug) for slug in STEPS
              if solution_exercises(slug)}
    return lines


def write_time_lines() -> list[Path]:
    """Rewrite the "**Time:**" field of every lesson and solution notebook whose line
    differs; return the paths. (Exercises are generated from the solutions: regenerate them
    with ``python -m tools.authoring exercises``.)

    Only that markdown text changes: outputs stay as stored, so nothing is re-executed.
    """
    changed = []
    for path, line in _expected_lines().items():
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "markdown" and _TIME_LINE.search(cell.source):
                new = _TIME_LINE.sub(line, cell.source, count=1)
                if new != cell.source:
                    cell.source = new
                    nbformat.write(nb, path)
                    changed.append(path)
                break
    return changed


def notebook_time_problems() -> list[str]:
    """Every lesson, solution and exercise notebook whose Time line disagrees with
    ``lesson_times.yaml`` (empty when all agree)."""
    problems = []
    for slug in STEPS:
        expected = {"notebooks": time_line(slug)}
        if solution_exercises(slug):
            expected |= dict.fromkeys(("solutions", "exercises"), practice_time_line(slug))
        for folder, line in expected.items():
            stated = stated_time_line(slug, folder)
            if stated != line:
                problems.append(f"{notebook_path(slug, folder).relative_to(ROOT)} states "
                                f"{stated!r}; lesson_times.yaml gives {line!r}")
    return problems


# ------------------------------------------------------------------ README


def readme_time_cell(slug: str) -> str:
    """The README course table's time cell of a lesson ("40 min")."""
    return f"{lesson_times()[slug].total} min"


def run_time_sentence() -> str:
    """README's sentence on times and run time, generated from the measurements."""
    times = lesson_times()
    slow = [t for t in times.values() if t.max_run_seconds > 60]
    fast_max = max(t.max_run_seconds for t in times.values() if t not in slow)
    total = sum(t.total for t in times.values())
    sentence = (f"Times include the practice exercises ({total // 60} h {total % 60} min "
                f"for the whole course on your own). On a 2-core laptop under load, each "
                f"notebook ran top to bottom in at most {fast_max} s")
    if slow:
        named = [f"lesson {t.number} in up to {t.max_run_seconds} s" for t in slow]
        sentence += ", " + (", ".join(named[:-1]) + " and " if len(named) > 1 else "") + named[-1]
    return sentence + "; the measurements are in `tools/materials/lesson_times.yaml`."
