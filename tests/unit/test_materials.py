"""The maintainers' materials builder (tools/materials): the times source, the agendas and
the generated files; and the facilitator's clean-up of answers files (the export and the
moved commands are test_workshop_commands.py's)."""

from __future__ import annotations

import copy
import math
import re
from types import SimpleNamespace

import pytest

from fedlearn_kit.gdpr.cards import STEPS, load_cards
from fedlearn_kit.materials import cleanup
from fedlearn_kit.materials.export import export_notebook_html
from fedlearn_kit.materials.html import external_resources
from tools.materials import (
    agenda,
    answer_key,
    build,
    check_hints,
    deck,
    documents,
    lessons,
    times,
)
from tools.materials.facilitator_notes import read_notes_file

# ------------------------------------------------------------------ times


def test_times_file_is_consistent():
    assert times.validate_times(times.read_times_file()) == []
    assert list(times.lesson_times()) == list(STEPS)


def test_every_exercise_has_minutes_and_every_entry_an_exercise():
    assert times.exercise_problems(times.read_times_file()) == []
    for slug, lesson in times.lesson_times().items():
        assert list(lesson.exercises) == [ex for ex, _ in times.solution_exercises(slug)]


def test_exercise_mismatches_are_reported():
    data = copy.deepcopy(times.read_times_file())
    entry = data["lessons"]["federated"]
    title = times.solution_exercises("federated")[0][1]
    entry["exercises"]["A renamed exercise"] = entry["exercises"].pop(title)
    problems = times.exercise_problems(data)
    assert any(repr(title) in p and "has no minutes" in p for p in problems)
    assert any("'A renamed exercise'" in p and "not in solutions/" in p for p in problems)
    entry["arriving"] = {"A renamed exercise": "privacy", title: "learner"}
    entry["exercises"][title] = 5
    assert times.exercise_problems(data) == []


@pytest.mark.parametrize("slug", list(STEPS))
def test_teaching_time_covers_reading_and_running(slug):
    assert times.lesson_times()[slug].teaching >= times.min_teaching_minutes(slug), (
        f"{slug}: its prose and run time need {times.min_teaching_minutes(slug)} min")


def test_practice_is_the_exercises_rounded_up():
    lesson = times.lesson_times()["federated"]
    assert lesson.practice == 5 * math.ceil(sum(lesson.exercises.values()) / 5)
    assert times.practice_minutes([8, 5, 3]) == 20 and times.practice_minutes([5]) == 5
    data = copy.deepcopy(times.read_times_file())
    data["lessons"]["federated"]["exercises"]["Who gains?"] = 0
    del data["lessons"]["start_here"]
    problems = times.validate_times(data)
    assert "lesson start_here: missing" in problems
    assert any("'Who gains?' needs a positive number of minutes" in p for p in problems)


@pytest.mark.parametrize("slug", list(STEPS))
def test_every_lesson_states_its_time_from_the_source(slug):
    assert times.stated_time_line(slug) == times.time_line(slug)


def test_time_line_reads_like_the_lessons():
    t = times.lesson_times()["federated"]
    assert times.time_line("federated") == (
        f"**Time:** {t.teaching + t.practice} min ({t.teaching} teaching, {t.practice} exercises)")
    start = times.lesson_times()["start_here"]
    assert times.time_line("start_here") == f"**Time:** {start.total} min"


def test_readme_states_the_measured_run_time():
    text = build.README.read_text(encoding="utf-8")
    assert times.run_time_sentence() in text
    slowest = max(t.max_run_seconds for t in times.lesson_times().values())
    assert f"up to {slowest} s" in times.run_time_sentence()
    assert "in under a minute" not in text


# ------------------------------------------------------------------ agendas


@pytest.mark.parametrize("name", ["half_day", "full_day"])
def test_agenda_adds_up_to_its_announced_end(name):
    spec = agenda.read_agendas_file()[name]
    blocks = agenda.build_agenda(name)
    for before, after in zip(blocks, blocks[1:], strict=False):
        assert after.start == before.end
    assert agenda.clock(spec["start"], blocks[-1].end) == spec["end"]
    notes = read_notes_file()
    for block in (b for b in blocks if b.lesson):
        # The rule of agendas.yaml's header, from the sources (not the builder's own sum).
        t = times.lesson_times()[block.lesson]
        practice = (5 * math.ceil(sum(t.exercises[ex] for ex in block.exercises) / 5)
                    if block.exercises else t.practice)
        lesson = {"full": t.teaching + practice, "teaching": t.teaching, "demo": t.demo,
                  "room_federation": times.room_federation_minutes()}[block.mode]
        assert block.minutes == lesson + sum(notes[cid]["minutes"] for cid in block.cards)
    assert "Left out of this agenda" in agenda.agenda_markdown(name)


@pytest.mark.parametrize("name", ["half_day", "full_day"])
def test_agenda_has_setup_buffer_breaks_and_card_rounds(name):
    blocks = agenda.build_agenda(name)
    assert blocks[0].kind == "setup" and blocks[0].minutes >= 15
    assert any(b.kind == "fika" and b.minutes >= 15 for b in blocks)
    assert sum(b.card_minutes for b in blocks) > 0
    assert blocks[-1].kind == "closing"


@pytest.mark.parametrize("name", ["half_day", "full_day"])
def test_no_more_than_90_minutes_of_lessons_without_a_break(name):
    stretch, longest = 0, 0
    for block in agenda.build_agenda(name):
        stretch = 0 if block.kind in agenda.BREAKS else stretch + (
            block.minutes if block.lesson else 0)
        longest = max(longest, stretch)
    assert longest <= 90, f"{name}: {longest} minutes of lessons and cards without a break"


@pytest.mark.parametrize("name", ["half_day", "full_day"])
def test_agenda_keeps_slack_before_its_breaks(name):
    # Facilitator review, section 6: an overrun must eat a buffer, not a break or the closing.
    blocks = agenda.build_agenda(name)
    taught = sum(b.minutes for b in blocks if b.lesson)
    buffers = [i for i, b in enumerate(blocks) if b.kind == "buffer"]
    assert sum(blocks[i].minutes for i in buffers) >= agenda.SLACK * taught
    assert all(blocks[i + 1].kind in (*agenda.BREAKS, "closing") for i in buffers)
    assert "buffer" in agenda.agenda_markdown(name) and "buffert" in agenda.agenda_markdown(
        name, "sv")
    guide = (build.ROOT / "docs" / "workshop.md").read_text(encoding="utf-8")
    assert agenda.SLACK == 0.10 and "at least a tenth of its lesson and card-round time" in guide


def test_agenda_slack_test_fails_without_buffers(monkeypatch):
    data = copy.deepcopy(agenda.read_agendas_file())
    data["half_day"]["blocks"] = [b for b in data["half_day"]["blocks"] if b["kind"] != "buffer"]
    monkeypatch.setattr(agenda, "read_agendas_file", lambda: data)
    with pytest.raises(AssertionError):
        test_agenda_keeps_slack_before_its_breaks("half_day")


def test_room_federation_block_follows_the_deployment_guide():
    # Facilitator review, section 5 item 19: the agenda said "one SuperNode per table" while
    # docs/deployment.md hands each participant a site number.
    guide = (build.ROOT / "docs" / "deployment.md").read_text(encoding="utf-8")
    assert "Hand each participant" in guide and "one laptop per table" in guide
    block = next(b for b in agenda.build_agenda("full_day") if b.mode == "room_federation")
    assert "one SuperNode per participant, or per table" in block.what
    swedish = next(b for b in agenda.build_agenda("full_day", "sv")
                   if b.mode == "room_federation")
    assert "en SuperNode per deltagare, eller per bord" in swedish.what


def test_full_day_keeps_swedish_breaks_and_the_room_federation():
    blocks = agenda.build_agenda("full_day")
    assert [b.minutes for b in blocks if b.kind == "lunch"] == [60]
    assert sum(b.kind == "fika" for b in blocks) == 2
    assert any(b.mode == "room_federation" for b in blocks)


def test_half_day_says_what_it_skips():
    skipped = agenda.skipped("half_day")
    for slug, lesson in times.lesson_times().items():
        if lesson.exercises:
            assert any(line.startswith(f"{lesson.number} ·")
                       and ("exercises" in line or "the whole lesson" in line)
                       for line in skipped), slug
    assert any("06 · Privacy defences: the whole lesson" in line for line in skipped)


def test_agenda_rejects_unknown_cards(monkeypatch):
    data = copy.deepcopy(agenda.read_agendas_file())
    data["half_day"]["blocks"][3]["cards"] = ["no_such.card"]
    monkeypatch.setattr(agenda, "read_agendas_file", lambda: data)
    with pytest.raises(ValueError, match="no such card"):
        agenda.build_agenda("half_day")


#: The roles a card round must reach first in each agenda: the clinician, IT and security,
#: and data protection or law (either the DPO or the lawyer answers first).
ROLE_RULE = {"clinician": {"clinician"}, "IT and security": {"it_security"},
             "DPO or lawyer": {"dpo", "lawyer"}}


def _first_roles(name):
    from fedlearn_kit.gdpr.cards import card_by_id

    return {card_by_id(cid).role[0] for b in agenda.build_agenda(name) for cid in b.cards}


@pytest.mark.parametrize("name", ["half_day", "full_day"])
def test_card_rounds_reach_every_role(name):
    first = _first_roles(name)
    missing = [who for who, roles in ROLE_RULE.items() if not first & roles]
    assert not missing, f"{name}: no card round that {', '.join(missing)} answers first"


def test_role_rule_fails_without_a_clinician_card(monkeypatch):
    data = copy.deepcopy(agenda.read_agendas_file())
    for block in data["half_day"]["blocks"]:
        if block.get("lesson") == "local_models":
            block["cards"] = []
    monkeypatch.setattr(agenda, "read_agendas_file", lambda: data)
    assert "clinician" not in _first_roles("half_day")


@pytest.mark.parametrize("name", ["half_day", "full_day"])
def test_every_discussed_card_is_in_a_lesson_the_room_has_open(name):
    for block in agenda.build_agenda(name):
        for cid in block.cards:
            assert cid.split(".")[0] == block.lesson, (name, cid)
            # Every mode opens the lesson on the participants' laptops; a demonstration
            # tells them to run its cards cell.
            assert block.mode in agenda.MODES
        if block.mode == "demo" and block.cards:
            assert "run only its last cell, the cards" in block.what


def test_agenda_rejects_a_card_of_another_lesson(monkeypatch):
    data = copy.deepcopy(agenda.read_agendas_file())
    for block in data["half_day"]["blocks"]:
        if block.get("lesson") == "local_models":
            block["cards"] = ["dpia_and_next_steps.automated_decisions"]
    monkeypatch.setattr(agenda, "read_agendas_file", lambda: data)
    with pytest.raises(ValueError, match="belong to another lesson than local_models"):
        agenda.build_agenda("half_day")


def test_clock():
    assert agenda.clock("08:30", 95) == "10:05"
    assert agenda.clock("23:50", 20) == "24:10"


# ------------------------------------------------------------------ generated files


def test_generated_materials_are_up_to_date():
    # Every page under docs/materials/, the generated blocks of docs/workshop.md (agendas,
    # facilitator notes) and README.md, and the lessons' Time lines.
    assert build.stale() == [], "run `python -m tools.materials` and commit the result"


def test_no_generated_page_loads_anything_from_the_network():
    for path in build.targets():
        text = path.read_text(encoding="utf-8")
        assert external_resources(text) == [], path


def test_exports_show_the_cards_without_widgets():
    # The cards are stored as text/markdown output of the show_cards cell; the export must
    # render every such output (whatever the cards said when the notebook was executed).
    import nbformat

    from fedlearn_kit.materials.html import markdown

    for slug in STEPS:
        path = times.notebook_path(slug)
        html = export_notebook_html(path)
        stored = [out["data"]["text/markdown"] for cell in nbformat.read(path, 4).cells
                  for out in cell.get("outputs", []) if "text/markdown" in out.get("data", {})]
        assert any("`" + slug + "." in text for text in stored), f"{slug}: no cards stored"
        for text in stored:
            assert markdown(text) in html
        assert "widget-view" not in html


def test_deck_has_every_card_in_both_languages():
    for lang in ("en", "sv"):
        html = deck.deck_html(lang)
        assert html.count('<section class="card"') == len(load_cards())
        for card in load_cards():
            assert card.id in html


def test_deck_header_carries_the_role_and_the_unsettled_mark():
    import re

    for lang in ("en", "sv"):
        for card in load_cards():
            head = re.search(r'<div class="head">(.*?)</div>', deck.card_html(card, lang)).group(1)
            assert deck.role_names(card.role[:1], lang) in head, card.id
            assert ("⚖" in head) == card.unsettled, card.id
        legend = deck.legend_html(lang)
        assert "⚖" in legend and "min" in legend
        assert all(deck.role_names([r], lang) in legend for r in deck.ROLES)


def test_deck_never_clips_a_card():
    import re

    css = deck.CSS.replace(" ", "")
    assert "overflow:hidden" not in css
    assert not re.search(r"[^-]height:", css), "a card's height may grow; use min-height"


def test_deck_prefers_the_cards_good_answer_and_names_roles():
    card = SimpleNamespace(id=load_cards()[0].id, role=["dpo", "lawyer"],
                           good_answer={"en": ["point one"], "sv": ["punkt ett"]})
    assert deck.good_answer(card, "sv") == (["punkt ett"], True)
    assert deck.role_names(deck.card_roles(card), "sv") == "dataskyddsombud, jurist"
    bare = SimpleNamespace(id=card.id)
    points, from_card = deck.good_answer(bare, "en")
    assert not from_card and points


def test_answer_key_covers_every_exercise():
    assert answer_key.exercise_problems() == []
    html = answer_key.answer_key_html("en")
    for slug in STEPS:
        for ex, title in times.solution_exercises(slug):
            assert f"<h4>{ex} · {title}</h4>".replace("'", "&#x27;") in html


def test_projector_view_has_key_points_and_figures():
    html = lessons.projector_html("what_leaks")
    assert "<h2>Key points</h2>" in html
    title, sections = lessons.lesson_sections("what_leaks")
    figures = sum(len(s.figures) for s in sections)
    assert figures > 0 and html.count("data:image/png;base64,") == figures


def _visible_text(html):
    import re
    from html import unescape

    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


_LESSONS_BY_LANGUAGE = [(slug, lang) for slug in STEPS
                        for lang in lessons.lesson_languages(slug)]


@pytest.mark.parametrize("slug, lang", _LESSONS_BY_LANGUAGE)
def test_projector_view_keeps_every_sentence_of_the_lesson(slug, lang):
    from fedlearn_kit.materials.html import markdown

    shown = _visible_text(lessons.projector_html(slug, lang))
    # No ellipsis of a cut sentence: only as many as the lesson's own text has (a formula's).
    _, sections = lessons.lesson_sections(slug, lang)
    assert shown.count("…") <= sum(section.text.count("…") for section in sections)
    for section in sections[1:]:
        if section.heading.startswith(lessons.WORDS[lang].skipped):
            continue
        for block in lessons.paragraphs(section.text):
            pieces = (lessons.sentences(block) if lessons.is_prose(block)
                      else lessons.list_items(block) or [block])
            for piece in pieces:
                assert _visible_text(markdown(piece)) in shown, (slug, piece[:80])


def test_swedish_lesson_pages_are_swedish_and_listed():
    assert "sv" in lessons.lesson_languages("centralised")
    view = lessons.projector_html("centralised", "sv")
    assert view.startswith('<!DOCTYPE html>\n<html lang="sv">')
    assert "<h2>Ni kommer att</h2>" in view and "<h2>Dataskyddsfrågor</h2>" in view
    assert "**Tid:**" not in view and "<strong>Tid:</strong> 40 min" in view
    assert "GDPR questions" not in view and "You will" not in view
    title, sections = lessons.lesson_sections("centralised", "sv")
    assert title.startswith("03 · Centralt")
    path = lessons.lesson_path("centralised", "sv")
    export = export_notebook_html(path, "03 · Centralt", "sv")
    assert export.startswith('<!DOCTYPE html>\n<html lang="sv">')
    assert "utbildningsmaterial, inte juridisk rådgivning" in export
    assert "<summary>Kontrollerade meningar" in export and "<summary>Checked" not in export
    # The cards print each question in the other language too: marked as English there.
    card = next(c for c in load_cards() if c.id.startswith("centralised."))
    assert f'<em lang="en">{card.text("question", "en")}' in export
    targets = {str(p.relative_to(build.OUT)) for p in build.targets()}
    assert {"projector/sv/03_centralised.html", "lessons/sv/03_centralised.html"} <= targets
    index = build.index_html()
    assert 'href="projector/sv/03_centralised.html" lang="sv"' in index
    assert 'href="lessons/sv/03_centralised.html" lang="sv"' in index


def test_a_lesson_export_links_the_other_lessons_exports():
    # The Swedish lesson's notice links its English text; the last section links the next
    # lesson: in the exported pages both go to the exports, not to notebooks.
    page = build._exported_lesson("centralised", "sv")
    assert 'href="../03_centralised.html"' in page and 'href="04_federated.html"' in page
    assert 'href="04_federated.html"' in build._exported_lesson("centralised")
    assert ".ipynb" not in "".join(re.findall(r'href="[^"]*"', page))


def test_a_lesson_without_a_swedish_notebook_gets_no_swedish_pages(monkeypatch):
    real = lessons.lesson_path
    monkeypatch.setattr(lessons, "lesson_path", lambda slug, lang="en": (
        real(slug, lang).with_name("absent.ipynb") if lang == "sv" and slug == "centralised"
        else real(slug, lang)))
    assert lessons.lesson_languages("centralised") == ("en",)
    targets = {str(p.relative_to(build.OUT)) for p in build.targets()}
    assert "projector/sv/03_centralised.html" not in targets
    assert "projector/03_centralised.html" in targets
    row = build.index_html().split("03 · Centralised")[1].split("</tr>")[0]
    assert 'projector/sv/' not in row and '<td lang="sv">–</td>' in row


def test_swedish_answer_key_takes_titles_and_hints_from_swedish_sources():
    html = answer_key.answer_key_html("sv")
    assert "Övningarna är på engelska" not in html
    titles = answer_key.translated_titles("centralised", "sv")
    assert titles["3.1"] and f"<h4>3.1 · {titles['3.1']}</h4>" in html
    # The hint a wrong quiz answer gets, as the Swedish catalogue words it.
    from fedlearn_kit.i18n import translations

    msgid = "reread what the Court of Justice held in C-413/23 P (EDPS v SRB)."
    swedish = translations("sv").gettext(msgid)
    assert swedish != msgid and swedish[1:] in html
    assert msgid in check_hints.hint_ids()["3.4"]
    # The notes come from their reviewed Swedish translations, not marked English any more.
    from fedlearn_kit.materials.html import esc

    title = dict(times.solution_exercises("centralised"))["3.1"]
    english = answer_key.exercise_notes("en")[title]
    swedish = answer_key.exercise_notes("sv")[title]
    assert swedish["point"] != english["point"]
    assert f"<span>{esc(swedish['point'])}</span>" in html
    assert all(f"<li>{esc(m)}</li>" in html for m in swedish["mistakes"] + swedish["say"])
    assert esc(english["point"]) not in html and '<div lang="en">' not in html
    assert "bara på engelska" not in html and "kan du säga" not in html
    assert "maskinstödd översättning" in html  # listed in locale/sv/machine-assisted.txt


def test_the_swedish_answer_key_refuses_a_note_without_a_reviewed_translation(monkeypatch):
    notes = answer_key.read_exercise_notes()
    title = dict(times.solution_exercises("centralised"))["3.1"]
    changed = {**notes, title: {**notes[title], "point": "A note nobody has translated."}}
    monkeypatch.setattr(answer_key, "read_exercise_notes", lambda: changed)
    assert answer_key.answer_key_html("en").count("A note nobody has translated.") == 1
    with pytest.raises(answer_key.UntranslatedNotesError, match="A note nobody has translated"):
        answer_key.answer_key_html("sv")
    # The materials check lists it instead of showing the English.
    key = build.OUT / "answer-key-sv.html"
    monkeypatch.setattr(build, "targets", lambda: {key: lambda: answer_key.answer_key_html("sv")})
    assert any(f.startswith("docs/materials/answer-key-sv.html cannot be built: 1 exercise")
               for f in build.stale())


def test_check_hints_follow_a_check_into_its_helpers():
    # federated.who_gains leaves its failures to _gains_problem: its hints are 4.2's.
    assert "take federated minus local." in check_hints.hint_ids()["4.2"]
    assert "one entry per column of the table." in check_hints.hint_ids()["4.2"]
    assert "take federated minus local." not in check_hints.hint_ids()["4.1"]


def test_check_hints_leave_out_what_the_catalogue_does_not_translate(monkeypatch):
    monkeypatch.setattr(check_hints, "hint_ids", lambda: {"9.9": [
        "reread what the Court of Justice held in C-413/23 P (EDPS v SRB).",
        "an English hint no catalogue translates {n}."]})
    assert check_hints.check_hints("9.9", "sv") == [
        "Läs igen vad EU-domstolen slog fast i mål C-413/23 P (EDPS mot SRB)."]
    assert check_hints.check_hints("9.9", "en")[1] == "An English hint no catalogue " \
                                                       "translates …."


def test_projector_view_of_03_keeps_the_secrecy_paragraph():
    shown = _visible_text(lessons.projector_html("centralised"))
    assert "OSL 25 kap. 1 §" in shown and "reverse harm test" in shown


def test_slides_split_long_paragraphs_between_sentences_only():
    long = " ".join(f"Sentence {i} cites OSL 25 kap. 1 § and Art. 26 and ends here." for i in
                    range(40))
    chunks = lessons.slide_chunks(["A short opening.", long], budget=60)
    assert len(chunks) > 2
    for chunk in chunks:
        for block in chunk:
            assert block.endswith("."), block[-30:]
    assert " ".join(b for c in chunks for b in c) == "A short opening. " + long
    assert lessons.sentences("See OSL 8 kap. 1 § first. Then Art. 26. Done.") == [
        "See OSL 8 kap. 1 § first.", "Then Art. 26.", "Done."]


def test_bullets_join_continuation_lines():
    text = "**You will**\n- one,\n  two;\n- three.\n\nAfter the list"
    assert lessons._bullets(text) == ["one, two;", "three."]


def test_certificate_states_plain_outcomes_and_ai_literacy():
    from fedlearn_kit.materials.html import esc

    for lang in ("en", "sv"):
        html = documents.certificate_html(lang)
        assert ("Article 4" if lang == "en" else "artikel 4") in html
        for slug in STEPS:
            outcome = documents.plain_outcomes()[slug][lang]
            assert esc(outcome) in html
            # plain words: none of the lessons' technical objectives' jargon
            assert not any(word in outcome for word in ("SGD", "Opacus", "SecAgg", "flwr",
                                                         "AUROC", "FedAvg"))
        assert "font-size: 11pt" in documents.CERT_CSS


def test_setup_commands_come_from_the_readme():
    table = ("# kit\n\n## Start\n\n| | open | test |\n|---|---|---|\n"
             "| **Windows** (PowerShell) | `py course.py lab` | `py course.py test` |\n"
             "| **macOS, Linux** | `python3 course.py lab` | `python3 course.py test` |\n\n"
             "Ready? `python course.py doctor` checks.\n\n## Next\n")
    assert documents.setup_commands(table) == [("Windows", "py course.py lab"),
                                               ("macOS, Linux", "python3 course.py lab")]
    assert documents.check_command("py course.py lab", table) == "py course.py doctor"
    block = ("# kit\n\n## Start\n\n```\nmake lab   # opens the course\n```\n\n## Next\n")
    assert documents.setup_commands(block) == [("", "make lab   # opens the course")]
    assert documents.check_command("make lab", block) is None
    with pytest.raises(ValueError, match="no '## Start' section"):
        documents.setup_commands("# nothing here")
    handout = documents.handout_html("en")
    for _, command in documents.setup_commands():
        assert command in handout


# ------------------------------------------------------------------ clean-up


def _answers_tree(tmp_path):
    (tmp_path / "notebooks").mkdir()
    (tmp_path / ".venv" / "lib").mkdir(parents=True)
    files = [tmp_path / "notebooks" / "fedlearn-answers.json",
             tmp_path / "notebooks" / "fedlearn-dpia-table3.html",
             tmp_path / "notebooks" / "fedlearn-answers-anna.json",
             tmp_path / "notebooks" / "fedlearn-dpia.docx",
             tmp_path / "notebooks" / "fedlearn-takehome" / "beslutsunderlag.docx",
             tmp_path / "fedlearn-facts.json"]
    for path in files:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("{}", "utf-8")
    keep = [tmp_path / "notebooks" / "01_synthetic_patients.ipynb",
            tmp_path / ".venv" / "lib" / "fedlearn-answers.json",
            tmp_path / "notebooks" / "answers.json"]
    for path in keep:
        path.write_text("{}", "utf-8")
    return files, keep


def test_clean_answers_lists_then_deletes(tmp_path, monkeypatch):
    monkeypatch.delenv("FEDLEARN_ANSWERS", raising=False)
    files, keep = _answers_tree(tmp_path)
    listed = cleanup.clean_answers([tmp_path])
    assert listed == sorted(p.resolve() for p in files)
    assert all(p.exists() for p in files)
    cleanup.clean_answers([tmp_path], delete=True)
    assert not any(p.exists() for p in files)
    assert all(p.exists() for p in keep)


def test_clean_answers_includes_the_env_file(tmp_path, monkeypatch):
    elsewhere = tmp_path / "home" / "answers-anna.json"
    elsewhere.parent.mkdir()
    elsewhere.write_text("{}", "utf-8")
    kit = tmp_path / "kit"
    kit.mkdir()
    monkeypatch.setenv("FEDLEARN_ANSWERS", str(elsewhere))
    assert cleanup.clean_answers([kit]) == [elsewhere.resolve()]


def test_clean_answers_command(tmp_path, monkeypatch, capsys):
    from fedlearn_kit.cli import main

    monkeypatch.delenv("FEDLEARN_ANSWERS", raising=False)
    files, _ = _answers_tree(tmp_path)
    assert main(["materials", "clean-answers", str(tmp_path)]) == 0
    assert "Would delete 6 file(s)" in capsys.readouterr().out
    assert main(["materials", "clean-answers", str(tmp_path), "--delete"]) == 0
    assert "Deleted 6 file(s)" in capsys.readouterr().out and not files[0].exists()
    with pytest.raises(ValueError, match="is not a folder"):
        cleanup.clean_answers([tmp_path / "missing"])


def test_minutes_rule_matches_the_learner_measurements():
    # exercise minutes = learner's solo minutes x 1.5, rounded up (lesson_times.yaml header)
    solo = {"Readmission rate per hospital": 3, "The Brier score by hand": 3,
            "Average the sites' models yourself": 5, "A record from an update": 8,
            "What must stay secret?": 3}
    for entry in times.read_times_file()["lessons"].values():
        for title, minutes in (entry.get("exercises") or {}).items():
            if title in solo:
                assert minutes == math.ceil(solo[title] * 1.5), title


def test_every_lesson_has_a_summary_in_both_languages():
    summaries = lessons.lesson_summaries()
    assert set(summaries) == set(STEPS)
    for slug in STEPS:
        assert summaries[slug]["sv"].strip() and summaries[slug]["en"].strip()
        assert summaries[slug]["sv"] in documents.summaries_html("sv").replace("&quot;", '"')


def test_the_materials_command_says_when_nothing_changed(monkeypatch, capsys):
    from tools.materials import __main__ as command

    monkeypatch.setattr(build, "build", lambda: [])
    assert command.main([]) == 0
    assert "already up to date" in capsys.readouterr().out
    monkeypatch.setattr(build, "build", lambda: [build.ROOT / "docs" / "workshop.md"])
    assert command.main([]) == 0
    out = capsys.readouterr().out
    assert "wrote docs/workshop.md" in out and "up to date" not in out
    monkeypatch.setattr(build, "stale", lambda: [])
    assert command.main(["--check"]) == 0
    assert "up to date" in capsys.readouterr().out


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_run_sheet_holds_each_agenda_block_card_and_exercise(lang):
    from fedlearn_kit.materials.html import esc
    from tools.materials import runsheet
    from tools.materials.agenda import agenda_names, build_agenda, clock, read_agendas_file

    for name in agenda_names():
        html = runsheet.runsheet_html(name, lang)
        blocks = build_agenda(name, lang)
        start = read_agendas_file()[name]["start"]
        for block in blocks:
            assert f"<td>{clock(start, block.start)}</td>" in html
            for card_id in block.cards:
                notes = facilitator_notes_for(card_id)
                assert f"<code>{card_id}</code>" in html and esc(notes.show[lang]) in html
                # Condensed, not cut: every point of the card's notes is on the sheet.
                for point in [*notes.discussion[lang], *notes.misconceptions[lang]]:
                    assert f"<li>{esc(point)}</li>" in html, (card_id, point)
            for exercise in block.exercises:
                assert f"{exercise} · " in html
        cards = sum(len(b.cards) for b in blocks)
        assert html.count('<section class="item">') == cards + sum(len(b.exercises)
                                                                  for b in blocks)
        # The exercise notes and titles are in the sheet's language, as the answer key has them.
        for block in (b for b in blocks if b.exercises):
            titles = dict(times.solution_exercises(block.lesson))
            shown = answer_key.translated_titles(block.lesson, lang) if lang == "sv" else titles
            for exercise in block.exercises:
                assert f"<h4>{exercise} · {esc(shown[exercise])}</h4>" in html
                lines = runsheet.exercise_lines(titles[exercise], lang)
                assert all(f"<span>{esc(line)}</span>" in html for line in lines)
                assert lines != runsheet.exercise_lines(titles[exercise], "en") or lang == "en"
        assert '<h4 lang="en">' not in html  # every exercise has its Swedish title
        assert f'href="answer-key-{lang}.html"' in html, "the sheet names the full answer key"


def test_run_sheet_gives_each_exercise_the_answer_keys_three_lines():
    from fedlearn_kit.materials.html import esc
    from tools.materials import runsheet
    from tools.materials.answer_key import read_exercise_notes
    from tools.materials.times import solution_exercises

    html = runsheet.runsheet_html("full_day", "en")
    shown = 0
    for block in (b for b in build_agenda_for("full_day") if b.exercises):
        titles = dict(solution_exercises(block.lesson))
        for exercise in block.exercises:
            entry = read_exercise_notes()[titles[exercise]]
            mistake, say, point = runsheet.exercise_lines(titles[exercise])
            assert (mistake, say, point) == (entry["mistakes"][0], entry["say"][0],
                                             entry["point"])
            for line in (mistake, say, point):
                assert esc(line) in html
            # The rest of the key stays in the answer key, not on the sheet.
            assert not any(esc(m) in html for m in entry["mistakes"][1:])
            shown += 1
    assert shown
    with pytest.raises(ValueError, match="no entry"):
        runsheet.exercise_lines("An exercise nobody wrote")


def build_agenda_for(name):
    from tools.materials.agenda import build_agenda

    return build_agenda(name, "en")


def facilitator_notes_for(card_id):
    from tools.materials.facilitator_notes import load_notes

    return load_notes()[card_id]


# ------------------------------------------------------------------ numbers to read out


def test_every_demonstrated_lesson_has_two_or_three_numbers_to_read_out():
    from tools.materials import read_out

    shown = read_out.demonstrated_lessons()
    assert shown, "no agenda demonstrates a lesson"
    for slug in shown:
        for lang in ("en", "sv"):
            assert 2 <= len(read_out.read_out(slug, lang)) <= 3, (slug, lang)


def test_the_notes_read_out_what_the_executed_lesson_shows():
    import nbformat

    from tools.materials import read_out

    guide = (build.ROOT / "docs" / "workshop.md").read_text(encoding="utf-8")
    swedish = (build.ROOT / "docs" / "sv" / "workshop.md").read_text(encoding="utf-8")
    for slug in read_out.demonstrated_lessons():
        notebook = nbformat.read(build.ROOT / read_out.lesson_path(slug), as_version=4)
        for entry, sentence in zip(read_out.read_out_file()[slug], read_out.read_out(slug),
                                   strict=True):
            text = read_out.cell_text(notebook, entry["cell"])
            numbers = re.findall(r"\d[\d.e+-]*\d|\d", sentence)
            assert numbers and all(n in text for n in numbers), (sentence, text[:300])
            assert f"- {sentence}" in guide
        assert all(f"- {s}" in swedish for s in read_out.read_out(slug, "sv"))


def test_read_out_follows_the_notebook_and_refuses_a_changed_output():
    import nbformat

    from tools.materials import read_out

    slug = read_out.demonstrated_lessons()[0]
    entry = read_out.read_out_file()[slug][0]
    notebook = nbformat.read(build.ROOT / read_out.lesson_path(slug), as_version=4)
    cell = next(c for c in notebook.cells if c.cell_type == "code" and entry["cell"] in c.source)
    before = read_out.read_out(slug, notebook=notebook)[0]
    stream = next(o for o in cell.outputs if o.get("output_type") == "stream"
                  and re.search(entry["pattern"], o.text))
    number = re.search(entry["pattern"], stream.text).group(1)
    stream.text = stream.text.replace(number, "0.999", 1)
    after = read_out.read_out(slug, notebook=notebook)[0]
    assert after != before and "0.999" in after  # the notes would no longer match the guide
    stream.text = "the output says something else now"
    with pytest.raises(ValueError, match="no longer matches"):
        read_out.read_out(slug, notebook=notebook)
