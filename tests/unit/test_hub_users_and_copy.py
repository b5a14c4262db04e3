"""Participants' system names, the folders they must pass through, and their course copy."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from fedlearn_kit.hub import course_copy, users


@pytest.mark.parametrize("name", ["anna", "table-3", "b" * 20, "root"])
def test_every_participant_runs_as_a_prefixed_system_user(name: str) -> None:
    assert users.system_name(name) == "fl-" + name  # "root" logs in as fl-root, never root


@pytest.mark.parametrize("name", ["Anna", "3d", "a" * 21, "anna;rm", "", "-x", "ö"])
def test_names_that_are_not_safe_or_too_long_are_refused_with_an_example(name: str) -> None:
    with pytest.raises(users.RoomUserError, match="for example anna"):
        users.system_name(name)


def test_only_room_users_are_ever_created_or_removed() -> None:
    with pytest.raises(users.RoomUserError, match="not a room user"):
        users.ensure_user("root", Path("/tmp"))
    with pytest.raises(users.RoomUserError, match="Refusing"):
        users.remove_user("root")


def test_closed_folders_names_each_folder_others_cannot_pass(tmp_path: Path) -> None:
    closed = tmp_path / "closed"
    inner = closed / "open" / "python"
    inner.parent.mkdir(parents=True)
    inner.write_text("")
    os.chmod(tmp_path, 0o755)
    os.chmod(closed, 0o700)
    os.chmod(closed / "open", 0o755)
    found = users.closed_folders(inner)
    assert closed in found and closed / "open" not in found and tmp_path not in found
    os.chmod(closed, 0o711)
    assert closed not in users.closed_folders(inner)


def test_the_course_copy_is_private_and_holds_nobody_elses_answers(tmp_path: Path) -> None:
    source = tmp_path / "course"
    (source / "notebooks" / "work" / "lesson-07").mkdir(parents=True)
    (source / "notebooks" / "00_start_here.ipynb").write_text("{}")
    (source / "notebooks" / "fedlearn-answers.json").write_text('{"someone": "else"}')
    (source / "notebooks" / "fedlearn-dpia.html").write_text("draft")
    (source / "exercises").mkdir()
    (source / "README.md").write_text("read me")
    home = tmp_path / "home"
    home.mkdir()
    copy = course_copy.copy_course(source, home, os.getuid(), os.getgid())
    assert (copy / "notebooks" / "00_start_here.ipynb").exists()
    assert (copy / "README.md").read_text() == "read me"
    assert not (copy / "notebooks" / "fedlearn-answers.json").exists()
    assert not (copy / "notebooks" / "fedlearn-dpia.html").exists()
    assert not (copy / "notebooks" / "work").exists()
    for path in [copy, *copy.rglob("*")]:
        assert path.stat().st_mode & 0o077 == 0, path
    # A second start keeps the participant's edits.
    (copy / "notebooks" / "00_start_here.ipynb").write_text("edited")
    course_copy.copy_course(source, home, os.getuid(), os.getgid())
    assert (copy / "notebooks" / "00_start_here.ipynb").read_text() == "edited"
    assert course_copy.ANSWERS.parts[:2] == (course_copy.COURSE_DIR, "notebooks")


def test_a_name_another_room_on_the_server_uses_is_refused(monkeypatch, tmp_path) -> None:
    elsewhere = users.SystemUser("fl-anna", 1234, 1234, Path("/srv/other-room/homes/fl-anna"))
    monkeypatch.setattr(users, "lookup", lambda name: elsewhere)
    with pytest.raises(users.RoomUserError, match="another room on this server"):
        users.ensure_user("fl-anna", tmp_path / "homes")
