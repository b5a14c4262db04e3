"""One helper for the kit's lazy public names (PEP 562), shared by its three packages.

``import fedlearn_kit`` must start at once (the command line, the lessons' first cell), so a
package lists each public name with the module that defines it, and the module is imported
the first time the name is used. The package, ``federation`` and ``federation.deployment``
all do this; the rule lives here once.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(package: str, exports: Mapping[str, str | None]
                 ) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package`` that load ``exports`` on first use.

    ``exports`` maps each public name to the submodule (relative to ``package``) that defines
    it, or to ``None`` when the name is itself a submodule. A loaded value is stored in the
    package's namespace, so later uses skip ``__getattr__``. Unknown names raise
    :class:`AttributeError`, as for any module.
    """
    namespace = importlib.import_module(package).__dict__

    def __getattr__(name: str) -> Any:  # noqa: N807 - the module hook's own name
        if name not in exports:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        home = exports[name]
        if home is None:
            value = importlib.import_module(f"{package}.{name}")
        else:
            value = getattr(importlib.import_module(f"{package}.{home}"), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:  # noqa: N807
        return sorted(set(namespace) | set(exports))

    return __getattr__, __dir__
