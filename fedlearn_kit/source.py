"""Show the course's own code in a lesson, without copying it into the notebook.

``kit.show_source(client_app)`` displays a whole file of the course's Flower app as it is,
``kit.show_source(client_app, only="train")`` one of its handlers, and
``kit.show_source(kit.training.train)`` a function: the code has one home, the notebook
cell stays one line, and the display changes when the file does (nbval then asks for the
lesson to be re-executed). What is shown is the file's text, unaltered.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from pathlib import Path
from typing import Any

from fedlearn_kit.i18n import _

_PACKAGE_ROOT = Path(__file__).resolve().parents[1]


class Source:
    """A piece of the package's source: shown as highlighted code, compared as plain text."""

    def __init__(self, code: str, where: str, language: str = "python") -> None:
        self.code, self.where, self.language = code, where, language

    def _repr_markdown_(self) -> str:
        return f"From `{self.where}`:\n\n```{self.language}\n{self.code}\n```"

    def __repr__(self) -> str:
        return f"# from {self.where}\n{self.code}"


def _where(obj: Any) -> str:
    # The file relative to the course folder and the object's name, never a machine's own
    # path and no line number: an edit elsewhere in the file must not change what is shown.
    path = Path(inspect.getsourcefile(obj) or "?").resolve()
    try:
        shown = path.relative_to(_PACKAGE_ROOT).as_posix()
    except ValueError:
        shown = path.name
    if inspect.ismodule(obj):
        return shown
    return f"{shown}, {getattr(obj, '__qualname__', type(obj).__name__)}"


def show_source(obj: Any, *, only: str | None = None, docstring: bool = True) -> Source:
    """The source of a module, function or class of the course, for display in a notebook.

    A path (``str`` or ``Path``) shows that file whole, e.g. the app's ``pyproject.toml``.
    ``only`` shows just the function of that name defined inside ``obj`` (with its
    decorators), e.g. ``show_source(client_app, only="train")`` for the ClientApp's
    train handler. ``docstring=False`` leaves out the docstring, for a shorter display.
    Objects wrapped by a decorator are shown as written (``inspect.unwrap``).
    """
    if isinstance(obj, str | Path):
        return _file(Path(obj))
    target = inspect.unwrap(obj)
    try:
        code = textwrap.dedent(inspect.getsource(target)).rstrip()
    except (TypeError, OSError) as err:
        raise TypeError(_("show_source needs a module, function or class defined in a file; "
                          "got {kind} ({error}).").format(kind=type(obj).__name__,
                                                          error=err)) from None
    where = _where(target)
    if only is not None:
        code = _inner(code, only, getattr(target, "__qualname__", "?"))
        where = f"{where}, {only}"
    if not docstring and getattr(target, "__doc__", None):
        code = _without_docstring(code)
    return Source(code, where)


def _file(path: Path) -> Source:
    """A whole text file (e.g. the app's ``pyproject.toml``), as it is."""
    path = path.resolve()
    try:
        where = path.relative_to(_PACKAGE_ROOT).as_posix()
    except ValueError:
        where = path.name
    language = {".py": "python", ".toml": "toml"}.get(path.suffix, "text")
    return Source(path.read_text(encoding="utf-8").rstrip(), where, language)


def _inner(code: str, name: str, outer: str) -> str:
    """The nested function ``name`` inside ``code``, with its decorators, dedented."""
    tree = ast.parse(code)
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == name \
                and node is not tree.body[0]:
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            lines = code.splitlines()[first - 1:node.end_lineno]
            return textwrap.dedent("\n".join(lines))
    raise ValueError(_("{outer} defines no function named {name!r}.").format(outer=outer,
                                                                             name=name))


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
