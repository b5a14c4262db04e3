"""``fedlearn-kit run --engine ENGINE``: one federated run from the shell (lessons 04, 07)."""

from __future__ import annotations

import argparse
from typing import Any

from fedlearn_kit.experiment import STRATEGIES, Experiment


def _cmd_run(args: argparse.Namespace) -> int:
    from fedlearn_kit.federation import run

    exp = Experiment(num_sites=args.sites, num_rounds=args.rounds, seed=args.seed,
                     strategy=args.strategy, local_epochs=args.local_epochs)
    options: dict[str, Any] = {}
    if args.engine == "deployment":
        from fedlearn_kit.federation import deploy

        try:
            running = deploy.load(args.workdir)
            if any(p.alive() for p in running.processes):
                options["deployment"] = running
        except FileNotFoundError:
            pass
        if "deployment" not in options:
            options.update(workdir=args.workdir, insecure=args.insecure)
    result = run(exp, engine=args.engine, min_sites=args.min_sites, progress=False,
                 **options)
    print(repr(result))
    print(result.site_metrics("auroc").round(3).to_string())
    for rnd, sites in sorted(result.missing.items()):
        print(f"round {rnd}: missing {', '.join(sites)}")
    print(f"{result.seconds:.1f} s on engine {args.engine!r}")
    return 0


def register_cli(sub: Any) -> None:
    """Add ``fedlearn-kit run`` to the kit's command line."""
    from fedlearn_kit.federation.engines import ENGINES

    p = sub.add_parser("run", help="train federated on one engine and print the metrics")
    p.add_argument("--engine", choices=ENGINES, default="local")
    p.add_argument("--sites", type=int, default=2)
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--local-epochs", type=int, default=2)
    p.add_argument("--strategy", choices=STRATEGIES, default="fedavg")
    p.add_argument("--seed", type=int, default=42)
    p.add_argument("--min-sites", type=int, default=1,
                   help="fewest sites that must reply for a round to count")
    p.add_argument("--workdir", default=None,
                   help="deployment engine: use the deployment running there, or start one")
    p.add_argument("--insecure", action="store_true",
                   help="deployment engine: no TLS, no node authentication")
    p.set_defaults(handler=_cmd_run)
