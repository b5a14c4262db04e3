"""Generate every workshop material from its sources, or check that none is out of date.

:func:`targets` maps each generated file to the function that makes its text; :func:`build`
writes those that differ, :func:`stale` lists them without writing. The lessons' "**Time:**"
lines and the generated blocks of docs/workshop.md and README.md are part of the same set,
so one command keeps everything in step and one test catches any drift.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from functools import partial
from pathlib import Path

from fedlearn_kit.gdpr.cards import LANGUAGES, STEPS, step_title
from fedlearn_kit.gdpr.facts import default_facts
from fedlearn_kit.gdpr.takehome import TakeHome, takehome_pack
from fedlearn_kit.materials.export import export_notebook_html
from fedlearn_kit.materials.html import esc, page
from tools import ROOT
from tools.materials import (
    agenda,
    answer_key,
    deck,
    documents,
    facilitator_notes,
    generated_footer,
    lessons,
    runsheet,
    times,
)

OUT = ROOT / "docs" / "materials"
AGENDA_BEGIN = ("<!-- BEGIN agendas: generated from tools/materials/lesson_times.yaml "
                "and agendas.yaml by `python -m tools.materials`; do not edit by hand -->")
AGENDA_END = "<!-- END agendas -->"
README = ROOT / "README.md"
_README_ROW = re.compile(r"^\| (\d\d) \| (\[[^\]]+\]\([^)]+\)) \| ([^|]+) \|", re.MULTILINE)
_README_WORKSHOP = re.compile(r"For a group of about 20 \(.*?\), see", re.DOTALL)
_README_SENTENCE = re.compile(r"^Times include the practice exercises.*?(?=\n\n)",
                              re.MULTILINE | re.DOTALL)


def guide_text(current: str) -> str:
    """docs/workshop.md with both generated blocks (agendas, facilitator notes) up to date."""
    agendas = "\n".join([AGENDA_BEGIN, ""] + [agenda.agenda_markdown(name)
                                              for name in agenda.agenda_names()] + [AGENDA_END])
    text = facilitator_notes.replace_block(current, agendas, AGENDA_BEGIN, AGENDA_END)
    return facilitator_notes.replace_block(text, facilitator_notes.facilitator_notes_markdown())


def readme_text(current: str) -> str:
    """README.md with the course table's times and the run-time sentence from the times file."""
    by_number = {STEPS[slug][0]: slug for slug in STEPS}

    def row(match: re.Match[str]) -> str:
        slug = by_number.get(match.group(1))
        if slug is None:
            return match.group(0)
        return f"| {match.group(1)} | {match.group(2)} | {times.readme_time_cell(slug)} |"

    text = _README_ROW.sub(row, current)
    coverage = "; ".join(agenda.coverage_sentence(name) for name in agenda.agenda_names())
    text = _README_WORKSHOP.sub(lambda _: f"For a group of about 20 ({coverage}), see", text,
                                count=1)
    if not _README_SENTENCE.search(text):
        raise ValueError("README.md: no sentence starting 'Times include the practice "
                         "exercises' under the course table to keep in step")
    return _README_SENTENCE.sub(lambda _: times.run_time_sentence(), text, count=1)


def index_html() -> str:
    """docs/materials/index.html: a page linking every generated material."""
    rows = [("cards-sv.html", "Kortlek (svenska)", "sv"),
            ("cards-en.html", "Card deck (English)", "en"),
            ("answer-key-en.html", "Answer key (English)", "en"),
            ("answer-key-sv.html", "Facit (svenska)", "sv"),
            ("runsheet-half-day-en.html", "Run sheet, half day", "en"),
            ("runsheet-full-day-en.html", "Run sheet, full day", "en"),
            ("runsheet-half-day-sv.html", "Körschema, halvdag", "sv"),
            ("runsheet-full-day-sv.html", "Körschema, heldag", "sv"),
            ("agenda-en.html", "Agendas", "en"), ("agenda-sv.html", "Scheman", "sv"),
            ("handout-en.html", "Participant handout", "en"),
            ("handout-sv.html", "Deltagarblad", "sv"),
            ("certificate-en.html", "Certificate", "en"), ("certificate-sv.html", "Intyg", "sv"),
            ("feedback-en.html", "Feedback form", "en"), ("feedback-sv.html", "Utvärdering", "sv"),
            ("summaries-sv.html", "Lektionerna i korthet", "sv"),
            ("summaries-en.html", "The lessons in brief", "en"),
            ("glossary.html", "Glossary · ordlista (print landscape)", "en"),
            ("glossary-sv.html", "Ordlista med svenska förklaringar (skriv ut liggande)", "sv")]
    items = "".join(f'<li><a href="{f}" lang="{lang}">{esc(t)}</a></li>' for f, t, lang in rows)
    takehome_rows = "".join(
        f'<tr><td lang="sv">{esc(sv.title)}</td>'
        f'<td><a href="takehome/{sv.file_stem}.html" lang="sv">svenska</a></td>'
        f'<td><a href="takehome/{en.file_stem}.html">English</a></td></tr>'
        for sv, en in zip(_blank_takehome("sv"), _blank_takehome("en"), strict=True))
    lesson_rows = "".join(
        f"<tr><td>{esc(step_title(s))}</td>"
        f'<td><a href="projector/{lessons.lesson_file_name(s)}">projector</a></td>'
        f'<td><a href="lessons/{lessons.lesson_file_name(s)}">lesson (offline)</a></td>'
        + _swedish_lesson_cells(s) + "</tr>" for s in STEPS)
    body = ('<h1>fedlearn-kit · materials for the room · <span lang="sv">material för '
            f"rummet</span></h1><ul>{items}</ul>"
            f'<h2>Lessons · <span lang="sv">lektionerna</span></h2><table>{lesson_rows}</table>'
            '<h2>Take-home documents · <span lang="sv">dokument att ta med hem</span></h2>'
            "<p>Blank drafts to hand out at the end (lesson 08 and `fedlearn-kit takehome` "
            "fill them from each table's answers). Each is a draft to adapt with the region's "
            "own lawyers.</p>"
            f"<table>{takehome_rows}</table>"
            "<p class='muted'>Every page is self-contained and loads nothing from the network. "
            "See docs/workshop.md for how to use them.</p>"
            '<p class="muted" lang="sv">Varje sida är fristående och hämtar inget från nätet. '
            "docs/workshop.md beskriver hur de används.</p>")
    return page("fedlearn-kit materials", body, "en", footer=generated_footer("build.py"))


def _lesson_page_path(folder: str, slug: str, lang: str) -> str:
    """Where a lesson's projector view or export lives under docs/materials/, relative:
    "projector/04_federated.html", or "projector/sv/04_federated.html" in Swedish."""
    sub = "" if lang == "en" else f"{lang}/"
    return f"{folder}/{sub}{lessons.lesson_file_name(slug)}"


def _swedish_lesson_cells(slug: str) -> str:
    """The index's Swedish cells of a lesson's row: its Swedish projector view and export,
    or a dash while notebooks/sv/ lacks the lesson."""
    if "sv" not in lessons.lesson_languages(slug):
        return '<td lang="sv">–</td><td lang="sv">–</td>'
    return (f'<td><a href="{_lesson_page_path("projector", slug, "sv")}" lang="sv">'
            "projektorvy</a></td>"
            f'<td><a href="{_lesson_page_path("lessons", slug, "sv")}" lang="sv">'
            "lektion (offline)</a></td>")


def _blank_takehome(lang: str) -> list[TakeHome]:
    """The take-home documents with no answers, for the course's default experiment."""
    return takehome_pack({}, default_facts(), lang=lang)


def _takehome_html(lang: str, index: int) -> str:
    return _blank_takehome(lang)[index].html()


_NOTEBOOK_LINK = re.compile(r'href="([^":#]*?\d\d_\w+)\.ipynb(#[^"]*)?"')


def _lesson_exports() -> set[Path]:
    """Every lesson export docs/materials/ holds, in every language."""
    return {OUT / _lesson_page_path("lessons", slug, lang) for slug in STEPS
            for lang in lessons.lesson_languages(slug)}


def _exported_lesson(slug: str, lang: str = "en") -> str:
    """The offline HTML export of one lesson's notebook in ``lang``, its links to another
    lesson's notebook pointing at that lesson's export instead (a Swedish lesson's link to its
    English text goes to the English export)."""
    html = export_notebook_html(lessons.lesson_path(slug, lang), step_title(slug, lang), lang)
    folder = (OUT / _lesson_page_path("lessons", slug, lang)).parent
    exports = _lesson_exports()

    def to_export(match: re.Match[str]) -> str:
        target = Path(os.path.normpath(folder / f"{match.group(1)}.html"))
        if target not in exports:
            return match.group(0)
        return f'href="{match.group(1)}.html{match.group(2) or ""}"'

    return _NOTEBOOK_LINK.sub(to_export, html)


def targets() -> dict[Path, Callable[[], str]]:
    """Every generated file under docs/materials/ and the function that makes its text."""
    out: dict[Path, Callable[[], str]] = {OUT / "index.html": index_html,
                                          OUT / "glossary.html": documents.glossary_html,
                                          OUT / "glossary-sv.html": partial(
                                              documents.glossary_html, "sv")}
    for lang in LANGUAGES:
        out[OUT / f"cards-{lang}.html"] = partial(deck.deck_html, lang)
        out[OUT / f"answer-key-{lang}.html"] = partial(answer_key.answer_key_html, lang)
        out[OUT / f"agenda-{lang}.html"] = partial(documents.agenda_html, lang)
        out[OUT / f"handout-{lang}.html"] = partial(documents.handout_html, lang)
        out[OUT / f"certificate-{lang}.html"] = partial(documents.certificate_html, lang)
        out[OUT / f"feedback-{lang}.html"] = partial(documents.feedback_html, lang)
        out[OUT / f"summaries-{lang}.html"] = partial(documents.summaries_html, lang)
        for name in agenda.agenda_names():
            out[OUT / runsheet.runsheet_name(name, lang)] = partial(runsheet.runsheet_html,
                                                                    name, lang)
        for i, doc in enumerate(_blank_takehome(lang)):
            out[OUT / "takehome" / f"{doc.file_stem}.html"] = partial(_takehome_html, lang, i)
    for slug in STEPS:
        for lang in lessons.lesson_languages(slug):  # Swedish once notebooks/sv/ has it
            out[OUT / _lesson_page_path("projector", slug, lang)] = partial(
                lessons.projector_html, slug, lang)
            out[OUT / _lesson_page_path("lessons", slug, lang)] = partial(
                _exported_lesson, slug, lang)
    return out


def _edited_sources() -> dict[Path, Callable[[str], str]]:
    """Files partly generated: each maps to a function from its current text to the new one.
    The Swedish README and facilitator guide follow their English ones (tools/translate.py
    builds them from the English and their catalogues), so they come after them."""
    from tools.translate import refreshed, translated_path  # translate reads these builders

    return {facilitator_notes.GUIDE: guide_text, README: readme_text,
            translated_path(facilitator_notes.GUIDE, "sv"): refreshed(facilitator_notes.GUIDE,
                                                                      "sv"),
            translated_path(README, "sv"): refreshed(README, "sv")}


def stale() -> list[str]:
    """Everything out of date, as paths relative to the kit folder (empty when in step)."""
    found = []
    for path, make in targets().items():
        try:
            if not path.exists() or path.read_text(encoding="utf-8") != make():
                found.append(str(path.relative_to(ROOT)))
        except answer_key.UntranslatedNotesError as error:  # never shown in English instead
            found.append(f"{path.relative_to(ROOT)} cannot be built: {error}")
    for path, update in _edited_sources().items():
        current = path.read_text(encoding="utf-8")
        if update(current) != current:
            found.append(str(path.relative_to(ROOT)))
    found += [f"{problem} (Time line)" for problem in times.notebook_time_problems()]
    expected = set(targets())
    found += [str(p.relative_to(ROOT)) + " (no longer generated)"
              for p in sorted(OUT.rglob("*.html")) if p not in expected]
    return found


def build() -> list[Path]:
    """Write every generated file and block that differs; return the paths written."""
    written = times.write_time_lines()  # first: the projector views and exports show them
    for path, make in targets().items():
        text = make()
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            written.append(path)
    for path, update in _edited_sources().items():
        current = path.read_text(encoding="utf-8")
        new = update(current)
        if new != current:
            path.write_text(new, encoding="utf-8")
            written.append(path)
    return written
