"""Exercise feedback: one module per lesson (``checks.cohort``, ``checks.local_models``, ...).

A check compares the learner's answer with the kit's own computation and prints what is
right, or what is wrong and a hint. It returns True or False so tests can use it too.
"""

from __future__ import annotations

import math


def passed(message: str) -> bool:
    """Print a success message and return True."""
    print(f"✅ Correct. {message}")
    return True


def failed(message: str, hint: str = "") -> bool:
    """Print what is wrong (and a hint) and return False."""
    print(f"❌ Not yet: {message}")
    if hint:
        print(f"   Hint: {hint}")
    return False


def is_close(answer: object, expected: float, tolerance: float = 1e-3) -> bool:
    """True if ``answer`` is a number within ``tolerance`` of ``expected``."""
    try:
        return math.isclose(float(answer), expected, abs_tol=tolerance)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
