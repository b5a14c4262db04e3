"""The Swedish term list (docs/swedish-terms.yaml) and two checks on Swedish text (lesson 00).

:func:`forbidden_variants` finds the variants the list forbids (one Swedish term per concept,
statutory wording where there is one); :func:`english_passages` finds sentences in a Swedish
text that read as English, outside quoted titles and text marked as written in English.
Both are used by tests on the Swedish cards, DPIA draft and take-home documents.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from fedlearn_kit.paths import course_root


def terms_file() -> Path:
    """``docs/swedish-terms.yaml`` of the course folder: the translators' list is a document
    of the course, not a file the installed kit ships, so a kit without its folder says so."""
    root = course_root()
    if root is None:
        raise ValueError("the Swedish term list (docs/swedish-terms.yaml) is in the course "
                         "folder, and this kit is installed without one")
    return root / "docs" / "swedish-terms.yaml"


@dataclass(frozen=True)
class Term:
    """One concept: its English and its one Swedish term, the variants it forbids, a source."""

    concept: str
    en: str
    sv: str
    forbidden: tuple[str, ...]
    source: str
    note: str = ""

    def patterns(self) -> list[re.Pattern[str]]:
        """The forbidden variants as whole-word, case-insensitive patterns."""
        return [re.compile(rf"(?<![\w-]){variant}(?![\w])", re.IGNORECASE)
                for variant in self.forbidden]


def term_list_problems(data: Any) -> list[str]:
    """Every problem with a parsed term list (empty when it is well formed)."""
    if not isinstance(data, Mapping) or not isinstance(data.get("terms"), list):
        return ["the term list must have a 'terms' list"]
    problems, seen = [], set()
    for i, entry in enumerate(data["terms"]):
        name = entry.get("concept", f"entry #{i + 1}") if isinstance(entry, Mapping) else i
        if not isinstance(entry, Mapping):
            problems.append(f"entry #{i + 1}: must be a table")
            continue
        for field in ("concept", "en", "sv", "source"):
            if not str(entry.get(field) or "").strip():
                problems.append(f"{name}: no {field}")
        if name in seen:
            problems.append(f"{name}: concept listed twice")
        seen.add(name)
        forbidden = entry.get("forbidden")
        if not isinstance(forbidden, list):
            problems.append(f"{name}: 'forbidden' must be a list (empty if none)")
            continue
        for variant in forbidden:
            try:
                re.compile(str(variant))
            except re.error as err:
                problems.append(f"{name}: forbidden variant {variant!r} is not a valid "
                                f"pattern ({err})")
    return problems


def _build(data: Mapping[str, Any]) -> tuple[Term, ...]:
    return tuple(Term(concept=e["concept"], en=e["en"], sv=e["sv"],
                      forbidden=tuple(str(v) for v in e["forbidden"]), source=e["source"],
                      note=e.get("note", "")) for e in data["terms"])


@cache
def load_terms(path: Path | None = None) -> tuple[Term, ...]:
    """The term list (default: :func:`terms_file`), checked; raises ValueError listing every
    problem."""
    path = path or terms_file()
    if not path.exists():
        raise ValueError(f"no Swedish term list at {path}: it belongs in docs/ of a checkout")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    problems = term_list_problems(data)
    if problems:
        raise ValueError(f"{path} has problems:\n  " + "\n  ".join(problems))
    return _build(data)


@dataclass(frozen=True)
class Finding:
    """A forbidden variant found in a text: what, which concept, and the term to use."""

    variant: str
    concept: str
    use: str
    where: str = ""

    def __str__(self) -> str:
        place = f"{self.where}: " if self.where else ""
        return f"{place}{self.variant!r} ({self.concept}); use {self.use!r}"


def forbidden_variants(text: str, where: str = "",
                       terms: Sequence[Term] | None = None) -> list[Finding]:
    """The forbidden variants of the term list that occur in a Swedish ``text``."""
    found = []
    for term in terms if terms is not None else load_terms():
        spans: list[tuple[int, int]] = []
        for pattern in term.patterns():
            for m in pattern.finditer(text):
                if any(m.start() < end and start < m.end() for start, end in spans):
                    continue  # two variants of one concept matching the same words
                spans.append(m.span())
                found.append(Finding(m.group(0), term.concept, term.sv, where))
    return found


#: Words that are common in English and do not occur as words in Swedish text.
_ENGLISH = frozenset([
    "the", "and", "of", "is", "are", "to", "with", "for", "this", "that", "which", "be",
    "by", "from", "it", "as", "on", "an", "not", "or", "was", "were", "has", "have",
    "should", "must", "will", "would", "can", "may", "each", "who", "what", "when",
    "where", "their", "they", "there", "these", "those",
])
#: Text a Swedish document may keep in English: quoted titles, code and marked answers.
_EXEMPT = re.compile(r"«[^»]*»|“[^”]*”|\"[^\"]*\"|`[^`]*`|<[^>]*>|\([^()]*(på engelska|"
                     r"in English)[^()]*\)|\[[^\]]*\]\([^)]*\)")
_TITLE = re.compile(r"«[^»]*»|“[^”]*”")
_MARKED = re.compile(r"\((svaret är på engelska|texten är på engelska)\)")
#: A fenced code block (a listing the kit shows, such as the Flower app's source): code, so
#: its comments and docstrings stay in English in every language.
_FENCED = re.compile(r"^(`{3,}|~{3,})[^\n]*\n.*?^\1[ \t]*$", re.S | re.M)
_SENTENCE = re.compile(r"(?<=[.!?:;])\s+|\n+|\s\|\s")


def english_passages(text: str, min_words: int = 3) -> list[str]:
    """Sentences of a Swedish ``text`` that read as English.

    A sentence reads as English when at least ``min_words`` of its words are common English
    function words. Quoted titles («...», "..."), code in backticks or in fenced code blocks,
    links, text in brackets saying it is in English, and any sentence marked "(svaret är på
    engelska)" are left out.
    """
    out = []
    # A quoted title may hold a colon or a full stop: take it out before splitting sentences.
    for sentence in _SENTENCE.split(_TITLE.sub("«»", _FENCED.sub(" ", text))):
        if _MARKED.search(sentence):
            continue
        plain = _EXEMPT.sub(" ", sentence)
        words = re.findall(r"[A-Za-zÅÄÖåäö']+", plain.lower())
        if sum(w in _ENGLISH for w in words) >= min_words:
            out.append(sentence.strip())
    return out


def looks_english(text: str) -> bool:
    """True if a free text (a learner's answer) reads as English rather than Swedish."""
    words = re.findall(r"[A-Za-zÅÄÖåäö']+", text.lower())
    if not words:
        return False
    english = sum(w in _ENGLISH for w in words)
    swedish = sum(w in _SWEDISH for w in words)
    return english > swedish


_SWEDISH = frozenset([
    "och", "att", "det", "som", "är", "för", "med", "en", "ett", "av", "på", "inte",
    "den", "till", "om", "vi", "de", "har", "ska", "eller", "vid", "från", "sin",
    "sitt", "varje", "när", "där", "vilken", "vilket",
])


def looks_swedish(text: str) -> bool:
    """True if a free text (a learner's answer) reads as Swedish rather than English."""
    words = re.findall(r"[A-Za-zÅÄÖåäö']+", text.lower())
    return sum(w in _SWEDISH for w in words) > sum(w in _ENGLISH for w in words)
