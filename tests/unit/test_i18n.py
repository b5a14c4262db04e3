"""The course's language is chosen once and followed: the lesson's folder, FEDLEARN_LANG, the
answers file, English; the kit's sentences, the card panel, the DPIA draft and the commands
follow it (fedlearn_kit.i18n)."""

from __future__ import annotations

import gettext
import io
import json

import pytest

from fedlearn_kit import cli, doctor, gdpr, i18n
from fedlearn_kit.checks import start_here
from fedlearn_kit.sites import default_sites, profiles_table


@pytest.fixture
def place(tmp_path, monkeypatch):
    """Run in a folder of a fake course checkout: place("notebooks/sv") and the like."""
    monkeypatch.delenv(i18n.ENV_VAR, raising=False)
    monkeypatch.delenv("FEDLEARN_ANSWERS", raising=False)

    def go(folder: str = "elsewhere"):
        path = tmp_path / folder
        path.mkdir(parents=True, exist_ok=True)
        monkeypatch.chdir(path)
        return path

    return go


def _answers_file(folder, language):
    (folder / "fedlearn-answers.json").write_text(json.dumps(
        {"format": "fedlearn-kit answers", "version": 1, "language": language,
         "answers": {}}), encoding="utf-8")


@pytest.mark.parametrize("folder, expected", [
    ("notebooks", "en"), ("solutions", "en"), ("exercises", "en"),
    ("notebooks/sv", "sv"), ("solutions/sv", "sv"), ("exercises/sv", "sv"),
    ("elsewhere", None), ("elsewhere/sv", None), ("notebooks/fr", None),
])
def test_the_folder_of_a_lesson_says_its_language(place, folder, expected):
    place(folder)
    assert i18n.folder_language() == expected


def test_the_order_explicit_folder_environment_answers_english(place, monkeypatch):
    here = place("elsewhere")
    assert i18n.language() == "en"
    _answers_file(here, "sv")
    assert i18n.language() == "sv"  # the answers file, outside the course's folders
    monkeypatch.setenv(i18n.ENV_VAR, "en")
    assert i18n.language() == "en"  # FEDLEARN_LANG before the answers file
    _answers_file(place("notebooks/sv"), "en")
    assert i18n.language() == "sv"  # the lesson's folder before both
    assert i18n.language("en") == "en"  # and an explicit choice before everything


def test_a_wrong_language_is_refused_saying_which_exist(place, monkeypatch):
    place()
    monkeypatch.setenv(i18n.ENV_VAR, "fi")
    with pytest.raises(ValueError, match="FEDLEARN_LANG='fi'.*en, sv"):
        i18n.language()
    with pytest.raises(ValueError, match="lang='de'"):
        i18n.language("de")


def test_a_broken_answers_file_does_not_stop_the_language(place):
    here = place()
    (here / "fedlearn-answers.json").write_text("{ not json", encoding="utf-8")
    assert i18n.saved_language() is None
    assert i18n.language() == "en"


def test_a_document_follows_the_answers_before_the_folder(place):
    _answers_file(place("notebooks"), "sv")
    assert i18n.language() == "en"
    assert i18n.document_language() == "sv"
    assert i18n.document_language("en") == "en"


def test_sentences_are_translated_with_their_plural_forms(place):
    place("notebooks/sv")
    assert i18n._("Ready for the course.") == "Redo för kursen."
    assert i18n._("Ready for the course.", "en") == "Ready for the course."
    assert i18n._("A sentence nobody translated.") == "A sentence nobody translated."
    one = i18n.ngettext("Site {site} has {n} patient.", "Site {site} has {n} patients.", 1)
    two = i18n.ngettext("Site {site} has {n} patient.", "Site {site} has {n} patients.", 2)
    assert (one, two) == ("Sjukhus {site} har {n} patient.", "Sjukhus {site} har {n} patienter.")


def test_a_fuzzy_translation_is_never_shown():
    """A translation not reviewed since its English changed is left out of the compiled
    catalogue, so the English is shown."""
    from babel.messages.catalog import Catalog

    from tools.translate import compile_catalogue

    catalogue = Catalog(locale="sv")
    catalogue.add("Ready for the course.", "Redo för kursen.", flags=["fuzzy"])
    catalogue.add("Sources", "Källor")
    compiled = gettext.GNUTranslations(io.BytesIO(compile_catalogue(catalogue)))
    assert compiled.gettext("Ready for the course.") == "Ready for the course."
    assert compiled.gettext("Sources") == "Källor"


def test_the_kits_printed_sentences_follow_the_folder(place, capsys):
    cohort = {"A": [0] * 300, "B": [0] * 2400}
    place("notebooks/sv")
    assert not start_here.patients_at_site(2700, cohort)  # type: ignore[arg-type]
    assert start_here.patients_at_site(300, cohort)  # type: ignore[arg-type]
    out = capsys.readouterr().out
    assert "❌ Inte än: 2700 är antalet patienter på alla sjukhus tillsammans." in out
    assert "✅ Rätt. Sjukhus A har 300 patienter." in out
    assert list(profiles_table(default_sites(2)).columns)[:3] == [
        "beskrivning", "patienter", "medelålder"]
    place("notebooks")
    assert list(profiles_table(default_sites(2)).columns)[:3] == [
        "description", "patients", "mean age"]


def test_the_card_panel_follows_the_folder_and_records_the_answers_language(place):
    here = place("notebooks/sv")
    panel = gdpr.CardPanel("start_here")
    assert panel.markdown().startswith("### Dataskyddsfrågor · 00 · Kom igång")
    assert "**Så svarar ni.**" in panel.markdown()
    assert gdpr.CardPanel("start_here", lang="en").markdown().startswith("### GDPR questions")
    panel.widget()
    text_box, dpo_box = panel._boxes[panel.cards[0].id]
    text_box.value = "Regionstyrelsen i båda regionerna."
    assert i18n.saved_language(here / "fedlearn-answers.json") == "sv"
    assert "Sparat i" in panel._status.value


def test_the_panel_says_not_saved_in_the_learners_language(place):
    here = place("notebooks/sv")
    (here / "fedlearn-answers.json").write_text("{}", encoding="utf-8")
    with pytest.raises(gdpr.AnswersFileError, match="Svarsfilen .* går inte att använda"):
        gdpr.CardPanel("start_here")


def test_the_dpia_draft_is_in_the_language_of_the_answers_without_a_code_edit(place):
    here = place("notebooks")
    store = gdpr.AnswerStore(here / "fedlearn-answers.json")
    store.save("start_here.decision", "start_here", "Regionstyrelsen beslutar.", False,
               language="sv")
    draft = gdpr.dpia_draft(here / "fedlearn-answers.json", gdpr.default_facts())
    assert draft.lang == "sv"
    store.save_language("en")
    assert gdpr.dpia_draft(here / "fedlearn-answers.json", gdpr.default_facts()).lang == "en"
    assert gdpr.dpia_draft({}, gdpr.default_facts()).lang == "en"  # the folder's


def test_the_commands_speak_the_chosen_language(place, monkeypatch, capsys):
    here = place()
    monkeypatch.setenv(i18n.ENV_VAR, "sv")
    assert cli.main(["answers", "template", "--step", "start_here"]) == 0
    assert "Skrev fedlearn-answers.md. Fyll i svaren" in capsys.readouterr().out
    template = (here / "fedlearn-answers.md").read_text(encoding="utf-8")
    assert template.startswith("# Era svar på dataskyddsfrågorna")
    assert cli.main(["answers", "import", "fedlearn-answers.md"]) == 0
    assert "Sparade 0 svar från fedlearn-answers.md" in capsys.readouterr().out
    assert cli.main(["dpia", "--out", "draft.md", "--answers", "missing.json"]) == 2
    assert "ingen svarsfil i missing.json" in capsys.readouterr().err
    lines: list[str] = []
    doctor.report([doctor.Check("disk space", False, "0.1 GB", "free it")], lines.append)
    assert lines[-1] == "Inte redo: 1 kontroll misslyckades. Åtgärden står under den."
    assert "FEL" in lines[0] and "åtgärd: free it" in lines[1]


def test_a_command_given_swedish_answers_speaks_swedish(place, capsys):
    here = place()
    (here / "notebooks").mkdir()
    _answers_file(here / "notebooks", "sv")
    assert cli.main(["dpia", "--answers", "notebooks/fedlearn-answers.json", "--no-flows",
                     "--out", "draft.md"]) == 0
    assert capsys.readouterr().out.startswith("Skrev draft.md: 0 av ")
    assert (here / "draft.md").read_text(encoding="utf-8").startswith("# Konsekvensbedömning")
    assert i18n.language() == "en"  # the command's choice ends with the command


def test_the_doctors_help_is_in_the_chosen_language(place, monkeypatch, capsys):
    place()
    monkeypatch.setenv(i18n.ENV_VAR, "sv")
    with pytest.raises(SystemExit):
        cli.main(["doctor", "--help"])
    assert "En checklista med godkänt eller fel" in capsys.readouterr().out
