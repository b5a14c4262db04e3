"""Flower's SuperLink and SuperNode with the course's settings (lesson 07).

``python PATH/flower_launcher.py supernode ARGS`` runs Flower's own ``flower-supernode
ARGS`` (and ``superlink`` likewise), after two changes Flower offers no command-line
option for:

- **Heartbeat 6 s** instead of 30 s. The SuperLink declares a SuperNode gone after two
  missed heartbeats, so a participant whose laptop dies is noticed within about 12 s
  instead of a minute. The SuperLink accepts intervals from 1 s (Flower: from 10 s).
- **Polling by need.** An idle SuperNode asks the SuperLink for work every 5 s (Flower:
  3 s), so an idle room of twenty costs little; within a minute of its last message it
  asks every 0.2 s, and it looks for its reply every 0.05 s (Flower: 0.5 s), so a round
  of the course's small model takes about a second instead of waiting out the polls.
- **Woken by the kit.** On one machine (lesson 07, the benchmark) the deployment names a
  *wake file* (:data:`WAKE_ENV`); the kit touches it when it starts a run. An idle
  SuperNode then looks at that file every 0.1 s (a local ``stat``, no network) and asks
  the SuperLink only every 10 s: cheaper when idle, and prompt when a run starts. A
  participant's SuperNode in a room has no wake file and polls as above.
The kit runs this file as a script (:func:`command`), not as a module of the package, so
a SuperNode imports Flower and nothing of the kit but its import-free settings
(:mod:`fedlearn_kit.federation.settings`, where every number above is; no torch): about
140 MB instead of 500. Its environment comes from the kit with the offline switches of
:mod:`fedlearn_kit.offline` set (no telemetry, no update check).

Each change touches a constant or a module global of Flower's, so each is checked against
Flower's source by a contract test; if Flower renames one, the launcher warns and runs
Flower unchanged.
"""

from __future__ import annotations

import os
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path

# Imports nothing else of the kit: a SuperNode started through this file stays free of torch.
# The Flower names it changes are the adapter's (_flower), where each has a contract test.
from fedlearn_kit.federation import _flower, settings

#: The environment variable naming a local deployment's wake file.
WAKE_ENV = "FEDLEARN_KIT_WAKE_FILE"


class WakeFile:
    """A file a local deployment's sleeping processes watch: a change means "work is coming".

    Looking is a local ``stat`` call, so a process can look ten times a second for less than
    one request to the SuperLink costs. Works the same on Windows, macOS and Linux.
    """

    def __init__(self, path: str | os.PathLike[str], check: float = settings.WAKE_FILE_CHECK,
                 clock: Callable[[], float] = time.monotonic,
                 pause: Callable[[float], None] = time.sleep) -> None:
        self.path = Path(path)
        self.check, self.clock, self.pause = check, clock, pause
        self.seen = self._stamp()

    @classmethod
    def from_env(cls) -> WakeFile | None:
        """The wake file the deployment named in :data:`WAKE_ENV`, if any."""
        path = os.environ.get(WAKE_ENV)
        return cls(path) if path else None

    def _stamp(self) -> tuple[int, int] | None:
        try:
            stat = os.stat(self.path)
        except OSError:
            return None
        return stat.st_mtime_ns, stat.st_size

    def wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds``; return True as soon as the file has changed."""
        deadline = self.clock() + seconds
        while (left := deadline - self.clock()) > 0:
            self.pause(min(self.check, left))
            stamp = self._stamp()
            if stamp != self.seen:
                self.seen = stamp
                return True
        return False

    @staticmethod
    def touch(path: str | os.PathLike[str]) -> None:
        """Wake every process watching ``path`` (its size changes too, in case the file
        system keeps coarse modification times)."""
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        old = target.stat().st_size if target.exists() else 0
        target.write_text("wake\n" * (1 + (old // 5) % 7))


class PromptSleep:
    """Stands in for the ``time`` module inside Flower's SuperNode loop.

    Flower's loop calls ``time.sleep(3)`` when it found no message. This object shortens
    that sleep to ``SUPERNODE_BUSY_POLL`` while the node had work in the last
    ``SUPERNODE_BUSY_WINDOW`` seconds, and lengthens it to ``SUPERNODE_IDLE_POLL`` otherwise
    (with a :class:`WakeFile`: up to ``SUPERNODE_WOKEN_IDLE_POLL``, ending early when the
    file changes). The node is handling a message when Flower sleeps for anything but its
    idle poll (it waits for a reply in 0.5 s steps, shortened to ``SUPERNODE_REPLY_POLL``),
    or when more than ``SUPERNODE_WORK_GAP`` seconds passed since the previous poll. All
    are in :mod:`fedlearn_kit.federation.settings`.
    """

    def __init__(self, busy_poll: float = settings.SUPERNODE_BUSY_POLL,
                 window: float = settings.SUPERNODE_BUSY_WINDOW,
                 idle_poll: float = settings.SUPERNODE_IDLE_POLL, wake: WakeFile | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 pause: Callable[[float], None] = time.sleep) -> None:
        self.busy_poll = busy_poll
        self.idle_poll = idle_poll
        self.window = window
        self.wake = wake
        self.clock, self.pause = clock, pause
        self._last_call: float | None = None  # no sleep yet: joining is not work
        self._last_work = float("-inf")

    def __getattr__(self, name: str) -> object:
        return getattr(time, name)

    def sleep(self, seconds: float) -> None:
        """Flower's ``time.sleep``: shorter while the node is busy, woken when idle."""
        now = self.clock()
        flowers_idle_poll = settings.FLOWER_SUPERNODE_IDLE_POLL
        since_last_poll = None if self._last_call is None else now - self._last_call
        if seconds != flowers_idle_poll or (since_last_poll is not None
                                            and since_last_poll > settings.SUPERNODE_WORK_GAP):
            # Flower's other sleeps (0.5 s) wait for a reply, or much ran since the last
            # poll: either way the node is handling a message.
            self._last_work = now
        if seconds != flowers_idle_poll:
            self.pause(min(seconds, settings.SUPERNODE_REPLY_POLL))
        elif now - self._last_work < self.window:
            self.pause(self.busy_poll)
        elif self.wake is None:
            self.pause(self.idle_poll)
        elif self.wake.wait(settings.SUPERNODE_WOKEN_IDLE_POLL):
            self._last_work = self.clock()
        self._last_call = self.clock()


def _set(path: str, value: object) -> bool:
    """Set Flower's ``module:name`` if Flower still has it; warn and return False if not."""
    import importlib

    module_name, _, name = path.partition(":")
    mod = importlib.import_module(module_name)
    if not hasattr(mod, name):
        warnings.warn(f"Flower's {module_name}.{name} is gone; the course setting for it is "
                      "not applied (Flower's default holds).", stacklevel=2)
        return False
    setattr(mod, name, value)
    return True


def configure_supernode() -> list[str]:
    """Apply the course's SuperNode settings in this process; the names changed."""
    settings_for = [
        *((path, settings.SUPERNODE_HEARTBEAT) for path in _flower.SUPERNODE_HEARTBEAT_INTERVALS),
        (_flower.SUPERNODE_HEARTBEAT_CALL_TIMEOUT, settings.SUPERNODE_HEARTBEAT_CALL_TIMEOUT),
        (_flower.SUPERNODE_LOOP_TIME, PromptSleep(wake=WakeFile.from_env())),
    ]
    return [path for path, value in settings_for if _set(path, value)]


def configure_superlink() -> list[str]:
    """Apply the course's SuperLink settings in this process: accept 1 s heartbeats."""
    path = _flower.SUPERLINK_HEARTBEAT_MIN_INTERVAL
    return [path] if _set(path, 1) else []


def _entry(role: str) -> Callable[[], None]:
    """Flower's own function behind ``flower-ROLE``, after the course's settings."""
    if role == "supernode":
        configure_supernode()
    else:
        configure_superlink()
    entry: Callable[[], None] = _flower.internal(_flower.COMMAND_ENTRIES[role])
    return entry


def command(role: str) -> list[str]:
    """The command that starts Flower's ``role`` (superlink, supernode) with these settings."""
    if role not in ("superlink", "supernode"):
        raise ValueError(f"role={role!r}: superlink or supernode.")
    return [sys.executable, str(Path(__file__).resolve()), role]


def main(argv: Sequence[str] | None = None) -> None:
    """``python flower_launcher.py superlink|supernode ARGS``."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] not in ("superlink", "supernode"):
        raise SystemExit("usage: python flower_launcher.py superlink|supernode "
                         "[Flower's arguments]")
    role, rest = args[0], args[1:]
    entry = _entry(role)
    sys.argv = [f"flower-{role}", *rest]
    entry()


if __name__ == "__main__":
    main()
