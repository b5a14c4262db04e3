"""Every generated material printed to PDF with Chromium loses no text (one browser session).

For each page under docs/materials/: Chromium prints it with its own @page size (which must be
A4); every word the HTML shows a printer must be in the PDF's text (read with pypdf); no
element may overflow its box at the printed width; a material that promises a page count
(or a range: a run sheet prints on 2-4 pages) keeps it. The card deck must hold every card
whole, in both languages.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from fedlearn_kit.gdpr.cards import load_cards
from tests.e2e.printing import (
    A4_POINTS,
    MATERIALS,
    PAGES_PROMISED,
    PAGES_RANGE,
    generated_materials,
    missing_text,
    pdf_page_sizes,
    pdf_pages_text,
    print_view,
)


@pytest.fixture(scope="module")
def print_page(browser):
    context = browser.new_context()
    page = context.new_page()
    yield page
    context.close()


#: Each material's PDF and its pages' text, printed and read once in this module: reading a
#: PDF's text (pypdf) is the slow part, and the card decks are checked twice.
_PRINTED: dict[Path, tuple[bytes, list[str]]] = {}


def printed(page, path: Path) -> tuple[bytes, list[str]]:
    """``path``'s PDF as Chromium prints the page now shown, and each page's text."""
    if path not in _PRINTED:
        pdf = page.pdf(prefer_css_page_size=True, print_background=True)
        _PRINTED[path] = pdf, pdf_pages_text(pdf)
    return _PRINTED[path]


@pytest.mark.parametrize("path", generated_materials(),
                         ids=lambda p: str(p.relative_to(MATERIALS)))
def test_material_prints_whole_on_a4(print_page, path):
    text, overflows, layout = print_view(print_page, path)
    pdf, pages = printed(print_page, path)
    assert "a4" in layout["size"].lower(), f"{path.name}: @page size {layout['size']!r}, not A4"
    for width, height in pdf_page_sizes(pdf):
        assert sorted((round(width), round(height))) == sorted(map(round, A4_POINTS)), \
            f"{path.name}: a page is {width:.0f} x {height:.0f} pt, not A4"
    lost, absent = missing_text(text, "\n".join(pages))
    assert not lost, (f"{path.name}: {lost} letters of the HTML are not in the PDF; words "
                      f"missing: {absent[:12]}")
    assert not overflows, f"{path.name}: content overflows its box: {overflows[:5]}"
    promised = PAGES_PROMISED.get(path.name)
    if promised is not None:
        assert len(pages) == promised, f"{path.name}: {len(pages)} pages, promised {promised}"
    fewest, most = PAGES_RANGE.get(path.name, (1, None))
    assert len(pages) >= fewest and (most is None or len(pages) <= most), \
        f"{path.name}: {len(pages)} pages, promised {fewest}-{most}"


def test_every_runsheet_promises_a_page_range():
    """A new agenda's run sheet is held to 2-4 pages too, not skipped by the test above."""
    sheets = {p.name for p in generated_materials() if p.name.startswith("runsheet-")}
    assert sheets and sheets == set(PAGES_RANGE), sorted(sheets ^ set(PAGES_RANGE))


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_deck_prints_every_card_whole(print_page, lang):
    path = MATERIALS / f"cards-{lang}.html"
    print_view(print_page, path)
    pdf_text = "\n".join(printed(print_page, path)[1])
    # Every card's id and shown text in one call (one round trip, not two per card).
    cards = print_page.eval_on_selector_all(
        "section.card", "cards => cards.map(card => [card.id, card.innerText])")
    assert len(cards) == len(load_cards())
    cut = []
    for card_id, text in cards:
        lost, absent = missing_text(text, pdf_text)
        if lost or absent:
            cut.append((card_id, absent[:5]))
    assert not cut, f"cards-{lang}: cards not whole on paper: {cut}"
    legend = print_page.locator(".legend")
    assert "⚖" in legend.inner_text(), "the deck's legend page explains ⚖"
