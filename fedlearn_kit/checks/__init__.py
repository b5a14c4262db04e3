"""Exercise feedback: one module per lesson (``checks.cohort``, ``checks.local_models``, ...).

A check compares the learner's answer with the kit's own computation and prints what is
right, or what is wrong and a hint. It returns a :class:`Verdict`, true or false, so tests
and scripts can use it too.
"""

from __future__ import annotations

import math


class Verdict:
    """The outcome of a check: true when the answer is right.

    The message has been printed already, so in a notebook the verdict itself shows nothing
    (a bare ``True``/``False`` after the feedback would only distract).
    """

    def __init__(self, ok: bool, message: str) -> None:
        self.ok, self.message = ok, message

    def __bool__(self) -> bool:
        return self.ok

    def __repr__(self) -> str:
        return f"Verdict(ok={self.ok})"

    def _ipython_display_(self) -> None:
        pass


def passed(message: str) -> Verdict:
    """Print a success message and return a true verdict."""
    text = f"✅ Correct. {message}"
    print(text)
    return Verdict(True, text)


def failed(message: str, hint: str = "") -> Verdict:
    """Print what is wrong (and a hint) and return a false verdict."""
    text = f"❌ Not yet: {message}" + (f"\n   Hint: {hint}" if hint else "")
    print(text)
    return Verdict(False, text)


def is_close(answer: object, expected: float, tolerance: float = 1e-3) -> bool:
    """True if ``answer`` is a number within ``tolerance`` of ``expected``."""
    try:
        return math.isclose(float(answer), expected, abs_tol=tolerance)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
