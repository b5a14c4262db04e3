"""The room server in Chromium: three participants log in with the room password, each runs
lesson 00 in their own JupyterLab and answers a card, and each answer lands in that
participant's own file, which the others' accounts cannot read.

The hub runs from this checkout's install as on a region's server (root, a system user per
participant; see tests/integration/room_server.py), with the network audit in every process.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from fedlearn_kit.hub import course_copy, users
from fedlearn_kit.hub.authenticator import NAME_TAKEN
from tests.e2e.lab import (
    ARTIFACTS,
    IDLE,
    RESTART_AND_RUN_ALL,
    error_outputs,
    run_in_kernel,
    wait_for_notebook,
)
from tests.integration.room_server import outbound_attempts, running_room

#: Seconds this module takes on 2 cores (JupyterHub with three participants).
#: The tier starts its longest modules first (tests/conftest.py, start_order).
STARTS_FIRST = 60

PARTICIPANTS = ("anna", "bertil", "cecilia")
PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden) .fedlearn-cards"
#: Each participant's own answer, so a mix-up between files cannot pass unnoticed.
ANSWERS = {name: f"{name.title()}: vi frågar vårt dataskyddsombud om rättslig grund."
           for name in PARTICIPANTS}


@pytest.fixture(scope="module")
def room():
    with running_room(lab_args=("--LabApp.expose_app_in_browser=True",)) as settings:
        yield settings


def log_in(browser, room, name: str, password: str):
    """A browser of its own (context) that opens the room and logs in."""
    # The room's own certificate is not in Chromium's trust store; the test checks it is
    # the room's (tests/integration) and accepts it here as a participant would.
    context = browser.new_context(ignore_https_errors=True,
                                  viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(f"{room.url}hub/login")
    page.fill("#username_input", name)
    page.fill("#password_input", password)
    page.click("#login_submit")
    return context, page


def wait_until_run(page, timeout_s: float = 240) -> None:
    """Wait until no cell is queued and the kernel is idle, twice in a row."""
    page.wait_for_timeout(2000)
    deadline, stable = time.monotonic() + timeout_s, 0
    while stable < 2:
        assert time.monotonic() < deadline, "lesson 00 did not finish in time"
        stable = stable + 1 if page.evaluate(IDLE) else 0
        page.wait_for_timeout(500)


def answer_first_card(page, text: str) -> None:
    panel = page.locator(PANEL)
    panel.scroll_into_view_if_needed()
    box = panel.locator(".fedlearn-answer textarea").first
    box.fill(text)
    box.press("Tab")  # leave the box, as a learner would: the kernel saves the answer


def answers_file(room, name: str) -> Path:
    return Path(room.homes) / users.system_name(name) / course_copy.ANSWERS


@pytest.mark.e2e
def test_three_participants_each_answer_into_their_own_private_file(room, browser):
    sessions = {name: log_in(browser, room, name, room.room_password) for name in PARTICIPANTS}
    try:
        for name, (_, page) in sessions.items():  # lesson 00 opens by itself after login
            page.wait_for_url(f"**/user/{name}/lab/**", timeout=240_000)
            wait_for_notebook(page, timeout_ms=240_000)
            path = page.evaluate("() => window.jupyterapp.shell.currentWidget.context.path")
            assert path == course_copy.FIRST_LESSON
        for _, page in sessions.values():  # all three run at once, as in a room
            page.evaluate(RESTART_AND_RUN_ALL)
        for name, (_, page) in sessions.items():
            wait_until_run(page)
            assert error_outputs(page) == [], name
            answer_first_card(page, ANSWERS[name])
        deadline = time.monotonic() + 30
        for name in PARTICIPANTS:  # browser -> kernel -> file takes a moment under load
            while (ANSWERS[name] not in answers_file(room, name).read_text(encoding="utf-8")
                   if answers_file(room, name).exists() else True):
                assert time.monotonic() < deadline, f"{name}'s answer was not saved"
                time.sleep(0.3)
        for name in PARTICIPANTS:
            path = answers_file(room, name)
            saved = json.dumps(json.loads(path.read_text(encoding="utf-8")), ensure_ascii=False)
            assert ANSWERS[name] in saved
            assert not [a for other, a in ANSWERS.items() if other != name and a in saved]
            owner = users.lookup(users.system_name(name))
            assert owner is not None and path.stat().st_uid == owner.uid
            assert path.stat().st_mode & 0o077 == 0, oct(path.stat().st_mode)

        # Participant 2 cannot read participant 1's answers: as that system user, from a
        # shell and from their own notebook's kernel.
        first = answers_file(room, PARTICIPANTS[0])
        can_read, error = users.can_run_as(users.system_name(PARTICIPANTS[1]),
                                           ["cat", str(first)])
        assert not can_read and "Permission denied" in error, error
        printed = run_in_kernel(sessions[PARTICIPANTS[1]][1],
                                f"print(open({str(first)!r}).read())")
        assert "PermissionError" in printed and ANSWERS[PARTICIPANTS[0]] not in printed

        # Someone else with the room password cannot take over a name that is in use.
        intruder, page = log_in(browser, room, PARTICIPANTS[0], room.room_password)
        page.wait_for_load_state()
        assert NAME_TAKEN.format(name=PARTICIPANTS[0]).split(".")[0] in page.content()
        assert f"/user/{PARTICIPANTS[0]}/" not in page.url
        intruder.close()

        # The facilitator's admin page lists everyone and whose server runs.
        admin, page = log_in(browser, room, room.admin, room.admin_password)
        page.goto(f"{room.url}hub/admin")
        for name in PARTICIPANTS:
            page.get_by_text(name, exact=True).first.wait_for(timeout=30_000)
        assert page.get_by_role("button", name="Stop Server").count() == len(PARTICIPANTS)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=ARTIFACTS / "room-admin-page.png")
        # ... but cannot open a participant's server (nobody is a JupyterHub admin).
        response = page.goto(f"{room.url}user/{PARTICIPANTS[0]}/lab")
        assert response is not None and response.status == 403, page.url
        admin.close()
    finally:
        for context, _ in sessions.values():
            context.close()
    assert outbound_attempts(room) == "", outbound_attempts(room)
