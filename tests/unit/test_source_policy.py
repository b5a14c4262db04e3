"""The source policy: every source a learner can follow, on an allowed domain, item-level."""

from __future__ import annotations

import copy

import pytest

from fedlearn_kit import gdpr
from fedlearn_kit.gdpr import cards as cards_module
from fedlearn_kit.gdpr import source_policy


@pytest.fixture(scope="module")
def data():
    return cards_module.read_cards_file()


def _problems(data, key, **changes):
    bad = copy.deepcopy(data)
    bad["sources"][key].update(changes)
    return [p for p in gdpr.validate_cards(bad) if p.startswith(f"source {key}:")]


def test_every_shipped_source_follows_the_policy(data):
    problems = [p for key, src in data["sources"].items()
                for p in source_policy.source_policy_problems(key, src)]
    assert problems == []


def test_every_source_has_a_url_a_date_and_an_access_day(data):
    for key, src in data["sources"].items():
        assert src["url"].startswith(("https://", "http://")), key
        assert src["date"] and src["accessed"], key


@pytest.mark.parametrize("url", [
    # the listing pages the DPO review named (the item pages must be cited instead)
    "https://www.imy.se/nyheter/", "https://www.imy.se/blogg/", "https://www.voister.se/",
    "https://www.ai.se/en/news", "https://www.jo.se/besluten/",
    "https://www.datatilsynet.no/en/regulations-and-tools/sandbox-for-artificial-intelligence/"
    "reports/",
    "https://www.edps.europa.eu/data-protection/our-work/publications/techdispatch_en",
    "https://health.ec.europa.eu/medical-devices-sector/new-regulations/"
    "guidance-mdcg-endorsed-documents-and-other-guidance_en",
])
def test_a_listing_page_is_refused(data, url):
    assert any("listing or front page" in p for p in _problems(data, "gdpr", url=url))


@pytest.mark.parametrize("url", [
    "https://raw.githubusercontent.com/ThomasMoreAI/legal-skills-open/main/timeline.md",
    "https://github.com/someone/legal-notes/blob/main/ai-act.md",
    "https://dlapiper.vercel.app/en-at/insights/publications/digital-omnibus-on-ai",
])
def test_unofficial_copies_and_github_files_are_refused_even_as_secondary(data, url):
    problems = _problems(data, "gdpr", url=url, kind="secondary")
    assert any("not an allowed source" in p for p in problems), problems


def test_a_primary_source_must_be_on_an_official_domain(data):
    problems = _problems(data, "gdpr", url="https://lagen.nu/2009:400")
    assert any("official domain" in p for p in problems)
    assert _problems(data, "gdpr", url="https://lagen.nu/2009:400", kind="secondary") == []


def test_a_source_without_a_url_is_refused(data):
    assert any("must be an http(s) link" in p for p in _problems(data, "gdpr", url=""))


@pytest.mark.parametrize("via", [
    "checked against the source in the DPO review of Nov 2026 (legal-review.md)",
    "the post's text read in the project's seed copy",
    "content checked in the project's fact sheet",
])
def test_a_via_pointing_at_a_document_learners_do_not_have_is_refused(data, via):
    assert any("not in the repository" in p for p in _problems(data, "gdpr", via=via))


def test_a_settled_card_cannot_rest_on_secondary_sources_alone(data):
    bad = copy.deepcopy(data)
    card = next(c for c in bad["cards"] if c["id"] == "start_here.controller")
    card["sources"] = ["aise_leak_2024"]
    problems = gdpr.validate_cards(bad)
    assert any(p.startswith("start_here.controller: every source is secondary") for p in problems)
    card["unsettled"] = True
    card["open"] = {"en": "Open as of 2026.", "sv": "Öppen per 2026."}
    assert not any(p.startswith("start_here.controller: every source") for p in
                   gdpr.validate_cards(bad))


def test_no_card_cites_a_secondary_source_for_a_settled_point_alone():
    for card in gdpr.load_cards():
        if not card.unsettled:
            assert any(s.kind == "primary" for s in card.sources), card.id


def test_swedish_citation_uses_the_official_swedish_title_or_marks_english():
    card = gdpr.card_by_id("federated.joint_controllers")
    cites = [s.cite("sv") for s in card.sources]
    gdpr_cite = next(c for c in cites if "2016/679" in c)
    assert gdpr_cite.startswith("Europaparlamentets och rådets förordning (EU) 2016/679")
    assert "läst 2026-12-07" in gdpr_cite
    assert any("(på engelska)" in c and c.startswith("«") for c in cites)
