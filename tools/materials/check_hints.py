"""The hints each exercise check gives, in a language, for the facilitator's answer key.

An exercise's check (``fedlearn_kit/checks/``) is the function whose docstring starts
"Exercise N.M:". Its hints are the second argument of each ``failed(message, hint)`` it calls,
and the hint of each statement of a true-or-false quiz it runs (a module-level dict of
``(truth, N_(hint))``). The hint's English is the gettext message id; its translation comes
from the kit's compiled catalogue (``locale/sv/fedlearn_kit.po``). A hint not yet translated
is left out of the Swedish key, never shown in English there.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

from fedlearn_kit import checks
from fedlearn_kit.i18n import translations

CHECKS = Path(checks.__file__).resolve().parent
_EXERCISE = re.compile(r"^Exercise (\d+\.\d+):")
_PLACEHOLDER = re.compile(r"\{[a-z_]+(?:![rs])?\}")


def _message_ids(node: ast.AST) -> list[str]:
    """The message ids of every ``_("...")`` or ``N_("...")`` call inside ``node``."""
    return [call.args[0].value for call in ast.walk(node)
            if isinstance(call, ast.Call) and isinstance(call.func, ast.Name)
            and call.func.id in ("_", "N_") and call.args
            and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str)]


def _quiz_hints(module: ast.Module) -> dict[str, list[str]]:
    """Per module-level name bound to a dict of (truth, hint) pairs, its hints' ids."""
    found: dict[str, list[str]] = {}
    for statement in module.body:
        if (isinstance(statement, ast.Assign) and len(statement.targets) == 1
                and isinstance(statement.targets[0], ast.Name)
                and isinstance(statement.value, ast.Dict)):
            hints = [msgid for value in statement.value.values
                     if isinstance(value, ast.Tuple) and len(value.elts) == 2
                     for msgid in _message_ids(value.elts[1])]
            if hints:
                found[statement.targets[0].id] = hints
    return found


def _function_hints(function: ast.FunctionDef, quizzes: dict[str, list[str]],
                    helpers: dict[str, ast.FunctionDef], seen: frozenset[str] = frozenset()
                    ) -> list[str]:
    """The hints ``function`` gives, and those of the module's helpers it calls (a check
    may leave its failures to a helper: ``_gains_problem``)."""
    hints = [msgid for call in ast.walk(function)
             if isinstance(call, ast.Call) and isinstance(call.func, ast.Name)
             and call.func.id == "failed" and len(call.args) >= 2
             for msgid in _message_ids(call.args[1])]
    hints += [msgid for name in ast.walk(function)
              if isinstance(name, ast.Name) and name.id in quizzes for msgid in quizzes[name.id]]
    called = [call.func.id for call in ast.walk(function)
              if isinstance(call, ast.Call) and isinstance(call.func, ast.Name)
              and call.func.id in helpers and call.func.id not in seen]
    for name in dict.fromkeys(called):
        hints += _function_hints(helpers[name], quizzes, helpers, seen | {function.name, name})
    return list(dict.fromkeys(hints))  # in order, once


@cache
def hint_ids() -> dict[str, list[str]]:
    """Per exercise id ("3.1"), the message ids of the hints its check gives, in order."""
    found: dict[str, list[str]] = {}
    for path in sorted(CHECKS.glob("*.py")):
        module = ast.parse(path.read_text(encoding="utf-8"))
        quizzes = _quiz_hints(module)
        helpers = {node.name: node for node in module.body
                   if isinstance(node, ast.FunctionDef) and node.name.startswith("_")}
        for node in module.body:
            doc = ast.get_docstring(node) if isinstance(node, ast.FunctionDef) else None
            match = _EXERCISE.match(doc or "")
            if isinstance(node, ast.FunctionDef) and match:
                found.setdefault(match.group(1), []).extend(
                    _function_hints(node, quizzes, helpers))
    return found


def check_hints(exercise: str, lang: str) -> list[str]:
    """The hints the check of ``exercise`` gives, translated into ``lang`` (only those the
    catalogue translates), each placeholder shown as "…" and the first letter capitalised."""
    catalogue = translations(lang)
    out = []
    for msgid in hint_ids().get(exercise, []):
        text = catalogue.gettext(msgid)
        if lang != "en" and text == msgid:
            continue  # not translated yet: the Swedish key leaves it out
        text = _PLACEHOLDER.sub("…", text).replace("{{", "{").replace("}}", "}")
        out.append(text[:1].upper() + text[1:])
    return out
