"""What ``fedlearn-kit materials`` (or ``python -m fedlearn_kit.materials``) does.

Its arguments are declared in :mod:`fedlearn_kit.cli`, with every other subcommand's.

Actions: build (the default: regenerate everything), check (exit 1 if anything is out of
date), export (notebooks to offline HTML, e.g. pre-run copies for a table), clean-answers
(list, or with --delete remove, answers and facts files on a shared laptop).
"""

from __future__ import annotations

import argparse

from fedlearn_kit.paths import ROOT


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
