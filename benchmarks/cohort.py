"""How fast is the synthetic cohort generator, and does its memory grow with the output?

Run: `python benchmarks/cohort.py` (or `make bench`). Goal: 1,000,000 patients in under
5 s on 2 cores, with peak memory proportional to the number of patients.
"""

from __future__ import annotations

import time
import tracemalloc

from fedlearn_kit.cohort import generate
from fedlearn_kit.sites import default_sites


def seconds_for(num_patients: int) -> float:
    """Wall time to generate one site of this size (untraced, so not slowed down)."""
    sites = default_sites(1, num_patients)
    start = time.perf_counter()
    generate(sites, seed=1)
    return time.perf_counter() - start


def memory_for(num_patients: int) -> tuple[float, float]:
    """Peak traced MiB while generating, and the resulting DataFrame's own MiB."""
    tracemalloc.start()
    cohort = generate(default_sites(1, num_patients), seed=1)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20, cohort["A"].memory_usage(deep=True).sum() / 2**20


def main() -> None:
    generate(default_sites(1, 1000), seed=0)  # warm-up: imports and first-call costs
    print(f"{'patients':>10} {'seconds':>8} {'peak MiB':>9} {'frame MiB':>10} {'peak/patient':>13}")
    for n in (250_000, 500_000, 1_000_000):
        peak, frame = memory_for(n)
        print(f"{n:>10,} {seconds_for(n):>8.2f} {peak:>9.1f} {frame:>10.1f} "
              f"{peak * 2**20 / n:>11.0f} B")
    best = min(seconds_for(1_000_000) for _ in range(3))
    verdict = "meets" if best < 5 else "MISSES"
    print(f"1,000,000 patients: best of 3 = {best:.2f} s ({verdict} the 5 s goal)")


if __name__ == "__main__":
    main()
