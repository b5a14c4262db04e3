"""Materials for a workshop room, generated from the course's sources (maintainers).

``python -m tools.materials`` writes everything under ``docs/`` (agendas and facilitator
notes in docs/workshop.md, the printable card deck, answer key, projector views, offline
lesson exports, certificate, handout and feedback form under docs/materials/) and rewrites
the "**Time:**" line of every lesson and README's time column from ``lesson_times.yaml``;
``python -m tools.materials --check`` lists what is out of date and exits 1 if anything is.
The sources are the YAML files in this folder, the cards (``fedlearn_kit/gdpr/cards.yaml``)
and the stored notebooks. What a facilitator runs on a laptop (``fedlearn-kit materials
export``, ``clean-answers``) stays in the installed package, :mod:`fedlearn_kit.materials`.
"""

from __future__ import annotations

from pathlib import Path

from fedlearn_kit.materials import html

#: This folder: the YAML sources of the materials.
HERE = Path(__file__).resolve().parent
#: The command every generated page names in its footer.
COMMAND = "python -m tools.materials"


def generated_footer(source: str, lang: str = "en") -> str:
    """The footer line of a generated page: where it comes from and how to regenerate it."""
    return html.generated_footer(source, COMMAND, lang)
