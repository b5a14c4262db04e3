"""Committed notebooks' outputs hold nothing that belongs to one machine, and no broken claim.

Every lesson, solution and exercise is checked: an absolute path in a stored output (a home
folder, a temporary folder, a virtual environment) tells a learner nothing and leaks the
author's machine; a stored warning from ``fedlearn_kit.claims`` means the notebook was
committed while its text disagreed with its results.
"""

from __future__ import annotations

import re

import nbformat
import pytest

from fedlearn_kit.claims import WARNING
from tests.helpers import ROOT

NOTEBOOKS = sorted(p for folder in ("notebooks", "solutions", "exercises")
                   for pattern in ("*.ipynb", "sv/*.ipynb")  # the Swedish ones too
                   for p in (ROOT / folder).glob(pattern))

# POSIX roots under which a machine keeps its own files, and Windows drive paths.
ABSOLUTE_PATH = re.compile(
    r"(?<![\w.~/-])(?:/(?:home|Users|root|work|tmp|var|private|opt|mnt|srv|usr|Volumes)/"
    r"[^\s'\"<>)]+|[A-Za-z]:\\\\?[^\s'\"<>)]+)")


def output_texts(nb: nbformat.NotebookNode):
    """(cell index, text) of every textual output of every code cell."""
    for i, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if "text" in output:
                yield i, "".join(output["text"])
            for mime, value in output.get("data", {}).items():
                if mime.startswith("text/") or mime == "application/json":
                    yield i, value if isinstance(value, str) else "".join(map(str, value))
            if output.get("output_type") == "error":
                yield i, "\n".join(output.get("traceback", []))


def absolute_paths(nb: nbformat.NotebookNode) -> list[str]:
    return [f"cell {i}: {m}" for i, text in output_texts(nb) for m in ABSOLUTE_PATH.findall(text)]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_absolute_machine_path_in_stored_outputs(path):
    found = absolute_paths(nbformat.read(path, as_version=4))
    assert not found, (f"{path.parent.name}/{path.name} stores machine paths in its outputs "
                       f"(print paths relative to the kit's folder, or sanitise them): {found}")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_stored_output_says_the_text_disagrees_with_the_results(path):
    nb = nbformat.read(path, as_version=4)
    broken = [i for i, text in output_texts(nb) if WARNING in text]
    assert not broken, f"{path.name}: cells {broken} warn that a sentence no longer holds"


@pytest.mark.parametrize("text, found", [
    ("saved in /home/anna/fedlearn-kit/work/answers.json", True),
    ("wrote /tmp/pytest-1/x.ipynb", True),
    (r"C:\Users\anna\fedlearn-kit\work", True),
    ("/work/main/.venv/lib/python3.11/site-packages/flwr/x.py:3: Warning", True),
    ("saved in work/deployment/ca.key (relative to the kit)", False),
    ("ratio 4/5 and 1/2, url https://imy.se/home/page", False),
    ("AUROC 0.611 on 74 patients", False),
])
def test_the_path_pattern_finds_machine_paths_only(text, found):
    assert bool(ABSOLUTE_PATH.search(text)) is found
