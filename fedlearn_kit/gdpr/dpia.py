"""A DPIA draft from the learner's answers and the facts of their experiment (lesson 08).

The draft follows GDPR Art. 35(7) in the order of WP 248 rev.01 Annex 2:

1. a systematic description (the experiment, processing by phase, the data flows read from
   the federation's message log, retention) (a);
2. necessity and proportionality: purposes and lawfulness per phase (training and use are
   separate processing, EDPB Opinion 28/2024), minimisation, storage limitation, the data
   subjects' rights including Art. 21, processors, transfers (b);
3. the risks: what the experiment measured, each with what it can and cannot show, and a
   risk register (risk, likelihood, severity, measure, residual risk) (c);
4. the measures (d);

then the DPO's advice (Art. 35(2)), the data subjects' views (Art. 35(9)), residual risk and
prior consultation (Art. 36), approval and review (Art. 35(11)), the AI Act / MDR / EHDS
checkpoints, and the open questions. Each card's answer goes into the part its ``dpia``
field names. The draft computes no privacy bound itself: it states the facts the lessons
recorded (:mod:`fedlearn_kit.gdpr.facts`).

``fedlearn-kit dpia --out dpia.md`` (or ``.html``) writes it from the command line; see
docs/dpia.md.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fedlearn_kit.gdpr.answers import Answer, AnswerStore
from fedlearn_kit.gdpr.cards import (
    DPIA_PARTS,
    STEPS,
    Card,
    Source,
    load_cards,
    read_cards_file,
    step_title,
)
from fedlearn_kit.gdpr.checkpoints import checkpoints
from fedlearn_kit.gdpr.dpia_text import (
    ADJACENCY,
    ATTACK_NAMES,
    CHECKPOINTS_SV,
    COVERS,
    DATA_DEFAULT,
    DPIA_SOURCE_KEYS,
    ENGINE_NAMES,
    LAW_AS_OF,
    LAW_NAMES_SV,
    LEVELS,
    METRIC_NAMES,
    MODEL_NAMES,
    REPLY_KINDS,
    SECTION_NAMES,
    SHORT_STRATEGY,
    SITE_DESCRIPTIONS_SV,
    STRATEGY_NAMES,
    T,
)
from fedlearn_kit.gdpr.facts import (
    DEFAULT_DATA,
    ExperimentFacts,
    MeasuredFacts,
    SiteFacts,
    facts_from_experiment,
)
from fedlearn_kit.gdpr.files import atomic_write_text
from fedlearn_kit.gdpr.panel import check_lang
from fedlearn_kit.gdpr.render import Block, to_html, to_markdown

__all__ = ["REQUIRED_SECTIONS", "DpiaDraft", "ExperimentFacts", "RiskRow", "SiteFacts",
           "dpia_draft", "example_answers", "facts_from_experiment", "missing_sections",
           "write_dpia"]

#: The sections every draft has, in order (keys of the text tables in dpia_text).
REQUIRED_SECTIONS = ("description", "necessity", "risks", "measures", "dpo_advice", "views",
                     "residual", "approval", "checkpoints", "open")
#: Sub-sections the review asked for by name; each must be present as well.
REQUIRED_SUBSECTIONS = ("phases", "flows", "retention", "measured", "register", "decision")

_ART = re.compile(r"Art\. (\d+)((?:\(\d+\))*)((?:\([a-z]\))*)(–\d+)?")


def law_in(ref: str, lang: str) -> str:
    """A law reference in the draft's language: "GDPR Art. 35(7)(a)" → "GDPR artikel 35.7 a"."""
    if lang != "sv":
        return ref

    def swedish(m: re.Match[str]) -> str:
        numbers = [m.group(1), *re.findall(r"\((\d+)\)", m.group(2))]
        letters = " ".join(re.findall(r"\(([a-z])\)", m.group(3)))
        return ("artikel " + ".".join(numbers) + (f" {letters}" if letters else "")
                + (m.group(4) or ""))

    out = _ART.sub(swedish, ref).replace("Recital ", "skäl ").replace("Annex ", "bilaga ")
    for english, swedish_name in LAW_NAMES_SV.items():
        if out.startswith(english + " "):
            out = swedish_name + out[len(english):]
    return out


def _site_description(site: SiteFacts, lang: str) -> str:
    if lang == "sv":
        return SITE_DESCRIPTIONS_SV.get(site.description, site.description)
    return site.description


@dataclass(frozen=True)
class RiskRow:
    """One row of the risk register: what could happen, how likely and how bad, what answers
    it and what is left."""

    risk: str
    likelihood: str
    severity: str
    measure: str
    residual: str


def _attack_verdict(m: MeasuredFacts) -> str:
    """"leak", "weak", "none" or "nobase": what an attack result can show."""
    if m.null_advantage_95 is None:
        return "nobase"
    low = m.membership_advantage_ci[0] if m.membership_advantage_ci else None
    if low is not None and low > m.null_advantage_95:
        return "leak"
    if m.membership_advantage is not None and m.membership_advantage > m.null_advantage_95:
        return "weak"
    return "none"


@dataclass
class DpiaDraft:
    """A DPIA draft: the answers arranged after GDPR Art. 35(7) and WP 248, with the facts."""

    answers: dict[str, Answer]
    facts: ExperimentFacts
    lang: str = "en"
    title: str | None = None
    generated: str | None = None

    def __post_init__(self) -> None:
        check_lang(self.lang)
        self.cards: tuple[Card, ...] = load_cards()
        self.t = T[self.lang]

    # -- what is answered -------------------------------------------------------------
    def _answer(self, card: Card) -> Answer | None:
        answer = self.answers.get(card.id)
        return answer if answer is not None and answer.answered else None

    @property
    def open_questions(self) -> list[Card]:
        """Cards without an answer, in course order."""
        return [c for c in self.cards if self._answer(c) is None]

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

    # -- facts as sentences -------------------------------------------------------------
    def _n(self, value: float, spec: str = ".3f") -> str:
        """A number in the draft's language (decimal comma in Swedish)."""
        text = format(value, spec)
        return text.replace(".", ",") if self.lang == "sv" else text

    def _section(self, m: MeasuredFacts) -> str:
        return SECTION_NAMES[self.lang].get(m.section, m.section)

    def _model_name(self, kind: str | None) -> str:
        if not kind:
            return self.t["not_given"]
        return MODEL_NAMES[self.lang].get(kind, kind)

    def attack_statement(self, m: MeasuredFacts) -> str:
        """One attack result with what it can and cannot show (null baseline, interval, n)."""
        if m.membership_advantage is None:  # callers pass facts.attacks: has_attack is true
            raise ValueError(f"{m.section!r} reports no membership attack.")
        t = self.t
        ci = (t["attack_ci"].format(lo=self._n(m.membership_advantage_ci[0]),
                                    hi=self._n(m.membership_advantage_ci[1]))
              if m.membership_advantage_ci else "")
        unknown = t["some_members"]
        attack = ATTACK_NAMES[self.lang].get(m.attack or "", m.attack or "?")
        text = t["attack"].format(section=self._section(m), attack=attack,
                                  model=self._model_name(m.model or self.facts.model),
                                  adv=self._n(m.membership_advantage), ci=ci,
                                  members=m.attack_members or unknown,
                                  non=m.attack_non_members or unknown)
        if m.null_advantage_95 is not None:
            text += t["null"].format(null=self._n(m.null_advantage_95))
        text += t["v_" + _attack_verdict(m)]
        if m.tpr_at_low_fpr is not None and m.low_fpr is not None:
            tci = (t["tpr_ci"].format(lo=self._n(m.tpr_at_low_fpr_ci[0]),
                                      hi=self._n(m.tpr_at_low_fpr_ci[1]))
                   if m.tpr_at_low_fpr_ci else "")
            if m.attack_non_members:
                k = m.low_fpr * m.attack_non_members
                text += t["tpr"].format(fpr=self._n(m.low_fpr, "g"),
                                        tpr=self._n(m.tpr_at_low_fpr), ci=tci,
                                        k=self._n(k, ".0f"),
                                        non=m.attack_non_members,
                                        few=t["tpr_few"] if k < 10 else "")
        return text

    def dp_statement(self, m: MeasuredFacts) -> str:
        """One privacy budget with its level, neighbours, bound, coverage and seed."""
        if m.epsilon is None:  # callers pass facts.dp: has_dp is true
            raise ValueError(f"{m.section!r} reports no privacy budget.")
        t = self.t
        delta = t["dp_delta"].format(delta=self._n(m.delta, "g")) if m.delta is not None else ""
        level = LEVELS[self.lang].get(m.dp_level or "", t["not_given"])
        adjacency = (ADJACENCY[self.lang][m.adjacency] if m.adjacency
                     else t["dp_adjacency_unknown"])
        text = t["dp"].format(section=self._section(m), eps=self._n(m.epsilon, "g"), delta=delta,
                              level=level, adjacency=adjacency)
        if m.advantage_bound is None:
            text += t["dp_no_bound"]
        elif m.advantage_bound >= 1:
            text += t["dp_bound_useless"].format(bound=self._n(m.advantage_bound))
        else:
            text += t["dp_bound"].format(bound=self._n(m.advantage_bound))
        covers = COVERS[self.lang].get(m.dp_covers or "", m.dp_covers)
        if self.lang == "sv" and m.dp_covers and m.dp_covers not in COVERS["sv"]:
            covers = f"\"{m.dp_covers}\" (faktafilens text, på engelska)"
        text += (t["dp_covers"].format(covers=covers) if m.dp_covers
                 else t["dp_covers_unknown"])
        if m.seeded_noise:
            text += t["dp_seeded"]
        if m.dp_level == "record":
            text += t["dp_record"]
        elif m.dp_level == "site":
            text += t["dp_site"]
        return text

    def measured_statements(self) -> list[str]:
        """What the facts show about leakage, in the draft's language."""
        f, t = self.facts, self.t
        out = [self.attack_statement(m) for m in f.attacks] or [t["no_attack"]]
        if len(f.sites) == 2 and f.is_federated():
            out.append(t["two_sites"])
        out += [self.dp_statement(m) for m in f.dp] or [t["no_dp"]]
        out += [t["note"].format(section=self._section(m).lower(), text=note.strip())
                for m in f.measurements for note in m.notes]
        return out

    # -- the risk register --------------------------------------------------------------
    def risk_register(self) -> list[RiskRow]:
        """The risks the course's processing raises, with the kit's proposals from the facts."""
        f, t = self.facts, self.t
        attacks, dp = f.attacks, f.dp
        order = ["leak", "weak", "nobase", "none"]
        if attacks:
            verdict = min((_attack_verdict(m) for m in attacks), key=order.index)
            likelihood = t[{"leak": "l_shown", "weak": "l_weak", "nobase": "l_unreadable",
                            "none": "l_not_shown"}[verdict]]
        else:
            likelihood = t["l_unknown"]
        if dp:
            dp_text = "; ".join(self._dp_short(m) for m in dp)
            leak_measure = t["x_dp"].format(dp=dp_text)
            bounds = [m.advantage_bound for m in dp if m.advantage_bound is not None
                      and m.advantage_bound < 1 and not m.seeded_noise]
            leak_residual = (t["res_bounded"].format(bound=self._n(min(bounds))) if bounds
                             else t["res_decide"])
        else:
            leak_measure, leak_residual = t["x_dp_plan"], t["res_decide"]
        rows = [RiskRow(t["r_leak"], likelihood, t["s_high"], leak_measure, leak_residual)]
        if len(f.sites) == 2 and f.is_federated():
            rows.append(RiskRow(t["r_partner"], t["l_certain"], t["s_high"], t["x_partner"],
                                t["res_decide"]))
        federated = f.is_federated() or not f.strategy
        if federated:
            rows += [
                RiskRow(t["r_reconstruct"], t["l_possible"], t["s_high"], t["x_reconstruct"],
                        t["res_decide"]),
                RiskRow(t["r_metadata"], t["l_every_round"], t["s_medium"], t["x_metadata"],
                        t["res_decide"]),
                RiskRow(t["r_network"], t["l_assess"], t["s_high"],
                        t["x_network"] if f.measured_engine == "deployment"
                        else t["x_network_plan"], t["res_decide"]),
            ]
        rows += [RiskRow(t[r], t["l_assess"], t["s_assess"], t[x], t["res_decide"])
                 for r, x in (("r_fairness", "x_fairness"), ("r_drift", "x_drift"),
                              ("r_art22", "x_art22"), ("r_transfer", "x_transfer"),
                              ("r_retention", "x_retention"), ("r_rights", "x_rights"))]
        return rows

    def _dp_short(self, m: MeasuredFacts) -> str:
        if m.epsilon is None:  # callers pass facts.dp: has_dp is true
            raise ValueError(f"{m.section!r} reports no privacy budget.")
        level = LEVELS[self.lang].get(m.dp_level or "", "?")
        return f"ε = {self._n(m.epsilon, 'g')}, {level}"

    # -- the document -------------------------------------------------------------------
    def _facts_table(self) -> Block:
        t, f, lang = self.t, self.facts, self.lang
        sites = "; ".join(f"{s.name}" + (f" ({s.patients})" if s.patients is not None else "")
                          + (f": {_site_description(s, lang)}" if s.description else "")
                          for s in f.sites)
        data = DATA_DEFAULT[lang] if f.data == DEFAULT_DATA else f.data
        rows = [[t["f_data"], data], [t["f_sites"], sites or t["not_given"]],
                [t["f_model"], self._model_name(f.model)]]
        engine = f.measured_engine
        if f.strategy or engine:
            rows.append([t["f_training"], t["training"].format(
                strategy=STRATEGY_NAMES[lang].get(f.strategy or "", f.strategy
                                                  or t["not_given"]),
                engine=ENGINE_NAMES[lang].get(engine or "", engine or t["not_given"]),
                rounds=f.num_rounds if f.num_rounds is not None else "?",
                epochs=f.local_epochs if f.local_epochs is not None else "?")])
        if f.seed is not None:
            rows.append([t["f_seed"], str(f.seed)])
        if f.fingerprint:
            rows.append([t["f_experiment"], f.fingerprint])
        if f.auroc is not None:
            rows.append([t["f_auroc"], self._n(f.auroc)])
        if f.notes:
            rows.append([t["f_notes"], " ".join(n.strip() for n in f.notes)])
        return ("table", [t["fact"], t["value"]], rows)

    def _phases(self) -> list[Block]:
        t = self.t
        train, use = t["phase_rows"].split("|")
        rows = [[train, self._answer_text("local_models.purpose") or t["fill"], t["fill"],
                 t["phase_train_basis"]],
                [use, self._answer_text("local_models.use_purpose") or t["fill"], t["fill"],
                 t["phase_use_basis"]]]
        return [("h", 3, t["phases"]), ("p", t["phases_intro"]),
                ("table", t["phase_head"].split("|"), rows)]

    def _answer_text(self, card_id: str) -> str | None:
        answer = self.answers.get(card_id)
        return answer.answer.strip() if answer is not None and answer.answered else None

    def _flows(self) -> list[Block]:
        t, lang, f = self.t, self.lang, self.facts
        blocks: list[Block] = [("h", 3, t["flows"])]
        if not f.data_flows:
            return [*blocks, ("p", t["flows_none"])]
        names = METRIC_NAMES[lang]
        rows = [[flow.site, REPLY_KINDS[lang].get(flow.kind, flow.kind), str(flow.numbers),
                 ", ".join(names.get(m, m) for m in flow.metrics) or t["none"],
                 str(flow.errors)] for flow in f.data_flows]
        errors = sum(flow.errors for flow in f.data_flows)
        return [*blocks, ("p", t["flows_intro"].format(how=t["flows_how_measured"])),
                ("table", t["flows_head"].split("|"), rows),
                ("p", t["flows_errors"].format(n=errors))]

    def _retention(self) -> list[Block]:
        t = self.t
        rows = [[*line.split("|"), t["fill"], t["fill"]]
                for line in t["retention_rows"].split("\n")]
        return [("h", 3, t["retention"]), ("p", t["retention_intro"]),
                ("table", t["retention_head"].split("|"), rows)]

    def _checklist(self) -> list[Block]:
        t, lang = self.t, self.lang
        answered = {c.id for c in self.cards if self._answer(c) is not None}
        rows = []
        for line in t["checklist"].split("\n"):
            question, refs = line.split("|")
            laws = [r.strip() for r in refs.split(";")]
            ids = sorted(c.id for c in self.cards if c.id in answered
                         and any(law in c.law for law in laws))
            where = (t["checklist_answered"].format(ids=", ".join(ids)) if ids
                     else t["checklist_open"])
            rows.append([question, "; ".join(law_in(law, lang) for law in laws), where])
        return [("p", t["necessity_intro"]), ("table", t["checklist_head"].split("|"), rows)]

    def _register(self) -> list[Block]:
        t = self.t
        rows = [[r.risk, r.likelihood, r.severity, r.measure, r.residual]
                for r in self.risk_register()]
        return [("h", 3, t["register"]), ("p", t["register_intro"]),
                ("table", t["register_head"].split("|"), rows)]

    def _measures(self) -> list[str]:
        t, f = self.t, self.facts
        out = []
        if f.data == DEFAULT_DATA:
            out.append(t["m_synthetic"])
        if f.is_federated():
            out.append(t["m_federated"].format(strategy=SHORT_STRATEGY.get(f.strategy or "",
                                                                           f.strategy)))
        out += [t["m_dp"].format(dp=self._dp_short(m)) for m in f.dp]
        if f.measured_engine == "deployment":
            out.append(t["m_deployment"])
        return out

    def _roles(self, card: Card) -> str:
        return ", ".join(card.role_labels(self.lang))

    def _answered_blocks(self, part: str) -> list[Block]:
        t = self.t
        blocks: list[Block] = []
        for card in self.cards:
            answer = self._answer(card)
            if card.dpia != part or answer is None:
                continue
            flag = f" ({t['dpo_flag']})" if answer.ask_dpo else ""
            law = "; ".join(law_in(ref, self.lang) for ref in card.law)
            blocks += [("h", 4, card.text("question", self.lang) + flag),
                       ("p", answer.answer.strip()),
                       ("p", f"{t['law']}: {law} · {card.id}")]
        return [("h", 3, t["answers"]), *(blocks or [("p", t["no_answers"])])]

    def _fill_table(self, head: str, rows: Sequence[str] | None = None,
                    empty_rows: int = 2) -> Block:
        t = self.t
        header = head.split("|")
        if rows is None:
            body = [[t["fill"]] * len(header) for _ in range(empty_rows)]
        else:
            body = [[row] + [t["fill"]] * (len(header) - 1) for row in rows]
        return ("table", header, body)

    def _checkpoints(self) -> list[Block]:
        t, lang = self.t, self.lang
        sources = read_cards_file().get("sources", {})
        rows = []
        for point in checkpoints():
            question, when = point.question, point.when
            known = CHECKPOINTS_SV.get(point.reference)
            if lang == "sv" and known and known[:2] == (point.question, point.when):
                question, when = known[2:]
            src = sources.get(point.source, {})
            cite = f"{src.get('title', point.source)} ({src.get('publisher', '')})"
            if src.get("url"):
                cite += f" <{src['url']}>"
            rows.append([law_in(point.reference, lang), question, when, cite])
        return [("p", t["checkpoints_intro"].format(date=self.law_as_of)),
                ("table", t["checkpoints_head"].split("|"), rows)]

    def _open(self) -> list[Block]:
        t, lang = self.t, self.lang
        doc: list[Block] = [("p", t["open_intro"])]
        for step in STEPS:
            open_here = [c for c in self.open_questions if c.step == step]
            if open_here:
                items = []
                for c in open_here:
                    roles = self._roles(c)
                    who = f" — {t['role']}: {roles}" if roles else ""
                    law = "; ".join(law_in(ref, lang) for ref in c.law)
                    items.append(f"{c.text('question', lang)} ({law}){who}")
                doc += [("h", 3, step_title(step, lang)), ("ul", items)]
        return doc

    def _sources(self) -> list[str]:
        cited = {source.key: source.cite() for card in self.cards for source in card.sources}
        table = read_cards_file()["sources"]
        for key in DPIA_SOURCE_KEYS:
            if key not in cited:
                raw = table[key]
                cited[key] = Source(key=key, title=raw["title"], publisher=raw["publisher"],
                                    date=str(raw["date"]),
                                    date_kind=raw.get("date_kind", "published"),
                                    url=raw.get("url", ""), accessed=str(raw.get("accessed", "")),
                                    kind=raw.get("kind", "primary")).cite()
        return sorted(cited.values(), key=str.lower)

    def blocks(self) -> list[Block]:
        """The whole draft as blocks, rendered by :meth:`markdown` and :meth:`html`."""
        t = self.t
        answered = sum(self._answer(c) is not None for c in self.cards)
        status = t["status"].format(answered=answered, total=len(self.cards),
                                    flagged=len(self.dpo_questions),
                                    open=len(self.open_questions))
        doc: list[Block] = [("h", 1, self.title or t["title"]),
                            ("quote", t["disclaimer"].format(date=self.law_as_of)),
                            ("p", status)]
        if self.generated:
            doc.append(("p", t["generated"].format(date=self.generated)))
        control = [[label, t["draft"] if i == 4 else t["fill"]]
                   for i, label in enumerate(t["control_rows"].split("|"))]
        doc += [("h", 2, t["control"]), ("table", [t["fact"], t["value"]], control)]
        for part in DPIA_PARTS:
            doc.append(("h", 2, t[part]))
            if part == "description":
                doc += [("h", 3, t["experiment"]), self._facts_table(), *self._phases(),
                        *self._flows(), *self._retention()]
            elif part == "necessity":
                doc += self._checklist()
            elif part == "risks":
                doc += [("h", 3, t["measured"]), ("ul", self.measured_statements()),
                        *self._register()]
            elif part == "measures":
                measures = self._measures()
                if measures:
                    doc += [("h", 3, t["did"]), ("ul", measures)]
            doc += self._answered_blocks(part)
        dpo = self.dpo_questions
        doc += [("h", 2, t["dpo_advice"]), ("p", t["dpo_intro"]),
                self._fill_table(t["dpo_head"]),
                ("h", 3, t["dpo_flagged"]),
                ("ul", [f"{c.text('question', self.lang)} ({c.id})" for c in dpo]
                 or [t["none"]])]
        doc += [("h", 2, t["views"]), ("p", t["views_intro"]), self._fill_table(t["views_head"]),
                ("p", f"{t['views_not']} {t['fill']}")]
        register = self.risk_register()
        undecided = sum(r.residual == t["res_decide"] or t["res_decide"] in r.residual
                        for r in register)
        doc += [("h", 2, t["residual"]), ("p", t["residual_intro"]),
                ("p", t["residual_summary"].format(n=undecided, total=len(register))),
                ("h", 3, t["decision"]), ("ul", t["decision_rows"].split("\n"))]
        doc += [("h", 2, t["approval"]), ("p", t["approval_intro"]),
                self._fill_table(t["approval_head"], t["approval_rows"].split("\n"))]
        doc += [("h", 2, t["checkpoints"]), *self._checkpoints()]
        doc += [("h", 2, t["open"]), *self._open()]
        if self.orphan_answers:
            doc += [("h", 2, t["orphans"]),
                    ("ul", [f"{k}: {a.answer.strip()}" for k, a in self.orphan_answers.items()])]
        doc += [("h", 2, t["sources"]), ("ul", self._sources())]
        return doc

    def markdown(self, parts: Sequence[str] | None = None) -> str:
        """The draft as Markdown; ``parts`` (e.g. ["risks"]) limits it to those sections."""
        return to_markdown(self._select(parts))

    def html(self) -> str:
        """The draft as a self-contained HTML page."""
        return to_html(self.blocks(), self.title or self.t["title"], self.lang)

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


def missing_sections(markdown: str, lang: str = "en") -> list[str]:
    """The required sections and sub-sections whose heading is not in ``markdown``."""
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
               lang: str = "en", title: str | None = None,
               generated: str | None = None) -> DpiaDraft:
    """Arrange answers (a dict, or an answers file) and experiment facts into a DPIA draft.

    ``facts`` is an :class:`ExperimentFacts`, a dict, or a JSON file (a facts file written
    by :func:`~fedlearn_kit.gdpr.record_facts`, or the schema of docs/dpia.md). A missing
    answers file gives a draft where every card is an open question; a broken one raises
    :class:`~fedlearn_kit.gdpr.AnswersFileError` and is left untouched.
    """
    if answers is None or isinstance(answers, str | os.PathLike):
        loaded = AnswerStore(answers).load()
    else:
        loaded = dict(answers)
    return DpiaDraft(answers=loaded, facts=_as_facts(facts), lang=lang, title=title,
                     generated=generated)


def write_dpia(out: str | os.PathLike[str], draft: DpiaDraft) -> Path:
    """Write a draft as Markdown (``.md``) or HTML (``.html``), atomically."""
    path = Path(out)
    suffix = path.suffix.lower()
    if suffix in (".md", ".markdown"):
        text = draft.markdown()
    elif suffix in (".html", ".htm"):
        text = draft.html()
    else:
        raise ValueError(f"--out {path}: name the file .md (Markdown) or .html (a web page).")
    atomic_write_text(path, text)
    return path


def example_answers(facts: ExperimentFacts | None = None) -> dict[str, Answer]:
    """A few answers a project group might give, for lesson 08's worked example.

    The answer about the membership attack matches ``facts``: it points to the measured
    result when there is one and says it is still to be measured when there is none.
    """
    measured = facts is not None and bool(facts.attacks)
    leak = ("Measured: see the attack results and their baseline in part 3 of this draft."
            if measured else "Not measured yet: lesson 05 measures it. Until then we treat "
            "the model and its updates as personal data.")
    text = {
        "start_here.controller": ("start_here", "In each region, the board that provides "
                                  "the care (for example the hälso- och sjukvårdsnämnd) is "
                                  "controller for the processing it carries out (PDL 2 kap. "
                                  "6 §). Each board names who signs for it in the project.",
                                  True),
        "local_models.purpose": ("local_models", "Training the model is each region's "
                                 "systematic quality work (PDL 2 kap. 4 § första stycket 3), "
                                 "if it is not research (next card). Using it on patients is "
                                 "a separate purpose (EDPB Opinion 28/2024): see the card on "
                                 "use.", False),
        "local_models.use_purpose": ("local_models", "Using the score to choose patients for "
                                     "follow-up is care of the individual patient (PDL 2 kap. "
                                     "4 § första stycket 1); the score is documented in the "
                                     "record.", False),
        "local_models.quality_or_research": ("local_models", "We think training is quality "
                                             "work, not research, but want this confirmed "
                                             "before training on real data.", True),
        "federated.joint_controllers": ("federated", "The boards decide the purpose and the "
                                        "training plan together, so we assume joint "
                                        "controllership for the joint stage and need an Art. "
                                        "26 arrangement; each region's own extraction stays "
                                        "its own.", True),
        "federated.less_processing": ("federated", "Records stay at each site; model updates, "
                                      "patient counts and metrics travel. Updates may still "
                                      "be personal data.", False),
        "what_leaks.membership_tpr": ("what_leaks", leak, False),
        "privacy_defences.epsilon": ("privacy_defences", "", True),
        "dpia_and_next_steps.automated_decisions": (
            "dpia_and_next_steps", "The intent: a nurse with authority weighs the score with "
            "other information and decides. We will document how, and check in use that the "
            "score does not decide on its own in practice (GDPR Art. 22; C-634/21).", True),
    }
    return {cid: Answer(step=step, answer=answer, ask_dpo=flag)
            for cid, (step, answer, flag) in text.items()}
