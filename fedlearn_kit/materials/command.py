"""The materials command line: ``python -m fedlearn_kit.materials`` or ``fedlearn-kit materials``.

Actions: build (the default: regenerate everything), check (exit 1 if anything is out of
date), export (notebooks to offline HTML, e.g. pre-run copies for a table), clean-answers
(list, or with --delete remove, answers and facts files on a shared laptop).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from fedlearn_kit.paths import ROOT


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The materials command line (shared by ``python -m`` and ``fedlearn-kit materials``)."""
    sub = parser.add_subparsers(dest="action")
    sub.add_parser("build", help="write every material under docs/ (the default)")
    sub.add_parser("check", help="list out-of-date materials; exit 1 if any")
    export = sub.add_parser("export", help="stored or pre-run notebooks to offline HTML")
    export.add_argument("notebooks", nargs="+", type=Path, help="notebooks or folders")
    export.add_argument("--out", type=Path, required=True, help="folder for the HTML files")
    clean = sub.add_parser("clean-answers",
                           help="list (or delete) answers and facts files on a shared laptop")
    clean.add_argument("folders", nargs="*", type=Path,
                       help="folders to search (default: the kit folder)")
    clean.add_argument("--delete", action="store_true", help="delete them, not only list them")


def run(args: argparse.Namespace) -> int:
    """Carry out a parsed materials command."""
    if args.action == "clean-answers":
        from fedlearn_kit.materials import cleanup
        return cleanup.main(args.folders, args.delete)
    if args.action == "export":
        from fedlearn_kit.materials.lessons import export_notebook_html
        args.out.mkdir(parents=True, exist_ok=True)
        for given in args.notebooks:
            for path in sorted(given.glob("*.ipynb")) if given.is_dir() else [given]:
                target = args.out / f"{path.stem}.html"
                target.write_text(export_notebook_html(path), encoding="utf-8")
                print(f"wrote {target}")
        return 0
    from fedlearn_kit.materials import build
    if args.action == "check":
        stale = build.stale()
        for name in stale:
            print(f"out of date: {name}")
        if stale:
            print("Run `python -m fedlearn_kit.materials` to regenerate.")
        return 1 if stale else 0
    for path in build.build():
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


def register_cli(sub: argparse._SubParsersAction) -> None:
    """Add ``fedlearn-kit materials ...`` to the kit's command line."""
    parser = sub.add_parser("materials", help="workshop materials: build, check, export, "
                                              "clean-answers")
    add_arguments(parser)
    parser.set_defaults(handler=run)


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m fedlearn_kit.materials``."""
    parser = argparse.ArgumentParser(prog="python -m fedlearn_kit.materials",
                                     description=__doc__)
    add_arguments(parser)
    return run(parser.parse_args(argv))


