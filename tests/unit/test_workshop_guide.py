"""The facilitator's guide and its notes stay in step with the cards."""

from __future__ import annotations

import copy

import pytest

from fedlearn_kit import gdpr
from fedlearn_kit.gdpr import workshop


def test_guide_notes_match_the_cards():
    text = workshop.GUIDE.read_text(encoding="utf-8")
    assert workshop.generated_block(text) == workshop.facilitator_notes_markdown(), (
        "docs/workshop.md is out of date: run `python -m fedlearn_kit.materials`")


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


def test_no_generic_prompts_left():
    # The four generic sentences the notes replace (facilitator review, section 3).
    block = workshop.facilitator_notes_markdown()
    assert "shows the figure from the notebook" not in block
    assert "the DPO asks whether less would do" not in block


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


def test_replace_block_rewrites_only_the_block(tmp_path):
    guide = tmp_path / "guide.md"
    guide.write_text(f"intro\n{workshop.BEGIN}\nstale\n{workshop.END}\noutro\n", "utf-8")
    assert workshop.update_guide(guide) is True
    text = guide.read_text("utf-8")
    assert text.startswith("intro\n") and text.endswith("\noutro\n") and "stale" not in text
    assert workshop.update_guide(guide) is False


def test_guide_without_markers_is_explained(tmp_path):
    guide = tmp_path / "guide.md"
    guide.write_text("no markers", "utf-8")
    with pytest.raises(ValueError, match="no generated block"):
        workshop.update_guide(guide)
