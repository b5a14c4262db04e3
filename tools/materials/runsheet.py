"""The facilitator's run sheet for one agenda: the day on 2-4 A4 pages (the print test checks).

Everything a facilitator needs while leading the day, and nothing else: the agenda's blocks
with clock times, how to run a card round, and, block by block, the numbers to read out in a
demonstration, the cards the agenda discusses (question in both languages, who answers
first, ⚖, what to show, what a good discussion covers, typical misconceptions) and the
exercises it schedules in the answer key's three lines (the most typical mistake, what to
say, what to close on); the rest is in the answer key, which the sheet names. Two columns
of small print keep the full day within four pages. The same sources as the guide and the
answer key (``agendas.yaml``, ``facilitator.yaml``, ``exercise_notes.yaml``, the cards), so
the three never disagree.
"""

from __future__ import annotations

from fedlearn_kit.gdpr.cards import card_by_id, step_title
from fedlearn_kit.materials.html import esc, page
from tools.materials import generated_footer
from tools.materials.agenda import BREAKS, build_agenda, clock, read_agendas_file
from tools.materials.answer_key import exercise_notes, translated_titles
from tools.materials.deck import card_roles, role_names
from tools.materials.facilitator_notes import load_notes
from tools.materials.read_out import read_out
from tools.materials.times import solution_exercises

LABELS = {
    "en": {"title": "Run sheet", "blocks": "The day", "time": "time", "what": "what",
           "minutes": "min", "round": "Each card round",
           "round_steps": [
               "Read the question aloud in both languages and project what **Show** names.",
               "One minute of silent writing: everyone writes a first answer in the lesson's "
               "card panel (run only the cards cell) or on the printed card.",
               "The role named first answers first, then the rest of the table.",
               "Close when the table has an answer or a question for the DPO. On a card "
               "marked ⚖ the law is unsettled: collect positions, do not settle it.",
           ],
           "cards": "Cards", "answers": "Answers first", "show": "Show",
           "discussion": "A good discussion covers", "misconceptions": "Typical misconceptions",
           "unsettled": "⚖ Unsettled law", "exercises": "Exercises",
           "mistake": "Typical mistake", "say": "What to say", "point": "Close on",
           "min": "min", "read_out": "Numbers to read out",
           "more": "Each exercise's other mistakes and hints, each card's Swedish context and "
                   "a good answer: the facilitator's answer key, {key}."},
    "sv": {"title": "Körschema", "blocks": "Dagen", "time": "tid", "what": "vad",
           "minutes": "min", "round": "Varje kortrunda",
           "round_steps": [
               "Läs frågan högt på båda språken och visa det som står under **Visa** på "
               "projektorn.",
               "En minut tyst skrivande: alla skriver ett första svar i lektionens kortpanel "
               "(kör bara kortcellen) eller på det utskrivna kortet.",
               "Den roll som nämns först svarar först, sedan resten av bordet.",
               "Avsluta när bordet har ett svar eller en fråga till dataskyddsombudet. På ett "
               "kort märkt ⚖ är rättsläget oklart: samla ståndpunkter, avgör inte frågan.",
           ],
           "cards": "Kort", "answers": "Svarar först", "show": "Visa",
           "discussion": "En bra diskussion tar upp",
           "misconceptions": "Vanliga missuppfattningar", "unsettled": "⚖ Oklart rättsläge",
           "exercises": "Övningar", "mistake": "Vanligt fel", "say": "Det här kan ni säga",
           "point": "Avsluta med", "min": "min",
           "read_out": "Tal att läsa upp",
           "more": "Övningarnas övriga fel och ledtrådar, kortens svenska sammanhang och ett "
                   "bra svar: facit för kursledaren, {key}."},
}
#: Two columns of 9-point text on A4: the full day fits on 2-4 pages (the print test checks).
CSS = """
main { font-size: 0.95rem; }
@media print { @page { size: A4; margin: 9mm 10mm; }
  body { font-size: 8.4pt; line-height: 1.24; }
  main { font-size: 1em; }
  .columns { column-count: 2; column-gap: 6mm; }
  h1 { font-size: 13pt; margin: 0 0 1.5mm; } h2 { font-size: 10.5pt; }
  h3 { font-size: 9.5pt; } h4 { font-size: 9pt; }
  footer { margin-top: 2mm; font-size: 7.5pt; } }
h2 { margin: 0.5rem 0 0.15rem; border-bottom: 2px solid var(--accent); }
h3 { margin: 0.3rem 0 0.1rem; }
h2, h3, h4 { break-after: avoid; page-break-after: avoid; }
h4 { margin: 0 0 0.05rem; }
p { margin: 0.05rem 0; }
ul, ol { margin: 0.05rem 0 0.15rem; padding-left: 1.1rem; }
li { margin: 0; }
table { margin: 0.2rem 0; width: 100%; }
th, td { padding: 0.05rem 0.3rem; }
section.item { border-top: 1px solid var(--line); padding: 0.15rem 0 0.2rem; }
section.item > p, li { break-inside: avoid; page-break-inside: avoid; }
section.item > p:nth-of-type(-n+2) { break-after: avoid; page-break-after: avoid; }
td:first-child, td:last-child, th { white-space: nowrap; }
.other { font-size: 0.92em; }
"""


def runsheet_name(agenda: str, lang: str) -> str:
    """The file name of an agenda's run sheet ("runsheet-half-day-sv.html")."""
    return f"runsheet-{agenda.replace('_', '-')}-{lang}.html"


def _ul(items: list[str]) -> str:
    return "<ul>" + "".join(f"<li>{esc(i)}</li>" for i in items) + "</ul>"


def _card_section(card_id: str, lang: str) -> str:
    """One card: its question in both languages, who answers first, ⚖, minutes, what to
    show, and every point of its notes' discussion and misconceptions."""
    card, notes, label = card_by_id(card_id), load_notes()[card_id], LABELS[lang]
    if card is None:  # build_agenda has already refused an unknown card
        raise ValueError(f"no such card {card_id!r}")
    other = "sv" if lang == "en" else "en"
    meta = [f"{notes.minutes} {label['min']}"]
    if card_roles(card):
        meta.append(f"<strong>{label['answers']}:</strong> "
                    f"{esc(role_names(card_roles(card), lang))}")
    if card.unsettled:
        meta.append(f'<strong class="unsettled">{label["unsettled"]}</strong>')
    return "".join([
        f'<section class="item"><h4>{esc(card.text("question", lang))}</h4>',
        f'<p class="muted other"><i lang="{other}">{esc(card.text("question", other))}</i> '
        f"<code>{esc(card.id)}</code></p>",
        f"<p>{' · '.join(meta)}</p>",
        f"<p><strong>{label['show']}:</strong> {esc(notes.show[lang])}</p>",
        f"<p><strong>{label['discussion']}:</strong></p>{_ul(list(notes.discussion[lang]))}",
        f"<p><strong>{label['misconceptions']}:</strong></p>"
        f"{_ul(list(notes.misconceptions[lang]))}</section>"])


def exercise_lines(title: str, lang: str = "en") -> tuple[str, str, str]:
    """The answer key's three lines for the exercise titled ``title`` (its English title),
    in ``lang``: its first (most typical) mistake, the first thing to say, and what to close
    on. The answer key has the rest."""
    entry = exercise_notes(lang).get(title)
    if not entry:
        raise ValueError(f"exercise {title!r} has no entry in exercise_notes.yaml")
    return entry["mistakes"][0], entry["say"][0], entry["point"]


def _exercise_section(slug: str, exercise: str, lang: str) -> str:
    """One scheduled exercise in three lines, in ``lang`` as the answer key has them. The
    title comes from the translated solution; without one it stays English, marked
    lang="en"."""
    label, titles = LABELS[lang], dict(solution_exercises(slug))
    title = titles.get(exercise, exercise)
    mistake, say, point = exercise_lines(title, lang)
    translated = translated_titles(slug, lang) if lang != "en" else {}
    english = ' lang="en"' if lang != "en" else ""
    heading = (f"<h4>{esc(exercise)} · {esc(translated[exercise])}</h4>"
               if exercise in translated else f"<h4{english}>{esc(exercise)} · {esc(title)}</h4>")
    return (f'<section class="item">{heading}'
            f"<p><strong>{label['mistake']}:</strong> <span>{esc(mistake)}</span></p>"
            f"<p><strong>{label['say']}:</strong> <span>{esc(say)}</span></p>"
            f"<p><strong>{label['point']}:</strong> <span>{esc(point)}</span></p>"
            f"</section>")


def runsheet_html(agenda: str, lang: str) -> str:
    """The run sheet of one agenda in ``lang``: blocks with clock times, the round's steps,
    then per lesson block its numbers to read out, scheduled exercises and cards."""
    spec, label = read_agendas_file()[agenda], LABELS[lang]
    blocks = build_agenda(agenda, lang)
    start, total = spec["start"], blocks[-1].end
    title = f"{label['title']} · {spec['title'][lang]}"
    rows = "".join(
        f"<tr><td>{clock(start, b.start)}</td>"
        f"<td>{'<strong>' + esc(b.what) + '</strong>' if b.kind in BREAKS else esc(b.what)}"
        f"</td><td>{b.minutes}</td></tr>" for b in blocks)
    key = f"answer-key-{lang}.html"
    key_link = f'<a href="{key}">{key}</a>'
    body = [f"<h2>{esc(label['blocks'])}</h2>",
            f"<table><thead><tr><th>{label['time']}</th><th>{label['what']}</th>"
            f"<th>{label['minutes']}</th></tr></thead><tbody>{rows}</tbody></table>",
            f"<h2>{esc(label['round'])}</h2><ol>"
            + "".join(f"<li>{_bold(step)}</li>" for step in label["round_steps"]) + "</ol>",
            f'<p class="muted">{esc(label["more"]).format(key=key_link)}</p>']
    for b in blocks:
        if not b.lesson or not (b.cards or b.exercises or b.mode == "demo"):
            continue
        body.append(f"<h2>{clock(start, b.start)} · {esc(step_title(b.lesson, lang))}</h2>")
        if b.mode == "demo":
            body.append(f"<h3>{esc(label['read_out'])}</h3><ul>"
                        + "".join(f"<li>{esc(s)}</li>" for s in read_out(b.lesson, lang))
                        + "</ul>")
        if b.exercises:
            body.append(f"<h3>{esc(label['exercises'])}</h3>")
            body += [_exercise_section(b.lesson, ex, lang) for ex in b.exercises]
        if b.cards:
            body.append(f"<h3>{esc(label['cards'])}</h3>")
            body += [_card_section(cid, lang) for cid in b.cards]
    heading = (f"<h1>fedlearn-kit · {esc(title)} ({clock(start, 0)}–{clock(start, total)})"
               "</h1>")
    return page(title, heading + '\n<div class="columns">' + "\n".join(body) + "</div>", lang,
                CSS, footer=generated_footer("agendas.yaml, facilitator.yaml, "
                                             "exercise_notes.yaml (locale/sv/materials/"
                                             "exercise_notes.po)", lang))


def _bold(text: str) -> str:
    """Escape ``text`` and turn its **bold** parts into <strong>."""
    parts = esc(text).split("**")
    return "".join(f"<strong>{p}</strong>" if i % 2 else p for i, p in enumerate(parts))
