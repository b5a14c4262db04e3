"""Wall time of the federated engines on the default Experiment (2 sites, 5 rounds).

    python benchmarks/engines.py [--repeats 3] [--skip-simulation]

Prints each engine's wall time and its ratio to ``local``. Goals (issue 3): ``local`` at
least 20 times faster than ``simulation`` on the same machine and run, and a 5-round
``local`` run under 2 s. ``local`` is timed cold (the first run in this process, with
Flower's import and torch's first calls) and warm (the best of ``--repeats`` further runs).
``deployment`` starts a deployment for its run (TLS and node authentication on).
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("FLWR_TELEMETRY_ENABLED", "0")

import fedlearn_kit as kit  # noqa: E402
from fedlearn_kit.federation import run  # noqa: E402


def timed(engine: str, exp: kit.Experiment) -> float:
    """Seconds for one full run of ``exp`` on ``engine``."""
    start = time.perf_counter()
    run(exp, engine=engine, progress=False)
    return time.perf_counter() - start


def main() -> None:
    """Time the engines and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--skip-simulation", action="store_true")
    args = parser.parse_args()
    exp = kit.Experiment()
    print(f"Experiment: {exp.num_sites} sites, {exp.num_rounds} rounds, "
          f"{exp.local_epochs} local epochs, model={exp.model}; {os.cpu_count()} CPU(s), "
          f"load average {os.getloadavg()[0]:.1f}")
    cold = timed("local", exp)
    warm = min(timed("local", exp) for _ in range(args.repeats))
    print(f"local       cold {cold:7.2f} s   warm {warm:7.2f} s   "
          f"(goal: < 2 s) {'OK' if warm < 2 else 'MISSED'}")
    if args.skip_simulation:
        print("simulation  skipped (--skip-simulation)")
    else:
        sim = timed("simulation", exp)
        ratio = sim / warm
        print(f"simulation       {sim:7.2f} s   = {ratio:6.1f} x local warm, "
              f"{sim / cold:5.1f} x local cold   (goal: >= 20 x) "
              f"{'OK' if ratio >= 20 else 'MISSED'}")
    dep = timed("deployment", exp)
    print(f"deployment       {dep:7.2f} s   = {dep / warm:6.1f} x local warm")


if __name__ == "__main__":
    main()
