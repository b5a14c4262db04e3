"""The Swedish course addresses its reader one way: as "ni", as the Swedish README and guides
do (docs/translating.md, "The term list"). A lesson that says "du" in one paragraph and "ni" in
the next reads as careless; patient information (the take-home notices) says "du" to the
patient and is not part of this rule."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tools import translate

#: "du" and its object and possessive forms; "ni", "er", "ert" and "era" are the course's.
SINGULAR_YOU = re.compile(r"\b(du|dig|din|ditt|dina)\b", re.IGNORECASE)


def singular_you(text: str) -> list[str]:
    """The words of ``text`` that address the reader as "du"."""
    return [m.group(0) for m in SINGULAR_YOU.finditer(text)]


def lesson_catalogues() -> list[Path]:
    """The Swedish catalogues of the lessons and solutions, of the kit's messages, and of the
    materials' notes to the facilitator (the answer key's exercise notes)."""
    locale = translate.ROOT / "locale" / "sv"
    return [*sorted((locale / "notebooks").glob("*.po")),
            *sorted((locale / "solutions").glob("*.po")), locale / "fedlearn_kit.po",
            *sorted((locale / "materials").glob("*.po"))]


@pytest.mark.parametrize("text, found", [
    ("Kör cellen när du är klar.", ["du"]),
    ("Spara dina svar och ditt utkast.", ["dina", "ditt"]),
    ("Kör cellen när ni är klara; era svar sparas.", []),
    ("Sundsvall och Dingle", []),  # whole words only
])
def test_singular_you_is_found_as_a_whole_word(text, found):
    assert singular_you(text) == found


@pytest.mark.parametrize("catalogue", lesson_catalogues(), ids=lambda p: p.name)
def test_the_lessons_address_the_reader_as_ni(catalogue):
    wrong = {str(m.id)[:60]: singular_you(str(m.string)) for m in
             translate.read_catalogue(catalogue, "sv") if m.id and singular_you(str(m.string))}
    assert wrong == {}
