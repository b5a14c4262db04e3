"""Stored or pre-run notebooks as offline web pages (``fedlearn-kit materials export``).

A facilitator hands pre-run copies of the lessons to a table as web pages (docs/workshop.md):
nbconvert's HTML loads the widget renderer and MathJax from the internet, so offline the
cards would be empty. An export shows every cell and output, including the cards, which
stored notebooks hold as Markdown; widget outputs fall back to their text; nothing is
executed and nothing is loaded from the network.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

from fedlearn_kit.figure_text import alt_text
from fedlearn_kit.materials.html import esc, generated_footer, markdown, page

#: The command named in an export's footer.
COMMAND = "fedlearn-kit materials export"
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
#: The alt text of a figure stored without a description (fedlearn_kit.figure_text): a test
#: of the generated pages fails on it, so that every figure of the course is described.
MISSING_ALT = "A figure without a description."
#: Cell tags of the reading path (tools/authoring.py applies them): code a non-programmer
#: may skip. The export folds such a cell's code under a line that says so.
SKIP_TAGS = {"checked-sentences": "Checked sentences: the code that tests the text above "
                                  "against the numbers. You may skip it.",
             "for-developers": "For developers: code you may skip. Its results are shown "
                               "below it."}
#: The same page furniture for an export of a Swedish notebook (notebooks/sv/), whose page
#: says ``lang="sv"``: the lines the export itself writes, per language.
SKIP_TAGS_SV = {"checked-sentences": "Kontrollerade meningar: koden som prövar texten ovan mot "
                                     "siffrorna. Ni kan hoppa över den.",
                "for-developers": "För utvecklare: kod som ni kan hoppa över. Resultatet "
                                  "visas under den."}
_PARAMETERS = {"en": "Parameters (papermill):", "sv": "Parametrar (papermill):"}
#: Output types in the order an export prefers them (widgets are left out: no renderer offline).
_PREFERRED = ("image/png", "image/svg+xml", "text/html", "text/markdown", "text/plain")


def _other_language_marked(text: str, lang: str) -> str:
    """A card panel's Markdown with each question's other-language line (the English one in
    a Swedish notebook, see fedlearn_kit.gdpr.cards) marked with its language, so that a
    screen reader reads it in English and the page states which parts are not Swedish
    (WCAG 3.1.2)."""
    from fedlearn_kit.gdpr.cards import load_cards

    for card in load_cards():
        other = card.text("question", "en")
        text = text.replace(f"*{other}*", f'<em lang="en">{esc(other)}</em>')
    return text


def _output_html(output: nbformat.NotebookNode, lang: str = "en") -> str:
    kind = output.get("output_type")
    if kind == "stream":
        return f'<pre class="out">{esc(_ANSI.sub("", output.get("text", "")))}</pre>'
    if kind == "error":
        trace = _ANSI.sub("", "\n".join(output.get("traceback", [])))
        return f'<pre class="out error">{esc(trace)}</pre>'
    data = output.get("data", {})
    for mime in _PREFERRED:
        if mime not in data:
            continue
        value = data[mime]
        value = "".join(value) if isinstance(value, list) else value
        if mime == "image/png":
            alt = alt_text(data) or MISSING_ALT
            return f'<img alt="{esc(alt)}" src="data:image/png;base64,{value.strip()}">'
        if mime == "image/svg+xml":
            return f'<div class="svg">{value}</div>'
        if mime == "text/html":
            # Focusable, so that a keyboard can scroll a table wider than the page.
            return f'<div class="html-out" tabindex="0">{value}</div>'
        if mime == "text/markdown":
            if lang != "en":
                value = _other_language_marked(value, lang)
            return f'<div class="md-out">{markdown(value)}</div>'
        return f'<pre class="out">{esc(_ANSI.sub("", value))}</pre>'
    return ""


EXPORT_CSS = """
.cell-code pre.src { background: #eef2f6; border-left: 3px solid var(--accent); }
pre.out { background: #fff; border: 1px solid var(--line); }
pre.error { color: #8b0000; }
.html-out { overflow-x: auto; }
details.skip > summary { color: var(--muted); cursor: pointer; }
@media print { .html-out { overflow: visible; } .html-out table { font-size: 7.5pt; } }
.md-out { border-left: 3px solid var(--line); padding-left: 0.8rem; }
.html-out table { font-size: 0.85rem; }
@media print { .cell-code { page-break-inside: avoid; } }
"""


_ATTACHMENT = re.compile(r"attachment:([^)\s\"']+)")


def with_attachments(source: str, attachments: dict[str, dict[str, str]]) -> str:
    """Markdown with each ``attachment:NAME`` link replaced by the attached image as a data
    URL, so that the page needs no other file (lesson 00's screenshot is such an image)."""
    def inline(match: re.Match[str]) -> str:
        files = attachments.get(match.group(1)) or {}
        for mime, data in files.items():
            if mime.startswith("image/"):
                text = "".join(data) if isinstance(data, list) else data
                return f"data:{mime};base64,{text.strip()}"
        return match.group(0)

    return _ATTACHMENT.sub(inline, source)


def export_notebook_html(path: Path, title: str | None = None, lang: str = "en") -> str:
    """One stored notebook as a self-contained HTML page (code, outputs, cards). ``lang``
    is the notebook's language ("sv" for notebooks/sv/): the page's ``lang`` and the lines
    the export adds follow it; code stays as it is."""
    skip_tags = SKIP_TAGS_SV if lang == "sv" else SKIP_TAGS
    nb = nbformat.read(path, as_version=4)
    body = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            source = with_attachments(cell.source, cell.get("attachments", {}))
            body.append(f'<div class="cell-md">{markdown(source)}</div>')
        elif cell.cell_type == "code":
            tags = cell.metadata.get("tags", [])
            if "parameters" in tags:
                body.append(f'<p class="muted">{_PARAMETERS.get(lang, _PARAMETERS["en"])}</p>')
            code = f'<pre class="src">{esc(cell.source)}</pre>'
            skip = next((skip_tags[tag] for tag in skip_tags if tag in tags), None)
            if skip:
                code = f'<details class="skip"><summary>{esc(skip)}</summary>{code}</details>'
            outputs = "".join(_output_html(o, lang) for o in cell.get("outputs", []))
            body.append(f'<div class="cell-code">{code}{outputs}</div>')
    name = title or path.stem
    return page(name, "\n".join(body), lang, EXPORT_CSS,
                footer=generated_footer(f"{path.parent.name}/{path.name} (stored outputs)",
                                        COMMAND, lang))
