"""The kit is relocatable (issue 13): its default folders follow the current folder.

Nothing here starts Flower: the folders are computed, keys are made and the command line's
status and keygen run, with the current folder outside the checkout. Afterwards nothing new
may exist under the package's folder or the checkout root.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from fedlearn_kit import cli, paths
from fedlearn_kit.federation import deployment
from fedlearn_kit.federation.deployment import folders
from tests.helpers import ROOT

SKIP = {".git", ".venv", "__pycache__", ".pytest_cache", ".ruff_cache", ".mypy_cache",
        ".ipynb_checkpoints"}


def _files(root: Path) -> set[Path]:
    found: set[Path] = set()
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in SKIP and not d.startswith(".venv")]
        found.update(Path(folder, f) for f in files)
    return found


@pytest.fixture
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    here = tmp_path / "course-copy"
    here.mkdir()
    monkeypatch.chdir(here)
    monkeypatch.delenv("FEDLEARN_WORKDIR", raising=False)
    monkeypatch.delenv("FLWR_HOME", raising=False)
    return here.resolve()


def test_default_folders_follow_the_current_folder(elsewhere: Path) -> None:
    assert folders.work_root() == elsewhere / "work"
    assert folders.default_workdir() == elsewhere / "work" / "deployment"
    assert folders.room_workdir() == elsewhere / "work" / "room"
    assert folders.lesson_workdir() == elsewhere / "work" / "lesson-07"
    # Lesson 07 and the room never share a folder.
    assert folders.lesson_workdir() != folders.room_workdir()
    assert not folders.lesson_workdir().is_relative_to(folders.room_workdir())
    assert paths.flower_home() == elsewhere / ".flwr"
    # Computed on every call, through the names the lessons use too.
    nested = elsewhere / "notebooks"
    nested.mkdir()
    os.chdir(nested)
    assert deployment.lesson_workdir() == nested / "work" / "lesson-07"


def test_fedlearn_workdir_overrides(elsewhere: Path, monkeypatch: pytest.MonkeyPatch,
                                    tmp_path: Path) -> None:
    monkeypatch.setenv("FEDLEARN_WORKDIR", str(tmp_path / "chosen"))
    assert folders.room_workdir() == (tmp_path / "chosen" / "room").resolve()
    assert folders.workdirs() == []


def test_nothing_is_written_next_to_the_package(elsewhere: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    before = _files(ROOT)
    assert cli.main(["deploy", "keygen", "--site", "1"]) == 0
    out = capsys.readouterr().out
    assert (elsewhere / "work" / "room" / "node-1" / "keys" / "site-1.pub").is_file()
    assert str(ROOT) not in out
    # status and down without --workdir look under ./work of the current folder.
    assert cli.main(["deploy", "status"]) == 1
    assert str(elsewhere / "work") in capsys.readouterr().out
    assert deployment.down() == {"stopped": [], "already_gone": [], "ports_still_open": [],
                                 "ports_held_by_others": []}
    assert _files(ROOT) == before  # the checkout, and the package inside it


def test_stop_hint_names_the_folder(elsewhere: Path, capsys: pytest.CaptureFixture[str]) -> None:
    class Dep:
        workdir = elsewhere / "work" / "room" / "node-0"

    cli._stop_hint(Dep())
    assert capsys.readouterr().out.strip() == (
        f"Stop it with: fedlearn-kit deploy down --workdir {Dep.workdir}")


def test_stop_hint_quotes_a_folder_with_spaces(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    class Dep:
        workdir = tmp_path / "my course" / "work" / "deployment"

    cli._stop_hint(Dep())
    assert f'--workdir "{Dep.workdir}"' in capsys.readouterr().out
