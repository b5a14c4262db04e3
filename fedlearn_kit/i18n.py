"""The kit's language: which one to use, and its sentences in that language (every lesson).

English is the source of every sentence the kit prints, shows or raises. The Swedish
translations are kept in a gettext catalogue (``locale/sv/fedlearn_kit.po`` in the course
folder, compiled into ``fedlearn_kit/locale/sv/LC_MESSAGES/fedlearn_kit.mo`` by
``python -m tools.translate update``; docs/translating.md). A sentence without a reviewed
translation is shown in English.

Which language, decided by :func:`language`, first match wins:

1. ``lang`` given to the call (``show_cards(step, lang="sv")``, ``fedlearn-kit dpia --lang``);
2. the course folder the kernel or command runs in: ``notebooks/sv/``, ``solutions/sv/`` or
   ``exercises/sv/`` is Swedish, ``notebooks/``, ``solutions/`` and ``exercises/`` are English.
   A notebook's printed output is then always in the language of its own text, on every
   machine (JupyterLab, nbval and the authoring tool run a kernel in the notebook's folder;
   papermill does when given ``--cwd``);
3. ``FEDLEARN_LANG`` (``en`` or ``sv``): a whole session, outside the course folders;
4. the ``language`` recorded in the learner's answers file (a command's ``--answers`` file,
   else the default one; the card panel records the language the learner answers in);
5. English.

A document written from the learner's answers (the DPIA draft, the take-home pack, the
answers template) is in the language of those answers: :func:`document_language` puts the
answers file's language before the folder and ``FEDLEARN_LANG``.

Writing a message (the convention, docs/translating.md): wrap the whole English sentence,
with named placeholders, and format after translating::

    print(_("Wrote {path}: {answered} of {total} questions answered.").format(...))
    ngettext("{n} answer loaded from {file}", "{n} answers loaded from {file}", n)

Never build a sentence from fragments or an f-string inside ``_()``; a test refuses both.
Text defined at import time is marked with :func:`N_` and translated where it is shown.
"""

from __future__ import annotations

import gettext as _gettext
import json
import os
from functools import cache
from pathlib import Path

from fedlearn_kit.paths import PACKAGE_DIR, answers_path

#: The languages of the course; the first is the source every translation is made from.
LANGUAGES = ("en", "sv")
SOURCE_LANGUAGE = LANGUAGES[0]
#: The session's language outside the course folders.
ENV_VAR = "FEDLEARN_LANG"
#: The course folders whose notebooks exist per language: ``notebooks/`` holds the English
#: lessons, ``notebooks/sv/`` the Swedish ones.
COURSE_FOLDERS = ("notebooks", "solutions", "exercises")
#: The gettext domain and where its compiled catalogues ship, inside the package.
DOMAIN = "fedlearn_kit"
LOCALE_DIR = PACKAGE_DIR / "locale"


def check_language(lang: object, where: str = "lang") -> str:
    """``lang`` if it is a language of the course; a ValueError saying which ones are."""
    if lang not in LANGUAGES:
        raise ValueError(f"{where}={lang!r}: the course is in {', '.join(LANGUAGES)}; "
                         f"use one of those.")
    return str(lang)


def folder_language(folder: str | os.PathLike[str] | None = None) -> str | None:
    """The language of a course folder (default: the current one), or None if it is not one.

    ``notebooks``, ``solutions`` and ``exercises`` are English; a subfolder of one of them
    named after another course language (``notebooks/sv``) is in that language.
    """
    path = Path(folder) if folder is not None else Path.cwd()
    if path.name in COURSE_FOLDERS:
        return SOURCE_LANGUAGE
    if path.name in LANGUAGES and path.parent.name in COURSE_FOLDERS:
        return path.name
    return None


def _environment_language() -> str | None:
    value = os.environ.get(ENV_VAR, "").strip()
    return check_language(value, ENV_VAR) if value else None


#: The answers file a command was given (``--answers``): rule 4 reads it instead of the
#: default one. Set by :func:`use_answers_file`; a notebook never sets it.
_given_answers_file: list[str | os.PathLike[str]] = []


def use_answers_file(answers_file: str | os.PathLike[str] | None) -> None:
    """Read the language of ``answers_file`` (a command's ``--answers``) for the rest of this
    process; None goes back to the default answers file."""
    _given_answers_file[:] = [answers_file] if answers_file else []


def saved_language(answers_file: str | os.PathLike[str] | None = None) -> str | None:
    """The ``language`` recorded in the answers file, or None (also when the file is missing
    or cannot be read: the answers commands report a broken file; the language never does)."""
    path = answers_path(answers_file or (_given_answers_file[0] if _given_answers_file
                                         else None))
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return None
    value = data.get("language") if isinstance(data, dict) else None
    return value if value in LANGUAGES else None


def language(lang: str | None = None,
             answers_file: str | os.PathLike[str] | None = None) -> str:
    """The language to use: ``lang``, else the course folder's, else ``FEDLEARN_LANG``, else
    the answers file's, else English (the module docstring says why in that order)."""
    if lang is not None:
        return check_language(lang)
    return (folder_language() or _environment_language() or saved_language(answers_file)
            or SOURCE_LANGUAGE)


def document_language(lang: str | None = None,
                      answers_file: str | os.PathLike[str] | None = None) -> str:
    """The language of a document written from the learner's answers: ``lang``, else the
    answers file's recorded language, else :func:`language`."""
    if lang is not None:
        return check_language(lang)
    return saved_language(answers_file) or language(answers_file=answers_file)


@cache
def translations(lang: str) -> _gettext.NullTranslations:
    """The compiled catalogue of ``lang`` (English, or a missing catalogue: the source text)."""
    check_language(lang)
    if lang == SOURCE_LANGUAGE:
        return _gettext.NullTranslations()
    return _gettext.translation(DOMAIN, localedir=LOCALE_DIR, languages=[lang], fallback=True)


def _(message: str, lang: str | None = None) -> str:
    """``message`` in the course's language (or ``lang``); the English when not translated."""
    return translations(language(lang)).gettext(message)


def ngettext(singular: str, plural: str, n: int, lang: str | None = None) -> str:
    """The singular or plural form for ``n``, by the language's own plural rule."""
    return translations(language(lang)).ngettext(singular, plural, n)


def N_(message: str) -> str:  # noqa: N802 - gettext's own name for it
    """Mark text defined at import time for the catalogue; translate it with ``_`` where
    it is shown."""
    return message
