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

from fedlearn_kit.materials.html import esc, generated_footer, markdown, page

#: The command named in an export's footer.
COMMAND = "fedlearn-kit materials export"
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
#: Output types in the order an export prefers them (widgets are left out: no renderer offline).
_PREFERRED = ("image/png", "image/svg+xml", "text/html", "text/markdown", "text/plain")


def _output_html(output: nbformat.NotebookNode) -> str:
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
            return f'<img alt="figure" src="data:image/png;base64,{value.strip()}">'
        if mime == "image/svg+xml":
            return f'<div class="svg">{value}</div>'
        if mime == "text/html":
            return f'<div class="html-out">{value}</div>'
        if mime == "text/markdown":
            return f'<div class="md-out">{markdown(value)}</div>'
        return f'<pre class="out">{esc(_ANSI.sub("", value))}</pre>'
    return ""


EXPORT_CSS = """
.cell-code pre.src { background: #eef2f6; border-left: 3px solid var(--accent); }
pre.out { background: #fff; border: 1px solid var(--line); }
pre.error { color: #8b0000; }
.html-out { overflow-x: auto; }
.md-out { border-left: 3px solid var(--line); padding-left: 0.8rem; }
.html-out table { font-size: 0.85rem; }
@media print { .cell-code { page-break-inside: avoid; } }
"""


def export_notebook_html(path: Path, title: str | None = None) -> str:
    """One stored notebook as a self-contained HTML page (code, outputs, cards)."""
    nb = nbformat.read(path, as_version=4)
    body = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            body.append(f'<div class="cell-md">{markdown(cell.source)}</div>')
        elif cell.cell_type == "code":
            if "parameters" in cell.metadata.get("tags", []):
                body.append('<p class="muted">Parameters (papermill):</p>')
            body.append(f'<div class="cell-code"><pre class="src">{esc(cell.source)}</pre>'
                        + "".join(_output_html(o) for o in cell.get("outputs", [])) + "</div>")
    name = title or path.stem
    return page(name, "\n".join(body), "en", EXPORT_CSS,
                footer=generated_footer(f"{path.parent.name}/{path.name} (stored outputs)",
                                         COMMAND))
