"""Stored lessons as projector views, and the parts of a lesson other materials quote.

Reads the notebooks as committed (with their outputs) and never executes them. A projector
view is the lesson without its code: its title and objectives, then every section's prose,
lists, tables and figures in the lesson's order, on slides that hold whole paragraphs (a
paragraph too long for one slide continues on the next, split between sentences), then the
key points and the cards' questions. Nothing a lesson says is dropped: a test compares every
paragraph with the view. (The offline export of a whole notebook is
:mod:`fedlearn_kit.materials.export`: facilitators run it on a laptop.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import nbformat
import yaml

from fedlearn_kit.figure_text import alt_text
from fedlearn_kit.gdpr.cards import STEPS, cards_for, step_title
from fedlearn_kit.materials.export import MISSING_ALT, with_attachments
from fedlearn_kit.materials.html import esc, inline_markdown, markdown, page
from tools.materials import HERE
from tools.materials.times import notebook_path, time_line

#: The languages a lesson's generated pages exist in: English from notebooks/, Swedish from
#: notebooks/sv/ (built from the English and locale/sv/notebooks/ by tools/translate.py).
LESSON_LANGUAGES = ("en", "sv")


@dataclass(frozen=True)
class LessonWords:
    """The words the projector view looks for in a lesson of one language (its "You will"
    list, its Time field, the sections it leaves out) and the words it writes on slides."""

    you_will: str
    time: str
    skipped: tuple[str, ...]
    projector: str
    cards: str
    #: How many words a slide holds: Swedish words are longer (compounds), so fewer fit.
    slide_words: int


WORDS = {
    "en": LessonWords("You will", "**Time:**", ("GDPR questions", "Next"), "projector",
                      "GDPR questions", 180),
    "sv": LessonWords("Ni kommer att", "**Tid:**", ("Dataskyddsfrågor i det här steget",
                                                     "Nästa"), "projektorvy",
                      "Dataskyddsfrågor", 160),
}


def lesson_path(slug: str, lang: str = "en") -> Path:
    """The stored lesson notebook of a step in ``lang`` (notebooks/sv/ for Swedish)."""
    path = notebook_path(slug)
    return path if lang == "en" else path.parent / lang / path.name


def lesson_languages(slug: str) -> tuple[str, ...]:
    """The languages a lesson exists in: English always, Swedish once notebooks/sv/ has it."""
    return tuple(lang for lang in LESSON_LANGUAGES if lesson_path(slug, lang).exists())

_HEADING = re.compile(r"^(#{1,2}) (.+)$", re.MULTILINE)


@cache
def lesson_summaries() -> dict[str, dict[str, str]]:
    """The short sv/en summary of each lesson (``lesson_summaries.yaml``)."""
    text = (HERE / "lesson_summaries.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


@dataclass(frozen=True)
class Figure:
    """A figure a lesson shows: the PNG (base64) and its text alternative."""

    png: str
    alt: str


@dataclass(frozen=True)
class Table:
    """A table a lesson's code printed (pandas' HTML), shown as it is in the lesson."""

    html: str


@dataclass
class Section:
    """A "## " section of a lesson: its heading, and its Markdown text, figures and tables
    in order (``parts``); ``text`` is all its Markdown, ``figures`` all its figures."""

    heading: str
    parts: list[str | Figure | Table] = field(default_factory=list)

    @property
    def text(self) -> str:
        """All the section's Markdown, joined."""
        return "".join(p for p in self.parts if isinstance(p, str))

    @property
    def figures(self) -> list[Figure]:
        """The section's figures, in order."""
        return [p for p in self.parts if isinstance(p, Figure)]


# ------------------------------------------------------------------ lesson structure


def lesson_sections(slug: str, lang: str = "en") -> tuple[str, list[Section]]:
    """A lesson's title and its sections, each with its prose and figures in order."""
    nb = nbformat.read(lesson_path(slug, lang), as_version=4)
    title, sections = "", [Section("")]
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            source = with_attachments(cell.source, cell.get("attachments", {}))
            pos = 0
            for match in _HEADING.finditer(source):
                sections[-1].parts.append(source[pos:match.start()])
                if match.group(1) == "#":
                    title = match.group(2).strip()
                else:
                    sections.append(Section(match.group(2).strip()))
                pos = match.end()
            sections[-1].parts.append(source[pos:] + "\n\n")
        else:
            for output in cell.get("outputs", []):
                data = output.get("data", {})
                png = data.get("image/png")
                table = data.get("text/html")
                if png:
                    sections[-1].parts.append(Figure("".join(png).strip(),
                                                     alt_text(data) or MISSING_ALT))
                elif table and "<table" in "".join(table):
                    sections[-1].parts.append(Table("".join(table)))
    return title, sections


def _bullets(text: str) -> list[str]:
    """The top-level "- " items of a Markdown list, continuation lines joined; the list ends
    at the first line that is neither an item nor indented."""
    items: list[str] = []
    for line in text.splitlines():
        if line.startswith("- "):
            items.append(line[2:].strip())
        elif items and line.startswith("  ") and line.strip():
            items[-1] += " " + line.strip()
        elif items and not line.strip():
            continue
        elif items:
            break
    return items


def learning_outcomes(slug: str, lang: str = "en") -> list[str]:
    """The "**You will**" bullets of a lesson ("**Ni kommer att**" in Swedish), without
    their trailing punctuation."""
    _, sections = lesson_sections(slug, lang)
    intro = sections[0].text
    start = intro.find(f"**{WORDS[lang].you_will}**")
    if start < 0:
        return []
    return [b.rstrip(";.") for b in _bullets(intro[start:])]


#: How many words a projector slide holds (1280 x 800 at the slide's font size).
SLIDE_WORDS = WORDS["en"].slide_words  # 180
#: Sentence ends: a full stop, question or exclamation mark, then a capital or an emphasis
#: mark. Abbreviations the course uses before a capital are not ends (see _ABBREVIATIONS).
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÅÄÖ*(\[])")
_ABBREVIATIONS = ("e.g.", "i.e.", "cf.", "Art.", "art.", "kap.", "no.", "No.", "para.", "p.",
                  "pp.", "vol.", "Vol.", "et al.", "Dr.", "vs.", "etc.", "approx.")


def paragraphs(text: str) -> list[str]:
    """The Markdown blocks of ``text`` (separated by blank lines), stripped."""
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


def sentences(paragraph: str) -> list[str]:
    """A prose paragraph split into sentences (never inside an abbreviation)."""
    pieces: list[str] = []
    for piece in _SENTENCE_END.split(paragraph):
        if pieces and pieces[-1].endswith(_ABBREVIATIONS):
            pieces[-1] += " " + piece
        else:
            pieces.append(piece)
    return pieces


def is_prose(block: str) -> bool:
    """True for a paragraph of sentences; False for a list, table, code, image or HTML."""
    return not block.startswith(("- ", "* ", "|", "```", "1. ", "<", "!["))


_LIST_ITEM = re.compile(r"^(?:[-*]|\d+\.) ", re.MULTILINE)


def list_items(block: str) -> list[str]:
    """The top-level items of a Markdown list block, each with its continuation lines."""
    starts = [m.start() for m in _LIST_ITEM.finditer(block)]
    if not starts or starts[0] != 0:
        return []
    return [block[a:b].rstrip() for a, b in zip(starts, [*starts[1:], len(block)],
                                                 strict=True)]


def _split_long_lists(blocks: list[str], budget: int) -> list[str]:
    """Blocks with every list longer than ``budget`` words cut between its items."""
    out: list[str] = []
    for block in blocks:
        if len(block.split()) <= budget or not _LIST_ITEM.match(block):
            out.append(block)
            continue
        group: list[str] = []
        for item in list_items(block):
            if group and len(" ".join(group).split()) + len(item.split()) > budget:
                out.append("\n".join(group))
                group = []
            group.append(item)
        out.append("\n".join(group))
    return out


def slide_chunks(blocks: list[str], budget: int = SLIDE_WORDS) -> list[list[str]]:
    """Markdown blocks grouped into slides of about ``budget`` words: whole blocks where they
    fit; a prose paragraph longer than a slide continues on the next, between sentences, and
    a long list between its items. A table is never split."""
    slides: list[list[str]] = [[]]
    used = 0
    for block in _split_long_lists(blocks, budget):
        size = len(block.split())
        if used and used + size > budget:
            slides.append([])
            used = 0
        if size <= budget or not is_prose(block):
            slides[-1].append(block)
            used += size
            continue
        piece: list[str] = []
        for sentence in sentences(block):
            if piece and len(" ".join(piece).split()) + len(sentence.split()) > budget:
                slides[-1].append(" ".join(piece))
                slides.append([])
                piece = []
            piece.append(sentence)
        slides[-1].append(" ".join(piece))
        used = len(" ".join(piece).split())
    return [s for s in slides if s]


PROJECTOR_CSS = """
body { max-width: none; padding: 0; background: #fff; }
.slide { min-height: 100vh; padding: 5vh 6vw; display: flex; flex-direction: column;
         justify-content: flex-start; border-bottom: 1px solid var(--line); font-size: 1.35rem; }
.slide > * { margin: 0.3em 0; } .slide li { margin: 0.25em 0; }
.slide h1 { font-size: 2.4rem; } .slide h2 { font-size: 1.9rem; color: var(--accent); }
.slide img { height: 58vh; width: auto; max-width: 100%; object-fit: contain; align-self: center; }
.slide table { font-size: 0.8em; }
.slide:lang(sv) > table { font-size: 0.74em; } /* Swedish cells run longer; a table never splits */
.slide .table { align-self: flex-start; max-width: 100%; }
.slide .table table { font-size: 0.72em; }
.slide .sv { color: var(--muted); font-style: italic; }
.counter { position: fixed; right: 1rem; bottom: 0.6rem; color: var(--muted); font-size: 0.9rem; }
body.paged .slide { display: none; } body.paged .slide.on { display: flex; }
@media print { @page { size: A4 landscape; margin: 10mm; }
  body.paged .slide { display: flex; } .slide { min-height: auto; padding: 0 0 4mm 0;
  page-break-after: always; break-after: page; font-size: 13pt; border: none; }
  .slide img { height: auto; max-height: 150mm; } .counter { display: none; } }
"""
PROJECTOR_JS = """
(function () {
  var slides = document.querySelectorAll('.slide'), i = 0;
  var counter = document.querySelector('.counter');
  document.body.classList.add('paged');
  function show(n) {
    i = Math.max(0, Math.min(slides.length - 1, n));
    slides.forEach(function (s, k) { s.classList.toggle('on', k === i); });
    counter.textContent = (i + 1) + ' / ' + slides.length;
    if (history.replaceState) history.replaceState(null, '', '#' + (i + 1));
  }
  document.addEventListener('keydown', function (e) {
    if (['ArrowRight', 'PageDown', ' '].indexOf(e.key) >= 0) { show(i + 1); e.preventDefault(); }
    if (['ArrowLeft', 'PageUp'].indexOf(e.key) >= 0) { show(i - 1); e.preventDefault(); }
    if (e.key === 'Home') show(0);
    if (e.key === 'End') show(slides.length - 1);
  });
  document.addEventListener('click', function (e) {
    show(e.clientX > innerWidth / 3 ? i + 1 : i - 1);
  });
  function fromHash() { show((parseInt(location.hash.slice(1), 10) || 1) - 1); }
  addEventListener('hashchange', fromHash);
  fromHash();
})();
"""


def _figure_html(figure: Figure) -> str:
    return f'<img alt="{esc(figure.alt)}" src="data:image/png;base64,{figure.png}">'


def _section_slides(section: Section, budget: int = SLIDE_WORDS) -> list[str]:
    """A section's slides: its prose in whole paragraphs, each figure with the short text
    just before it, in the lesson's order."""
    slides: list[str] = []
    pending: list[str] = []
    heading = f"<h2>{esc(section.heading)}</h2>"

    def flush(shown: Figure | Table | None = None) -> None:
        chunks = slide_chunks(pending, budget) or [[]]
        lead = chunks[-1] if shown is not None and sum(
            len(b.split()) for b in chunks[-1]) <= budget // 3 else None
        for chunk in (chunks[:-1] if lead is not None else chunks):
            if chunk:
                slides.append(heading + "".join(markdown(b) for b in chunk))
        if shown is not None:
            body = (_figure_html(shown) if isinstance(shown, Figure)
                    else f'<div class="table">{shown.html}</div>')
            slides.append(heading + "".join(markdown(b) for b in lead or []) + body)
        pending.clear()

    for part in section.parts:
        if isinstance(part, (Figure, Table)):
            flush(part)
        else:
            pending.extend(paragraphs(part))
    flush()
    return slides


def _translated_time_field(blocks: list[str], lang: str) -> str:
    """The Time field of a translated lesson's opening (its own, which tools/translate.py
    builds from the English one), without the fields after it."""
    line = next((b for b in blocks if b.startswith(WORDS[lang].time)), "")
    return line.split(" · **")[0]


def _title_slide(slug: str, title: str, intro: Section, lang: str = "en") -> list[str]:
    """The first slide (title, first paragraph, time, the summary in the other language in
    the English view, objectives), then any further text of the lesson's opening."""
    words = WORDS[lang]
    outcomes = learning_outcomes(slug, lang)
    all_blocks = paragraphs(intro.text)
    blocks = [b for b in all_blocks if not b.startswith(words.time)]
    first = next((b for b in blocks if is_prose(b) and not b.startswith(("**", ">"))), "")
    rest = [b for b in blocks if b != first and not b.startswith(f"**{words.you_will}**")]
    time = time_line(slug) if lang == "en" else _translated_time_field(all_blocks, lang)
    summary = lesson_summaries()[slug]["sv"]
    slide = f"<h1>{esc(title)}</h1>{markdown(first)}{markdown(time)}"
    if lang == "en":
        slide += f'<p class="sv" lang="sv">{esc(summary)}</p>'
    else:
        summary = ""
    slides = [slide]
    if outcomes:
        you_will = (f"<h2>{esc(words.you_will)}</h2><ul>"
                    + "".join(f"<li>{inline_markdown(o)}</li>" for o in outcomes) + "</ul>")
        count = len(" ".join([first, summary, *outcomes]).split())
        if count <= words.slide_words:
            slides[0] += you_will
        else:  # a long opening: the objectives get a slide of their own
            slides.append(you_will)
    more = [f"<h2>{esc(title)}</h2>" + "".join(markdown(b) for b in chunk)
            for chunk in slide_chunks(rest, words.slide_words)]
    return [*slides, *more]


#: How many cards' questions (in both languages) a slide holds.
CARDS_PER_SLIDE = 4
#: Sections of a lesson the projector view leaves out: the cards (their questions get a
#: slide of their own) and the link to the next lesson (per language: WORDS).
SKIPPED_SECTIONS = WORDS["en"].skipped


def _card_slides(slug: str, lang: str) -> list[str]:
    """The cards' questions, CARDS_PER_SLIDE a slide: in the English view with the Swedish
    beside each; in the Swedish view in Swedish only."""
    cards = cards_for(slug)
    slides = []
    for start in range(0, len(cards), CARDS_PER_SLIDE):
        shown = cards[start:start + CARDS_PER_SLIDE]
        if lang == "en":
            heading = '<h2>GDPR questions · <span lang="sv">Dataskyddsfrågor</span></h2>'
            items = "".join(f"<li>{esc(c.text('question', 'en'))}<br>"
                            f'<span class="sv" lang="sv">{esc(c.text("question", "sv"))}'
                            "</span></li>" for c in shown)
        else:
            heading = f"<h2>{esc(WORDS[lang].cards)}</h2>"
            items = "".join(f"<li>{esc(c.text('question', lang))}</li>" for c in shown)
        slides.append(f'{heading}<ol start="{start + 1}">{items}</ol>')
    return slides


def projector_html(slug: str, lang: str = "en") -> str:
    """A lesson's presenter view in ``lang`` (from notebooks/sv/ for Swedish): every
    section's prose and figures on slides that keep whole sentences; arrow keys page."""
    title, sections = lesson_sections(slug, lang)
    slides = _title_slide(slug, title, sections[0], lang)
    for section in sections[1:]:
        if section.heading.startswith(WORDS[lang].skipped):
            continue
        slides += _section_slides(section, WORDS[lang].slide_words)
    slides += _card_slides(slug, lang)
    body = "".join(f'<section class="slide">{s}</section>' for s in slides)
    body += '<div class="counter no-print" aria-live="polite"></div>'
    return page(f"{step_title(slug, lang)} · {WORDS[lang].projector}", body, lang,
                PROJECTOR_CSS, PROJECTOR_JS, footer="")


def lesson_file_name(slug: str) -> str:
    """The file name a lesson's generated HTML gets ("04_federated.html")."""
    return f"{STEPS[slug][0]}_{slug}.html"
