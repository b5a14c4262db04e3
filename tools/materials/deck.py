"""The printable card deck: a legend page, then every GDPR question card, in one language.

Each card's header names the lesson, the role that answers first, the ⚖ mark when the law is
unsettled, and the minutes of its round, so the cues survive whatever the body holds. The
body shows the question in the chosen language (and, smaller, in the other), what a good
answer covers, why it matters, the ⚖ note and the law. Cards are at least half an A4 page
(two per page, cut along the dashed line) and grow when their text is longer: nothing is
ever cut off (tests/e2e/test_print.py prints the deck and compares its text with the PDF).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from fedlearn_kit.gdpr.cards import ROLES, STEPS, Card, cards_for, step_title
from fedlearn_kit.gdpr.lawref import laws_in
from fedlearn_kit.materials.html import esc, page
from tools.materials import generated_footer
from tools.materials.facilitator_notes import load_notes

LABELS = {
    "en": {"title": "GDPR question cards", "answers": "Who answers first", "all": "Who answers",
           "good": "A good answer covers", "good_notes": "A good discussion covers",
           "why": "Why it matters", "law": "Law", "unsettled": "⚖ Unsettled law",
           "min": "min", "lesson": "Lesson", "legend": "How to read a card",
           "intro": "Print on A4. Most pages hold two cards: cut along the dashed line. A card "
                    "with more text takes the room it needs.",
           "roles": "The roles"},
    "sv": {"title": "Dataskyddsfrågor – kortlek", "answers": "Svarar först", "all": "Vem svarar",
           "good": "Ett bra svar tar upp", "good_notes": "En bra diskussion tar upp",
           "why": "Därför är frågan viktig", "law": "Lagrum", "unsettled": "⚖ Oklart rättsläge",
           "min": "min", "lesson": "Lektion", "legend": "Så läser du ett kort",
           "intro": "Skriv ut på A4. De flesta sidor rymmer två kort: klipp längs den streckade "
                    "linjen. Ett kort med mer text får det utrymme det behöver.",
           "roles": "Rollerna"},
}
#: The legend page's terms and what each means.
LEGEND: dict[str, list[tuple[str, str]]] = {
    "en": [
        ("⚖", "Unsettled law: courts or regulators have not settled the question. The "
              "card says what is open. Collect the positions and the question for your "
              "DPO; do not settle it in the room."),
        ("Who answers first", "The role that speaks first in the round. The others "
                              "follow, then the table agrees on a sentence."),
        ("min", "The minutes the round takes in a workshop."),
        ("Lesson", "The lesson whose step raises the question. Its card panel, at the "
                   "end of the lesson, is where you write your answer."),
        ("card id", "The short name of the card (for example centralised.disclosure). "
                    "Use it to find the card in the panel or in the answers template."),
    ],
    "sv": [
        ("⚖", "Oklart rättsläge: domstolar eller tillsynsmyndigheter har inte avgjort "
              "frågan. Kortet säger vad som är oklart. Samla ståndpunkterna och frågan "
              "till ert dataskyddsombud; avgör inte frågan i rummet."),
        ("Svarar först", "Den roll som talar först i rundan. De andra följer, sedan "
                         "enas bordet om en mening."),
        ("min", "Hur många minuter rundan tar på en workshop."),
        ("Lektion", "Den lektion vars steg väcker frågan. Kortpanelen i slutet av "
                    "lektionen är där du skriver ditt svar."),
        ("kortets id", "Kortets korta namn (till exempel centralised.disclosure). "
                       "Använd det för att hitta kortet i panelen eller i svarsmallen."),
    ],
}
#: What each role brings to a card round, for the legend page.
ROLE_NOTES = {
    "en": {"data_scientist": "builds and measures the model; says what the numbers show",
           "clinician": "knows the patients and the ward; says what the score would change",
           "it_security": "runs the systems; says what runs where and who can reach it",
           "dpo": "advises on the GDPR and checks the assessment",
           "lawyer": "reads the statutes: secrecy, patient data, contracts"},
    "sv": {"data_scientist": "bygger och mäter modellen; säger vad siffrorna visar",
           "clinician": "känner patienterna och avdelningen; säger vad poängen skulle ändra",
           "it_security": "driver systemen; säger vad som körs var och vem som når det",
           "dpo": "ger råd om dataskyddsförordningen och granskar bedömningen",
           "lawyer": "läser författningarna: sekretess, patientdata, avtal"},
}
CSS = """
.legend dt { font-weight: 650; margin-top: 0.4rem; }
.legend dd { margin: 0 0 0 1.2rem; }
.card { border: 1px dashed #6e7781; padding: 0.8rem 1.1rem; margin: 0 0 1rem 0;
        break-inside: avoid; page-break-inside: avoid; }
.card .head { display: flex; flex-wrap: wrap; gap: 0.2rem 1rem; justify-content: space-between;
              font-size: 0.85rem; color: var(--muted); }
.card .head .who { color: var(--ink); font-weight: 600; }
.card .head .unsettled { font-size: 1em; }
.card h2.q { font-size: 1.25rem; font-weight: 650; margin: 0.5rem 0 0.2rem 0; color: var(--ink); }
.card .q2 { font-style: italic; color: var(--muted); margin: 0 0 0.5rem 0; }
.card ul { margin: 0.2rem 0 0.4rem 1.1rem; padding: 0; }
.card .small { font-size: 0.9rem; margin: 0.2rem 0; }
@media print {
  @page { size: A4; margin: 10mm; }
  .legend { break-after: page; page-break-after: always; }
  .card { min-height: 134mm; margin: 0 0 4mm 0; }
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


def card_anchor(card: Card) -> str:
    """The HTML id of a card on the deck ("card-centralised-disclosure")."""
    return "card-" + card.id.replace(".", "-").replace("_", "-")


def card_html(card: Card, lang: str) -> str:
    """One card as an HTML block in ``lang``: header cues first, then question and body."""
    label, other = LABELS[lang], "sv" if lang == "en" else "en"
    points, from_card = good_answer(card, lang)
    roles = card_roles(card)
    minutes = load_notes()[card.id].minutes
    head = [f"<span>{esc(step_title(card.step, lang))}</span>"]
    if roles:
        head.append(f'<span class="who">{esc(label["answers"])}: '
                    f"{esc(role_names(roles[:1], lang))}</span>")
    if card.unsettled:
        head.append(f'<span class="unsettled">{esc(label["unsettled"])}</span>')
    head.append(f"<span><code>{esc(card.id)}</code> · {minutes} {label['min']}</span>")
    lines = [f'<section class="card" id="{card_anchor(card)}">',
             f'<div class="head">{"".join(head)}</div>',
             f'<h2 class="q">{esc(card.text("question", lang))}</h2>',
             f'<p class="q2" lang="{other}">{esc(card.text("question", other))}</p>']
    if len(roles) > 1:
        lines.append(f'<p class="small"><strong>{label["all"]}:</strong> '
                     f"{esc(role_names(roles, lang))}</p>")
    lines.append(f'<div><strong>{label["good" if from_card else "good_notes"]}:</strong>'
                 f'<ul>{"".join(f"<li>{esc(p)}</li>" for p in points)}</ul></div>')
    lines.append(f'<p class="small"><strong>{label["why"]}:</strong> '
                 f'{esc(card.text("why", lang))}</p>')
    if card.unsettled:
        lines.append(f'<p class="small unsettled">{label["unsettled"]}: '
                     f'{esc(card.text("open", lang))}</p>')
    lines.append(f'<p class="small muted">{label["law"]}: {esc(laws_in(card.law, lang))}</p>')
    lines.append("</section>")
    return "\n".join(lines)


def legend_html(lang: str) -> str:
    """The deck's first page: how to print it and what ⚖, the roles and the minutes mean."""
    label = LABELS[lang]
    items = "".join(f"<dt>{esc(term)}</dt><dd>{esc(text)}</dd>"
                    for term, text in LEGEND[lang])
    index = 0 if lang == "en" else 1
    roles = "".join(f"<dt>{esc(ROLES[r][index])}</dt><dd>{esc(text)}</dd>"
                    for r, text in ROLE_NOTES[lang].items())
    return (f'<div class="legend"><h1>{esc(label["title"])}</h1>'
            f'<p>{esc(label["intro"])}</p>'
            f'<h2>{esc(label["legend"])}</h2><dl>{items}</dl>'
            f'<h2>{esc(label["roles"])}</h2><dl>{roles}</dl></div>')


def deck_html(lang: str) -> str:
    """The whole deck in ``lang``: the legend page, then every card in course order."""
    body = [legend_html(lang)]
    body += [card_html(card, lang) for step in STEPS for card in cards_for(step)]
    return page(LABELS[lang]["title"], "\n".join(body), lang, CSS,
                footer=generated_footer("fedlearn_kit/gdpr/cards.yaml, facilitator.yaml", lang))
