"""Lesson 07's check of which processes may be stopped, against a real stranger process."""

from __future__ import annotations

from fedlearn_kit.checks import real_deployment as check


def test_stoppable_tells_the_recorded_process_from_a_pid_reused_by_a_stranger() -> None:
    import os
    import subprocess
    import sys
    from types import SimpleNamespace

    import psutil

    stranger = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        me = psutil.Process(os.getpid())
        records = [SimpleNamespace(pid=me.pid, create_time=me.create_time()),
                   SimpleNamespace(pid=stranger.pid,
                                   create_time=psutil.Process(stranger.pid).create_time()
                                   - 3600),
                   SimpleNamespace(pid=2**22 + 7, create_time=0.0)]
        assert check.stoppable([me.pid], records)
        assert not check.stoppable([me.pid, stranger.pid], records)
        assert not check.stoppable([], records)
        assert not check.stoppable("x", records)
    finally:
        stranger.kill()
        stranger.wait()
