"""A Markdown document cut into the units a translator translates one at a time, and put
back together from their translations (tools/translate.py; docs/translating.md).

A *unit* is a heading, a paragraph, one item of a list (with its continuation lines and
nested items), one row of a table, a fenced code block or an HTML block. A table's
separator row (``|---|---|``), an HTML comment and blank lines are layout: they are kept
as they are and never translated. A paragraph's or list item's soft line breaks are joined
into spaces in the text the translator sees (``Unit.text``), so re-wrapping the English
does not ask for a new review; the translation is wrapped again when the document is built.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_FENCE = re.compile(r"^(\s*)(```|~~~)")
_LIST_ITEM = re.compile(r"^(\s*)([-*+]|\d+[.)])( \[[ xX]\])?\s+")
_TABLE_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_HEADING = re.compile(r"^\s*#{1,6}\s")
#: A line that starts a new unit inside a block, or must keep its own line in a unit.
_STRUCTURE = re.compile(r"^\s*([-*+] |\d+[.)] |\||#{1,6}\s|```|~~~|<|>)")
#: A word that would turn a wrapped line into something else if it started the line.
_NUMBER = re.compile(r"^\d+([.,]\d+)?$")
_MARKER_WORD = re.compile(r"^([-*+>|=]|#{1,6}|\d+[.)])$")

WIDTH = 92


@dataclass(frozen=True)
class Unit:
    """One piece of a document: ``text`` is what the translator sees (empty for layout),
    ``lines`` the original lines, ``indent`` the indentation of its first line and
    ``hang`` that of its continuation lines (a list item's text column)."""

    kind: str  # "heading", "paragraph", "item", "row", "code", "html", "layout"
    lines: tuple[str, ...]
    text: str
    indent: str = ""
    hang: str = ""

    @property
    def translatable(self) -> bool:
        """Whether the unit has text to translate (layout has none)."""
        return self.kind != "layout"


def blocks(text: str) -> list[list[str]]:
    """Runs of lines between blank lines; a fenced code block stays whole, blank lines and
    all."""
    found: list[list[str]] = []
    lines: list[str] = []
    fenced = False
    for line in text.splitlines():
        if _FENCE.match(line):
            fenced = not fenced
        if not line.strip() and not fenced:
            if lines:
                found.append(lines)
                lines = []
            continue
        lines.append(line)
    if lines:
        found.append(lines)
    return found


def _indent(line: str) -> str:
    return line[:len(line) - len(line.lstrip())]


def _joined(lines: list[str], indent: str) -> str:
    """The lines of a paragraph or list item as the translator sees them: the unit's own
    indentation removed, soft line breaks joined with a space; a hard break (two spaces or
    a backslash at the end) and a nested list item keep their own line."""
    out = lines[0][len(indent):].rstrip() if lines[0].startswith(indent) else lines[0].strip()
    for previous, line in zip(lines, lines[1:], strict=False):
        hard = previous.endswith("  ") or previous.rstrip().endswith("\\")
        if hard or _STRUCTURE.match(line):
            relative = line[len(indent):] if line.startswith(indent) else line.lstrip()
            out += ("  " if previous.endswith("  ") else "") + "\n" + relative.rstrip()
        else:
            out += " " + line.strip()
    return out


def _code_unit(lines: list[str]) -> Unit:
    indent = _indent(lines[0])
    return Unit("code", tuple(lines), "\n".join(
        line[len(indent):] if line.startswith(indent) else line.lstrip() for line in lines),
        indent)


def _block_units(lines: list[str]) -> list[Unit]:
    first = lines[0]
    if first.lstrip().startswith("<!--"):
        return [Unit("layout", tuple(lines), "")]
    if first.lstrip().startswith("<"):
        return [Unit("html", tuple(lines), "\n".join(lines), "")]
    units: list[Unit] = []
    current: list[str] = []
    fence: list[str] = []
    base = _indent(first)

    def flush() -> None:
        if not current:
            return
        head = current[0]
        indent = _indent(head)
        item = _LIST_ITEM.match(head)
        if item:
            hang = " " * len(item.group(0))
            units.append(Unit("item", tuple(current), _joined(current, indent), indent, hang))
        else:
            units.append(Unit("paragraph", tuple(current), _joined(current, indent), indent,
                              indent))
        current.clear()

    for line in lines:
        stripped = line.lstrip()
        if fence:  # inside a fenced code block: up to its closing fence
            fence.append(line)
            if _FENCE.match(line):
                units.append(_code_unit(fence))
                fence = []
        elif _FENCE.match(line):
            flush()
            fence = [line]
        elif stripped.startswith("|"):
            flush()
            kind = "layout" if _TABLE_SEPARATOR.match(line) else "row"
            units.append(Unit(kind, (line,), "" if kind == "layout" else stripped.rstrip(),
                              _indent(line)))
        elif _HEADING.match(line):
            flush()
            units.append(Unit("heading", (line,), stripped.rstrip(), _indent(line)))
        elif _LIST_ITEM.match(line) and len(_indent(line)) <= len(base):
            flush()
            current.append(line)
        else:
            current.append(line)
    flush()
    if fence:  # a fence never closed: the rest of the block is its code
        units.append(_code_unit(fence))
    return units


def units(text: str) -> list[list[Unit]]:
    """The units of a Markdown text, block by block (a block is what blank lines separate)."""
    return [_block_units(block) for block in blocks(text)]


# ----------------------------------------------------------------------------- writing

_WORD = re.compile(r"(?:`[^`]*`|[^\s`])+")


def _words(text: str) -> list[str]:
    """The words of a text, a code span in backticks kept whole (it is not broken across
    lines, so a command can be copied from the raw file)."""
    words = _WORD.findall(text)
    whole = "".join("".join(words).split()) == "".join(text.split())  # no backtick left over
    return words if whole else text.split()


def wrap(text: str, first: str, rest: str, width: int = WIDTH) -> list[str]:
    """One paragraph's words filled into lines of at most ``width`` characters after the
    prefixes ``first`` (first line) and ``rest`` (the others); a longer word keeps its own
    line, a code span is never broken, and a word that would read as Markdown at the start
    of a line (``-``, ``1.``, ``#``, ``|``) stays on the line before."""
    lines: list[str] = []
    line, empty = first, True
    previous = ""
    for word in _words(text):
        if empty:
            line, empty = line + word, False
        elif len(line) + 1 + len(word) <= width or _MARKER_WORD.match(word) or (
                _NUMBER.match(previous) and len(word) <= 4):  # "3 GB", "15 min" stay together
            line = f"{line} {word}"
        else:
            lines.append(line)
            line = rest + word
        previous = word
    lines.append(line)
    return lines


def render(unit: Unit, translation: str) -> list[str]:
    """The lines a unit's translation takes in the translated document: layout as it was;
    a paragraph or list item wrapped at :data:`WIDTH` with its indentation; a heading, table
    row, code or HTML block line by line, indented as the English."""
    if unit.kind == "layout":
        return list(unit.lines)
    if unit.kind not in ("paragraph", "item"):
        return [unit.indent + line if line else line for line in translation.split("\n")]
    out: list[str] = []
    for i, line in enumerate(translation.split("\n")):
        if not line.strip():
            out.append("")
            continue
        hard = line.endswith("  ")
        item = _LIST_ITEM.match(line)
        if i == 0 and unit.kind != "item":
            item = None
        if item:  # the item's marker, its text hanging under the text's first column
            head, hang = item.group(0), " " * len(item.group(0))
            body = line[len(head):]
        else:
            head = hang = _indent(line) if i else ""
            body = line.strip()
        wrapped = wrap(body, unit.indent + head, unit.indent + hang)
        if hard:
            wrapped[-1] += "  "
        out += wrapped
    return out


def assemble(translated_blocks: list[list[str]]) -> str:
    """A document from its blocks' lines: blocks separated by one blank line."""
    return "\n\n".join("\n".join(lines) for lines in translated_blocks) + "\n"


# ----------------------------------------------------------------------------- anchors

def github_slug(heading: str) -> str:
    """The anchor GitHub (and most Markdown viewers) give a heading: lower case, punctuation
    dropped, spaces as hyphens; letters such as å, ä, ö kept."""
    text = re.sub(r"^\s*#{1,6}\s*", "", heading).strip()
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"<[^>]+>", "", text).lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def heading_slugs(headings: list[str]) -> list[str]:
    """The anchors of a document's headings in order: a repeated one gets ``-1``, ``-2``."""
    seen: dict[str, int] = {}
    out = []
    for heading in headings:
        slug = github_slug(heading)
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        out.append(slug if count == 0 else f"{slug}-{count}")
    return out


def headings(text: str) -> list[str]:
    """The headings of a Markdown text (outside fenced code), in order."""
    return [u.text for block in units(text) for u in block if u.kind == "heading"]
