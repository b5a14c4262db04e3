"""`fedlearn-kit materials clean-answers` searches the course folder, whatever the install."""

from __future__ import annotations

from pathlib import Path

import pytest

from fedlearn_kit.materials import cleanup


def _course(folder: Path) -> Path:
    (folder / "lock").mkdir(parents=True)
    (folder / "course.py").write_text("# the course's set-up tool\n")
    (folder / "notebooks").mkdir()
    return folder


def test_the_default_is_the_course_folder_above_the_current_one(tmp_path, monkeypatch):
    course = _course(tmp_path / "fedlearn-kit")
    answers = course / "notebooks" / "fedlearn-answers.json"
    answers.write_text("{}")
    monkeypatch.chdir(course / "notebooks")  # where a participant's terminal may be
    assert cleanup.course_folder() == course.resolve()
    assert cleanup.default_folders()[0] == course.resolve()
    assert answers.resolve() in cleanup.find_answers_files()
    assert cleanup.course_folder(tmp_path) is None  # above the course folder: none


def test_the_command_says_where_it_searched_and_deletes_only_when_asked(
        tmp_path, monkeypatch, capsys: pytest.CaptureFixture[str]):
    course = _course(tmp_path / "kit")
    answers = course / "notebooks" / "fedlearn-answers-2.json"
    answers.write_text("{}")
    monkeypatch.chdir(course)
    monkeypatch.delenv(cleanup.ENV_VAR, raising=False)
    assert cleanup.main([], delete=False) == 0
    out = capsys.readouterr().out
    assert f"Searched: {course.resolve()}" in out and str(answers.resolve()) in out
    assert answers.exists()
    cleanup.main([], delete=True)
    assert not answers.exists()
