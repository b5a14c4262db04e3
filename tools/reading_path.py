"""The non-programmer's reading path through a lesson, applied to the notebooks by rule.

``python -m tools.reading_path [--check] [NOTEBOOK ...]`` (default: every lesson in
``notebooks/``) makes each lesson follow these rules, so that they survive any re-edit:

- **The cards cell works alone.** The cell that shows the lesson's cards imports what it
  needs (``from fedlearn_kit.gdpr import show_cards``) and uses nothing an earlier cell
  defined, so a learner can run that one cell as soon as the lesson opens. Tag ``cards``.
- **Checked sentences apart.** The ``claim(...)`` calls that test the lesson's sentences
  against its numbers (:mod:`fedlearn_kit.claims`) move from the cell that computes into a
  cell of their own right after it, tagged ``checked-sentences``, opened by a one-line
  marker and collapsed in JupyterLab (``jupyter.source_hidden``). A claim prints nothing
  while its sentence holds, so no result is hidden.
- **Listings for developers.** A cell that shows the kit's source (``show_source``) is
  tagged ``for-developers`` and opened by the one-line marker; so is any cell an author
  tagged ``for-developers`` (the Flower internals of lessons 04, 06 and 07).

Tags (one vocabulary for the course): ``cards``, ``checked-sentences``, ``for-developers``.
Every code cell a non-programmer may skip carries one of the last two and its marker; the
lesson exports (``fedlearn_kit.materials.export``) fold such a cell's code under the marker.
``--check`` changes nothing and lists what does not follow the rules (exit 1); a unit test
runs the same check. After applying, re-execute the notebook (``python -m tools.authoring
execute``) and rebuild the materials.
"""

from __future__ import annotations

import argparse
import ast
import builtins
import copy
import json
import sys
from pathlib import Path

import nbformat

from tools import ROOT

CARDS, CLAIMS, DEVELOPERS = "cards", "checked-sentences", "for-developers"
#: The one-line marker that opens a cell a non-programmer may skip, per tag.
MARKERS = {
    CLAIMS: "# Checked sentences: tests the lesson's text against its numbers. You may skip it.",
    DEVELOPERS: "# For developers: you may skip this code; the text says what it shows.",
}
CARDS_MARKER = "# This lesson's cards: run this cell alone to answer them, nothing else first."
CLAIM_IMPORT = "from fedlearn_kit.claims import claim"


def lesson_notebooks() -> list[Path]:
    """The lessons whose reading path the rules keep (``notebooks/NN_*.ipynb``)."""
    return sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def _tags(cell: nbformat.NotebookNode) -> list[str]:
    return list(cell.metadata.get("tags", []))


def _add_tag(cell: nbformat.NotebookNode, tag: str) -> None:
    tags = _tags(cell)
    if tag not in tags:
        cell.metadata["tags"] = [*tags, tag]


def _hide_source(cell: nbformat.NotebookNode, hidden: bool = True) -> None:
    jupyter = dict(cell.metadata.get("jupyter", {}))
    jupyter["source_hidden"] = hidden
    cell.metadata["jupyter"] = jupyter


def _with_marker(source: str, marker: str) -> str:
    lines = source.splitlines()
    rest = [ln for ln in lines if ln.strip() not in {m for m in (*MARKERS.values(),
                                                                  CARDS_MARKER)}]
    return "\n".join([marker, *rest])


def _is_claim(node: ast.stmt) -> bool:
    return (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
            and isinstance(node.value.func, ast.Name) and node.value.func.id == "claim")


def _is_claim_import(node: ast.stmt) -> bool:
    return (isinstance(node, ast.ImportFrom) and node.module == "fedlearn_kit.claims"
            and [a.name for a in node.names] == ["claim"])


def split_claims(source: str) -> tuple[str, str] | None:
    """``source`` without its top-level ``claim(...)`` calls (and the import of ``claim``),
    and those calls as a cell of their own; None when the cell has no such call or cannot
    be parsed (IPython magics)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    claims = [n for n in tree.body if _is_claim(n)]
    if not claims:
        return None
    moved = claims + [n for n in tree.body if _is_claim_import(n)]
    lines = source.splitlines()
    drop = {i for n in moved for i in range(n.lineno - 1, (n.end_lineno or n.lineno))}
    kept = [ln for i, ln in enumerate(lines) if i not in drop]
    while kept and not kept[-1].strip():
        kept.pop()
    while kept and not kept[0].strip():
        kept.pop(0)
    claim_text = "\n".join("\n".join(lines[n.lineno - 1:n.end_lineno]) for n in claims)
    return "\n".join(kept), f"{MARKERS[CLAIMS]}\n{CLAIM_IMPORT}\n\n{claim_text}"


def cards_cell_source(source: str) -> str | None:
    """The self-contained form of a cards cell (``kit.show_cards("x")`` ->
    ``from fedlearn_kit.gdpr import show_cards`` + ``show_cards("x")``), or None when
    ``source`` does not show cards."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    calls = [n.value for n in tree.body if isinstance(n, ast.Expr)
             and isinstance(n.value, ast.Call)
             and (getattr(n.value.func, "attr", None) == "show_cards"
                  or getattr(n.value.func, "id", None) == "show_cards")]
    if len(calls) != 1:
        return None
    call = calls[0]
    args = [_literal(a) for a in call.args]
    args += [f"{k.arg}={_literal(k.value)}" for k in call.keywords]
    return (f"{CARDS_MARKER}\nfrom fedlearn_kit.gdpr import show_cards\n\n"
            f"show_cards({', '.join(args)})")


def _literal(node: ast.expr) -> str:
    """An argument as the course writes it (strings in double quotes)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return json.dumps(node.value, ensure_ascii=False)
    return ast.unparse(node)


def free_names(source: str) -> set[str]:
    """Names a cell reads that it neither defines nor imports, nor are builtins: what it
    needs from earlier cells."""
    tree = ast.parse(source)
    bound = set(dir(builtins))
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            bound.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            bound.add(node.name)
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)
            and isinstance(n.ctx, ast.Load) and n.id not in bound}


def apply_rules(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy of ``nb`` that follows the reading-path rules (see the module docstring)."""
    nb = copy.deepcopy(nb)
    cells: list[nbformat.NotebookNode] = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            cells.append(cell)
            continue
        cards = cards_cell_source(cell.source)
        if cards is not None:
            cell.source = cards
            _add_tag(cell, CARDS)
            cells.append(cell)
            continue
        if CLAIMS in _tags(cell):
            cell.source = _with_marker(cell.source, MARKERS[CLAIMS])
            _hide_source(cell)
            cells.append(cell)
            continue
        split = split_claims(cell.source)
        if split is not None:
            cell.source, claims = split
            claim_cell = nbformat.v4.new_code_cell(claims)
            _add_tag(claim_cell, CLAIMS)
            _hide_source(claim_cell)
            cells.append(cell)
            if cell.source.strip():
                cells.append(claim_cell)
            else:  # the cell held nothing but claims: it becomes the claims cell
                cell.source, cell.metadata = claim_cell.source, claim_cell.metadata
            continue
        if "show_source(" in cell.source:
            _add_tag(cell, DEVELOPERS)
        if DEVELOPERS in _tags(cell):
            cell.source = _with_marker(cell.source, MARKERS[DEVELOPERS])
        cells.append(cell)
    nb.cells = cells
    return nb


def problems(nb: nbformat.NotebookNode, name: str) -> list[str]:
    """What in ``nb`` does not follow the rules, one line each (empty when all is well)."""
    found: list[str] = []
    if nbformat.writes(apply_rules(nb)) != nbformat.writes(nb):
        found.append(f"{name}: not as the reading-path rules make it; run "
                     f"`python -m tools.reading_path {name}` and re-execute it")
    cards = [c for c in nb.cells if CARDS in _tags(c)]
    if len(cards) != 1:
        found.append(f"{name}: {len(cards)} cards cells; a lesson has one")
    for cell in cards:
        needs = free_names(cell.source)
        if needs:
            found.append(f"{name}: the cards cell needs {sorted(needs)} from earlier cells")
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and "claim(" in cell.source and CLAIMS not in _tags(cell):
            found.append(f"{name}, cell {i}: a claim(...) outside a checked-sentences cell "
                         f"(only top-level calls can be moved: put it at the cell's top level)")
    return found


def main(argv: list[str] | None = None) -> int:
    """Apply the rules to the given lessons (default: all), or with ``--check`` list what
    does not follow them."""
    parser = argparse.ArgumentParser(prog="python -m tools.reading_path",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 on "
                                                             "any problem")
    parser.add_argument("notebooks", nargs="*", type=Path)
    args = parser.parse_args(argv)
    paths = [p.resolve() for p in args.notebooks] or lesson_notebooks()
    status = 0
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        name = str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)
        if args.check:
            for line in problems(nb, name):
                print(line)
                status = 1
            continue
        new = apply_rules(nb)
        if nbformat.writes(new) != nbformat.writes(nb):
            nbformat.write(new, path)
            print(f"applied the reading path to {name}; re-execute it")
    return status


if __name__ == "__main__":
    sys.exit(main())
