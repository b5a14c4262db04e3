"""AI Act, MDR and EHDS checkpoints for a clinical prediction model (lesson 08).

Each checkpoint is a question to settle before a model trained in a project like the
course's is used in care, with the rule it comes from, when that rule applies and a source
(keys of the sources table in ``cards.yaml``). Dates move: the ``when`` column says what is
confirmed and what rests only on secondary reports, as of :data:`LAW_AS_OF`, and lesson 08
asks the reader to check the Official Journal. Teaching material, not legal advice.
"""

from __future__ import annotations

from dataclasses import dataclass

from fedlearn_kit.gdpr.cards import is_law_reference, read_cards_file

#: The day the checkpoints' law was last checked (the same day as the cards').
LAW_AS_OF = "2026-12-07"

#: What the ``when`` column says about the Digital Omnibus on AI, which the course could see
#: only through secondary reports, not in the Official Journal itself.
_OMNIBUS = ("as reported for the Digital Omnibus on AI (secondary sources; not confirmed "
            "in the Official Journal)")


@dataclass(frozen=True)
class Checkpoint:
    """One regulatory checkpoint: the rule, the question, when it applies, and the source."""

    regulation: str
    reference: str
    question: str
    when: str
    source: str


CHECKPOINTS: tuple[Checkpoint, ...] = (
    Checkpoint("AI Act", "AI Act Art. 3(1)",
               "Is the model an AI system at all? The Commission's guidelines (Feb 2025) put "
               "some optimisation uses of logistic regression outside; a score predicting "
               "outcomes for patients is contested. Not binding; only the Court can settle it.",
               "definition applies since 2 Feb 2025", "ai_system_guidelines"),
    Checkpoint("AI Act", "AI Act Art. 3(3)",
               "Does the region build the model and put it into service under its own name? "
               "Then it is the provider, not only a deployer (and may be the manufacturer under "
               "MDR Art. 2(30), unless the in-house route of MDR Art. 5(5) applies).",
               "applies since 2 Feb 2025", "ai_act"),
    Checkpoint("AI Act", "AI Act Art. 4",
               "Have the people who build, run and use the model had AI-literacy measures? "
               "The Omnibus reportedly rewords this as a duty to support AI literacy.",
               f"applies since 2 Feb 2025; new wording {_OMNIBUS}", "omnibus_report"),
    Checkpoint("AI Act", "AI Act Art. 2(6)",
               "Is the work solely scientific research, or pre-market development (Art. 2(8))? "
               "Both are outside the AI Act; testing in real-world conditions is not.",
               "applies since 2 Feb 2025", "ai_act"),
    Checkpoint("AI Act", "AI Act Art. 6(1)",
               "Is the model (part of) a medical device that needs a notified body? Then it is "
               "a high-risk AI system, with duties on data governance, oversight and logging; "
               "its serious incidents are reported under MDR vigilance, and under the AI Act only "
               "as Art. 73(10) allows.",
               f"originally 2 Aug 2027; 2 Aug 2028 {_OMNIBUS}", "mdcg_2025_6"),
    Checkpoint("AI Act", "AI Act Annex III",
               "Point 5(a): does a public body use the score to decide eligibility for health "
               "care services? A score that profiles patients cannot use the Art. 6(3) "
               "derogation; a public-law deployer owes a fundamental-rights impact assessment "
               "(Art. 27) and patients may ask for an explanation (Art. 86).",
               f"originally 2 Aug 2026; 2 Dec 2027 {_OMNIBUS}", "ai_act"),
    Checkpoint("AI Act", "AI Act Art. 10(5)",
               "Do we need special-category data to detect and correct bias? Allowed only "
               "under the listed safeguards; the Omnibus reportedly extends a similar "
               "permission beyond high-risk systems.",
               f"with the high-risk rules; extension {_OMNIBUS}", "omnibus_report"),
    Checkpoint("MDR", "MDR Art. 2(1)",
               "Is the model, as used, software with a medical purpose, and which class does "
               "Rule 11 (MDR Annex VIII) give it?", "applies since 26 May 2021", "mdr"),
    Checkpoint("MDR", "MDR Art. 5(5)(a)",
               "Could the in-house exemption apply? Among its conditions, the device must not "
               "be transferred to another legal entity: a model shared by two regions usually "
               "does not qualify.", "applies since 26 May 2021", "mdr"),
    Checkpoint("MDR", "MDR Art. 87",
               "Who reports serious incidents as manufacturer, and how does that fit with lex "
               "Maria (PSL 3 kap. 5 §) for the care provider?", "applies since 26 May 2021",
               "mdr"),
    Checkpoint("EHDS", "EHDS Art. 53(1)(f)",
               "Would training on other providers' data go through a data permit (Art. 68) or "
               "data request (Art. 69), in a secure processing environment (Art. 73)? "
               "Improving care (f), or quality and safety of care (a), may fit better than "
               "research (e).",
               "most of the secondary-use chapter from 26 Mar 2029", "ehds"),
    Checkpoint("EHDS", "EHDS Art. 54",
               "Could the use be one the EHDS prohibits, such as decisions that harm "
               "individuals on the basis of their health data?", "from 26 Mar 2029", "ehds"),
    Checkpoint("EHDS", "EHDS Art. 71",
               "How are patients who opt out of secondary use kept out of the data, and what "
               "does that do to the population the model learns from?",
               "with the secondary-use chapter", "ehds"),
)


def checkpoints() -> list[Checkpoint]:
    """The checkpoints, with their references and sources checked."""
    sources = read_cards_file()["sources"]
    for point in CHECKPOINTS:
        if not is_law_reference(point.reference) or point.source not in sources:
            raise ValueError(f"checkpoint {point.reference!r}: malformed reference or unknown "
                             f"source {point.source!r}")
    return list(CHECKPOINTS)


def checkpoints_markdown() -> str:
    """The checkpoints as a Markdown table, with each source cited and linked."""
    sources = read_cards_file()["sources"]
    lines = [f"| rule | question | applies (law as of {LAW_AS_OF}; teaching material, not "
             f"legal advice) | source |", "|---|---|---|---|"]
    for p in checkpoints():
        s = sources[p.source]
        second = "; secondary source" if s.get("kind") == "secondary" else ""
        lines.append(f"| {p.reference} | {p.question} | {p.when} | [{s['title']}]({s['url']}) "
                     f"({s['publisher']}, {s['date']}{second}; accessed {s['accessed']}) |")
    return "\n".join(lines) + "\n"
