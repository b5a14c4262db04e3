"""Workshop agendas built from ``agendas.yaml``, the lesson times and the card notes.

An agenda is a list of blocks with minutes; the clock times, the total and the list of what
the agenda leaves out are computed, never typed, so the announced times cannot drift from
the lessons' own. :func:`agenda_markdown` renders one agenda for docs/workshop.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import yaml

from fedlearn_kit.gdpr.cards import STEPS, Card, card_by_id, load_cards, step_title
from tools.materials import HERE
from tools.materials.facilitator_notes import card_minutes
from tools.materials.times import lesson_times, practice_minutes, room_federation_minutes

BREAKS = ("fika", "lunch", "break")
FIXED_KINDS = ("setup", "welcome", "closing", "buffer", *BREAKS)
#: The share of an agenda's lesson and card-round minutes it keeps as buffer blocks, at least.
SLACK = 0.10
MODES = ("full", "teaching", "demo", "room_federation")


@dataclass(frozen=True)
class Block:
    """One row of an agenda: what happens, for how many minutes, from which minute."""

    start: int
    minutes: int
    kind: str
    what: str
    lesson: str | None = None
    mode: str | None = None
    cards: tuple[str, ...] = ()
    card_minutes: int = 0
    exercises: tuple[str, ...] = ()

    @property
    def end(self) -> int:
        """The minute the block ends, counted from the agenda's start."""
        return self.start + self.minutes


@cache
def read_agendas_file() -> dict[str, Any]:
    """The parsed ``agendas.yaml`` in this folder."""
    text = (HERE / "agendas.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def agenda_names() -> list[str]:
    """The agendas the file defines ("half_day", "full_day")."""
    return list(read_agendas_file())


def _practice(slug: str, exercises: tuple[str, ...]) -> int:
    t = lesson_times()[slug]
    return practice_minutes(t.exercises[ex] for ex in exercises) if exercises else t.practice


def _lesson_minutes(slug: str, mode: str, exercises: tuple[str, ...] = ()) -> int:
    t = lesson_times()[slug]
    return {"full": t.teaching + _practice(slug, exercises), "teaching": t.teaching,
            "demo": t.demo, "room_federation": room_federation_minutes()}[mode]


#: The Swedish words for the practice labels of lesson_times.yaml.
PRACTICE_SV = {"exercises": "övningar", "own draft": "eget utkast"}


def _lesson_what(slug: str, mode: str, lang: str, exercises: tuple[str, ...] = ()) -> str:
    t = lesson_times()[slug]
    practice = _practice(slug, exercises)
    label = f"{t.practice_label} {', '.join(exercises)}" if exercises else t.practice_label
    label_sv = (f"övningarna {', '.join(exercises)}" if exercises
                else PRACTICE_SV[t.practice_label])
    words = {
        "en": {"full": f"teaching {t.teaching} min + {label} ({practice} min)" if t.practice
               else "the whole lesson",
               "teaching": "without exercises" if t.practice else "the whole lesson",
               "demo": "facilitator demonstration of the key figures (projector view); "
                       "participants open the lesson and run only its last cell, the cards",
               "room_federation": "run across the room: the facilitator's SuperLink and "
                                  "one SuperNode per participant, or per table where tables "
                                  "share a laptop (docs/deployment.md)"},
        "sv": {"full": f"genomgång {t.teaching} min + {label_sv} ({practice} min)"
               if t.practice
               else "hela lektionen",
               "teaching": "utan övningar" if t.practice else "hela lektionen",
               "demo": "kursledaren visar de viktigaste figurerna (projektorvy); "
                       "deltagarna öppnar lektionen och kör bara dess sista cell, korten",
               "room_federation": "i hela rummet: kursledarens SuperLink och en SuperNode "
                                  "per deltagare, eller per bord där ett bord delar en dator "
                                  "(docs/sv/deployment.md)"},
    }
    return f"{step_title(slug, lang)}: {words[lang][mode]}"


def build_agenda(name: str, lang: str = "en") -> list[Block]:
    """The blocks of one agenda with their start minutes; ValueError on a malformed block."""
    spec = read_agendas_file()[name]
    blocks, minute = [], 0
    for raw in spec["blocks"]:
        kind = raw["kind"]
        if kind in FIXED_KINDS:
            block = Block(minute, int(raw["minutes"]), kind, raw["what"][lang])
        elif kind == "lesson":
            slug, mode = raw["lesson"], raw["mode"]
            if slug not in STEPS or mode not in MODES:
                raise ValueError(f"agenda {name}: lesson {slug!r} / mode {mode!r}: use a "
                                 f"lesson slug and one of {MODES}")
            unknown = [cid for cid in raw.get("cards", []) if card_by_id(cid) is None]
            if unknown:
                raise ValueError(f"agenda {name}: no such card(s) {unknown}; see "
                                 f"fedlearn_kit/gdpr/cards.yaml")
            elsewhere = [cid for cid in raw.get("cards", []) if _card(cid).step != slug]
            if elsewhere:
                raise ValueError(f"agenda {name}: card(s) {elsewhere} belong to another "
                                 f"lesson than {slug}: participants answer a card in its "
                                 f"own lesson's panel, so discuss it after that lesson")
            exercises = tuple(raw.get("exercises", []))
            unknown_ex = [ex for ex in exercises if ex not in lesson_times()[slug].exercises]
            if unknown_ex:
                raise ValueError(f"agenda {name}: lesson {slug} has no exercise(s) {unknown_ex}")
            cards = tuple(raw.get("cards", []))
            on_cards = sum(card_minutes(cid) for cid in cards)
            block = Block(minute, _lesson_minutes(slug, mode, exercises) + on_cards, kind,
                          _lesson_what(slug, mode, lang, exercises), slug, mode, cards,
                          on_cards, exercises)
        else:
            raise ValueError(f"agenda {name}: unknown block kind {kind!r}")
        blocks.append(block)
        minute = block.end
    return blocks


def clock(start: str, minute: int) -> str:
    """The clock time ``minute`` minutes after ``start`` ("08:30" + 95 -> "10:05")."""
    hours, minutes = map(int, start.split(":"))
    total = hours * 60 + minutes + minute
    return f"{total // 60:02d}:{total % 60:02d}"


def skipped(name: str, lang: str = "en") -> list[str]:
    """What an agenda leaves out, one line per lesson part, plus the undiscussed cards."""
    blocks = build_agenda(name, lang)
    modes = {b.lesson: b.mode for b in blocks if b.lesson}
    chosen = {b.lesson: b.exercises for b in blocks if b.lesson}
    discussed = {cid for b in blocks for cid in b.cards}
    times = lesson_times()
    lines = []
    for slug in STEPS:
        title = step_title(slug, lang)
        mode = modes.get(slug)
        if mode is None:
            lines.append(f"{title}: " + ("the whole lesson (self-study)" if lang == "en"
                                         else "hela lektionen (självstudier)"))
        elif mode in ("teaching", "demo", "room_federation") and times[slug].exercises:
            exercises = ", ".join(times[slug].exercises) or ""
            lines.append(f"{title}: " + (f"exercises {exercises} (self-study)" if lang == "en"
                                         else f"övningarna {exercises} (självstudier)"))
        elif mode == "full" and chosen.get(slug):
            rest = ", ".join(ex for ex in times[slug].exercises if ex not in chosen[slug])
            if rest:
                lines.append(f"{title}: " + (f"exercises {rest} (self-study)" if lang == "en"
                                             else f"övningarna {rest} (självstudier)"))
        if mode == "demo":
            lines.append(f"{title}: " + ("participants run only the cards cell; the "
                                         "facilitator shows the rest" if lang == "en" else
                                         "deltagarna kör bara kortcellen; kursledaren visar "
                                         "resten"))
    undiscussed = len(load_cards()) - len(discussed)
    lines.append((f"{undiscussed} of {len(load_cards())} cards are not discussed in the room; "
                  f"participants may answer them afterwards in each lesson's cards cell and "
                  f"then run lesson 08 again for a fuller draft")
                 if lang == "en" else
                 (f"{undiscussed} av {len(load_cards())} kort diskuteras inte i rummet; deltagarna "
                  f"kan besvara dem efteråt i varje lektions kortcell och sedan köra lektion 08 "
                  f"igen för ett fylligare utkast"))
    return lines


def _card(card_id: str) -> Card:
    """The card with this id; build_agenda has already rejected ids of no card."""
    card = card_by_id(card_id)
    if card is None:
        raise ValueError(f"no such card {card_id!r}; see fedlearn_kit/gdpr/cards.yaml")
    return card


def agenda_markdown(name: str, lang: str = "en", questions: bool = False) -> str:
    """One agenda as a Markdown section: clock times, blocks, cards with minutes, what is
    skipped, and the totals of teaching, cards and breaks. With ``questions`` the cards are
    named by their question in ``lang`` (for the wall) rather than by id (for the guide)."""
    spec = read_agendas_file()[name]
    blocks = build_agenda(name, lang)
    total = blocks[-1].end
    head = {"en": ("time", "what", "minutes", "cards discussed (minutes)"),
            "sv": ("tid", "vad", "minuter", "kort som diskuteras (minuter)")}[lang]
    lines = [f"### {spec['title'][lang]} ({clock(spec['start'], 0)}–"
             f"{clock(spec['start'], total)}, {total // 60} h {total % 60:02d} min)", "",
             f"| {' | '.join(head)} |", "|---|---|---|---|"]
    for b in blocks:
        cards = "; ".join(
            f"{_card(cid).text('question', lang)} ({card_minutes(cid)} min)" if questions
            else f"`{cid}` ({card_minutes(cid)})" for cid in b.cards)
        what = f"**{b.what}**" if b.kind in BREAKS else b.what
        lines.append(f"| {clock(spec['start'], b.start)} | {what} | {b.minutes} | {cards} |")
    by_kind = {
        "breaks": sum(b.minutes for b in blocks if b.kind in BREAKS),
        "cards": sum(b.card_minutes for b in blocks),
        "lessons": sum(b.minutes - b.card_minutes for b in blocks if b.lesson),
        "other": sum(b.minutes for b in blocks if b.kind in ("setup", "welcome", "closing")),
        "buffer": sum(b.minutes for b in blocks if b.kind == "buffer"),
    }
    if lang == "en":
        lines += ["", f"Lessons {by_kind['lessons']} min, card rounds {by_kind['cards']} min, "
                      f"breaks {by_kind['breaks']} min, buffer {by_kind['buffer']} min, "
                      f"set-up, welcome and closing {by_kind['other']} min.", "",
                  "Left out of this agenda:"]
    else:
        lines += ["", f"Lektioner {by_kind['lessons']} min, kortrundor {by_kind['cards']} min, "
                      f"pauser {by_kind['breaks']} min, buffert {by_kind['buffer']} min, "
                      f"start, välkomst och avslutning {by_kind['other']} min.", "",
                  "Ingår inte i schemat:"]
    lines += [f"- {line}" for line in skipped(name, lang)]
    return "\n".join(lines) + "\n"


def coverage_sentence(name: str) -> str:
    """What an agenda covers, in a few words for README ("lessons 00-04 without exercises, ...")."""
    spec, blocks = read_agendas_file()[name], build_agenda(name)
    parts: dict[str, list[str]] = {}
    for b in blocks:
        if not b.lesson:
            continue
        t = lesson_times()[b.lesson]
        if b.mode == "full" and b.exercises and len(b.exercises) < len(t.exercises):
            kind = "with some exercises"
        elif b.mode == "full":
            kind = "with exercises" if t.exercises else "complete"
        elif b.mode == "teaching":
            kind = "without exercises" if t.exercises else "complete"
        elif b.mode == "demo":
            kind = "as a demonstration"
        else:
            kind = "as a federation across the room"
        parts.setdefault(kind, []).append(t.number)
    def listed(numbers: list[str]) -> str:
        return " and ".join([", ".join(numbers[:-1]), numbers[-1]] if len(numbers) > 1
                            else numbers)

    text = "; ".join(f"{listed(numbers)} {kind}" for kind, numbers in parts.items())
    total = blocks[-1].end
    return (f"{spec['title']['en'].lower()}, {total // 60} h {total % 60:02d} min with breaks: "
            f"lessons {text}")
