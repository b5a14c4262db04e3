"""One-page documents for the room: handout, certificate, feedback form, agenda for the wall.

Each is generated in Swedish and English from the course's own sources: the set-up commands
from README.md's "Start" section, the learning outcomes from each lesson's "You will" list,
the agendas from ``agendas.yaml`` and the lesson times.
"""

from __future__ import annotations

import re
from typing import TypedDict

from fedlearn_kit.gdpr.cards import STEPS, step_title
from fedlearn_kit.materials.html import esc, inline_markdown, markdown, page
from tools import ROOT
from tools.materials import generated_footer
from tools.materials.agenda import agenda_markdown, agenda_names
from tools.materials.lessons import learning_outcomes, lesson_summaries
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
@media print { @page { size: A4; margin: 14mm; } body { font-size: 10pt; } }
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
    check: str
    open: str
    answers: str
    answers_text: str
    dpo: str
    dpo_steps: list[str]
    roles: str
    privacy: str
    privacy_text: str
    note: str


HANDOUT: dict[str, HandoutText] = {
    "en": {
        "title": "fedlearn-kit · participant handout",
        "what": "What the course is",
        "what_text": (
            "A hands-on course in Jupyter notebooks on training a prediction model for 30-day "
            "readmission after heart failure in two ways: **centrally**, by pooling the two "
            "hospitals' records, and **federated**, where each hospital keeps its records and "
            "only model updates travel. Beside the code, each lesson asks the GDPR questions its "
            "step raises. Everything runs offline on your laptop, on **synthetic patients** "
            "made on your own computer: no real patient is in the course."),
        "start": "How to start",
        "start_text": "In the kit folder (from README.md). The first start installs the "
                      "course's packages; later starts take seconds.",
        "check": "check the laptop", "open": "open the course",
        "answers": "Where your answers are saved",
        "answers_text": (
            "Your answers to the question cards are saved in `fedlearn-answers.json` next to "
            "the notebooks (or in the file `FEDLEARN_ANSWERS` points to), never in the "
            "notebooks. Nobody collects them unless you choose to share them. On a shared "
            "laptop they are deleted after the workshop."),
        "dpo": "Taking the DPIA draft to your DPO",
        "dpo_steps": [
            "Lesson 08 turns your answers into a draft data protection impact assessment "
            "(DPIA), laid out after GDPR Art. 35(7). Or, in the kit folder: "
            "`.venv/bin/fedlearn-kit dpia --answers notebooks/fedlearn-answers.json --out "
            "my-dpia.html` (Windows: `.venv\\Scripts\\fedlearn-kit`; add `--lang sv` for "
            "Swedish).",
            "Take the draft and its list of open questions, not a finished assessment: the "
            "assessment is your controller's, with your DPO's advice.",
            "Lesson 08 also writes six take-home drafts (an Art. 26 arrangement, processor "
            "clauses for the coordinator, a secrecy assessment memo, a decision paper, patient "
            "information, a contact checklist): `.venv/bin/fedlearn-kit takehome --answers "
            "notebooks/fedlearn-answers.json --lang en`. Adapt them with your region's lawyers.",
            "Take your drafts home through your region's own channels (work e-mail, the "
            "region's file share), not private e-mail or a private USB stick.",
            "Say which answers came from measurements in the course (on synthetic data) and "
            "which are your organisation's real situation.",
            "Cards marked ⚖ are unsettled law: ask, do not assume.",
        ],
        "roles": "Lessons",
        "privacy": "Your data in this workshop",
        "privacy_text": (
            "The organiser keeps your name, organisation and role for the list of "
            "participants and the certificate (a record of AI-literacy training). Your answers "
            "stay on the laptop and are deleted from shared laptops after the workshop. The "
            "feedback form asks no name; with small groups your role may still identify you, "
            "so leave the role blank if you prefer. Ask the organiser who is responsible for "
            "the list and how long it is kept."),
        "note": "Teaching material, not legal advice.",
    },
    "sv": {
        "title": "fedlearn-kit · deltagarblad",
        "what": "Vad kursen är",
        "what_text": (
            "En praktisk kurs i Jupyter-notebooks om att träna en modell som förutsäger "
            "återinläggning inom 30 dagar efter hjärtsvikt på två sätt: **centralt**, genom att "
            "slå samman de två sjukhusens journaler, och **federerat**, där varje sjukhus "
            "behåller sina journaler och bara modelluppdateringar skickas. Bredvid koden ställer "
            "varje lektion de dataskyddsfrågor som steget väcker. Allt körs utan nätverk på din "
            "dator, med **syntetiska patienter** som skapas på din egen dator: ingen verklig "
            "patient finns i kursen."),
        "start": "Så kommer du igång",
        "start_text": "I kursmappen (från README.md). Första starten installerar kursens "
                      "paket; senare starter tar några sekunder.",
        "check": "kontrollera datorn", "open": "öppna kursen",
        "answers": "Var dina svar sparas",
        "answers_text": (
            "Dina svar på frågekorten sparas i `fedlearn-answers.json` bredvid notebookarna "
            "(eller i filen som `FEDLEARN_ANSWERS` pekar på), aldrig i notebookarna. Ingen "
            "samlar in dem om du inte själv väljer att dela dem. På en delad dator raderas de "
            "efter workshopen."),
        "dpo": "Ta utkastet till konsekvensbedömning till ert dataskyddsombud",
        "dpo_steps": [
            "Lektion 08 gör om dina svar till ett utkast till konsekvensbedömning avseende "
            "dataskydd, uppställt efter artikel 35.7 i GDPR. Eller, i kursmappen: "
            "`.venv/bin/fedlearn-kit dpia --answers notebooks/fedlearn-answers.json --lang sv "
            "--out min-kb.html` (Windows: `.venv\\Scripts\\fedlearn-kit`).",
            "Ta med utkastet och dess lista över öppna frågor, inte en färdig bedömning: "
            "bedömningen är den personuppgiftsansvariges, med dataskyddsombudets råd.",
            "Lektion 08 skriver också sex utkast att ta med hem (inbördes arrangemang enligt "
            "artikel 26, klausuler för samordnaren som personuppgiftsbiträde, en promemoria "
            "om menprövning, ett beslutsunderlag, patientinformation, en kontaktlista): "
            "`.venv/bin/fedlearn-kit takehome --answers notebooks/fedlearn-answers.json`. "
            "Bearbeta dem med regionens jurister.",
            "Ta med utkasten hem genom regionens egna kanaler (jobbets e-post, regionens "
            "filyta), inte privat e-post eller ett privat USB-minne.",
            "Säg vilka svar som bygger på mätningar i kursen (på syntetiska data) och vilka som "
            "beskriver er organisations verkliga läge.",
            "Kort märkta ⚖ gäller oklart rättsläge: fråga, anta inte.",
        ],
        "roles": "Lektioner",
        "privacy": "Dina uppgifter i den här workshopen",
        "privacy_text": (
            "Arrangören sparar ditt namn, din organisation och roll för deltagarlistan och "
            "intyget (en förteckning över utbildning i AI-kunnighet). Dina svar stannar på "
            "datorn och raderas från delade datorer efter workshopen. Utvärderingen frågar inte "
            "efter namn; i en liten grupp kan din roll ändå avslöja vem du är, så lämna rollen "
            "tom om du vill. Fråga arrangören vem som ansvarar för listan och hur länge den "
            "sparas."),
        "note": "Undervisningsmaterial, inte juridisk rådgivning.",
    },
}


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
                        f"<td><code>{esc(check)}</code></td></tr>")
    commands = f"<table>{''.join(rows)}</table>"
    times = lesson_times()
    lessons = "".join(f"<li>{esc(step_title(s, lang))} · {times[s].total} min</li>"
                      for s in STEPS)
    body = (f"<h1>{esc(t['title'])}</h1>"
            f"<h2>{esc(t['what'])}</h2>{markdown(t['what_text'])}"
            f'<div class="cols"><div><h2>{esc(t["start"])}</h2><p>{esc(t["start_text"])}</p>'
            f"{commands}"
            f"<h2>{esc(t['answers'])}</h2>{markdown(t['answers_text'])}</div>"
            f"<div><h2>{esc(t['roles'])}</h2><ul>{lessons}</ul></div></div>"
            f"<h2>{esc(t['dpo'])}</h2><ol>"
            + "".join(f"<li>{inline_markdown(step)}</li>" for step in t["dpo_steps"]) + "</ol>"
            f"<h2>{esc(t['privacy'])}</h2><p>{esc(t['privacy_text'])}</p>"
            f'<p class="muted">{esc(t["note"])}</p>')
    return page(t["title"], body, lang, ONE_PAGE_CSS,
                footer=generated_footer("README.md, lesson_times.yaml", lang))


CERTIFICATE = {
    "en": {"title": "Certificate of completion", "course": "fedlearn-kit: federated learning "
           "and the GDPR in health care, on synthetic patients",
           "line": "This certifies that", "completed": "took part in the course",
           "name": "Name", "org": "Organisation and role", "date": "Date",
           "format": "Format (half day / full day / self-paced)",
           "signed": "Facilitator (name and signature)",
           "outcomes": "Learning outcomes of the lessons taken",
           "tick": "Tick the lessons completed.",
           "ai": ("The course is offered as a measure for AI literacy under Article 4 of the "
                  "AI Act (Regulation (EU) 2024/1689). Keep this certificate with your "
                  "organisation's record of who was trained, when and on what.")},
    "sv": {"title": "Intyg om genomgången kurs", "course": "fedlearn-kit: federerad inlärning "
           "och GDPR i hälso- och sjukvården, med syntetiska patienter",
           "line": "Härmed intygas att", "completed": "har deltagit i kursen",
           "name": "Namn", "org": "Organisation och roll", "date": "Datum",
           "format": "Form (halvdag / heldag / självstudier)",
           "signed": "Kursledare (namn och underskrift)",
           "outcomes": "Lärandemål för de lektioner som genomgåtts (på engelska, som i kursen)",
           "tick": "Kryssa för genomgångna lektioner.",
           "ai": ("Kursen erbjuds som en åtgärd för AI-kunnighet enligt artikel 4 i "
                  "AI-förordningen (förordning (EU) 2024/1689). Spara intyget i organisationens "
                  "förteckning över vem som utbildats, när och i vad.")},
}
CERT_CSS = """
@media print { @page { size: A4; margin: 12mm; } body { font-size: 9pt; } h1 { margin: 0; } }
.fields { display: grid; grid-template-columns: 1fr 1fr; column-gap: 1.5rem; }
.fill { border-bottom: 1px solid var(--ink); min-height: 1.6rem; margin-bottom: 0.6rem; }
.lessons { columns: 2; column-gap: 1.5rem; }
.lesson { margin: 0.2rem 0; break-inside: avoid; page-break-inside: avoid; }
.lesson ul { margin: 0.1rem 0 0.3rem 1.2rem; padding: 0; font-size: 0.85em; }
.box { display: inline-block; width: 0.9em; height: 0.9em; border: 1px solid var(--ink);
       margin-right: 0.4rem; vertical-align: -0.1em; }
"""


def certificate_html(lang: str) -> str:
    """A printable certificate of completion in ``lang``, with every lesson's outcomes."""
    t = CERTIFICATE[lang]
    fields = "<div class='fields'>" + "".join(
        f"<div><div>{esc(t[k])}</div><div class='fill'></div></div>"
        for k in ("name", "org", "date", "format")) + "</div>"
    lessons = "".join(
        f'<div class="lesson"><span class="box"></span><strong>{esc(step_title(s, lang))}'
        f"</strong><ul>" + "".join(f"<li>{inline_markdown(o)}</li>" for o in learning_outcomes(s))
        + "</ul></div>" for s in STEPS)
    body = (f"<h1>{esc(t['title'])}</h1><p><strong>{esc(t['course'])}</strong></p>"
            f"<p>{esc(t['line'])} …</p>{fields}<p>{esc(t['completed'])}.</p>"
            f"<h3>{esc(t['outcomes'])}</h3><p class='muted'>{esc(t['tick'])}</p>"
            f"<div class='lessons'>{lessons}</div>"
            f"<p>{esc(t['ai'])}</p><div>{esc(t['signed'])}</div><div class='fill'></div>")
    return page(t["title"], body, lang, CERT_CSS,
                footer=generated_footer("the lessons' \"You will\" lists", lang))



class FeedbackText(TypedDict):
    """The words of the feedback form in one language."""

    title: str
    intro: str
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
@media print { @page { size: A4; margin: 14mm; } body { font-size: 10pt; } }
.scale td:last-child { white-space: nowrap; letter-spacing: 0.6rem; }
.write { border: 1px solid var(--line); height: 3.2rem; margin-bottom: 0.5rem; }
"""


def feedback_html(lang: str) -> str:
    """A one-page feedback form in ``lang``."""
    t = FEEDBACK[lang]
    roles = " ".join(f"☐ {esc(r)}" for r in t["roles"])
    rows = "".join(f"<tr><td>{esc(s)}</td><td>1 2 3 4 5</td></tr>" for s in t["scale"])
    opens = "".join(f"<div>{esc(q)}</div><div class='write'></div>" for q in t["open"])
    body = (f"<h1>{esc(t['title'])}</h1><p class='muted'>{esc(t['intro'])}</p>"
            f"<p><strong>{esc(t['role'])}:</strong> {roles}</p>"
            f"<table class='scale'>{rows}</table>{opens}"
            f"<div><strong>{esc(t['minute'])}</strong></div><div class='write'></div>")
    return page(t["title"], body, lang, FEEDBACK_CSS, footer=generated_footer("documents.py",
                                                                               lang))


def agenda_html(lang: str) -> str:
    """Both agendas in ``lang``, for the wall."""
    title = "Agendas" if lang == "en" else "Scheman"
    body = f"<h1>fedlearn-kit · {title}</h1>" + "".join(
        markdown(agenda_markdown(name, lang, questions=True).replace("### ", "## ", 1))
        for name in agenda_names())
    return page(title, body, lang, "@media print { h2 { page-break-before: always; } "
                                    "h2:first-of-type { page-break-before: auto; } }",
                footer=generated_footer("lesson_times.yaml, agendas.yaml", lang))


def glossary_html() -> str:
    """docs/glossary.md as a printable page (landscape, so its wide tables fit)."""
    text = (ROOT / "docs" / "glossary.md").read_text(encoding="utf-8")
    css = ("@media print { @page { size: A4 landscape; margin: 10mm; } body { font-size: 9pt; } }"
           " table { font-size: 0.9em; }")
    return page("fedlearn-kit glossary · ordlista", markdown(text), "en", css,
                footer=generated_footer("docs/glossary.md"))


def summaries_html(lang: str) -> str:
    """Every lesson in a few sentences, in ``lang``: a page for those who follow the room
    rather than the code (clinicians, lawyers, DPOs)."""
    title = {"en": "The lessons in brief", "sv": "Lektionerna i korthet"}[lang]
    times = lesson_times()
    body = f"<h1>fedlearn-kit · {esc(title)}</h1>" + "".join(
        f"<h3>{esc(step_title(s, lang))} · {times[s].total} min</h3>"
        f"<p>{esc(lesson_summaries()[s][lang])}</p>" for s in STEPS)
    return page(title, body, lang, ONE_PAGE_CSS + " h3 { margin: 0.7rem 0 0.2rem; }",
                footer=generated_footer("lesson_summaries.yaml", lang))
