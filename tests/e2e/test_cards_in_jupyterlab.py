"""A learner's answers on the GDPR cards survive a kernel restart, in the real browser."""

from __future__ import annotations

import json
import time

import pytest

from fedlearn_kit.gdpr.cards import cards_for
from tests.e2e.lab import ARTIFACTS, restart_and_run_all, wait_for_notebook

ANSWER = "Vi behöver prata med vårt dataskyddsombud om rättslig grund."
PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden) .fedlearn-cards"


@pytest.mark.e2e
def test_answer_in_swedish_is_reloaded_after_a_kernel_restart(lab, page):
    page.goto(lab.open_url("notebooks/00_start_here.ipynb"))
    wait_for_notebook(page)
    restart_and_run_all(page)
    panel = page.locator(PANEL)
    panel.scroll_into_view_if_needed()
    panel.locator(".fedlearn-cards-lang button", has_text="Svenska").click()
    first_answer = panel.locator(".fedlearn-answer textarea").first
    first_answer.fill(ANSWER)
    first_answer.press("Tab")  # leave the box, as a learner would
    # The save goes browser -> kernel -> file: wait for it, not a fixed time (a loaded
    # machine takes more than a second).
    # The file may not exist yet: this may be the first answer given in this lab (the
    # test must not rely on an earlier test having saved one).
    answers = lab.root / "notebooks" / "fedlearn-answers.json"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not (
            answers.exists() and ANSWER in answers.read_text(encoding="utf-8")):
        page.wait_for_timeout(200)
    saved = json.loads(answers.read_text(encoding="utf-8"))
    assert ANSWER in json.dumps(saved, ensure_ascii=False)

    restart_and_run_all(page)
    panel = page.locator(PANEL)
    panel.scroll_into_view_if_needed()
    assert panel.locator(".fedlearn-answer textarea").first.input_value() == ANSWER
    selected = panel.locator(".fedlearn-cards-lang button.mod-active").inner_text()
    assert selected == "Svenska"
    first_question_sv = cards_for("start_here")[0].question["sv"]
    assert first_question_sv in panel.inner_text()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    panel.screenshot(path=ARTIFACTS / "cards-after-restart.png")
