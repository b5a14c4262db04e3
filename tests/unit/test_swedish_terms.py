"""One Swedish term per concept: the term list is well formed and the Swedish text keeps to it."""

from __future__ import annotations

import copy

import pytest
import yaml

from fedlearn_kit import gdpr
from fedlearn_kit.gdpr import terms
from fedlearn_kit.gdpr.cards import read_cards_file
from tools.materials.facilitator_notes import load_notes


def test_term_list_is_well_formed():
    data = yaml.safe_load(terms.terms_file().read_text(encoding="utf-8"))
    assert terms.term_list_problems(data) == []
    concepts = {t.concept for t in terms.load_terms()}
    assert {"essence_of_arrangement", "right_to_object", "site", "law_reference_order"} <= concepts


@pytest.mark.parametrize("mutate, expected", [
    (lambda d: d["terms"][0].pop("sv"), "no sv"),
    (lambda d: d["terms"][0].update(forbidden="huvuddrag"), "must be a list"),
    (lambda d: d["terms"][0].update(forbidden=["(unclosed"]), "not a valid pattern"),
    (lambda d: d["terms"].append(copy.deepcopy(d["terms"][0])), "listed twice"),
])
def test_term_list_problems_are_found(mutate, expected):
    data = yaml.safe_load(terms.terms_file().read_text(encoding="utf-8"))
    mutate(data)
    assert any(expected in p for p in terms.term_list_problems(data))


@pytest.mark.parametrize("text, concept", [
    ("dess huvuddrag ska göras tillgängliga", "essence_of_arrangement"),
    ("patienten har rätt att invända", "right_to_object"),
    ("varje plats skickar sin uppdatering", "site"),
    ("Koordinatorn medelvärdesbildar", "coordinator"),
    ("enligt GDPR artikel 35.7 a", "law_reference_order"),
    ("enligt PDL 2 kap. 4 §", "law_reference_order"),
    ("Som prejudikat kritiserade chefsJO", "jo_not_precedent"),
    ("som tribunalen fastställde i mål T-553/23", "action_dismissed"),
])
def test_a_forbidden_variant_is_found(text, concept):
    assert [f.concept for f in terms.forbidden_variants(text)] == [concept]


@pytest.mark.parametrize("text", [
    "det väsentliga innehållet i arrangemanget", "rätt att göra invändningar",
    "varje sjukhus skickar sin uppdatering", "enligt artikel 35.7 a i dataskyddsförordningen",
    "enligt 2 kap. 4 § PDL", "arbetsplatsen", "plattformen",
])
def test_the_right_term_passes(text):
    assert terms.forbidden_variants(text) == []


def _swedish_card_texts():
    data = read_cards_file()
    for card in data["cards"]:
        for field in ("question", "why", "shown_in", "open"):
            if card.get(field):
                yield f"{card['id']}.{field}", card[field]["sv"]
        for i, point in enumerate(card["good_answer"]["sv"]):
            yield f"{card['id']}.good_answer[{i}]", point


def _swedish_note_texts():
    for card_id, note in load_notes().items():
        for field in ("show", "context"):
            yield f"notes {card_id}.{field}", getattr(note, field)["sv"]
        for field in ("discussion", "misconceptions"):
            for i, item in enumerate(getattr(note, field)["sv"]):
                yield f"notes {card_id}.{field}[{i}]", item


def test_swedish_cards_and_notes_use_the_term_list():
    found = [str(f) for where, text in [*_swedish_card_texts(), *_swedish_note_texts()]
             for f in terms.forbidden_variants(text, where)]
    assert found == [], "\n".join(found)


def test_swedish_dpia_draft_uses_the_term_list():
    facts = gdpr.default_facts()
    draft = gdpr.dpia_draft(gdpr.example_answers(facts, lang="sv"), facts, lang="sv",
                            answers_language="sv")
    found = [str(f) for f in terms.forbidden_variants(draft.markdown(), "DPIA (sv)")]
    assert found == [], "\n".join(found)


def test_english_sentences_are_found_outside_quotes_and_marked_text():
    text = ("Nämnden beslutar. The board decides whether the model is personal data. "
            "Källa: «Guidelines on the concepts of controller and processor» (EDPB). "
            "We think this is quality work and not research (svaret är på engelska).")
    assert terms.english_passages(text) == [
        "The board decides whether the model is personal data."]
    assert terms.looks_english("We think training is quality work, not research.")
    assert not terms.looks_english("Vi bedömer att träningen är kvalitetsarbete och inte "
                                   "forskning.")
