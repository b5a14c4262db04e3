"""The non-programmer's path through lessons 00 and 03 in JupyterLab, as a clinician or a
lawyer walks it: open the lesson, run only its cards cell, see who answers first and ⚖ on
the collapsed cards, answer a card, switch the panel to Swedish and see every line change."""

from __future__ import annotations

import json
import time

import pytest

from fedlearn_kit.gdpr.cards import cards_for
from tests.e2e.lab import ARTIFACTS, run_in_kernel, wait_for_notebook

PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden) .fedlearn-cards"
#: What no cell but the cards cell defines: if it exists, another cell ran.
OTHER_CELLS_RAN = "print(any(name in globals() for name in ('kit', 'exp', 'cohort')))"


#: The panel shows ``heading`` and no card still shows ``stale`` (the other language's cue).
IN_LANGUAGE = """([sel, heading, stale]) => {
  const text = document.querySelector(sel).innerText;
  return text.includes(heading) && !text.includes(stale);
}"""


def _card_selector(card_id: str) -> str:
    return ".fedlearn-card-" + card_id.replace(".", "-").replace("_", "-")


def _panel_lines(panel) -> list[str]:
    """The panel's visible lines, without the language buttons (their names stay)."""
    lines = [ln.strip() for ln in panel.inner_text().splitlines() if ln.strip()]
    return [ln for ln in lines if ln not in ("English", "Svenska", "EnglishSvenska")]


#: Bring the cards cell into view (JupyterLab renders only the cells near the viewport) and
#: mark it, so that the test can click it as a learner would.
SHOW_CARDS_CELL = """(marker) => {
  const notebook = window.jupyterapp.shell.currentWidget.content;
  for (let i = 0; i < notebook.widgets.length; i++) {
    if (notebook.model.cells.get(i).sharedModel.getSource().includes(marker)) {
      notebook.activeCellIndex = i;
      notebook.scrollToItem(i);
      notebook.widgets[i].node.classList.add('fedlearn-test-cards-cell');
      return i;
    }
  }
  return -1;
}"""


def _run_only_the_cards_cell(page):
    index = page.evaluate(SHOW_CARDS_CELL, "from fedlearn_kit.gdpr import show_cards")
    assert index >= 0, "the lesson has no self-contained cards cell"
    cell = page.locator(".fedlearn-test-cards-cell")
    cell.locator(".jp-InputArea-editor").click()
    page.keyboard.press("Shift+Enter")
    page.wait_for_selector(PANEL, timeout=60_000)
    return page.locator(PANEL)


@pytest.mark.e2e
@pytest.mark.parametrize(("lesson", "step", "lawyer_card"), [
    ("00_start_here", "start_here", "start_here.model_as_personal_data"),
    ("03_centralised", "centralised", "centralised.disclosure"),
])
def test_a_non_programmer_answers_a_card_without_running_the_lesson(lab, page, lesson, step,
                                                                     lawyer_card):
    page.goto(lab.open_url(f"notebooks/{lesson}.ipynb"))
    wait_for_notebook(page)
    panel = _run_only_the_cards_cell(page)
    assert run_in_kernel(page, OTHER_CELLS_RAN).strip() == "False", "another cell ran"
    # The panel opens in the language last chosen (an earlier lesson may have chosen
    # Swedish): start from English.
    panel.locator(".fedlearn-cards-lang button", has_text="English").click()
    # The heading changes first, each card a moment later: wait for the last Swedish cue.
    page.wait_for_function(IN_LANGUAGE, arg=[PANEL, "GDPR questions", "Svarar först"])

    # The collapsed cards show who answers first, and ⚖ where the law is unsettled.
    for card in cards_for(step):
        shown = panel.locator(_card_selector(card.id)).inner_text()
        assert f"Who answers first: {card.role_labels('en')[0]}" in shown, card.id
        assert ("⚖" in shown) == card.unsettled, card.id
        # ... while the card is collapsed: its details (a good answer, the law) are closed.
        assert "A good answer covers" not in shown, f"{card.id}: the card opened expanded"
    assert "⚖" in panel.locator(_card_selector(lawyer_card)).inner_text()

    answer = f"Ask the DPO before anything leaves the board ({lesson})."
    box = panel.locator(_card_selector(lawyer_card)).locator(".fedlearn-answer textarea")
    box.fill(answer)
    box.press("Tab")
    answers = lab.root / "notebooks" / "fedlearn-answers.json"
    deadline = time.monotonic() + 20
    while (not answers.exists() or answer not in answers.read_text("utf-8")) \
            and time.monotonic() < deadline:
        page.wait_for_timeout(200)
    saved = json.loads(answers.read_text("utf-8"))["answers"][lawyer_card]
    assert saved["answer"] == answer

    english = _panel_lines(panel)
    panel.locator(".fedlearn-cards-lang button", has_text="Svenska").click()
    page.wait_for_function(IN_LANGUAGE, arg=[PANEL, "Dataskyddsfrågor", "Who answers first"])
    page.wait_for_timeout(300)
    swedish = _panel_lines(panel)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    panel.screenshot(path=ARTIFACTS / f"cards-{lesson}-sv.png")
    assert len(swedish) == len(english)
    unchanged = sorted(set(english) & set(swedish))
    assert unchanged == [], f"lines the language toggle did not change: {unchanged[:5]}"
    assert "Svarar först" in panel.locator(_card_selector(lawyer_card)).inner_text()
    assert box.input_value() == answer
