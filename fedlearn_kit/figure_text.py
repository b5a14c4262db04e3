"""Text alternatives for the course's figures: what a figure shows and its main finding.

A plotting function calls :func:`describe` with a sentence or two computed from the data it
drew ("Bar chart of AUROC ... Highest on Site A's patients: central, 0.712."). In a notebook
the description becomes the figure output's ``text/plain`` (instead of matplotlib's
"<Figure size ...>"), so it is stored with the notebook, compared by nbval like any other
output, and used as the image's ``alt`` text by the HTML exports (lesson pages, projector
views). A screen-reader user of those pages hears the description; everyone else sees the
figure.
"""

from __future__ import annotations

import weakref
from typing import Any

from matplotlib.figure import Figure

_DESCRIPTIONS: weakref.WeakKeyDictionary[Figure, str] = weakref.WeakKeyDictionary()
#: The text matplotlib's own repr starts with: an output that is not a description.
DEFAULT_REPR_START = "<Figure size"


def describe(fig: Figure, text: str) -> Figure:
    """Attach a text alternative to ``fig`` (whole sentences) and return the figure."""
    if not text.strip():
        raise ValueError("A figure's description must say what it shows; it is empty.")
    _DESCRIPTIONS[fig] = " ".join(text.split())
    _show_descriptions_in_ipython()
    return fig


def description(fig: Figure) -> str | None:
    """The text alternative attached to ``fig``, or None."""
    return _DESCRIPTIONS.get(fig)


def _figure_text(fig: Figure, printer: Any, cycle: bool) -> None:
    printer.text(description(fig) or repr(fig))


def _show_descriptions_in_ipython() -> None:
    """Make IPython print a figure's description as its plain-text form (once per shell)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None:
        return
    formatter = shell.display_formatter.formatters["text/plain"]
    formatter.for_type(Figure, _figure_text)


def alt_text(output_data: dict[str, Any]) -> str | None:
    """The text alternative stored with a figure output (its ``text/plain``), or None when
    the output holds only matplotlib's "<Figure size ...>" line."""
    text = output_data.get("text/plain")
    if isinstance(text, list):
        text = "".join(text)
    if not text or text.strip().startswith(DEFAULT_REPR_START):
        return None
    return " ".join(str(text).split())
