"""The kit's lazy public names: each loads its module on first use, unknown names fail."""

from __future__ import annotations

import importlib
import sys
import types

import pytest

from fedlearn_kit.lazy_names import lazy_exports


@pytest.mark.parametrize("package", ["fedlearn_kit", "fedlearn_kit.federation",
                                     "fedlearn_kit.federation.deployment"])
def test_every_public_name_of_each_package_resolves(package: str) -> None:
    module = importlib.import_module(package)
    for name in module.__all__:
        assert getattr(module, name) is not None, f"{package}.{name}"
    assert set(module.__all__) <= set(dir(module))


def test_a_name_loads_its_module_only_when_used_and_unknown_names_raise(
        monkeypatch: pytest.MonkeyPatch) -> None:
    package = types.ModuleType("lazy_pkg")
    package.__path__ = []  # a package, so "lazy_pkg.home" is its submodule
    home = types.ModuleType("lazy_pkg.home")
    home.answer = 42  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "lazy_pkg", package)
    monkeypatch.setitem(sys.modules, "lazy_pkg.home", home)
    getattr_, dir_ = lazy_exports("lazy_pkg", {"answer": "home", "home": None})
    assert "answer" not in package.__dict__
    assert getattr_("answer") == 42
    assert package.__dict__["answer"] == 42  # stored: the next use skips the hook
    assert getattr_("home") is home
    assert dir_() == sorted(set(package.__dict__) | {"answer", "home"})
    with pytest.raises(AttributeError, match="has no attribute 'missing'"):
        getattr_("missing")
