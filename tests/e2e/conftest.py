"""Fixtures for the browser tests: a JupyterLab server on loopback and Chromium."""

from __future__ import annotations

import pytest

from tests.e2e.lab import CHROMIUM, CHROMIUM_ARGS, copy_course, running_lab


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium not found at {CHROMIUM}: install it (`apt-get install "
                    "chromium`, which .ci/run does) or set FEDLEARN_CHROMIUM to its path. "
                    "Browsers are never downloaded by a tool.")
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="playwright is not installed: run "
                                          "`python course.py install --set dev`")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    root = copy_course(tmp_path_factory.mktemp("course"))
    with running_lab(root) as server:
        yield server


@pytest.fixture()
def page(browser, request):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    yield page
    # JupyterLab reopens earlier tabs in the next page; stop their kernels so that a run
    # over every lesson does not keep nine kernels alive.
    page.evaluate("() => window.jupyterapp && window.jupyterapp.serviceManager.sessions"
                  ".shutdownAll()")
    page.evaluate("() => window.jupyterapp && window.jupyterapp.commands"
                  ".execute('application:close-all')")
    context.close()
