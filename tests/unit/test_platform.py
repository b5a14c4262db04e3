"""Every laptop: the set-up script (course.py), the offline bundle, the doctor, relocation."""

from __future__ import annotations

import importlib.util
import json
import shutil
import socket
import subprocess
import sys
import sysconfig
import time
import venv
from pathlib import Path

import nbformat
import pytest

from fedlearn_kit import cli, doctor
from fedlearn_kit.paths import ROOT

spec = importlib.util.spec_from_file_location("course", ROOT / "course.py")
assert spec and spec.loader
course = importlib.util.module_from_spec(spec)
spec.loader.exec_module(course)


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
    ("windows-amd64", {"pywinpty", "colorama"}, {"appnope"}, "torch==2.13.0+cpu"),
    ("macos-arm64", {"appnope"}, {"pywinpty", "colorama"}, "torch==2.13.0"),
    ("linux-x86_64", set(), {"pywinpty", "colorama", "appnope"}, "torch==2.13.0+cpu"),
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


def test_post_install_switches_jupyterlabs_web_calls_off(tmp_path, monkeypatch):
    monkeypatch.setattr(course, "VENV", tmp_path)
    course.post_install(tmp_path / "bin" / "python")
    written = tmp_path / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    settings = json.loads(written.read_text())["@jupyterlab/apputils-extension:notification"]
    assert settings == {"fetchNews": "false", "checkForUpdates": False}


def test_pytest_collecting_nothing_is_a_failure(monkeypatch):
    monkeypatch.setattr(course, "run", lambda command, **kw: 5)
    assert course._pytest(Path(sys.executable), []) == 1
    monkeypatch.setattr(course, "run", lambda command, **kw: 0)
    assert course._pytest(Path(sys.executable), []) == 0


def test_an_unreachable_torch_index_is_dropped_but_torch_stays_cpu(tmp_path):
    lock = course._lock_without_index(course.LOCKS["dev"], tmp_path)
    texts = {p.name: p.read_text() for p in tmp_path.iterdir()}
    assert lock.name == "dev.txt" and "-r simulation.txt" in texts["dev.txt"]
    assert "--extra-index-url" not in texts["course.txt"]
    assert "torch==2.13.0+cpu" in texts["course.txt"]


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
    assert "Not ready: 1 check(s) failed" in out


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


@pytest.mark.slow
def test_doctor_passes_here_in_under_30_seconds(capsys):
    start = time.monotonic()
    code = cli.main(["doctor", "--lab-port", str(_free_port()),
                     "--superlink-port", str(_free_port())])
    seconds = time.monotonic() - start
    out = capsys.readouterr().out
    assert code == 0, out
    assert "PASS  SuperLink + SuperNode with TLS" in out
    assert "Ready for the course." in out
    assert seconds < 30, f"the doctor took {seconds:.0f} s"


# --- relocation and the offline bundle ------------------------------------------------------

def _copy_checkout(target: Path) -> Path:
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True,
                           check=True).stdout.decode().split("\0")
    for name in filter(None, files):
        if (ROOT / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, target / name)
    return target


def _snapshot(folder: Path) -> dict[str, float]:
    return {str(p.relative_to(folder)): p.stat().st_mtime for p in folder.rglob("*")
            if "__pycache__" not in p.parts}


@pytest.mark.slow
def test_a_copied_course_folder_runs_a_lesson_from_itself_and_writes_only_beside_it(tmp_path):
    copy = _copy_checkout(tmp_path / "moved course")
    # The copy's own environment: the installed packages are shared through a .pth file (a
    # full install takes minutes); the kit is installed from the copy, editable, as
    # `python course.py install` does.
    env = tmp_path / "env"
    venv.create(env, with_pip=False)
    python = course.venv_python(env)
    site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                          capture_output=True, text=True, check=True).stdout.strip()
    Path(site, "shared-packages.pth").write_text(sysconfig.get_path("purelib") + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", python, "install", "--quiet",
                    "--no-deps", "-e", copy], check=True, capture_output=True)
    before_copy, before_here = _snapshot(copy / "fedlearn_kit"), _snapshot(ROOT / "fedlearn_kit")
    lesson_path = copy / "notebooks" / "01_synthetic_patients.ipynb"
    lesson = nbformat.read(lesson_path, as_version=4)
    lesson.cells.append(nbformat.v4.new_code_cell(
        "import fedlearn_kit; print(fedlearn_kit.__file__, kit.DATA_DIR, sep='\\n')"))
    nbformat.write(lesson, lesson_path)
    ran = subprocess.run([python, "-m", "nbconvert", "--to", "notebook", "--execute",
                          "--inplace", lesson_path], cwd=copy / "notebooks", capture_output=True,
                         text=True)
    assert ran.returncode == 0, ran.stderr[-3000:]
    printed = nbformat.read(lesson_path, as_version=4).cells[-1].outputs[0]["text"].split("\n")
    assert Path(printed[0]) == copy / "fedlearn_kit" / "__init__.py"
    assert Path(printed[1]) == copy / "data"
    assert _snapshot(copy / "fedlearn_kit") == before_copy, "the lesson wrote into the package"
    assert _snapshot(ROOT / "fedlearn_kit") == before_here, "the copy wrote into the original"


def test_every_process_course_py_starts_gets_the_kits_offline_switches():
    """course.py (no kit import: it runs before the install) reads the switches from their one
    place, so JupyterLab, pytest and everything they start stay offline alike."""
    from fedlearn_kit.offline import OFFLINE_ENV

    assert OFFLINE_ENV.items() <= course.QUIET_ENV.items()
