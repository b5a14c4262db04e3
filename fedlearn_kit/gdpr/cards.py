"""The GDPR question cards: loading, checking and rendering them as Markdown (lesson 00).

The cards live in ``cards.yaml`` next to this module, one card per question a data
protection officer would ask at a step of the course, in Swedish and English. This module
reads them, checks them (every test of the file goes through :func:`validate_cards`) and
renders a step's cards as deterministic Markdown, which is what a notebook shows where
widgets cannot render (nbval, an HTML export, a terminal).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from fedlearn_kit.gdpr.lawref import laws_in
from fedlearn_kit.gdpr.source_policy import card_source_problems, source_policy_problems
from fedlearn_kit.i18n import language

LANGUAGES = ("en", "sv")

#: Who should answer a card: (English label, Swedish label) per role key.
ROLES: dict[str, tuple[str, str]] = {
    "data_scientist": ("data scientist", "dataanalytiker"),
    "clinician": ("clinician", "kliniker"),
    "it_security": ("IT and security", "IT och säkerhet"),
    "dpo": ("data protection officer", "dataskyddsombud"),
    "lawyer": ("lawyer", "jurist"),
}

#: A card's "what a good answer contains" has this many points per language.
GOOD_ANSWER_POINTS = (2, 4)

#: The kinds of source a card may cite. A secondary source is one that reports another's
#: text or decision (a law firm's summary, a news item); the card names it as such.
SOURCE_KINDS = ("primary", "secondary")

#: The course's steps, in order: notebook slug -> (number, English title, Swedish title).
STEPS: dict[str, tuple[str, str, str]] = {
    "start_here": ("00", "Start here", "Kom igång"),
    "synthetic_patients": ("01", "Synthetic patients", "Syntetiska patienter"),
    "local_models": ("02", "Local models", "Lokala modeller"),
    "centralised": ("03", "Centralised", "Central träning"),
    "federated": ("04", "Federated", "Federerad inlärning"),
    "what_leaks": ("05", "What leaks", "Vad läcker"),
    "privacy_defences": ("06", "Privacy defences", "Integritetsskydd"),
    "real_deployment": ("07", "Real deployment", "Verklig driftsättning"),
    "dpia_and_next_steps": ("08", "DPIA and next steps", "Konsekvensbedömning och nästa steg"),
}

#: The four parts of a DPIA after GDPR Art. 35(7)(a)-(d); each card feeds one of them.
DPIA_PARTS = ("description", "necessity", "risks", "measures")

#: The grammar of a law reference. A reference must match one of these in full.
LAW_PATTERNS: dict[str, str] = {
    # GDPR Art. 5(1)(c), GDPR Art. 26, GDPR Art. 12–22, GDPR Recital 26
    "GDPR": r"GDPR (Art\. \d{1,2}(\(\d{1,2}\))?(\([a-z]\))?(–\d{1,2})?|Recital \d{1,3})",
    # AI Act Art. 6(1), AI Act Annex III
    "AI Act": r"AI Act (Art\. \d{1,3}(\(\d{1,2}\))?(\([a-z]\))?|Annex [IVX]+)",
    "EHDS": r"EHDS (Art\. \d{1,3}(\(\d{1,2}\))?(\([a-z]\))?|Annex [IVX]+)",
    "MDR": r"MDR (Art\. \d{1,3}(\(\d{1,2}\))?(\([a-z]\))?|Annex [IVX]+)",
    "NIS2": r"NIS2 Art\. \d{1,2}(\(\d{1,2}\))?(\([a-z]\))?",
    # Swedish statutes by chapter and section: patientdatalagen, offentlighets- och
    # sekretesslagen, tryckfrihetsförordningen, hälso- och sjukvårdslagen,
    # patientsäkerhetslagen, dataskyddslagen (2018:218): "PDL 2 kap. 4 §", "PDL 4 kap.",
    # "OSL 8 kap. 1–2 §§", "OSL 10 kap. 2 a §"
    "Swedish statute": r"(PDL|OSL|TF|HSL|PSL|DSL) \d{1,2} kap\."
                       r"( \d{1,2} [a-z]? ?§| \d{1,2}–\d{1,2} §§)?",
    # kommunallagen, lagen om offentlig upphandling, patientlagen: "KL 9 kap. 37 §",
    # "LOU 3 kap. 17 §", "PL 3 kap."
    "Swedish statute (other)": r"(KL|LOU|PL) \d{1,2} kap\.( \d{1,2} [a-z]? ?§)?",
    # a whole Swedish statute by its number: "SFS 2003:460"
    "SFS": r"SFS \d{4}:\d{1,4}",
    # an agency's regulations: "HSLF-FS 2016:40"
    "Regulations": r"HSLF-FS \d{4}:\d{1,4}",
    # a Finnish statute by its number: "Finnish Act 552/2019"
    "Finnish Act": r"Finnish Act \d{1,4}/\d{4}",
    # judgments of the Court of Justice and the General Court: "CJEU C-634/21",
    # "CJEU C-413/23 P", "General Court T-553/23"
    "CJEU": r"(CJEU C|General Court T)-\d{1,3}/\d{2}( P)?",
    # an EU implementing or adequacy decision: "Decision (EU) 2023/1795"
    "Decision": r"Decision \(EU\) \d{4}/\d{1,4}",
}
_LAW = re.compile("|".join(f"(?:{p})" for p in LAW_PATTERNS.values()))
_CARD_ID = re.compile(r"[a-z_]+\.[a-z0-9_]+")
_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_URL = re.compile(r"https?://[^\s/]+\.[^\s]+")


def is_law_reference(text: str) -> bool:
    """True if ``text`` is a reference such as "GDPR Art. 35(7)" or "OSL 25 kap. 1 §"."""
    return _LAW.fullmatch(text) is not None


#: Publishers' names in Swedish where Swedish has an official or usual name (Swedish text).
PUBLISHERS_SV = {
    "Article 29 Data Protection Working Party (endorsed by the EDPB)":
        "Artikel 29-arbetsgruppen (godkända av EDPB)",
    "Court of Justice of the European Union": "Europeiska unionens domstol",
    "Datatilsynet (Norwegian Data Protection Authority)":
        "Datatilsynet (Norges dataskyddsmyndighet)",
    "European Commission": "Europeiska kommissionen",
    "European Data Protection Board (EDPB)": "Europeiska dataskyddsstyrelsen (EDPB)",
    "European Data Protection Supervisor (EDPS)": "Europeiska datatillsynsmannen (EDPS)",
    "European Parliament and Council of the European Union":
        "Europaparlamentet och Europeiska unionens råd",
    "Findata (Finnish Social and Health Data Permit Authority)":
        "Findata (Finlands tillståndsmyndighet för social- och hälsodata)",
    "General Court of the European Union": "Europeiska unionens tribunal",
    "Information Commissioner's Office (ICO, United Kingdom)":
        "Information Commissioner's Office (ICO, Storbritanniens dataskyddsmyndighet)",
    "Medical Device Coordination Group and Artificial Intelligence Board":
        "Samordningsgruppen för medicintekniska produkter (MDCG) och AI-styrelsen",
    "Montero Aramburu & Gómez-Villares (law firm)": "Montero Aramburu & Gómez-Villares "
                                                    "(advokatbyrå)",
    "Official Journal of the European Union (Court of Justice notice)":
        "Europeiska unionens officiella tidning (meddelande från domstolen)",
    "Regeringen (text as published by Sveriges riksdag)":
        "Regeringen (texten så som Sveriges riksdag publicerar den)",
    "Regeringen (text as published on lagen.nu)":
        "Regeringen (texten så som lagen.nu återger den)",
    "Regeringskansliet (text as published by Sveriges riksdag)":
        "Regeringskansliet (texten så som Sveriges riksdag publicerar den)",
    "Regeringskansliet (text as published on lagen.nu)":
        "Regeringskansliet (texten så som lagen.nu återger den)",
    "AI Sweden and partners": "AI Sweden med partner",
    "Irish Council for Civil Liberties (ICCL)": "Irish Council for Civil Liberties (ICCL, "
                                                "irländsk medborgarrättsorganisation)",
}


@dataclass(frozen=True)
class Source:
    """A source a card cites: title, publisher, ISO date, link and the day it was read.

    ``kind`` is "primary" (the statute, the Official Journal, the regulator's or court's own
    page, the paper) or "secondary" (someone else's account of it, named as such).
    """

    key: str
    title: str
    publisher: str
    date: str
    date_kind: str = "published"
    url: str = ""
    accessed: str = ""
    kind: str = "primary"
    title_sv: str = ""

    def cite(self, lang: str = "en") -> str:
        """The source as one line: "Title (Publisher, 2024-12-17) <url>, accessed 2026-11-27".

        In Swedish the official Swedish title is used where the source has one; an English
        title is quoted and marked as English.
        """
        _check_lang(lang)
        if lang == "sv":
            when = f"läst {self.date}" if self.date_kind == "accessed" else self.date
            second = "; andrahandskälla" if self.kind == "secondary" else ""
            link = f" <{self.url}>, läst {self.accessed}" if self.url else ""
            title = self.title_sv or f"«{self.title}» (på engelska)"
            publisher = PUBLISHERS_SV.get(self.publisher, self.publisher)
            return f"{title} ({publisher}, {when}{second}){link}"
        when = f"accessed {self.date}" if self.date_kind == "accessed" else self.date
        second = "; secondary source" if self.kind == "secondary" else ""
        link = f" <{self.url}>, accessed {self.accessed}" if self.url else ""
        return f"{self.title} ({self.publisher}, {when}{second}){link}"


@dataclass(frozen=True)
class Card:
    """One GDPR question card (see the schema at the top of ``cards.yaml``)."""

    id: str
    step: str
    question: Mapping[str, str]
    why: Mapping[str, str]
    shown_in: Mapping[str, str]
    law: tuple[str, ...]
    sources: tuple[Source, ...]
    dpia: str
    terms: tuple[str, ...] = ()
    unsettled: bool = False
    open: Mapping[str, str] | None = None
    role: tuple[str, ...] = ()
    good_answer: Mapping[str, tuple[str, ...]] | None = None
    law_as_of: str = ""

    def text(self, field: str, lang: str | None = None) -> str:
        """One bilingual field ("question", "why", "shown_in", "open") in ``lang`` (default:
        the course's language)."""
        lang = language(lang)
        _check_lang(lang)
        value = getattr(self, field)
        return "" if value is None else value[lang]

    def points(self, lang: str | None = None) -> tuple[str, ...]:
        """What a good answer contains: the 2–4 points in ``lang`` (not a model answer)."""
        lang = language(lang)
        _check_lang(lang)
        return () if self.good_answer is None else tuple(self.good_answer[lang])

    def role_labels(self, lang: str | None = None) -> tuple[str, ...]:
        """The roles that should answer the card, as words in ``lang``."""
        lang = language(lang)
        _check_lang(lang)
        return tuple(ROLES[r][0 if lang == "en" else 1] for r in self.role)


def _check_lang(lang: str) -> None:
    if lang not in LANGUAGES:
        raise ValueError(f"lang={lang!r}: the cards exist in {LANGUAGES}; use 'en' or 'sv'.")


def _bilingual_problems(where: str, value: Any) -> list[str]:
    if not isinstance(value, Mapping):
        return [f"{where}: must have an 'sv' and an 'en' text"]
    return [f"{where}.{lang}: missing or empty" for lang in LANGUAGES
            if not isinstance(value.get(lang), str) or not value[lang].strip()]


def validate_cards(data: Mapping[str, Any], min_per_step: int = 3) -> list[str]:
    """Every problem with a parsed ``cards.yaml``, as readable lines (empty when all is well).

    Checks: both languages present and non-empty in every text field (question, why,
    shown_in, open, good_answer), law references in the grammar of :data:`LAW_PATTERNS`,
    sources known and complete (title, publisher, ISO date, an http(s) link, the day it was
    accessed, primary or secondary) and within the source policy
    (:mod:`fedlearn_kit.gdpr.source_policy`: item-level links on allowed domains, no
    reference to files a learner does not have, no card resting on secondary sources alone
    unless it is unsettled), unique ids that start with their step, a DPIA part per
    card, one or more roles from :data:`ROLES`, 2–4 good-answer points in each language, a
    ``law_as_of`` day, an ``open`` text on unsettled cards, and at least ``min_per_step``
    cards for every step of :data:`STEPS`.
    """
    problems: list[str] = []
    sources = data.get("sources") or {}
    for key, src in sources.items():
        problems += _source_problems(key, src)
        if isinstance(src, Mapping):
            problems += source_policy_problems(key, src)
    seen: set[str] = set()
    per_step = dict.fromkeys(STEPS, 0)
    for i, card in enumerate(data.get("cards") or []):
        cid = card.get("id", f"card #{i + 1}")
        if not _CARD_ID.fullmatch(str(cid)):
            problems.append(f"{cid}: id must look like 'step.name' (lower case)")
        if cid in seen:
            problems.append(f"{cid}: duplicate id")
        seen.add(cid)
        step = card.get("step")
        if step not in STEPS:
            problems.append(f"{cid}: unknown step {step!r}; steps are {list(STEPS)}")
        else:
            per_step[step] += 1
            if not str(cid).startswith(f"{step}."):
                problems.append(f"{cid}: id must start with its step '{step}.'")
        for field in ("question", "why", "shown_in"):
            problems += _bilingual_problems(f"{cid}.{field}", card.get(field))
        if card.get("unsettled"):
            problems += _bilingual_problems(f"{cid}.open (unsettled card)", card.get("open"))
        elif card.get("open") is not None:
            problems += _bilingual_problems(f"{cid}.open", card.get("open"))
        problems += _role_problems(cid, card.get("role"))
        problems += _good_answer_problems(cid, card.get("good_answer"))
        if not _DAY.fullmatch(str(card.get("law_as_of") or "")):
            problems.append(f"{cid}: law_as_of {card.get('law_as_of')!r} must be the day the "
                            f"law was last checked, as YYYY-MM-DD")
        law = card.get("law") or []
        if not law:
            problems.append(f"{cid}: no law references")
        problems += [f"{cid}: law reference {ref!r} is not well-formed (e.g. 'GDPR Art. 35(7)', "
                     f"'OSL 25 kap. 1 §')" for ref in law if not is_law_reference(str(ref))]
        if not card.get("sources"):
            problems.append(f"{cid}: no sources")
        problems += [f"{cid}: source {key!r} is not in the sources table"
                     for key in card.get("sources") or [] if key not in sources]
        problems += card_source_problems(
            str(cid), [sources[k] for k in card.get("sources") or []
                       if isinstance(sources.get(k), Mapping)], bool(card.get("unsettled")))
        if card.get("dpia") not in DPIA_PARTS:
            problems.append(f"{cid}: dpia must be one of {DPIA_PARTS}")
    problems += [f"step {step}: {n} card(s), at least {min_per_step} needed"
                 for step, n in per_step.items() if n < min_per_step]
    return problems


def _source_problems(key: str, src: Any) -> list[str]:
    if not isinstance(src, Mapping):
        return [f"source {key}: must be a table with title, publisher, date, url, accessed"]
    problems = [f"source {key}: no {field}" for field in ("title", "publisher", "date")
                if not str(src.get(field) or "").strip()]
    if not _DATE.fullmatch(str(src.get("date", ""))):
        problems.append(f"source {key}: date {src.get('date')!r} is not YYYY, YYYY-MM "
                        f"or YYYY-MM-DD")
    if not _URL.fullmatch(str(src.get("url") or "")):
        problems.append(f"source {key}: url {src.get('url')!r} must be an http(s) link to "
                        f"the text itself")
    if not _DAY.fullmatch(str(src.get("accessed") or "")):
        problems.append(f"source {key}: accessed {src.get('accessed')!r} must be the day the "
                        f"source was read, as YYYY-MM-DD")
    if src.get("kind", "primary") not in SOURCE_KINDS:
        problems.append(f"source {key}: kind {src.get('kind')!r} must be one of "
                        f"{SOURCE_KINDS}")
    return problems


def _role_problems(cid: str, roles: Any) -> list[str]:
    if not isinstance(roles, list) or not roles:
        return [f"{cid}: no role; say who should answer it ({', '.join(ROLES)})"]
    return [f"{cid}: role {r!r} is not one of {', '.join(ROLES)}" for r in roles
            if r not in ROLES]


def _good_answer_problems(cid: str, good: Any) -> list[str]:
    low, high = GOOD_ANSWER_POINTS
    if not isinstance(good, Mapping):
        return [f"{cid}.good_answer: must have 'sv' and 'en' lists of {low}–{high} points"]
    problems = []
    for lang in LANGUAGES:
        points = good.get(lang)
        if (not isinstance(points, list) or not low <= len(points) <= high
                or not all(isinstance(p, str) and p.strip() for p in points)):
            problems.append(f"{cid}.good_answer.{lang}: must be a list of {low}–{high} "
                            f"non-empty points")
    if problems == [] and len(good["sv"]) != len(good["en"]):
        problems.append(f"{cid}.good_answer: sv has {len(good['sv'])} points, en "
                        f"{len(good['en'])}; give the same points in both languages")
    return problems


def _sources(data: Mapping[str, Any]) -> dict[str, Source]:
    return {key: Source(key=key, title=s["title"], publisher=s["publisher"],
                        date=str(s["date"]), date_kind=s.get("date_kind", "published"),
                        url=s["url"], accessed=str(s["accessed"]),
                        kind=s.get("kind", "primary"), title_sv=s.get("title_sv", ""))
            for key, s in data["sources"].items()}


def _build(data: Mapping[str, Any]) -> tuple[Card, ...]:
    sources = _sources(data)
    return tuple(Card(id=c["id"], step=c["step"], question=c["question"], why=c["why"],
                      shown_in=c["shown_in"], law=tuple(c["law"]),
                      sources=tuple(sources[k] for k in c["sources"]), dpia=c["dpia"],
                      terms=tuple(c.get("terms") or ()), unsettled=bool(c.get("unsettled")),
                      open=c.get("open"), role=tuple(c["role"]),
                      good_answer={lang: tuple(c["good_answer"][lang]) for lang in LANGUAGES},
                      law_as_of=str(c["law_as_of"]))
                 for c in data["cards"])


def read_cards_file() -> dict[str, Any]:
    """The parsed ``cards.yaml`` shipped with the package (a fresh copy: callers may edit it)."""
    return copy.deepcopy(_parsed_cards_file())


@cache
def _parsed_cards_file() -> dict[str, Any]:
    # Parsed once per process, with libyaml's parser where PyYAML has it: the file is large,
    # and a DPIA draft reads it several times.
    text = resources.files("fedlearn_kit.gdpr").joinpath("cards.yaml").read_text("utf-8")
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


@cache
def load_cards() -> tuple[Card, ...]:
    """All cards, checked; raises ValueError listing every problem if the file is broken."""
    data = read_cards_file()
    problems = validate_cards(data)
    if problems:
        raise ValueError("fedlearn_kit/gdpr/cards.yaml has problems:\n  " + "\n  ".join(problems))
    return _build(data)


@cache
def load_sources() -> dict[str, Source]:
    """Every source of the sources table in ``cards.yaml``, by key (cards and the DPIA draft
    cite them)."""
    load_cards()  # checks the file first
    return _sources(read_cards_file())


def cards_for(step: str) -> tuple[Card, ...]:
    """The cards of one step (a notebook slug such as "federated")."""
    if step not in STEPS:
        raise ValueError(f"step={step!r} is not a step of the course; use one of "
                         f"{', '.join(STEPS)}.")
    return tuple(c for c in load_cards() if c.step == step)


def card_by_id(card_id: str) -> Card | None:
    """The card with this id, or None if the course has no such card (any more)."""
    return next((c for c in load_cards() if c.id == card_id), None)


def step_title(step: str, lang: str = "en") -> str:
    """ "04 · Federated" for a step slug."""
    number, en, sv = STEPS[step]
    return f"{number} · {sv if lang == 'sv' else en}"


_LABELS = {
    "en": {"why": "Why it matters", "shown": "In this notebook", "law": "Law",
           "sources": "Sources", "open": "Unsettled", "heading": "GDPR questions",
           "role": "Who should answer", "good": "A good answer covers",
           "as_of": "Law as of",
           "not_advice": "Teaching material, not legal advice: each card says the day its "
                         "law was last checked; check the sources before you rely on it.",
           "answer_note": "Write your answers in the panel in JupyterLab. They are saved in "
                          "`fedlearn-answers.json` beside the notebook (or where "
                          "`FEDLEARN_ANSWERS` or `answers_file=` points), never in the "
                          "notebook."},
    "sv": {"why": "Därför är frågan viktig", "shown": "I den här notebooken", "law": "Lagrum",
           "sources": "Källor", "open": "Oklart rättsläge", "heading": "Dataskyddsfrågor",
           "role": "Vem svarar", "good": "Ett bra svar tar upp",
           "as_of": "Rättsläge per",
           "not_advice": "Utbildningsmaterial, inte juridisk rådgivning: varje kort anger "
                         "vilken dag rättsläget senast kontrollerades; kontrollera källorna "
                         "innan ni förlitar er på det.",
           "answer_note": "Skriv era svar i panelen i JupyterLab. De sparas i "
                          "`fedlearn-answers.json` bredvid notebooken (eller där "
                          "`FEDLEARN_ANSWERS` eller `answers_file=` pekar), aldrig i "
                          "notebooken."},
}


def card_markdown(card: Card, lang: str = "en") -> str:
    """One card as Markdown, in ``lang`` with the question also in the other language."""
    _check_lang(lang)
    other = "sv" if lang == "en" else "en"
    label = _LABELS[lang]
    lines = [f"**{card.text('question', lang)}**  ",
             f"*{card.text('question', other)}*  ",
             f"`{card.id}`", "",
             f"- {label['why']}: {card.text('why', lang)}",
             f"- {label['shown']}: {card.text('shown_in', lang)}",
             f"- {label['role']}: {', '.join(card.role_labels(lang))}",
             f"- {label['law']}: {laws_in(card.law, lang)} ({label['as_of']} {card.law_as_of})"]
    if card.unsettled:
        lines.append(f"- ⚖ {label['open']}: {card.text('open', lang)}")
    lines.append(f"- {label['good']}:")
    lines += [f"    - {point}" for point in card.points(lang)]
    lines.append(f"- {label['sources']}: " + "; ".join(s.cite(lang) for s in card.sources))
    return "\n".join(lines)


def step_markdown(step: str, lang: str = "en", answer_note: bool = True) -> str:
    """All cards of a step as Markdown: the same text for the same step and language.

    The learner's answers, and where their file is, are deliberately left out: they belong
    in the answers file, and a fallback that printed them would store them in the notebook
    and make nbval depend on the learner's settings.
    """
    _check_lang(lang)
    parts = [f"### {_LABELS[lang]['heading']} · {step_title(step, lang)}",
             f"*{_LABELS[lang]['not_advice']}*"]
    if answer_note:
        parts.append(_LABELS[lang]["answer_note"])
    parts += [card_markdown(card, lang) for card in cards_for(step)]
    return "\n\n".join(parts) + "\n"


def swedish_terms(cards: Sequence[Card] | None = None) -> list[str]:
    """Every Swedish term the cards declare, sorted (each should be in docs/glossary.md)."""
    return sorted({t for c in (cards or load_cards()) for t in c.terms}, key=str.lower)
