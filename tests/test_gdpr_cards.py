"""The question cards file: complete, bilingual, well-cited, every step covered."""

from __future__ import annotations

import copy
import re

import pytest

from fedlearn_kit import gdpr
from fedlearn_kit.gdpr import cards as cards_module
from fedlearn_kit.paths import ROOT


@pytest.fixture(scope="module")
def data():
    return cards_module.read_cards_file()


def test_shipped_cards_file_is_valid(data):
    assert gdpr.validate_cards(data) == []


def test_every_step_has_at_least_three_cards():
    for step in gdpr.STEPS:
        assert len(gdpr.cards_for(step)) >= 3, step


def test_every_card_is_bilingual_and_cited():
    for card in gdpr.load_cards():
        for lang in ("sv", "en"):
            assert card.text("question", lang).strip() and card.text("why", lang).strip()
        assert card.law and all(gdpr.is_law_reference(ref) for ref in card.law)
        assert all(s.title and s.publisher and re.fullmatch(r"\d{4}(-\d\d){0,2}", s.date)
                   for s in card.sources)
        if card.unsettled:
            assert card.text("open", "en").strip() and card.text("open", "sv").strip()


@pytest.mark.parametrize("ref", ["GDPR Art. 26", "GDPR Art. 35(7)", "GDPR Art. 5(1)(c)",
                                 "GDPR Art. 12–22", "GDPR Recital 26", "OSL 25 kap. 1 §",
                                 "PDL 2 kap. 4 §", "PDL 4 kap.", "AI Act Art. 6(1)",
                                 "AI Act Annex III", "EHDS Art. 53(1)(e)", "MDR Art. 5(5)",
                                 "SFS 2003:460"])
def test_law_grammar_accepts(ref):
    assert gdpr.is_law_reference(ref)


@pytest.mark.parametrize("ref", ["Art. 26", "GDPR 26", "GDPR Art 26", "GDPR Art. 35.7",
                                 "OSL 25:1", "PDL 2 kap 4 §", "AI Act Article 6",
                                 "gdpr Art. 5", "GDPR Art. 5(1)(c) and 6"])
def test_law_grammar_rejects(ref):
    assert not gdpr.is_law_reference(ref)


def _broken(data, mutate):
    bad = copy.deepcopy(data)
    mutate(bad)
    return gdpr.validate_cards(bad)


def test_validator_finds_an_empty_language(data):
    problems = _broken(data, lambda d: d["cards"][0]["why"].update(sv="  "))
    assert any(".why.sv" in p for p in problems)


def test_validator_finds_a_malformed_law_reference(data):
    problems = _broken(data, lambda d: d["cards"][0]["law"].append("Art. 6 GDPR"))
    assert any("not well-formed" in p for p in problems)


def test_validator_finds_a_source_without_date_or_an_unknown_source(data):
    def mutate(d):
        d["sources"]["gdpr"]["date"] = "April 2016"
        d["cards"][1]["sources"].append("nowhere")
    problems = _broken(data, mutate)
    assert any("source gdpr: date" in p for p in problems)
    assert any("'nowhere' is not in the sources table" in p for p in problems)


def test_validator_finds_an_uncovered_step(data):
    problems = _broken(data, lambda d: d.update(
        cards=[c for c in d["cards"] if c["step"] != "what_leaks"]))
    assert any(p.startswith("step what_leaks: 0 card(s)") for p in problems)


def test_validator_finds_unsettled_card_without_open_text(data):
    def mutate(d):
        card = next(c for c in d["cards"] if not c.get("unsettled"))
        card["unsettled"] = True
    assert any("open (unsettled card)" in p for p in _broken(data, mutate))


def test_unknown_step_and_language_give_clear_errors():
    with pytest.raises(ValueError, match="not a step of the course"):
        gdpr.cards_for("federation")
    with pytest.raises(ValueError, match="use 'en' or 'sv'"):
        gdpr.step_markdown("federated", lang="de")


def test_markdown_is_deterministic_and_bilingual():
    first = gdpr.step_markdown("federated", "sv")
    assert first == gdpr.step_markdown("federated", "sv")
    card = gdpr.cards_for("federated")[0]
    assert card.text("question", "sv") in first and card.text("question", "en") in first
    assert "GDPR Art. 26(1)" in first


def test_glossary_has_every_swedish_term_the_cards_use():
    glossary = (ROOT / "docs" / "glossary.md").read_text(encoding="utf-8").lower()
    missing = [t for t in gdpr.swedish_terms() if t.lower() not in glossary]
    assert missing == [], f"add to docs/glossary.md: {missing}"
