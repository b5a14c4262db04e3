"""A disk cache of the kit's heavy results, for the course's own test run only (lessons 02-08).

The notebooks tier runs every lesson twice, in English (``notebooks/``) and in Swedish
(``notebooks/sv/``): the same code cells on the same inputs. With ``FEDLEARN_RESULT_CACHE``
set to a folder, a function wrapped with :func:`cached` keeps its result there, keyed by the
function, its arguments, the kit's own source and everything else that could change a
number (the course app's source too, package versions, the CPU capability PyTorch uses,
its thread count); the Swedish run of a lesson then loads the result instead of training
again, while still executing every line of every cell around it and printing every
sentence in Swedish. Without the variable (a learner, the authoring tool that writes the
stored outputs, the cross-CPU test in ``tests/scale/``) a wrapped function simply runs.

Only functions whose result follows from their arguments alone may be wrapped: the seed is
an argument, nothing is drawn from global random state, and no argument is changed in place
(the cached copy would not repeat the change). Wrapped today (:data:`WRAPPED` lists them at
run time): ``fedlearn_kit.training.fit``, the one way lessons 02-08 and the exercise checks
train a model outside a federation (``fit_local``, ``fit_central`` call it). The candidates
measured for the full translation are listed in docs/translating.md.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import platform
import sys
import tempfile
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from fedlearn_kit.paths import PACKAGE_DIR

#: The folder of the cache; unset (the default), nothing is cached.
ENV_VAR = "FEDLEARN_RESULT_CACHE"
#: The functions wrapped with :func:`cached`, as ``module.name``.
WRAPPED: list[str] = []
_VERSIONS = ("torch", "numpy", "pandas", "scikit-learn", "flwr", "opacus")

#: A cached function keeps its signature: its parameters (P) and its result type (R).
P = ParamSpec("P")
R = TypeVar("R")


@functools.cache
def source_fingerprint() -> bytes:
    """The kit's source and the versions of what computes with it, as one digest."""
    digest = hashlib.sha256(platform.python_version().encode())
    for name in _VERSIONS:
        try:
            digest.update(f"{name}={metadata.version(name)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{name}=-".encode())
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        digest.update(path.relative_to(PACKAGE_DIR).as_posix().encode())
        digest.update(path.read_bytes())
    # The training loop and the model are the course app's (app/fedlearn_app/task.py).
    import fedlearn_app

    app_dir = Path(fedlearn_app.__file__).resolve().parent
    for path in sorted(app_dir.rglob("*.py")):
        digest.update(f"fedlearn_app/{path.relative_to(app_dir).as_posix()}".encode())
        digest.update(path.read_bytes())
    return digest.digest()


def _numeric_settings() -> str:
    """The settings that change a float in PyTorch, read at the call (not at import)."""
    torch = sys.modules.get("torch")
    if torch is None:
        return platform.machine()
    capability = torch.backends.cpu.get_cpu_capability()
    return f"{platform.machine()} {capability} threads={torch.get_num_threads()}"


def result_key(func: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    """The key of one call: the function, its pickled arguments, the source, the settings.
    Raises pickle.PicklingError (or TypeError) for arguments that cannot be pickled."""
    digest = hashlib.sha256(f"{func.__module__}.{func.__qualname__}".encode())
    digest.update(source_fingerprint())
    digest.update(_numeric_settings().encode())
    digest.update(pickle.dumps((args, sorted(kwargs.items())), protocol=4))
    return digest.hexdigest()[:40]


def cached(func: Callable[P, R]) -> Callable[P, R]:
    """Keep ``func``'s results on disk while ``FEDLEARN_RESULT_CACHE`` names a folder.

    A result that cannot be read back (a file cut short) is computed again; arguments that
    cannot be pickled run the function uncached.
    """
    WRAPPED.append(f"{func.__module__}.{func.__qualname__}")

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        folder = os.environ.get(ENV_VAR)
        if not folder:
            return func(*args, **kwargs)
        try:
            key = result_key(func, args, kwargs)
        except (pickle.PicklingError, TypeError, AttributeError):
            return func(*args, **kwargs)
        path = Path(folder) / f"{func.__qualname__}-{key}.pickle"
        try:
            stored: R = pickle.loads(path.read_bytes())  # what func returned for these args
            return stored
        except FileNotFoundError:
            pass
        except (pickle.UnpicklingError, EOFError, AttributeError, ImportError):
            pass  # torn or from another version of a class: compute it again
        result = func(*args, **kwargs)
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".part")
        with os.fdopen(handle, "wb") as out:  # whole or not at all: workers share the folder
            pickle.dump(result, out, protocol=4)
        os.replace(temporary, path)
        return result

    return wrapper
