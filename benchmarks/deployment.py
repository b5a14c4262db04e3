"""Wall time of a 3-round run on Flower's deployment engine, as lesson 07 runs it.

Prints the seconds to start the federation (SuperLink + 2 SuperNodes, TLS and node
authentication on), to run 3 rounds with `flwr run --stream`, and to stop everything, and
checks the final weights equal the local engine's. Goal: the run under 45 s on 2 cores.

    python benchmarks/deployment.py               # the kit's setting (warm executors)
    python benchmarks/deployment.py --flower-default   # also Flower's default isolation
"""

from __future__ import annotations

import argparse
import tempfile
import time

import torch

import fedlearn_kit as kit
from fedlearn_kit.federation import deployment as deploy
from fedlearn_kit.federation import run


def measure(isolation: str, num_rounds: int) -> dict[str, float]:
    """Seconds for up, run and down; and the largest weight difference to ``local``."""
    exp = kit.Experiment(num_rounds=num_rounds)
    times: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="fedlearn-bench-") as workdir:
        start = time.perf_counter()
        dep = deploy.up(exp.num_sites, workdir, isolation=isolation)
        times["up"] = time.perf_counter() - start
        try:
            start = time.perf_counter()
            result = dep.run(exp, progress=False)
            times["run"] = time.perf_counter() - start
        finally:
            start = time.perf_counter()
            dep.down()
            times["down"] = time.perf_counter() - start
    local = run(exp, progress=False)
    times["max |w - w_local|"] = max(float((result.state_dict[k] - v).abs().max())
                                     for k, v in local.state_dict.items())
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--flower-default", action="store_true",
                        help="also measure Flower's default --isolation subprocess")
    args = parser.parse_args()
    torch.set_num_threads(1)
    settings = ["process"] + (["subprocess"] if args.flower_default else [])
    for isolation in settings:
        t = measure(isolation, args.rounds)
        label = {"process": "kit (warm executors, --isolation process)",
                 "subprocess": "Flower default (--isolation subprocess)"}[isolation]
        total = t["up"] + t["run"] + t["down"]
        print(f"{label}: {args.rounds} rounds x 2 sites, TLS + node auth: "
              f"up {t['up']:.1f} s, run {t['run']:.1f} s, down {t['down']:.1f} s, "
              f"total {total:.1f} s; max |w - w_local| = {t['max |w - w_local|']:.1e}")


if __name__ == "__main__":
    main()
