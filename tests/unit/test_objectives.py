"""Every objective a lesson promises ("You will ...") is practised by an exercise with a check.

The map is tests/unit/objectives.yaml (lesson slug -> objective -> exercise ids). The test reads
the objectives from the lessons themselves, so a new or reworded objective fails until it
is mapped, and the exercise ids from the solution notebooks' headings, so a mapped exercise
that disappears fails too.
"""

from __future__ import annotations

import re

import nbformat
import pytest
import yaml

from tests.helpers import ROOT

MAP_FILE = ROOT / "tests" / "unit" / "objectives.yaml"
LESSONS = sorted(p for p in (ROOT / "notebooks").glob("0[1-7]_*.ipynb"))
EXERCISE_HEADING = re.compile(r"^#+\s*Exercise\s+(\d+\.\d+)\b", re.MULTILINE)


def slug(path) -> str:
    return path.stem.split("_", 1)[1]


def objectives(path) -> list[str]:
    """The "You will" bullets of a lesson's first cell, one string each, whitespace joined."""
    first = nbformat.read(path, as_version=4).cells[0].source
    block = first.split("**You will**", 1)[1]
    bullets, current = [], None
    for line in block.splitlines():
        if line.startswith("- "):
            current = [line[2:].strip()]
            bullets.append(current)
        elif current is not None and line.startswith("  ") and line.strip():
            current.append(line.strip())
        elif current is not None and not line.strip():
            break
    return [" ".join(parts).rstrip(";.").strip() for parts in bullets]


def exercise_ids(lesson_path) -> set[str]:
    solution = ROOT / "solutions" / lesson_path.name
    if not solution.exists():
        return set()
    nb = nbformat.read(solution, as_version=4)
    return {m for c in nb.cells if c.cell_type == "markdown"
            for m in EXERCISE_HEADING.findall(c.source)}


def objective_map() -> dict[str, dict[str, list[str]]]:
    return yaml.safe_load(MAP_FILE.read_text(encoding="utf-8")) or {}


def test_objectives_are_read_from_every_lesson():
    assert [slug(p) for p in LESSONS][:4] == ["synthetic_patients", "local_models",
                                              "centralised", "federated"]
    for path in LESSONS:
        found = objectives(path)
        assert 3 <= len(found) <= 6, f"{path.name}: {found}"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_every_objective_is_practised_by_an_existing_exercise(path):
    mapped = objective_map().get(slug(path), {}) or {}
    exercises = exercise_ids(path)
    unmapped = [o for o in objectives(path) if not mapped.get(o)]
    assert not unmapped, (f"{path.name}: objectives with no exercise in "
                          f"tests/unit/objectives.yaml: {unmapped}")
    missing = {o: ids for o, ids in mapped.items() if set(map(str, ids)) - exercises}
    assert not missing, f"{path.name}: mapped to exercises that do not exist: {missing}"
    stale = sorted(set(mapped) - set(objectives(path)))
    assert not stale, f"{path.name}: mapped objectives the lesson no longer has: {stale}"


def test_the_map_names_only_lessons_that_exist():
    assert set(objective_map()) <= {slug(p) for p in LESSONS}


def test_objective_parser_joins_wrapped_bullets(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(
        "# 09 · X\n\n**You will**\n- do one thing;\n- do another,\n  over two lines.\n\n"
        "**Questions:** none")])
    path = tmp_path / "09_x.ipynb"
    nbformat.write(nb, path)
    assert objectives(path) == ["do one thing", "do another, over two lines"]
