"""Run a command the kit needs (Flower's simulation, ``flwr run``) and follow its output.

One helper for every engine that starts a process and waits for it: :func:`stream` reads
the output line by line (for progress bars and signals), copies it to a log file if asked,
and stops the command with everything it started when it outlasts its timeout.
:func:`stop_tree` ends a process and all its descendants.

Works on POSIX and Windows: the command starts in a process group of its own
(``start_new_session`` on POSIX, ``CREATE_NEW_PROCESS_GROUP`` on Windows), and stopping
walks the process tree with psutil instead of relying on ``os.killpg``.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

#: Output lines kept for error messages.
TAIL_LINES = 40


def new_group_options() -> dict[str, Any]:
    """``Popen`` options that start a command in a process group of its own.

    So stopping it can reach every process it starts, and a Ctrl+C in the notebook's
    terminal does not reach it. POSIX: a new session; Windows: a new process group.
    """
    if sys.platform == "win32":
        return {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}
    if hasattr(os, "setsid"):
        return {"start_new_session": True}
    return {}


def descendants(pid: int) -> list[psutil.Process]:
    """The process ``pid`` and every process below it that is still running."""
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.Error:
        return []


def stop_tree(pid: int, grace: float = 5.0) -> list[int]:
    """Stop ``pid`` and all its descendants: terminate, wait ``grace`` s, then kill.

    Returns the pids it found. Descendants are collected first, so children that a
    killed parent leaves behind are still reached.
    """
    return terminate_then_kill(descendants(pid), grace)


def terminate_then_kill(family: Sequence[psutil.Process], grace: float = 5.0) -> list[int]:
    """Ask every process in ``family`` to stop, wait ``grace`` s, kill those still running.

    Returns the pids asked. psutil's calls work the same on POSIX and Windows, and a process
    already gone is skipped, never an error.
    """
    for proc in family:
        with contextlib.suppress(psutil.Error):
            proc.terminate()
    _, alive = psutil.wait_procs(family, timeout=grace)
    for proc in alive:
        with contextlib.suppress(psutil.Error):
            proc.kill()
    psutil.wait_procs(alive, timeout=grace)
    return sorted(p.pid for p in family)


@dataclass
class Finished:
    """A command that ran to its end: exit code and every output line."""

    code: int
    lines: list[str] = field(default_factory=list)

    def tail(self, n: int = TAIL_LINES) -> str:
        """The last ``n`` output lines, for an error message."""
        return "".join(self.lines[-n:])


def stream(command: Sequence[str], env: Mapping[str, str], timeout: float,
           on_line: Callable[[str], None] = lambda _: None, *,
           log_path: Path | None = None, what: str = "The command",
           linger: float = 5.0) -> Finished:
    """Run ``command``, call ``on_line`` with each output line, stop it after ``timeout`` s.

    stdout and stderr arrive as one stream. With ``log_path`` every line is also written
    there with the seconds since the start. On timeout the command and everything it
    started are killed and :class:`TimeoutError` names ``what`` and shows the output's
    tail. After a normal end, processes the command left behind get ``linger`` seconds to
    exit before they are stopped (Ray's workers take a moment).
    """
    lines: list[str] = []
    if log_path is not None:
        log_path.parent.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen(list(command), env=dict(env), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True,
                            encoding="utf-8", errors="replace", **new_group_options())
    family: dict[int, psutil.Process] = {}

    def follow() -> None:
        assert proc.stdout is not None
        began = time.monotonic()
        log = open(log_path, "w", encoding="utf-8") if log_path else None  # noqa: SIM115
        try:
            for line in proc.stdout:
                lines.append(line)
                if log:
                    log.write(f"{time.monotonic() - began:7.2f}s | {line}")
                    log.flush()
                on_line(line)
        finally:
            if log:
                log.close()

    def watch_family() -> None:  # remember every descendant while the command runs
        while proc.poll() is None:
            for p in descendants(proc.pid):
                family.setdefault(p.pid, p)
            time.sleep(0.5)

    reader = threading.Thread(target=follow, daemon=True)
    reader.start()
    threading.Thread(target=watch_family, daemon=True).start()
    try:
        code = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        _stop(proc.pid, family, grace=0.0)
        proc.wait()
        reader.join(timeout=5)
        raise TimeoutError(f"{what} did not finish within {timeout:g} s and was stopped. "
                           f"Its output ended with:\n{''.join(lines[-TAIL_LINES:])}") from None
    reader.join(timeout=5)
    _stop(proc.pid, family, grace=linger)
    return Finished(code, lines)


def _stop(pid: int, family: dict[int, psutil.Process], grace: float) -> None:
    """Stop what is left of a finished or timed-out command's process family."""
    for p in descendants(pid):
        family.setdefault(p.pid, p)
    alive = [p for p in family.values() if _running(p)]
    if grace > 0:
        _, alive = psutil.wait_procs(alive, timeout=grace)
    for p in alive:
        with contextlib.suppress(psutil.Error):
            p.kill()
    psutil.wait_procs(alive, timeout=5)


def _running(proc: psutil.Process) -> bool:
    try:
        return proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False
