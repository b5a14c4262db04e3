"""The deployment at room scale: start, rounds, stop, memory and idle CPU, against targets.

Each line prints a measured figure next to the course's target (issue 12), for a
federation with TLS and node authentication on loopback:

    python -m benchmarks.deployment                  # 2 sites and 20 sites
    python -m benchmarks.deployment --sites 2        # only 2 sites
    python -m benchmarks.deployment --flower-default # also Flower's own isolation, 2 sites
    python -m benchmarks.deployment --lost-laptop 20 # a SuperNode killed mid-run, 20 sites

Targets on 2 cores: `deploy up` of 20 SuperNodes < 60 s; 3 rounds with 20 sites < 60 s;
`deploy down` < 10 s; 2 sites, 3 rounds < 15 s; 20 sites < 6 GiB resident (PSS: shared
pages counted once) and idle < 0.2 cores; a participant's site (SuperNode + executor)
< 400 MiB before training. The machine's load is printed with every figure: on a shared
machine read the times as upper bounds. Check `free -g` before 20 sites (about 4 GiB).
"""

from __future__ import annotations

import argparse
import os
import signal
import tempfile
import threading
import time
from pathlib import Path

import psutil
import torch

import fedlearn_kit as kit
from fedlearn_kit.federation import deployment, run
from fedlearn_kit.federation.deployment import registration
from tools.measure import cores_in_use, memory_in_use

TARGETS = {"up": {20: 60.0}, "run": {2: 15.0, 20: 60.0}, "down": {2: 10.0, 20: 10.0}}


def load() -> str:
    return f"load {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"


def verdict(kind: str, sites: int, value: float) -> str:
    target = TARGETS.get(kind, {}).get(sites)
    if target is None:
        return ""
    return f" (target < {target:g} s: {'met' if value < target else 'NOT met'})"


def measure(sites: int, isolation: str = "process", rounds: int = 3) -> None:
    """Print up, memory, idle CPU, rounds and down for ``sites`` sites."""
    exp = kit.Experiment(num_sites=sites, num_rounds=rounds)
    label = f"{sites} sites" + ("" if isolation == "process" else ", Flower's isolation")
    with tempfile.TemporaryDirectory(prefix="fedlearn-bench-") as workdir:
        start = time.perf_counter()
        dep = deployment.up(sites, workdir, isolation=isolation, timeout=240)
        up = time.perf_counter() - start
        print(f"{label}: deploy up {up:.1f} s{verdict('up', sites, up)}; {load()}")
        try:
            rss, pss, count = memory_in_use(dep.marker)
            print(f"{label}: {count} processes, resident memory PSS {pss:.2f} GiB "
                  f"(sum of RSS {rss:.2f} GiB); target for 20 sites < 6 GiB")
            # Right after `up` the processes are still settling (first heartbeats, caches);
            # a room sits idle for minutes, so the settled figure is the one that counts.
            fresh, settled = cores_in_use(dep.marker), cores_in_use(dep.marker)
            print(f"{label}: idle {settled:.2f} cores (target < 0.2: "
                  f"{'met' if settled < 0.2 else 'NOT met'}; {fresh:.2f} in the first 10 s "
                  f"after up); {load()}")
            start = time.perf_counter()
            result = dep.run(exp, progress=False, echo=False)
            took = time.perf_counter() - start
            print(f"{label}: {rounds} rounds {took:.1f} s{verdict('run', sites, took)}; "
                  f"{load()}")
        finally:
            start = time.perf_counter()
            dep.down()
            down = time.perf_counter() - start
            print(f"{label}: deploy down {down:.1f} s{verdict('down', sites, down)}")
    local = run(exp, progress=False)
    diff = max(float((result.state_dict[k] - v).abs().max()) for k, v in
               local.state_dict.items())
    print(f"{label}: max |w - w_local| = {diff:.1e}")


def lost_laptop(sites: int) -> None:
    """How long a room of ``sites`` takes to report a SuperNode killed as round 2 starts (the
    behaviour itself, with a few sites, is tests/scale/test_deploy_lost_laptop.py's)."""
    exp = kit.Experiment(num_sites=sites, num_rounds=3)
    with tempfile.TemporaryDirectory(prefix="fedlearn-bench-") as workdir:
        dep = deployment.up(sites, workdir, timeout=240)
        try:
            runner = threading.Thread(target=dep.run, args=(exp,),
                                      kwargs={"progress": False, "echo": False})
            runner.start()
            log = dep.workdir / "runs" / "run-1" / "flwr-run.log"
            when = wait_for_text(log, "round 1 of 3 took ", 600)  # the app's ROUND_DONE
            victim = dep.process(f"supernode site {sites // 2}")
            if when is None or victim is None:
                print(f"{sites} sites, lost laptop: round 1 did not finish; {load()}")
                return
            os.kill(victim.pid, signal.SIGKILL)
            killed = time.perf_counter()
            noticed = wait_for_text(log, "Node Unavailable", 120)
            took = "not within 120 s" if noticed is None else f"{noticed - killed:.1f} s"
            met = noticed is not None and noticed - killed < 15
            print(f"{sites} sites: a killed SuperNode reported after {took} (target < 15 s: "
                  f"{'met' if met else 'NOT met'}); {load()}")
            runner.join(timeout=1200)
        finally:
            dep.down()


def wait_for_text(path: Path, text: str, timeout: float) -> float | None:
    """The perf_counter time ``text`` appeared in ``path``, or None after ``timeout`` s."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if path.exists() and text in path.read_text(errors="replace"):
            return time.perf_counter()
        time.sleep(0.1)
    return None


def participant_site() -> None:
    """A participant's laptop: one SuperNode with its own lazy executor, before training."""
    with tempfile.TemporaryDirectory(prefix="fedlearn-bench-") as workdir:
        link = deployment.link(1, f"{workdir}/room", keys=None)
        try:
            keys = deployment.keygen(0, f"{workdir}/node-0")
            registration.add_public_keys(link, {0: keys.public_key})
            registration.register_nodes(link, [0])
            node = deployment.node(link.superlink, 0, 1, f"{workdir}/node-0",
                                   ca=link.credentials / "ca.crt")
            rss, pss, count = memory_in_use(node.marker)
            print(f"a participant's site: {count} processes, RSS {rss * 1024:.0f} MiB, PSS "
                  f"{pss * 1024:.0f} MiB before training (target < 400 MiB); {load()}")
            node.down()
        finally:
            link.down()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sites", type=int, nargs="+", default=[2, 20])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--flower-default", action="store_true",
                        help="also measure Flower's default --isolation subprocess, 2 sites")
    parser.add_argument("--lost-laptop", type=int, metavar="SITES", default=None,
                        help="also time how soon a killed SuperNode is reported (POSIX)")
    args = parser.parse_args()
    torch.set_num_threads(1)
    participant_site()
    for sites in args.sites:
        if sites > 8 and psutil.virtual_memory().available < 8 * 2**30:
            print(f"{sites} sites: skipped, less than 8 GiB of memory free")
            continue
        measure(sites, rounds=args.rounds)
    if args.flower_default:
        measure(2, "subprocess", args.rounds)
    if args.lost_laptop:
        lost_laptop(args.lost_laptop)


if __name__ == "__main__":
    main()
