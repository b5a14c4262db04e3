"""Sentences of a lesson that depend on a computed result, checked where they are written.

A lesson says, for example, "Site A's own model is the weakest on Site A's future
patients". :func:`claim` checks such a sentence against the numbers just computed. When it
holds, nothing is printed; when it does not (other parameters, other data, a changed
default), a warning names the sentence. The stored notebooks hold no output for these
cells, so nbval fails as soon as a sentence stops being true, and a learner who changed
the seed on purpose reads which sentence no longer applies instead of a traceback.
"""

from __future__ import annotations

#: The first word of the warning; a course test checks no stored output contains it.
WARNING = "⚠ The text no longer matches the results"


def claim(holds: object, sentence: str) -> None:
    """Print a warning naming ``sentence`` unless ``holds`` is true.

    >>> claim(2 > 1, "two is more than one")  # prints nothing
    """
    if not bool(holds):
        print(f'{WARNING}: "{sentence}" does not hold with these parameters.')
