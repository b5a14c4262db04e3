"""What ``fedlearn-kit materials`` (or ``python -m fedlearn_kit.materials``) does.

Its arguments are declared in :mod:`fedlearn_kit.cli`, with every other subcommand's.

Actions: export (notebooks to offline HTML, e.g. pre-run copies for a table), clean-answers
(list, or with --delete remove, answers and facts files on a shared laptop). Building the
printed materials is a maintainer's job in a checkout (``python -m tools.materials``): the
former ``build`` and ``check`` actions say so and fail.
"""

from __future__ import annotations

import argparse
import sys

#: Where building the materials went (``tools/`` of a course checkout, not installed).
BUILD_COMMAND = "python -m tools.materials"


def run(args: argparse.Namespace) -> int:
    """Carry out a parsed materials command."""
    if args.action == "clean-answers":
        from fedlearn_kit.materials import cleanup
        return cleanup.main(args.folders, args.delete)
    if args.action == "export":
        from fedlearn_kit.i18n import folder_language
        from fedlearn_kit.materials.export import export_notebook_html
        args.out.mkdir(parents=True, exist_ok=True)
        for given in args.notebooks:
            for path in sorted(given.glob("*.ipynb")) if given.is_dir() else [given]:
                target = args.out / f"{path.stem}.html"
                # A notebook of notebooks/sv/ (solutions/sv/, ...) is exported as Swedish.
                lang = folder_language(path.resolve().parent) or "en"
                target.write_text(export_notebook_html(path, lang=lang), encoding="utf-8")
                print(f"wrote {target}")
        return 0
    flag = " --check" if args.action == "check" else ""
    print(f"Building the workshop materials moved out of the kit: run `{BUILD_COMMAND}{flag}` "
          "in the course folder.", file=sys.stderr)
    return 2
