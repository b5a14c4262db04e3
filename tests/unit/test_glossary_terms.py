"""The glossary covers every technical term the half-day lessons use (terms.yaml)."""

from __future__ import annotations

import re
from functools import cache

import nbformat
import pytest
import yaml

from tests.helpers import ROOT
from tools.materials.agenda import build_agenda
from tools.materials.times import notebook_path

TERMS = yaml.safe_load((ROOT / "tools" / "materials" / "terms.yaml").read_text("utf-8"))["terms"]
_ROW = re.compile(r"^\| *([^|]+?) *\| *([^|]+?) *\| *([^|]+?) *\|$", re.MULTILINE)


def glossary_english() -> set[str]:
    """The English column of every table row of docs/glossary.md."""
    text = (ROOT / "docs" / "glossary.md").read_text("utf-8")
    return {m.group(2) for m in _ROW.finditer(text) if m.group(2) not in ("English", "---")}


@cache
def half_day_markdown() -> dict[str, str]:
    """The Markdown and the parameters (the knobs a learner may change) of every lesson the
    half-day agenda opens, by slug."""
    slugs = {b.lesson for b in build_agenda("half_day") if b.lesson}
    return {slug: "\n".join(c.source for c in nbformat.read(notebook_path(slug), 4).cells
                            if c.cell_type == "markdown"
                            or "parameters" in c.metadata.get("tags", []))
            for slug in sorted(slugs)}


@pytest.mark.parametrize("entry", TERMS, ids=lambda e: e["term"])
def test_every_half_day_term_is_in_the_glossary(entry):
    assert entry["glossary"] in glossary_english(), (
        f"{entry['term']}: add a row to docs/glossary.md with {entry['glossary']!r} in its "
        f"English column")


@pytest.mark.parametrize("entry", TERMS, ids=lambda e: e["term"])
def test_every_listed_term_is_used_in_the_half_day(entry):
    pattern = re.compile(entry["pattern"], re.IGNORECASE)
    used = [slug for slug, text in half_day_markdown().items() if pattern.search(text)]
    assert used, f"{entry['term']}: no half-day lesson uses it; drop it from terms.yaml"


def test_a_missing_glossary_row_is_found():
    assert "no such term" not in glossary_english()
    assert {"seed", "epoch", "TLS (Transport Layer Security)"} <= glossary_english()
