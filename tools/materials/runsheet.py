"""The facilitator's run sheet for one agenda: the day on a few A4 pages.

Everything a facilitator needs while leading the day, and nothing else: the agenda's blocks
with clock times, how to run a card round, and, block by block, the cards the agenda
discusses (question, who answers first, ⚖, what to show, what a good discussion covers,
typical misconceptions) and the exercises it schedules (what goes wrong, what to say, what
to close on). The same sources as the guide and the answer key (``agendas.yaml``,
``facilitator.yaml``, ``exercise_notes.yaml``, the cards), so the three never disagree.
"""

from __future__ import annotations

from fedlearn_kit.gdpr.cards import card_by_id, step_title
from fedlearn_kit.materials.html import esc, page
from tools.materials import generated_footer
from tools.materials.agenda import BREAKS, build_agenda, clock, read_agendas_file
from tools.materials.answer_key import read_exercise_notes
from tools.materials.deck import card_roles, role_names
from tools.materials.facilitator_notes import load_notes
from tools.materials.read_out import read_out
from tools.materials.times import solution_exercises

LABELS = {
    "en": {"title": "Run sheet", "blocks": "The day", "time": "time", "what": "what",
           "minutes": "minutes", "round": "Each card round",
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
           "mistakes": "Typical mistakes", "say": "What to say", "point": "Close on",
           "min": "min", "read_out": "Numbers to read out"},
    "sv": {"title": "Körschema", "blocks": "Dagen", "time": "tid", "what": "vad",
           "minutes": "minuter", "round": "Varje kortrunda",
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
           "exercises": "Övningar", "mistakes": "Vanliga fel", "say": "Det här kan du säga",
           "point": "Avsluta med", "min": "min",
           "read_out": "Tal att läsa upp"},
}
CSS = """
@media print { @page { size: A4; margin: 12mm; } body { font-size: 10pt; }
  h1 { font-size: 1.4rem; margin: 0 0 0.3rem; } h2 { font-size: 1.15rem; }
  h3 { font-size: 1.05rem; } }
section.item { break-inside: avoid; page-break-inside: avoid; border-top: 1px solid var(--line);
               padding-top: 0.3rem; }
ul { margin: 0.1rem 0 0.3rem; }
h4 { margin: 0.2rem 0; }
td:first-child, td:last-child { white-space: nowrap; }
"""


def runsheet_name(agenda: str, lang: str) -> str:
    """The file name of an agenda's run sheet ("runsheet-half-day-sv.html")."""
    return f"runsheet-{agenda.replace('_', '-')}-{lang}.html"


def _ul(items: list[str]) -> str:
    return "<ul>" + "".join(f"<li>{esc(i)}</li>" for i in items) + "</ul>"


def _card_section(card_id: str, lang: str) -> str:
    card, notes, label = card_by_id(card_id), load_notes()[card_id], LABELS[lang]
    if card is None:  # build_agenda has already refused an unknown card
        raise ValueError(f"no such card {card_id!r}")
    other = "sv" if lang == "en" else "en"
    parts = [f'<section class="item"><h4>{esc(card.text("question", lang))} '
             f'<span class="muted">({notes.minutes} {label["min"]})</span></h4>',
             f'<p lang="{other}" class="muted"><i>{esc(card.text("question", other))}</i> '
             f"<code>{esc(card.id)}</code></p>"]
    if card_roles(card):
        parts.append(f"<p><strong>{label['answers']}:</strong> "
                     f"{esc(role_names(card_roles(card), lang))}</p>")
    if card.unsettled:
        parts.append(f"<p><strong>{label['unsettled']}</strong></p>")
    parts += [f"<p><strong>{label['show']}:</strong> {esc(notes.show[lang])}</p>",
              f"<strong>{label['discussion']}</strong>{_ul(list(notes.discussion[lang]))}",
              f"<strong>{label['misconceptions']}</strong>"
              f"{_ul(list(notes.misconceptions[lang]))}</section>"]
    return "".join(parts)


def _exercise_section(slug: str, exercise: str, lang: str) -> str:
    """One scheduled exercise's key. The notes are in English (like the exercises), so in
    the Swedish sheet they are marked lang="en"."""
    label, titles = LABELS[lang], dict(solution_exercises(slug))
    title = titles.get(exercise, exercise)
    entry = read_exercise_notes().get(title, {})
    english = ' lang="en"' if lang != "en" else ""
    return (f'<section class="item"><h4{english}>{esc(exercise)} · {esc(title)}</h4>'
            f"<strong>{label['mistakes']}</strong>"
            f"<div{english}>{_ul(entry.get('mistakes', []))}</div>"
            f"<strong>{label['say']}</strong><div{english}>{_ul(entry.get('say', []))}</div>"
            f"<p><strong>{label['point']}:</strong> "
            f"<span{english}>{esc(entry.get('point', ''))}</span></p></section>")


def runsheet_html(agenda: str, lang: str) -> str:
    """The run sheet of one agenda in ``lang``: blocks with clock times, the round's steps,
    then per lesson block its cards and scheduled exercises."""
    spec, label = read_agendas_file()[agenda], LABELS[lang]
    blocks = build_agenda(agenda, lang)
    start, total = spec["start"], blocks[-1].end
    title = f"{label['title']} · {spec['title'][lang]}"
    rows = "".join(
        f"<tr><td>{clock(start, b.start)}</td>"
        f"<td>{'<strong>' + esc(b.what) + '</strong>' if b.kind in BREAKS else esc(b.what)}"
        f"</td><td>{b.minutes}</td></tr>" for b in blocks)
    body = [f"<h1>fedlearn-kit · {esc(title)} ({clock(start, 0)}–{clock(start, total)})</h1>",
            f"<h2>{esc(label['blocks'])}</h2>",
            f"<table><thead><tr><th>{label['time']}</th><th>{label['what']}</th>"
            f"<th>{label['minutes']}</th></tr></thead><tbody>{rows}</tbody></table>",
            f"<h2>{esc(label['round'])}</h2><ol>"
            + "".join(f"<li>{_bold(step)}</li>" for step in label["round_steps"]) + "</ol>"]
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
    return page(title, "\n".join(body), lang, CSS,
                footer=generated_footer("agendas.yaml, facilitator.yaml, exercise_notes.yaml",
                                        lang))


def _bold(text: str) -> str:
    """Escape ``text`` and turn its **bold** parts into <strong>."""
    parts = esc(text).split("**")
    return "".join(f"<strong>{p}</strong>" if i % 2 else p for i, p in enumerate(parts))
