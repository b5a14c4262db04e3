"""The room server's capacity: 20 participants' servers, and lesson 01 in all of them at once.

    sudo python benchmarks/hub.py                    # 20 participants, lesson 01 (as root)
    sudo python benchmarks/hub.py --participants 1 --lessons 00 01 02 03 04 05 06 07 08
                                                     # what one participant needs at most

Starts a room server from this checkout's install on a free loopback port, adds the
participants through JupyterHub's REST API (what their logins would do), starts their
servers all at once, then runs every code cell of lesson 01 (or the lessons given) in each
server through the Jupyter server's kernel API, all at the same time. Prints, with the
machine's load:

- the time each server took to start, and until all were up;
- memory (PSS: pages shared between processes counted once) per participant with their
  server idle and with the lesson's kernel running, and the room's total (JupyterHub, the
  proxy, the culler and every participant), with the highest figures seen during the run
  (sampled every 2 s);
- the time the lesson took in each server with all of them running at once.

docs/room-server.md turns these figures into the server size to ask IT for. On a shared
machine the times are upper bounds: the load printed before and after says how shared.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # tests.integration.room_server: the same set-up as the tests

from fedlearn_kit.federation.command_runner import descendants  # noqa: E402
from fedlearn_kit.hub import course_copy, users  # noqa: E402
from fedlearn_kit.hub.api import HubClient, ssl_context  # noqa: E402
from fedlearn_kit.hub.kernels import RemoteKernel  # noqa: E402
from tests.integration.room_server import running_room  # noqa: E402

NOTEBOOKS = REPO / "notebooks"
GIB = 2**30


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


def pss(processes: list[psutil.Process]) -> float:
    """Summed PSS (RSS where the system gives no PSS) of ``processes``, in GiB."""
    total = 0
    for process in processes:
        try:
            info = process.memory_full_info()
        except psutil.Error:
            continue
        total += getattr(info, "pss", info.rss)
    return total / GIB


def per_participant(names: list[str]) -> dict[str, float]:
    """PSS in GiB of every process each participant's system user runs."""
    owners = {users.system_name(n): n for n in names}
    groups: dict[str, list[psutil.Process]] = {n: [] for n in names}
    for process in psutil.process_iter(["username"]):
        if process.info["username"] in owners:
            groups[owners[process.info["username"]]].append(process)
    return {name: pss(found) for name, found in groups.items()}


def room_total(hub_pid: int, names: list[str]) -> float:
    """PSS in GiB of JupyterHub, everything it started, and every participant's process."""
    family = {p.pid: p for p in descendants(hub_pid)}
    owners = {users.system_name(n) for n in names}
    for process in psutil.process_iter(["username"]):
        if process.info["username"] in owners:
            family[process.pid] = process
    return pss(list(family.values()))


def summary(values: list[float], unit: str, digits: int = 2) -> str:
    return (f"median {statistics.median(values):.{digits}f} {unit}, "
            f"min {min(values):.{digits}f}, max {max(values):.{digits}f}")


def start_and_time(client: HubClient, name: str) -> float:
    """Ask for ``name``'s server and wait until it answers; seconds from the request."""
    started = time.monotonic()
    client.start_server(name)
    client.wait_until_ready(name)
    return time.monotonic() - started


def run_lesson_everywhere(room, client: HubClient, names: list[str], lesson: Path) -> None:
    """Run ``lesson`` in every participant's server at once; print times and memory."""
    peak = {"room": 0.0, "participant": 0.0}
    running = threading.Event()
    running.set()

    def sample() -> None:
        while running.is_set():
            peak["room"] = max(peak["room"], room_total(room.pid, names))
            peak["participant"] = max(peak["participant"], *per_participant(names).values())
            time.sleep(2)

    sampler = threading.Thread(target=sample, daemon=True)
    context = ssl_context(room)
    kernels = {n: RemoteKernel(client.server_url(n), room.api_token, context,
                               cwd=f"{course_copy.COURSE_DIR}/notebooks") for n in names}

    async def run_all() -> list[float]:
        return list(await asyncio.gather(*(k.run_notebook(lesson) for k in kernels.values())))

    loop = asyncio.new_event_loop()
    sampler.start()
    started = time.monotonic()
    times = loop.run_until_complete(run_all())
    wall = time.monotonic() - started
    with_kernel = per_participant(names)
    total = room_total(room.pid, names)
    running.clear()
    sampler.join()
    for kernel in kernels.values():
        loop.run_until_complete(kernel.shutdown())
    loop.close()
    print(f"{lesson.stem} in {len(names)} server(s) at once: all done after {wall:.1f} s; "
          f"per server {summary(times, 's', 1)} ({load()})")
    print(f"  memory per participant with its kernel: {summary(list(with_kernel.values()), 'GiB')}"
          f"; highest seen {peak['participant']:.2f} GiB")
    print(f"  memory of the whole room: {total:.2f} GiB at the end, highest seen "
          f"{peak['room']:.2f} GiB")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=20)
    parser.add_argument("--lessons", nargs="+", default=["01"],
                        help="lesson numbers to run in every server, one after the other "
                             "(default 01); each in a kernel of its own")
    args = parser.parse_args()
    lessons = [next(NOTEBOOKS.glob(f"{n}_*.ipynb")) for n in args.lessons]
    names = [f"p{i:02d}" for i in range(1, args.participants + 1)]
    print(f"Room server capacity, {len(names)} participants; before: {load()}")
    with running_room(audit=False) as room:
        client = HubClient(room)
        client.create_users(names)
        started = time.monotonic()
        with ThreadPoolExecutor(len(names)) as pool:  # all at once, as a room logging in
            start_times = list(pool.map(lambda n: start_and_time(client, n), names))
        all_up = time.monotonic() - started
        print(f"servers started: all {len(names)} up after {all_up:.1f} s ({load()})")
        print(f"  per server, from its start request: {summary(start_times, 's', 1)}")
        time.sleep(5)
        idle = per_participant(names)
        print("memory per participant, server idle (no kernel): "
              f"{summary(list(idle.values()), 'GiB')}")
        print(f"memory of the whole room, idle: {room_total(room.pid, names):.2f} GiB")

        for lesson in lessons:
            run_lesson_everywhere(room, client, names, lesson)
    print(f"after: {load()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
