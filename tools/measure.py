"""What a running deployment costs: its memory and CPU (benchmarks/deployment.py).

Measurements for the benchmarks, not part of the kit a learner installs: they find a
deployment's processes by the marker the kit puts in their environment
(:func:`fedlearn_kit.federation.deployment.process_control.marked`).
"""

from __future__ import annotations

import time

import psutil

from fedlearn_kit.federation.deployment.process_control import marked


def memory_in_use(marker: str) -> tuple[float, float, int]:
    """(sum of RSS, sum of PSS) in GiB, and how many processes carry ``marker``.

    PSS counts pages shared between processes (torch in forked children) once; where the
    operating system does not report it, RSS stands in.
    """
    rss = pss = 0
    procs = marked(marker)
    for proc in procs:
        try:
            info = proc.memory_full_info()
        except psutil.Error:
            continue
        rss += info.rss
        pss += getattr(info, "pss", info.rss)
    return rss / 2**30, pss / 2**30, len(procs)


def cores_in_use(marker: str, seconds: float = 10.0) -> float:
    """CPU seconds per second that the processes carrying ``marker`` use over ``seconds``."""
    procs = marked(marker)

    def cpu_seconds() -> float:
        total = 0.0
        for proc in procs:
            try:
                times = proc.cpu_times()
            except psutil.Error:
                continue
            total += times.user + times.system
        return total

    before = cpu_seconds()
    time.sleep(seconds)
    return (cpu_seconds() - before) / seconds
