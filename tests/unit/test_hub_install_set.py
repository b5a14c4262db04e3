"""The room server's install set: layered on the course's, part of the developers' set, and
`python course.py hub` starting a room by default."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import course


def test_the_hub_set_builds_on_the_course_and_dev_includes_it() -> None:
    assert course.with_bases("hub") == {"hub", "course"}
    assert course.with_bases("dev") == {"dev", "simulation", "hub", "course"}
    assert course.with_bases("course") == {"course"}
    hub_pins = course.locked_requirements("hub")
    assert any(p.startswith("jupyterhub==") for p in hub_pins)
    assert any(p.startswith("torch==") for p in hub_pins)  # the course comes with it
    assert not any(p.startswith("jupyterhub==") for p in course.locked_requirements("course"))
    dev = course.locked_requirements("dev")
    assert len(dev) == len(set(dev)), "a pin reached through two bases is listed once"


def test_course_py_hub_installs_the_hub_set_then_starts_a_room(monkeypatch) -> None:
    calls: list[object] = []
    monkeypatch.setattr(course, "install", lambda kind, **_: calls.append(kind) or Path("py"))
    monkeypatch.setattr(course, "run", lambda command: calls.append(command) or 0)
    assert course.main(["hub"]) == 0
    assert calls == ["hub", [Path("py"), "-m", "fedlearn_kit.cli", "hub", "up"]]
    calls.clear()
    assert course.main(["hub", "status", "--workdir", "w"]) == 0
    assert calls[1] == [Path("py"), "-m", "fedlearn_kit.cli", "hub", "status", "--workdir", "w"]


def test_the_proxy_install_names_what_is_missing(monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(course.shutil, "which", lambda name: None)
    with pytest.raises(course.SetupError, match="Node.js 20 or newer"):
        course.install_hub_proxy(tmp_path / "bin" / "python")
