"""Every laptop: the set-up script (course.py) and the doctor, without starting processes."""

from __future__ import annotations

import json
import socket
import sys
from pathlib import Path

import pytest

from fedlearn_kit import cli, doctor
from tests.helpers import ROOT, TORCH, course


def _listening() -> socket.socket:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    return sock


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- course.py ------------------------------------------------------------------------------

@pytest.mark.parametrize(("target", "present", "absent", "torch"), [
    ("windows-amd64", {"pywinpty", "colorama"}, {"appnope"}, f"torch=={TORCH}"),
    ("macos-arm64", {"appnope"}, {"pywinpty", "colorama"}, f"torch=={TORCH}"),
    ("linux-x86_64", set(), {"pywinpty", "colorama", "appnope"}, f"torch=={TORCH}+cpu"),
])
def test_bundle_evaluates_markers_for_the_laptops_platform_not_this_one(target, present, absent,
                                                                        torch):
    pins = course.requirements_for("course", target, "3.11")
    names = {p.split("==")[0] for p in pins}
    assert present <= names and not absent & names
    assert torch in pins
    assert all("==" in p and ";" not in p for p in pins)


def test_ray_is_left_out_where_it_has_no_wheels():
    on_windows_313 = course.requirements_for("simulation", "windows-amd64", "3.13")
    assert not any(p.startswith("ray==") for p in on_windows_313)
    assert any(p.startswith("ray==") for p in course.requirements_for(
        "simulation", "windows-amd64", "3.11"))
    assert not any(p.startswith("ray==") for p in course.requirements_for(
        "course", "linux-x86_64", "3.11")), "learners do not install Ray"


def test_lab_command_opens_the_first_lesson_in_the_course_folder():
    command = course.lab_command(Path(sys.executable), 8899)
    assert command[:4] == [sys.executable, "-m", "jupyter", "lab"]
    assert f"--ServerApp.root_dir={ROOT}" in command and "--port=8899" in command
    assert "--LabApp.default_url=/lab/tree/notebooks/00_start_here.ipynb" in command
    assert "--LabApp.extension_manager=readonly" in command  # no package-index search


def test_post_install_switches_jupyterlabs_web_calls_off(tmp_path, monkeypatch):
    monkeypatch.setattr(course, "VENV", tmp_path)
    compiled = []  # compileall is a process: recorded, not run (test_course_install tests it)
    monkeypatch.setattr(course, "compile_course", compiled.append)
    course.post_install(tmp_path / "bin" / "python")
    assert compiled == [tmp_path / "bin" / "python"]
    written = tmp_path / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    settings = json.loads(written.read_text())["@jupyterlab/apputils-extension:notification"]
    assert settings == {"fetchNews": "false", "checkForUpdates": False}
    server = tmp_path / "etc" / "jupyter" / "jupyter_lab_config.json"
    assert json.loads(server.read_text()) == {"LabApp": {"extension_manager": "readonly"}}


class _Runs(list):
    codes: dict[str, int]

    def pytest(self) -> list[list[str]]:
        return [c for c in self if c[1:3] == ["-m", "pytest"]]


@pytest.fixture
def pytest_runs(monkeypatch) -> _Runs:
    """The commands course.py runs (nothing is started), with a pretend .venv; pytest's exit
    code for a tier is looked up in ``pytest_runs.codes`` (default 0)."""
    commands = _Runs()
    codes: dict[str, int] = {}

    def run(command, **kw):
        command = [str(c) for c in command]
        commands.append(command)
        tier = next((t for t in course.TIERS if f"tests/{t}" in command), None)
        return codes.get(tier, 0) if "pytest" in command else 0

    monkeypatch.setattr(course, "run", run)
    monkeypatch.setattr(course, "install", lambda kind, **kw: Path("venv-python"))
    monkeypatch.setattr(course, "USE_CURRENT", course.USE_CURRENT)
    monkeypatch.setattr(course, "VENV", course.VENV)  # main() sets both from its options
    commands.codes = codes
    return commands


def test_check_is_lint_types_and_the_unit_tier_alone(pytest_runs, capsys):
    assert course.main(["check", "--workers", "2", "-x"]) == 0
    assert [c[2] for c in pytest_runs] == ["ruff", "mypy", "pytest"]
    (command,) = pytest_runs.pytest()
    assert command[3:] == ["-n", "2", "--durations=15", "tests/unit", "-x"]
    assert "tier unit: passed" in capsys.readouterr().out
    # check reports like test: a unit tier that collects nothing is a failure, not a pass.
    pytest_runs.codes["unit"] = 5
    assert course.main(["check"]) == 1
    assert "tier unit: FAILED: no test collected" in capsys.readouterr().out


def test_test_runs_every_tier_once_each_printing_its_slowest_with_lint_beside(pytest_runs,
                                                                             capsys):
    assert course.main(["test", "--workers", "2"]) == 0
    # ruff, then mypy, in a thread beside the tiers: where they fall among the tiers' runs
    # is the threads' affair, their order and their report are not.
    assert [c[2] for c in pytest_runs if c[2] in ("ruff", "mypy")] == ["ruff", "mypy"]
    assert "ruff and mypy: passed" in capsys.readouterr().out
    runs = pytest_runs.pytest()
    assert [c[-1] if "--nbval" not in c else "nbval" for c in runs] == [
        "tests/unit", "tests/integration", "nbval", "tests/e2e", "tests/scale"]
    assert all("--durations=15" in c and c[c.index("-n") + 1] == "2" for c in runs)
    assert all(c[c.index("--dist") + 1] == "loadfile" for c in runs[1:])
    (notebooks,) = [c for c in runs if "--nbval" in c]
    assert {"tests/notebooks", "notebooks", "solutions",
            "tests/notebooks/nbval_sanitize.cfg"} <= set(notebooks)
    assert (course.HERE / "tests" / "notebooks" / "nbval_sanitize.cfg").is_file()


def test_the_tiers_that_wait_get_a_worker_more_than_the_cores(monkeypatch):
    monkeypatch.setattr(course, "cores", lambda: 2)
    workers = {tier: course.tier_arguments(tier, "auto")[1] for tier in course.TIERS}
    assert workers == {"unit": "auto", "integration": "3", "notebooks": "auto", "e2e": "3",
                       "scale": "3"}
    assert course.tier_arguments("e2e", "2")[:2] == ["-n", "2"]  # asked for: as asked
    assert course.cores() >= 1


def test_test_tier_runs_the_named_tiers_only_in_their_order(pytest_runs):
    assert course.main(["test", "--tier", "scale", "--tier", "unit,e2e", "-k", "deploy"]) == 0
    runs = pytest_runs.pytest()
    assert [next(a for a in c if a.startswith("tests/")) for c in runs] == [
        "tests/unit", "tests/e2e", "tests/scale"]
    assert all(c[-2:] == ["-k", "deploy"] for c in runs)
    assert not [c for c in pytest_runs if "ruff" in c], "a chosen tier skips lint and types"


def test_an_unknown_tier_is_refused_naming_the_tiers(pytest_runs, capsys):
    assert course.main(["test", "--tier", "unit,slow"]) == 2
    assert "No test tier slow: the tiers are unit, integration, notebooks, e2e, scale" in (
        capsys.readouterr().err)
    assert pytest_runs == []


def test_a_failing_tier_fails_the_run_and_the_next_tiers_still_run(pytest_runs, capsys):
    pytest_runs.codes["integration"] = 1
    assert course.main(["test", "--tier", "unit,integration,e2e"]) == 1
    assert len(pytest_runs.pytest()) == 3
    out = capsys.readouterr().out
    assert "tier integration: FAILED (pytest exit 1)" in out and "tier e2e: passed" in out


def test_options_may_select_nothing_in_a_tier_but_not_in_every_tier(pytest_runs, capsys):
    pytest_runs.codes["e2e"] = 5
    assert course.main(["test", "--tier", "unit,e2e", "-k", "deploy"]) == 0
    assert "tier e2e: no test selected by the options given" in capsys.readouterr().out
    pytest_runs.codes["unit"] = 5
    assert course.main(["test", "--tier", "unit,e2e", "-k", "deploy"]) == 1
    pytest_runs.codes["unit"] = 0
    assert course.main(["test", "--tier", "e2e"]) == 1, "a tier with no test is a failure"


def test_every_test_file_is_in_exactly_one_tier_folder():
    from tests import conftest

    assert tuple(course.TIERS) == conftest.TIERS
    tests = ROOT / "tests"
    files = sorted(tests.rglob("test_*.py"))
    assert files
    for path in files:
        assert conftest.tier_of(path) == path.relative_to(tests).parts[0], path
    assert not list(tests.glob("test_*.py")), "a test file directly in tests/ has no tier"


def test_a_lesson_and_its_translation_are_in_the_notebooks_tier():
    from tests import conftest

    english = ROOT / "notebooks/00_start_here.ipynb"
    swedish = ROOT / "notebooks/sv/00_start_here.ipynb"
    assert conftest.tier_of(english) == conftest.tier_of(swedish) == "notebooks"
    assert conftest.course_notebook(english) == conftest.course_notebook(swedish) == \
        "notebooks/00_start_here.ipynb"
    assert conftest.course_notebook(ROOT / "solutions/sv/01_synthetic_patients.ipynb") == \
        "solutions/01_synthetic_patients.ipynb"
    assert conftest.course_notebook(ROOT / "docs/sv/x.ipynb") is None
    assert conftest.tier_of(ROOT / "docs/sv/x.ipynb") is None


def test_the_longest_modules_start_first_and_the_rest_keep_their_order():
    from types import SimpleNamespace

    from tests import conftest

    def item(name: str, seconds: int | None = None) -> SimpleNamespace:
        module = SimpleNamespace(**({} if seconds is None else {"STARTS_FIRST": seconds}))
        return SimpleNamespace(name=name, module=module)

    items = [item("a"), item("bundle", 120), item("b"), item("lost", 50), item("c")]
    items.append(SimpleNamespace(name="notebook cell"))  # nbval's items have no module
    ordered = sorted(items, key=conftest.start_order)
    assert [i.name for i in ordered] == ["bundle", "lost", "a", "b", "c", "notebook cell"]
    # xdist's own order (most tests first) would undo it: the tiers with such modules turn
    # it off.
    for tier in ("integration", "e2e", "scale"):
        assert "--no-loadscope-reorder" in course.TIERS[tier]
        folder = course.HERE / "tests" / tier
        assert any("\nSTARTS_FIRST = " in p.read_text() for p in folder.glob("test_*.py"))


def test_a_kernel_that_dies_at_start_is_started_again_and_nothing_else_is():
    from tests import conftest

    calls: list[int] = []

    def dies(times: int, error: str = "Kernel died before replying to kernel_info"):
        def setup() -> None:
            calls.append(1)
            if len(calls) <= times:
                raise RuntimeError(error)
        return setup

    with pytest.warns(UserWarning, match="attempt 1 of 3"):
        conftest.retry_kernel_start(dies(1))()
    assert len(calls) == 2
    calls.clear()
    with pytest.raises(RuntimeError, match="Kernel died"), pytest.warns(UserWarning):
        conftest.retry_kernel_start(dies(5))()
    assert len(calls) == conftest.KERNEL_START_ATTEMPTS
    calls.clear()
    with pytest.raises(RuntimeError, match="a cell failed"):
        conftest.retry_kernel_start(dies(1, "a cell failed"))()
    assert len(calls) == 1


def test_an_unreachable_torch_index_is_dropped_but_torch_stays_cpu(tmp_path):
    lock = course._lock_without_index(course.LOCKS["dev"], tmp_path)
    texts = {p.name: p.read_text() for p in tmp_path.iterdir()}
    assert lock.name == "dev.txt" and "-r simulation.txt" in texts["dev.txt"]
    assert "--extra-index-url" not in texts["course.txt"]
    assert f"torch=={TORCH}+cpu" in texts["course.txt"]


# --- the doctor -----------------------------------------------------------------------------

def test_doctor_fails_with_a_fix_when_the_lab_port_is_taken(capsys):
    with _listening() as sock:
        port = sock.getsockname()[1]
        code = cli.main(["doctor", "--skip-deployment", "--lab-port", str(port),
                         "--superlink-port", str(_free_port())])
    out = capsys.readouterr().out
    assert code == 1
    line = next(ln for ln in out.splitlines() if f"port {port}" in ln)
    assert line.strip().startswith("FAIL") and "in use by" in line
    assert "fix: stop that program, or use another port: `python course.py lab --port N`" in out
    assert "Not ready: 1 check failed" in out


def test_doctor_fails_with_a_fix_when_a_pin_differs(capsys, monkeypatch):
    wrong = doctor.installed_versions() | {"pandas": "2.0.0"}
    monkeypatch.setattr(doctor, "installed_versions", lambda: wrong)
    code = cli.main(["doctor", "--skip-deployment", "--lab-port", str(_free_port()),
                     "--superlink-port", str(_free_port())])
    out = capsys.readouterr().out
    assert code == 1
    locked = doctor.locked_pins(ROOT / "lock")["pandas"]
    assert f"pandas 2.0.0 (lock: {locked})" in out
    assert "fix: reinstall the locked set: `python course.py install --force`" in out


def test_facilitator_check_passes_when_it_answers_and_says_what_to_do_when_not():
    with _listening() as sock:
        address = f"127.0.0.1:{sock.getsockname()[1]}"
        assert doctor.check_facilitator(address).ok
    refused = doctor.check_facilitator(address, timeout=1)
    assert not refused.ok and "join the room's network" in refused.fix
    assert not doctor.check_facilitator("no-port").ok


def test_outbound_watch_blocks_and_reports_a_connection_outside_loopback():
    watch = doctor.OutboundWatch()
    watch.active = True
    try:
        with socket.socket() as sock, pytest.raises(PermissionError, match="blocked"):
            sock.connect(("192.0.2.1", 9))  # TEST-NET-1: blocked before any packet leaves
        with _listening() as server, socket.create_connection(server.getsockname()):
            pass  # loopback is allowed
    finally:
        watch.active = False
    assert watch.attempts == ["192.0.2.1:9"]


def test_the_kernel_check_accepts_only_this_environment(monkeypatch):
    assert doctor.check_kernel().ok
    from jupyter_client.kernelspec import KernelSpecManager

    original = KernelSpecManager.get_kernel_spec

    def other_python(self, name):
        kernel = original(self, name)
        kernel.argv = ["/usr/bin/some-other-python", *kernel.argv[1:]]
        return kernel

    monkeypatch.setattr(KernelSpecManager, "get_kernel_spec", other_python)
    check = doctor.check_kernel()
    assert not check.ok and "shadows the kit's" in check.fix


# --- relocation and the offline bundle ------------------------------------------------------

def test_every_process_course_py_starts_gets_the_kits_offline_switches():
    """course.py (no kit import: it runs before the install) reads the switches from their one
    place, so JupyterLab, pytest and everything they start stay offline alike."""
    from fedlearn_kit.offline import OFFLINE_ENV

    assert OFFLINE_ENV.items() <= course.QUIET_ENV.items()


def test_missing_wheels_names_each_package_and_what_the_docs_say():
    """The bundle check asks the index for file names only; a pin without a wheel for the
    laptop is named with the docs' advice, and one with a wheel is not."""
    listings = {
        "debugpy": ["debugpy-1.8.22-cp311-cp311-macosx_15_0_universal2.whl",
                    "debugpy-1.8.22-py2.py3-none-any.whl", "debugpy-1.8.22.tar.gz"],
        "torch": ["torch-2.13.0-cp311-cp311-macosx_14_0_arm64.whl",
                  "torch-2.13.0-cp311-cp311-win_amd64.whl"],
        "onlynew": ["onlynew-1.0-cp311-cp311-macosx_15_0_arm64.whl",
                    "onlynew-0.9-cp311-cp311-macosx_11_0_arm64.whl"],
        "nothing": [],
    }
    pins = ["debugpy==1.8.22", "torch==2.13.0", "onlynew==1.0", "nothing==2.0"]
    found = course.missing_wheels(pins, "macos-arm64", "3.11",
                                  files_of=lambda name, version: listings[name])
    assert [p.split(" has no wheel")[0] for p in found] == ["onlynew==1.0", "nothing==2.0"]
    assert "macosx_15_0_arm64" in found[0] and "macOS 14 or newer" in found[0]
    assert "lists no wheel of that version" in found[1]
    on_windows = course.missing_wheels(pins[:2], "windows-amd64", "3.11",
                                       files_of=lambda name, version: listings[name])
    assert on_windows == []
    on_312 = course.missing_wheels(["torch==2.13.0"], "windows-amd64", "3.12",
                                   files_of=lambda name, version: listings[name])
    assert len(on_312) == 1 and "Python 3.12" in on_312[0]


def test_a_bundle_without_this_laptops_python_is_refused_naming_the_bundle_to_build(
        tmp_path, monkeypatch):
    (tmp_path / "wheels").mkdir()
    (tmp_path / course.MANIFEST).write_text(json.dumps(
        {"set": "course", "platforms": {"linux-x86_64": {"pythons": ["3.11"]},
                                         "windows-amd64": {"pythons": ["3.11", "3.12"]}}}))
    monkeypatch.setattr(course, "this_platform", lambda: "windows-amd64")
    course.check_bundle_fits(tmp_path, (3, 12))  # served: no error
    with pytest.raises(course.SetupError) as refused:
        course.check_bundle_fits(tmp_path, (3, 13))
    message = str(refused.value)
    assert "--platform windows-amd64 --python-version 3.13" in message
    assert "install Python 3.11 or 3.12" in message
    assert course.bundle_pythons(tmp_path) == [(3, 11), (3, 12)]


def test_the_bundle_readme_names_every_platform_the_folder_holds(tmp_path):
    manifest = {"set": "course", "platforms": {"linux-x86_64": {"pythons": ["3.11"]},
                                               "macos-arm64": {"pythons": ["3.11", "3.12"]}}}
    out = tmp_path / "fedlearn-bundle"
    out.mkdir()
    course.write_bundle_readme(out, manifest)
    text = (out / "README.txt").read_text()
    assert "Linux x86_64" in text
    assert "macOS 14 or newer on Apple silicon: Python 3.11, 3.12" in text
    assert "--from-bundle fedlearn-bundle" in text
