"""Law references in the reader's language and citation style (lesson 00's cards, lesson 08).

The cards keep every reference in one grammar (``cards.LAW_PATTERNS``: "GDPR Art. 35(7)(a)",
"OSL 25 kap. 1 §"). English text shows them as written. Swedish text follows Swedish legal
citation style: the provision first and the act last ("artikel 35.7 a i
dataskyddsförordningen", "25 kap. 1 § OSL", "EU-domstolens dom i mål C-40/17").
"""

from __future__ import annotations

import re

_ARTICLE = re.compile(r"^Art\. (\d+)((?:\(\d+\))*)((?:\([a-z]\))*)(–\d+)?$")
_EU_ACTS_SV = {"GDPR": "dataskyddsförordningen", "AI Act": "AI-förordningen", "MDR": "MDR",
               "EHDS": "EHDS", "NIS2": "NIS 2-direktivet"}
_SWEDISH_ACTS_SV = {"PDL": "PDL", "OSL": "OSL", "TF": "TF", "HSL": "HSL", "PSL": "PSL",
                    "DSL": "dataskyddslagen", "KL": "kommunallagen", "LOU": "LOU",
                    "PL": "patientlagen"}


def _article_sv(rest: str) -> str | None:
    m = _ARTICLE.match(rest)
    if not m:
        return None
    numbers = [m.group(1), *re.findall(r"\((\d+)\)", m.group(2))]
    letters = " ".join(re.findall(r"\(([a-z])\)", m.group(3)))
    if m.group(4):
        return f"artiklarna {m.group(1)}{m.group(4)}"
    return "artikel " + ".".join(numbers) + (f" {letters}" if letters else "")


def law_in(ref: str, lang: str) -> str:
    """One law reference in ``lang``: "GDPR Art. 35(7)(a)" → "artikel 35.7 a i
    dataskyddsförordningen"; English references are returned unchanged."""
    if lang != "sv":
        return ref
    for act, name in _EU_ACTS_SV.items():
        if ref.startswith(act + " "):
            rest = ref[len(act) + 1:]
            article = _article_sv(rest)
            if article:
                return f"{article} i {name}"
            if rest.startswith("Recital "):
                return f"skäl {rest[len('Recital '):]} i {name}"
            if rest.startswith("Annex "):
                return f"bilaga {rest[len('Annex '):]} till {name}"
            return ref
    for act, name in _SWEDISH_ACTS_SV.items():
        if ref.startswith(act + " ") and " kap." in ref:
            return f"{ref[len(act) + 1:]} {name}"
    if ref.startswith("CJEU "):
        return f"EU-domstolens dom i mål {ref[len('CJEU '):]}"
    if ref.startswith("General Court "):
        return f"tribunalens dom i mål {ref[len('General Court '):]}"
    if ref.startswith("Decision (EU)"):
        return "beslut" + ref[len("Decision"):]
    if ref.startswith("Finnish Act "):
        return f"finska lagen {ref[len('Finnish Act '):]}"
    return ref


def laws_in(refs: tuple[str, ...] | list[str], lang: str) -> str:
    """Several references joined for a sentence or a table cell."""
    return "; ".join(law_in(ref, lang) for ref in refs)
