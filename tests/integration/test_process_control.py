"""Process hygiene without Flower: groups, descendants in new sessions, state file, ports."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import psutil

from fedlearn_kit.federation import deployment
from fedlearn_kit.federation.deployment import Deployment
from fedlearn_kit.federation.deployment import process_control as procs
from tools import measure

# A parent that starts a child in a new session (as flower-superlink does with its
# flower-superexec), then both sleep.
FAMILY = ("import subprocess, sys, time; subprocess.Popen([sys.executable, '-c', "
          "'import time; time.sleep(60)'], start_new_session=True); time.sleep(60)")


def _env(marker: str) -> dict[str, str]:
    return dict(os.environ) | {procs.MARKER: marker}


def test_stop_ends_group_and_descendants_in_other_sessions(tmp_path: Path) -> None:
    rec = procs.start("family", [sys.executable, "-c", FAMILY], tmp_path / "f.log", _env("m1"))
    deadline = time.monotonic() + 20
    while len(psutil.Process(rec.pid).children()) < 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    child = psutil.Process(rec.pid).children()[0]
    assert os.getsid(child.pid) != os.getsid(rec.pid)  # not reachable by the group alone
    stopped = procs.stop([rec], "m1", grace=2)
    assert {rec.pid, child.pid} <= set(stopped)
    assert not psutil.pid_exists(child.pid) or child.status() == psutil.STATUS_ZOMBIE
    assert not rec.alive()


def test_down_from_the_state_file_alone_finds_orphans_by_marker(tmp_path: Path) -> None:
    dep = Deployment(tmp_path, "127.0.0.1:1", 1, insecure=True, marker="m2")
    dep.processes.append(procs.start("family", [sys.executable, "-c", FAMILY],
                                 tmp_path / "f.log", _env("m2")))
    dep.save()
    time.sleep(1.0)
    # The parent dies as after a crash; its child is orphaned but carries the marker.
    os.kill(dep.processes[0].pid, 9)
    time.sleep(0.3)  # the kit's reaper thread collects it (no zombie left)
    time.sleep(0.2)
    assert procs.marked("m2")
    from fedlearn_kit.federation import deployment as deploy

    report = deploy.down(tmp_path)
    assert report["stopped"] and not procs.marked("m2")
    assert deploy.load(tmp_path).processes == []
    assert deploy.down(tmp_path) == {"stopped": [], "already_gone": [],
                                     "ports_still_open": [], "ports_held_by_others": []}


def _stranger() -> subprocess.Popen:
    """An unrelated program, as another user's editor or a hospital's service would be."""
    return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])


def test_a_reused_pid_is_not_signalled_and_reported_already_gone(tmp_path: Path) -> None:
    """A stale state file names a pid that now belongs to a stranger: it must survive."""
    stranger = _stranger()
    try:
        time.sleep(0.3)
        real = psutil.Process(stranger.pid)
        # The record of an earlier process with the same pid: started an hour before the
        # stranger, as after a reboot or a wrap-around of pids.
        old = procs.Proc("supernode site 0", stranger.pid, stranger.pid,
                         real.cmdline(), str(tmp_path / "x.log"), site=0,
                         started=real.create_time() - 3600,
                         create_time=real.create_time() - 3600)
        assert not old.alive()
        dep = Deployment(tmp_path, "127.0.0.1:1", 1, insecure=True, marker="never-used",
                         processes=[old])
        dep.save()
        report = deployment.down(tmp_path)
        assert stranger.poll() is None, "down() signalled a stranger's process"
        assert report["stopped"] == [] and report["already_gone"] == [stranger.pid]
    finally:
        stranger.kill()
        stranger.wait()


def test_a_faked_record_with_the_right_start_time_but_another_program_is_not_ours(
        tmp_path: Path) -> None:
    """Same pid and start time but another command line (a forged or corrupt state)."""
    stranger = _stranger()
    try:
        time.sleep(0.3)
        real = psutil.Process(stranger.pid)
        forged = procs.Proc("superlink", stranger.pid, stranger.pid,
                            ["flower-superlink", "--insecure"], str(tmp_path / "x.log"),
                            create_time=real.create_time())
        assert not forged.alive()
        assert procs.stop([forged]) == []
        assert stranger.poll() is None
        genuine = procs.Proc("stranger", stranger.pid, stranger.pid, real.cmdline(),
                             str(tmp_path / "x.log"), create_time=real.create_time())
        assert genuine.alive()  # the same record with the true command line is recognised
    finally:
        stranger.kill()
        stranger.wait()


def test_memory_and_cores_of_the_marked_processes(tmp_path: Path) -> None:
    busy = procs.start("busy", [sys.executable, "-c", "while True: pass"], tmp_path / "b.log",
                       _env("m-busy"))
    idle = procs.start("idle", [sys.executable, "-c", "import time; time.sleep(60)"],
                       tmp_path / "i.log", _env("m-idle"))
    try:
        time.sleep(0.5)
        rss, pss, count = measure.memory_in_use("m-busy")
        assert count == 1 and 0 < pss <= rss < 1.0  # one small Python, in GiB
        # A busy loop uses what the machine leaves it (a loaded CI machine: a fraction of a
        # core); a sleeping process uses next to nothing.
        busy_cores, idle_cores = (measure.cores_in_use(marker, seconds=1.0)
                                  for marker in ("m-busy", "m-idle"))
        assert busy_cores > 0.05 and idle_cores < 0.02 and busy_cores > 5 * idle_cores
        assert measure.memory_in_use("m-nobody") == (0.0, 0.0, 0)
    finally:
        procs.stop([busy, idle], grace=1)


SLEEPER = [sys.executable, "-c", "import time; time.sleep(120)"]


def _as_if_read_by_another_python(rec: procs.Proc) -> procs.Proc:
    """The record as another process (`deploy status`) sees it: no Popen to ask."""
    procs._CHILDREN.pop(rec.pid, None)
    return rec


def test_a_clock_step_does_not_turn_a_live_process_into_a_stranger(tmp_path: Path) -> None:
    """psutil's create_time moves with a step of the wall clock (NTP): shift the record by
    12 s, as the facilitator's laptop saw it, and the process is still the deployment's."""
    dep = Deployment(tmp_path, "127.0.0.1:1", 1, insecure=True)
    rec = procs.start("sleeper", SLEEPER, tmp_path / "s.log", dep.env())
    try:
        _as_if_read_by_another_python(rec)
        rec.create_time += 12.0
        rec.started += 12.0
        assert rec.alive()  # the marker in its environment says it is ours
        # Where the environment cannot be read, the start time from boot decides; the
        # clock step moved create_time, not the time since boot.
        unmarked = procs.Proc(**{**rec.__dict__, "marker": ""})
        assert unmarked.alive()
        assert not procs.Proc(**{**unmarked.__dict__,
                                 "since_boot": (rec.since_boot or 0) + 12.0}).alive() \
            or rec.since_boot is None
        # Another deployment's marker: not ours, whatever the times say.
        assert not procs.Proc(**{**rec.__dict__, "marker": "another"}).alive()
        dep.processes.append(rec)
        dep.save()
        report = deployment.down(tmp_path)
        assert report["stopped"] == [rec.pid] and report["already_gone"] == []
    finally:
        procs.stop([rec], grace=1)


def test_a_lost_state_file_is_rebuilt_from_the_running_processes(tmp_path: Path) -> None:
    dep = Deployment(tmp_path, "127.0.0.1:9", 3, insecure=True, role="room")
    rec = dep.add_process(procs.start("superlink", SLEEPER, tmp_path / "logs" / "l.log",
                                      dep.env(), port=None))
    try:
        (tmp_path / procs.STATE_FILE).unlink()  # lost: deleted, or the folder was cleaned
        _as_if_read_by_another_python(rec)
        back = deployment.load(tmp_path)
        assert (back.num_sites, back.role, back.marker) == (3, "room", dep.marker)
        assert [p.pid for p in back.processes] == [rec.pid] and back.processes[0].alive()
        assert any("missing" in note for note in back.notes)
        assert tmp_path in deployment.workdirs(tmp_path.parent)
        report = deployment.down(tmp_path)
        assert report["stopped"] == [rec.pid]
        assert not procs.running_in(tmp_path)
    finally:
        procs.stop([rec], grace=1)


def test_down_from_a_stale_state_file_leaves_a_strangers_port_alone(tmp_path: Path) -> None:
    """The recorded SuperLink ended long ago; another program now listens on its port."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        old = procs.Proc("superlink", 999_999, 999_999, ["flower-superlink"], "x.log",
                         port=port, create_time=1.0, marker="gone")
        Deployment(tmp_path, f"127.0.0.1:{port}", 1, insecure=True, marker="gone",
                   processes=[old]).save()
        report = deployment.down(tmp_path)
        assert report["ports_still_open"] == [] and report["ports_held_by_others"] == [port]
        assert report["stopped"] == [] and report["already_gone"] == [999_999]
