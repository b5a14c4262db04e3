"""Papermill sees every knob of every notebook's parameters cell (README, "Bigger experiments").

Papermill reads a parameters cell line by line and skips, with at most a warning, a line it
cannot parse: a tuple assignment (``epochs, lr = 30, 0.1``) or a comment holding ``=`` or
quotes. A parameter passed with ``-p`` for such a line is then "unknown" and is injected
without the notebook's type, which a learner reads as an error.
"""

from __future__ import annotations

import ast
import logging

import nbformat
import papermill
import pytest

from tests.helpers import ROOT

NOTEBOOKS = sorted([*(ROOT / "notebooks").glob("*.ipynb"), *(ROOT / "solutions").glob("*.ipynb")])


def assigned(source: str) -> list[str]:
    """The names a parameters cell assigns, in order, as Python reads them."""
    names: list[str] = []
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                elements = target.elts if isinstance(target, ast.Tuple) else [target]
                names += [e.id for e in elements if isinstance(e, ast.Name)]
    return names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_papermill_reads_every_parameter(path, caplog: pytest.LogCaptureFixture) -> None:
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    with caplog.at_level(logging.WARNING):
        found = list(papermill.inspect_notebook(str(path)))
    assert found == assigned(cell.source), (
        "write one parameter per line, with a comment free of '=' and quotes")
    assert "Unable to parse" not in caplog.text
