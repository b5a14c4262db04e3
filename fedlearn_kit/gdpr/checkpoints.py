"""AI Act, MDR and EHDS checkpoints for a clinical prediction model (lesson 08).

Each checkpoint is a question to settle before a model trained in a project like the
course's is used in care, with the rule it comes from, when that rule applies and a source
(keys of the sources table in ``cards.yaml``). Dates move: the ``when`` column says what the
sources said, and lesson 08 asks the reader to check the Official Journal.
"""

from __future__ import annotations

from dataclasses import dataclass

from fedlearn_kit.gdpr.cards import is_law_reference, read_cards_file


@dataclass(frozen=True)
class Checkpoint:
    """One regulatory checkpoint: the rule, the question, when it applies, and the source."""

    regulation: str
    reference: str
    question: str
    when: str
    source: str


CHECKPOINTS: tuple[Checkpoint, ...] = (
    Checkpoint("AI Act", "AI Act Art. 4",
               "Have the people who build, run and use the model had AI-literacy training?",
               "applies since 2 Feb 2025", "ai_act"),
    Checkpoint("AI Act", "AI Act Art. 2(6)",
               "Is the work solely scientific research, or pre-market development (Art. 2(8))? "
               "Both are outside the AI Act; testing in real-world conditions is not.",
               "in force", "ai_act"),
    Checkpoint("AI Act", "AI Act Art. 6(1)",
               "Is the model (part of) a medical device that needs a notified body? Then it is "
               "a high-risk AI system, with duties on data governance, oversight and logging.",
               "2 Aug 2027; a May 2026 political agreement would move it to 2 Aug 2028 "
               "(not adopted in our sources)", "mdcg_2025_6"),
    Checkpoint("AI Act", "AI Act Art. 10(5)",
               "Do we need special-category data to detect and correct bias? It is allowed "
               "only under the safeguards the article lists.",
               "with the high-risk rules", "ai_act"),
    Checkpoint("MDR", "MDR Art. 2(1)",
               "Is the model, as used, software with a medical purpose, and which class does "
               "Rule 11 (MDR Annex VIII) give it?", "applies since 26 May 2021", "mdr"),
    Checkpoint("MDR", "MDR Art. 5(5)",
               "Could the region make and use it in-house? The exemption has conditions, and "
               "in-house devices do not meet AI Act Art. 6(1).", "applies since 26 May 2021",
               "mdcg_2025_6"),
    Checkpoint("EHDS", "EHDS Art. 53(1)(e)",
               "Would training on other providers' data go through a data permit from a "
               "health data access body and a secure processing environment?",
               "most of the secondary-use chapter from 26 Mar 2029", "ehds"),
    Checkpoint("EHDS", "EHDS Art. 54",
               "Could the use be one the EHDS prohibits, such as decisions that harm "
               "individuals on the basis of their health data?", "from 26 Mar 2029", "ehds"),
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
    """The checkpoints as a Markdown table, with each source cited."""
    sources = read_cards_file()["sources"]
    lines = ["| rule | question | applies | source |", "|---|---|---|---|"]
    for p in checkpoints():
        s = sources[p.source]
        lines.append(f"| {p.reference} | {p.question} | {p.when} | {s['title']} "
                     f"({s['publisher']}, {s['date']}) |")
    return "\n".join(lines) + "\n"
