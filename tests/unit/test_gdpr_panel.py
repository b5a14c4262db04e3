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

    from fedlearn_kit.paths import ROOT

    for folder in ("notebooks", "solutions", "exercises"):
        for path in sorted((ROOT / folder).glob("*.ipynb")):
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


def test_bundle_in_a_kernel_carries_widget_and_the_same_text(tmp_path, monkeypatch):
    pytest.importorskip("ipywidgets")
    monkeypatch.setattr(panel_module, "_in_kernel", lambda: True)
    panel = gdpr.CardPanel("start_here", answers_file=tmp_path / "a.json")
    bundle = panel._repr_mimebundle_()
    assert WIDGET_MIME in bundle
    assert bundle["text/plain"] == panel.markdown()


def test_typing_saves_and_a_new_panel_reloads(tmp_path):
    pytest.importorskip("ipywidgets")
    path = tmp_path / "a.json"
    panel = gdpr.CardPanel("federated", answers_file=path)
    panel.widget()
    card = panel.cards[0]
    text_box, dpo_box = panel._boxes[card.id]
    text_box.value = "Gemensamt personuppgiftsansvar"
    dpo_box.value = True
    stored = json.loads(path.read_text(encoding="utf-8"))["answers"][card.id]
    assert stored["answer"] == "Gemensamt personuppgiftsansvar" and stored["ask_dpo"] is True
    # a kernel restart is a new panel reading the same file
    fresh = gdpr.CardPanel("federated", answers_file=path)
    fresh.widget()
    assert fresh._boxes[card.id][0].value == "Gemensamt personuppgiftsansvar"
    assert fresh._boxes[card.id][1].value is True


def test_language_toggle_relabels_and_is_remembered(tmp_path):
    w = pytest.importorskip("ipywidgets")
    path = tmp_path / "a.json"
    panel = gdpr.CardPanel("federated", answers_file=path)
    box = panel.widget()
    toggle = next(c for c in box.children if isinstance(c, w.ToggleButtons))
    toggle.value = "sv"
    card = panel.cards[0]
    assert card.text("why", "sv")[:40] in panel._card_html[card.id].value.replace("&#x27;", "'")
    assert panel._boxes[card.id][1].description == "Fråga vårt dataskyddsombud"
    assert "Dataskyddsfrågor · 04 · Federerad inlärning" in panel._title.value
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
    panel.widget()
    path.write_text("{oops", "utf-8")
    panel._boxes[panel.cards[0].id][0].value = "new"
    assert path.read_text("utf-8") == "{oops"
    assert "NOT SAVED" in panel._status.value


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


def test_the_commands_the_fallback_names_exist():
    from fedlearn_kit import cli

    parser = cli.build_parser()
    args = parser.parse_args(["answers", "template", "--out", "x.md"])
    assert args.handler.__name__ == "_cmd_answers_template"
    args = parser.parse_args(["answers", "import", "x.md"])
    assert args.handler.__name__ == "_cmd_answers_import"


def test_widget_shows_the_law_date(tmp_path):
    pytest.importorskip("ipywidgets")
    panel = gdpr.CardPanel("federated", answers_file=tmp_path / "a.json")
    box = panel.widget()
    notes = [c for c in box.children if "fedlearn-cards-law" in getattr(c, "_dom_classes", ())]
    assert len(notes) == 1 and "Law as of" in notes[0].value


def test_the_swedish_toggle_relabels_the_law_note_too(tmp_path):
    """The learner review's screenshot: after "Svenska" the law note stayed in English."""
    w = pytest.importorskip("ipywidgets")
    panel = gdpr.CardPanel("federated", answers_file=tmp_path / "a.json")
    box = panel.widget()
    note = next(c for c in box.children if "fedlearn-cards-law" in getattr(c, "_dom_classes", ()))
    next(c for c in box.children if isinstance(c, w.ToggleButtons)).value = "sv"
    assert "Rättsläge per" in note.value and "Law as of" not in note.value
