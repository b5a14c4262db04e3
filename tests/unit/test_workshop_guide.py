"""The facilitator's notes (tools/materials/facilitator.yaml) stay in step with the cards.

That docs/workshop.md holds the block they generate is test_materials.py's
``test_generated_materials_are_up_to_date`` (the guide is one of the built files).
"""

from __future__ import annotations

import copy

import pytest

from fedlearn_kit import gdpr
from tools.materials import facilitator_notes as workshop


def test_every_card_has_notes_in_both_languages():
    assert workshop.validate_notes(workshop.read_notes_file()) == []
    notes = workshop.load_notes()
    for card in gdpr.load_cards():
        for lang in ("en", "sv"):
            assert notes[card.id].show[lang].strip()
            assert notes[card.id].context[lang].strip()
            assert notes[card.id].discussion[lang] and notes[card.id].misconceptions[lang]


def test_every_card_is_in_the_guide_with_its_minutes():
    block = workshop.facilitator_notes_markdown()
    for card in gdpr.load_cards():
        assert f"`{card.id}` · {workshop.card_minutes(card.id)} min" in block
        assert card.text("question", "sv") in block
        assert workshop.load_notes()[card.id].context["sv"] in block


def test_broken_notes_are_reported():
    data = copy.deepcopy(workshop.read_notes_file())
    first = next(iter(data))
    del data[first]["context"]["sv"]
    data[first]["discussion"]["en"] = []
    data[first]["minutes"] = 0
    data["no_such.card"] = data[next(k for k in data if k != first)]
    problems = workshop.validate_notes(data)
    assert f"{first}.context.sv: missing or empty" in problems
    assert f"{first}.discussion.en: missing or empty" in problems
    assert f"{first}.minutes: a positive whole number of minutes" in problems
    assert any(p.startswith("no_such.card: notes for a card that does not exist") for p in problems)
    del data[first]
    assert f"{first}: card has no facilitator notes" in workshop.validate_notes(data)


def test_replace_block_rewrites_only_the_block():
    text = f"intro\n{workshop.BEGIN}\nstale\n{workshop.END}\noutro\n"
    new = workshop.replace_block(text, workshop.facilitator_notes_markdown())
    assert new.startswith("intro\n") and new.endswith("\noutro\n") and "stale" not in new
    assert workshop.generated_block(new) == workshop.facilitator_notes_markdown()
    assert workshop.replace_block(new, workshop.facilitator_notes_markdown()) == new


def test_guide_without_markers_is_explained():
    assert workshop.generated_block("no markers") is None
    with pytest.raises(ValueError, match="no generated block"):
        workshop.replace_block("no markers", "new")
