"""A small room on one machine: a participant's laptop dies mid-run and comes back.

SuperNodes with TLS and node authentication run three rounds of the course's app; one is
SIGKILLed as round 2 starts (a participant's laptop dies): it must be reported missing
within 15 s, its processes must go with it, and once it rejoins it takes part in every
round that starts after it is back. Then everything goes
down: 0 processes, 0 ports. The same with 20 sites, and the room's memory and idle CPU, are
measured by ``python -m benchmarks.deployment`` (figures, not a test: they depend on the
machine).
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path

import psutil

import fedlearn_kit as kit
from fedlearn_kit.federation import deployment
from fedlearn_kit.federation.deployment.process_control import marked, port_free
from fedlearn_kit.federation.result import round_done

#: Seconds this module takes on 2 cores (six rounds with a lost laptop).
#: The tier starts its longest modules first (tests/conftest.py, start_order).
STARTS_FIRST = 50

#: A room small enough for every CI run; the site that dies is neither the first nor the last.
SITES, DEAD = 4, 2
#: Rounds after the loss: the rejoin (a SuperNode and an executor starting) races the rounds,
#: so the run leaves the participant a few rounds to come back in.
ROUNDS = 6


def wait_for_line(path: Path, found: Callable[[str], bool], timeout: float) -> float | None:
    """The time a line of ``path`` for which ``found`` holds appeared (None after timeout)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and any(map(found, path.read_text(errors="replace").splitlines())):
            return time.monotonic()
        time.sleep(0.1)
    return None


def test_a_lost_laptop_is_reported_and_rejoins(tmp_path: Path) -> None:
    exp = kit.Experiment(num_sites=SITES, num_rounds=ROUNDS)
    dep = deployment.up(SITES, tmp_path, timeout=240)
    try:
        outcome: dict[str, object] = {}

        def train() -> None:
            try:
                # Run times are benchmarks/deployment.py's to print; the test only needs the
                # run to end, also on a shared, loaded machine.
                outcome["result"] = dep.run(exp, progress=False, echo=False, timeout=600)
            except BaseException as err:  # noqa: BLE001 - reported by the main thread
                outcome["error"] = err

        runner = threading.Thread(target=train)
        runner.start()
        log = dep.workdir / "runs" / "run-1" / "flwr-run.log"
        # The app's round log prints "round 1 of 6 took ..." when round 1's replies are in
        # (fedlearn_app.round_log.ROUND_DONE; result.round_done reads it as the engines do);
        # the run's log file puts the seconds since the start before each line ("  9.93s | ").
        assert wait_for_line(log, lambda line: round_done(line.partition(" | ")[2]) == 1,
                             300), "round 1 never finished"
        victim = dep.process(f"supernode site {DEAD}")
        os.kill(victim.pid, signal.SIGKILL)  # the laptop dies as round 2 starts
        killed = time.monotonic()
        noticed = wait_for_line(log, lambda line: "Node Unavailable" in line, 60)
        assert noticed is not None, "the lost site was never reported"
        print(f"lost site reported {noticed - killed:.1f} s after the kill "
              f"(load {os.getloadavg()[0]:.1f})")
        assert noticed - killed < 15, "not noticed within 15 s"
        # Its processes are gone with it: no task of the dead node lingers.
        time.sleep(1.0)
        assert not psutil.pid_exists(victim.pid) or psutil.Process(
            victim.pid).status() == psutil.STATUS_ZOMBIE
        orphans = [p for p in marked(dep.marker) if p.ppid() == victim.pid]
        assert not orphans
        executor_log = (dep.workdir / "logs" / "clientapp-executor.log").read_text()
        assert f"Owner {victim.pid}" in executor_log
        dep.start_supernode(DEAD, executor="warm", timeout=120)  # the participant rejoins
        runner.join(timeout=700)
        assert "error" not in outcome, outcome.get("error")
        result = outcome["result"]
        site = result.sites[DEAD]
        assert site in result.took_part[1]
        assert result.missing.get(2) == (site,)
        back = [r for r in range(3, ROUNDS + 1) if site in result.took_part[r]]
        assert back, f"the rejoined site took part in none of rounds 3 to {ROUNDS}"
        assert back == list(range(back[0], ROUNDS + 1)), "once back, it stays in every round"
    finally:
        ports = [p.port for p in dep.processes if p.port]
        report = dep.down()
    assert report["ports_still_open"] == []
    assert not marked(dep.marker)
    assert all(port_free("127.0.0.1", port) for port in ports)
