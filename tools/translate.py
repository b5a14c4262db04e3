"""Translations (maintainers): keep the Swedish catalogues in step with the English source,
and build the Swedish notebooks from them. The how-to is docs/translating.md.

English is the source. Swedish lives in gettext catalogues under ``locale/sv/``:

- ``locale/sv/fedlearn_kit.po``: every sentence of the package wrapped in ``_()``,
  ``N_()`` or ``ngettext()`` (:mod:`fedlearn_kit.i18n`), compiled into the
  ``fedlearn_kit/locale/sv/LC_MESSAGES/fedlearn_kit.mo`` the kit reads;
- ``locale/sv/notebooks/<lesson>.po`` and ``locale/sv/solutions/<lesson>.po``: the Markdown
  of one notebook, one entry per block (a paragraph, a list item, a table, a heading with
  its paragraph: text between blank lines);
- ``locale/sv/materials/exercise_notes.po``: the facilitator's notes on the exercises
  (``tools/materials/exercise_notes.yaml``), one entry per typical mistake, thing to say and
  point to close on; the Swedish answer key shows their reviewed translations.

Commands (from the course folder)::

    python -m tools.translate update             # English -> catalogues: new text untranslated,
                                                 # changed text fuzzy with the old kept; compile
    python -m tools.translate add notebooks/01_synthetic_patients.ipynb   # start a notebook
    python -m tools.translate build [NOTEBOOK]   # write and execute notebooks/sv/..., and
                                                 # exercises/sv/ from solutions/sv/
    python -m tools.translate check              # what is untranslated, unreviewed or stale
    python -m tools.translate words              # what the translation still needs, in words

A Swedish notebook is its English notebook with every Markdown block replaced by its
reviewed translation (relative links re-pointed from the deeper folder, to the Swedish
lesson where there is one) and the same code cells; its outputs come from executing it.
"""

from __future__ import annotations

import argparse
import ast
import io
import re
import string
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

import nbformat
import yaml
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, unescape, write_po

from fedlearn_kit.i18n import COURSE_FOLDERS, DOMAIN, LANGUAGES, LOCALE_DIR, SOURCE_LANGUAGE
from tools import ROOT, markdown_units
from tools.authoring import execute, strip, to_exercise

#: Where the catalogues are kept (the translators' files; the compiled one ships in the kit).
LOCALE = ROOT / "locale"
PACKAGE = ROOT / "fedlearn_kit"
#: The functions whose first string argument(s) are messages (Babel's keyword spec).
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}
#: The date in every catalogue's header: a fixed one, so that updating a catalogue changes
#: only its messages (git has the history).
HEADER_DATE = datetime(2026, 12, 7, tzinfo=UTC)
TRANSLATIONS = tuple(lang for lang in LANGUAGES if lang != SOURCE_LANGUAGE)
#: The folder of ``locale/<lang>/`` that holds the catalogues of the workshop materials'
#: YAML sources (not Markdown documents).
MATERIALS = "materials"


class TranslationError(ValueError):
    """A translation cannot be built: text without a reviewed translation."""


# ----------------------------------------------------------------------------- where

def messages_catalogue(lang: str) -> Path:
    """The translators' catalogue of the package's messages."""
    return LOCALE / lang / f"{DOMAIN}.po"


def compiled_catalogue(lang: str) -> Path:
    """The compiled catalogue the kit reads (gettext's layout, inside the package)."""
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"


def notebook_catalogue(english: Path, lang: str) -> Path:
    """``notebooks/00_start_here.ipynb`` -> ``locale/sv/notebooks/00_start_here.po``."""
    return LOCALE / lang / english.parent.name / f"{english.stem}.po"


def translated_path(english: Path, lang: str) -> Path:
    """``notebooks/00_start_here.ipynb`` -> ``notebooks/sv/00_start_here.ipynb``;
    ``docs/laptops.md`` -> ``docs/sv/laptops.md``; a Markdown file outside ``docs/``
    (``README.md``, ``data/DATA_CARD.md``) -> ``README.sv.md`` beside it, where a reader of
    the repository looks for it (and where no folder of data gains a subfolder)."""
    if english.suffix == ".md" and english.parent.name != "docs":
        return english.with_name(f"{english.stem}.{lang}.md")
    return english.parent / lang / english.name


def document_catalogue(english: Path, lang: str) -> Path:
    """``docs/laptops.md`` -> ``locale/sv/docs/laptops.po``; ``README.md`` ->
    ``locale/sv/README.po``."""
    return LOCALE / lang / english.resolve().relative_to(ROOT).with_suffix(".po")


def translated_documents(lang: str) -> list[Path]:
    """The English Markdown documents that have a catalogue in ``lang``."""
    base = LOCALE / lang
    return sorted(ROOT / po.relative_to(base).with_suffix(".md") for po in base.rglob("*.po")
                  if po.name != f"{DOMAIN}.po" and po.relative_to(base).parts[0]
                  not in (*COURSE_FOLDERS, MATERIALS))


def translated_files(lang: str) -> list[Path]:
    """Every English notebook and document with a ``lang`` translation (links to them are
    moved to the translation)."""
    return translated_notebooks(lang) + translated_documents(lang)


def exercise_notes_source() -> Path:
    """The English notes on the exercises, the source of the answer key's exercise part."""
    return ROOT / "tools" / "materials" / "exercise_notes.yaml"


def exercise_notes_catalogue(lang: str) -> Path:
    """``locale/sv/materials/exercise_notes.po``: the translation of those notes."""
    return LOCALE / lang / MATERIALS / "exercise_notes.po"


def english_notebook(catalogue: Path) -> Path:
    """The English notebook a notebook catalogue translates."""
    return ROOT / catalogue.parent.name / f"{catalogue.stem}.ipynb"


def translated_notebooks(lang: str) -> list[Path]:
    """The English notebooks that have a catalogue in ``lang`` (the ones being translated)."""
    return sorted(english_notebook(po) for folder in COURSE_FOLDERS
                  for po in (LOCALE / lang / folder).glob("*.po"))


# ----------------------------------------------------------------------------- extract

def markdown_blocks(text: str) -> list[str]:
    """The blocks of a Markdown text: runs of lines between blank lines (a fenced code
    block, blank lines and all, stays inside its block); :func:`markdown_units.blocks`
    joined."""
    return ["\n".join(lines) for lines in markdown_units.blocks(text)]


HEADER = {"project": "fedlearn-kit", "version": "0.1.0",
          "copyright_holder": "the fedlearn-kit authors",
          "msgid_bugs_address": "the course's issue tracker",
          "last_translator": "the fedlearn-kit maintainers (docs/translating.md)",
          "language_team": "Swedish: docs/translating.md, docs/swedish-terms.yaml",
          "header_comment": "# Translations of fedlearn-kit: English is the source; this file is "
                            "kept by\n# `python -m tools.translate update` (docs/translating.md)."}


def _new_catalogue(lang: str | None = None) -> Catalog:
    return _with_header(Catalog(locale=lang, fuzzy=False))


def _with_header(catalogue: Catalog) -> Catalog:
    for key, value in HEADER.items():
        setattr(catalogue, key, value)
    catalogue.creation_date = catalogue.revision_date = HEADER_DATE
    return catalogue


def notebook_template(english: Path) -> Catalog:
    """Every Markdown block of a notebook, in order, located by cell id (``cell-03``)."""
    catalogue = _new_catalogue()
    nb = nbformat.read(english, as_version=4)
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            for block in markdown_blocks(cell.source):
                catalogue.add(block, locations=[(f"cell-{i:02d}", None)])  # type: ignore[list-item]
    return catalogue


def note_texts(entry: Mapping[str, Any], field: str) -> list[str]:
    """The texts of one field of an exercise's notes (a list, or one text)."""
    value = entry.get(field) or []
    return [value] if isinstance(value, str) else [str(v) for v in value]


def exercise_notes_template() -> Catalog:
    """Every text of ``exercise_notes.yaml``: one entry per typical mistake, thing to say and
    point to close on, with the exercise and field as a comment for the translator (empty
    when there is no such file)."""
    from tools.materials.answer_key import FIELDS  # the answer key's fields, in its order

    catalogue = _new_catalogue()
    source = exercise_notes_source()
    if not source.exists():
        return catalogue
    where = source.relative_to(ROOT).as_posix()
    for title, entry in (yaml.safe_load(source.read_text(encoding="utf-8")) or {}).items():
        for field in FIELDS:
            for text in note_texts(entry, field):
                catalogue.add(text, locations=[(where, None)],  # type: ignore[list-item]
                              auto_comments=[f"{title}: {field}"])
    return catalogue


def message_template(package: Path = PACKAGE) -> Catalog:
    """Every message of the package: the string arguments of ``_``, ``N_`` and ``ngettext``."""
    catalogue = _new_catalogue()
    for path in sorted(package.rglob("*.py")):
        where = path.relative_to(package.parent).as_posix()
        for lineno, message, comments, context in extract_from_file(
                "python", path, keywords=KEYWORDS, comment_tags=("Translators:",),
                strip_comment_tags=True):
            text = message if isinstance(message, str) else message[0]
            flags = ["python-brace-format"] if "{" in text else []
            catalogue.add(message, locations=[(where, lineno)], auto_comments=comments,
                          context=context, flags=flags)
    return catalogue


def unextractable_messages(package: Path = PACKAGE) -> list[str]:
    """Calls of ``_``/``N_``/``ngettext`` the catalogue cannot hold: a message that is not a
    plain string (an f-string, a sum, a ``.format`` inside) or a translation glued to other
    text with ``+``; and, in a module that translates, ``_`` used as a throwaway name."""
    found = []
    for path in sorted(package.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if not any(isinstance(node, ast.ImportFrom) and node.module == "fedlearn_kit.i18n"
                   and {a.name for a in node.names} & set(KEYWORDS) for node in ast.walk(tree)):
            continue
        where = path.relative_to(package.parent).as_posix()
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                    and node.func.id in KEYWORDS:
                count = 2 if node.func.id == "ngettext" else 1
                args = node.args[:count]
                # A name is text marked with N_() where it was defined; anything else that is
                # not a plain string is built here and cannot be in the catalogue.
                if len(args) < count or not all(
                        isinstance(a, ast.Name | ast.Attribute | ast.Subscript)
                        or (isinstance(a, ast.Constant) and isinstance(a.value, str))
                        for a in args):
                    found.append(f"{where}:{node.lineno}: {node.func.id}() needs a whole "
                                 f"sentence as a plain string (format it after translating)")
            if isinstance(node, ast.Name) and node.id == "_" and isinstance(node.ctx, ast.Store) \
                    or isinstance(node, ast.arg) and node.arg == "_":
                found.append(f"{where}:{node.lineno}: `_` is the translation function here; "
                             f"name the value you do not need something else")
            if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add) and any(
                    isinstance(side, ast.Call) and isinstance(side.func, ast.Name)
                    and side.func.id in ("_", "ngettext") for side in (node.left, node.right)):
                found.append(f"{where}:{node.lineno}: a translated sentence is joined to other "
                             f"text with +; translate the whole sentence with placeholders")
    return found


# ----------------------------------------------------------------------------- catalogues

def read_catalogue(path: Path, lang: str) -> Catalog:
    """A catalogue from disk (an empty one if there is none yet)."""
    if not path.exists():
        return _new_catalogue(lang)
    with path.open("rb") as handle:
        catalogue = read_po(handle, locale=lang)
    for message in (*catalogue, *catalogue.obsolete.values()):
        _restore_previous_id(message)
    return catalogue


def _restore_previous_id(message: Message) -> None:
    """Move a message's previous English (gettext's ``#| msgid`` lines) back where it belongs.

    Babel writes the previous English of a fuzzy entry as ``#| msgid "..."`` but reads those
    lines back as translator comments (``| msgid "..."``), which were then written as
    ``# | msgid`` and stayed after the entry was reviewed. Here they become the previous id
    again (kept only while the entry is fuzzy: :func:`write_catalogue`) and leave the
    comments.
    """
    previous: list[str] = []
    comments = []
    for comment in message.user_comments:
        if not comment.startswith("|"):
            comments.append(comment)
            continue
        keyword, _, value = comment[1:].strip().partition(" ")
        if keyword in ("msgid", "msgid_plural"):
            previous.append(unescape(value) if value else "")
        elif keyword.startswith('"') and previous:  # a continued line of the same string
            previous[-1] += unescape(comment[1:].strip())
        # "| msgctxt" and anything else of the old entry: dropped with the comment
    message.user_comments = comments
    if previous:
        message.previous_id = previous


def write_catalogue(path: Path, catalogue: Catalog) -> None:
    """Write a catalogue: messages in source order, no line numbers (they move with every
    edit), the previous English of every fuzzy entry kept for the reviewer."""
    for message in catalogue:
        if not message.fuzzy:
            message.previous_id = []
    buffer = io.BytesIO()
    write_po(buffer, catalogue, width=100, include_previous=True, include_lineno=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue())


def updated(path: Path, template: Catalog, lang: str) -> Catalog:
    """The catalogue at ``path`` brought in step with ``template``: new text added
    untranslated, changed text marked fuzzy with its previous English and translation kept,
    removed text kept as obsolete (``#~``). Text whose only change is a number keeps its
    reviewed translation with the new number (:func:`reviewed`); text that is again what an
    obsolete reviewed entry translates (English reverted, or a translation prepared before
    its English arrived) gets that translation back."""
    catalogue = read_catalogue(path, lang)
    before = reviewed(catalogue)
    catalogue.update(template, update_creation_date=False)
    for message in catalogue:
        if not isinstance(message.id, str) or not message.id:
            continue
        kept = catalogue.obsolete.get(message.id)
        if (message.fuzzy or not message.string) and kept is not None and not kept.fuzzy \
                and _translated(kept):  # this very English was reviewed before: back it comes
            message.string = kept.string
            message.flags.discard("fuzzy")
            message.previous_id = []
            del catalogue.obsolete[message.id]
        elif message.fuzzy and (travelled := before(message.id)) is not None:
            message.string = travelled  # only numbers changed: the new numbers, reviewed
            message.flags.discard("fuzzy")
            message.previous_id = []
    return _with_header(catalogue)


def compile_catalogue(catalogue: Catalog) -> bytes:
    """The .mo bytes of a catalogue: reviewed translations only (fuzzy ones are left out, so
    the kit shows the English until a person has checked the Swedish)."""
    buffer = io.BytesIO()
    write_mo(buffer, catalogue, use_fuzzy=False)
    return buffer.getvalue()


def _text(value: object) -> str:
    """A message's id or translation as one text (the first form of a plural)."""
    if isinstance(value, tuple | list):
        return str(value[0]) if value else ""
    return "" if value is None else str(value)


def _fields(text: str) -> list[str]:
    try:
        return sorted(name for _, name, _, _ in string.Formatter().parse(text) if name)
    except ValueError:  # not a format string (a lone brace): compare nothing
        return []


def _translated(message: Message) -> bool:
    strings = message.string if isinstance(message.string, tuple | list) else [message.string]
    return bool(strings) and all(strings)


_DIGITS = re.compile(r"\d+")


def reviewed(catalogue: Catalog) -> Callable[[str], str | None]:
    """A look-up of the reviewed translations of a catalogue of text blocks: a block's own
    entry if it is translated and not fuzzy; else, when the English differs from one reviewed
    entry only in its numbers (a time, a count, a version that a tool updates) and that
    entry's translation has the same numbers in the same order, that translation with the new
    numbers. Nothing else in the sentence changed, so nothing needs a new review."""
    exact = {m.id: _text(m.string) for m in catalogue
             if isinstance(m.id, str) and m.id and not m.fuzzy and _translated(m)}
    shapes: dict[str, list[tuple[str, str]]] = {}
    for english, translation in exact.items():
        if _DIGITS.findall(english) and _DIGITS.findall(english) == _DIGITS.findall(translation):
            shapes.setdefault(_DIGITS.sub("0", english), []).append((english, translation))

    def lookup(english: str) -> str | None:
        if english in exact:
            return exact[english]
        same = shapes.get(_DIGITS.sub("0", english), [])
        if len(same) != 1:
            return None
        numbers = iter(_DIGITS.findall(english))
        return _DIGITS.sub(lambda _match: next(numbers), same[0][1])

    return lookup


def catalogue_problems(template: Catalog, catalogue: Catalog, where: str,
                       placeholders: bool = True,
                       lookup: Callable[[str], str | None] | None = None) -> list[str]:
    """Why ``catalogue`` does not translate all of ``template``: text with no entry, no
    translation, or a fuzzy one (English changed since it was reviewed); a translation whose
    ``{placeholders}`` differ from the English."""
    problems = []
    for wanted in template:
        if not wanted.id:
            continue
        english = wanted.id if isinstance(wanted.id, str) else wanted.id[0]
        shown = english.splitlines()[0][:70]
        message = catalogue.get(wanted.id, context=wanted.context)
        if lookup is not None and isinstance(wanted.id, str) and lookup(wanted.id) is not None:
            continue
        if message is None:
            problems.append(f"{where}: no entry for {shown!r} (new English text: run "
                            f"`python -m tools.translate update`, then translate it)")
        elif message.fuzzy:
            problems.append(f"{where}: {shown!r} changed in English since its translation was "
                            f"reviewed (fuzzy): check the translation, then remove the fuzzy flag")
        elif not _translated(message):
            problems.append(f"{where}: {shown!r} has no translation")
        elif placeholders:
            ids = wanted.id if isinstance(wanted.id, tuple) else (wanted.id,)
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            for text in map(_text, strings):
                english_forms = [_fields(_text(ids[-1])), _fields(_text(ids[0]))]
                if _fields(text) not in english_forms:
                    problems.append(f"{where}: the translation of {shown!r} has the "
                                    f"placeholders {_fields(text)}, the English "
                                    f"{english_forms[1]}")
    return problems


# ----------------------------------------------------------------------------- notebooks

_LINK = re.compile(r"(\]\()([^)\s]+)(\))")


def _rebase_link(target: str, english: Path, lang: str, translated: set[Path]) -> str:
    if re.match(r"^[a-z][a-z0-9+.-]*:|^/", target, re.IGNORECASE):
        return target  # a URL, an absolute path
    path, hashmark, anchor = target.partition("#")
    source = (english.parent / path).resolve() if path else english.resolve()
    if source in translated:
        if anchor and source.suffix == ".md":
            anchor = translated_anchors(source, lang).get(anchor, anchor)
        source = translated_path(source, lang)
    if not path:
        return f"#{anchor}"
    relative = PurePosixPath(*_relative_parts(source, translated_path(english, lang).parent))
    return f"{relative}{hashmark}{anchor}"


def _relative_parts(target: Path, start: Path) -> list[str]:
    target_parts, start_parts = target.resolve().parts, start.resolve().parts
    common = 0
    while (common < min(len(target_parts), len(start_parts))
           and target_parts[common] == start_parts[common]):
        common += 1
    return [".."] * (len(start_parts) - common) + list(target_parts[common:])


def link_targets(markdown: str) -> set[str]:
    """The targets of the Markdown links and images in a text."""
    return {m.group(2) for m in _LINK.finditer(markdown)}


def rebase_links(markdown: str, english: Path, lang: str,
                 translated: Iterable[Path] | None = None,
                 only: set[str] | None = None) -> str:
    """Relative links of a block moved from ``english``'s folder to its ``lang`` subfolder:
    a lesson that is translated is linked in ``lang``, any other file where it is.

    ``only``: the targets to move (those of the English block); a link the translation adds
    is written as seen from the ``lang`` folder and is kept as it is.
    """
    done = {p.resolve() for p in (translated if translated is not None
                                  else translated_files(lang))}

    def moved(m: re.Match[str]) -> str:
        target = m.group(2)
        if only is not None and target not in only:
            return m.group(0)
        return m.group(1) + _rebase_link(target, english, lang, done) + m.group(3)

    return _LINK.sub(moved, markdown)


def translate_notebook(english: Path, lang: str, catalogue: Catalog | None = None
                       ) -> nbformat.NotebookNode:
    """The ``lang`` notebook of ``english``, outputs cleared: Markdown from the catalogue,
    code cells unchanged. Raises TranslationError naming every block without a reviewed
    translation."""
    catalogue = catalogue if catalogue is not None else read_catalogue(
        notebook_catalogue(english, lang), lang)
    nb = nbformat.read(english, as_version=4)
    translated = translated_files(lang)
    lookup = reviewed(catalogue)
    missing = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
            continue
        if cell.cell_type != "markdown":
            continue
        blocks = []
        for block in markdown_blocks(cell.source):
            translation = lookup(block)
            if translation is None:
                missing.append(f"cell-{i:02d}: {block.splitlines()[0][:70]!r}")
                continue
            blocks.append(rebase_links(translation, english, lang, translated,
                                       only=link_targets(block)))
        cell.source = "\n\n".join(blocks)
    if missing:
        raise TranslationError(f"{english.relative_to(ROOT)} has text without a reviewed "
                               f"{lang} translation:\n  " + "\n  ".join(missing))
    first = next((c for c in nb.cells if c.cell_type == "markdown"), None)
    if first is not None and _machine_assisted_note(english, lang):
        blocks = first.source.split("\n\n")
        at = 1 if blocks[0].startswith("# ") else 0  # after the title, as in a document
        first.source = "\n\n".join([*blocks[:at], _machine_assisted_note(english, lang),
                                     *blocks[at:]])
    return strip(nb)


def _machine_assisted_note(english: Path, lang: str) -> str:
    """The note under the title of a machine-assisted ``lang`` notebook (:data:`
    MACHINE_ASSISTED_NOTE`, linking the English one), or "" when it is not listed."""
    if english.resolve().relative_to(ROOT).as_posix() not in machine_assisted(lang):
        return ""
    source = PurePosixPath(*_relative_parts(english, translated_path(english, lang).parent))
    return "\n".join(markdown_units.wrap(MACHINE_ASSISTED_NOTE[lang].format(english=source),
                                          "> ", "> "))


def _same_cells(built: nbformat.NotebookNode, stored: nbformat.NotebookNode, name: str
                ) -> list[str]:
    if len(built.cells) != len(stored.cells):
        return [f"{name}: {len(stored.cells)} cells, the English has {len(built.cells)}"]
    problems = []
    for i, (want, have) in enumerate(zip(built.cells, stored.cells, strict=True)):
        tags = (want.metadata.get("tags", []), have.metadata.get("tags", []))
        if want.cell_type != have.cell_type or tags[0] != tags[1]:
            problems.append(f"{name} cell-{i:02d}: its type or tags differ from the English")
        elif want.source != have.source:
            what = "code differs from the English" if want.cell_type == "code" else \
                "Markdown is not the current translation"
            problems.append(f"{name} cell-{i:02d}: {what} (run `python -m tools.translate "
                            f"build`)")
    return problems


def notebook_problems(lang: str) -> list[str]:
    """Every translated notebook whose catalogue is incomplete or whose ``lang`` copy is not
    what its English and catalogue build; ``lang`` notebooks without an English source or a
    catalogue; ``lang`` exercises that differ from what their solutions generate."""
    problems = []
    sources = translated_notebooks(lang)
    for english in sources:
        name = str(english.relative_to(ROOT))
        if not english.exists():
            problems.append(f"{notebook_catalogue(english, lang).relative_to(ROOT)}: "
                            f"translates {name}, which does not exist")
            continue
        catalogue = read_catalogue(notebook_catalogue(english, lang), lang)
        found = catalogue_problems(notebook_template(english), catalogue, name,
                                   placeholders=False, lookup=reviewed(catalogue))
        problems += found
        target = translated_path(english, lang)
        if not target.exists():
            problems.append(f"{target.relative_to(ROOT)} is missing (run `python -m "
                            f"tools.translate build`)")
        elif not found:
            problems += _same_cells(translate_notebook(english, lang, catalogue),
                                    nbformat.read(target, as_version=4),
                                    str(target.relative_to(ROOT)))
    expected = {translated_path(p, lang) for p in sources}
    expected |= {_exercise_of(p, lang) for p in expected if p.parent.parent.name == "solutions"}
    for folder in COURSE_FOLDERS:
        for stored in sorted((ROOT / folder / lang).glob("*.ipynb")):
            if stored not in expected:
                problems.append(f"{stored.relative_to(ROOT)} has no catalogue: it is not built "
                                f"from an English notebook")
    for solution in sorted(p for p in expected if p.parent.parent.name == "solutions"):
        exercise = _exercise_of(solution, lang)
        if solution.exists() and (not exercise.exists() or nbformat.writes(
                to_exercise(nbformat.read(solution, as_version=4))) != nbformat.writes(
                nbformat.read(exercise, as_version=4))):
            problems.append(f"{exercise.relative_to(ROOT)} differs from what "
                            f"{solution.relative_to(ROOT)} generates")
    return problems


# ----------------------------------------------------------------------------- documents

#: A line of an English document after which nothing is translated: README.md's first
#: screen is translated, the rest is left to the English README.
TRANSLATION_END = "<!-- translation ends here"


def _translated_part(text: str) -> str:
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.strip().startswith(TRANSLATION_END):
            return "\n".join(lines[:i]) + "\n"
    return text


def generated_blocks(english: Path) -> list[tuple[str, str, Callable[[str], str]]]:
    """The blocks of an English document that a tool writes from its own sources, as
    (begin marker, end marker, the function writing the block in a language).

    docs/workshop.md's agendas and facilitator notes come from the lesson times and the
    bilingual cards and notes (``python -m tools.materials``); the translation gets them
    written in its own language, one language only, rather than translated from the English.
    """
    if english.resolve() != (ROOT / "docs" / "workshop.md").resolve():
        return []
    from tools.materials import agenda, facilitator_notes  # only for this document
    from tools.materials.build import AGENDA_BEGIN, AGENDA_END

    def agendas(lang: str) -> str:
        return "\n".join([AGENDA_BEGIN, ""] + [agenda.agenda_markdown(name, lang)
                                               for name in agenda.agenda_names()]
                         + [AGENDA_END])

    def notes(lang: str) -> str:
        return facilitator_notes_in(lang)

    return [(AGENDA_BEGIN, AGENDA_END, agendas),
            (facilitator_notes.BEGIN, facilitator_notes.END, notes)]


#: The facilitator notes' headings in a translation (the English guide shows both
#: languages; a translation shows its own).
_NOTES_WORDS = {"sv": {"cards": "{n} kort, {minutes} min om alla diskuteras", "law": "Lagrum"}}


def facilitator_notes_in(lang: str) -> str:
    """docs/workshop.md's facilitator notes in one language: per lesson, each card's question,
    minutes, law (in the language's citation style) and notes."""
    from fedlearn_kit.gdpr.cards import STEPS, cards_for, step_title
    from fedlearn_kit.gdpr.lawref import laws_in
    from tools.materials import facilitator_notes
    from tools.materials.read_out import read_out_markdown

    words = _NOTES_WORDS[lang]
    lines = [facilitator_notes.BEGIN, ""]
    for step in STEPS:
        cards = cards_for(step)
        minutes = sum(facilitator_notes.card_minutes(c.id) for c in cards)
        count = words["cards"].format(n=len(cards), minutes=minutes)
        lines += [f"### {step_title(step, lang)} · {count}", "", *read_out_markdown(step, lang)]
        for card in cards:
            flag = " · ⚖" if card.unsettled else ""
            lines += [f"#### `{card.id}` · {facilitator_notes.card_minutes(card.id)} min{flag}",
                      "", f"**{card.text('question', lang)}**  ",
                      f"{words['law']}: {laws_in(card.law, lang)}", "",
                      facilitator_notes.card_notes_markdown(card, lang), ""]
    lines.append(facilitator_notes.END)
    return "\n".join(lines)


def _pieces(english: Path, text: str) -> list[tuple[str, Callable[[str], str] | None]]:
    """The translated part of a document as hand-written text and generated blocks."""
    rest = _translated_part(text)
    pieces: list[tuple[str, Callable[[str], str] | None]] = []
    for begin, end, make in sorted(generated_blocks(english), key=lambda b: text.find(b[0])):
        start = rest.find(begin)
        stop = rest.find(end, start)
        if start < 0 or stop < 0:
            raise TranslationError(f"{english.relative_to(ROOT)} has no generated block "
                                   f"{begin!r} ... {end!r}")
        pieces += [(rest[:start], None), ("", make)]
        rest = rest[stop + len(end):]
    return [*pieces, (rest, None)]


def _document_units(english: Path) -> Iterator[markdown_units.Unit]:
    for text, make in _pieces(english, english.read_text(encoding="utf-8")):
        if make is None:
            for block in markdown_units.units(text):
                yield from (unit for unit in block if unit.translatable)


def document_template(english: Path) -> Catalog:
    """Every unit of a document's translated part, in order: a heading, a paragraph, a list
    item, a table row, a code or HTML block (tools/markdown_units.py); the generated blocks
    are left out (:func:`generated_blocks`)."""
    catalogue = _new_catalogue()
    where = english.resolve().relative_to(ROOT).as_posix()
    for unit in _document_units(english):
        catalogue.add(unit.text, locations=[(where, None)])  # type: ignore[list-item]
    return catalogue


def translated_anchors(english: Path, lang: str) -> dict[str, str]:
    """A translated document's anchors by the English ones (a heading's anchor is made from
    its text, so it changes with the translation)."""
    path = document_catalogue(english, lang)
    if not english.exists() or not path.exists():
        return {}
    lookup = reviewed(read_catalogue(path, lang))
    pairs = [(u.text, lookup(u.text)) for u in _document_units(english) if u.kind == "heading"]
    found = markdown_units.heading_slugs([e for e, _sv in pairs])
    moved = markdown_units.heading_slugs([sv or e for e, sv in pairs])
    return dict(zip(found, moved, strict=True))


def translate_document(english: Path, lang: str, catalogue: Catalog | None = None) -> str:
    """The ``lang`` text of an English Markdown document: each unit replaced by its reviewed
    translation (links moved as in a notebook, anchors to the translated headings), the
    generated blocks written in ``lang``, nothing after :data:`TRANSLATION_END`. Raises
    TranslationError naming every unit without a reviewed translation."""
    catalogue = catalogue if catalogue is not None else read_catalogue(
        document_catalogue(english, lang), lang)
    lookup = reviewed(catalogue)
    translated = translated_files(lang)
    missing = []
    out: list[list[str]] = []
    for text, make in _pieces(english, english.read_text(encoding="utf-8")):
        if make is not None:
            out.append(make(lang).strip("\n").splitlines())
            continue
        for block in markdown_units.units(text):
            lines: list[str] = []
            for unit in block:
                if not unit.translatable:
                    lines += unit.lines
                    continue
                translation = lookup(unit.text)
                if translation is None:
                    missing.append(repr(unit.text.splitlines()[0][:70]))
                    continue
                lines += markdown_units.render(unit, rebase_links(
                    translation, english, lang, translated, only=link_targets(unit.text)))
            out.append(lines)
    if missing:
        raise TranslationError(f"{english.relative_to(ROOT)} has text without a reviewed "
                               f"{lang} translation:\n  " + "\n  ".join(missing))
    if english.resolve().relative_to(ROOT).as_posix() in machine_assisted(lang):
        source = PurePosixPath(*_relative_parts(english, translated_path(english, lang).parent))
        note = MACHINE_ASSISTED_NOTE[lang].format(english=source)
        at = 1 if out and out[0] and out[0][0].startswith("# ") else 0  # after the title
        out.insert(at, markdown_units.wrap(note, "> ", "> "))
    return markdown_units.assemble(out)


#: The note a machine-assisted translation shows its readers, under its title.
MACHINE_ASSISTED_NOTE = {
    "sv": ("**Maskinstödd översättning.** Den här sidan är översatt från [den engelska "
           "texten]({english}) med stöd av AI och har ännu inte granskats av en person som "
           "läser juridisk svenska. Vid skillnader gäller den engelska texten."),
}


def machine_assisted(lang: str) -> set[str]:
    """The English documents (paths from the course folder) whose ``lang`` translation is
    machine-assisted and not yet reviewed by a person, from
    ``locale/<lang>/machine-assisted.txt`` (one path a line; ``#`` starts a comment). The
    reviewer removes the line and rebuilds: the note goes."""
    listing = LOCALE / lang / "machine-assisted.txt"
    if not listing.exists():
        return set()
    lines = (line.split("#", 1)[0].strip() for line in listing.read_text("utf-8").splitlines())
    return {line for line in lines if line}


def document_problems(lang: str) -> list[str]:
    """Every translated document whose catalogue is incomplete or whose ``lang`` file is not
    what its English and catalogue build; ``lang`` documents without a catalogue."""
    problems = []
    sources = translated_documents(lang)
    for english in sources:
        name = english.relative_to(ROOT).as_posix()
        if not english.exists():
            problems.append(f"{document_catalogue(english, lang).relative_to(ROOT)}: "
                            f"translates {name}, which does not exist")
            continue
        catalogue = read_catalogue(document_catalogue(english, lang), lang)
        found = catalogue_problems(document_template(english), catalogue, name,
                                   placeholders=False, lookup=reviewed(catalogue))
        problems += found
        target = translated_path(english, lang)
        if not target.exists():
            problems.append(f"{target.relative_to(ROOT)} is missing (run `python -m "
                            f"tools.translate build {name}`)")
        elif not found and target.read_text(encoding="utf-8") != translate_document(
                english, lang, catalogue):
            problems.append(f"{target.relative_to(ROOT)} is not the current translation of "
                            f"{name} (run `python -m tools.translate build {name}`)")
    expected = {translated_path(p, lang) for p in sources}
    for stored in sorted((ROOT / "docs" / lang).rglob("*.md")):
        if stored not in expected:
            problems.append(f"{stored.relative_to(ROOT)} has no catalogue: it is not built "
                            f"from an English document")
    return problems


def refreshed(english: Path, lang: str) -> Callable[[str], str]:
    """For ``python -m tools.materials``, which rewrites what the translated documents are
    built from (README.md's times, docs/workshop.md's agendas and notes): a function from the
    stored translation to the current one, or to the stored one while the English has text
    without a reviewed translation (the translation check reports that)."""
    def refresh(current: str) -> str:
        try:
            return translate_document(english, lang)
        except TranslationError:
            return current
    return refresh


# ----------------------------------------------------------------------------- merging

_SIDES = {"<<<<<<< ": "ours", "||||||| ": "base", "=======": "theirs", ">>>>>>> ": None}


def _side(text: str, keep: set[str]) -> str:
    """A text with git's conflict markers, keeping the lines outside conflicts and the
    lines of the sides in ``keep`` ("ours", "theirs"), ours first."""
    out, state = [], None
    for line in text.splitlines(keepends=True):
        marker = next((m for m in _SIDES if line.startswith(m)), None)
        if marker is not None and (state is not None or marker == "<<<<<<< "):
            state = _SIDES[marker]
            continue
        if state is None or state in keep:
            out.append(line)
    return "".join(out)


def resolved(text: str, lang: str) -> tuple[Catalog, list[str]]:
    """A catalogue whose two branches both added entries (git's conflict markers in
    ``text``), with both sides' entries kept. An entry both sides translated differently
    keeps ours, marked fuzzy with theirs in a translator comment, so a person chooses; those
    entries are returned by their English."""
    def parse(part: str) -> Catalog:
        return read_po(io.BytesIO(part.encode("utf-8")), locale=lang)

    merged, theirs = parse(_side(text, {"ours"})), parse(_side(text, {"theirs"}))
    differ = []
    for message in theirs:
        if not message.id:
            continue
        kept = merged.get(message.id)
        if kept is None:
            merged[message.id] = message
        elif _translated(message) and _translated(kept) and kept.string != message.string:
            kept.flags.add("fuzzy")
            kept.user_comments = [*kept.user_comments,
                                  f"other branch: {_text(message.string)}"]
            differ.append(_text(message.id).splitlines()[0][:70])
    for key, message in theirs.obsolete.items():
        merged.obsolete.setdefault(key, message)
    return merged, differ


def _exercise_of(solution: Path, lang: str) -> Path:
    return ROOT / "exercises" / lang / solution.name


def message_problems(lang: str) -> list[str]:
    """The package's messages without a reviewed ``lang`` translation, messages the catalogue
    cannot hold, and a compiled catalogue that is not the translators' one compiled."""
    po = messages_catalogue(lang)
    catalogue = read_catalogue(po, lang)
    problems = catalogue_problems(message_template(), catalogue, str(po.relative_to(ROOT)))
    problems += unextractable_messages()
    mo = compiled_catalogue(lang)
    if not mo.exists() or mo.read_bytes() != compile_catalogue(catalogue):
        problems.append(f"{mo.relative_to(ROOT)} is not {po.relative_to(ROOT)} compiled (run "
                        f"`python -m tools.translate update`)")
    return problems


def exercise_notes_problems(lang: str) -> list[str]:
    """The notes of ``exercise_notes.yaml`` without a reviewed ``lang`` translation: new
    ones, changed ones (fuzzy) and untranslated ones."""
    po = exercise_notes_catalogue(lang)
    catalogue = read_catalogue(po, lang)
    return catalogue_problems(exercise_notes_template(), catalogue,
                              po.relative_to(ROOT).as_posix(), placeholders=False,
                              lookup=reviewed(catalogue))


# ----------------------------------------------------------------------------- commands

def update(lang: str) -> list[Path]:
    """Bring every catalogue of ``lang`` in step with the English; compile the messages."""
    written = []
    po = messages_catalogue(lang)
    catalogue = updated(po, message_template(), lang)
    write_catalogue(po, catalogue)
    mo = compiled_catalogue(lang)
    mo.parent.mkdir(parents=True, exist_ok=True)
    mo.write_bytes(compile_catalogue(read_catalogue(po, lang)))
    written += [po, mo]
    for english in translated_notebooks(lang):
        target = notebook_catalogue(english, lang)
        write_catalogue(target, updated(target, notebook_template(english), lang))
        written.append(target)
    for english in translated_documents(lang):
        target = document_catalogue(english, lang)
        write_catalogue(target, updated(target, document_template(english), lang))
        written.append(target)
    if exercise_notes_source().exists():
        target = exercise_notes_catalogue(lang)
        write_catalogue(target, updated(target, exercise_notes_template(), lang))
        written.append(target)
    return written


def build(lang: str, files: Iterable[Path] | None = None, run: bool = True
          ) -> Iterator[Path]:
    """Write (and execute) the ``lang`` notebooks, a solution's exercise after it; write the
    ``lang`` documents."""
    for english in files or translated_files(lang):
        english = english.resolve()
        if english.suffix == ".md":
            if not document_catalogue(english, lang).exists():
                raise TranslationError(f"{english.relative_to(ROOT)} has no {lang} catalogue: "
                                       f"start one with `python -m tools.translate add`")
            target = translated_path(english, lang)
            text = translate_document(english, lang)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            yield target
            continue
        if not notebook_catalogue(english, lang).exists():
            raise TranslationError(f"{english.relative_to(ROOT)} has no {lang} catalogue: "
                                   f"start one with `python -m tools.translate add`")
        target = translated_path(english, lang)
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(translate_notebook(english, lang), target)
        if run:
            execute(target)
        yield target
        if english.parent.name == "solutions":
            exercise = _exercise_of(target, lang)
            exercise.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(to_exercise(nbformat.read(target, as_version=4)), exercise)
            yield exercise


def _words(text: str) -> int:
    return len(re.findall(r"[A-Za-z][A-Za-z'-]*", text))


def word_counts(lang: str) -> list[tuple[str, int, int]]:
    """(file, English words, words without a reviewed translation) for every text to
    translate: notebooks' Markdown, the docs named in issue 26, the package's messages
    (those wrapped so far) and an estimate for the sentences not wrapped yet."""
    rows = []
    for folder in ("notebooks", "solutions"):
        for english in sorted((ROOT / folder).glob("*.ipynb")):
            template = notebook_template(english)
            catalogue = read_catalogue(notebook_catalogue(english, lang), lang)
            total = sum(_words(_text(m.id)) for m in template if m.id)
            todo = sum(_words(_text(m.id)) for m in template if m.id and not (
                (found := catalogue.get(m.id)) and not found.fuzzy and _translated(found)))
            rows.append((f"{folder}/{english.name}", total, todo))
    learners_documents = ["README.md", "docs/workshop.md", "docs/laptops.md",
                          "docs/deployment.md", "docs/room-server.md", "docs/dpia.md",
                          "data/DATA_CARD.md"]
    started = [p.relative_to(ROOT).as_posix() for p in translated_documents(lang)]
    for doc in learners_documents + sorted(set(started) - set(learners_documents)):
        english = ROOT / doc
        if document_catalogue(english, lang).exists():
            template = document_template(english)
            lookup = reviewed(read_catalogue(document_catalogue(english, lang), lang))
            total = sum(_words(_text(m.id)) for m in template if m.id)
            todo = sum(_words(_text(m.id)) for m in template
                       if m.id and lookup(_text(m.id)) is None)
            rows.append((f"{doc} (the part translated)", total, todo))
        else:
            total = _words(english.read_text(encoding="utf-8"))
            rows.append((doc, total, total))
    template = message_template()
    catalogue = read_catalogue(messages_catalogue(lang), lang)
    wrapped = sum(_words(m.id if isinstance(m.id, str) else " ".join(m.id))
                  for m in template if m.id)
    done = sum(_words(m.id if isinstance(m.id, str) else " ".join(m.id)) for m in template
               if m.id and (found := catalogue.get(m.id)) and not found.fuzzy
               and _translated(found))
    template = exercise_notes_template()
    lookup = reviewed(read_catalogue(exercise_notes_catalogue(lang), lang))
    rows.append(("tools/materials/exercise_notes.yaml (the answer key's notes)",
                 sum(_words(_text(m.id)) for m in template if m.id),
                 sum(_words(_text(m.id)) for m in template
                     if m.id and lookup(_text(m.id)) is None)))
    rows.append(("fedlearn_kit: messages wrapped in _()", wrapped, wrapped - done))
    rows.append(("fedlearn_kit: sentences not wrapped yet (estimate)", 0, _unwrapped_words()))
    return rows


def _unwrapped_words(package: Path = PACKAGE) -> int:
    """Words in the package's sentences outside ``_()``: string literals of three words or
    more that are not docstrings, outside the GDPR layer's bilingual YAML and Swedish text."""
    total = 0
    for path in sorted(package.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                      if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef
                                    | ast.AsyncFunctionDef)
                      and node.body and isinstance(node.body[0], ast.Expr)}
        wrapped = {id(arg) for node in ast.walk(tree) if isinstance(node, ast.Call)
                   and isinstance(node.func, ast.Name) and node.func.id in KEYWORDS
                   for arg in node.args}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                    and id(node) not in docstrings | wrapped and _words(node.value) >= 3 \
                    and not re.search(r"[åäöÅÄÖ]", node.value):
                total += _words(node.value)
    return total


def main(argv: list[str] | None = None) -> int:
    """Command line of the translation tool."""
    parser = argparse.ArgumentParser(prog="python -m tools.translate",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--lang", choices=TRANSLATIONS, default=TRANSLATIONS[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("update", help="bring the catalogues in step with the English; compile")
    add = sub.add_parser("add", help="start translating notebooks or Markdown documents "
                                     "(writes their catalogues)")
    add.add_argument("files", nargs="+", type=Path)
    make = sub.add_parser("build", help="write (and execute) the translated notebooks, write "
                                        "the translated documents")
    make.add_argument("files", nargs="*", type=Path,
                      help="English notebooks or documents (default all)")
    make.add_argument("--no-execute", dest="run", action="store_false",
                      help="write without outputs (quick look; commit executed notebooks)")
    sub.add_parser("check", help="list what is untranslated, unreviewed or stale; exit 1 if any")
    merge = sub.add_parser("resolve", help="after a git merge: keep both branches' entries of "
                                           "conflicted catalogues (then run update)")
    merge.add_argument("catalogues", nargs="+", type=Path)
    sub.add_parser("words", help="words to translate, per file")
    args = parser.parse_args(argv)
    lang = args.lang
    if args.command == "add":
        for english in args.files:
            english = english.resolve()
            if english.suffix == ".md" and english.exists() and english.is_relative_to(ROOT) \
                    and lang not in english.relative_to(ROOT).parts:
                target = document_catalogue(english, lang)
                template = document_template(english)
            elif english.parent.name in COURSE_FOLDERS and english.exists():
                target = notebook_catalogue(english, lang)
                template = notebook_template(english)
            else:
                parser.error(f"{english} is not an English notebook or document of the course")
            write_catalogue(target, updated(target, template, lang))
            print(f"wrote {target.relative_to(ROOT)}: translate it, then run build")
    elif args.command == "update":
        for path in update(lang):
            print(f"updated {path.relative_to(ROOT)}")
    elif args.command == "build":
        for path in build(lang, args.files or None, run=args.run):
            print(f"wrote {path.relative_to(ROOT)}", flush=True)
    elif args.command == "resolve":
        for path in args.catalogues:
            catalogue, differ = resolved(path.read_text(encoding="utf-8"), lang)
            write_catalogue(path, catalogue)
            print(f"resolved {path}" + "".join(f"\n  both branches translated {d!r}: ours "
                                               "kept, fuzzy, theirs in a comment"
                                               for d in differ))
        print("now run `python -m tools.translate update`, review any fuzzy entry, "
              "then `check`")
    elif args.command == "check":
        problems = (message_problems(lang) + notebook_problems(lang) + document_problems(lang)
                    + exercise_notes_problems(lang))
        print("\n".join(problems) or f"every {lang} translation is complete and current")
        return 1 if problems else 0
    else:
        rows = word_counts(lang)
        width = max(len(r[0]) for r in rows)
        print(f"{'file':<{width}}  {'English':>8}  {'to do':>8}")
        for name, total, todo in rows:
            print(f"{name:<{width}}  {total:>8}  {todo:>8}")
        print(f"{'total':<{width}}  {sum(r[1] for r in rows):>8}  {sum(r[2] for r in rows):>8}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
