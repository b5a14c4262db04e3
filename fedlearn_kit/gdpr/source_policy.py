"""Which sources a legal statement of the course may rest on (lesson 00's cards).

A learner must be able to follow every source: each is an item-level address (the statute,
the judgment, the regulator's own page, the paper), not a listing page or a site's front page,
and never a file that is not in the repository. A primary source is on an official domain
(or, for research, on the paper's own archive); a secondary source (someone else's account)
is named as such and never on a domain that publishes unofficial copies or unreviewed files
(GitHub, personal hosting). A card that cites a secondary source must also cite a primary
one, or say that its point is unsettled: no legal statement rests on a secondary source alone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

#: Domains of primary legal sources: legislators, courts, the Official Journal, regulators,
#: supervisory and public bodies. A sub-domain of a listed domain counts as the domain.
PRIMARY_DOMAINS = (
    "europa.eu", "riksdagen.se", "regeringen.se", "rkrattsbaser.gov.se", "lagrummet.se",
    "imy.se", "jo.se", "domstol.se", "ivo.se", "lakemedelsverket.se", "socialstyrelsen.se",
    "riksrevisionen.se", "skr.se", "msb.se", "etikprovningsmyndigheten.se", "ico.org.uk",
    "datatilsynet.no", "cnil.fr", "findata.fi",
)
#: Domains of primary research sources (the papers the course's technical claims rest on)
#: and of the public bodies that publish the tools it names.
RESEARCH_DOMAINS = ("arxiv.org", "eprint.iacr.org", "ai.se")
#: Never a source: unreviewed files and unofficial copies of other organisations' pages.
DENIED_DOMAINS = ("github.com", "githubusercontent.com", "gist.github.com", "vercel.app",
                  "netlify.app", "pages.dev", "blogspot.com", "scribd.com", "docplayer.se")
#: Addresses that list items rather than being one (the item page must be cited instead).
_LISTING = re.compile(
    r"(/nyheter/?|/blogg/?|/news/?|/besluten/?|/reports/?|/publikationer/?|"
    r"techdispatch_en|guidance-mdcg-endorsed-documents-and-other-guidance_en|"
    r"/konsekvensbedomning/?)$")
#: Words in a source's ``via`` that point at documents a learner does not have.
_UNSHIPPED = re.compile(r"legal-review|review\.md|\bseed|fact sheet|DPO review|reviewer",
                        re.IGNORECASE)


def _on(host: str, domains: Sequence[str]) -> bool:
    return any(host == d or host.endswith("." + d) for d in domains)


def url_problems(key: str, url: str, kind: str) -> list[str]:
    """Why a source's address breaks the policy (empty when it does not)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    problems = []
    if _on(host, DENIED_DOMAINS):
        problems.append(f"source {key}: {host} is not an allowed source (unreviewed files or "
                        f"unofficial copies); cite the publisher's own page")
    elif kind == "primary" and not _on(host, PRIMARY_DOMAINS + RESEARCH_DOMAINS):
        problems.append(f"source {key}: a primary source must be on an official domain "
                        f"({', '.join(PRIMARY_DOMAINS)}) or a research archive; {host} is "
                        f"not: mark it kind: secondary, or cite the official text")
    if parts.path in ("", "/") or _LISTING.search(parts.path):
        problems.append(f"source {key}: {url} is a listing or front page; cite the item's "
                        f"own page")
    return problems


def source_policy_problems(key: str, src: Mapping[str, Any]) -> list[str]:
    """Every way one entry of the sources table breaks the policy."""
    problems = url_problems(key, str(src.get("url") or ""), src.get("kind", "primary"))
    via = str(src.get("via") or "")
    if _UNSHIPPED.search(via):
        problems.append(f"source {key}: 'via' refers to a document that is not in the "
                        f"repository ({via[:60]}...); say what was read, and where")
    return problems


def card_source_problems(card_id: str, cited: Sequence[Mapping[str, Any]],
                         unsettled: bool) -> list[str]:
    """A card whose only sources are secondary must say its point is unsettled."""
    if cited and all(s.get("kind", "primary") == "secondary" for s in cited) and not unsettled:
        return [f"{card_id}: every source is secondary; cite a primary source, or mark the "
                f"card unsettled and say what is open"]
    return []
