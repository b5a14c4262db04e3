"""How course.py installs: uv when it can be had, pip whenever uv cannot do it, and the
lint step reported beside the tiers."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import course

PY = Path("env") / "bin" / "python"
PIP = [PY, "-m", "pip", "install", "--disable-pip-version-check"]


@pytest.fixture
def commands(monkeypatch: pytest.MonkeyPatch) -> list[list]:
    """Every command course.py would run (none runs); uv's fail when uv is in FAILING."""
    ran: list[list] = []

    def run(command: list, **_: object) -> int:
        ran.append(list(command))
        return 1 if str(command[0]) in FAILING else 0

    monkeypatch.setattr(course, "run", run)
    monkeypatch.setattr(course, "_pip_config", lambda key: {
        "global.find-links": ["/wheels"], "global.extra-index-url": ["file:///mirror"]
    }.get(key, []))
    for name in ("PIP_FIND_LINKS", "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL"):
        monkeypatch.delenv(name, raising=False)
    FAILING.clear()
    return ran


FAILING: set[str] = set()


def test_uv_installs_with_pips_sources_and_asks_every_index(commands) -> None:
    course.install_step(PIP, "uv", PY, ["-r", "lock/dev.txt"], "Installing", "Read it.")
    assert commands == [["uv", "pip", "install", "--python", str(PY), "--compile-bytecode",
                         "--index-strategy",
                         "unsafe-best-match", "--find-links", "/wheels", "--extra-index-url",
                         "file:///mirror", "-r", "lock/dev.txt"]]


def test_a_bundle_install_asks_no_index_and_reinstalls_the_kit(commands) -> None:
    arguments = ["--no-index", "--find-links", "bundle/wheels", "--no-deps",
                 "--force-reinstall", "fedlearn-kit"]
    course.install_step(PIP, "uv", PY, arguments, "Installing the kit", "Rebuild it.")
    [uv] = commands
    assert "/wheels" not in uv and "file:///mirror" not in uv  # only the bundle's wheels
    assert uv[-6:] == ["--no-index", "--find-links", "bundle/wheels", "--no-deps",
                       "--reinstall", "fedlearn-kit"]


def test_pip_takes_over_when_uv_fails_and_its_failure_is_named(commands) -> None:
    FAILING.add("uv")
    course.install_step(PIP, "uv", PY, ["-r", "lock/dev.txt"], "Installing", "Read it.")
    assert commands[-1] == [*PIP, "-r", "lock/dev.txt"]
    FAILING.add(str(PY))
    with pytest.raises(course.SetupError, match="Installing failed. Read it."):
        course.install_step(PIP, "uv", PY, ["-r", "lock/dev.txt"], "Installing", "Read it.")


def test_without_uv_pip_installs_alone(commands, monkeypatch, tmp_path) -> None:
    course.install_step(PIP, None, PY, ["-r", "lock/dev.txt"], "Installing", "Read it.")
    assert commands == [[*PIP, "-r", "lock/dev.txt"]]
    monkeypatch.setenv(course.INSTALLER_ENV, "pip")
    assert course._installer_uv(tmp_path / "bin" / "python", PIP) is None
    assert len(commands) == 1  # not even uv's own install


def test_a_new_environment_gets_the_locks_uv_first(commands, monkeypatch, tmp_path) -> None:
    monkeypatch.delenv(course.INSTALLER_ENV, raising=False)
    python = tmp_path / "bin" / "python"
    python.parent.mkdir()
    locked = next(p for p in course.locked_requirements("course") if p.startswith("uv=="))
    assert course._installer_uv(python, PIP) is None  # pip "installed" it, but no uv appeared
    assert commands == [[*PIP, "--quiet", locked.split(";")[0].strip()]]
    (python.parent / "uv").touch()
    assert course._installer_uv(python, PIP) == str(python.parent / "uv")
    assert len(commands) == 1  # the environment's own uv is used as it is


def test_a_lint_failure_fails_the_run_and_is_reported_beside_the_tiers(capsys) -> None:
    assert course.report_tiers({course.LINT: (1, 30.0), "unit": (0, 20.0)}, False) == 1
    out = capsys.readouterr().out
    assert "ruff and mypy: FAILED" in out and "tier unit: passed in 20 s" in out
    assert course.report_tiers({course.LINT: (0, 30.0), "unit": (0, 20.0)}, False) == 0


def test_the_course_modules_are_compiled_after_an_install(commands) -> None:
    """uv compiles what it installs (above); the editable kit is compiled by course.py."""
    course.compile_course(PY)
    [compiled] = commands
    assert compiled[:4] == [PY, "-m", "compileall", "-q"]
    folders = {Path(f).name for f in compiled[4:] if not str(f).startswith("-")}
    assert {"fedlearn_kit", "app"} <= folders and "tests" not in folders
    FAILING.add(str(PY))
    course.compile_course(PY)  # a failure only costs time: the install goes on
