"""Printing a generated material in Chromium and reading the PDF back (the print test's helpers).

A material prints right when every word of its HTML (as a printer sees it: print styles on,
``.no-print`` parts hidden) is in the PDF's text layer, no element's content is wider or
taller than its box at the printed width, and it keeps the page count (or range) it promises.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections import Counter
from functools import lru_cache
from pathlib import Path

from tests.helpers import ROOT

MATERIALS = ROOT / "docs" / "materials"
#: Materials that promise a number of A4 pages (the handout and certificate say "one page";
#: a feedback form that runs over is left half-filled).
PAGES_PROMISED = {"handout-en.html": 1, "handout-sv.html": 1, "certificate-en.html": 1,
                  "certificate-sv.html": 1, "feedback-en.html": 1, "feedback-sv.html": 1,
                  # One landscape page per agenda, for the wall.
                  "agenda-en.html": 2, "agenda-sv.html": 2}
#: Materials that promise a range of A4 pages (fewest, most): a facilitator's run sheet is
#: the day on 2-4 pages (facilitator review, item 7), one per agenda and language.
PAGES_RANGE = {f"runsheet-{agenda}-{lang}.html": (2, 4)
               for agenda in ("half-day", "full-day") for lang in ("en", "sv")}
#: A4 in PostScript points, portrait (width, height).
A4_POINTS = (595.3, 841.9)
_WORD = re.compile(r"\w+")


def generated_materials() -> list[Path]:
    """Every generated HTML page under docs/materials/ (materials, lessons, projector views,
    take-home documents), sorted."""
    return sorted(MATERIALS.rglob("*.html"))


def _normal(text: str) -> str:
    # NFKC: a PDF may store ligatures ("ﬁ"); lower case: the text layer keeps case, but
    # CSS may change it on screen (text-transform).
    return unicodedata.normalize("NFKC", text).lower()


def words(text: str) -> Counter[str]:
    """The words of a text, counted."""
    return Counter(_WORD.findall(_normal(text)))


def letters(text: str) -> Counter[str]:
    """The letters and digits of a text, counted. A PDF's text layer may run two table cells
    together or break a word at a line end; it keeps every letter it printed."""
    return Counter(c for c in _normal(text) if c.isalnum())


def missing_text(html_text: str, pdf_text: str) -> tuple[int, list[str]]:
    """How many letters and digits of ``html_text`` are not in ``pdf_text``, and the words
    of the HTML that appear nowhere in the PDF (to say where the loss is)."""
    pdf_letters, flat = _printed(pdf_text)
    lost = sum((letters(html_text) - pdf_letters).values())
    absent = sorted(w for w in words(html_text) if w.replace("_", "") not in flat)
    return lost, absent


@lru_cache(maxsize=4)
def _printed(pdf_text: str) -> tuple[Counter[str], str]:
    """A PDF's letters, counted, and its letters in a row: read once for all the cards of a
    deck that are checked against it."""
    return letters(pdf_text), "".join(c for c in _normal(pdf_text) if c.isalnum())


def pdf_pages_text(pdf: bytes) -> list[str]:
    """The text layer of each page of a PDF, read with pypdf."""
    from pypdf import PdfReader

    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages]


def pdf_page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    """(width, height) in points of each page of a PDF."""
    from pypdf import PdfReader

    return [(float(p.mediabox.width), float(p.mediabox.height))
            for p in PdfReader(io.BytesIO(pdf)).pages]


#: The printable width in CSS pixels from the page's own @page rule (A4, its margins):
#: the width a printer lays the page out at. Margins are read as mm.
PRINT_WIDTH = """() => {
  let size = 'A4', margin = null;
  const visit = (rules) => { for (const r of rules) {
    if (r.type === CSSRule.PAGE_RULE) {
      if (r.style.size) size = r.style.size;
      const m = r.style.marginLeft || r.style.margin;
      if (m) margin = m;
    } else if (r.cssRules) { visit(r.cssRules); } } };
  for (const sheet of document.styleSheets) visit(sheet.cssRules);
  const mm = (v) => v && v.endsWith('mm') ? parseFloat(v) : 10;
  const width = size.toLowerCase().includes('landscape') ? 297 : 210;
  return {size: size, width: Math.floor((width - 2 * mm(margin)) * 96 / 25.4)};
}"""

#: Every visible element whose content is wider or taller than its box, with its text.
OVERFLOWS = """() => {
  const found = [];
  for (const el of document.body.querySelectorAll('*')) {
    const cs = getComputedStyle(el);
    if (['inline', 'none', 'contents', 'table-column', 'table-row', 'table-row-group',
         'table-header-group', 'table-footer-group'].includes(cs.display)) continue;
    if (el.closest('svg') || el.closest('.no-print')) continue;
    const wide = el.scrollWidth - el.clientWidth > 1;
    const tall = el.scrollHeight - el.clientHeight > 1;
    if ((wide || tall) && el.clientWidth > 0) {
      found.push({tag: el.tagName.toLowerCase(), cls: el.className && String(el.className),
                  wide: wide, tall: tall,
                  text: (el.innerText || '').trim().slice(0, 80)});
    }
  }
  return found;
}"""


def print_view(page, path: Path) -> tuple[str, list[dict], dict]:
    """Open ``path`` as a printer sees it: print styles, the printable width of its @page.

    Returns the page's visible text, its overflowing elements and the @page size found.
    """
    page.emulate_media(media="print")
    page.goto(path.as_uri())
    layout = page.evaluate(PRINT_WIDTH)
    page.set_viewport_size({"width": layout["width"], "height": 1000})
    page.wait_for_timeout(50)
    return page.evaluate("() => document.body.innerText"), page.evaluate(OVERFLOWS), layout
