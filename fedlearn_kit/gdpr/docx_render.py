"""Render the DPIA draft's and the take-home documents' blocks as an editable Word document.

The blocks are those of :mod:`.render`. Headings become Word headings (Heading 1–4), so the
navigation pane and a table of contents work; tables become Word tables with a repeated
header row; every "[to be filled in]" becomes a plain-text content control (a fill-in field
Word shows greyed and selects in one click). The file is the same bytes for the same blocks:
fixed document properties and fixed times inside the zip, so a regenerated document only
differs where its content does.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from datetime import datetime

from docx import Document
from docx.document import Document as DocxDocument
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.table import Table
from docx.text.paragraph import Paragraph

from fedlearn_kit.gdpr.render import Block

__all__ = ["FILL_TAG", "to_docx"]

#: The tag of every fill-in field, so a script (or a test) can find them.
FILL_TAG = "fedlearn-kit-fill"
#: The time stamped on the document and its parts: fixed, so output is reproducible.
FIXED_TIME = datetime(2026, 1, 1)
_LANGUAGE = {"en": "en-GB", "sv": "sv-SE"}
_TABLE_FONT = Pt(9)


def _fill_field(paragraph: Paragraph, text: str, size: Pt | None = None) -> None:
    """Append a plain-text content control showing ``text`` as its placeholder."""
    sdt = OxmlElement("w:sdt")
    pr = OxmlElement("w:sdtPr")
    alias = OxmlElement("w:alias")
    alias.set(qn("w:val"), text)
    tag = OxmlElement("w:tag")
    tag.set(qn("w:val"), FILL_TAG)
    pr.append(alias)
    pr.append(tag)
    pr.append(OxmlElement("w:showingPlcHdr"))
    pr.append(OxmlElement("w:text"))
    content = OxmlElement("w:sdtContent")
    run = OxmlElement("w:r")
    rpr = OxmlElement("w:rPr")
    colour = OxmlElement("w:color")
    colour.set(qn("w:val"), "808080")
    rpr.append(colour)
    if size is not None:
        sz = OxmlElement("w:sz")
        sz.set(qn("w:val"), str(int(size.pt * 2)))
        rpr.append(sz)
    run.append(rpr)
    t = OxmlElement("w:t")
    t.text = text
    t.set(qn("xml:space"), "preserve")
    run.append(t)
    content.append(run)
    sdt.append(pr)
    sdt.append(content)
    paragraph._p.append(sdt)  # noqa: SLF001 (python-docx has no API for content controls)


def _write(paragraph: Paragraph, text: str, fill: str, size: Pt | None = None,
           bold: bool = False) -> None:
    """Write ``text`` into ``paragraph``, each occurrence of ``fill`` as a fill-in field."""
    parts = text.split(fill) if fill else [text]
    for i, part in enumerate(parts):
        if part:
            run = paragraph.add_run(part)
            run.bold = bold or None
            if size is not None:
                run.font.size = size
        if i < len(parts) - 1:
            _fill_field(paragraph, fill, size)


def _repeat_header(table: Table) -> None:
    tr_pr = table.rows[0]._tr.get_or_add_trPr()  # noqa: SLF001 (no API for a header row)
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    tr_pr.append(header)


def _set_language(document: DocxDocument, lang: str) -> None:
    for style_name in ("Normal",):
        rpr = document.styles[style_name].element.get_or_add_rPr()
        for old in rpr.findall(qn("w:lang")):
            rpr.remove(old)
        language = OxmlElement("w:lang")
        language.set(qn("w:val"), _LANGUAGE.get(lang, lang))
        rpr.append(language)


def _normalised(data: bytes) -> bytes:
    """The same zip with every member's time set to :data:`FIXED_TIME`."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            info = zipfile.ZipInfo(item.filename, date_time=FIXED_TIME.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, source.read(item.filename))
    return out.getvalue()


def to_docx(blocks: Sequence[Block], title: str, lang: str, fill: str = "") -> bytes:
    """The blocks as a .docx file's bytes (see the module docstring)."""
    document = Document()
    props = document.core_properties
    props.title, props.language, props.author = title, _LANGUAGE.get(lang, lang), "fedlearn-kit"
    props.last_modified_by, props.revision = "fedlearn-kit", 1
    props.created = props.modified = FIXED_TIME
    props.comments = ""
    _set_language(document, lang)
    for block in blocks:
        kind = block[0]
        if kind == "h":
            heading = document.add_heading(level=min(int(block[1]), 9))
            _write(heading, block[2], fill)
        elif kind == "p":
            _write(document.add_paragraph(), block[1], fill)
        elif kind == "quote":
            _write(document.add_paragraph(style="Intense Quote"), block[1], fill)
        elif kind in ("ul", "ol"):
            style = "List Bullet" if kind == "ul" else "List Number"
            for item in block[1]:
                _write(document.add_paragraph(style=style), str(item), fill)
        elif kind == "table":
            header, body = block[1], block[2]
            table = document.add_table(rows=1 + len(body), cols=len(header))
            table.style = "Table Grid"
            for j, text in enumerate(header):
                _write(table.rows[0].cells[j].paragraphs[0], str(text), fill, _TABLE_FONT,
                       bold=True)
            for i, row in enumerate(body, 1):
                for j, text in enumerate(row):
                    _write(table.rows[i].cells[j].paragraphs[0], str(text), fill,
                           _TABLE_FONT)
            _repeat_header(table)
            document.add_paragraph()
        else:
            raise ValueError(f"unknown block kind {kind!r}")
    out = io.BytesIO()
    document.save(out)
    return _normalised(out.getvalue())
