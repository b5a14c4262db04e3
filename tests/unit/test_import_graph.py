"""The package's import graph: no cycles, no module using another module's private names,
nothing from the checkout's tools/ (never installed).

The graph is read from the source (``ast``), with every import a module makes at any level
(a function-level import is still an edge) except those under ``if TYPE_CHECKING:``, which
never run. A private name is one that starts with ``_`` (not a dunder), imported from or
read off another module of the kit. ``fedlearn_kit.federation._flower`` is the one
exception by design: it is the adapter every module must use for Flower's internals; and
``_``/``N_`` of ``fedlearn_kit.i18n`` are gettext's conventional names, not private ones.
"""

from __future__ import annotations

import ast
import importlib
import re
from collections.abc import Iterator
from pathlib import Path

import fedlearn_kit

PACKAGE = Path(fedlearn_kit.__file__).parent
ROOT_NAME = "fedlearn_kit"
#: Private by name, public to the kit by design (see the module docstring).
SANCTIONED = {"fedlearn_kit.federation._flower"}
#: gettext's own names for "translate this" (fedlearn_kit.i18n): public by convention.
GETTEXT_NAMES = {"_", "N_"}
#: Top-level folders of the checkout that are not installed with the kit.
CHECKOUT_ONLY = ("tools", "benchmarks", "tests")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def is_module(name: str) -> bool:
    return name in MODULES


def resolve(current: str, node: ast.ImportFrom) -> str:
    """The absolute module an ``ImportFrom`` names (handles relative imports)."""
    if not node.level:
        return node.module or ""
    base = current.split(".")
    if MODULES[current].name != "__init__.py":
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def type_checking_nodes(tree: ast.AST) -> set[int]:
    """ids of the statements under ``if TYPE_CHECKING:`` (never executed)."""
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                skipped |= {id(n) for n in ast.walk(child)}
    return skipped


def imports(name: str) -> Iterator[tuple[str, str | None, bool]]:
    """(imported module, imported attribute or None, runs at import/call time) per import."""
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    skipped = type_checking_nodes(tree)
    aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        runtime = id(node) not in skipped
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith(ROOT_NAME):
                    aliases[alias.asname or alias.name] = alias.name
                    yield alias.name, None, runtime
        elif isinstance(node, ast.ImportFrom):
            source = resolve(name, node)
            if not source.startswith(ROOT_NAME):
                continue
            for alias in node.names:
                full = f"{source}.{alias.name}"
                if is_module(full):
                    aliases[alias.asname or alias.name] = full
                    yield full, None, runtime
                else:
                    yield source, alias.name, runtime
    for node in ast.walk(tree):  # module.attribute on an imported kit module
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                and node.value.id in aliases:
            yield aliases[node.value.id], node.attr, id(node) not in skipped


def private(attribute: str | None, module: str) -> bool:
    if module in SANCTIONED or (module == "fedlearn_kit.i18n" and attribute in GETTEXT_NAMES):
        return False
    named = [*module.split(".")[1:], attribute or ""]
    return any(part.startswith("_") and not part.startswith("__") for part in named)


def violations() -> set[str]:
    found = set()
    for name in MODULES:
        for module, attribute, _ in imports(name):
            if module != name and private(attribute, module):
                target = module if attribute is None else f"{module}.{attribute}"
                found.add(f"{name} -> {target}")
    return found


def graph() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {name: set() for name in MODULES}
    for name in MODULES:
        for module, _, runtime in imports(name):
            target = module if is_module(module) else None
            if runtime and target and target != name:
                edges[name].add(target)
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def test_the_package_has_no_import_cycle() -> None:
    assert cycles(graph()) == []


def test_no_module_imports_another_modules_private_names() -> None:
    found = sorted(violations())
    assert not found, "Make these helpers public (and documented) instead:\n" + "\n".join(found)


def checkout_imports(name: str) -> list[str]:
    """The modules of tools/, benchmarks/ or tests/ that a package module imports."""
    found = []
    for node in ast.walk(ast.parse(MODULES[name].read_text(encoding="utf-8"))):
        sources = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                   else [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level
                   else [])
        found += [s for s in sources if s.split(".")[0] in CHECKOUT_ONLY]
    return found


def test_the_package_imports_nothing_that_is_not_installed() -> None:
    found = {name: checkout_imports(name) for name in MODULES if checkout_imports(name)}
    assert not found, f"the installed kit cannot import these (checkout only): {found}"
    assert not hasattr(importlib.import_module("fedlearn_kit.paths"), "ROOT")


def test_the_checker_sees_a_cycle_and_a_private_import(monkeypatch, tmp_path) -> None:
    """The tests above could not fail if the walkers missed edges: show they find them."""
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert private("_helper", "fedlearn_kit.federation.local")
    assert private(None, "fedlearn_kit.federation._private_module")
    assert not private("helper", "fedlearn_kit.federation.local")
    assert not private("anything", "fedlearn_kit.federation._flower")
    assert "fedlearn_kit.federation.engines" in graph()["fedlearn_kit.cli"] or \
        "fedlearn_kit.federation.engines" in {m for m, _, _ in imports("fedlearn_kit.cli")}
    module = tmp_path / "module.py"
    module.write_text("import os\nimport tools.measure\nfrom benchmarks import cohort\n"
                      "from fedlearn_kit import paths\nfrom . import tools\n")
    monkeypatch.setitem(MODULES, "fedlearn_kit.module", module)
    assert checkout_imports("fedlearn_kit.module") == ["tools.measure", "benchmarks"]


#: Flower's public API: the packages of the Message API that Flower's templates and
#: docs import, and the public packages of its legacy API (SecAgg+ exists only there in
#: flwr 1.42). Anything else of Flower is internal and belongs in the adapter.
FLOWER_PUBLIC = {"flwr.app", "flwr.clientapp", "flwr.clientapp.mod", "flwr.serverapp",
                 "flwr.serverapp.strategy", "flwr.simulation", "flwr.client",
                 "flwr.client.mod", "flwr.server", "flwr.server.strategy",
                 "flwr.server.workflow", "flwr.common"}
ADAPTER = "fedlearn_kit.federation._flower"
APP_FOLDER = PACKAGE.parent / "app" / "fedlearn_app"
_FLOWER_NAME = re.compile(r"^(flwr(?:\.[A-Za-z_]\w*)+)(?::[\w.]+)?$")


def flower_modules(source: str) -> set[str]:
    """Every Flower module a source names: imported (at any level, type-only too), or
    written as a ``"flwr.module[:attribute]"`` string for importlib."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names if a.name.split(".")[0] == "flwr"}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "flwr":
            names.add(node.module or "")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and \
                (match := _FLOWER_NAME.match(node.value)):
            names.add(match.group(1))
    return names


def flower_internals_outside_the_adapter() -> dict[str, set[str]]:
    sources = {name: path for name, path in MODULES.items() if name != ADAPTER}
    sources |= {f"app/{p.name}": p for p in sorted(APP_FOLDER.glob("*.py"))}
    found = {}
    for name, path in sources.items():
        internal = flower_modules(path.read_text(encoding="utf-8")) - FLOWER_PUBLIC - {"flwr"}
        if internal:
            found[name] = internal
    return found


def test_flower_internals_are_named_only_in_the_adapter() -> None:
    assert flower_internals_outside_the_adapter() == {}, (
        "Reach these through fedlearn_kit.federation._flower, with a contract test each.")


def test_the_flower_check_sees_imports_and_importlib_strings() -> None:
    source = ("from flwr.app import Message\nimport flwr.supercore.run\n"
              "PATCH = 'flwr.supercore.heartbeat:HEARTBEAT_CALL_TIMEOUT'\n"
              "TEXT = 'see flwr.supercore.x for why'\n")
    assert flower_modules(source) - FLOWER_PUBLIC == {"flwr.supercore.run",
                                                     "flwr.supercore.heartbeat"}


def test_the_public_api_lists_exactly_what_it_loads() -> None:
    assert sorted(fedlearn_kit.__all__) == sorted(fedlearn_kit._EXPORTS)  # noqa: SLF001
    # Every name loads: a wrong module in the table fails here, not in a lesson.
    missing = [name for name in fedlearn_kit.__all__ if getattr(fedlearn_kit, name) is None]
    assert missing == []
