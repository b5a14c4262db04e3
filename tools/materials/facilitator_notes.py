"""Facilitator notes per card (``facilitator.yaml``) and the guide's card section.

``facilitator.yaml`` holds, for every card of ``cards.yaml``, what a facilitator needs to run
its discussion: the minutes it takes, which output of the lesson to show, what a good
discussion covers, the Swedish context and the usual misconceptions, in Swedish and English.
:func:`facilitator_notes_markdown` renders them into docs/workshop.md (the block between
:data:`BEGIN` and :data:`END`); ``python -m tools.materials`` rewrites it, and a test
fails when the guide, the notes and the cards disagree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import yaml

from fedlearn_kit.gdpr.cards import LANGUAGES, STEPS, Card, cards_for, load_cards, step_title
from tools import ROOT
from tools.materials import HERE

GUIDE = ROOT / "docs" / "workshop.md"
BEGIN = ("<!-- BEGIN facilitator notes: generated from fedlearn_kit/gdpr/cards.yaml and "
         "tools/materials/facilitator.yaml by `python -m tools.materials`; do not edit by "
         "hand -->")
END = "<!-- END facilitator notes -->"
TEXT_FIELDS = ("show", "context")
LIST_FIELDS = ("discussion", "misconceptions")
LABELS = {
    "en": {"show": "Show", "discussion": "A good discussion covers",
           "context": "Swedish context", "misconceptions": "Typical misconceptions",
           "unsettled": "Unsettled law: collect the positions and the question for the DPO; "
                        "do not settle it in the room.",
           "law": "Law", "min": "min", "lang": "In English"},
    "sv": {"show": "Visa", "discussion": "En bra diskussion tar upp",
           "context": "Svenskt sammanhang", "misconceptions": "Vanliga missuppfattningar",
           "unsettled": "Oklart rättsläge: samla ståndpunkterna och frågan till "
                        "dataskyddsombudet; avgör inte frågan i rummet.",
           "law": "Lagrum", "min": "min", "lang": "På svenska"},
}


@dataclass(frozen=True)
class CardNotes:
    """A facilitator's notes for one card (see the header of ``facilitator.yaml``)."""

    card_id: str
    minutes: int
    show: Mapping[str, str]
    discussion: Mapping[str, list[str]]
    context: Mapping[str, str]
    misconceptions: Mapping[str, list[str]]


def read_notes_file() -> dict[str, Any]:
    """The parsed ``facilitator.yaml`` in this folder."""
    text = (HERE / "facilitator.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def validate_notes(data: Mapping[str, Any], cards: tuple[Card, ...] | None = None) -> list[str]:
    """Every problem with parsed notes: cards without notes, notes without a card, a field
    missing or empty in a language, minutes that are not a positive whole number."""
    ids = {c.id for c in (cards or load_cards())}
    problems = [f"{cid}: card has no facilitator notes" for cid in sorted(ids - set(data))]
    problems += [f"{cid}: notes for a card that does not exist (renamed? see "
                 f"/work/helpers/notes/card-ids.md)" for cid in sorted(set(data) - ids)]
    for cid, notes in data.items():
        if not isinstance(notes, Mapping):
            problems.append(f"{cid}: notes must be a mapping")
            continue
        if not isinstance(notes.get("minutes"), int) or notes["minutes"] <= 0:
            problems.append(f"{cid}.minutes: a positive whole number of minutes")
        for field in TEXT_FIELDS + LIST_FIELDS:
            value = notes.get(field)
            for lang in LANGUAGES:
                text = value.get(lang) if isinstance(value, Mapping) else None
                if field in LIST_FIELDS:
                    ok = bool(isinstance(text, list) and text
                              and all(isinstance(t, str) and t.strip() for t in text))
                else:
                    ok = isinstance(text, str) and bool(text.strip())
                if not ok:
                    problems.append(f"{cid}.{field}.{lang}: missing or empty")
    return problems


@cache
def load_notes() -> dict[str, CardNotes]:
    """Every card's notes, checked against the cards; ValueError listing every problem."""
    data = read_notes_file()
    problems = validate_notes(data)
    if problems:
        raise ValueError("tools/materials/facilitator.yaml has problems:\n  "
                         + "\n  ".join(problems))
    return {cid: CardNotes(card_id=cid, **notes) for cid, notes in data.items()}


def card_minutes(card_id: str) -> int:
    """Minutes the card's round takes in the room."""
    return load_notes()[card_id].minutes


def card_notes_markdown(card: Card, lang: str) -> str:
    """One card's notes in one language, as a Markdown list."""
    notes, label = load_notes()[card.id], LABELS[lang]
    lines = [f"- **{label['show']}:** {notes.show[lang]}",
             f"- **{label['discussion']}:**"]
    lines += [f"  - {point}" for point in notes.discussion[lang]]
    lines.append(f"- **{label['context']}:** {notes.context[lang]}")
    lines.append(f"- **{label['misconceptions']}:**")
    lines += [f"  - {point}" for point in notes.misconceptions[lang]]
    if card.unsettled:
        lines.append(f"- ⚖ {label['unsettled']}")
    return "\n".join(lines)


def facilitator_notes_markdown() -> str:
    """Per lesson, each card's question (en, sv), id, minutes, law and notes in both languages."""
    from tools.materials.read_out import read_out_markdown  # read_out imports the agendas

    lines = [BEGIN, ""]
    for step in STEPS:
        cards = cards_for(step)
        minutes = sum(card_minutes(c.id) for c in cards)
        lines += [f"### {step_title(step)} · {len(cards)} cards, {minutes} min if all are "
                  f"discussed", ""]
        numbers = read_out_markdown(step, "en")
        if numbers:
            lines += [*numbers, f"<details><summary>{LABELS['sv']['lang']}</summary>", "",
                      *read_out_markdown(step, "sv"), "</details>", ""]
        for card in cards:
            flag = " · ⚖" if card.unsettled else ""
            lines += [f"#### `{card.id}` · {card_minutes(card.id)} min{flag}", "",
                      f"**{card.text('question', 'en')}**  ",
                      f"*{card.text('question', 'sv')}*  ",
                      f"{LABELS['en']['law']}: {'; '.join(card.law)}", "",
                      card_notes_markdown(card, "en"), "",
                      f"<details><summary>{LABELS['sv']['lang']}</summary>", "",
                      card_notes_markdown(card, "sv"), "", "</details>", ""]
    lines.append(END)
    return "\n".join(lines)


def generated_block(text: str, begin: str = BEGIN, end: str = END) -> str | None:
    """The generated block of a guide's text between two markers, or None if missing."""
    start, stop = text.find(begin), text.find(end)
    if start < 0 or stop < start:
        return None
    return text[start:stop + len(end)]


def replace_block(text: str, new_block: str, begin: str = BEGIN, end: str = END) -> str:
    """``text`` with its generated block replaced; ValueError if the markers are missing."""
    block = generated_block(text, begin, end)
    if block is None:
        raise ValueError(f"no generated block; put the lines\n{begin}\n{end}\nwhere it belongs.")
    return text.replace(block, new_block)
