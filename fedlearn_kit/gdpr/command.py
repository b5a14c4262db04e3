"""``fedlearn-kit dpia`` and ``fedlearn-kit answers``: the GDPR layer from a terminal.

Registered on the main command line by :func:`register_cli`; the logic is in
:mod:`.dpia`, :mod:`.facts` and :mod:`.template`. The full guide is docs/dpia.md.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from fedlearn_kit.gdpr.answers import answers_path
from fedlearn_kit.gdpr.cards import LANGUAGES, STEPS
from fedlearn_kit.gdpr.facts import (
    ExperimentFacts,
    default_facts,
    facts_path,
    load_facts,
    with_data_flows,
)
from fedlearn_kit.gdpr.template import (
    TEMPLATE_NAME,
    import_answers_template,
    write_answers_template,
)

GUIDE = "docs/dpia.md"


def _choose_facts(given: str | None) -> tuple[ExperimentFacts, str]:
    """The facts for the draft and a line saying where they came from."""
    if given:
        return ExperimentFacts.from_json(given), f"facts from {given}"
    saved = facts_path()
    if saved.exists():
        facts = load_facts(saved)
        sections = ", ".join(m.section for m in facts.measurements) or "no measurements"
        return facts, f"facts from {saved} ({sections})"
    return default_facts(), ("the course's default experiment (nothing measured: lessons 05 "
                             f"and 06 write {saved.name} with their measurements)")


def _cmd_dpia(args: argparse.Namespace) -> int:
    from fedlearn_kit.gdpr.dpia import dpia_draft, write_dpia

    answers = Path(args.answers) if args.answers else answers_path()
    if not answers.exists():
        raise ValueError(f"no answers file at {answers}: answer the cards in the lessons "
                         f"(kit.show_cards), or with `fedlearn-kit answers template`, or pass "
                         f"the file's path with --answers (see {GUIDE})")
    facts, origin = _choose_facts(args.facts)
    if args.flows and not facts.data_flows and facts.experiment:
        print("Reading what leaves each site from a one-round run on the local engine ...",
              file=sys.stderr)
        facts = with_data_flows(facts)
    draft = dpia_draft(answers, facts, lang=args.lang, title=args.title,
                       generated=date.today().isoformat())
    path = write_dpia(args.out, draft)
    print(f"Wrote {path}: {len(draft.cards) - len(draft.open_questions)} of "
          f"{len(draft.cards)} questions answered, {len(draft.dpo_questions)} for the DPO; "
          f"{origin}")
    return 0


def _cmd_answers_template(args: argparse.Namespace) -> int:
    path = write_answers_template(args.out, steps=args.step or None, lang=args.lang,
                                  answers_file=args.answers, overwrite=args.force)
    print(f"Wrote {path}. Fill in the answers in a text editor, then run: "
          f"fedlearn-kit answers import {path}")
    return 0


def _cmd_answers_import(args: argparse.Namespace) -> int:
    target, saved = import_answers_template(args.file, answers_file=args.answers)
    print(f"Saved {len(saved)} answer(s) from {args.file} to {target}")
    return 0


def register_cli(sub: argparse._SubParsersAction) -> None:
    """Add ``dpia`` and ``answers`` to the ``fedlearn-kit`` sub-commands."""
    epilog = f"The guide, with the facts and answers file formats: {GUIDE}"
    dpia = sub.add_parser(
        "dpia", help="write a DPIA draft from your answers to the cards", epilog=epilog,
        description="Write a DPIA draft (GDPR Art. 35(7), WP 248 Annex 2) from your answers "
                    "and the facts of your experiment. Teaching material, not legal advice.")
    dpia.add_argument("--answers", default=None, metavar="FILE",
                      help="answers file (default: $FEDLEARN_ANSWERS, else "
                           "./fedlearn-answers.json)")
    dpia.add_argument("--facts", default=None, metavar="FILE",
                      help="facts file (default: ./fedlearn-facts.json written by lessons 05 "
                           "and 06, else the course's default experiment)")
    dpia.add_argument("--no-flows", dest="flows", action="store_false",
                      help="do not run the experiment for one round to list the data flows")
    dpia.add_argument("--out", required=True, help="output file, .md or .html")
    dpia.add_argument("--lang", choices=LANGUAGES, default="en", help="language (default en)")
    dpia.add_argument("--title", default=None, help="title of the draft")
    dpia.set_defaults(handler=_cmd_dpia)

    answers = sub.add_parser(
        "answers", help="answer the cards in a text file (outside JupyterLab)", epilog=epilog,
        description="Answer the GDPR question cards without JupyterLab: write a template, "
                    "fill it in, import it into your answers file.")
    steps = answers.add_subparsers(dest="answers_command", required=True)
    template = steps.add_parser("template", help="write a Markdown template to fill in")
    template.add_argument("--out", default=TEMPLATE_NAME,
                          help=f"template file (default ./{TEMPLATE_NAME})")
    template.add_argument("--step", action="append", choices=list(STEPS), metavar="STEP",
                          help="only this lesson's cards (repeatable; default all)")
    template.add_argument("--lang", choices=LANGUAGES, default="en", help="language")
    template.add_argument("--answers", default=None, metavar="FILE",
                          help="answers file whose answers fill the template")
    template.add_argument("--force", action="store_true",
                          help="overwrite an existing template")
    template.set_defaults(handler=_cmd_answers_template)
    read = steps.add_parser("import", help="save the answers of a filled-in template")
    read.add_argument("file", help="the filled-in template")
    read.add_argument("--answers", default=None, metavar="FILE",
                      help="answers file to save to (default: $FEDLEARN_ANSWERS, else "
                           "./fedlearn-answers.json)")
    read.set_defaults(handler=_cmd_answers_import)
