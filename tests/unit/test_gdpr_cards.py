"""The question cards file: complete, bilingual, well-cited, every step covered."""

from __future__ import annotations

import copy
import re

import pytest

from fedlearn_kit import gdpr
from fedlearn_kit.gdpr import cards as cards_module
from tests.helpers import ROOT


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
                                 "SFS 2003:460", "OSL 8 kap. 1–2 §§", "OSL 10 kap. 2 a §",
                                 "TF 2 kap.", "HSL 3 kap. 1 §", "PSL 3 kap. 5 §", "DSL 3 kap.",
                                 "CJEU C-634/21", "CJEU C-413/23 P", "General Court T-553/23",
                                 "Decision (EU) 2023/1795", "Finnish Act 552/2019",
                                 "NIS2 Art. 21", "MDR Art. 5(5)(a)"])
def test_law_grammar_accepts(ref):
    assert gdpr.is_law_reference(ref)


@pytest.mark.parametrize("ref", ["Art. 26", "GDPR 26", "GDPR Art 26", "GDPR Art. 35.7",
                                 "OSL 25:1", "PDL 2 kap 4 §", "AI Act Article 6",
                                 "gdpr Art. 5", "GDPR Art. 5(1)(c) and 6", "OSL 8 kap. 1-2 §",
                                 "C-634/21", "TF 2 kap", "Finnish Act 552"])
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
    assert "artikel 26.1 i dataskyddsförordningen" in first and "GDPR Art. 26(1)" not in first


def test_glossary_has_every_swedish_term_the_cards_use():
    glossary = (ROOT / "docs" / "glossary.md").read_text(encoding="utf-8").lower()
    missing = [t for t in gdpr.swedish_terms() if t.lower() not in glossary]
    assert missing == [], f"add to docs/glossary.md: {missing}"


# --- every card carries role, good-answer points, linked and dated sources, an as-of date
# --- and both languages in every text field; the validator refuses a card without any of them.

def _first_card(d):
    return d["cards"][0]


@pytest.mark.parametrize("mutate, expected", [
    (lambda d: _first_card(d).pop("role"), "no role"),
    (lambda d: _first_card(d).update(role=[]), "no role"),
    (lambda d: _first_card(d).update(role=["auditor"]), "role 'auditor' is not one of"),
    (lambda d: _first_card(d).pop("good_answer"), ".good_answer: must have"),
    (lambda d: _first_card(d)["good_answer"].update(en=["only one point"]),
     ".good_answer.en: must be a list of 2–4"),
    (lambda d: _first_card(d)["good_answer"].update(sv=["a", "b", "c", "d", "e"]),
     ".good_answer.sv: must be a list of 2–4"),
    (lambda d: _first_card(d)["good_answer"].pop("sv"), ".good_answer.sv"),
    (lambda d: _first_card(d)["good_answer"].update(en=["a", " "]), ".good_answer.en"),
    (lambda d: _first_card(d)["good_answer"].update(en=["a", "b"], sv=["a", "b", "c"]),
     "give the same points in both languages"),
    (lambda d: _first_card(d).pop("law_as_of"), "law_as_of None must be"),
    (lambda d: _first_card(d).update(law_as_of="November 2026"), "law_as_of 'November 2026'"),
    (lambda d: _first_card(d).update(sources=[]), "no sources"),
    (lambda d: _first_card(d)["question"].pop("en"), ".question.en: missing or empty"),
    (lambda d: _first_card(d)["shown_in"].update(sv=""), ".shown_in.sv: missing or empty"),
    (lambda d: _first_card(d).update(open={"en": "open question"}), ".open.sv: missing"),
])
def test_validator_refuses_a_card_missing_a_required_part(data, mutate, expected):
    problems = _broken(data, mutate)
    card_id = data["cards"][0]["id"]
    assert any(p.startswith(card_id) and expected in p for p in problems), problems


@pytest.mark.parametrize("mutate, expected", [
    (lambda s: s.pop("url"), "url None must be an http(s) link"),
    (lambda s: s.update(url="eur-lex, somewhere"), "must be an http(s) link"),
    (lambda s: s.pop("accessed"), "accessed None must be the day"),
    (lambda s: s.update(accessed="2026-11"), "accessed '2026-11' must be the day"),
    (lambda s: s.update(kind="hearsay"), "kind 'hearsay' must be one of"),
])
def test_validator_refuses_a_source_without_link_access_day_or_kind(data, mutate, expected):
    problems = _broken(data, lambda d: mutate(d["sources"]["gdpr"]))
    assert any(p.startswith("source gdpr:") and expected in p for p in problems), problems


def test_loaded_cards_expose_role_points_and_law_as_of():
    for card in gdpr.load_cards():
        assert card.role and set(card.role) <= set(cards_module.ROLES), card.id
        for lang in ("sv", "en"):
            assert 2 <= len(card.points(lang)) <= 4, card.id
            assert len(card.role_labels(lang)) == len(card.role)
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", card.law_as_of), card.id
        assert all(s.url.startswith(("http://", "https://")) and s.accessed
                   for s in card.sources), card.id


def test_secondary_sources_are_named_as_such_when_cited():
    card = gdpr.card_by_id("dpia_and_next_steps.high_risk_timeline")
    secondary = [s for s in card.sources if s.kind == "secondary"]
    assert secondary, "the Omnibus dates rest on secondary sources and must say so"
    assert all("secondary source" in s.cite() for s in secondary)
    assert all("secondary source" not in s.cite() for s in card.sources if s.kind == "primary")


def test_markdown_shows_role_good_answer_law_as_of_and_not_advice():
    card = gdpr.card_by_id("start_here.controller")
    md_en, md_sv = gdpr.card_markdown(card, "en"), gdpr.card_markdown(card, "sv")
    assert "Law as of 2026-12-07" in md_en and "Rättsläge per 2026-12-07" in md_sv
    assert "Lagrum:" in md_sv and "Regler:" not in md_sv
    assert "data protection officer" in md_en and "dataskyddsombud" in md_sv
    assert all(point in md_en for point in card.points("en"))
    assert "not legal advice" in gdpr.step_markdown("start_here", "en")
    assert "inte juridisk rådgivning" in gdpr.step_markdown("start_here", "sv")


def test_cards_split_where_a_card_asked_two_questions():
    """Ids the review asked to split exist separately (see the card-id notes)."""
    for card_id in ("local_models.purpose", "local_models.use_purpose",
                    "federated.joint_controllers", "federated.arrangement",
                    "real_deployment.data_subject_requests", "real_deployment.breach_reporting",
                    "dpia_and_next_steps.monitoring", "dpia_and_next_steps.human_oversight",
                    "dpia_and_next_steps.medical_device",
                    "dpia_and_next_steps.high_risk_timeline"):
        assert gdpr.card_by_id(card_id) is not None, card_id
    assert gdpr.card_by_id("real_deployment.rights_and_breaches") is None


@pytest.mark.parametrize("eps, text", [(1.0, "0,46"), (2.0, "0,76")])
def test_privacy_bound_quoted_on_the_card_is_the_tight_hypothesis_testing_bound(eps, text):
    """(e^ε − 1 + 2δ)/(e^ε + 1) at δ = 0: ε = 1 for add/remove, 2ε = 2 for replacement."""
    import math
    bound = (math.exp(eps) - 1) / (math.exp(eps) + 1)
    assert f"{bound:.2f}".replace(".", ",") == text
    card = gdpr.card_by_id("privacy_defences.enough")
    assert text in card.text("why", "sv") and text.replace(",", ".") in card.text("why", "en")
    assert "(2ε, (1 + e^ε)δ)" in card.text("why", "en")
    # The card's claim about the older bound, and that it holds: Yeom et al.'s advantage
    # bound e^ε − 1 exceeds 1 (bounds nothing) at the ε = 1 the sentence is about.
    assert "At ε = 1 the bound is about" in card.text("why", "en")
    assert "Yeom et al.'s older e^ε − 1 already exceeds 1 there" in card.text("why", "en")
    assert math.exp(1.0) - 1 > 1


def test_checkpoints_state_the_omnibus_as_reported_and_mdr_in_house_condition():
    import importlib
    cp = importlib.import_module("fedlearn_kit.gdpr.checkpoints")
    points = {p.reference: p for p in cp.checkpoints()}
    assert "2 Aug 2028" in points["AI Act Art. 6(1)"].when
    omnibus_rows = [p for p in points.values() if "Digital Omnibus" in p.when]
    assert omnibus_rows and all("not confirmed in the Official Journal" in p.when
                                for p in omnibus_rows)
    assert not any("not adopted" in p.when for p in points.values())
    assert "another legal entity" in points["MDR Art. 5(5)(a)"].question
    assert "cannot use the Art. 6(3)" in points["AI Act Annex III"].question
    assert "Art. 73(10)" in points["AI Act Art. 6(1)"].question
    table = cp.checkpoints_markdown()
    assert f"law as of {cp.LAW_AS_OF}" in table and "not legal advice" in table
    assert "secondary source" in table and "https://eur-lex.europa.eu/" in table


def test_every_unsettled_card_dates_what_is_open():
    """An 'unsettled' text says as of when it was open (the year of the card's law_as_of)."""
    for card in gdpr.load_cards():
        if card.unsettled:
            year = card.law_as_of[:4]
            assert year in card.text("open", "en") and year in card.text("open", "sv"), card.id
