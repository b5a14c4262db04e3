"""The facilitator's answer key: exercises (what goes wrong, what to say) and cards.

The exercise part comes from ``exercise_notes.yaml`` (checked against the exercise ids of
``solutions/``); the card part from the cards and their facilitator notes. The Swedish key
takes each exercise's title from ``solutions/sv/`` and the hints its check gives from the
kit's Swedish catalogue (:mod:`tools.materials.check_hints`) and the notes from their
reviewed translations in ``locale/sv/materials/exercise_notes.po`` (kept in step with the
YAML by ``python -m tools.translate update``). A note without a reviewed translation stops
the Swedish key (:class:`UntranslatedNotesError`): it is never shown in English instead.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import nbformat
import yaml

from fedlearn_kit.gdpr.cards import STEPS, cards_for, step_title
from fedlearn_kit.materials.html import esc, page
from tools.materials import HERE, generated_footer
from tools.materials.check_hints import check_hints
from tools.materials.deck import card_roles, good_answer, role_names
from tools.materials.facilitator_notes import load_notes
from tools.materials.times import notebook_path, read_times_file, solution_exercises

FIELDS = ("mistakes", "say", "point")
LABELS = {
    "en": {"title": "Facilitator's answer key", "exercises": "Exercises",
           "cards": "Question cards", "mistakes": "Typical mistakes", "say": "What to say",
           "point": "Close on", "answers": "Answers first", "good": "A good answer covers",
           "discussion": "A good discussion covers", "misconceptions": "Typical misconceptions",
           "show": "Show", "min": "min", "agenda_cards": "The cards each agenda discusses",
           "intro": "The solutions themselves are in solutions/. Help with a question or a "
                    "hint; do not hand out the code."},
    "sv": {"title": "Facit för kursledaren", "exercises": "Övningar",
           "cards": "Frågekort", "mistakes": "Vanliga fel", "say": "Det här kan ni säga",
           "point": "Avsluta med", "answers": "Svarar först", "good": "Ett bra svar tar upp",
           "discussion": "En bra diskussion tar upp", "misconceptions": "Vanliga missuppfattningar",
           "show": "Visa", "min": "min", "agenda_cards": "Korten som varje schema diskuterar",
           "intro": "Lösningarna finns i solutions/sv/ (på engelska i solutions/). Hjälp "
                    "med en fråga eller en ledtråd; dela inte ut koden.",
           "hints": "Ledtrådar som kontrollen ger",
           "machine_assisted": "Anteckningarna om övningarna är en maskinstödd översättning "
                               "som ännu inte har granskats av en person som läser juridisk "
                               "svenska. Vid skillnader gäller den engelska texten i "
                               "answer-key-en.html."},
}
CSS = """
section.item { page-break-inside: avoid; break-inside: avoid; border-top: 1px solid var(--line);
               padding-top: 0.4rem; }
h2 { page-break-before: always; break-before: page; }
h2:first-of-type { page-break-before: auto; break-before: auto; }
"""


@cache
def read_exercise_notes() -> dict[str, Any]:
    """The parsed ``exercise_notes.yaml`` in this folder."""
    text = (HERE / "exercise_notes.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def exercise_problems() -> list[str]:
    """Exercises of solutions/ without notes, notes for an exercise that is neither in
    solutions/ nor arriving (lesson_times.yaml), empty fields. Notes are keyed by title."""
    notes = read_exercise_notes()
    present = {title: ex for step in STEPS for ex, title in solution_exercises(step)}
    arriving = {title for entry in read_times_file()["lessons"].values()
                for title in entry.get("arriving") or ()}
    problems = [f"exercise {ex} {title!r}: no entry in exercise_notes.yaml"
                for title, ex in present.items() if title not in notes]
    problems += [f"exercise_notes.yaml: {title!r} is not an exercise in solutions/ (nor "
                 f"arriving)" for title in notes if title not in present and title not in
                 arriving]
    for title, entry in notes.items():
        problems += [f"exercise {title!r}: {field} missing" for field in FIELDS
                     if not entry.get(field)]
    return problems


class UntranslatedNotesError(ValueError):
    """Exercise notes without a reviewed translation: the translated key cannot be built."""


def exercise_notes(lang: str) -> dict[str, dict[str, Any]]:
    """The exercise notes in ``lang``: the English of ``exercise_notes.yaml``, or each of its
    texts replaced by its reviewed translation (``locale/<lang>/materials/exercise_notes.po``;
    a text whose only change is a number keeps its translation with the new number, as
    everywhere in the kit). Raises :class:`UntranslatedNotesError` naming every text without a
    reviewed translation (new, changed since review, or never translated)."""
    notes = read_exercise_notes()
    if lang == "en":
        return notes
    from tools import translate  # translate imports the materials' builders

    lookup = translate.reviewed(translate.read_catalogue(
        translate.exercise_notes_catalogue(lang), lang))
    missing: list[str] = []

    def translated(title: str, text: str) -> str:
        found = lookup(text)
        if found is None:
            missing.append(f"{title}: {text[:70]!r}")
            return text
        return found

    out = {title: {field: [translated(title, t) for t in value] if isinstance(value, list)
                   else translated(title, value)
                   for field, value in entry.items() if field in FIELDS}
           for title, entry in notes.items()}
    if missing:
        raise UntranslatedNotesError(
            f"{len(missing)} exercise note(s) have no reviewed {lang} translation in "
            f"locale/{lang}/materials/exercise_notes.po (run `python -m tools.translate "
            f"update`, translate them, remove the fuzzy flags):\n  " + "\n  ".join(missing))
    return out


def notes_machine_assisted(lang: str) -> bool:
    """Whether the ``lang`` notes are listed as a machine-assisted translation not yet
    reviewed by a person (``locale/<lang>/machine-assisted.txt``)."""
    from tools import translate

    listed = translate.exercise_notes_catalogue(lang).relative_to(translate.ROOT).as_posix()
    return listed in translate.machine_assisted(lang)


_SWEDISH_EXERCISE = re.compile(r"^#{2,4} Övning (\d+\.\d+) · (.+?)\s*$", re.MULTILINE)


@cache
def translated_titles(slug: str, lang: str) -> dict[str, str]:
    """Per exercise id, its title in the translated solution notebook (solutions/sv/), or
    nothing while the lesson has no solution in ``lang``."""
    english = notebook_path(slug, "solutions")
    path = english.parent / lang / english.name
    if lang != "sv" or not path.exists():
        return {}
    nb = nbformat.read(path, as_version=4)
    return {m[0]: m[1] for c in nb.cells if c.cell_type == "markdown"
            for m in _SWEDISH_EXERCISE.findall(c.source)}


def _ul(items: list[str]) -> str:
    return "<ul>" + "".join(f"<li>{esc(i)}</li>" for i in items) + "</ul>"


def _agenda_cards(lang: str) -> str:
    """Per agenda, the cards its rounds discuss, linked to their notes below: what a
    facilitator prints or keeps open for the day."""
    from tools.materials.agenda import agenda_names, build_agenda, read_agendas_file

    parts = []
    for name in agenda_names():
        title = read_agendas_file()[name]["title"][lang]
        items = "".join(f'<li><a href="#{card_anchor(cid)}"><code>{esc(cid)}</code></a></li>'
                        for block in build_agenda(name, lang) for cid in block.cards)
        parts.append(f"<h3>{esc(title)}</h3><ul>{items}</ul>")
    return f"<h2>{esc(LABELS[lang]['agenda_cards'])}</h2>" + "".join(parts)


def card_anchor(card_id: str) -> str:
    """The HTML id of a card's notes in the key ("key-centralised-disclosure")."""
    return "key-" + card_id.replace(".", "-").replace("_", "-")


def answer_key_html(lang: str) -> str:
    """The answer key in ``lang``: the cards each agenda discusses, every exercise, then every
    card, lesson by lesson. In the Swedish key each exercise has its Swedish title, the
    Swedish hints of its check and the reviewed translation of its notes
    (:func:`exercise_notes`, which raises :class:`UntranslatedNotesError` while one is missing)."""
    label, notes, ex_notes = LABELS[lang], load_notes(), exercise_notes(lang)
    english = ' lang="en"' if lang != "en" else ""
    body = [f"<h1>{esc(label['title'])}</h1>", f'<p class="muted">{esc(label["intro"])}</p>',
            _agenda_cards(lang), f"<h2>{esc(label['exercises'])}</h2>"]
    if lang != "en" and notes_machine_assisted(lang):
        body.append(f'<p class="muted">{esc(label["machine_assisted"])}</p>')
    for step in STEPS:
        exercises = solution_exercises(step)
        if not exercises:
            continue
        body.append(f"<h3>{esc(step_title(step, lang))}</h3>")
        titles = translated_titles(step, lang) if lang != "en" else {}
        for ex, title in exercises:
            entry = ex_notes.get(title, {})  # keyed by the English title, in every language
            heading = (f"<h4>{esc(ex)} · {esc(titles[ex])}</h4>" if ex in titles
                       else f"<h4{english}>{esc(ex)} · {esc(title)}</h4>")
            hints = check_hints(ex, lang) if lang != "en" else []
            body += ['<section class="item">', heading]
            if hints:
                body.append(f"<strong>{label['hints']}</strong>{_ul(hints)}")
            body += [f"<strong>{label['mistakes']}</strong>"
                     f"<div>{_ul(entry.get('mistakes', []))}</div>",
                     f"<strong>{label['say']}</strong><div>{_ul(entry.get('say', []))}</div>",
                     f"<p><strong>{label['point']}:</strong> "
                     f"<span>{esc(entry.get('point', ''))}</span></p>",
                     "</section>"]
    body.append(f"<h2>{esc(label['cards'])}</h2>")
    for step in STEPS:
        body.append(f"<h3>{esc(step_title(step, lang))}</h3>")
        for card in cards_for(step):
            n = notes[card.id]
            points, from_card = good_answer(card, lang)
            body += [f'<section class="item" id="{card_anchor(card.id)}">',
                     f"<h4>{esc(card.text('question', lang))} "
                     f'<span class="muted">(<code>{esc(card.id)}</code>, {n.minutes} '
                     f'{label["min"]}{", ⚖" if card.unsettled else ""})</span></h4>']
            if card_roles(card):
                body.append(f"<p><strong>{label['answers']}:</strong> "
                            f"{esc(role_names(card_roles(card), lang))}</p>")
            if from_card:
                body.append(f"<strong>{label['good']}</strong>{_ul(points)}")
            body += [f"<p><strong>{label['show']}:</strong> {esc(n.show[lang])}</p>",
                     f"<strong>{label['discussion']}</strong>{_ul(n.discussion[lang])}",
                     f"<strong>{label['misconceptions']}</strong>"
                     f"{_ul(n.misconceptions[lang])}", "</section>"]
    return page(label["title"], "\n".join(body), lang, CSS,
                footer=generated_footer("exercise_notes.yaml (locale/sv/materials/"
                                        "exercise_notes.po), cards.yaml, facilitator.yaml",
                                        lang))
