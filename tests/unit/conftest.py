"""The unit tier starts no process: a test here that tries fails, saying where it belongs.

``python course.py check`` runs this tier on every change and must stay quick; a test that
starts a subprocess, a kernel, Ray or Flower's processes costs seconds and belongs to
``tests/integration`` (or ``tests/scale``). The guard is a fixture every test here uses: it
refuses every way Python starts a process, and fails the test even when the code under test
catches the refusal (e.g. a ``try: subprocess.run(...) except Exception``).
"""

from __future__ import annotations

import os
import platform
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

try:
    import _posixsubprocess  # multiprocessing's "spawn" and "forkserver" start through it
except ImportError:  # Windows
    _posixsubprocess = None  # type: ignore[assignment]

# The standard library asks `uname -p` once per process for platform.processor() (the doctor
# and the environment report read it) and keeps the answer: ask now, before any guard, so a
# test's outcome does not depend on whether an earlier test in the same worker asked first.
platform.processor()

#: What a test in tests/unit is told when it starts a process.
MOVE_IT = ("{what}: a test in tests/unit starts no process (the quick tier of `python course.py "
           "check`). Move this test to tests/integration (or tests/scale), or test the logic "
           "without starting the process.")


class StartsAProcessError(RuntimeError):
    """A unit test tried to start a process."""


@pytest.fixture(autouse=True)
def no_process_started(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Refuse every way of starting a process for the test's duration; yield the attempts."""
    attempts: list[str] = []

    def refuse(what: str) -> None:
        attempts.append(what)
        raise StartsAProcessError(MOVE_IT.format(what=what))

    def popen(self: subprocess.Popen, args: object, *more: object, **options: object) -> None:
        refuse(f"subprocess.Popen({args!r})")

    monkeypatch.setattr(subprocess.Popen, "__init__", popen)
    monkeypatch.setattr(os, "system", lambda command: refuse(f"os.system({command!r})"))
    for name in ("fork", "forkpty", "posix_spawn", "posix_spawnp", "startfile"):
        if hasattr(os, name):
            monkeypatch.setattr(os, name, lambda *a, _name=name, **k: refuse(f"os.{_name}"))
    if _posixsubprocess is not None:
        monkeypatch.setattr(_posixsubprocess, "fork_exec",
                            lambda *a, **k: refuse("_posixsubprocess.fork_exec"))
    yield attempts
    if attempts:  # also when the code under test caught the refusal
        pytest.fail(MOVE_IT.format(what=", ".join(attempts)), pytrace=False)


def _session(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lang: str) -> Path:
    """A session in ``lang`` (``FEDLEARN_LANG``) in a folder that is not a course folder, with
    no answers file to outrank it; returns that folder."""
    monkeypatch.delenv("FEDLEARN_ANSWERS", raising=False)
    monkeypatch.setenv("FEDLEARN_LANG", lang)
    folder = tmp_path / f"{lang}-session"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


@pytest.fixture
def swedish(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A Swedish session outside the course folders (see :func:`_session`)."""
    return _session(tmp_path, monkeypatch, "sv")


@pytest.fixture
def english(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An English session outside the course folders (see :func:`_session`)."""
    return _session(tmp_path, monkeypatch, "en")
