"""``python -m tools.screenshots``: the picture of JupyterLab that lesson 00 teaches with.

Starts JupyterLab on a copy of the course (as ``python course.py lab`` does, on loopback),
opens lesson 00 in Chromium with Playwright, runs the environment check with Shift+Enter
and opens the **Run** menu, then stores the screenshot in lesson 00 as a cell attachment
(``jupyterlab-run.png``), so that the lesson, its HTML export and its projector view carry
the picture without another file. The picture's text alternative is in the lesson's
Markdown (:data:`ALT`). Run it again when JupyterLab's look changes (a new pinned version).
Needs Chromium (``FEDLEARN_CHROMIUM``, default /usr/bin/chromium) and the dev set.
"""

from __future__ import annotations

import base64
import io
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import nbformat

from tools import ROOT

if TYPE_CHECKING:
    from playwright.sync_api import FloatRect

LESSON = ROOT / "notebooks" / "00_start_here.ipynb"
NAME = "jupyterlab-run.png"
#: Where the picture goes: the Markdown cell that teaches running a lesson.
ANCHOR = "## 1. Running a lesson"
ALT = ("JupyterLab with lesson 00 open. At the top, the Run menu is open: its first entry, "
       "Run Selected Cell, has the shortcut Shift+Enter, and further down is Run All Cells. "
       "Below, a grey code cell has just been run: the number in brackets at its left "
       "shows it ran, and under it is the table it printed.")
#: The part of the window the picture keeps (CSS pixels): menu bar, toolbar and first cells.
CLIP: FloatRect = {"x": 0, "y": 0, "width": 1000, "height": 560}


def take_screenshot() -> bytes:
    """A PNG of JupyterLab running lesson 00's environment check, with the Run menu open."""
    from playwright.sync_api import sync_playwright

    from tests.e2e.lab import (
        CHROMIUM,
        CHROMIUM_ARGS,
        copy_course,
        running_lab,
        wait_for_notebook,
    )

    with tempfile.TemporaryDirectory() as scratch, running_lab(copy_course(Path(scratch))) as lab, \
            sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": int(CLIP["width"]), "height": 800})
        page.goto(lab.open_url("notebooks/00_start_here.ipynb"))
        wait_for_notebook(page)
        page.evaluate("() => window.jupyterapp.commands.execute('application:toggle-left-area')")
        cell = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell").nth(1)
        cell.scroll_into_view_if_needed()
        cell.locator(".jp-InputArea-editor").click()
        page.keyboard.press("Shift+Enter")
        page.wait_for_function("""() => {
          const k = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
          return k.status === 'idle' && !document.querySelector(
            '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-InputPrompt').textContent.includes('*');
        }""", timeout=120_000)
        page.wait_for_timeout(1000)
        cell.scroll_into_view_if_needed()
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
        page.wait_for_timeout(500)
        png = page.screenshot(clip=CLIP)
        browser.close()
    return _smaller(png)


def _smaller(png: bytes) -> bytes:
    """The PNG with a 64-colour palette: a screenshot of text stays sharp at a fraction of the
    size (it is stored in the notebook and in two exported pages)."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB").quantize(colors=64)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def attach(png: bytes, lesson: Path = LESSON) -> None:
    """Store ``png`` as the attachment of lesson 00's "Running a lesson" cell."""
    nb = nbformat.read(lesson, as_version=4)
    cells = [c for c in nb.cells if c.cell_type == "markdown" and ANCHOR in c.source]
    if len(cells) != 1:
        raise SystemExit(f"{lesson.name}: no single Markdown cell with {ANCHOR!r}")
    cells[0]["attachments"] = {NAME: {"image/png": base64.b64encode(png).decode("ascii")}}
    if f"attachment:{NAME}" not in cells[0].source:
        raise SystemExit(f"{lesson.name}: the cell must show the picture: "
                         f"![{ALT}](attachment:{NAME})")
    nbformat.write(nb, lesson)


def main() -> int:
    """Take the screenshot and store it in lesson 00."""
    png = take_screenshot()
    attach(png)
    print(f"stored {NAME} ({len(png) // 1024} KiB) in {LESSON.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
