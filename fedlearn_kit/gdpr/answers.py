"""The learner's answers to the cards, kept in a JSON file beside the notebooks (lesson 00).

Answers never go into a notebook: a notebook is shared and committed, answers are the
learner's own. The file survives kernel restarts, and every lesson's panel reads and writes
the same file, so lesson 08 can turn all of them into a DPIA draft.

Where the file is: the ``answers_file`` argument if given, else the environment variable
``FEDLEARN_ANSWERS`` (a facilitator can point a whole group at one place), else
``fedlearn-answers.json`` in the current working directory, which in JupyterLab is the
notebook's folder.

The format (version 1)::

    {
      "format": "fedlearn-kit answers",
      "version": 1,
      "language": "sv",                       # optional: the panel language last chosen
      "answers": {
        "federated.joint_controllers": {      # a card id from cards.yaml
          "step": "federated",
          "answer": "Both regions decide ...",
          "ask_dpo": true,                    # the "ask our DPO" flag
          "updated": "2026-11-23T10:31:02Z"
        }
      }
    }

Writes are atomic (a temporary file in the same folder, then a rename), and every write
reads the file again first, so two notebooks open at once do not erase each other's
answers. A file that cannot be read is reported and never overwritten.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fedlearn_kit.gdpr.files import atomic_write_text
from fedlearn_kit.i18n import _
from fedlearn_kit.paths import ANSWERS_ENV_VAR, ANSWERS_NAME, answers_path

FORMAT = "fedlearn-kit answers"
VERSION = 1
# Where the file is lives in fedlearn_kit.paths: the kit's language (fedlearn_kit.i18n) reads
# the file's "language" too, and must not import the GDPR layer.
DEFAULT_NAME = ANSWERS_NAME
ENV_VAR = ANSWERS_ENV_VAR


class AnswersFileError(ValueError):
    """The answers file exists but cannot be used; it has been left exactly as it was."""


@dataclass(frozen=True)
class Answer:
    """A learner's answer to one card, and whether to ask the DPO about it."""

    step: str
    answer: str = ""
    ask_dpo: bool = False
    updated: str | None = None

    @property
    def answered(self) -> bool:
        """True if the answer has any text."""
        return bool(self.answer.strip())

    def as_json(self) -> dict[str, Any]:
        """The answer as stored in the file."""
        return {"step": self.step, "answer": self.answer, "ask_dpo": self.ask_dpo,
                "updated": self.updated}


def _fail(path: Path, what: str) -> AnswersFileError:
    return AnswersFileError(_(
        "The answers file {path} cannot be used: {what}. It has not been changed. Fix it in a "
        "text editor, or rename it (for example to {name}.bak) to start a new one; "
        "show_cards(..., answers_file=...) and `fedlearn-kit dpia --answers` take another "
        "path.").format(path=path, what=what, name=path.name))


def parse_answers(data: Any, path: Path) -> dict[str, Answer]:
    """Check the parsed JSON of an answers file and return its answers by card id."""
    if not isinstance(data, Mapping):
        raise _fail(path, _("the top level is not a JSON object"))
    if data.get("format") != FORMAT:
        raise _fail(path, _("its \"format\" is {found!r}, expected {expected!r}").format(
            found=data.get("format"), expected=FORMAT))
    if data.get("version") != VERSION:
        raise _fail(path, _("version {found!r} is not supported (expected {expected}); a newer "
                            "fedlearn-kit may have written it").format(
                                found=data.get("version"), expected=VERSION))
    raw = data.get("answers")
    if not isinstance(raw, Mapping):
        raise _fail(path, _("\"answers\" is missing or not an object"))
    answers = {}
    for card_id, entry in raw.items():
        ok = (isinstance(entry, Mapping) and isinstance(entry.get("answer", ""), str)
              and isinstance(entry.get("ask_dpo", False), bool)
              and isinstance(entry.get("step", ""), str))
        if not ok:
            raise _fail(path, _("the entry for card {card!r} needs a text \"answer\", a "
                                "true/false \"ask_dpo\" and a text \"step\"").format(
                                    card=card_id))
        answers[card_id] = Answer(step=entry.get("step", card_id.split(".")[0]),
                                  answer=entry.get("answer", ""),
                                  ask_dpo=entry.get("ask_dpo", False),
                                  updated=entry.get("updated"))
    return answers


class AnswerStore:
    """Read and write one answers file (see the module docstring for the format)."""

    def __init__(self, answers_file: str | os.PathLike[str] | None = None) -> None:
        self.path = answers_path(answers_file)

    def _read(self) -> dict[str, Any] | None:
        if not self.path.exists():
            return None
        try:
            text = self.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            raise _fail(self.path, _("it cannot be read ({error})").format(error=err)) from err
        try:
            return json.loads(text)
        except json.JSONDecodeError as err:
            raise _fail(self.path, _("it is not valid JSON (line {line}, column {column}: "
                                     "{error})").format(line=err.lineno, column=err.colno,
                                                        error=err.msg)) from err

    def load(self) -> dict[str, Answer]:
        """All answers by card id; empty if the file does not exist yet."""
        data = self._read()
        return {} if data is None else parse_answers(data, self.path)

    def language(self) -> str | None:
        """The panel language the learner chose last, if any."""
        data = self._read()
        if data is None:
            return None
        parse_answers(data, self.path)
        return data.get("language") if data.get("language") in ("en", "sv") else None

    def _write(self, answers: Mapping[str, Answer], language: str | None) -> None:
        doc: dict[str, Any] = {"format": FORMAT, "version": VERSION}
        if language:
            doc["language"] = language
        doc["answers"] = {cid: a.as_json() for cid, a in sorted(answers.items())}
        atomic_write_text(self.path, json.dumps(doc, ensure_ascii=False, indent=2) + "\n")

    def _current(self) -> tuple[dict[str, Answer], str | None]:
        data = self._read()
        if data is None:
            return {}, None
        answers = parse_answers(data, self.path)
        language = data.get("language") if data.get("language") in ("en", "sv") else None
        return answers, language

    def save(self, card_id: str, step: str, answer: str, ask_dpo: bool,
             language: str | None = None) -> Answer:
        """Store one card's answer (re-reading the file first); an empty entry is removed.

        ``language``, the language the answer was written in, is recorded when the file has
        none yet, so drafts written from the file are in it (:func:`fedlearn_kit.i18n.
        document_language`)."""
        answers, recorded = self._current()
        language = recorded or language
        entry = Answer(step=step, answer=answer, ask_dpo=bool(ask_dpo),
                       updated=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
        if entry.answered or entry.ask_dpo:
            answers[card_id] = entry
        else:
            answers.pop(card_id, None)
        self._write(answers, language)
        return entry

    def save_language(self, language: str) -> None:
        """Remember the panel language for the next panel."""
        answers, _previous = self._current()
        self._write(answers, language)

    def replace(self, answers: Mapping[str, Answer], language: str | None = None) -> Path:
        """Write exactly these answers (e.g. lesson 08's example file); returns the path."""
        if self.path.exists():
            self.load()  # refuse to overwrite a file we cannot read: it may be someone's work
        self._write(answers, language)
        return self.path


def load_answers(answers_file: str | os.PathLike[str] | None = None) -> dict[str, Answer]:
    """The learner's answers by card id (empty if there is no answers file yet)."""
    return AnswerStore(answers_file).load()
