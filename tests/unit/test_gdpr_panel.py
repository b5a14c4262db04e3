"""show_cards: widgets that save to the answers file, and a deterministic Markdown fallback."""

from __future__ import annotations

import json

import pytest

from fedlearn_kit import gdpr
from fedlearn_kit.gdpr import panel as panel_module

WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


def test_fallback_never_contains_answers_and_is_stable(tmp_path):
    path = tmp_path / "a.json"
    before = gdpr.CardPanel("centralised", answers_file=path).markdown()
    gdpr.AnswerStore(path).save("centralised.disclosure", "centralised", "SECRET-ANSWER", True)
    after = gdpr.CardPanel("centralised", answers_file=path)
    assert after.markdown() == before
    assert "SECRET-ANSWER" not in after.markdown()


def test_fallback_does_not_depend_on_where_answers_are_kept(tmp_path, monkeypatch):
    default = gdpr.CardPanel("what_leaks").markdown()
    monkeypatch.setenv("FEDLEARN_ANSWERS", str(tmp_path / "anna.json"))
    assert gdpr.CardPanel("what_leaks").markdown() == default
    assert gdpr.CardPanel("what_leaks", answers_file=tmp_path / "b.json").markdown() == default


def test_committed_notebooks_carry_no_widget_state():
    import nbformat

    from tests.helpers import ROOT

    for folder in ("notebooks", "solutions", "exercises"):
        for path in sorted([*(ROOT / folder).glob("*.ipynb"),
                            *(ROOT / folder).glob("sv/*.ipynb")]):
            nb = nbformat.read(path, as_version=4)
            assert "widgets" not in nb.metadata, path
            for cell in nb.cells:
                for output in cell.get("outputs", []):
                    assert WIDGET_MIME not in output.get("data", {}), (
                        f"{path}: widget output stored; run `make notebooks`")


def test_bundle_outside_a_kernel_is_markdown_only(tmp_path):
    bundle = gdpr.CardPanel("start_here", answers_file=tmp_path / "a.json")._repr_mimebundle_()
    assert set(bundle) == {"text/plain", "text/markdown"}
    assert bundle["text/plain"] == bundle["text/markdown"]


def _walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _walk(child)


def _parts(widget, dom_class: str) -> list:
    """The panel's widgets with a CSS class (the same classes the browser tests find)."""
    return [w for w in _walk(widget) if dom_class in getattr(w, "_dom_classes", ())]


def _card_row(box, card_id: str):
    (row,) = _parts(box, "fedlearn-card-" + card_id.replace(".", "-").replace("_", "-"))
    return row.children  # the card's text, its answer box, its ask-the-DPO flag


def test_typing_saves_and_a_new_panel_reloads(tmp_path):
    pytest.importorskip("ipywidgets")
    path = tmp_path / "a.json"
    panel = gdpr.CardPanel("federated", answers_file=path)
    card = panel.cards[0]
    _, text_box, dpo_box = _card_row(panel.widget(), card.id)
    text_box.value = "Gemensamt personuppgiftsansvar"
    dpo_box.value = True
    stored = json.loads(path.read_text(encoding="utf-8"))["answers"][card.id]
    assert stored["answer"] == "Gemensamt personuppgiftsansvar" and stored["ask_dpo"] is True
    # a kernel restart is a new panel reading the same file
    _, text_again, dpo_again = _card_row(gdpr.CardPanel("federated", answers_file=path)
                                         .widget(), card.id)
    assert text_again.value == "Gemensamt personuppgiftsansvar"
    assert dpo_again.value is True


def test_language_toggle_relabels_and_is_remembered(tmp_path):
    w = pytest.importorskip("ipywidgets")
    path = tmp_path / "a.json"
    panel = gdpr.CardPanel("federated", answers_file=path)
    box = panel.widget()
    toggle = next(c for c in box.children if isinstance(c, w.ToggleButtons))
    toggle.value = "sv"
    card = panel.cards[0]
    card_text, _, dpo_box = _card_row(box, card.id)
    assert card.text("why", "sv")[:40] in card_text.value.replace("&#x27;", "'")
    assert dpo_box.description == "Fråga vårt dataskyddsombud"
    assert "Dataskyddsfrågor · 04 · Federerad inlärning" in box.children[0].value
    assert gdpr.AnswerStore(path).language() == "sv"
    again = gdpr.CardPanel("what_leaks", answers_file=path)
    again.widget()
    assert again.lang == "sv"


def test_broken_file_stops_the_panel_and_survives(tmp_path):
    path = tmp_path / "a.json"
    path.write_text('{"format": "fedlearn-kit answers", "version": 1, "answers": ', "utf-8")
    with pytest.raises(gdpr.AnswersFileError, match="not valid JSON"):
        gdpr.show_cards("federated", answers_file=path)
    assert path.read_text("utf-8").endswith('"answers": ')


def test_file_broken_while_panel_is_open_is_not_overwritten(tmp_path):
    pytest.importorskip("ipywidgets")
    path = tmp_path / "a.json"
    panel = gdpr.CardPanel("federated", answers_file=path)
    box = panel.widget()
    path.write_text("{oops", "utf-8")
    _card_row(box, panel.cards[0].id)[1].value = "new"
    assert path.read_text("utf-8") == "{oops"
    (status,) = _parts(box, "fedlearn-cards-status")
    assert "NOT SAVED" in status.value


@pytest.mark.parametrize(("lang", "words"), [
    ("en", ("How to answer", "Law as of", "not legal advice")),
    ("sv", ("Så svarar ni", "Rättsläge per", "inte juridisk rådgivning")),
])
def test_fallback_says_how_to_answer_anywhere_and_the_law_date(lang, words):
    text = gdpr.CardPanel("federated", lang=lang).markdown()
    for word in (*words, "kit.gdpr.answer(", "fedlearn-kit answers template",
                 "fedlearn-kit answers import"):
        assert word in text, word
    assert panel_module.law_as_of(gdpr.cards_for("federated")) in text
    assert text.index(words[0]) < text.index("federated.joint_controllers")


def test_the_commands_the_fallback_names_work(tmp_path):
    # The fallback tells a learner without widgets to run these two commands: they must
    # write a template and read it back (what they write is test_gdpr_answers.py's).
    from fedlearn_kit import cli

    template, answers = tmp_path / "x.md", tmp_path / "a.json"
    assert cli.main(["answers", "template", "--out", str(template)]) == 0
    assert "federated.joint_controllers" in template.read_text("utf-8")
    assert cli.main(["answers", "import", str(template), "--answers", str(answers)]) == 0


def test_widget_shows_the_law_date(tmp_path):
    pytest.importorskip("ipywidgets")
    panel = gdpr.CardPanel("federated", answers_file=tmp_path / "a.json")
    notes = _parts(panel.widget(), "fedlearn-cards-law")
    assert len(notes) == 1 and "Law as of" in notes[0].value


def _collapsed(card_html: str) -> str:
    """What a card shows before its details are opened."""
    return card_html.split("<details>", 1)[0]


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_collapsed_card_shows_who_answers_first_and_unsettled_law(tmp_path, lang):
    panel = gdpr.CardPanel("centralised", answers_file=tmp_path / "a.json")
    for card in panel.cards:
        shown = _collapsed(panel._card_body(card, lang))
        assert card.role_labels(lang)[0] in shown, card.id
        assert ("⚖" in shown) == card.unsettled, card.id
    assert any(c.unsettled for c in panel.cards)  # the test sees a ⚖ card


def _panel_lines(box) -> list[str]:
    """Every piece of text the panel shows, in order (HTML values, labels, placeholders)."""
    lines = []
    for widget in _walk(box):
        for name in ("value", "description", "placeholder"):
            value = getattr(widget, name, None)
            if isinstance(value, str) and value.strip("\u200b "):
                lines.append(f"{type(widget).__name__}.{name}: {value}")
    return lines


def test_toggle_changes_every_line_of_the_panel(tmp_path):
    w = pytest.importorskip("ipywidgets")
    path = tmp_path / "a.json"
    gdpr.AnswerStore(path).save("centralised.disclosure", "centralised", "Ett svar.", False)
    panel = gdpr.CardPanel("centralised", answers_file=path)
    box = panel.widget()
    toggle = next(c for c in box.children if isinstance(c, w.ToggleButtons))
    answers = {t.value for t in _parts(box, "fedlearn-answer")}
    english = [line for line in _panel_lines(box) if line.split(": ", 1)[1] not in answers]
    toggle.value = "sv"
    swedish = [line for line in _panel_lines(box) if line.split(": ", 1)[1] not in answers]
    assert len(english) == len(swedish) > 3 * len(panel.cards)
    unchanged = [e for e, s in zip(english, swedish, strict=True)
                 if e == s and not e.startswith("ToggleButtons")]
    assert unchanged == []
    (status,) = _parts(box, "fedlearn-cards-status")
    assert "1 svar inläst från" in status.value
    (law,) = _parts(box, "fedlearn-cards-law")
    assert "Rättsläge per" in law.value
    card = next(c for c in panel.cards if c.id == "centralised.disclosure")
    text = panel._card_body(card, "sv")
    assert "läst 20" in text and "accessed" not in text  # the sources follow the toggle


def test_status_counts_answers_in_both_languages():
    assert panel_module.loaded_message(1, "f.json", "en") == "1 answer loaded from f.json."
    assert panel_module.loaded_message(3, "f.json", "en") == "3 answers loaded from f.json."
    assert panel_module.loaded_message(1, "f.json", "sv") == "1 svar inläst från f.json."
    assert panel_module.loaded_message(2, "f.json", "sv") == "2 svar inlästa från f.json."


def test_error_follows_the_language(tmp_path):
    w = pytest.importorskip("ipywidgets")
    path = tmp_path / "a.json"
    panel = gdpr.CardPanel("federated", answers_file=path)
    box = panel.widget()
    next(c for c in box.children if isinstance(c, w.ToggleButtons)).value = "sv"
    path.write_text("{oops", "utf-8")
    _card_row(box, panel.cards[0].id)[1].value = "nytt"
    (status,) = _parts(box, "fedlearn-cards-status")
    assert "INTE SPARAT" in status.value and "NOT SAVED" not in status.value


def test_answer_boxes_are_labelled(tmp_path):
    pytest.importorskip("ipywidgets")
    panel = gdpr.CardPanel("federated", answers_file=tmp_path / "a.json")
    boxes = _parts(panel.widget(), "fedlearn-answer")
    assert boxes and all(b.description == "Your answer" for b in boxes)


def test_the_swedish_toggle_relabels_the_law_note_too(tmp_path):
    """The learner review's screenshot: after "Svenska" the law note stayed in English."""
    w = pytest.importorskip("ipywidgets")
    panel = gdpr.CardPanel("federated", answers_file=tmp_path / "a.json")
    box = panel.widget()
    note = next(c for c in box.children if "fedlearn-cards-law" in getattr(c, "_dom_classes", ()))
    next(c for c in box.children if isinstance(c, w.ToggleButtons)).value = "sv"
    assert "Rättsläge per" in note.value and "Law as of" not in note.value
