"""The non-programmer's reading path (tools/reading_path.py): the rules, and the lessons."""

from __future__ import annotations

import nbformat
import pytest

from tests.helpers import ROOT
from tools import reading_path as rp

#: Every lesson keeps the reading path. When a merge conflicts in a lesson, take the other
#: side's version and run ``python -m tools.reading_path`` on it again (the rules are idempotent).
READY = ("00_start_here", "01_synthetic_patients", "02_local_models", "03_centralised",
         "04_federated", "05_what_leaks", "06_privacy_defences", "07_real_deployment",
         "08_dpia_and_next_steps")
ROLES = ("*Clinician:*", "*DPO and lawyer:*", "*IT and security:*", "*Data scientist:*")


def _notebook(*sources: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(s[3:]) if s.startswith("md:")
                else nbformat.v4.new_code_cell(s) for s in sources]
    return nb


def test_claims_move_to_a_collapsed_cell_after_the_computation():
    nb = _notebook("import fedlearn_kit as kit",
                   'from fedlearn_kit.claims import claim\nx = 2\nclaim(x > 1,\n      "x is '
                   'big")\nprint(x)\nx')
    out = rp.apply_rules(nb)
    assert [c.source for c in out.cells[1:]] == [
        "x = 2\nprint(x)\nx",
        f'{rp.MARKERS[rp.CLAIMS]}\n{rp.CLAIM_IMPORT}\n\nclaim(x > 1,\n      "x is big")']
    claims = out.cells[2]
    assert claims.metadata["tags"] == [rp.CLAIMS]
    assert claims.metadata["jupyter"]["source_hidden"] is True
    assert nbformat.writes(rp.apply_rules(out)) == nbformat.writes(out)  # idempotent


def test_cards_cell_becomes_self_contained():
    nb = _notebook("import fedlearn_kit as kit", 'kit.show_cards("centralised")')
    cards = rp.apply_rules(nb).cells[1]
    assert cards.metadata["tags"] == [rp.CARDS]
    assert "from fedlearn_kit.gdpr import show_cards" in cards.source
    assert 'show_cards("centralised")' in cards.source
    assert rp.free_names(cards.source) == set()
    assert rp.free_names(nb.cells[1].source) == {"kit"}


def test_listings_are_marked_for_developers():
    nb = _notebook("kit.show_source(kit.training.train)")
    cell = rp.apply_rules(nb).cells[0]
    assert rp.DEVELOPERS in cell.metadata["tags"]
    assert cell.source.splitlines()[0] == rp.MARKERS[rp.DEVELOPERS]
    assert "source_hidden" not in cell.metadata.get("jupyter", {})  # the listing is the point


def test_problems_name_what_breaks_the_path():
    nested = _notebook("md:# 99 · A lesson", 'for x in [1]:\n    claim(x, "one")',
                       'from fedlearn_kit import gdpr\ngdpr.show_cards("centralised", '
                       "answers_file=path)")
    found = "\n".join(rp.problems(rp.apply_rules(nested), "x.ipynb"))
    assert "a claim(...) outside a checked-sentences cell" in found
    assert "the cards cell needs ['path'] from earlier cells" in found
    assert "not as the reading-path rules make it" in "\n".join(rp.problems(nested, "x.ipynb"))
    no_cards = _notebook("md:# 99", "x = 1")
    assert "0 cards cells" in "\n".join(rp.problems(no_cards, "x.ipynb"))


@pytest.mark.parametrize("name", READY)
def test_lesson_follows_the_reading_path(name):
    nb = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
    assert rp.problems(nb, name) == []


@pytest.mark.parametrize("name", READY)
def test_lesson_opens_with_what_each_role_takes_from_it(name):
    nb = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
    intro = nb.cells[0].source
    assert "**For you, by role**" in intro
    lines = intro.split("**For you, by role**", 1)[1].strip().splitlines()
    for role in ROLES:
        assert any(ln.startswith(f"- {role}") for ln in lines), (name, role)
