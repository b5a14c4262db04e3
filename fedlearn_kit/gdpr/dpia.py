"""A DPIA draft from the learner's answers and the facts of their experiment (lesson 08).

The draft covers GDPR Art. 35(7) with every element of WP 248 rev.01 Annex 2 (IMY's
"Kriterier för en godtagbar konsekvensbedömning"), in this order:

0. page one: document control and the screening decision (why a DPIA is required);
1. a systematic description: nature, scope, context and purposes; the experiment; data
   subjects (patients and staff); data categories (read from the data card); processing by
   phase (training and use are separate processing, EDPB Opinion 28/2024); how data move;
   what leaves each site (read from the federation's message log); recipients; assets;
   retention; codes of conduct (Art. 35(8)) (a);
2. necessity and proportionality, lawfulness and the data subjects' rights (b);
3. the risks: what the experiment measured, risk sources, a likelihood × severity scale,
   and a risk register with sources and event type per risk (c);
4. the measures, with owner, deadline and the risks each lowers, and the residual risk per
   risk (d);

then the DPO's advice (Art. 35(2)), the data subjects' views (Art. 35(9)), residual risk and
prior consultation (Art. 36), approval, review and the joint controllers' allocation
(Art. 35(11), Art. 26), the secrecy assessment and information classification, the AI Act /
MDR / EHDS checkpoints, and the open questions with the blocking decisions first.

What the draft says is built by :class:`~fedlearn_kit.gdpr.dpia_model.DpiaModel` (risks and
statements) from ``dpia_content.yaml`` (the fixed tables) and :mod:`.dpia_text` (the fixed
sentences); this module lays it out as blocks, rendered as Markdown, HTML or Word
(:mod:`.docx_render`). The draft computes no privacy bound itself: it states the facts the
lessons recorded (:mod:`fedlearn_kit.gdpr.facts`).

``fedlearn-kit dpia --out dpia.md`` (or ``.html``, ``.docx``) writes it from the command line;
see docs/dpia.md.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fedlearn_kit.gdpr.answers import Answer, AnswerStore
from fedlearn_kit.gdpr.cards import (
    DPIA_PARTS,
    ROLES,
    STEPS,
    Card,
    card_by_id,
    load_cards,
    load_sources,
    step_title,
)
from fedlearn_kit.gdpr.checkpoints import checkpoints
from fedlearn_kit.gdpr.dpia_examples import example_answers
from fedlearn_kit.gdpr.dpia_model import DpiaModel, RiskRow, load_content, rows
from fedlearn_kit.gdpr.dpia_text import (
    CHECKPOINTS_SV,
    DATA_DEFAULT,
    DPIA_SOURCE_KEYS,
    ENGINE_NAMES,
    LAW_AS_OF,
    METRIC_NAMES,
    MODEL_NAMES,
    REPLY_KINDS,
    SHORT_STRATEGY,
    SITE_DESCRIPTIONS_SV,
    STRATEGY_NAMES,
    T,
)
from fedlearn_kit.gdpr.facts import (
    DEFAULT_DATA,
    ExperimentFacts,
    SiteFacts,
    facts_from_experiment,
)
from fedlearn_kit.gdpr.lawref import law_in, laws_in
from fedlearn_kit.gdpr.panel import check_lang
from fedlearn_kit.gdpr.render import Block, to_html, to_markdown, write_document
from fedlearn_kit.gdpr.terms import looks_english, looks_swedish
from fedlearn_kit.i18n import _, language, ngettext

__all__ = ["REQUIRED_SECTIONS", "REQUIRED_SUBSECTIONS", "DpiaDraft", "ExperimentFacts",
           "RiskRow", "SiteFacts", "data_categories", "dpia_draft", "example_answers",
           "facts_from_experiment", "law_in", "missing_sections", "write_dpia"]

#: The sections every draft has, in order (keys of the text tables in dpia_text).
REQUIRED_SECTIONS = ("screening", "description", "necessity", "risks", "measures",
                     "dpo_advice", "views", "residual", "approval", "secrecy", "checkpoints",
                     "open")
#: The sub-sections WP 248 Annex 2 and the reviews asked for by name; each must be present.
REQUIRED_SUBSECTIONS = ("history", "scope", "experiment", "subjects", "categories", "phases",
                        "processing_flows", "flows", "recipients", "assets", "retention",
                        "codes", "proportionality", "lawfulness", "rights", "measured",
                        "risk_sources", "scale", "register", "measures_table",
                        "residual_table", "dpo_overall", "dpo_flagged", "decision", "art36",
                        "allocation", "secrecy_table", "classification", "blocking",
                        "other_open", "sources")
#: The cards whose answers the phase table quotes.
PHASE_CARDS = ("local_models.purpose", "local_models.use_purpose")


def data_categories(lang: str = "en") -> list[tuple[str, tuple[str, ...]]]:
    """The data card's columns grouped into categories of personal data, in ``lang``.

    Raises ValueError if a column of :mod:`fedlearn_kit.schema` has no category, so a new
    variable cannot enter the course without entering the DPIA.
    """
    from fedlearn_kit.schema import COLUMNS

    content = load_content()["data_categories"]
    listed = {c for entry in content for c in entry["columns"]}
    names = [c.name for c in COLUMNS]
    missing = [n for n in names if n not in listed]
    unknown = sorted(listed - set(names))
    if missing or unknown:
        raise ValueError(f"dpia_content.yaml data_categories: columns without a category "
                         f"{missing}, categories naming unknown columns {unknown}")
    return [(entry[lang], tuple(entry["columns"])) for entry in content]


#: The risk levels lesson 08 names as high.
HIGH_LEVELS = ("high", "very_high")


@dataclass
class DpiaDraft:
    """A DPIA draft: the answers arranged after GDPR Art. 35(7) and WP 248 Annex 2, with the
    facts. ``answers_language`` is the language the answers were written in, if known
    (an answers file records the panel language); answers in the other language are marked."""

    answers: dict[str, Answer]
    facts: ExperimentFacts
    lang: str = "en"
    title: str | None = None
    generated: str | None = None
    answers_language: str | None = None
    model: DpiaModel = field(init=False, repr=False)

    def __post_init__(self) -> None:
        check_lang(self.lang)
        self.cards: tuple[Card, ...] = load_cards()
        self.t = T[self.lang]
        self.model = DpiaModel(self.facts, self.lang)

    # -- what is answered -------------------------------------------------------------
    def _answer(self, card: Card) -> Answer | None:
        answer = self.answers.get(card.id)
        return answer if answer is not None and answer.answered else None

    @property
    def open_questions(self) -> list[Card]:
        """Cards without an answer, in course order."""
        return [c for c in self.cards if self._answer(c) is None]

    @property
    def blocking_questions(self) -> list[tuple[Card, str]]:
        """The open decisions that block the rest, in the order to settle them, each with the
        role that owns it (words in the draft's language)."""
        out = []
        for card_id, owner in self.model.content["blocking"]:
            card = card_by_id(card_id)
            if card is not None and self._answer(card) is None:
                out.append((card, ROLES[owner][0 if self.lang == "en" else 1]))
        return out

    @property
    def dpo_questions(self) -> list[Card]:
        """Cards the learner flagged "ask our DPO"."""
        return [c for c in self.cards if c.id in self.answers and self.answers[c.id].ask_dpo]

    @property
    def orphan_answers(self) -> dict[str, Answer]:
        """Answers whose card is no longer in the course: kept, never dropped."""
        ids = {c.id for c in self.cards}
        return {k: a for k, a in self.answers.items() if k not in ids and a.answered}

    @property
    def law_as_of(self) -> str:
        """The oldest "law as of" date of the draft's own text and of every card."""
        from fedlearn_kit.gdpr.checkpoints import LAW_AS_OF as CHECKPOINTS_AS_OF

        dates = [LAW_AS_OF, CHECKPOINTS_AS_OF,
                 *(str(d) for c in self.cards if (d := getattr(c, "law_as_of", None)))]
        return min(dates)

    def phrase(self, key: str) -> str:
        """One fixed sentence of the draft in its language (e.g. "no_attack", "two_sites"),
        for checking what a draft says without depending on its language."""
        return self.t[key]

    # -- what lesson 08 prints about the draft, in the draft's language -------------------
    def progress(self) -> str:
        """How far the draft is: cards answered, flagged for the DPO, required sections
        missing (one sentence)."""
        total = len(self.cards)
        missing = [self.t[key] for key in missing_sections(self.markdown(), self.lang)]
        return ngettext("{answered} of {total} card answered, {dpo} flagged for the DPO; "
                        "required sections missing: {missing}.",
                        "{answered} of {total} cards answered, {dpo} flagged for the DPO; "
                        "required sections missing: {missing}.", total, self.lang).format(
            answered=total - len(self.open_questions), total=total,
            dpo=len(self.dpo_questions), missing="; ".join(missing) or _("none", self.lang))

    def register_summary(self) -> str:
        """The risk register in one sentence: how many risks and measures, and which risks
        (by their number in the register) the kit proposes as high before and after the
        measures."""
        register, numbers = self.risk_register(), self._risk_numbers()
        high = [numbers[r.id] for r in register if r.level in HIGH_LEVELS]
        after = [numbers[r.id] for r in register if r.residual_level in HIGH_LEVELS]
        return _("{risks} risks and {measures} measures. High before the measures: {high}. "
                 "Proposed as high after them: {after}.", self.lang).format(
            risks=len(register), measures=len(self.model.measures()),
            high=", ".join(high) or _("none", self.lang),
            after=", ".join(after) or _("none", self.lang))

    def blocking_summary(self) -> str:
        """The open decisions that block the rest, one line each with the role that owns it,
        then how many other open questions part 11 lists."""
        lines = [f"- [{owner}] {card.text('question', self.lang)}"
                 for card, owner in self.blocking_questions]
        rest = len(self.open_questions) - len(self.blocking_questions)
        lines.append(ngettext("... and {n} more open question in the draft's part "
                              "\"{part}\", with the role that should answer it.",
                              "... and {n} more open questions in the draft's part "
                              "\"{part}\", each with the role that should answer it.",
                              rest, self.lang).format(n=rest, part=self.t["open"]))
        return "\n".join(lines)

    def written_summary(self, paths: Sequence[str | os.PathLike[str]]) -> str:
        """Which files this draft was written to, and how far it is (:meth:`progress`)."""
        return _("Your draft: {files}. {progress}", self.lang).format(
            files=", ".join(str(p) for p in paths), progress=self.progress())

    # -- the model's statements, kept on the draft for lesson 08 --------------------------
    def attack_statement(self, m: Any) -> str:
        """One attack result with what it can and cannot show (see DpiaModel)."""
        return self.model.attack_statement(m)

    def dp_statement(self, m: Any) -> str:
        """One privacy budget with its level, neighbours, bound, coverage and seed."""
        return self.model.dp_statement(m)

    def measured_statements(self) -> list[str]:
        """What the facts show about leakage, in the draft's language."""
        return self.model.measured_statements()

    def risk_register(self) -> list[RiskRow]:
        """The risks the processing raises, with the kit's proposals from the facts."""
        return self.model.risk_register()

    # -- small pieces ---------------------------------------------------------------------
    def answer_text(self, answer: Answer) -> str:
        """An answer as written, marked when it is in the other language than the draft."""
        text = answer.answer.strip()
        if self.answers_language is not None:
            other = self.answers_language != self.lang
        else:
            other = looks_english(text) if self.lang == "sv" else looks_swedish(text)
        return f"{text} {self.t['answer_other_lang']}" if other else text

    def _card_ref(self, card_id: str) -> str:
        card = card_by_id(card_id)
        return card_id if card is None else f"{card.text('question', self.lang)} ({card_id})"

    def _yes(self, value: bool) -> str:
        return self.t["yes"] if value else self.t["no"]

    def _table(self, head_key: str, body: Sequence[Sequence[str]]) -> Block:
        return ("table", self.t[head_key].split("|"), [list(r) for r in body])

    def _fill_table(self, head_key: str, first_column: Sequence[str] | None = None,
                    empty_rows: int = 2) -> Block:
        fill = self.t["fill"]
        header = self.t[head_key].split("|")
        if first_column is None:
            body = [[fill] * len(header) for _row in range(empty_rows)]
        else:
            body = [[row] + [fill] * (len(header) - 1) for row in first_column]
        return ("table", header, body)

    def _site_description(self, site: SiteFacts) -> str:
        if self.lang == "sv":
            return SITE_DESCRIPTIONS_SV.get(site.description, site.description)
        return site.description

    def _answered_blocks(self, part: str) -> list[Block]:
        t = self.t
        blocks: list[Block] = []
        for card in self.cards:
            answer = self._answer(card)
            if card.dpia != part or answer is None:
                continue
            flag = f" ({t['dpo_flag']})" if answer.ask_dpo else ""
            blocks += [("h", 4, card.text("question", self.lang) + flag),
                       ("p", self.answer_text(answer)),
                       ("p", f"{t['law']}: {laws_in(card.law, self.lang)} · {card.id}")]
        return [("h", 3, t["answers"]), *(blocks or [("p", t["no_answers"])])]

    # -- page one -------------------------------------------------------------------------
    def _front(self) -> list[Block]:
        t = self.t
        answered = sum(self._answer(c) is not None for c in self.cards)
        status = t["status"].format(answered=answered, total=len(self.cards),
                                    flagged=len(self.dpo_questions),
                                    open=len(self.open_questions),
                                    blocking=len(self.blocking_questions))
        doc: list[Block] = [("h", 1, self.title or t["title"]),
                            ("quote", t["disclaimer"].format(date=self.law_as_of)),
                            ("p", status)]
        if self.generated:
            doc.append(("p", t["generated"].format(date=self.generated)))
        labels = t["control_rows"].split("|")
        control = [[label, t["draft"] if i == len(labels) - 1 else t["fill"]]
                   for i, label in enumerate(labels)]
        doc += [("h", 2, t["control"]), ("table", [t["fact"], t["value"]], control),
                ("h", 3, t["history"]), self._fill_table("history_head", empty_rows=2)]
        screening = self.model.screening()
        met = sum(ok for ok, _why in screening)
        doc += [("h", 2, t["screening"]), ("p", t["screening_intro"]),
                self._table("screening_head", [[text, self._yes(ok)] for ok, text in screening]),
                ("p", t["screening_conclusion"].format(met=met))]
        return doc

    # -- 1. description -------------------------------------------------------------------
    def _facts_table(self) -> Block:
        t, f, lang = self.t, self.facts, self.lang
        sites = "; ".join(f"{s.name}" + (f" ({s.patients})" if s.patients is not None else "")
                          + (f": {self._site_description(s)}" if s.description else "")
                          for s in f.sites)
        data = DATA_DEFAULT[lang] if f.data == DEFAULT_DATA else f.data
        body = [[t["f_data"], data], [t["f_sites"], sites or t["not_given"]],
                [t["f_model"], self.model.model_name(f.model)]]
        engine = f.measured_engine
        if f.strategy or engine:
            body.append([t["f_training"], t["training"].format(
                strategy=STRATEGY_NAMES[lang].get(f.strategy or "", f.strategy
                                                  or t["not_given"]),
                engine=ENGINE_NAMES[lang].get(engine or "", engine or t["not_given"]),
                rounds=f.num_rounds if f.num_rounds is not None else "?",
                epochs=f.local_epochs if f.local_epochs is not None else "?")])
        if f.seed is not None:
            body.append([t["f_seed"], str(f.seed)])
        if f.fingerprint:
            body.append([t["f_experiment"], f.fingerprint])
        if f.auroc is not None:
            body.append([t["f_auroc"], self.model.n(f.auroc)])
        if f.notes:
            notes = " ".join(n.strip() for n in f.notes)
            if lang == "sv" and looks_english(notes):
                notes += " " + t["text_other_lang"]
            body.append([t["f_notes"], notes])
        return ("table", [t["fact"], t["value"]], body)

    def _phases(self) -> list[Block]:
        t = self.t
        train, use = t["phase_rows"].split("|")
        body = [[train, t["phase_purpose_train"], t["phase_gdpr"], t["phase_train_basis"]],
                [use, t["phase_purpose_use"], t["phase_gdpr"], t["phase_use_basis"]]]
        doc: list[Block] = [("h", 3, t["phases"]), ("p", t["phases_intro"]),
                            self._table("phase_head", body)]
        for card_id in PHASE_CARDS:
            card = card_by_id(card_id)
            answer = self.answers.get(card_id)
            if card is not None and answer is not None and answer.answered:
                doc.append(("p", t["phase_answer"].format(
                    what=card.text("question", self.lang), answer=self.answer_text(answer))))
        return doc

    def _flows(self) -> list[Block]:
        t, lang, f = self.t, self.lang, self.facts
        blocks: list[Block] = [("h", 3, t["flows"])]
        if not f.data_flows:
            return [*blocks, ("p", t["flows_none"])]
        names = METRIC_NAMES[lang]
        body = [[flow.site, REPLY_KINDS[lang].get(flow.kind, flow.kind), str(flow.numbers),
                 ", ".join(names.get(m, m) for m in flow.metrics) or t["none"],
                 str(flow.errors)] for flow in f.data_flows]
        errors = sum(flow.errors for flow in f.data_flows)
        return [*blocks, ("p", t["flows_intro"].format(how=t["flows_how_measured"])),
                self._table("flows_head", body), ("p", t["flows_errors"].format(n=errors))]

    def _description(self) -> list[Block]:
        t, c, lang = self.t, self.model.content, self.lang
        scope = [line.split("|") for line in t["scope_rows"].split("\n")]
        categories = [[name, ", ".join(columns)] for name, columns in data_categories(lang)]
        retention = [[*line.split("|"), t["fill"], t["fill"]]
                     for line in t["retention_rows"].split("\n")]
        return [
            ("h", 3, t["scope"]), self._table("scope_head", scope),
            ("h", 3, t["experiment"]), self._facts_table(),
            ("h", 3, t["subjects"]), self._table("subjects_head", rows(c["data_subjects"], lang)),
            ("h", 3, t["categories"]), ("p", t["categories_intro"]),
            self._table("categories_head", categories),
            *self._phases(),
            ("h", 3, t["processing_flows"]),
            self._table("processing_flows_head", rows(c["processing_flows"], lang)),
            *self._flows(),
            ("h", 3, t["recipients"]), self._table("recipients_head", rows(c["recipients"], lang)),
            ("h", 3, t["assets"]), self._table("assets_head", rows(c["assets"], lang)),
            ("h", 3, t["retention"]), ("p", t["retention_intro"]),
            self._table("retention_head", retention),
            ("h", 3, t["codes"]), ("p", c["codes_of_conduct"][lang]),
        ]

    # -- 2. necessity ---------------------------------------------------------------------
    def _checklist(self) -> Block:
        t, lang = self.t, self.lang
        answered = {c.id for c in self.cards if self._answer(c) is not None}
        body = []
        for line in t["checklist"].split("\n"):
            question, refs = line.split("|")
            laws = [r.strip() for r in refs.split(";")]
            ids = sorted(c.id for c in self.cards if c.id in answered
                         and any(law in c.law for law in laws))
            where = (t["checklist_answered"].format(ids=", ".join(ids)) if ids
                     else t["checklist_open"])
            body.append([question, laws_in(laws, lang), where])
        return self._table("checklist_head", body)

    def _necessity(self) -> list[Block]:
        t, c, lang = self.t, self.model.content, self.lang
        proportionality = []
        for question, weigh, card_id in rows(c["proportionality"], lang):
            card = card_by_id(card_id)
            done = card is not None and self._answer(card) is not None
            proportionality.append([question, weigh, card_id, self._yes(done)])
        return [("h", 3, t["proportionality"]), ("p", t["proportionality_intro"]),
                self._table("proportionality_head", proportionality),
                ("h", 3, t["lawfulness"]), ("p", t["necessity_intro"]), self._checklist(),
                ("h", 3, t["rights"]), self._table("rights_head", rows(c["rights"], lang))]

    # -- 3. risks -------------------------------------------------------------------------
    def _risk_numbers(self) -> dict[str, str]:
        return {r.id: f"R{i}" for i, r in enumerate(self.risk_register(), 1)}

    def _measure_numbers(self) -> dict[str, str]:
        return {m.id: f"M{i}" if self.lang == "en" else f"Å{i}"
                for i, m in enumerate(self.model.measures(), 1)}

    def _level(self, likelihood: int, severity: int, level: str) -> str:
        return f"{self.model.level_name(level)} ({likelihood} × {severity})"

    def _risks(self) -> list[Block]:
        t, c, lang = self.t, self.model.content, self.lang
        scale = c["scale"]
        numbers, measures = self._risk_numbers(), self._measure_numbers()
        register = []
        for r in self.risk_register():
            likelihood = f"{r.likelihood}" + (f": {r.likelihood_reason}"
                                              if r.likelihood_reason else "")
            severity = f"{r.severity}" + (f": {r.severity_reason}" if r.severity_reason else "")
            register.append([numbers[r.id], r.risk, "; ".join(r.sources), r.event, likelihood,
                             severity, self._level(r.likelihood, r.severity, r.level),
                             ", ".join(measures[m] for m in r.measures if m in measures)])
        sources = [line.split("|") for line in t["risk_sources_rows"].split("\n")]
        return [("h", 3, t["measured"]), ("ul", self.measured_statements()),
                ("h", 3, t["risk_sources"]), self._table("risk_sources_head", sources),
                ("h", 3, t["scale"]), ("p", t["scale_intro"]),
                self._table("likelihood_head", rows(scale["likelihood"], lang)),
                self._table("severity_head", rows(scale["severity"], lang)),
                ("h", 3, t["register"]), ("p", t["register_intro"]),
                self._table("register_head", register)]

    # -- 4. measures ----------------------------------------------------------------------
    def _did(self) -> list[str]:
        t, f = self.t, self.facts
        out = []
        if f.data == DEFAULT_DATA:
            out.append(t["m_synthetic"])
        if f.is_federated():
            out.append(t["m_federated"].format(strategy=SHORT_STRATEGY.get(f.strategy or "",
                                                                           f.strategy)))
        out += [t["m_dp"].format(dp=self.model.dp_short(m)) for m in f.dp]
        if f.measured_engine == "deployment":
            out.append(t["m_deployment"])
        return out

    def _measures(self) -> list[Block]:
        t = self.t
        kinds = dict(zip(("technical", "organisational"), t["kinds"].split("|"), strict=True))
        numbers, measures = self._risk_numbers(), self._measure_numbers()
        table = [[f"{measures[m.id]} {m.text}", kinds[m.kind], m.owner, m.deadline,
                  ", ".join(numbers[r] for r in m.lowers),
                  t["in_place"] if m.in_place else t["planned"]]
                 for m in self.model.measures()]
        residual = [[numbers[r.id], r.risk,
                     self._level(r.likelihood, r.severity, r.level),
                     self._level(r.residual_likelihood, r.residual_severity, r.residual_level),
                     t["fill"]] for r in self.risk_register()]
        did = self._did()
        return [*([("h", 3, t["did"]), ("ul", did)] if did else []),
                ("h", 3, t["measures_table"]), ("p", t["measures_intro"]),
                self._table("measures_head", table),
                ("h", 3, t["residual_table"]), ("p", t["residual_table_intro"]),
                self._table("residual_table_head", residual)]

    # -- the parts after Art. 35(7) -------------------------------------------------------
    def _after(self) -> list[Block]:
        t, c, lang = self.t, self.model.content, self.lang
        dpo = self.dpo_questions
        register = self.risk_register()
        high = sum(r.residual_level in ("high", "very_high") for r in register)
        doc: list[Block] = [
            ("h", 2, t["dpo_advice"]), ("p", t["dpo_intro"]), self._fill_table("dpo_head"),
            ("h", 3, t["dpo_overall"]),
            self._fill_table("approval_head", t["dpo_overall_rows"].split("\n")),
            ("h", 3, t["dpo_flagged"]),
            ("ul", [f"{c_.text('question', lang)} ({c_.id})" for c_ in dpo] or [t["none"]]),
            ("h", 2, t["views"]), ("p", t["views_intro"]), self._fill_table("views_head"),
            ("p", f"{t['views_not']} {t['fill']}"),
            ("h", 2, t["residual"]), ("p", t["residual_intro"]),
            ("p", t["residual_summary"].format(high=high, total=len(register))),
            ("h", 3, t["decision"]), ("ul", t["decision_rows"].split("\n")),
            ("h", 3, t["art36"]), ("p", t["art36_intro"]), ("ul", c["prior_consultation"][lang]),
            ("p", t["art36_time"]),
            ("h", 2, t["approval"]), ("p", t["approval_intro"]),
            self._fill_table("approval_head", t["approval_rows"].split("\n")),
            ("h", 3, t["allocation"]), ("p", t["allocation_intro"]),
            self._table("allocation_head", rows(c["joint_controllers"], lang)),
            ("h", 2, t["secrecy"]), ("p", t["secrecy_intro"]),
            ("h", 3, t["secrecy_table"]),
            self._table("secrecy_head", [[*r, t["fill"]] for r in rows(c["secrecy"], lang)]),
            ("h", 3, t["classification"]), ("p", t["classification_intro"]),
            self._fill_table("classification_head", c["classification_items"][lang]),
            ("h", 2, t["checkpoints"]), *self._checkpoints(),
            ("h", 2, t["open"]), *self._open(),
        ]
        if self.orphan_answers:
            doc += [("h", 2, t["orphans"]),
                    ("ul", [f"{k}: {a.answer.strip()}" for k, a in self.orphan_answers.items()])]
        doc += [("h", 2, t["sources"]), ("ul", self._sources())]
        return doc

    def _checkpoints(self) -> list[Block]:
        t, lang = self.t, self.lang
        sources = load_sources()
        body = []
        for point in checkpoints():
            question, when = point.question, point.when
            known = CHECKPOINTS_SV.get(point.reference)
            if lang == "sv" and known and known[:2] == (point.question, point.when):
                question, when = known[2:]
            src = sources.get(point.source)
            cite = src.cite(lang) if src is not None else point.source
            body.append([law_in(point.reference, lang), question, when, cite])
        return [("p", t["checkpoints_intro"].format(date=self.law_as_of)),
                self._table("checkpoints_head", body)]

    def _open(self) -> list[Block]:
        t, lang = self.t, self.lang
        blocking = self.blocking_questions
        first = {c.id for c, _owner in blocking}
        doc: list[Block] = [("p", t["open_intro"]), ("h", 3, t["blocking"]),
                            ("p", t["blocking_intro"]),
                            ("ol", [f"{c.text('question', lang)} ({laws_in(c.law, lang)}) — "
                                    f"{t['owner']}: {owner} · {c.id}" for c, owner in blocking]
                             or [t["none"]]),
                            ("h", 3, t["other_open"])]
        for step in STEPS:
            open_here = [c for c in self.open_questions if c.step == step and c.id not in first]
            if open_here:
                items = []
                for c in open_here:
                    roles = ", ".join(c.role_labels(lang))
                    who = f" — {t['role']}: {roles}" if roles else ""
                    items.append(f"{c.text('question', lang)} ({laws_in(c.law, lang)}){who}"
                                 f" · {c.id}")
                doc += [("h", 4, step_title(step, lang)), ("ul", items)]
        return doc

    def _sources(self) -> list[str]:
        lang = self.lang
        cited = {s.key: s.cite(lang) for card in self.cards for s in card.sources}
        table = load_sources()
        for key in DPIA_SOURCE_KEYS:
            cited.setdefault(key, table[key].cite(lang))
        return sorted(cited.values(), key=str.lower)

    # -- the document ---------------------------------------------------------------------
    def blocks(self) -> list[Block]:
        """The whole draft as blocks, rendered by :meth:`markdown`, :meth:`html` and
        :meth:`docx`."""
        t = self.t
        doc = self._front()
        builders = {"description": self._description, "necessity": self._necessity,
                    "risks": self._risks, "measures": self._measures}
        for part in DPIA_PARTS:
            doc += [("h", 2, t[part]), *builders[part](), *self._answered_blocks(part)]
        return doc + self._after()

    def markdown(self, parts: Sequence[str] | None = None) -> str:
        """The draft as Markdown; ``parts`` (e.g. ["risks"]) limits it to those sections."""
        return to_markdown(self._select(parts))

    def html(self) -> str:
        """The draft as a self-contained HTML page."""
        return to_html(self.blocks(), self.title or self.t["title"], self.lang)

    def docx(self) -> bytes:
        """The draft as a Word document: headings as Word headings, tables as Word tables,
        every "[to be filled in]" as a fill-in field."""
        from fedlearn_kit.gdpr.docx_render import to_docx

        return to_docx(self.blocks(), self.title or self.t["title"], self.lang,
                       fill=self.t["fill"])

    def _select(self, parts: Sequence[str] | None) -> list[Block]:
        doc = self.blocks()
        if not parts:
            return doc
        unknown = [p for p in parts if p not in REQUIRED_SECTIONS]
        if unknown:
            raise ValueError(f"parts {unknown}: choose from {REQUIRED_SECTIONS}.")
        headings = {self.t[p] for p in parts}
        out, keep = [], False
        for block in doc:
            if block[0] == "h" and block[1] <= 2:
                keep = block[2] in headings
            if keep:
                out.append(block)
        return out

    def _repr_markdown_(self) -> str:
        return self.markdown()


def experiment_summary(facts: ExperimentFacts, lang: str | None = None) -> str:
    """The experiment a draft describes, in one sentence: sites, model, strategy, engine and
    how many kinds of message left the sites (lesson 08 prints it)."""
    lang = language(lang)
    check_lang(lang)
    unknown = T[lang]["not_given"]
    return ngettext("{n} site trained a {model} with {strategy} on {engine}; {flows} kinds "
                    "of message left the sites.",
                    "{n} sites trained a {model} with {strategy} on {engine}; {flows} kinds "
                    "of message left the sites.", len(facts.sites), lang).format(
        n=len(facts.sites), model=MODEL_NAMES[lang].get(facts.model or "", facts.model or unknown),
        strategy=SHORT_STRATEGY.get(facts.strategy or "", facts.strategy or unknown),
        engine=ENGINE_NAMES[lang].get(facts.engine or "", facts.engine or unknown),
        flows=len(facts.data_flows))


def missing_sections(markdown: str, lang: str | None = None) -> list[str]:
    """The required sections and sub-sections whose heading is not in ``markdown`` (a draft
    in ``lang``, by default the course's language)."""
    lang = language(lang)
    check_lang(lang)
    t = T[lang]
    headings = {line.lstrip("#").strip() for line in markdown.splitlines()
                if line.startswith("#")}
    return [key for key in (*REQUIRED_SECTIONS, *REQUIRED_SUBSECTIONS)
            if t[key] not in headings]


def _as_facts(facts: ExperimentFacts | Mapping[str, Any] | str | os.PathLike[str] | None
              ) -> ExperimentFacts:
    if facts is None:
        return ExperimentFacts()
    if isinstance(facts, ExperimentFacts):
        return facts
    if isinstance(facts, Mapping):
        return ExperimentFacts.from_dict(facts)
    return ExperimentFacts.from_json(facts)


def dpia_draft(answers: Mapping[str, Answer] | str | os.PathLike[str] | None = None,
               facts: ExperimentFacts | Mapping[str, Any] | str | os.PathLike[str] | None = None,
               lang: str | None = None, title: str | None = None, generated: str | None = None,
               answers_language: str | None = None) -> DpiaDraft:
    """Arrange answers (a dict, or an answers file) and experiment facts into a DPIA draft.

    ``facts`` is an :class:`ExperimentFacts`, a dict, or a JSON file (a facts file written
    by :func:`~fedlearn_kit.gdpr.record_facts`, or the schema of docs/dpia.md). A missing
    answers file gives a draft where every card is an open question; a broken one raises
    :class:`~fedlearn_kit.gdpr.AnswersFileError` and is left untouched. ``answers_language``
    says which language the answers are in; read from the answers file when not given.
    ``lang``, the draft's language, is by default the answers' language, else the course's
    (:func:`fedlearn_kit.i18n.document_language`): Swedish answers give a Swedish draft.
    """
    if answers is None or isinstance(answers, str | os.PathLike):
        store = AnswerStore(answers)
        loaded = store.load()
        answers_language = answers_language or store.language()
    else:
        loaded = dict(answers)
    lang = lang or answers_language or language()
    return DpiaDraft(answers=loaded, facts=_as_facts(facts), lang=lang, title=title,
                     generated=generated, answers_language=answers_language)


def write_dpia(out: str | os.PathLike[str], draft: DpiaDraft) -> Path:
    """Write a draft as Markdown (``.md``), HTML (``.html``) or Word (``.docx``), atomically."""
    return write_document(out, draft.markdown, draft.html, draft.docx)
