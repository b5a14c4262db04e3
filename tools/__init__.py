"""The course's own build tooling, run by maintainers from a checkout; not installed.

``pip install`` of the kit installs what the course runs (``fedlearn_kit``); what only an
author runs to produce the course's committed files lives here and is run from the course
folder:

- ``python -m tools.authoring execute notebooks solutions``: re-execute notebooks in place
  (``make notebooks``); ``python -m tools.authoring exercises``: regenerate ``exercises/``
  from ``solutions/`` (``make exercises``).
- ``python -m tools.materials`` (``--check``): the workshop materials under ``docs/``, the
  lessons' "**Time:**" lines and README's time column, from their YAML sources.
- :mod:`tools.measure`: the memory and CPU figures of a running deployment (``benchmarks/``).
- ``python -m tools.translate update|add|build|check|words``: the Swedish catalogues under
  ``locale/`` and the Swedish notebooks built from them (docs/translating.md).
"""

from pathlib import Path

#: The course checkout these tools read and write (README.md, docs/, notebooks/, ...).
ROOT = Path(__file__).resolve().parents[1]
