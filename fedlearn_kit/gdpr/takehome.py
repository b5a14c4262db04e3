"""The take-home pack of lesson 08: six drafts a project group takes back to its region.

From the learner's answers to the cards and the facts of their experiment:

- ``arrangement``: the arrangement between joint controllers (GDPR Art. 26);
- ``processor``: processor clauses for the federation's coordinator (GDPR Art. 28);
- ``secrecy_memo``: the secrecy assessment memo (menprövning, OSL 25 kap. 1 §, 8 kap. 1 §,
  the secrecy-breaking provisions);
- ``decision``: the decision paper for the board (beslutsunderlag, kommunallagen 6 kap.);
- ``patient_information``: patient information (GDPR Arts. 13–14, patientlagen 3 kap.);
- ``contacts``: who to contact in the region, with the questions left open.

Each says it is a draft to adapt with the region's own lawyers, lists the law it cites and
its sources, and has fill-in fields where the region's facts go. The text lives in
``takehome_content.yaml``; the measured facts and the risk register come from
:class:`~fedlearn_kit.gdpr.dpia_model.DpiaModel`, so a take-home document never says more
than the DPIA draft. ``fedlearn-kit takehome --out DIR`` writes them as Word, Markdown and
HTML; see docs/dpia.md.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from fedlearn_kit.gdpr.answers import Answer, AnswerStore
from fedlearn_kit.gdpr.cards import (
    LANGUAGES,
    card_by_id,
    is_law_reference,
    load_cards,
    load_sources,
)
from fedlearn_kit.gdpr.dpia import DpiaDraft, dpia_draft
from fedlearn_kit.gdpr.dpia_text import LAW_AS_OF, T
from fedlearn_kit.gdpr.facts import ExperimentFacts
from fedlearn_kit.gdpr.lawref import law_in
from fedlearn_kit.gdpr.panel import check_lang
from fedlearn_kit.gdpr.render import Block, to_html, to_markdown, write_document
from fedlearn_kit.i18n import _, language

__all__ = ["DOCUMENTS", "FORMATS", "TakeHome", "content_problems", "load_content",
           "takehome_pack", "write_takehome"]

#: The document ids, in the order of the pack.
DOCUMENTS = ("arrangement", "processor", "secrecy_memo", "decision", "patient_information",
             "contacts")
#: The file formats the pack is written in.
FORMATS = ("docx", "md", "html")
_GENERATED = ("measured", "screening", "high_risks", "blocking")


def read_content() -> dict[str, Any]:
    """The parsed ``takehome_content.yaml`` shipped with the package."""
    text = (resources.files("fedlearn_kit.gdpr").joinpath("takehome_content.yaml")
            .read_text("utf-8"))
    return yaml.safe_load(text)


def _bilingual(where: str, value: Any, kind: type = str) -> list[str]:
    if not (isinstance(value, Mapping) and set(value) == set(LANGUAGES)):
        return [f"{where}: must have an en and an sv entry"]
    if not all(isinstance(v, kind) and v for v in value.values()):
        return [f"{where}: each language must be a non-empty {kind.__name__}"]
    if kind is list and len(value["en"]) != len(value["sv"]):
        return [f"{where}: en has {len(value['en'])} entries, sv {len(value['sv'])}"]
    return []


def content_problems(data: Mapping[str, Any]) -> list[str]:
    """Every problem with the take-home content: languages, law references, sources, cards."""
    problems: list[str] = []
    for key in ("disclaimer", "control", "control_rows", "control_head", "your_answer",
                "not_answered", "law", "sources", "generated", "index_title"):
        value = data.get("common", {}).get(key)
        problems += _bilingual(f"common.{key}", value,
                               list if key == "control_rows" else str)
    documents = data.get("documents", [])
    ids = [d.get("id") for d in documents]
    if tuple(ids) != DOCUMENTS:
        problems.append(f"documents: ids must be {DOCUMENTS}, in that order; found {ids}")
    sources = load_sources()
    cards = {c.id for c in load_cards()}
    for doc in documents:
        did = doc.get("id", "?")
        for key in ("file", "title", "intro"):
            problems += _bilingual(f"{did}.{key}", doc.get(key))
        problems += [f"{did}.law: {ref!r} is not a law reference" for ref in doc.get("law", [])
                     if not is_law_reference(ref)]
        if not doc.get("law"):
            problems.append(f"{did}: cites no law")
        problems += [f"{did}.sources: unknown source {key!r}" for key in doc.get("sources", [])
                     if key not in sources]
        for i, section in enumerate(doc.get("sections", [])):
            where = f"{did}.sections[{i}]"
            problems += _bilingual(f"{where}.heading", section.get("heading"))
            if "text" in section:
                problems += _bilingual(f"{where}.text", section["text"], list)
            if "items" in section:
                problems += _bilingual(f"{where}.items", section["items"], list)
            if "table" in section:
                table = section["table"]
                shape = (_bilingual(f"{where}.table.head", table.get("head"))
                         + _bilingual(f"{where}.table.rows", table.get("rows"), list))
                problems += shape
                if not shape:
                    width = len(table["head"]["en"].split("|"))
                    problems += [f"{where}.table: a row of {len(row)} cells under {width} "
                                 f"columns" for lang in LANGUAGES
                                 for row in table["rows"][lang] if len(row) != width]
                    if table["rows"]["en"] and len(table["rows"]["en"][0]) == 4:
                        problems += [f"{where}.table: unknown card {row[2]!r}"
                                     for row in table["rows"]["en"] if row[2] not in cards]
            problems += [f"{where}.answers: unknown card {c!r}"
                         for c in section.get("answers", []) if c not in cards]
            if section.get("generated") not in (None, *_GENERATED):
                problems.append(f"{where}.generated: must be one of {_GENERATED}")
    return problems


@cache
def load_content() -> dict[str, Any]:
    """The take-home content, checked; raises ValueError listing every problem."""
    data = read_content()
    problems = content_problems(data)
    if problems:
        raise ValueError("fedlearn_kit/gdpr/takehome_content.yaml has problems:\n  "
                         + "\n  ".join(problems))
    return data


@dataclass
class TakeHome:
    """One take-home document in one language, built on a DPIA draft (its answers, facts,
    model and fill-in text)."""

    id: str
    draft: DpiaDraft
    generated: str | None = None

    def __post_init__(self) -> None:
        content = load_content()
        self.doc = next(d for d in content["documents"] if d["id"] == self.id)
        self.common = content["common"]
        self.lang = self.draft.lang
        self.fill = T[self.lang]["fill"]

    @property
    def title(self) -> str:
        """The document's title in its language."""
        return self.doc["title"][self.lang]

    @property
    def file_stem(self) -> str:
        """The file name without its ending, in the document's language."""
        return self.doc["file"][self.lang]

    def _text(self, value: str) -> str:
        return value.replace("{fill}", self.fill)

    def _common(self, key: str) -> Any:
        return self.common[key][self.lang]

    def _answers(self, card_ids: Sequence[str]) -> list[Block]:
        out: list[Block] = []
        for card_id in card_ids:
            card = card_by_id(card_id)
            if card is None:  # content_problems refuses unknown cards
                continue
            head = self._common("your_answer").format(
                question=card.text("question", self.lang), card=card_id)
            answer = self.draft.answers.get(card_id)
            if answer is not None and answer.answered:
                body = self.draft.answer_text(answer)
            else:
                body = self._text(self._common("not_answered"))
            out += [("p", head), ("quote", body)]
        return out

    def _generated(self, kind: str) -> list[Block]:
        draft, t = self.draft, self.draft.t
        if kind == "measured":
            return [("ul", draft.measured_statements())]
        if kind == "screening":
            screening = draft.model.screening()
            met = sum(ok for ok, _why in screening)
            return [("ul", [text for ok, text in screening if ok]),
                    ("p", t["screening_conclusion"].format(met=met))]
        if kind == "high_risks":
            measures = {m.id: m.text for m in draft.model.measures()}
            rows = [[r.risk, draft.model.level_name(r.level),
                     "; ".join(measures[m] for m in r.measures if m in measures),
                     draft.model.level_name(r.residual_level)]
                    for r in draft.risk_register() if r.level in ("high", "very_high")]
            head = t["residual_table_head"].split("|")
            header = [head[1], head[2], t["measures_head"].split("|")[0], head[3]]
            return [("table", header, rows)] if rows else [("p", t["none"])]
        # blocking: the decisions still open, with their owner
        items = [f"{c.text('question', self.lang)} — {t['owner']}: {owner} · {c.id}"
                 for c, owner in draft.blocking_questions]
        return [("ol", items)] if items else [("p", t["none"])]

    def _section(self, section: Mapping[str, Any]) -> list[Block]:
        lang = self.lang
        out: list[Block] = [("h", 2, section["heading"][lang])]
        out += [("p", self._text(p)) for p in section.get("text", {}).get(lang, [])]
        if "items" in section:
            out.append(("ul", [self._text(i) for i in section["items"][lang]]))
        if "table" in section:
            table = section["table"]
            out.append(("table", table["head"][lang].split("|"),
                        [[self._text(c) for c in row] for row in table["rows"][lang]]))
        if section.get("generated"):
            out += self._generated(section["generated"])
        out += self._answers(section.get("answers", []))
        return out

    def blocks(self) -> list[Block]:
        """The whole document as blocks (see :mod:`fedlearn_kit.gdpr.render`)."""
        lang = self.lang
        doc: list[Block] = [("h", 1, self.title),
                            ("quote", self._common("disclaimer").format(date=LAW_AS_OF))]
        if self.generated:
            doc.append(("p", self._common("generated").format(date=self.generated)))
        doc += [("p", self.doc["intro"][lang]), ("h", 2, self._common("control")),
                ("table", self._common("control_head").split("|"),
                 [[row, self.fill] for row in self._common("control_rows")])]
        for section in self.doc["sections"]:
            doc += self._section(section)
        sources = load_sources()
        doc += [("h", 2, self._common("law")),
                ("ul", [law_in(ref, lang) for ref in self.doc["law"]]),
                ("h", 2, self._common("sources")),
                ("ul", [sources[key].cite(lang) for key in self.doc["sources"]])]
        return doc

    def markdown(self) -> str:
        """The document as Markdown."""
        return to_markdown(self.blocks())

    def html(self) -> str:
        """The document as a self-contained HTML page."""
        return to_html(self.blocks(), self.title, self.lang)

    def docx(self) -> bytes:
        """The document as a Word file with headings, tables and fill-in fields."""
        from fedlearn_kit.gdpr.docx_render import to_docx

        return to_docx(self.blocks(), self.title, self.lang, fill=self.fill)


def takehome_pack(answers: Mapping[str, Answer] | str | os.PathLike[str] | None = None,
                  facts: ExperimentFacts | Mapping[str, Any] | str | os.PathLike[str] | None
                  = None, lang: str | None = None, generated: str | None = None,
                  answers_language: str | None = None) -> list[TakeHome]:
    """The six take-home documents in ``lang`` from answers (a dict or an answers file) and
    facts (as :func:`~fedlearn_kit.gdpr.dpia_draft` takes them); ``lang`` is by default the
    answers' language, else the course's."""
    if answers is None or isinstance(answers, str | os.PathLike):
        store = AnswerStore(answers)
        answers, answers_language = store.load(), answers_language or store.language()
    lang = lang or answers_language or language()
    check_lang(lang)
    draft = dpia_draft(answers, facts, lang=lang, answers_language=answers_language)
    return [TakeHome(doc_id, draft, generated) for doc_id in DOCUMENTS]


def write_takehome(out_dir: str | os.PathLike[str], pack: Sequence[TakeHome],
                   formats: Sequence[str] = FORMATS) -> list[Path]:
    """Write each document of ``pack`` in each of ``formats`` into ``out_dir``."""
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise ValueError(f"--format {unknown}: choose from {FORMATS}")
    folder = Path(out_dir)
    return [write_document(folder / f"{doc.file_stem}.{fmt}", doc.markdown, doc.html,
                           doc.docx)
            for doc in pack for fmt in formats]


def takehome_summary(folder: str | os.PathLike[str], pack: Sequence[TakeHome],
                     paths: Sequence[Path]) -> str:
    """What :func:`write_takehome` wrote, in one sentence in the pack's language (lesson 08)."""
    lang = pack[0].lang if pack else language()
    return _("{n} files in {folder}: {documents}.", lang).format(
        n=len(paths), folder=folder, documents=", ".join(d.file_stem for d in pack))
