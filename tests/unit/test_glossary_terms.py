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


# --- the Swedish side: the term list's words the Swedish half-day lessons use ---------------

SWEDISH_TERMS = yaml.safe_load((ROOT / "docs" / "swedish-terms.yaml").read_text("utf-8"))["terms"]
#: Entries of the term list that fix a wording or a citation style, not a term to look up.
NOT_A_TERM = {"law_reference_order"}


def glossary_swedish() -> list[str]:
    """The Swedish column of every table row of docs/glossary.md, brackets taken out
    ("konsekvensbedömning (avseende dataskydd), KB" holds "konsekvensbedömning avseende
    dataskydd")."""
    text = (ROOT / "docs" / "glossary.md").read_text("utf-8")
    return [re.sub(r"[()]", "", m.group(1)).lower() for m in _ROW.finditer(text)
            if m.group(1) not in ("svenska", "---")]


def swedish_half_day_markdown() -> dict[str, str]:
    """The Markdown of every half-day lesson that exists in Swedish, by slug."""
    out = {}
    for slug in half_day_markdown():
        swedish = notebook_path(slug).parent / "sv" / notebook_path(slug).name
        if swedish.exists():
            out[slug] = "\n".join(c.source for c in nbformat.read(swedish, 4).cells
                                  if c.cell_type == "markdown")
    return out


def test_the_swedish_half_day_lessons_exist_for_the_check_below():
    assert {"start_here", "dpia_and_next_steps"} <= set(swedish_half_day_markdown())


@pytest.mark.parametrize("entry", [e for e in SWEDISH_TERMS if e["concept"] not in NOT_A_TERM],
                         ids=lambda e: e["concept"])
def test_every_term_a_swedish_half_day_lesson_uses_is_in_the_glossary(entry):
    """One Swedish term per concept (docs/swedish-terms.yaml): a Swedish reader who meets it in
    a half-day lesson finds it in the glossary's Swedish column."""
    pattern = re.compile(rf"\b{re.escape(entry['sv'])}", re.IGNORECASE)
    used = [slug for slug, text in swedish_half_day_markdown().items() if pattern.search(text)]
    if not used:
        pytest.skip(f"{entry['sv']!r} is in no Swedish half-day lesson")
    assert any(entry["sv"].lower() in row for row in glossary_swedish()), (
        f"{entry['sv']!r} ({entry['en']}) is used in {used}: add it to the Swedish column of "
        f"docs/glossary.md")


def test_a_swedish_term_missing_from_the_glossary_is_found():
    assert not any("ingen sådan term" in row for row in glossary_swedish())
    assert any("konsekvensbedömning avseende dataskydd" in row for row in glossary_swedish())
