"""The ``fedlearn-kit`` command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from fedlearn_kit.cohort import generate
from fedlearn_kit.federation.command import add_run_command
from fedlearn_kit.sites import MAX_SITES
from fedlearn_kit.storage import write_cohort
from fedlearn_kit.validation import CohortError, read_site_csv


def _cmd_data(args: argparse.Namespace) -> int:
    cohort = generate(args.sites, seed=args.seed, patients_per_site=args.patients_per_site)
    for path in write_cohort(cohort, args.out):
        print(path)
    sizes = ", ".join(f"{site}: {len(df)}" for site, df in cohort.items())
    print(f"Wrote {len(cohort)} site(s) ({sizes}) with seed {args.seed} to {args.out}")
    return 0


def _cmd_validate(args: argparse.Namespace) -> int:
    failed = 0
    for path in args.files:
        try:
            df = read_site_csv(path, synthetic_test_data=args.synthetic_test_data)
        except CohortError as err:
            print(f"INVALID {err}", file=sys.stderr)
            failed += 1
        else:
            print(f"OK      {path}: {len(df)} patients, site {df['site'].iloc[0]!r}")
    return 1 if failed else 0


def _cmd_dpia(args: argparse.Namespace) -> int:
    from fedlearn_kit.gdpr import dpia

    if not Path(args.answers).exists():
        raise ValueError(f"no answers file at {args.answers}: answer the cards in the lessons "
                         f"(kit.show_cards) or pass the file's path with --answers")
    draft = dpia.dpia_draft(args.answers, args.facts, lang=args.lang, title=args.title,
                            generated=date.today().isoformat())
    path = dpia.write_dpia(args.out, draft)
    print(f"Wrote {path}: {len(draft.cards) - len(draft.open_questions)} of "
          f"{len(draft.cards)} questions answered, {len(draft.dpo_questions)} for the DPO")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, with one sub-command per task."""
    parser = argparse.ArgumentParser(
        prog="fedlearn-kit",
        description="Synthetic patients, local, central and federated training, for learning.")
    sub = parser.add_subparsers(dest="command", required=True)
    add_run_command(sub)  # fedlearn-kit run --engine ... (lesson 04)

    data = sub.add_parser("data", help="generate the synthetic cohort: one CSV per site")
    data.add_argument("--sites", type=int, default=2, choices=range(1, MAX_SITES + 1),
                      metavar=f"1-{MAX_SITES}", help="number of sites (default 2)")
    data.add_argument("--patients-per-site", type=int, default=None, metavar="M",
                      help="patients at every site (default: each site's preset size)")
    data.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    data.add_argument("--out", default="data", help="output folder (default ./data)")
    data.set_defaults(handler=_cmd_data)

    validate = sub.add_parser("validate", help="check site files; exit 1 if any is invalid")
    validate.add_argument("files", nargs="+", help="site CSV files")
    validate.add_argument("--synthetic-test-data", action="store_true",
                          help="allow made-up numbers shaped like personnummer")
    validate.set_defaults(handler=_cmd_validate)

    dpia = sub.add_parser("dpia", help="write a DPIA draft from your answers to the cards")
    dpia.add_argument("--answers", default="fedlearn-answers.json",
                      help="answers file written by show_cards (default ./fedlearn-answers.json)")
    dpia.add_argument("--facts", default=None, metavar="FILE",
                      help="JSON file of experiment facts (schema: fedlearn_kit.gdpr.dpia)")
    dpia.add_argument("--out", required=True, help="output file, .md or .html")
    dpia.add_argument("--lang", choices=("en", "sv"), default="en", help="language (default en)")
    dpia.add_argument("--title", default=None, help="title of the draft")
    dpia.set_defaults(handler=_cmd_dpia)

    from fedlearn_kit.federation.deploy import register_cli as register_deploy

    register_deploy(sub)  # fedlearn-kit deploy up|status|down|link|node (lesson 07)

    from fedlearn_kit.materials.command import register_cli as register_materials

    register_materials(sub)  # fedlearn-kit materials build|check|export|clean-answers

    from fedlearn_kit import doctor

    doctor.add_arguments(sub.add_parser("doctor", help="is this laptop ready for the course?")
                         ).set_defaults(handler=doctor.run_from_args)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``fedlearn-kit`` command."""
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except (ValueError, OSError, RuntimeError) as err:  # RuntimeError: e.g. DeploymentError
        print(f"fedlearn-kit {args.command}: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
