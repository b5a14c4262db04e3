"""What the DPIA draft says about risks and measures, apart from how it is laid out (lesson 08).

:class:`DpiaModel` turns the facts of an experiment and the fixed content of
``dpia_content.yaml`` into statements (each attack result against its null baseline, each
privacy budget with its level and coverage) and into a risk register on a stated scale:
every risk has its sources, its event type (WP 248 Annex 2: illegitimate access, undesired
modification, disappearance), a proposed likelihood and severity (1–4, judged by the
consequence for the person, not by the data category), the measures that lower it, and the
residual risk proposed once those measures are in place. :mod:`fedlearn_kit.gdpr.dpia` lays
the model out as a document. The levels are proposals for the controller to decide.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from fedlearn_kit.gdpr.cards import LANGUAGES, ROLES
from fedlearn_kit.gdpr.dpia_text import (
    ADJACENCY,
    ATTACK_NAMES,
    COVERS,
    LEVELS,
    MODEL_NAMES,
    SECTION_NAMES,
    T,
)
from fedlearn_kit.gdpr.facts import ExperimentFacts, MeasuredFacts

#: WP 248 Annex 2's three event types, and "processing" for a risk from the processing itself.
EVENT_TYPES = ("access", "modification", "disappearance", "processing")
MEASURE_KINDS = ("technical", "organisational")
#: The risk level of likelihood × severity (both 1–4): the draft states this rule.
LEVEL_BANDS = ((3, "low"), (6, "medium"), (9, "high"), (16, "very_high"))


def risk_level(likelihood: int, severity: int) -> str:
    """"low", "medium", "high" or "very_high" for a likelihood and a severity of 1–4."""
    if not (1 <= likelihood <= 4 and 1 <= severity <= 4):
        raise ValueError(f"likelihood {likelihood} and severity {severity} must be 1–4")
    product = likelihood * severity
    return next(level for top, level in LEVEL_BANDS if product <= top)


def read_content() -> dict[str, Any]:
    """The parsed ``dpia_content.yaml`` shipped with the package."""
    text = resources.files("fedlearn_kit.gdpr").joinpath("dpia_content.yaml").read_text("utf-8")
    return yaml.safe_load(text)


def content_problems(data: Mapping[str, Any]) -> list[str]:
    """Every problem with the DPIA content: languages, links between risks and measures."""
    problems = []
    measures = {m["id"]: m for m in data.get("measures", [])}
    sources = data.get("risk_sources", {})
    lowered: set[str] = set()
    for table in ("risk_sources", "event_types"):
        for key, value in data.get(table, {}).items():
            if not (isinstance(value, Mapping) and set(value) == set(LANGUAGES)
                    and all(isinstance(v, str) and v for v in value.values())):
                problems.append(f"{table}.{key}: must have exactly an en and an sv text")
    problems += [f"event_types: no {e!r}" for e in EVENT_TYPES
                 if e not in data.get("event_types", {})]
    for risk in data.get("risks", []):
        rid = risk.get("id", "?")
        if not risk.get("sources") or any(s not in sources for s in risk.get("sources", [])):
            problems.append(f"risk {rid}: sources must be keys of risk_sources")
        if risk.get("event") not in EVENT_TYPES:
            problems.append(f"risk {rid}: event must be one of {EVENT_TYPES}")
        if risk.get("likelihood") != "facts" and risk.get("likelihood") not in (1, 2, 3, 4):
            problems.append(f"risk {rid}: likelihood must be 1–4 or 'facts'")
        if risk.get("severity") not in (1, 2, 3, 4):
            problems.append(f"risk {rid}: severity must be 1–4")
        if not risk.get("measures"):
            problems.append(f"risk {rid}: no measure lowers it")
        for mid in risk.get("measures", []):
            if mid not in measures:
                problems.append(f"risk {rid}: unknown measure {mid!r}")
            lowered.add(mid)
        problems += [f"risk {rid}: no {lang} text" for lang in LANGUAGES if not risk.get(lang)]
    for mid, measure in measures.items():
        if measure.get("kind") not in MEASURE_KINDS:
            problems.append(f"measure {mid}: kind must be one of {MEASURE_KINDS}")
        if measure.get("owner") not in ROLES:
            problems.append(f"measure {mid}: owner must be a role of the cards")
        for lang in LANGUAGES:
            text = measure.get(lang)
            if not (isinstance(text, list) and len(text) == 2 and all(text)):
                problems.append(f"measure {mid}: {lang} must be [measure, deadline]")
        if mid not in lowered:
            problems.append(f"measure {mid}: lowers no risk in the register")
    return problems


@cache
def load_content() -> dict[str, Any]:
    """The DPIA content, checked; raises ValueError listing every problem."""
    data = read_content()
    problems = content_problems(data)
    if problems:
        raise ValueError("fedlearn_kit/gdpr/dpia_content.yaml has problems:\n  "
                         + "\n  ".join(problems))
    return data


@dataclass(frozen=True)
class Measure:
    """One measure: what, technical or organisational, who owns it, by when, which risks it
    lowers, and whether the learner's experiment already had it in place."""

    id: str
    kind: str
    text: str
    owner: str
    deadline: str
    lowers: tuple[str, ...]
    in_place: bool


@dataclass(frozen=True)
class RiskRow:
    """One row of the risk register, before and after the measures."""

    id: str
    risk: str
    sources: tuple[str, ...]
    event: str
    likelihood: int
    likelihood_reason: str
    severity: int
    severity_reason: str
    measures: tuple[str, ...]
    residual_likelihood: int
    residual_severity: int

    @property
    def level(self) -> str:
        """The risk level before the measures."""
        return risk_level(self.likelihood, self.severity)

    @property
    def residual_level(self) -> str:
        """The proposed risk level once the measures are in place."""
        return risk_level(self.residual_likelihood, self.residual_severity)


#: The level at which "leaks beyond chance" is decided (the privacy lessons use the same).
LEAK_LEVEL = 0.05


def attack_verdict(m: MeasuredFacts) -> str:
    """"leak", "none" or "nobase": what an attack result can show.

    The permutation test decides (``advantage_p_value`` at most 5 %: "leak"); without a
    recorded p-value the figure cannot be read either way ("nobase"), whatever its interval:
    an interval that reaches zero is not evidence of no leakage.
    """
    if m.advantage_p_value is None:
        return "nobase"
    return "leak" if m.advantage_p_value <= LEAK_LEVEL else "none"


class DpiaModel:
    """The statements and the risk register a DPIA draft makes from the facts, in ``lang``."""

    def __init__(self, facts: ExperimentFacts, lang: str = "en") -> None:
        self.facts, self.lang = facts, lang
        self.t = T[lang]
        self.content = load_content()

    # -- numbers and names ---------------------------------------------------------------
    def n(self, value: float, spec: str = ".3f") -> str:
        """A number in the draft's language (decimal comma in Swedish)."""
        text = format(value, spec)
        return text.replace(".", ",") if self.lang == "sv" else text

    def percent(self, share: float, spec: str = ".1f") -> str:
        """A share (0.016) as a percentage in the draft's language ("1.6 %", "1,6 %")."""
        return f"{self.n(100 * share, spec)} %"

    def section(self, m: MeasuredFacts) -> str:
        """The lesson that recorded a measurement, by its reader-facing name."""
        return SECTION_NAMES[self.lang].get(m.section, m.section)

    def model_name(self, kind: str | None) -> str:
        """The model's kind in the draft's language."""
        if not kind:
            return self.t["not_given"]
        return MODEL_NAMES[self.lang].get(kind, kind)

    # -- statements ----------------------------------------------------------------------
    def attack_statement(self, m: MeasuredFacts) -> str:
        """One attack result with what it can and cannot show (null baseline, interval, n)."""
        if m.membership_advantage is None:  # callers pass facts.attacks: has_attack is true
            raise ValueError(f"{m.section!r} reports no membership attack.")
        t = self.t
        ci = (t["attack_ci"].format(lo=self.n(m.membership_advantage_ci[0]),
                                    hi=self.n(m.membership_advantage_ci[1]))
              if m.membership_advantage_ci else "")
        unknown = t["some_members"]
        attack = ATTACK_NAMES[self.lang].get(m.attack or "", m.attack or "?")
        text = t["attack"].format(section=self.section(m), attack=attack,
                                  model=self.model_name(m.model or self.facts.model),
                                  adv=self.n(m.membership_advantage), ci=ci,
                                  members=m.attack_members or unknown,
                                  non=m.attack_non_members or unknown)
        if m.advantage_p_value is not None:
            best = (m.best_threshold_advantage if m.best_threshold_advantage is not None
                    else m.membership_advantage)
            text += t["test"].format(best=self.n(best), p=self.n(m.advantage_p_value, ".3g"))
            if m.null_advantage_95 is not None:
                text += t["null"].format(null=self.n(m.null_advantage_95))
        text += t["v_" + attack_verdict(m)]
        if m.tpr_at_low_fpr is not None and m.low_fpr is not None:
            tci = (t["tpr_ci"].format(lo=self.percent(m.tpr_at_low_fpr_ci[0]),
                                      hi=self.percent(m.tpr_at_low_fpr_ci[1]))
                   if m.tpr_at_low_fpr_ci else "")
            if m.attack_non_members:
                k = m.low_fpr * m.attack_non_members
                text += t["tpr"].format(fpr=self.percent(m.low_fpr, ".2g"),
                                        tpr=self.percent(m.tpr_at_low_fpr), ci=tci,
                                        k=self.n(k, ".0f"), non=m.attack_non_members,
                                        few=t["tpr_few"] if k < 10 else "")
        return text

    def covers(self, m: MeasuredFacts) -> str:
        """What the noise covers, in the draft's language (marked if only in English)."""
        if not m.dp_covers:
            return ""
        known = COVERS[self.lang].get(m.dp_covers)
        if known:
            return known
        return m.dp_covers if self.lang == "en" else f"«{m.dp_covers}» (texten är på engelska)"

    def dp_statement(self, m: MeasuredFacts) -> str:
        """One privacy budget with its level, neighbours, bound, coverage and seed."""
        if m.epsilon is None:  # callers pass facts.dp: has_dp is true
            raise ValueError(f"{m.section!r} reports no privacy budget.")
        t = self.t
        delta = t["dp_delta"].format(delta=self.n(m.delta, "g")) if m.delta is not None else ""
        level = LEVELS[self.lang].get(m.dp_level or "", t["not_given"])
        adjacency = (ADJACENCY[self.lang][m.adjacency] if m.adjacency
                     else t["dp_adjacency_unknown"])
        text = t["dp"].format(section=self.section(m), eps=self.n(m.epsilon, ".3g"),
                              delta=delta, level=level, adjacency=adjacency)
        if m.advantage_bound is None:
            text += t["dp_no_bound"]
        elif m.advantage_bound >= 0.95:
            text += t["dp_bound_useless"].format(bound=self.n(m.advantage_bound))
        else:
            text += t["dp_bound"].format(bound=self.n(m.advantage_bound))
        if m.mechanism_advantage_bound is not None:
            text += t["dp_mechanism"].format(bound=self.n(m.mechanism_advantage_bound))
        text += (t["dp_covers"].format(covers=self.covers(m)) if m.dp_covers
                 else t["dp_covers_unknown"])
        if m.seeded_noise:
            text += t["dp_seeded"]
        if m.dp_level == "record":
            text += t["dp_record"]
            for k, group_eps, group_delta in m.group_budgets or ():
                text += t["dp_group" if group_delta < 1 else "dp_group_void"].format(
                    k=k, eps=self.n(group_eps, ".3g"), delta=self.n(group_delta, ".2g"))
        elif m.dp_level == "site":
            text += t["dp_site"]
        return text

    def dp_short(self, m: MeasuredFacts) -> str:
        """A privacy budget in a few words: "ε = 1, record (...)"."""
        if m.epsilon is None:  # callers pass facts.dp: has_dp is true
            raise ValueError(f"{m.section!r} reports no privacy budget.")
        level = LEVELS[self.lang].get(m.dp_level or "", "?")
        return f"ε = {self.n(m.epsilon, '.3g')}, {level}"

    def measured_statements(self) -> list[str]:
        """What the facts show about leakage, in the draft's language."""
        f, t = self.facts, self.t
        out = [self.attack_statement(m) for m in f.attacks] or [t["no_attack"]]
        if self.two_sites():
            out.append(t["two_sites"])
        out += [self.dp_statement(m) for m in f.dp] or [t["no_dp"]]
        note = t["note"]
        out += [note.format(section=self.section(m).lower(), text=text.strip())
                for m in f.measurements for text in m.notes]
        return out

    # -- settings ------------------------------------------------------------------------
    def federated(self) -> bool:
        """True for a federated experiment, and for one whose strategy was not given."""
        return self.facts.is_federated() or not self.facts.strategy

    def two_sites(self) -> bool:
        """True when two sites train together (each can subtract its own update)."""
        return len(self.facts.sites) == 2 and self.facts.is_federated()

    def _applies(self, risk: Mapping[str, Any]) -> bool:
        when = risk.get("when")
        return (when is None or (when == "federated" and self.federated())
                or (when == "two_sites" and self.two_sites()))

    # -- measures ------------------------------------------------------------------------
    def _in_place(self, mid: str) -> bool:
        if mid == "dp":
            return bool(self.facts.dp)
        if mid == "tls_auth":
            return self.facts.measured_engine == "deployment"
        return False

    def measures(self) -> list[Measure]:
        """Every measure of the register, with the risks it lowers in this experiment."""
        risks = [r for r in self.content["risks"] if self._applies(r)]
        out = []
        for m in self.content["measures"]:
            lowers = tuple(r["id"] for r in risks if m["id"] in r["measures"])
            if not lowers:
                continue
            text, deadline = m[self.lang]
            if m["id"] == "dp" and self.facts.dp:
                text += " (" + "; ".join(self.dp_short(d) for d in self.facts.dp) + ")"
            role = ROLES[m["owner"]][0 if self.lang == "en" else 1]
            out.append(Measure(m["id"], m["kind"], text, role, deadline, lowers,
                               self._in_place(m["id"])))
        return out

    def _measure_order(self) -> list[str]:
        return [m["id"] for m in self.content["measures"]]

    # -- the register --------------------------------------------------------------------
    def _membership_likelihood(self) -> tuple[int, str, int]:
        """Likelihood, reason and the likelihood after measures, from the measured attack."""
        t, f = self.t, self.facts
        if not f.attacks:
            return 3, t["l_unknown"], 2
        order = ["leak", "nobase", "none"]
        verdict = min((attack_verdict(m) for m in f.attacks), key=order.index)
        likelihood = {"leak": 3, "nobase": 3, "none": 2}[verdict]
        reason = t[{"leak": "l_shown", "nobase": "l_unreadable", "none": "l_not_shown"}[verdict]]
        # The tightest valid bound a budget gives: the mechanism's own, else the pair's.
        useful = [min(b for b in (m.advantage_bound, m.mechanism_advantage_bound)
                      if b is not None) for m in f.dp
                  if (m.advantage_bound is not None or m.mechanism_advantage_bound is not None)
                  and not m.seeded_noise]
        useful = [b for b in useful if b < 1]
        residual = max(1, likelihood - (2 if useful else 1))
        if useful:
            reason += t["l_bounded"].format(bound=self.n(min(useful)))
        return likelihood, reason, residual

    def risk_register(self) -> list[RiskRow]:
        """The risks the course's processing raises, with the kit's proposals from the facts."""
        rows = []
        for risk in self.content["risks"]:
            if not self._applies(risk):
                continue
            if risk["likelihood"] == "facts":
                likelihood, reason, residual = self._membership_likelihood()
            else:
                likelihood = risk["likelihood"]
                reason = (risk.get("likelihood_reason") or {}).get(self.lang, "")
                residual = max(1, likelihood - 1)
            sources = tuple(self.content["risk_sources"][s][self.lang]
                            for s in risk["sources"])
            rows.append(RiskRow(
                id=risk["id"], risk=risk[self.lang], sources=sources,
                event=self.content["event_types"][risk["event"]][self.lang],
                likelihood=likelihood, likelihood_reason=reason,
                severity=risk["severity"],
                severity_reason=(risk.get("severity_reason") or {}).get(self.lang, ""),
                measures=tuple(sorted(risk["measures"], key=self._measure_order().index)),
                residual_likelihood=residual,
                residual_severity=risk["severity"]))
        return rows

    def level_name(self, level: str) -> str:
        """A risk level ("high") in the draft's language."""
        return self.content["scale"]["levels"][self.lang][level]

    def screening(self) -> list[tuple[bool, str]]:
        """WP 248's nine criteria: (met, text) in the draft's language."""
        return [(bool(c["met"]), c[self.lang]) for c in self.content["screening"]]


def rows(data: Sequence[Mapping[str, Any]], lang: str) -> list[list[str]]:
    """A content table's rows in ``lang`` (each entry holds a list per language)."""
    return [list(entry[lang]) for entry in data]
