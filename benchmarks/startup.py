"""How quickly the kit starts: ``import fedlearn_kit``, the command line, ``fedlearn-kit data``.

    python benchmarks/startup.py [--patients 1000000] [--repeats 3]

Prints the best of ``--repeats`` wall times of, each in a fresh Python process:

- ``import fedlearn_kit`` (goal: cheap; heavy libraries load when a name is first used);
- ``fedlearn-kit --help`` and ``fedlearn-kit validate data/site_A.csv data/site_B.csv``
  (goal: under 1 s on 2 cores);
- ``fedlearn-kit data`` for ``--patients`` patients in all, writing included (goal: under
  5 s for 1,000,000), and the same cohort written with pandas' own ``to_csv`` for
  comparison.

Timings depend on the machine's load: the load average is printed next to them.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOALS = {"import fedlearn_kit": None, "fedlearn-kit --help": 1.0,
         "fedlearn-kit validate (2 files)": 1.0}


def best_of(command: list[str], repeats: int) -> float:
    """The shortest wall time of ``command`` over ``repeats`` runs, in seconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, cwd=ROOT)
        times.append(time.perf_counter() - start)
    return min(times)


def verdict(seconds: float, goal: float | None) -> str:
    """``OK``/``MISSED`` against a goal, or nothing without one."""
    if goal is None:
        return ""
    return f"(goal < {goal:g} s) {'OK' if seconds < goal else 'MISSED'}"


def main() -> None:
    """Time the start-up paths and print the figures."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--patients", type=int, default=1_000_000,
                        help="patients in all for `fedlearn-kit data` (split over 2 sites)")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    python = sys.executable
    cli = [python, "-m", "fedlearn_kit.cli"]
    print(f"{os.cpu_count()} CPU(s), load average {os.getloadavg()[0]:.1f}")
    commands = {
        "import fedlearn_kit": [python, "-c", "import fedlearn_kit"],
        "fedlearn-kit --help": [*cli, "--help"],
        "fedlearn-kit validate (2 files)": [*cli, "validate", "data/site_A.csv",
                                            "data/site_B.csv"],
    }
    for label, command in commands.items():
        seconds = best_of(command, args.repeats)
        print(f"{label:<34} {seconds:6.2f} s  {verdict(seconds, GOALS[label])}")
    per_site = args.patients // 2
    with tempfile.TemporaryDirectory(prefix="fedlearn-bench-") as out:
        seconds = best_of([*cli, "data", "--patients-per-site", str(per_site), "--out", out],
                          1)
        print(f"fedlearn-kit data ({2 * per_site:,} patients) {seconds:6.2f} s  "
              f"{verdict(seconds, 5.0 if 2 * per_site >= 1_000_000 else None)}")
    pandas_writer = ("import tempfile, time; from fedlearn_kit.cohort import generate;"
                     f"c = generate(2, seed=42, patients_per_site={per_site});"
                     "d = tempfile.mkdtemp(); t = time.perf_counter();"
                     "[df.to_csv(f'{d}/{s}.csv', index=False, lineterminator='\\n') "
                     "for s, df in c.items()];"
                     "print(time.perf_counter() - t)")
    done = subprocess.run([python, "-c", pandas_writer], check=True, capture_output=True,
                          text=True, cwd=ROOT)
    print(f"  for comparison, pandas' to_csv alone: {float(done.stdout):6.2f} s; "
          f"load average now {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
