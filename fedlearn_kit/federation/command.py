"""``fedlearn-kit run``: train an Experiment federated from the command line (lesson 04)."""

from __future__ import annotations

import argparse
from dataclasses import fields
from pathlib import Path

from fedlearn_kit.experiment import Experiment

_TYPES = {"int": int, "float": float, "str": str}


def add_run_command(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add the ``run`` sub-command to the kit's command line."""
    run = sub.add_parser("run", help="train an experiment federated with Flower",
                         description="Train the course's model federated with Flower and "
                                     "print each site's metrics per round.")
    run.add_argument("--engine", default="local", choices=("local", "simulation", "deployment"),
                     help="local (in-process, default), simulation (Flower's Ray runtime) or "
                          "deployment (SuperLink and SuperNodes)")
    defaults = Experiment()
    for field in fields(Experiment):
        default = getattr(defaults, field.name)
        kind = _TYPES.get(str(field.type).split(" |")[0], str)
        run.add_argument(f"--{field.name.replace('_', '-')}", type=kind, default=default,
                         metavar=field.name.upper(), help=f"default {default}")
    run.add_argument("--min-sites", type=int, default=1,
                     help="fewest sites that must reply for a round to count (default 1)")
    run.add_argument("--timeout", type=float, default=600.0,
                     help="seconds the run may take on any engine (default 600)")
    run.add_argument("--out", type=Path, default=None, metavar="DIR",
                     help="save model.pt (the global state_dict) and history.csv here")
    run.set_defaults(handler=_cmd_run)


def _cmd_run(args: argparse.Namespace) -> int:
    import torch

    from fedlearn_kit.federation.engines import run

    exp = Experiment(**{f.name: getattr(args, f.name) for f in fields(Experiment)})
    result = run(exp, engine=args.engine, min_sites=args.min_sites, progress=False,
                 timeout=args.timeout)
    print(result)
    print("AUROC of the global model on each site's test patients, per round:")
    print(result.site_metrics("auroc").round(3).to_string())
    for server_round, sites in sorted(result.missing.items()):
        print(f"Round {server_round}: missing {', '.join(sites)}")
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        torch.save(result.state_dict, args.out / "model.pt")
        result.history.to_csv(args.out / "history.csv", index=False)
        print(f"Saved {args.out / 'model.pt'} and {args.out / 'history.csv'}")
    return 0
