"""Answering the cards without the JupyterLab panel (VS Code, classic Notebook, a terminal).

Two ways, both saving to the same answers file as the panel (:mod:`.answers`):

- in any notebook or Python prompt: ``kit.gdpr.answer("federated.coordinator", "...")``;
- in a text editor: ``fedlearn-kit answers template`` writes ``fedlearn-answers.md`` with
  every card (and any answers already given); fill it in, then
  ``fedlearn-kit answers import fedlearn-answers.md`` saves the answers.

The template is Markdown. Each card starts with a line ``### card: <card id>``; the answer
is everything after the line ``Answer:`` (``Svar:`` in Swedish) up to the next heading, and
``- [x] Ask our DPO`` sets the flag. An empty answer in the template never deletes an
answer already saved (use the panel, or ``answer(card_id, "")``, for that).
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterable
from pathlib import Path

from fedlearn_kit.gdpr.answers import Answer, AnswerStore
from fedlearn_kit.gdpr.cards import Card, card_by_id, load_cards, step_title
from fedlearn_kit.gdpr.files import atomic_write_text
from fedlearn_kit.gdpr.lawref import laws_in
from fedlearn_kit.gdpr.panel import check_lang, law_as_of
from fedlearn_kit.i18n import _

TEMPLATE_NAME = "fedlearn-answers.md"
_CARD_LINE = re.compile(r"^### (?:card|kort): ([a-z_]+\.[a-z0-9_]+)\s*$")
_HEADING = re.compile(r"^#{1,3} ")
_ANSWER_LINE = re.compile(r"^(?:Answer|Svar):[ \t]*(.*)$")
_DPO_LINE = re.compile(r"^- \[([ xX])\] (?:Ask our DPO|Fråga dataskyddsombudet)")

_WORDS = {
    "en": {"title": "Your answers to the GDPR question cards",
           "how": "Write each answer below its \"Answer:\" line (as many lines as you like). "
                  "Put an x in [ ] to ask your DPO. Keep the lines that start with ###. Then "
                  "run: fedlearn-kit answers import {name}",
           "note": "Teaching material, not legal advice. Law as of {date}.",
           "card": "card", "ask": "Ask our DPO", "answer": "Answer:", "why": "Why",
           "who": "Who answers", "law": "Law", "as_of": "law as of",
           "unsettled": "⚖ Unsettled law"},
    "sv": {"title": "Era svar på dataskyddsfrågorna",
           "how": "Skriv varje svar under raden \"Svar:\" (så många rader ni vill). Sätt ett "
                  "x i [ ] för att fråga dataskyddsombudet. Behåll raderna som börjar med ###. "
                  "Kör sedan: fedlearn-kit answers import {name}",
           "note": "Utbildningsmaterial, inte juridisk rådgivning. Rättsläge per {date}.",
           "card": "kort", "ask": "Fråga dataskyddsombudet", "answer": "Svar:",
           "why": "Varför", "who": "Vem svarar", "law": "Lagrum", "as_of": "rättsläge per",
           "unsettled": "⚖ Oklart rättsläge"},
}


class TemplateError(ValueError):
    """A filled-in template cannot be read; nothing has been saved."""


def answer(card_id: str, text: str, ask_dpo: bool = False,
           answers_file: str | os.PathLike[str] | None = None) -> Answer:
    """Save one card's answer from any front end, e.g. a notebook in VS Code.

    ``kit.gdpr.answer("federated.coordinator", "Region Halland runs it", ask_dpo=True)``
    writes to the same answers file as the panel; an empty text without the flag removes
    the answer.
    """
    card = _known_card(card_id)
    return AnswerStore(answers_file).save(card.id, card.step, text, ask_dpo)


def _known_card(card_id: str) -> Card:
    card = card_by_id(card_id)
    if card is None:
        close = difflib.get_close_matches(card_id, [c.id for c in load_cards()], n=3)
        if close:
            raise ValueError(_("No card has the id {card!r}. Did you mean {close}? Each card "
                               "shows its id under its question.").format(
                                   card=card_id, close=", ".join(close)))
        raise ValueError(_("No card has the id {card!r}. Each card shows its id under its "
                           "question.").format(card=card_id))
    return card


def answers_template(steps: Iterable[str] | None = None, lang: str = "en",
                     answers_file: str | os.PathLike[str] | None = None,
                     name: str = TEMPLATE_NAME) -> str:
    """The template text: every card of ``steps`` (default all), with saved answers filled in."""
    check_lang(lang)
    words = _WORDS[lang]
    chosen = list(steps) if steps else None
    cards = [c for c in load_cards() if chosen is None or c.step in chosen]
    saved = AnswerStore(answers_file).load()
    lines = [f"# {words['title']}", "", words["how"].format(name=name), "",
             words["note"].format(date=law_as_of(cards)), ""]
    step = None
    for card in cards:
        if card.step != step:
            step = card.step
            lines += [f"## {step_title(step, lang)}", ""]
        given = saved.get(card.id, Answer(step=card.step))
        lines += [f"### {words['card']}: {card.id}", "",
                  f"**{card.text('question', lang)}**", "",
                  f"{words['why']}: {card.text('why', lang)}", ""]
        if card.role:
            lines += [f"{words['who']}: {', '.join(card.role_labels(lang))}", ""]
        lines += [f"{words['law']}: {laws_in(card.law, lang)} ({words['as_of']} "
                  f"{card.law_as_of})", ""]
        if card.unsettled:
            lines += [f"{words['unsettled']}: {card.text('open', lang)}", ""]
        lines += [f"- [{'x' if given.ask_dpo else ' '}] {words['ask']}", "",
                  words["answer"], given.answer.strip(), ""]
    return "\n".join(lines).rstrip() + "\n"


def write_answers_template(path: str | os.PathLike[str] | None = None,
                           steps: Iterable[str] | None = None, lang: str = "en",
                           answers_file: str | os.PathLike[str] | None = None,
                           overwrite: bool = False) -> Path:
    """Write the template (default ``fedlearn-answers.md``); an existing one is kept unless
    ``overwrite``, since it may hold answers not yet imported."""
    target = Path(path or TEMPLATE_NAME)
    if target.exists() and not overwrite:
        raise ValueError(_("{file} exists and may hold answers not yet imported: import it "
                           "(fedlearn-kit answers import {file}), or pass --force "
                           "(overwrite=True) to write a new one.").format(file=target))
    atomic_write_text(target, answers_template(steps, lang, answers_file, name=target.name))
    return target


def parse_answers_template(text: str) -> dict[str, Answer]:
    """The answers in a filled-in template, by card id (cards left empty are left out)."""
    found: dict[str, Answer] = {}
    card_id: str | None = None
    body: list[str] | None = None
    ask = False

    def close() -> None:
        if card_id is None:
            return
        answer_text = "\n".join(body or []).strip()
        if answer_text or ask:
            card = _known_card(card_id)
            found[card_id] = Answer(step=card.step, answer=answer_text, ask_dpo=ask)

    for number, line in enumerate(text.splitlines(), start=1):
        match = _CARD_LINE.match(line)
        if match or _HEADING.match(line):
            close()
            card_id, body, ask = (match.group(1) if match else None), None, False
            if match and card_id in found:
                raise TemplateError(_("line {number}: card {card} appears twice.").format(
                    number=number, card=card_id))
            continue
        if card_id is None:
            continue
        if body is None:
            dpo = _DPO_LINE.match(line)
            if dpo:
                ask = dpo.group(1) in "xX"
            answer_start = _ANSWER_LINE.match(line)
            if answer_start:
                body = [answer_start.group(1)] if answer_start.group(1) else []
        else:
            body.append(line)
    close()
    return found


def import_answers_template(path: str | os.PathLike[str],
                            answers_file: str | os.PathLike[str] | None = None
                            ) -> tuple[Path, dict[str, Answer]]:
    """Save the answers of a filled-in template; returns the answers file and what was saved.

    Every card id is checked before anything is written, so a template with a mistyped id
    saves nothing.
    """
    source = Path(path)
    if not source.exists():
        raise ValueError(_("There is no template at {file}: write one with "
                           "`fedlearn-kit answers template`.").format(file=source))
    text = source.read_text(encoding="utf-8")
    try:
        parsed = parse_answers_template(text)
    except ValueError as err:
        raise TemplateError(_("{file}: {error} Nothing was saved.").format(
            file=source, error=err)) from err
    # The template's own language is the answers' language (recorded if the file has none).
    language = "sv" if re.search(r"^### kort: ", text, re.MULTILINE) else "en"
    store = AnswerStore(answers_file)
    store.load()  # a broken answers file stops us before anything is written
    for card_id, given in parsed.items():
        store.save(card_id, given.step, given.answer, given.ask_dpo, language=language)
    return store.path, parsed
