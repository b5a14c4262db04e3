"""Exercise feedback: one module per lesson (``checks.cohort``, ``checks.local_models``, ...).

A check compares the learner's answer with the kit's own computation and prints what is
right, or what is wrong and a hint. It returns a :class:`Verdict`, true or false, so tests
and scripts can use it too.
"""

from __future__ import annotations

import math

from fedlearn_kit.i18n import _, ngettext


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
    text = _("✅ Correct. {message}").format(message=message)
    print(text)
    return Verdict(True, text)


def failed(message: str, hint: str = "") -> Verdict:
    """Print what is wrong (and a hint) and return a false verdict."""
    text = (_("❌ Not yet: {message}\n   Hint: {hint}").format(message=message, hint=hint)
            if hint else _("❌ Not yet: {message}").format(message=message))
    print(text)
    return Verdict(False, text)


def shown(answer: object, digits: int = 4) -> str:
    """An answer as a learner should read it in feedback: numbers rounded, no numpy repr.

    >>> shown(0.28871236568336217)
    '0.2887'
    >>> shown([1, 2])
    'a list'
    """
    if isinstance(answer, bool):
        return str(answer)
    try:
        value = float(answer)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        if isinstance(answer, str):
            return repr(answer[:40])
        return _("a {type}").format(type=type(answer).__name__)
    if math.isnan(value):
        return _("nan (not a number)")
    if value == int(value) and abs(value) < 1e12:
        return str(int(value))
    return f"{value:.{digits}g}"


def is_close(answer: object, expected: float, tolerance: float = 1e-3) -> bool:
    """True if ``answer`` is a number within ``tolerance`` of ``expected``."""
    try:
        return math.isclose(float(answer), expected, abs_tol=tolerance)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def true_or_false(answers: object, statements: dict[str, tuple[bool, str]], summary: str
                  ) -> Verdict:
    """A short quiz: ``answers`` maps each statement's key to True or False.

    ``statements`` maps a key to (the truth, a hint pointing to where the lesson settles
    it). A wrong answer gets the hint, not the answer; all right gets ``summary``.
    """
    if not isinstance(answers, dict):
        return failed(_("expected a dict {{key: True or False}}, got {answer}.").format(
            answer=shown(answers)))
    missing = sorted(set(statements) - set(answers))
    if missing:
        return failed(_("no answer yet for {keys}.").format(keys=missing),
                      _("give True or False for every key."))
    not_bool = sorted(k for k in statements if not isinstance(answers[k], bool))
    if not_bool:
        return failed(_("the answers for {keys} are not True or False.").format(keys=not_bool))
    wrong = [k for k, (truth, _hint) in statements.items() if answers[k] is not truth]
    if wrong:
        first = wrong[0]
        return failed(ngettext("{n} of {total} answers is not right yet, starting with {first!r}.",
                               "{n} of {total} answers are not right yet, starting with "
                               "{first!r}.", len(wrong)).format(
                          n=len(wrong), total=len(statements), first=first),
                      statements[first][1])
    return passed(summary)
