"""Lessons teach Flower with the course's app: no kit hooks, no ClientApp of their own.

Every ClientApp or ServerApp a notebook shows or builds is the app folder's: built from the
handlers of ``fedlearn_app.client_app`` (registered with Flower's mods) or running
``fedlearn_app.server_app.run_rounds``. The cells that show Flower code are marked for
developers, so a reader who does not program can pass them.
"""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import pytest

from tests.helpers import ROOT

NOTEBOOKS = sorted(p for folder in ("notebooks", "solutions", "exercises")
                   for p in (ROOT / folder).glob("*.ipynb"))
#: Names of the kit's former hooks around the apps, gone with issue 19.
HOOKS = ("make_client_app", "make_server_app", "train_fn=", "wrap_strategy", "TrainRequest",
         "RecordingStrategy", "write_flower_app", "sgd_train", "train_mods=")
DEVELOPERS = "for-developers"
MARKER = "**For developers**"
#: Lessons whose Flower code must be marked for developers.
FLOWER_LESSONS = ("04_", "06_", "07_")


def code_cells(path: Path) -> list[nbformat.NotebookNode]:
    return [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]


def app_imports(source: str) -> set[str]:
    """The names a cell imports from the app (``from fedlearn_app import client_app``)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    return {alias.asname or alias.name for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module == "fedlearn_app"
            for alias in node.names}


def foreign_apps(source: str, app_modules: set[str] | None = None) -> list[str]:
    """What in ``source`` makes or shows a ClientApp/ServerApp that is not the app folder's.

    ``app_modules``: the app's modules earlier cells imported (this cell's are added).
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:  # a blank left for the learner (`raise NotImplementedError()` is fine)
        return []
    problems = []
    app_modules = set(app_modules or ()) | app_imports(source)
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for decorator in node.decorator_list:
                call = decorator.func if isinstance(decorator, ast.Call) else decorator
                if isinstance(call, ast.Attribute) and call.attr in ("train", "evaluate",
                                                                     "query", "main"):
                    problems.append(f"a handler of its own: {node.name}")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Call):
            inner = node.func.func  # app.train(...)(handler): the handler must be the app's
            if isinstance(inner, ast.Attribute) and inner.attr in ("train", "evaluate"):
                handler = node.args[0] if node.args else None
                if not (isinstance(handler, ast.Attribute) and isinstance(handler.value, ast.Name)
                        and handler.value.id in app_modules):
                    problems.append(f"registers {ast.unparse(handler) if handler else '?'}")
    return problems


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_cell_calls_a_kit_hook_or_shows_an_app_of_its_own(path: Path) -> None:
    imported: set[str] = set()
    for cell in code_cells(path):
        assert not [h for h in HOOKS if h in cell.source], cell.source
        assert foreign_apps(cell.source, imported) == [], cell.source
        imported |= app_imports(cell.source)


def test_the_check_finds_an_app_that_is_not_the_folders() -> None:
    own = "from flwr.clientapp import ClientApp\napp = ClientApp()\n" \
          "@app.train()\ndef train(msg, context):\n    return msg\n"
    assert foreign_apps(own) == ["a handler of its own: train"]
    other = "from mine import handlers\napp.train()(handlers.train)\n"
    assert foreign_apps(other) == ["registers handlers.train"]
    fine = "from fedlearn_app import client_app\napp.train(mods=[m])(client_app.train)\n"
    assert foreign_apps(fine) == []
    later = "app.evaluate()(client_app.evaluate)\n"  # imported by an earlier cell
    assert foreign_apps(later) == ["registers client_app.evaluate"]
    assert foreign_apps(later, app_imports(fine)) == []


@pytest.mark.parametrize("path", [p for p in NOTEBOOKS if p.name.startswith(FLOWER_LESSONS)],
                         ids=lambda p: f"{p.parent.name}/{p.name}")
def test_flower_code_is_marked_for_developers(path: Path) -> None:
    cells = nbformat.read(path, as_version=4).cells
    for cell in cells:
        tagged = DEVELOPERS in cell.metadata.get("tags", [])
        if cell.cell_type == "markdown" and tagged:
            assert MARKER in cell.source.splitlines()[0] or \
                cell.source.startswith("###"), cell.source[:80]
        if cell.cell_type == "code" and ("fedlearn_app" in cell.source or "flwr" in cell.source
                                         or "show_source" in cell.source):
            assert tagged, f"untagged Flower code in {path.name}:\n{cell.source}"


def test_lesson_04_shows_the_apps_files_whole() -> None:
    sources = "\n".join(c.source for c in code_cells(ROOT / "notebooks" / "04_federated.ipynb"))
    for shown in ('kit.show_source(app / "pyproject.toml")', "kit.show_source(client_app)",
                  "kit.show_source(server_app)"):
        assert shown in sources
