"""Show the package's own code in a lesson, without copying it into the notebook.

``kit.show_source(kit.training.train)`` displays the function as it is in the package:
the code has one home, the notebook cell stays one line, and the display changes when the
package does (nbval then asks for the lesson to be re-executed).
"""

from __future__ import annotations

import ast
import inspect
import re
import textwrap
from pathlib import Path
from typing import Any

_PACKAGE_ROOT = Path(__file__).resolve().parents[1]


class Source:
    """A piece of the package's source: shown as highlighted code, compared as plain text."""

    def __init__(self, code: str, where: str) -> None:
        self.code, self.where = code, where

    def _repr_markdown_(self) -> str:
        return f"From `{self.where}`:\n\n```python\n{self.code}\n```"

    def __repr__(self) -> str:
        return f"# from {self.where}\n{self.code}"


def _where(obj: Any) -> str:
    path = Path(inspect.getsourcefile(obj) or "?").resolve()
    try:
        shown = path.relative_to(_PACKAGE_ROOT).as_posix()  # never a machine's own path
    except ValueError:
        shown = path.name
    _, line = inspect.getsourcelines(obj)
    return f"{shown}, line {line}"


def show_source(obj: Any, *, only: str | None = None, docstring: bool = True) -> Source:
    """The source of a function or class of the package, for display in a notebook.

    ``only`` shows just the function of that name defined inside ``obj`` (with its
    decorators), e.g. ``show_source(make_client_app, only="train")`` for the ClientApp's
    train handler. ``docstring=False`` leaves out the docstring, for a shorter display.
    Objects wrapped by a decorator are shown as written (``inspect.unwrap``).
    """
    target = inspect.unwrap(obj)
    try:
        code = textwrap.dedent(inspect.getsource(target)).rstrip()
    except (TypeError, OSError) as err:
        raise TypeError(f"show_source needs a function, method or class defined in a file; "
                        f"got {type(obj).__name__} ({err}).") from None
    where = _where(target)
    if only is not None:
        code, offset = _inner(code, only, getattr(target, "__qualname__", "?"))
        path, line = where.rsplit(", line ", 1)
        where = f"{path}, line {int(line) + offset}"
    if not docstring and getattr(target, "__doc__", None):
        code = _without_docstring(code)
    code = re.sub(r"[ \t]*# type: ignore\[[^\]]*\]", "", code)  # noise for a reader
    return Source(code, where)


def _inner(code: str, name: str, outer: str) -> tuple[str, int]:
    """The nested function ``name`` inside ``code`` (dedented) and its line offset."""
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == name \
                and node is not ast.parse(code).body[0]:
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            lines = code.splitlines()[first - 1:node.end_lineno]
            return textwrap.dedent("\n".join(lines)), first - 1
    raise ValueError(f"{outer} defines no function named {name!r}.")


def _without_docstring(code: str) -> str:
    lines = code.splitlines()
    for i, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith(('"""', "'''")):
            quote = stripped[:3]
            end = i if stripped.count(quote) >= 2 and len(stripped) > 3 else next(
                j for j in range(i + 1, len(lines)) if quote in lines[j])
            return "\n".join(lines[:i] + lines[end + 1:])
    return code
