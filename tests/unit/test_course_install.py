"""How course.py installs: uv when it can be had, pip whenever uv cannot do it, and the
lint step reported beside the tiers."""

from __future__ import annotations

import os
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


@pytest.mark.parametrize(("no_bytecode", "compile_flag"), [
    ("1", ["--compile-bytecode"]), ("", []), (None, [])])
def test_uv_installs_with_pips_sources_and_asks_every_index(commands, monkeypatch, no_bytecode,
                                                            compile_flag) -> None:
    """uv compiles at install only where Python may not write bytecode (as pip would)."""
    if no_bytecode is None:
        monkeypatch.delenv(course.NO_BYTECODE_ENV, raising=False)
    else:
        monkeypatch.setenv(course.NO_BYTECODE_ENV, no_bytecode)
    course.install_step(PIP, "uv", PY, ["-r", "lock/dev.txt"], "Installing", "Read it.")
    assert commands == [["uv", "pip", "install", "--python", str(PY), *compile_flag,
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


def test_the_course_modules_are_compiled_after_an_install(commands, monkeypatch) -> None:
    """uv compiles what it installs (above); the editable kit is compiled by course.py, where
    Python may not write bytecode itself."""
    monkeypatch.delenv(course.NO_BYTECODE_ENV, raising=False)
    course.compile_course(PY)
    assert commands == []  # Python writes it at the first import
    monkeypatch.setenv(course.NO_BYTECODE_ENV, "1")
    course.compile_course(PY)
    [compiled] = commands
    assert compiled[:4] == [PY, "-m", "compileall", "-q"]
    folders = {Path(f).name for f in compiled[4:] if not str(f).startswith("-")}
    assert {"fedlearn_kit", "app"} <= folders and "tests" not in folders
    FAILING.add(str(PY))
    course.compile_course(PY)  # a failure only costs time: the install goes on


@pytest.mark.parametrize(("newest", "asked"), [
    (["numpy==2.4.6", "pandas==3.1.1"], [["numpy==2.4.6", "pandas==3.1.1"]]),
    (["numpy==2.4.6", "pandas==3.1.1", "tomli==2.3.0"],
     [["numpy==2.4.6", "pandas==3.1.1"], ["tomli==2.3.0"]]),
])
def test_a_bundle_downloads_each_pin_once_for_both_patch_releases(monkeypatch, tmp_path, newest,
                                                                   asked) -> None:
    listings: list[tuple[str, list[str]]] = []

    def run(command: list, **_: object) -> int:
        listing = Path(command[command.index("-r") + 1]).read_text().split()
        listings.append((command[command.index("--python-version") + 1], listing))
        return 0

    monkeypatch.setattr(course, "run", run)
    oldest = ["numpy==2.4.6", "pandas==3.1.1"]
    monkeypatch.setattr(course, "requirements_for",
                        lambda kind, target, version, patch: oldest if patch == 0 else newest)
    assert course.download_wheels(PY, "course", "linux-x86_64", "3.11", [], tmp_path)
    assert [pins for _, pins in listings] == asked
    assert [version for version, _ in listings] == ["3.11.0", "3.11.99"][:len(asked)]


def test_a_bundle_whose_download_fails_says_so(monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(course, "run", lambda command, **_: 1)
    monkeypatch.setattr(course, "requirements_for", lambda *_: ["numpy==2.4.6"])
    assert not course.download_wheels(PY, "course", "linux-x86_64", "3.11", [], tmp_path)


def test_the_test_commands_let_python_keep_bytecode(monkeypatch, capsys) -> None:
    monkeypatch.setenv(course.NO_BYTECODE_ENV, "1")
    assert course.bytecode_at_install()
    course.let_python_keep_bytecode()
    assert course.NO_BYTECODE_ENV not in os.environ
    assert not course.bytecode_at_install()
    assert "keep the bytecode" in capsys.readouterr().out
    course.let_python_keep_bytecode()  # unset: nothing to say
    assert capsys.readouterr().out == ""
