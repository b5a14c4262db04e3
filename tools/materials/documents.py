"""One-page documents for the room: handout, certificate, feedback form, agenda for the wall.

Each is generated in Swedish and English from the course's own sources: the set-up commands
from README.md's "Start" section, the learning outcomes from each lesson's "You will" list,
the agendas from ``agendas.yaml`` and the lesson times.
"""

from __future__ import annotations

import re
from functools import cache
from typing import TypedDict

import yaml

from fedlearn_kit.gdpr.cards import STEPS, step_title
from fedlearn_kit.materials.html import esc, inline_markdown, markdown, page
from tools import ROOT
from tools.materials import HERE, generated_footer
from tools.materials.agenda import agenda_markdown, agenda_names, build_agenda
from tools.materials.lessons import lesson_summaries
from tools.materials.times import lesson_times

_FENCE = re.compile(r"```[^\n]*\n(.*?)```", re.DOTALL)
_ROW = re.compile(r"^\|\s*\*\*([^*]+)\*\*[^|]*\|(.*)$", re.MULTILINE)
_CODE = re.compile(r"`([^`]+)`")


def _start_section(readme: str | None) -> str:
    text = readme if readme is not None else (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.find("## Start")
    if start < 0:
        raise ValueError("README.md has no '## Start' section to take the set-up commands from")
    end = text.find("\n## ", start + 1)
    return text[start:end if end > 0 else None]


def setup_commands(readme: str | None = None) -> list[tuple[str, str]]:
    """How to open the course, per platform, from README.md's "## Start" section.

    The section's table rows (``| **Windows** ... | `py course.py lab` | ...``) give one
    (platform, first command) pair each; a README with a code block instead gives one pair
    per command line, with an empty platform.
    """
    section = _start_section(readme)
    rows = [(label.strip(), _CODE.findall(rest)[0]) for label, rest in _ROW.findall(section)
            if _CODE.findall(rest)]
    if rows:
        return rows
    match = _FENCE.search(section)
    if not match:
        raise ValueError("README.md's '## Start' section has neither a table of commands nor "
                         "a code block")
    return [("", line.rstrip()) for line in match.group(1).splitlines() if line.strip()]


def check_command(command: str, readme: str | None = None) -> str | None:
    """The laptop check matching an "open the course" command (``py course.py lab`` ->
    ``py course.py doctor``), if README's Start section names such a check; else None."""
    section = _start_section(readme)
    if "course.py doctor" not in section or not command.endswith(" lab"):
        return None
    return command[: -len(" lab")] + " doctor"


ONE_PAGE_CSS = """
@media print { @page { size: A4; margin: 10mm 12mm; } body { font-size: 10pt; }
  h1 { font-size: 1.45rem; margin: 0 0 0.3rem; } h2 { font-size: 1.05rem; margin: 0.6rem 0 0.2rem; }
  p, ul, ol { margin: 0.2rem 0 0.4rem; } }
.cols { display: grid; grid-template-columns: 1fr 1fr; gap: 1.2rem; }
.box { border: 1px solid var(--line); border-radius: 4px; padding: 0.5rem 0.8rem; }
"""


class HandoutText(TypedDict):
    """The words of the participant handout in one language."""

    title: str
    what: str
    what_text: str
    start: str
    start_text: str
    day: str
    check: str
    open: str
    run: str
    run_steps: list[str]
    answers: str
    answers_text: str
    dpo: str
    dpo_steps: list[str]
    lessons: str
    lessons_text: str
    half_day: str
    privacy: str
    privacy_text: str
    note: str


HANDOUT: dict[str, HandoutText] = {
    "en": {
        "title": "fedlearn-kit · participant handout",
        "what": "What the course is",
        "what_text": (
            "A hands-on course on training a model that predicts 30-day readmission after "
            "heart failure in two ways: **centrally**, by pooling two hospitals' records, and "
            "**federated**, where each hospital keeps its records and only model updates "
            "travel. Beside the code, each lesson asks the GDPR questions its step raises. "
            "Everything runs offline, on **synthetic patients** made on your laptop: no real "
            "patient is in the course."),
        "start": "How to start",
        "start_text": "You need Python 3.11, 3.12 or 3.13 and about 3 GB of free disk. Your "
                      "facilitator tells you how to get the course folder. In that folder, "
                      "in a terminal:",
        "day": "Date, time and room: ______________ · If the check fails, ask: "
               "______________",
        "check": "check the laptop", "open": "open the course",
        "run": "Running a lesson in JupyterLab",
        "run_steps": [
            "A lesson is text with grey code cells. To run a cell, click it and press "
            "**Shift+Enter**.",
            "To run the whole lesson: menu **Run ▸ Run All Cells**.",
            "If something hangs: **Kernel ▸ Restart Kernel**, then run again. Your answers "
            "are not lost.",
            "You may skip reading the code: read the text and the results under each cell.",
            "The question cards are the last cell of each lesson. Run that one cell to "
            "write your answers; you need not run the rest of the lesson first.",
        ],
        "answers": "Where your answers are saved",
        "answers_text": (
            "In `fedlearn-answers.json` next to the lessons, never in the lessons. Nobody "
            "collects them unless you share them. On a shared laptop they are deleted after "
            "the workshop."),
        "dpo": "After the workshop",
        "dpo_steps": [
            "Lesson 08 turns your answers into a draft data protection impact assessment "
            "(`fedlearn-dpia.html`) and six take-home drafts. In JupyterLab's file list, "
            "right-click a file and choose **Download**.",
            "Take the draft and its open questions to your DPO: the assessment is your "
            "controller's, with your DPO's advice.",
            "Use your region's own channels (work e-mail, the region's file share), not "
            "private e-mail or a private USB stick.",
            "Cards marked ⚖ are unsettled law: ask, do not assume.",
        ],
        "lessons": "The lessons",
        "lessons_text": "Each lesson in a few sentences, without code: "
                        "`docs/materials/summaries-en.html` (in Swedish: summaries-sv.html).",
        "half_day": "in the half day",
        "privacy": "Your data in this workshop",
        "privacy_text": (
            "The organiser keeps your name, organisation and role for the list of "
            "participants and the certificate (a record of AI-literacy training); ask who is "
            "responsible for the list and how long it is kept. The feedback form asks no "
            "name; leave the role blank if it would identify you."),
        "note": "Teaching material, not legal advice.",
    },
    "sv": {
        "title": "fedlearn-kit · deltagarblad",
        "what": "Vad kursen är",
        "what_text": (
            "En praktisk kurs om att träna en modell som förutsäger återinläggning inom 30 "
            "dagar efter hjärtsvikt på två sätt: **centralt**, genom att slå samman två "
            "sjukhus journaler, och **federerat**, där varje sjukhus behåller sina journaler "
            "och bara modelluppdateringar skickas. Bredvid koden ställer varje lektion de "
            "dataskyddsfrågor som steget väcker. Allt körs utan nätverk, med **syntetiska "
            "patienter** som skapas på din dator: ingen verklig patient finns i kursen."),
        "start": "Så kommer du igång",
        "start_text": "Du behöver Python 3.11, 3.12 eller 3.13 och ungefär 3 GB ledigt "
                      "diskutrymme. Kursledaren berättar hur du får kursmappen. I den "
                      "mappen, i en terminal:",
        "day": "Datum, tid och lokal: ______________ · Om kontrollen misslyckas, "
               "fråga: ______________",
        "check": "kontrollera datorn", "open": "öppna kursen",
        "run": "Så kör du en lektion i JupyterLab",
        "run_steps": [
            "En lektion är text med grå kodceller. Kör en cell genom att klicka i den och "
            "trycka **Skift+Enter**.",
            "Kör hela lektionen: menyn **Run ▸ Run All Cells**.",
            "Om något hänger sig: **Kernel ▸ Restart Kernel** och kör igen. Dina svar finns "
            "kvar.",
            "Du kan hoppa över koden: läs texten och resultaten under varje cell.",
            "Frågekorten är lektionens sista cell. Kör bara den cellen för att skriva dina "
            "svar; du behöver inte köra resten av lektionen först.",
        ],
        "answers": "Var dina svar sparas",
        "answers_text": (
            "I `fedlearn-answers.json` bredvid lektionerna, aldrig i lektionerna. Ingen "
            "samlar in dem om du inte själv delar dem. På en delad dator raderas de efter "
            "workshopen."),
        "dpo": "Efter workshopen",
        "dpo_steps": [
            "Lektion 08 gör om dina svar till ett utkast till konsekvensbedömning avseende "
            "dataskydd (`fedlearn-dpia.html`) och sex utkast att ta med hem. Högerklicka på "
            "en fil i JupyterLabs fillista och välj **Download**.",
            "Ta med utkastet och dess öppna frågor till ert dataskyddsombud: bedömningen är "
            "den personuppgiftsansvariges, med dataskyddsombudets råd.",
            "Använd regionens egna kanaler (jobbets e-post, regionens filyta), inte privat "
            "e-post eller ett privat USB-minne.",
            "Kort märkta ⚖ gäller oklart rättsläge: fråga, anta inte.",
        ],
        "lessons": "Lektionerna",
        "lessons_text": "Varje lektion i några meningar, utan kod: "
                        "`docs/materials/summaries-sv.html`.",
        "half_day": "ingår i halvdagen",
        "privacy": "Dina uppgifter i den här workshopen",
        "privacy_text": (
            "Arrangören sparar ditt namn, din organisation och roll för deltagarlistan och "
            "intyget (en förteckning över utbildning i AI-kunnighet); fråga vem som ansvarar "
            "för listan och hur länge den sparas. Utvärderingen frågar inte efter namn; "
            "lämna rollen tom om den skulle avslöja vem du är."),
        "note": "Utbildningsmaterial, inte juridisk rådgivning.",
    },
}


def half_day_lessons() -> set[str]:
    """The lessons the half-day agenda opens (taught, run or demonstrated)."""
    return {b.lesson for b in build_agenda("half_day") if b.lesson}


def handout_html(lang: str) -> str:
    """The one-page participant handout in ``lang``."""
    t = HANDOUT[lang]
    rows = []
    for platform, command in setup_commands():
        rows.append(f"<tr><td>{esc(platform)}</td><td>{esc(t['open'])}</td>"
                    f"<td><code>{esc(command)}</code></td></tr>")
        check = check_command(command)
        if check:
            rows.append(f"<tr><td>{esc(platform)}</td><td>{esc(t['check'])}</td>"
                        f"<td><code>{esc(command_only(check))}</code></td></tr>")
    commands = f"<table>{''.join(rows)}</table>"
    times = lesson_times()
    half = half_day_lessons()
    lessons = "".join(
        f"<li>{esc(step_title(s, lang))} · {times[s].total} min"
        + (f" · <strong>{esc(t['half_day'])}</strong>" if s in half else "") + "</li>"
        for s in STEPS)
    body = (f"<h1>{esc(t['title'])}</h1><p>{esc(t['day'])}</p>"
            f"<h2>{esc(t['what'])}</h2>{markdown(t['what_text'])}"
            f'<div class="cols"><div><h2>{esc(t["start"])}</h2><p>{esc(t["start_text"])}</p>'
            f"{commands}"
            f"<h2>{esc(t['run'])}</h2><ul>"
            + "".join(f"<li>{inline_markdown(step)}</li>" for step in t["run_steps"])
            + "</ul>"
            f"<h2>{esc(t['answers'])}</h2>{markdown(t['answers_text'])}</div>"
            f"<div><h2>{esc(t['lessons'])}</h2><ul>{lessons}</ul>"
            f"{markdown(t['lessons_text'])}"
            f"<h2>{esc(t['dpo'])}</h2><ul>"
            + "".join(f"<li>{inline_markdown(step)}</li>" for step in t["dpo_steps"])
            + "</ul></div></div>"
            f"<h2>{esc(t['privacy'])}</h2><p>{esc(t['privacy_text'])}</p>")
    return page(t["title"], body, lang, ONE_PAGE_CSS,
                footer=generated_footer("README.md, lesson_times.yaml", lang))


def command_only(command: str) -> str:
    """A command without a trailing shell comment."""
    return command.split("  #", 1)[0].strip()


CERTIFICATE = {
    "en": {"title": "Certificate of participation", "course": "fedlearn-kit: federated "
           "learning and the GDPR in health care, on synthetic patients",
           "line": "This certifies that", "completed": "took part in the course",
           "name": "Name", "org": "Organisation and role", "date": "Date",
           "format": "Format (half day, full day or self-study)",
           "signed": "Facilitator (name and signature)",
           "outcomes": "What the participant learned",
           "tick": "Tick one box per lesson: done (ran it) or seen (the facilitator showed "
                   "it).",
           "done": "done", "seen": "seen",
           "ai": ("The course is offered as a measure for AI literacy under Article 4 of the "
                  "AI Act (Regulation (EU) 2024/1689). Keep this certificate with your "
                  "organisation's record of who was trained, when and on what.")},
    "sv": {"title": "Intyg om deltagande", "course": "fedlearn-kit: federerad inlärning "
           "och GDPR i hälso- och sjukvården, med syntetiska patienter",
           "line": "Härmed intygas att", "completed": "har deltagit i kursen",
           "name": "Namn", "org": "Organisation och roll", "date": "Datum",
           "format": "Form (halvdag, heldag eller självstudier)",
           "signed": "Kursledare (namn och underskrift)",
           "outcomes": "Vad deltagaren har lärt sig",
           "tick": "Kryssa en ruta per lektion: genomförd (själv körd) eller visad "
                   "(kursledaren visade den).",
           "done": "genomförd", "seen": "visad",
           "ai": ("Kursen erbjuds som en åtgärd för AI-kunnighet enligt artikel 4 i "
                  "AI-förordningen (förordning (EU) 2024/1689). Spara intyget i organisationens "
                  "förteckning över vem som utbildats, när och i vad.")},
}
CERT_CSS = """
body { font-size: 11pt; }
@media print { @page { size: A4; margin: 12mm; } body { font-size: 11pt; line-height: 1.35; }
  h1 { margin: 0 0 0.3rem; } h2 { margin: 0.5rem 0 0.2rem; } p { margin: 0.35rem 0; }
  footer { margin-top: 0.5rem; } }
.fields { display: grid; grid-template-columns: 1fr 1fr; column-gap: 1.5rem; }
.fill { border-bottom: 1px solid var(--ink); min-height: 1.5rem; margin-bottom: 0.5rem; }
table.outcomes { width: 100%; }
table.outcomes td { padding: 0.15rem 0.4rem; }
table.outcomes td.tick { white-space: nowrap; }
.box { display: inline-block; width: 0.9em; height: 0.9em; border: 1px solid var(--ink);
       margin: 0 0.25rem 0 0.4rem; vertical-align: -0.1em; }
"""


@cache
def plain_outcomes() -> dict[str, dict[str, str]]:
    """Each lesson's outcome in plain words, in Swedish and English
    (``certificate_outcomes.yaml``)."""
    text = (HERE / "certificate_outcomes.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def certificate_html(lang: str) -> str:
    """A one-page certificate in ``lang``: who, when, and per lesson what was learned, in
    plain words, with a box for done and one for seen."""
    t = CERTIFICATE[lang]
    fields = "<div class='fields'>" + "".join(
        f"<div><div>{esc(t[k])}</div><div class='fill'></div></div>"
        for k in ("name", "org", "date", "format")) + "</div>"
    rows = "".join(
        f"<tr><td class='tick'><span class='box'></span>{esc(t['done'])}"
        f"<span class='box'></span>{esc(t['seen'])}</td>"
        f"<td><strong>{esc(step_title(s, lang))}</strong>: "
        f"{esc(plain_outcomes()[s][lang])}</td></tr>" for s in STEPS)
    body = (f"<h1>{esc(t['title'])}</h1><p><strong>{esc(t['course'])}</strong></p>"
            f"<p>{esc(t['line'])} …</p>{fields}<p>{esc(t['completed'])}.</p>"
            f"<h2>{esc(t['outcomes'])}</h2><p class='muted'>{esc(t['tick'])}</p>"
            f"<table class='outcomes'>{rows}</table>"
            f"<p>{esc(t['ai'])}</p><div>{esc(t['signed'])}</div><div class='fill'></div>")
    return page(t["title"], body, lang, CERT_CSS,
                footer=generated_footer("certificate_outcomes.yaml", lang))


class FeedbackText(TypedDict):
    """The words of the feedback form in one language."""

    title: str
    intro: str
    format: str
    formats: list[str]
    role: str
    roles: list[str]
    scale: list[str]
    open: list[str]
    minute: str


FEEDBACK: dict[str, FeedbackText] = {
    "en": {"title": "Feedback · fedlearn-kit workshop",
           "intro": "No name asked; in a small group your role may still identify you, so leave "
                    "it blank if you prefer. Circle one number: 1 = disagree strongly, 5 = "
                    "agree strongly.",
           "format": "The workshop", "formats": ["half day", "full day", "self-study"],
           "role": "My role", "roles": ["data scientist", "clinician", "DPO",
                                        "IT / security", "lawyer", "other"],
           "scale": ["I can explain the difference between central and federated training.",
                     "I can say what leaves a hospital in federated learning, and what it can "
                     "reveal.",
                     "I know which GDPR questions to ask at each step of such a project.",
                     "I know what to take to our DPO next.",
                     "The pace was right for me.",
                     "The mix of code and discussion worked for my role."],
           "open": ["What was most useful?", "What was unclear or too fast?",
                    "What will you do differently at work?",
                    "Which question would you like our DPO to answer?"],
           "minute": "Minute card: the one thing I learned today is …"},
    "sv": {"title": "Utvärdering · fedlearn-kit workshop",
           "intro": "Inget namn efterfrågas; i en liten grupp kan din roll ändå avslöja vem du "
                    "är, så lämna den tom om du vill. Ringa in en siffra: 1 = instämmer inte "
                    "alls, 5 = instämmer helt.",
           "format": "Kursen", "formats": ["halvdag", "heldag", "självstudier"],
           "role": "Min roll", "roles": ["dataanalytiker", "kliniker", "dataskyddsombud",
                                         "IT / säkerhet", "jurist", "annan"],
           "scale": ["Jag kan förklara skillnaden mellan central och federerad träning.",
                     "Jag kan säga vad som lämnar ett sjukhus vid federerad inlärning, och vad "
                     "det kan avslöja.",
                     "Jag vet vilka dataskyddsfrågor som ska ställas i varje steg av ett sådant "
                     "projekt.",
                     "Jag vet vad jag ska ta med till vårt dataskyddsombud.",
                     "Tempot passade mig.",
                     "Blandningen av kod och diskussion fungerade för min roll."],
           "open": ["Vad var mest användbart?", "Vad var oklart eller gick för fort?",
                    "Vad kommer du att göra annorlunda i arbetet?",
                    "Vilken fråga vill du att vårt dataskyddsombud besvarar?"],
           "minute": "Minutlapp: det viktigaste jag lärde mig i dag är …"},
}
FEEDBACK_CSS = """
@media print { @page { size: A4; margin: 12mm; } body { font-size: 10.5pt; } }
.scale td:last-child { white-space: nowrap; letter-spacing: 0.6rem; }
.write { border: 1px solid #6e7781; height: 4.6rem; margin-bottom: 0.5rem; }
"""


def feedback_html(lang: str) -> str:
    """A one-page feedback form in ``lang``."""
    t = FEEDBACK[lang]
    roles = " ".join(f"☐ {esc(r)}" for r in t["roles"])
    formats = " ".join(f"☐ {esc(f)}" for f in t["formats"])
    rows = "".join(f"<tr><td>{esc(s)}</td><td>1 2 3 4 5</td></tr>" for s in t["scale"])
    opens = "".join(f"<div>{esc(q)}</div><div class='write'></div>" for q in t["open"])
    body = (f"<h1>{esc(t['title'])}</h1><p class='muted'>{esc(t['intro'])}</p>"
            f"<p><strong>{esc(t['format'])}:</strong> {formats}</p>"
            f"<p><strong>{esc(t['role'])}:</strong> {roles}</p>"
            f"<table class='scale'>{rows}</table>{opens}"
            f"<div><strong>{esc(t['minute'])}</strong></div><div class='write'></div>")
    return page(t["title"], body, lang, FEEDBACK_CSS, footer=generated_footer("documents.py",
                                                                               lang))


AGENDA_CSS = """
body { max-width: 72rem; }
table { width: 100%; }
.agenda { break-after: page; page-break-after: always; }
.agenda:last-of-type { break-after: auto; page-break-after: auto; }
.agenda td:first-child, .agenda td:nth-child(3), .agenda th { white-space: nowrap; }
.agenda td:nth-child(2) { width: 50%; }
@media print { @page { size: A4 landscape; margin: 6mm 10mm; } body { font-size: 11pt; }
  footer { margin: 0; padding: 0; font-size: 8pt; }
  .agenda table { font-size: 11pt; line-height: 1.05; }
  .agenda td, .agenda th { padding: 0 0.4rem; }
  .agenda ul { font-size: 9pt; columns: 2; margin: 0; } .agenda p { margin: 0.2rem 0; }
  h1 { font-size: 1.2rem; margin: 0; } h2 { font-size: 1.15rem; margin: 0.1rem 0 0.3rem; } }
"""


#: The line that opens an agenda's list of what it leaves out (agenda_markdown).
LEFT_OUT = {"en": "Left out of this agenda:", "sv": "Ingår inte i schemat:"}


def agenda_html(lang: str) -> str:
    """Both agendas in ``lang``, for the wall: one landscape page each."""
    title = "Agendas" if lang == "en" else "Scheman"
    parts = []
    for i, name in enumerate(agenda_names()):
        text = agenda_markdown(name, lang, questions=True).replace("### ", "## ", 1)
        # The wall shows the day; what the agenda leaves out is for the facilitator (the
        # guide and the run sheet list it), and leaving it off keeps each agenda on one page.
        # The totals line goes too (the guide and the run sheet give it): with the buffer
        # blocks the full day's table needs its room.
        text = text.split("\n\n" + LEFT_OUT[lang], 1)[0].rsplit("\n\n", 1)[0] + "\n"
        heading = f"<h1>fedlearn-kit · {esc(title)}</h1>" if i == 0 else ""
        parts.append(f'<div class="agenda">{heading}{markdown(text)}</div>')
    return page(title, "".join(parts), lang, AGENDA_CSS,
                footer=generated_footer("lesson_times.yaml, agendas.yaml", lang))


_SWEDISH_CELL = re.compile(r"<tr>\s*<td>")
_SECOND_CELL = re.compile(r"(<tr>\s*<td>.*?</td>\s*)<td>", re.DOTALL)
_BILINGUAL_HEADING = re.compile(r"<(h[1-3])>(.*?) · (.*?)</\1>")


_GLOSSARY_TITLE = {"en": "fedlearn-kit glossary · ordlista",
                   "sv": "fedlearn-kit ordlista · glossary"}


def glossary_html(lang: str = "en") -> str:
    """The glossary as a printable page (landscape, so its wide tables fit): docs/glossary.md,
    or for ``lang="sv"`` its Swedish translation docs/sv/glossary.md (the explanations in
    Swedish). The Swedish column and the other language's half of each heading are marked
    with their language."""
    source = "docs/glossary.md" if lang == "en" else f"docs/{lang}/glossary.md"
    text = (ROOT / source).read_text(encoding="utf-8")
    css = ("@media print { @page { size: A4 landscape; margin: 10mm; } body { font-size: 10pt; }"
           " } table { font-size: 1em; width: 100%; }")
    html = markdown(text)
    # Each table's first column is Swedish ("| svenska | English | in short |"), its second
    # English; a heading is "English · svenska" in the English page, the reverse in the Swedish.
    if lang == "en":
        html = _SWEDISH_CELL.sub('<tr>\n<td lang="sv">', html)
        html = html.replace("<th>svenska</th>", '<th lang="sv">svenska</th>')
    else:
        html = _SECOND_CELL.sub(r'\1<td lang="en">', html)
    other = "sv" if lang == "en" else "en"
    html = _BILINGUAL_HEADING.sub(rf'<\1>\2 · <span lang="{other}">\3</span></\1>', html)
    # The note goes first, not in a footer: after the last table a footer can land alone on
    # an otherwise empty printed page.
    note = f'<p class="muted">{generated_footer(source, lang)}</p>'
    return page(_GLOSSARY_TITLE[lang], note + html, lang, css)


def summaries_html(lang: str) -> str:
    """Every lesson in a few sentences, in ``lang``: a page for those who follow the room
    rather than the code (clinicians, lawyers, DPOs)."""
    title = {"en": "The lessons in brief", "sv": "Lektionerna i korthet"}[lang]
    times = lesson_times()
    body = f"<h1>fedlearn-kit · {esc(title)}</h1>" + "".join(
        f"<h2>{esc(step_title(s, lang))} · {times[s].total} min</h2>"
        f"<p>{esc(lesson_summaries()[s][lang])}</p>" for s in STEPS)
    css = ONE_PAGE_CSS + " h2 { font-size: 1.1rem; margin: 0.7rem 0 0.2rem; }"
    return page(title, body, lang, css,
                footer=generated_footer("lesson_summaries.yaml", lang))
