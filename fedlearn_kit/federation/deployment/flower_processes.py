"""Flower's SuperLink and SuperNode with the course's settings (lesson 07).

``python PATH/flower_processes.py supernode ARGS`` runs Flower's own ``flower-supernode
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
a SuperNode imports Flower and nothing of the kit (no torch): about 140 MB instead of
500. Its environment comes from the kit with the offline switches of
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

#: Seconds between a SuperNode's heartbeats (Flower: 30). The SuperLink declares a node
#: gone after two intervals, so a lost laptop is noticed within about 12 s.
HEARTBEAT_INTERVAL = 6.0
#: Seconds a heartbeat request may take (Flower: 5); the sender waits the rest.
HEARTBEAT_CALL_TIMEOUT = 1.0
#: Seconds between polls for work while a SuperNode is busy, and for how long after work.
BUSY_POLL = 0.2
BUSY_WINDOW = 60.0
#: Seconds between polls of an idle SuperNode (Flower: 3); twenty idle SuperNodes and their
#: SuperLink then stay under 0.2 cores in all.
IDLE_POLL = 5.0
#: Seconds between the end of one poll's sleep and the next poll that mean a message was
#: handled in between (an empty poll is one quick request; handling a message includes at
#: least Flower's 0.5 s wait for the reply).
WORK_GAP = 0.4
#: Flower's own idle poll (``time.sleep(3)`` in ``start_client_internal``).
FLOWER_IDLE_POLL = 3.0
#: Seconds between a busy SuperNode's looks for its reply (Flower: 0.5).
REPLY_POLL = 0.05
#: The environment variable naming a local deployment's wake file, and the SuperLink poll
#: of an idle SuperNode that has one (it is woken through the file, not by polling).
WAKE_ENV = "FEDLEARN_KIT_WAKE_FILE"
WOKEN_IDLE_POLL = 10.0
#: Seconds between two looks at the wake file.
WAKE_CHECK = 0.1


class WakeFile:
    """A file a local deployment's sleeping processes watch: a change means "work is coming".

    Looking is a local ``stat`` call, so a process can look ten times a second for less than
    one request to the SuperLink costs. Works the same on Windows, macOS and Linux.
    """

    def __init__(self, path: str | os.PathLike[str], check: float = WAKE_CHECK,
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
    that sleep to :data:`BUSY_POLL` while the node had work in the last
    :data:`BUSY_WINDOW` seconds, and lengthens it to :data:`IDLE_POLL` otherwise (with a
    :class:`WakeFile`: up to :data:`WOKEN_IDLE_POLL`, ending early when the file changes).
    The node is handling a message when Flower sleeps for anything but its idle poll (it
    waits for a reply in 0.5 s steps, shortened to :data:`REPLY_POLL`), or when more than
    :data:`WORK_GAP` seconds passed since the previous poll.
    """

    def __init__(self, busy_poll: float = BUSY_POLL, window: float = BUSY_WINDOW,
                 idle_poll: float = IDLE_POLL, wake: WakeFile | None = None,
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
        if seconds != FLOWER_IDLE_POLL or (self._last_call is not None
                                           and now - self._last_call > WORK_GAP):
            # Flower's other sleeps (0.5 s) wait for a reply, or much ran since the last
            # poll: either way the node is handling a message.
            self._last_work = now
        if seconds != FLOWER_IDLE_POLL:
            self.pause(min(seconds, REPLY_POLL))
        elif now - self._last_work < self.window:
            self.pause(self.busy_poll)
        elif self.wake is None:
            self.pause(self.idle_poll)
        elif self.wake.wait(WOKEN_IDLE_POLL):
            self._last_work = self.clock()
        self._last_call = self.clock()


def _set(module: str, name: str, value: object) -> bool:
    """Set ``module.name`` if Flower still has it; warn and return False if not."""
    import importlib

    mod = importlib.import_module(module)
    if not hasattr(mod, name):
        warnings.warn(f"Flower's {module}.{name} is gone; the course setting for it is not "
                      "applied (Flower's default holds).", stacklevel=2)
        return False
    setattr(mod, name, value)
    return True


def configure_supernode() -> list[str]:
    """Apply the course's SuperNode settings in this process; the names changed."""
    changed = []
    for module, name, value in (
        ("flwr.supernode.fleet_http_connection", "HEARTBEAT_DEFAULT_INTERVAL",
         HEARTBEAT_INTERVAL),
        ("flwr.supercore.heartbeat", "HEARTBEAT_DEFAULT_INTERVAL", HEARTBEAT_INTERVAL),
        ("flwr.supercore.heartbeat", "HEARTBEAT_CALL_TIMEOUT", HEARTBEAT_CALL_TIMEOUT),
        ("flwr.supernode.start_client_internal", "time",
         PromptSleep(wake=WakeFile.from_env())),
    ):
        if _set(module, name, value):
            changed.append(f"{module}.{name}")
    return changed


def configure_superlink() -> list[str]:
    """Apply the course's SuperLink settings in this process: accept 1 s heartbeats."""
    module = "flwr.superlink.servicer.fleet.fleet_handlers"
    return [f"{module}.HEARTBEAT_MIN_INTERVAL"] if _set(module, "HEARTBEAT_MIN_INTERVAL",
                                                       1) else []


def _entry(role: str) -> Callable[[], None]:
    if role == "supernode":
        configure_supernode()
        from flwr.supernode.cli import flower_supernode

        return flower_supernode
    configure_superlink()
    from flwr.superlink.cli import flower_superlink

    return flower_superlink


def command(role: str) -> list[str]:
    """The command that starts Flower's ``role`` (superlink, supernode) with these settings."""
    if role not in ("superlink", "supernode"):
        raise ValueError(f"role={role!r}: superlink or supernode.")
    return [sys.executable, str(Path(__file__).resolve()), role]


def main(argv: Sequence[str] | None = None) -> None:
    """``python flower_processes.py superlink|supernode ARGS``."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] not in ("superlink", "supernode"):
        raise SystemExit("usage: python flower_processes.py superlink|supernode "
                         "[Flower's arguments]")
    role, rest = args[0], args[1:]
    entry = _entry(role)
    sys.argv = [f"flower-{role}", *rest]
    entry()


if __name__ == "__main__":
    main()
