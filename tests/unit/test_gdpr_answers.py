"""The learner's answers: saved atomically outside the notebook, reloaded, never lost."""

from __future__ import annotations

import json

import pytest

from fedlearn_kit import gdpr
from fedlearn_kit.gdpr.answers import DEFAULT_NAME, ENV_VAR


def test_answers_survive_a_new_store(tmp_path):
    path = tmp_path / "answers.json"
    gdpr.AnswerStore(path).save("federated.coordinator", "federated", "Region Halland", True)
    again = gdpr.load_answers(path)
    assert again["federated.coordinator"].answer == "Region Halland"
    assert again["federated.coordinator"].ask_dpo is True


def test_saving_one_card_keeps_the_others(tmp_path):
    path = tmp_path / "answers.json"
    first, second = gdpr.AnswerStore(path), gdpr.AnswerStore(path)  # two notebooks open
    first.save("start_here.roles", "start_here", "DPO from week 1", False)
    second.save("federated.coordinator", "federated", "a processor", False)
    assert set(gdpr.load_answers(path)) == {"start_here.roles", "federated.coordinator"}


def test_clearing_an_answer_removes_its_entry(tmp_path):
    store = gdpr.AnswerStore(tmp_path / "a.json")
    store.save("start_here.roles", "start_here", "x", False)
    store.save("start_here.roles", "start_here", "", False)
    assert store.load() == {}


def test_default_path_is_the_working_directory_unless_configured(tmp_path, monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    monkeypatch.chdir(tmp_path)
    assert gdpr.answers_path().resolve() == tmp_path / DEFAULT_NAME
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "group.json"))
    assert gdpr.answers_path() == tmp_path / "group.json"
    assert gdpr.answers_path(tmp_path / "mine.json") == tmp_path / "mine.json"


@pytest.mark.parametrize("content, message", [
    ("{not json", "not valid JSON"),
    ("[]", "top level is not a JSON object"),
    ('{"format": "something else", "version": 1, "answers": {}}', "format"),
    ('{"format": "fedlearn-kit answers", "version": 9, "answers": {}}', "version 9"),
    ('{"format": "fedlearn-kit answers", "version": 1, "answers": {"a.b": {"answer": 3}}}',
     "card 'a.b'"),
])
def test_malformed_file_is_reported_and_left_untouched(tmp_path, content, message):
    path = tmp_path / "answers.json"
    path.write_text(content, encoding="utf-8")
    store = gdpr.AnswerStore(path)
    with pytest.raises(gdpr.AnswersFileError, match=message) as err:
        store.load()
    assert "has not been changed" in str(err.value)
    with pytest.raises(gdpr.AnswersFileError):
        store.save("start_here.roles", "start_here", "new text", False)
    with pytest.raises(gdpr.AnswersFileError):
        store.replace({})
    assert path.read_text(encoding="utf-8") == content


def test_write_is_atomic_and_leaves_no_temporary_files(tmp_path, monkeypatch):
    path = tmp_path / "answers.json"
    store = gdpr.AnswerStore(path)
    store.save("start_here.roles", "start_here", "first", False)
    before = path.read_text(encoding="utf-8")

    def crash(*args, **kwargs):
        raise OSError("disk full")
    monkeypatch.setattr("fedlearn_kit.gdpr.answers.os.replace", crash)
    with pytest.raises(OSError, match="disk full"):
        store.save("start_here.roles", "start_here", "second", False)
    assert path.read_text(encoding="utf-8") == before
    assert [p.name for p in tmp_path.iterdir()] == ["answers.json"]


def test_file_is_readable_json_with_swedish_text(tmp_path):
    path = tmp_path / "a.json"
    gdpr.AnswerStore(path).save("centralised.disclosure", "centralised", "Ja, utlämnande", False)
    raw = path.read_text(encoding="utf-8")
    assert "utlämnande" in raw
    assert json.loads(raw)["format"] == "fedlearn-kit answers"


# -- answering without the panel (VS Code, classic Notebook, a terminal) ------------------
def test_answer_function_saves_like_the_panel(tmp_path):
    path = tmp_path / "a.json"
    gdpr.answer("federated.coordinator", "Region Halland runs it", ask_dpo=True,
                answers_file=path)
    saved = gdpr.load_answers(path)["federated.coordinator"]
    assert (saved.step, saved.answer, saved.ask_dpo) == ("federated", "Region Halland runs it",
                                                         True)
    with pytest.raises(ValueError, match="Did you mean federated.coordinator"):
        gdpr.answer("federated.coordinater", "x", answers_file=path)


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_template_round_trip_through_a_text_editor(tmp_path, lang):
    from fedlearn_kit import cli

    answers = tmp_path / "a.json"
    gdpr.answer("start_here.roles", "DPO from week 1", answers_file=answers)
    template = tmp_path / "fedlearn-answers.md"
    assert cli.main(["answers", "template", "--out", str(template), "--lang", lang,
                     "--answers", str(answers)]) == 0
    text = template.read_text("utf-8")
    assert "DPO from week 1" in text  # answers already given are filled in
    assert text.count("### ") == len(gdpr.load_cards())
    label = "Svar:" if lang == "sv" else "Answer:"
    ask = "Fråga dataskyddsombudet" if lang == "sv" else "Ask our DPO"
    block_start = text.index("federated.coordinator")
    answer_at = text.index(label, block_start) + len(label)
    edited = text[:answer_at] + "\nA processor for both regions.\nSecond line." + \
        text[answer_at:]
    edited = edited.replace(f"- [ ] {ask}", f"- [x] {ask}", 1)  # first card: start_here
    template.write_text(edited, "utf-8")
    assert cli.main(["answers", "import", str(template), "--answers", str(answers)]) == 0
    saved = gdpr.load_answers(answers)
    assert saved["federated.coordinator"].answer == ("A processor for both regions.\n"
                                                     "Second line.")
    first = gdpr.load_cards()[0]
    assert saved[first.id].ask_dpo is True and saved[first.id].step == first.step
    assert saved["start_here.roles"].answer == "DPO from week 1"
    unanswered = {c.id for c in gdpr.load_cards()} - {first.id, "federated.coordinator",
                                                      "start_here.roles"}
    assert not unanswered & set(saved)


@pytest.mark.parametrize(("lang", "law", "unsettled"), [
    ("en", "Law: ", "⚖ Unsettled law: "), ("sv", "Lagrum: ", "⚖ Oklart rättsläge: ")])
def test_template_carries_the_law_line_and_the_unsettled_mark(tmp_path, lang, law, unsettled):
    from fedlearn_kit.gdpr.lawref import laws_in

    text = gdpr.answers_template(["centralised"], lang=lang, answers_file=tmp_path / "a.json")
    blocks = text.split("### ")[1:]
    assert len(blocks) == len(gdpr.cards_for("centralised"))
    for card, block in zip(gdpr.cards_for("centralised"), blocks, strict=True):
        assert block.split(":", 1)[1].split()[0] == card.id
        assert f"{law}{laws_in(card.law, lang)}" in block
        assert (unsettled in block) == card.unsettled, card.id
        if card.unsettled:
            assert card.text("open", lang) in block


def test_template_is_not_overwritten_and_a_blank_never_deletes(tmp_path):
    answers = tmp_path / "a.json"
    template = gdpr.template.write_answers_template(tmp_path / "t.md", steps=["federated"],
                                                    answers_file=answers)
    with pytest.raises(ValueError, match="may hold answers not yet imported"):
        gdpr.template.write_answers_template(template, answers_file=answers)
    gdpr.answer("federated.coordinator", "kept", answers_file=answers)
    gdpr.template.import_answers_template(template, answers_file=answers)  # all blank
    assert gdpr.load_answers(answers)["federated.coordinator"].answer == "kept"


def test_template_with_an_unknown_card_saves_nothing(tmp_path):
    answers = tmp_path / "a.json"
    template = tmp_path / "t.md"
    template.write_text("### card: federated.coordinator\nAnswer: yes\n\n"
                        "### card: federated.nonsense\nAnswer: no\n", "utf-8")
    with pytest.raises(ValueError, match="federated.nonsense.*Nothing was saved"):
        gdpr.template.import_answers_template(template, answers_file=answers)
    assert not answers.exists()
