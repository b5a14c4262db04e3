"""The GDPR question cards: loading, checking and rendering them as Markdown (lesson 00).

The cards live in ``cards.yaml`` next to this module, one card per question a data
protection officer would ask at a step of the course, in Swedish and English. This module
reads them, checks them (every test of the file goes through :func:`validate_cards`) and
renders a step's cards as deterministic Markdown, which is what a notebook shows where
widgets cannot render (nbval, an HTML export, a terminal).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

LANGUAGES = ("en", "sv")

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
    # patientdatalagen and offentlighets- och sekretesslagen: "PDL 2 kap. 4 §", "PDL 4 kap."
    "PDL": r"PDL \d{1,2} kap\.( \d{1,2} [a-z]? ?§)?",
    "OSL": r"OSL \d{1,2} kap\.( \d{1,2} [a-z]? ?§)?",
    # a whole Swedish statute by its number: "SFS 2003:460"
    "SFS": r"SFS \d{4}:\d{1,4}",
}
_LAW = re.compile("|".join(f"(?:{p})" for p in LAW_PATTERNS.values()))
_CARD_ID = re.compile(r"[a-z_]+\.[a-z0-9_]+")
_DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")


def is_law_reference(text: str) -> bool:
    """True if ``text`` is a reference such as "GDPR Art. 35(7)" or "OSL 25 kap. 1 §"."""
    return _LAW.fullmatch(text) is not None


@dataclass(frozen=True)
class Source:
    """A source a card cites: title, publisher, ISO date ("accessed" date if undated)."""

    key: str
    title: str
    publisher: str
    date: str
    date_kind: str = "published"

    def cite(self) -> str:
        """The source as one line: "Title (Publisher, 2024-12-17)"."""
        when = f"accessed {self.date}" if self.date_kind == "accessed" else self.date
        return f"{self.title} ({self.publisher}, {when})"


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

    def text(self, field: str, lang: str) -> str:
        """One bilingual field ("question", "why", "shown_in", "open") in ``lang``."""
        _check_lang(lang)
        value = getattr(self, field)
        return "" if value is None else value[lang]


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

    Checks: both languages present and non-empty, law references in the grammar of
    :data:`LAW_PATTERNS`, sources known and complete (title, publisher, ISO date), unique ids
    that start with their step, a DPIA part per card, an ``open`` text on unsettled cards, and
    at least ``min_per_step`` cards for every step of :data:`STEPS`.
    """
    problems: list[str] = []
    sources = data.get("sources") or {}
    for key, src in sources.items():
        for field in ("title", "publisher", "date"):
            if not isinstance(src, Mapping) or not str(src.get(field) or "").strip():
                problems.append(f"source {key}: no {field}")
        if isinstance(src, Mapping) and not _DATE.fullmatch(str(src.get("date", ""))):
            problems.append(f"source {key}: date {src.get('date')!r} is not YYYY, YYYY-MM "
                            f"or YYYY-MM-DD")
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
        law = card.get("law") or []
        if not law:
            problems.append(f"{cid}: no law references")
        problems += [f"{cid}: law reference {ref!r} is not well-formed (e.g. 'GDPR Art. 35(7)', "
                     f"'OSL 25 kap. 1 §')" for ref in law if not is_law_reference(str(ref))]
        if not card.get("sources"):
            problems.append(f"{cid}: no sources")
        problems += [f"{cid}: source {key!r} is not in the sources table"
                     for key in card.get("sources") or [] if key not in sources]
        if card.get("dpia") not in DPIA_PARTS:
            problems.append(f"{cid}: dpia must be one of {DPIA_PARTS}")
    problems += [f"step {step}: {n} card(s), at least {min_per_step} needed"
                 for step, n in per_step.items() if n < min_per_step]
    return problems


def _build(data: Mapping[str, Any]) -> tuple[Card, ...]:
    sources = {key: Source(key=key, title=s["title"], publisher=s["publisher"],
                           date=str(s["date"]), date_kind=s.get("date_kind", "published"))
               for key, s in data["sources"].items()}
    return tuple(Card(id=c["id"], step=c["step"], question=c["question"], why=c["why"],
                      shown_in=c["shown_in"], law=tuple(c["law"]),
                      sources=tuple(sources[k] for k in c["sources"]), dpia=c["dpia"],
                      terms=tuple(c.get("terms") or ()), unsettled=bool(c.get("unsettled")),
                      open=c.get("open"))
                 for c in data["cards"])


def read_cards_file() -> dict[str, Any]:
    """The parsed ``cards.yaml`` shipped with the package."""
    text = resources.files("fedlearn_kit.gdpr").joinpath("cards.yaml").read_text("utf-8")
    return yaml.safe_load(text)


@cache
def load_cards() -> tuple[Card, ...]:
    """All cards, checked; raises ValueError listing every problem if the file is broken."""
    data = read_cards_file()
    problems = validate_cards(data)
    if problems:
        raise ValueError("fedlearn_kit/gdpr/cards.yaml has problems:\n  " + "\n  ".join(problems))
    return _build(data)


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
           "answer_note": "Write your answers in the panel in JupyterLab. They are saved in "
                          "`fedlearn-answers.json` beside the notebook (or where "
                          "`FEDLEARN_ANSWERS` or `answers_file=` points), never in the "
                          "notebook."},
    "sv": {"why": "Varför det spelar roll", "shown": "I den här notebooken", "law": "Regler",
           "sources": "Källor", "open": "Oklart rättsläge", "heading": "Dataskyddsfrågor",
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
             f"- {label['law']}: {'; '.join(card.law)}"]
    if card.unsettled:
        lines.append(f"- ⚖ {label['open']}: {card.text('open', lang)}")
    lines.append(f"- {label['sources']}: " + "; ".join(s.cite() for s in card.sources))
    return "\n".join(lines)


def step_markdown(step: str, lang: str = "en", answer_note: bool = True) -> str:
    """All cards of a step as Markdown: the same text for the same step and language.

    The learner's answers, and where their file is, are deliberately left out: they belong
    in the answers file, and a fallback that printed them would store them in the notebook
    and make nbval depend on the learner's settings.
    """
    _check_lang(lang)
    parts = [f"### {_LABELS[lang]['heading']} · {step_title(step, lang)}"]
    if answer_note:
        parts.append(_LABELS[lang]["answer_note"])
    parts += [card_markdown(card, lang) for card in cards_for(step)]
    return "\n\n".join(parts) + "\n"


def swedish_terms(cards: Sequence[Card] | None = None) -> list[str]:
    """Every Swedish term the cards declare, sorted (each should be in docs/glossary.md)."""
    return sorted({t for c in (cards or load_cards()) for t in c.terms}, key=str.lower)
