"""What the course says in one place agrees with what it says, or installs, in another
(the learner review's consistency sweep)."""

from __future__ import annotations

import re
import tomllib

import nbformat
import pytest

from tests.helpers import ROOT

NOTEBOOKS = sorted([*(ROOT / "notebooks").rglob("*.ipynb"), *(ROOT / "solutions").rglob("*.ipynb"),
                    *(ROOT / "exercises").rglob("*.ipynb")])
DOCS = sorted([ROOT / "README.md", *(ROOT / "docs").glob("*.md")])


def prose(path) -> str:
    """The text a reader reads: a notebook's markdown cells, or a Markdown file."""
    if path.suffix == ".ipynb":
        nb = nbformat.read(path, as_version=4)
        return "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    return path.read_text(encoding="utf-8")


def pinned(package: str) -> str:
    """The version of ``package`` that pyproject.toml pins."""
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    for spec in dependencies:
        match = re.fullmatch(rf"{package}(\[[^\]]*\])?==([\w.]+)", spec)
        if match:
            return match.group(2)
    raise AssertionError(f"{package} is not pinned")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_notebooks_tell_learners_commands_that_work_everywhere(path) -> None:
    """README: no `make` on Windows; `python course.py ...` works on every laptop."""
    assert not re.search(r"`make \w+`", prose(path)), (
        "name `python course.py ...`, which works without make (README, 'Start')")


@pytest.mark.parametrize("path", NOTEBOOKS + DOCS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_the_flower_version_named_is_the_one_installed(path) -> None:
    version = ".".join(pinned("flwr").split(".")[:2])
    named = set(re.findall(r"Flower (\d+\.\d+)\b", prose(path)))
    assert named <= {version}, f"{path.name} names Flower {sorted(named)}; the kit pins {version}"


@pytest.mark.parametrize("path", NOTEBOOKS + DOCS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_a_row_is_a_hospital_stay_everywhere(path) -> None:
    """Lesson 01, the data card and the DPIA call a row one hospital stay (a discharge);
    what a row is decides what ε protects, so no text may call it a patient."""
    assert not re.search(r"(each|one|a) row is (one|a) patient", prose(path), re.IGNORECASE)
