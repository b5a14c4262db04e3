"""A room of 20 laptops on one machine: 20 SuperNodes with TLS and node authentication.

Three rounds of the course's app; one SuperNode is SIGKILLed as round 2 starts (a
participant's laptop dies): it must be reported missing within 15 s, its processes must
go with it, and it rejoins for round 3. Then everything goes down: 0 processes, 0 ports.
Peak memory and idle CPU are printed (run with -s to see them).
"""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import psutil
import pytest

import fedlearn_kit as kit
from fedlearn_kit.federation import deployment
from fedlearn_kit.federation.deployment.processes import (
    cores_in_use,
    marked,
    memory_in_use,
    port_free,
)

SITES, DEAD = 20, 5


def wait_for_line(path: Path, text: str, timeout: float) -> float | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and text in path.read_text(errors="replace"):
            return time.monotonic()
        time.sleep(0.1)
    return None


def test_twenty_sites_a_lost_laptop_and_its_return(tmp_path: Path) -> None:
    if psutil.virtual_memory().available < 8 * 2**30:
        pytest.skip("needs 8 GiB of free memory for 20 SuperNodes")
    exp = kit.Experiment(num_sites=SITES, num_rounds=3)
    start = time.monotonic()
    dep = deployment.up(SITES, tmp_path, timeout=240)
    up_seconds = time.monotonic() - start
    try:
        rss, pss, _ = memory_in_use(dep.marker)
        idle = cores_in_use(dep.marker)
        print(f"\n20 sites: up {up_seconds:.1f} s; resident memory RSS {rss:.2f} GiB, "
              f"PSS {pss:.2f} GiB; idle {idle:.2f} cores (load {os.getloadavg()[0]:.1f})")
        assert pss < 6.0
        outcome: dict[str, object] = {}

        def train() -> None:
            try:
                # The 60 s target is benchmarks/deployment.py's to print; the test only
                # needs the run to end, also on a shared, loaded machine.
                outcome["result"] = dep.run(exp, progress=False, echo=False, timeout=1200)
            except BaseException as err:  # noqa: BLE001 - reported by the main thread
                outcome["error"] = err

        runner = threading.Thread(target=train)
        began = time.monotonic()
        runner.start()
        log = dep.workdir / "runs" / "run-1" / "flwr-run.log"
        assert wait_for_line(log, "round 1 of 3 evaluated", 300), "round 1 never finished"
        victim = dep.process(f"supernode site {DEAD}")
        os.kill(victim.pid, signal.SIGKILL)  # the laptop dies as round 2 starts
        killed = time.monotonic()
        noticed = wait_for_line(log, "Node Unavailable", 60)
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
        runner.join(timeout=1300)
        peak_rss, peak_pss, _ = memory_in_use(dep.marker)
        assert "error" not in outcome, outcome.get("error")
        result = outcome["result"]
        site = result.sites[DEAD]
        print(f"3 rounds with 20 sites: {time.monotonic() - began:.1f} s; noticed the lost "
              f"site after {noticed - killed:.1f} s; missing {result.missing}")
        assert result.missing.get(2) == (site,)
        assert site in result.took_part[3], "the rejoined site did not take part in round 3"
        assert site in result.took_part[1]
    finally:
        ports = [p.port for p in dep.processes if p.port]
        start = time.monotonic()
        report = dep.down()
        down_seconds = time.monotonic() - start
    print(f"down {down_seconds:.1f} s; memory after the run RSS {peak_rss:.2f} GiB")
    assert report["ports_still_open"] == []
    assert not marked(dep.marker)
    assert all(port_free("127.0.0.1", port) for port in ports)
