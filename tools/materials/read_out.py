"""The numbers a facilitator reads out when demonstrating a lesson (``read_out.yaml``).

Each number is read from the stored outputs of the executed English lesson, never typed:
:func:`read_out` finds the code cell a piece of its source names, searches that cell's
printed text for the entry's pattern and fills the sentence the facilitator says with the
numbers it found. The facilitator notes (docs/workshop.md and its Swedish translation) and
the run sheets show these sentences; a test fails when a pattern stops matching or the
generated notes no longer agree with the notebook.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import nbformat
import yaml

from fedlearn_kit.gdpr.cards import STEPS
from tools import ROOT
from tools.materials import HERE
from tools.materials.agenda import agenda_names, build_agenda


@cache
def read_out_file() -> dict[str, list[dict[str, Any]]]:
    """The parsed ``read_out.yaml`` in this folder."""
    return yaml.safe_load((HERE / "read_out.yaml").read_text(encoding="utf-8"))


def demonstrated_lessons() -> list[str]:
    """The lessons some agenda demonstrates on the projector (mode ``demo``), in course order."""
    shown = {b.lesson for name in agenda_names() for b in build_agenda(name) if b.mode == "demo"}
    return [slug for slug in STEPS if slug in shown]


def lesson_path(slug: str) -> str:
    """The English lesson of ``slug``, relative to the course folder."""
    number = STEPS[slug][0]
    return f"notebooks/{number}_{slug}.ipynb"


def cell_text(notebook: nbformat.NotebookNode, marker: str, where: str = "") -> str:
    """The printed text of the one code cell whose source contains ``marker``: its streams
    and the text/plain of its results and displays, in order."""
    cells = [c for c in notebook.cells if c.cell_type == "code" and marker in c.source]
    if len(cells) != 1:
        raise ValueError(f"{where}: {len(cells)} code cells contain {marker!r}; name exactly "
                         f"one in tools/materials/read_out.yaml")
    parts = []
    for output in cells[0].get("outputs", []):
        if output.get("output_type") == "stream":
            parts.append(output.get("text", ""))
        else:
            parts.append(output.get("data", {}).get("text/plain", ""))
    return "\n".join(parts)


def read_out(slug: str, lang: str = "en",
             notebook: nbformat.NotebookNode | None = None) -> list[str]:
    """The sentences the facilitator reads when demonstrating ``slug``, in ``lang``, with the
    numbers of the stored English lesson (or of ``notebook``). ValueError when an entry's
    pattern no longer matches the output it names."""
    path = lesson_path(slug)
    if notebook is None:
        notebook = nbformat.read(ROOT / path, as_version=4)
    sentences = []
    for entry in read_out_file().get(slug, []):
        text = cell_text(notebook, entry["cell"], path)
        found = re.search(entry["pattern"], text, re.DOTALL)
        if found is None:
            raise ValueError(f"{path}: the output of the cell with {entry['cell']!r} no longer "
                             f"matches {entry['pattern']!r}; update tools/materials/"
                             f"read_out.yaml")
        sentences.append(entry["say"][lang].format(**found.groupdict()))
    return sentences


#: The words around the sentences, per language.
HEADINGS = {"en": "**Numbers to read out** (from the stored outputs of `{path}`):",
            "sv": "**Tal att läsa upp** (från de sparade utdata i `{path}`):"}


def read_out_markdown(slug: str, lang: str) -> list[str]:
    """The notes' lines for one lesson: a heading and one bullet per number; no lines for a
    lesson no agenda demonstrates."""
    if slug not in demonstrated_lessons():
        return []
    path = lesson_path(slug)
    if lang != "en":
        path = path.replace("notebooks/", f"notebooks/{lang}/")
    return [HEADINGS[lang].format(path=path), "", *(f"- {s}" for s in read_out(slug, lang)), ""]
