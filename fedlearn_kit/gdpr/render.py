"""Render the DPIA draft's blocks as Markdown or as a self-contained HTML page.

A block is a tuple: ("h", level, text), ("p", text), ("quote", text), ("ul", [items]),
("ol", [items]), ("table", [header], [[cells]]). Both renderers escape all text.
"""

from __future__ import annotations

import html
import os
from collections.abc import Callable, Sequence
from pathlib import Path

from fedlearn_kit.gdpr.files import atomic_write_bytes

Block = tuple


def _md_escape_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(blocks: Sequence[Block]) -> str:
    """The blocks as Markdown (tables as pipe tables)."""
    lines: list[str] = []
    for block in blocks:
        kind = block[0]
        if kind == "h":
            lines += [f"{'#' * block[1]} {block[2]}", ""]
        elif kind == "p":
            lines += [block[1], ""]
        elif kind == "quote":
            lines += [f"> {block[1]}", ""]
        elif kind == "ul":
            lines += [f"- {item}" for item in block[1]] + [""]
        elif kind == "ol":
            lines += [f"{i}. {item}" for i, item in enumerate(block[1], 1)] + [""]
        elif kind == "table":
            header, rows = block[1], block[2]
            lines.append("| " + " | ".join(header) + " |")
            lines.append("|" + "---|" * len(header))
            lines += ["| " + " | ".join(_md_escape_cell(str(c)) for c in row) + " |"
                      for row in rows]
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


_CSS = ("body{font-family:system-ui,sans-serif;max-width:52em;margin:2em auto;line-height:1.45;"
        "padding:0 1em}table{border-collapse:collapse}td,th{border:1px solid #ccc;"
        "padding:.3em .6em;text-align:left;vertical-align:top}blockquote{border-left:4px solid "
        "#c60;margin:0;padding:.2em 1em;background:#fff8f0}"
        # Printed on A4 (a region's paper), long links and words wrap instead of running off
        # the page (tests/e2e/test_print.py prints every take-home document).
        "td,th,a,p,li{overflow-wrap:anywhere}@media print{@page{size:A4;margin:15mm}"
        "body{margin:0;max-width:none}}")


def to_html(blocks: Sequence[Block], title: str, lang: str) -> str:
    """The blocks as one HTML page with its own small style sheet."""
    e = html.escape
    body: list[str] = []
    for block in blocks:
        kind = block[0]
        if kind == "h":
            body.append(f"<h{block[1]}>{e(block[2])}</h{block[1]}>")
        elif kind == "p":
            body.append(f"<p>{e(block[1])}</p>")
        elif kind == "quote":
            body.append(f"<blockquote>{e(block[1])}</blockquote>")
        elif kind in ("ul", "ol"):
            items = "".join(f"<li>{e(i)}</li>" for i in block[1])
            body.append(f"<{kind}>{items}</{kind}>")
        elif kind == "table":
            head = "".join(f"<th>{e(h)}</th>" for h in block[1])
            rows = "".join("<tr>" + "".join(f"<td>{e(str(c))}</td>" for c in row) + "</tr>"
                           for row in block[2])
            body.append(f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
    return (f"<!DOCTYPE html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\">"
            f"<title>{e(title)}</title><style>{_CSS}</style></head><body><main>\n"
            + "\n".join(body) + "\n</main></body></html>\n")


def write_document(out: str | os.PathLike[str], markdown: Callable[[], str],
                   html: Callable[[], str], docx: Callable[[], bytes]) -> Path:
    """Write a document as Markdown (``.md``), HTML (``.html``) or Word (``.docx``) by the
    name's ending, atomically; only the chosen format is built."""
    path = Path(out)
    suffix = path.suffix.lower()
    if suffix in (".md", ".markdown"):
        data = markdown().encode("utf-8")
    elif suffix in (".html", ".htm"):
        data = html().encode("utf-8")
    elif suffix == ".docx":
        data = docx()
    else:
        raise ValueError(f"--out {path}: name the file .md (Markdown), .html (a web page) or "
                         ".docx (Word).")
    atomic_write_bytes(path, data)
    return path
