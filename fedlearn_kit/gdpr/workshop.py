"""The facilitator's guide's discussion prompts, generated from ``cards.yaml`` (docs/workshop.md).

``python -m fedlearn_kit.gdpr.workshop`` rewrites the generated block of docs/workshop.md;
a test fails when the block and the cards disagree, so the guide cannot drift from the
cards learners see.
"""

from __future__ import annotations

import sys
from pathlib import Path

from fedlearn_kit.gdpr.cards import STEPS, cards_for, step_title
from fedlearn_kit.paths import ROOT

GUIDE = ROOT / "docs" / "workshop.md"
BEGIN = ("<!-- BEGIN discussion prompts: generated from fedlearn_kit/gdpr/cards.yaml by "
         "`python -m fedlearn_kit.gdpr.workshop`; do not edit by hand -->")
END = "<!-- END discussion prompts -->"

#: How to run the discussion of a card, by the DPIA part its answer belongs to.
PROMPTS = {
    "description": "Each role says what happens in their own organisation; the DPO writes "
                   "down who decides what.",
    "necessity": "The clinician argues why it is needed; the DPO asks whether less would do.",
    "risks": "The data scientist shows the figure from the notebook; the group rates how "
             "likely and how severe the harm to patients would be.",
    "measures": "IT and the data scientist say what they would do; the DPO asks how it "
                "would be documented and checked.",
}
UNSETTLED = ("Unsettled law: collect the positions in the room and the question for the "
             "DPO; do not settle it here.")


def discussion_prompts_markdown() -> str:
    """Per lesson, each card's question (en, sv), id, law and how to discuss it."""
    lines = [BEGIN, ""]
    for step in STEPS:
        lines += [f"### {step_title(step)}", ""]
        for card in cards_for(step):
            prompt = PROMPTS[card.dpia] + (f" ⚖ {UNSETTLED}" if card.unsettled else "")
            lines.append(f"- **{card.text('question', 'en')}** "
                         f"*{card.text('question', 'sv')}* (`{card.id}`; "
                         f"{'; '.join(card.law)}). {prompt}")
        lines.append("")
    lines.append(END)
    return "\n".join(lines)


def generated_block(text: str) -> str | None:
    """The generated block of a guide's text, or None if its markers are missing."""
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        return None
    return text[start:end + len(END)]


def update_guide(path: Path = GUIDE) -> bool:
    """Rewrite the generated block of the guide; True if anything changed."""
    text = path.read_text(encoding="utf-8")
    block = generated_block(text)
    if block is None:
        raise ValueError(f"{path}: no generated block; put the lines\n{BEGIN}\n{END}\n"
                         f"where the discussion prompts belong.")
    new = text.replace(block, discussion_prompts_markdown())
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text


if __name__ == "__main__":
    changed = update_guide()
    print(f"{GUIDE}: {'updated' if changed else 'already up to date'}")
    sys.exit(0)
