"""``fedlearn-kit dpia``, ``takehome`` and ``answers``: the GDPR layer from a terminal.

The arguments are declared in :mod:`fedlearn_kit.cli` (all of the command line in one
place); these handlers run them. The logic is in
:mod:`.dpia`, :mod:`.facts` and :mod:`.template`. The full guide is docs/dpia.md.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from fedlearn_kit.gdpr.answers import answers_path
from fedlearn_kit.gdpr.facts import (
    ExperimentFacts,
    default_facts,
    facts_path,
    load_facts,
    with_data_flows,
)
from fedlearn_kit.gdpr.template import import_answers_template, write_answers_template
from fedlearn_kit.i18n import _, document_language, ngettext

GUIDE = "docs/dpia.md"


def _choose_facts(given: str | None) -> tuple[ExperimentFacts, str]:
    """The facts for the draft and a line saying where they came from."""
    if given:
        return ExperimentFacts.from_json(given), _("facts from {file}").format(file=given)
    saved = facts_path()
    if saved.exists():
        facts = load_facts(saved)
        sections = ", ".join(m.section for m in facts.measurements) or _("no measurements")
        return facts, _("facts from {file} ({sections})").format(file=saved, sections=sections)
    return default_facts(), _("the course's default experiment (nothing measured: lessons 05 "
                              "and 06 write {name} with their measurements)").format(
                                  name=saved.name)


def dpia_command(args: argparse.Namespace) -> int:
    """``fedlearn-kit dpia``: write the draft from the answers and the facts."""
    from fedlearn_kit.gdpr.dpia import dpia_draft, write_dpia

    answers = Path(args.answers) if args.answers else answers_path()
    if not answers.exists():
        raise ValueError(_("no answers file at {file}: answer the cards in the lessons "
                           "(kit.show_cards), or with `fedlearn-kit answers template`, or pass "
                           "the file's path with --answers (see {guide})").format(
                               file=answers, guide=GUIDE))
    facts, origin = _choose_facts(args.facts)
    if args.flows and not facts.data_flows and facts.experiment:
        print(_("Reading what leaves each site from a one-round run on the local engine ..."),
              file=sys.stderr)
        facts = with_data_flows(facts)
    draft = dpia_draft(answers, facts, lang=args.lang, title=args.title,
                       generated=date.today().isoformat())
    path = write_dpia(args.out, draft)
    total = len(draft.cards)
    print(ngettext("Wrote {path}: {answered} of {total} question answered, {dpo} for the DPO; "
                   "{origin}",
                   "Wrote {path}: {answered} of {total} questions answered, {dpo} for the DPO; "
                   "{origin}", total).format(
        path=path, answered=total - len(draft.open_questions), total=total,
        dpo=len(draft.dpo_questions), origin=origin))
    return 0


def takehome_command(args: argparse.Namespace) -> int:
    """``fedlearn-kit takehome``: write the six take-home drafts into a folder."""
    from fedlearn_kit.gdpr.takehome import FORMATS, takehome_pack, write_takehome

    answers = Path(args.answers) if args.answers else answers_path()
    if args.answers and not answers.exists():
        raise ValueError(f"no answers file at {answers} (see {GUIDE})")
    facts, origin = _choose_facts(args.facts)
    pack = takehome_pack(answers if answers.exists() else {}, facts, lang=args.lang,
                         generated=date.today().isoformat())
    paths = write_takehome(args.out, pack, args.formats or FORMATS)
    print(_("Wrote {n} files to {folder}: {documents}. Drafts to adapt with your region's "
            "lawyers; {origin}").format(n=len(paths), folder=args.out,
                                        documents=", ".join(d.file_stem for d in pack),
                                        origin=origin))
    return 0


def answers_template_command(args: argparse.Namespace) -> int:
    """``fedlearn-kit answers template``: a Markdown file of the cards to fill in, in the
    language of the answers given so far (else the course's)."""
    lang = document_language(args.lang, args.answers)
    path = write_answers_template(args.out, steps=args.step or None, lang=lang,
                                  answers_file=args.answers, overwrite=args.force)
    print(_("Wrote {path}. Fill in the answers in a text editor, then run: "
            "fedlearn-kit answers import {path}").format(path=path))
    return 0


def answers_import_command(args: argparse.Namespace) -> int:
    """``fedlearn-kit answers import FILE``: save a filled-in template's answers."""
    target, saved = import_answers_template(args.file, answers_file=args.answers)
    print(ngettext("Saved {n} answer from {file} to {target}",
                   "Saved {n} answers from {file} to {target}", len(saved)).format(
        n=len(saved), file=args.file, target=target))
    return 0
