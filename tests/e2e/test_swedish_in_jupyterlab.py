"""The Swedish lessons in the real JupyterLab: the kit, the panel and the learner's draft follow
the language chosen by opening notebooks/sv/ (fedlearn_kit.i18n, docs/translating.md).

Issue 26's done-when: a learner opens the Swedish lesson 00, answers a card in Swedish, then
opens the Swedish lesson 08 and gets a Swedish DPIA draft holding that answer, with no code
edited (lesson 08's ``lang = None``)."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from tests.e2e.lab import (
    OUTPUTS,
    error_outputs,
    restart_and_run_all,
    run_in_kernel,
    wait_for_notebook,
)

#: Seconds this module takes on 2 cores (two Swedish lessons in JupyterLab).
#: The tier starts its longest modules first (tests/conftest.py, start_order).
STARTS_FIRST = 40

ANSWER = "Regionstyrelsen i varje region är personuppgiftsansvarig."
NOTEBOOK = ".jp-NotebookPanel:not(.lm-mod-hidden)"


@pytest.mark.e2e
def test_the_swedish_lessons_speak_swedish_and_their_answers_give_a_swedish_draft(lab, page):
    page.goto(lab.open_url("notebooks/sv/00_start_here.ipynb"))
    wait_for_notebook(page)
    restart_and_run_all(page)
    assert run_in_kernel(page, "import fedlearn_kit as kit\nprint(kit.language(), end='')") == "sv"
    printed = run_in_kernel(page, "check.patients_at_site(2700, cohort, site='A');")
    assert "❌ Inte än: 2700 är antalet patienter på alla sjukhus tillsammans." in printed
    panel = page.locator(f"{NOTEBOOK} .fedlearn-cards")
    panel.scroll_into_view_if_needed()
    assert panel.locator(".fedlearn-cards-lang button.mod-active").inner_text() == "Svenska"
    assert "Dataskyddsfrågor · 00 · Kom igång" in panel.inner_text()
    answer = panel.locator(".fedlearn-answer textarea").first
    answer.fill(ANSWER)
    answer.press("Tab")
    answers = lab.root / "notebooks" / "sv" / "fedlearn-answers.json"
    deadline = time.monotonic() + 20
    while (not answers.exists() or ANSWER not in answers.read_text(encoding="utf-8")) \
            and time.monotonic() < deadline:
        page.wait_for_timeout(200)
    saved = json.loads(answers.read_text(encoding="utf-8"))
    assert saved["language"] == "sv"
    # The draft follows the answers' language from any folder, without a code edit.
    draft = lab.root / "draft.md"
    done = subprocess.run(
        [sys.executable, "-m", "fedlearn_kit.cli", "dpia", "--answers", str(answers),
         "--out", str(draft), "--no-flows"], cwd=lab.root, capture_output=True, text=True,
        timeout=120, env={"PATH": "/usr/bin:/bin", "FLWR_TELEMETRY_ENABLED": "0"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"Skrev {draft}:")
    assert draft.read_text(encoding="utf-8").startswith("# Konsekvensbedömning")

    # Lesson 08 in Swedish, run as a learner runs it: its draft holds the Swedish answer.
    written = lab.root / "notebooks" / "sv" / "fedlearn-dpia.html"
    written.unlink(missing_ok=True)  # the copied course may hold one from a build
    page.goto(lab.open_url("notebooks/sv/08_dpia_and_next_steps.ipynb"))
    wait_for_notebook(page)
    restart_and_run_all(page, timeout_ms=240_000)
    assert error_outputs(page) == []
    printed = "".join(o["text"] for o in page.evaluate(OUTPUTS, "stdout"))
    assert "8 av 73 kort besvarade, 5 markerade för dataskyddsombudet" in printed  # the example
    assert "Ert utkast: fedlearn-dpia.html, fedlearn-dpia.docx. 1 av 73 kort besvarade" \
        in printed
    for english in ("cards answered", "Your draft", "more open questions", "files in"):
        assert english not in printed, english
    html = written.read_text(encoding="utf-8")
    assert html.startswith('<!DOCTYPE html>\n<html lang="sv">')
    assert "<title>Konsekvensbedömning avseende dataskydd: utkast</title>" in html
    assert ANSWER in html and "(svaret är på engelska)" not in html
    panel = page.locator(f"{NOTEBOOK} .fedlearn-cards")
    panel.scroll_into_view_if_needed()
    assert "Dataskyddsfrågor · 08 · Konsekvensbedömning och nästa steg" in panel.inner_text()
