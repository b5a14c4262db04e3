"""The facilitator's guide stays in step with the cards."""

from __future__ import annotations

import pytest

from fedlearn_kit import gdpr
from fedlearn_kit.gdpr import workshop


def test_guide_prompts_match_the_cards():
    text = workshop.GUIDE.read_text(encoding="utf-8")
    assert workshop.generated_block(text) == workshop.discussion_prompts_markdown(), (
        "docs/workshop.md is out of date: run `python -m fedlearn_kit.gdpr.workshop`")


def test_every_card_has_a_prompt():
    block = workshop.discussion_prompts_markdown()
    for card in gdpr.load_cards():
        assert f"`{card.id}`" in block
        assert card.text("question", "sv") in block


def test_update_rewrites_only_the_block(tmp_path):
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
