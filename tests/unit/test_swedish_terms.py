"""One Swedish term per concept: the term list is well formed and the Swedish text keeps to it."""

from __future__ import annotations

import copy
import html
import re

import nbformat
import pytest
import yaml
from babel.messages.pofile import read_po

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
            "Källa: «AI Digital Omnibus: political agreement to simplify the AI Act and "
            "strengthen safeguards (a law firm's account of the press release of 7 May 2026: "
            "Annex I from 2 August 2028)» (på engelska), läst 2026-12-07. "
            "We think this is quality work and not research (svaret är på engelska).")
    assert terms.english_passages(text) == [
        "The board decides whether the model is personal data."]
    listing = ("Koden nedan är appens ClientApp.\n\n```python\n# The reply is all that leaves "
               "the site.\ndef train(msg): ...\n```\n\nThe board decides what leaves the site.")
    assert terms.english_passages(listing) == ["The board decides what leaves the site."]
    assert terms.looks_english("We think training is quality work, not research.")
    assert not terms.looks_english("Vi bedömer att träningen är kvalitetsarbete och inte "
                                   "forskning.")


# --- every other Swedish text: lessons, the kit's messages, catalogues, materials ------------

ROOT = terms.terms_file().parents[1]
_ENGLISH_PART = re.compile(r"<(\w+)[^>]*\blang=\"en\"[^>]*>.*?</\1>", re.DOTALL)


def _po_texts(path):
    """The Swedish of a gettext catalogue: every translation, reviewed or not (obsolete ones
    are kept as comments and never shown)."""
    with path.open("rb") as handle:
        catalogue = read_po(handle, locale="sv")
    for message in catalogue:
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in strings:
            if message.id and text:
                yield f"{path.relative_to(ROOT)}: {str(message.id)[:40]!r}", text


def _soft_breaks_joined(markdown):
    """Markdown's line breaks inside a paragraph, as the reader sees them: spaces."""
    return re.sub(r"\n(?![-*|#>]|\d+\.|\n)", " ", markdown)


def _swedish_notebook_texts():
    """The Markdown and printed outputs of every Swedish notebook. The cards' own output is
    left to the card tests above: it shows each question in the other language too."""
    for folder in ("notebooks", "solutions", "exercises"):
        for path in sorted((ROOT / folder / "sv").glob("*.ipynb")):
            nb = nbformat.read(path, as_version=4)
            for i, cell in enumerate(nb.cells):
                where = f"{path.relative_to(ROOT)} cell-{i:02d}"
                if cell.cell_type == "markdown":
                    yield where, _soft_breaks_joined(cell.source)
                elif "show_cards(" not in cell.source:
                    for output in cell.get("outputs", []):
                        data = output.get("data", {})
                        yield where, output.get("text") or data.get(
                            "text/markdown") or data.get("text/plain", "")


def _swedish_texts():
    yield from _swedish_notebook_texts()
    for path in sorted((ROOT / "locale" / "sv").rglob("*.po")):
        yield from _po_texts(path)
    yield "README.sv.md", (ROOT / "README.sv.md").read_text(encoding="utf-8")
    for path in sorted((ROOT / "docs" / "sv").rglob("*.md")):
        yield str(path.relative_to(ROOT)), path.read_text(encoding="utf-8")
    for path in sorted((ROOT / "docs" / "materials").rglob("*.html")):
        page = path.read_text(encoding="utf-8")
        if '<html lang="sv"' in page:  # its English parts are marked lang="en" (WCAG 3.1.2)
            text = html.unescape(re.sub(r"<[^>]+>", " ", _ENGLISH_PART.sub(" ", page)))
            yield str(path.relative_to(ROOT)), text


_CODE_BLOCK = re.compile(r"<pre\b.*?</pre>", re.DOTALL)
_BLOCK_END = re.compile(r"</(?:p|li|td|th|h[1-6]|div|section|figcaption|summary)>")
_URL = re.compile(r"https?://\S+")
_ALT = re.compile(r"<img\b[^>]*\balt=\"([^\"]*)\"[^>]*>")


def _swedish_page_text(page):
    """What a Swedish page says in Swedish, as the notebook scan reads a lesson: its parts
    marked lang="en" and its code listings left out (the notebooks' code is English and
    identical in both languages), links' addresses left out, each figure's text alternative
    read as a screen reader reads it, each paragraph, list item and table cell ending a
    sentence, lines joined as a browser joins them."""
    page = _BLOCK_END.sub(" .\n", _CODE_BLOCK.sub(" ", _ENGLISH_PART.sub(" ", page)))
    page = _ALT.sub(lambda m: f" {m.group(1)} .\n", page)
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    return " ".join(_URL.sub(" ", text).split())


def test_the_swedish_materials_have_no_english_sentences():
    # Every Swedish page under docs/materials/: the materials, the answer key, the take-home
    # documents, and the lesson exports and projector views of notebooks/sv/ (*/sv/).
    materials = ROOT / "docs" / "materials"
    lesson_pages = sorted(materials.glob("*/sv/*.html"))
    assert {p.parent.parent.name for p in lesson_pages} == {"lessons", "projector"}
    found = []
    for path in lesson_pages:
        assert '<html lang="sv"' in path.read_text(encoding="utf-8"), path.name
    for path in sorted(materials.rglob("*.html")):
        page = path.read_text(encoding="utf-8")
        if '<html lang="sv"' in page:
            found += [f"{path.relative_to(ROOT)}: {sentence}"
                      for sentence in terms.english_passages(_swedish_page_text(page))]
    assert found == [], "\n".join(found)


def test_the_page_scan_finds_english_outside_marked_parts_and_code():
    page = ('<html lang="sv"><p>Modellen tränas på varje sjukhus.</p>'
            '<p>The model is trained at each hospital and then sent to the coordinator.</p>'
            '<p><em lang="en">Which board is the controller of the data?</em></p>'
            '<pre class="src"># The reply is all that leaves the site.</pre>'
            '<img alt="Bar chart of the AUROC of each model on each site." src="x.png">'
            '<img alt="Stapeldiagram över varje modells AUROC på varje sjukhus." src="y.png">'
            '<table><tr><td>train to site A</td><td>train from site B</td></tr></table>')
    assert terms.english_passages(_swedish_page_text(page)) == [
        "The model is trained at each hospital and then sent to the coordinator.",
        "Bar chart of the AUROC of each model on each site."]


def test_every_swedish_text_uses_the_term_list():
    texts = list(_swedish_texts())
    assert any("notebooks/sv/" in where for where, _ in texts)
    assert any("fedlearn_kit.po" in where for where, _ in texts)
    assert any("cards-sv.html" in where for where, _ in texts)
    found = [str(f) for where, text in texts for f in terms.forbidden_variants(text, where)]
    assert found == [], "\n".join(found)


def test_the_swedish_lessons_have_no_english_sentences():
    found = [f"{where}: {sentence}" for where, text in _swedish_notebook_texts()
             for sentence in terms.english_passages(text)]
    assert found == [], "\n".join(found)


def test_a_forbidden_term_in_a_catalogue_is_found(tmp_path, monkeypatch):
    po = tmp_path / "locale" / "sv" / "fedlearn_kit.po"
    po.parent.mkdir(parents=True)
    po.write_text('msgid ""\nmsgstr ""\n"Language: sv\\n"\n\nmsgid "The coordinator averages."\n'
                  'msgstr "Koordinatorn medelvärdesbildar."\n', encoding="utf-8")
    monkeypatch.setitem(globals(), "ROOT", tmp_path)
    assert [str(f) for where, text in _po_texts(po) for f in terms.forbidden_variants(
        text, where)] == ["locale/sv/fedlearn_kit.po: 'The coordinator averages.': "
                          "'Koordinatorn' (coordinator); use 'samordnare'"]
