"""``python -m tools.materials [--check]``: regenerate the workshop materials, or list (exit
1) what is out of date. Run from the course folder."""

from __future__ import annotations

import argparse
import sys

from tools import ROOT
from tools.materials import COMMAND, build


def main(argv: list[str] | None = None) -> int:
    """Build every material (the default), or with ``--check`` list the stale ones."""
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__)
    parser.add_argument("--check", action="store_true",
                        help="list out-of-date materials and exit 1 if any (writes nothing)")
    args = parser.parse_args(argv)
    if args.check:
        stale = build.stale()
        for name in stale:
            print(f"out of date: {name}")
        if stale:
            print(f"Run `{COMMAND}` to regenerate.")
        else:
            print("Every material is up to date.")
        return 1 if stale else 0
    try:
        written = build.build()
    except build.answer_key.UntranslatedNotesError as error:
        print(f"{error}\nThe materials are not all up to date: run this again once the "
              f"notes are translated.", file=sys.stderr)
        return 1
    for path in written:
        print(f"wrote {path.relative_to(ROOT)}")
    if not written:
        # Say so: a facilitator who sees nothing cannot tell that the command ran.
        print("Every material was already up to date; nothing written.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
