"""The printable card deck: every GDPR question card on half an A4 page, in one language.

Each card shows the lesson, the question in the chosen language (and, smaller, in the
other), the role that should answer first, what a good answer covers, why it matters and
the law. Print on A4: two cards per page, cut in half (A5), or scale to A6.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from fedlearn_kit.gdpr.cards import ROLES, STEPS, Card, cards_for, step_title
from fedlearn_kit.gdpr.lawref import laws_in
from fedlearn_kit.materials.html import esc, page
from tools.materials import generated_footer
from tools.materials.facilitator_notes import load_notes

LABELS = {
    "en": {"title": "GDPR question cards", "answers": "Who answers first",
           "good": "A good answer covers", "good_notes": "A good discussion covers",
           "why": "Why it matters", "law": "Law", "unsettled": "⚖ Unsettled law",
           "min": "min", "lesson": "Lesson",
           "intro": "Print on A4, two cards per page; cut along the dotted line."},
    "sv": {"title": "Dataskyddsfrågor – kortlek", "answers": "Svarar först",
           "good": "Ett bra svar tar upp", "good_notes": "En bra diskussion tar upp",
           "why": "Varför det spelar roll", "law": "Lagrum", "unsettled": "⚖ Oklart rättsläge",
           "min": "min", "lesson": "Lektion",
           "intro": "Skriv ut på A4, två kort per sida; klipp längs den prickade linjen."},
}
CSS = """
.card { border: 1px dashed #9aa4ad; padding: 0.9rem 1.1rem; margin: 0 0 1rem 0;
        page-break-inside: avoid; break-inside: avoid; min-height: 12rem; }
.card .head { display: flex; justify-content: space-between; font-size: 0.85rem;
              color: var(--muted); }
.card .q { font-size: 1.25rem; font-weight: 650; margin: 0.5rem 0 0.2rem 0; }
.card .q2 { font-style: italic; color: var(--muted); margin-bottom: 0.5rem; }
.card ul { margin: 0.2rem 0 0.4rem 1.1rem; padding: 0; }
.card .small { font-size: 0.85rem; }
@media print {
  @page { size: A4; margin: 10mm; }
  .card { height: 134mm; overflow: hidden; margin: 0 0 4mm 0; }
  .card:nth-of-type(2n) { page-break-after: always; break-after: page; }
}
"""


def card_roles(card: Card) -> tuple[str, ...]:
    """The role ids that should answer a card (empty if the card names none)."""
    roles = getattr(card, "role", None) or getattr(card, "roles", None) or ()
    return (roles,) if isinstance(roles, str) else tuple(roles)


def role_names(roles: Sequence[str], lang: str) -> str:
    """Role ids as readable names in ``lang`` ("data protection officer, lawyer")."""
    index = 0 if lang == "en" else 1
    return ", ".join(ROLES.get(r, (r, r))[index] for r in roles)


def good_answer(card: Card, lang: str) -> tuple[list[str], bool]:
    """The card's good-answer points in ``lang``, and whether they came from the card itself
    (True) or, for a card without them, from its facilitator notes (False)."""
    points = getattr(card, "good_answer", None)
    if isinstance(points, Mapping) and points.get(lang):
        return list(points[lang]), True
    return list(load_notes()[card.id].discussion[lang]), False


def card_html(card: Card, lang: str) -> str:
    """One card as an HTML block in ``lang``."""
    label, other = LABELS[lang], "sv" if lang == "en" else "en"
    points, from_card = good_answer(card, lang)
    roles = card_roles(card)
    minutes = load_notes()[card.id].minutes
    lines = ['<section class="card">',
             f'<div class="head"><span>{esc(step_title(card.step, lang))}</span>'
             f'<span><code>{esc(card.id)}</code> · {minutes} {label["min"]}</span></div>',
             f'<div class="q">{esc(card.text("question", lang))}</div>',
             f'<div class="q2" lang="{other}">{esc(card.text("question", other))}</div>']
    if roles:
        lines.append(f'<div><strong>{label["answers"]}:</strong> '
                     f'{esc(role_names(roles, lang))}</div>')
    lines.append(f'<div><strong>{label["good" if from_card else "good_notes"]}:</strong>'
                 f'<ul>{"".join(f"<li>{esc(p)}</li>" for p in points)}</ul></div>')
    lines.append(f'<div class="small"><strong>{label["why"]}:</strong> '
                 f'{esc(card.text("why", lang))}</div>')
    if card.unsettled:
        lines.append(f'<div class="small unsettled">{label["unsettled"]}: '
                     f'{esc(card.text("open", lang))}</div>')
    # In Swedish the citation style is Swedish ("2 kap. 4 § PDL"), as on the cards' panel.
    lines.append(f'<div class="small muted">{label["law"]}: {esc(laws_in(card.law, lang))}</div>')
    lines.append("</section>")
    return "\n".join(lines)


def deck_html(lang: str) -> str:
    """The whole deck in ``lang``, every card of every lesson in course order."""
    label = LABELS[lang]
    body = [f'<h1 class="no-print">{esc(label["title"])}</h1>',
            f'<p class="muted no-print">{esc(label["intro"])}</p>']
    body += [card_html(card, lang) for step in STEPS for card in cards_for(step)]
    return page(label["title"], "\n".join(body), lang, CSS,
                footer=generated_footer("fedlearn_kit/gdpr/cards.yaml, facilitator.yaml", lang))
