"""Stored lessons as projector views, and the parts of a lesson other materials quote.

Reads the notebooks as committed (with their outputs) and never executes them. A projector
view turns a lesson into slides: its title and objectives, one slide per section (first
paragraph and figures), the key points, and the cards' questions. (The offline export of a
whole notebook is :mod:`fedlearn_kit.materials.export`: facilitators run it on a laptop.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

import nbformat
import yaml

from fedlearn_kit.gdpr.cards import STEPS, cards_for, step_title
from fedlearn_kit.materials.html import esc, inline_markdown, markdown, page
from tools.materials import HERE
from tools.materials.times import notebook_path, time_line

_HEADING = re.compile(r"^(#{1,2}) (.+)$", re.MULTILINE)


@cache
def lesson_summaries() -> dict[str, dict[str, str]]:
    """The short sv/en summary of each lesson (``lesson_summaries.yaml``)."""
    text = (HERE / "lesson_summaries.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


@dataclass
class Section:
    """A "## " section of a lesson: its heading, Markdown text and figures (base64 PNG)."""

    heading: str
    text: str = ""
    figures: list[str] = field(default_factory=list)


# ------------------------------------------------------------------ lesson structure


def lesson_sections(slug: str) -> tuple[str, list[Section]]:
    """A lesson's title and its sections, figures attached to the section they appear in."""
    nb = nbformat.read(notebook_path(slug), as_version=4)
    title, sections = "", [Section("")]
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            pos = 0
            for match in _HEADING.finditer(cell.source):
                sections[-1].text += cell.source[pos:match.start()]
                if match.group(1) == "#":
                    title = match.group(2).strip()
                else:
                    sections.append(Section(match.group(2).strip()))
                pos = match.end()
            sections[-1].text += cell.source[pos:] + "\n\n"
        else:
            for output in cell.get("outputs", []):
                png = output.get("data", {}).get("image/png")
                if png:
                    sections[-1].figures.append("".join(png).strip())
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


def learning_outcomes(slug: str) -> list[str]:
    """The "**You will**" bullets of a lesson, without their trailing punctuation."""
    _, sections = lesson_sections(slug)
    intro = sections[0].text
    start = intro.find("**You will**")
    if start < 0:
        return []
    return [b.rstrip(";.") for b in _bullets(intro[start:])]


def _first_paragraph(text: str, words: int = 70) -> str:
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    prose = next((p for p in paragraphs if not p.startswith(("- ", "|", "```", "**"))), "")
    cut = prose.split()
    return " ".join(cut[:words]) + (" …" if len(cut) > words else "")


PROJECTOR_CSS = """
body { max-width: none; padding: 0; background: #fff; }
.slide { min-height: 100vh; padding: 5vh 6vw; display: flex; flex-direction: column;
         justify-content: flex-start; border-bottom: 1px solid var(--line); font-size: 1.35rem; }
.slide > * { margin: 0.3em 0; } .slide li { margin: 0.25em 0; }
.slide h1 { font-size: 2.4rem; } .slide h2 { font-size: 1.9rem; color: var(--accent); }
.slide img { height: 60vh; width: auto; max-width: 100%; object-fit: contain; align-self: center; }
.slide .sv { color: var(--muted); font-style: italic; }
.counter { position: fixed; right: 1rem; bottom: 0.6rem; color: var(--muted); font-size: 0.9rem; }
body.paged .slide { display: none; } body.paged .slide.on { display: flex; }
@media print { @page { size: A4 landscape; margin: 10mm; }
  body.paged .slide { display: flex; } .slide { min-height: auto; height: 180mm;
  page-break-after: always; break-after: page; font-size: 14pt; } .counter { display: none; } }
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


def projector_html(slug: str) -> str:
    """A lesson's presenter view: one slide per section, with its figures; arrow keys page."""
    title, sections = lesson_sections(slug)
    outcomes = learning_outcomes(slug)
    slides = [f"<h1>{esc(title)}</h1>{markdown(_first_paragraph(sections[0].text, 90))}"
              f"{markdown(time_line(slug))}"
              + f'<p class="sv">{esc(lesson_summaries()[slug]["sv"])}</p>'
              + ("<h3>You will</h3><ul>" + "".join(f"<li>{inline_markdown(o)}</li>"
                                                   for o in outcomes)
                 + "</ul>" if outcomes else "")]
    for section in sections[1:]:
        name = section.heading
        if name.startswith(("GDPR questions", "Next")):
            continue
        if name == "Key points":
            points = _bullets(section.text)
            slides.append("<h2>Key points</h2><ul>"
                          + "".join(f"<li>{inline_markdown(p)}</li>" for p in points)
                          + "</ul>")
            continue
        slide = f"<h2>{esc(name)}</h2>"
        if section.figures:
            slide += markdown(_first_paragraph(section.text, 40))
            slide += "".join(f'<img alt="figure" src="data:image/png;base64,{png}">'
                             for png in section.figures)
        else:
            slide += markdown(_first_paragraph(section.text, 90))
        slides.append(slide)
    cards = cards_for(slug)
    slides.append("<h2>GDPR questions · Dataskyddsfrågor</h2><ol>"
                  + "".join(f"<li>{esc(c.text('question', 'en'))}<br>"
                            f'<span class="sv">{esc(c.text("question", "sv"))}</span></li>'
                            for c in cards) + "</ol>")
    body = "".join(f'<section class="slide">{s}</section>' for s in slides)
    body += '<div class="counter no-print"></div>'
    return page(f"{step_title(slug)} · projector", body, "en", PROJECTOR_CSS, PROJECTOR_JS,
                footer="")


def lesson_file_name(slug: str) -> str:
    """The file name a lesson's generated HTML gets ("04_federated.html")."""
    return f"{STEPS[slug][0]}_{slug}.html"
