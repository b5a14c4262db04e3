"""Self-contained HTML pages: one shell with print styles, Markdown rendering, escaping.

Used by the facilitator's export (:mod:`fedlearn_kit.materials.export`) and by the
maintainers' materials builder (``tools/materials``). Every page either writes is a single
file that loads nothing from the network (no CDN, no web font, no external script or style
sheet): rooms may be offline, and a page must print the same anywhere.
:func:`external_resources` finds anything a page would load from outside, and the tests run
it on every generated page.
"""

from __future__ import annotations

import html
import re
from typing import cast

import mistune

_MARKDOWN = mistune.create_markdown(escape=False, plugins=["table", "strikethrough"])
#: Attributes and CSS that make a browser fetch something: src=, <link href=>, url(), @import.
_LOADS = re.compile(
    r"""(?:\bsrc\s*=\s*["']?\s*(?:https?:)?//)"""
    r"""|(?:<link\b[^>]*\bhref\s*=\s*["']?\s*(?:https?:)?//)"""
    r"""|(?:url\(\s*["']?\s*(?:https?:)?//)"""
    r"""|(?:@import\s+["']?(?:url\()?\s*["']?(?:https?:)?//)""",
    re.IGNORECASE)

BASE_CSS = """
:root { --ink: #1b1f23; --muted: #57606a; --line: #d0d7de; --accent: #0b5cad;
        --soft: #f3f6f9; --warn: #8a4b00; }
* { box-sizing: border-box; }
body { font-family: "Segoe UI", system-ui, -apple-system, "Helvetica Neue", Arial, sans-serif;
       color: var(--ink); line-height: 1.45; margin: 0 auto; max-width: 58rem; padding: 1.5rem; }
h1, h2, h3, h4 { line-height: 1.2; }
h1 { font-size: 1.7rem; margin-top: 0; }
code, pre { font-family: Consolas, "DejaVu Sans Mono", Menlo, monospace; font-size: 0.9em; }
pre { background: var(--soft); padding: 0.6rem 0.8rem; overflow-x: auto; white-space: pre-wrap;
      border-radius: 4px; }
table { border-collapse: collapse; margin: 0.6rem 0; }
th, td { border: 1px solid var(--line); padding: 0.25rem 0.5rem; vertical-align: top;
         text-align: left; }
img { max-width: 100%; height: auto; }
.muted { color: var(--muted); }
.tag { display: inline-block; border: 1px solid var(--line); border-radius: 3px;
       padding: 0 0.35rem; margin-right: 0.25rem; font-size: 0.85em; }
.unsettled { color: var(--warn); font-weight: 600; }
footer { margin-top: 2rem; font-size: 0.8rem; color: var(--muted); }
@media print {
  @page { size: A4; margin: 12mm; }
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  a { color: inherit; text-decoration: none; }
  .no-print { display: none !important; }
  pre { white-space: pre-wrap; overflow: visible; }
  pre, code, td, th, a { overflow-wrap: anywhere; }
  img { break-inside: avoid; page-break-inside: avoid; }
}
"""


def esc(text: object) -> str:
    """``text`` escaped for HTML."""
    return html.escape(str(text), quote=True)


def markdown(text: str) -> str:
    """Markdown (CommonMark with tables) rendered to HTML, raw HTML kept."""
    # mistune types the result as str | list (the list is for the AST renderer); the HTML
    # renderer used here always returns str.
    return cast(str, _MARKDOWN(text))


def inline_markdown(text: str) -> str:
    """Markdown of one line or paragraph rendered without its surrounding <p> element."""
    rendered = markdown(text).strip()
    if rendered.startswith("<p>") and rendered.endswith("</p>") and rendered.count("<p>") == 1:
        return rendered[3:-4]
    return rendered


def page(title: str, body: str, lang: str = "en", css: str = "", script: str = "",
         footer: str = "") -> str:
    """A complete, self-contained HTML page: inline styles and script, nothing external."""
    parts = ["<!DOCTYPE html>", f'<html lang="{esc(lang)}">', "<head>", '<meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             f"<title>{esc(title)}</title>", f"<style>{BASE_CSS}{css}</style>", "</head>",
             "<body>", "<main>", body, "</main>"]
    if footer:
        parts.append(f"<footer>{footer}</footer>")
    if script:
        parts.append(f"<script>{script}</script>")
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)


def generated_footer(source: str, command: str, lang: str = "en") -> str:
    """The footer of a generated page: for the reader, that it is teaching material and not
    legal advice; for a maintainer, in an HTML comment (never printed), where the page comes
    from and which command regenerates it."""
    made = f"<!-- generated from {_comment(source)} by {_comment(command)} -->"
    if lang == "sv":
        return f"fedlearn-kit · utbildningsmaterial, inte juridisk rådgivning {made}"
    return f"fedlearn-kit · teaching material, not legal advice {made}"


def _comment(text: str) -> str:
    """``text`` safe inside an HTML comment (no "--")."""
    return text.replace("--", "- -")


def external_resources(text: str) -> list[str]:
    """Every place in an HTML page that would load something from another host (a script,
    style sheet, image, font or frame from http(s):// or //); empty for a self-contained page.
    Plain links (<a href>) load nothing until clicked and are allowed."""
    return [text[max(0, m.start() - 20):m.end() + 40] for m in _LOADS.finditer(text)]
