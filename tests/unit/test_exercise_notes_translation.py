"""The answer key's exercise notes in Swedish, from one source that cannot drift: English in
tools/materials/exercise_notes.yaml, Swedish in locale/sv/materials/exercise_notes.po (kept in
step by `python -m tools.translate update`, checked by `check`), shown in the Swedish key only
when reviewed (tools/materials/answer_key.py)."""

from __future__ import annotations

import pytest
import yaml

from tools import translate
from tools.materials import answer_key

# --------------------------------------------------------------------------- the real course


def test_every_exercise_note_has_a_reviewed_swedish_translation():
    template = translate.exercise_notes_template()
    notes = answer_key.read_exercise_notes()
    wanted = sum(len(translate.note_texts(entry, field)) for entry in notes.values()
                 for field in answer_key.FIELDS)
    assert wanted > 100 and len([m for m in template if m.id]) == wanted
    assert translate.exercise_notes_problems("sv") == []
    swedish = answer_key.exercise_notes("sv")
    assert swedish.keys() == notes.keys()
    for title, entry in notes.items():
        assert {f: len(translate.note_texts(swedish[title], f)) for f in answer_key.FIELDS} \
            == {f: len(translate.note_texts(entry, f)) for f in answer_key.FIELDS}, title


def test_the_notes_catalogue_is_not_taken_for_a_document():
    assert translate.exercise_notes_catalogue("sv").exists()
    assert all("materials" not in p.parts for p in translate.translated_documents("sv"))


# --------------------------------------------------------------------------- a small key

_NOTES = {"Readmission rate per hospital": {
    "mistakes": ["Gives percentages instead of fractions.", "Pools both sites."],
    "say": ["What is the mean of a column of zeros and ones?"],
    "point": "Site B's rate is higher than Site A's 300 patients show."}}
_SWEDISH = {
    "Gives percentages instead of fractions.": "Anger procent i stället för andelar.",
    "Pools both sites.": "Slår samman båda sjukhusen.",
    "What is the mean of a column of zeros and ones?":
        "Vad är medelvärdet av en kolumn med nollor och ettor?",
    "Site B's rate is higher than Site A's 300 patients show.":
        "Andelen på sjukhus B är högre än de 300 patienterna på sjukhus A visar."}


@pytest.fixture
def key(tmp_path, monkeypatch):
    """A course whose exercise notes are _NOTES, translated and reviewed; the answer key
    reads them."""
    monkeypatch.setattr(translate, "ROOT", tmp_path)
    monkeypatch.setattr(translate, "LOCALE", tmp_path / "locale")
    # `update` compiles the kit's messages too: never over the kit's own compiled catalogue.
    monkeypatch.setattr(translate, "compiled_catalogue", lambda lang: tmp_path / f"{lang}.mo")
    source = translate.exercise_notes_source()
    source.parent.mkdir(parents=True)

    def write(notes):
        source.write_text(yaml.safe_dump(notes, allow_unicode=True), encoding="utf-8")
        monkeypatch.setattr(answer_key, "read_exercise_notes", lambda: notes)

    write(_NOTES)
    po = translate.exercise_notes_catalogue("sv")
    assert translate.exercise_notes_problems("sv") == [  # nothing translated yet
        f"locale/sv/materials/exercise_notes.po: no entry for {english!r} (new English text: "
        f"run `python -m tools.translate update`, then translate it)" for english in _SWEDISH]
    assert po in translate.update("sv")
    catalogue = translate.read_catalogue(po, "sv")
    assert [m.id for m in catalogue if m.id] == list(_SWEDISH)
    assert "#. Readmission rate per hospital: say\n" in po.read_text(encoding="utf-8")
    for message in catalogue:
        if message.id:
            message.string = _SWEDISH[message.id]
    translate.write_catalogue(po, catalogue)
    assert translate.exercise_notes_problems("sv") == []
    return write


def test_the_key_shows_the_reviewed_translations(key):
    notes = answer_key.exercise_notes("sv")["Readmission rate per hospital"]
    assert notes == {"mistakes": ["Anger procent i stället för andelar.",
                                  "Slår samman båda sjukhusen."],
                     "say": ["Vad är medelvärdet av en kolumn med nollor och ettor?"],
                     "point": "Andelen på sjukhus B är högre än de 300 patienterna på sjukhus A "
                              "visar."}
    assert answer_key.exercise_notes("en") == _NOTES


def test_a_changed_english_note_fails_until_its_translation_is_reviewed(key):
    changed = {"Readmission rate per hospital": {**_NOTES["Readmission rate per hospital"],
                                                 "say": ["What is the mean of a 0/1 column?"]}}
    key(changed)
    assert translate.exercise_notes_problems("sv") == [
        "locale/sv/materials/exercise_notes.po: no entry for 'What is the mean of a 0/1 "
        "column?' (new English text: run `python -m tools.translate update`, then translate it)"]
    with pytest.raises(answer_key.UntranslatedNotesError, match="What is the mean of a 0/1 column"):
        answer_key.exercise_notes("sv")
    po = translate.exercise_notes_catalogue("sv")
    translate.update("sv")
    text = po.read_text(encoding="utf-8")
    assert ('#, fuzzy\n#| msgid "What is the mean of a column of zeros and ones?"\n'
            'msgid "What is the mean of a 0/1 column?"\n'
            'msgstr "Vad är medelvärdet av en kolumn med nollor och ettor?"') in text
    assert translate.exercise_notes_problems("sv") == [
        "locale/sv/materials/exercise_notes.po: 'What is the mean of a 0/1 column?' changed in "
        "English since its translation was reviewed (fuzzy): check the translation, then "
        "remove the fuzzy flag"]
    with pytest.raises(answer_key.UntranslatedNotesError):  # the old Swedish is not shown either
        answer_key.exercise_notes("sv")
    po.write_text(text.replace('#, fuzzy\n#| msgid "What is the mean of a column of zeros and '
                               'ones?"\n', "")
                  .replace("en kolumn med nollor och ettor?", "en kolumn med 0 och 1?"),
                  encoding="utf-8")
    assert translate.exercise_notes_problems("sv") == []
    assert answer_key.exercise_notes("sv")["Readmission rate per hospital"]["say"] == [
        "Vad är medelvärdet av en kolumn med 0 och 1?"]


def test_a_note_without_a_translation_fails(key):
    notes = {"Readmission rate per hospital": {**_NOTES["Readmission rate per hospital"],
                                               "mistakes": [*_NOTES["Readmission rate per "
                                                                    "hospital"]["mistakes"],
                                                            "Rounds the rates."]}}
    key(notes)
    translate.update("sv")  # the new note arrives untranslated
    assert translate.exercise_notes_problems("sv") == [
        "locale/sv/materials/exercise_notes.po: 'Rounds the rates.' has no translation"]
    with pytest.raises(answer_key.UntranslatedNotesError) as raised:
        answer_key.exercise_notes("sv")
    assert "Readmission rate per hospital: 'Rounds the rates.'" in str(raised.value)
    assert "1 exercise note(s)" in str(raised.value)


def test_a_note_whose_only_change_is_a_number_keeps_its_translation(key):
    entry = _NOTES["Readmission rate per hospital"]
    key({"Readmission rate per hospital": {
        **entry, "point": "Site B's rate is higher than Site A's 250 patients show."}})
    assert translate.exercise_notes_problems("sv") == []
    assert answer_key.exercise_notes("sv")["Readmission rate per hospital"]["point"] == (
        "Andelen på sjukhus B är högre än de 250 patienterna på sjukhus A visar.")
