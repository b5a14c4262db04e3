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


def as_number(answer: object) -> float | None:
    """``answer`` as a float if it is a number (numpy and torch scalars included); None for
    text, True/False, containers and anything else that only converts to one.

    >>> as_number("1.3") is None, as_number(True) is None, as_number(2)
    (True, True, 2.0)
    """
    if isinstance(answer, str | bytes) or is_bool(answer):
        return None
    if getattr(answer, "ndim", 0) not in (0, None) or isinstance(answer, list | tuple | dict):
        return None
    try:
        return float(answer)  # type: ignore[arg-type]
    except (TypeError, ValueError, RuntimeError):
        return None


def is_close(answer: object, expected: float, tolerance: float = 1e-3) -> bool:
    """True if ``answer`` is a number within ``tolerance`` of ``expected``; never for text
    or True/False, even when they would convert ("1.3" is not 1.3 to a check)."""
    value = as_number(answer)
    return value is not None and math.isclose(value, expected, abs_tol=tolerance)


def is_rounded(answer: object, expected: float, decimals: int = 3) -> bool:
    """True if ``answer`` is ``expected`` rounded to between ``decimals`` and 8 decimals
    (but not ``expected`` itself): a figure copied from a rounded table or message.

    >>> is_rounded(0.258, 0.2579166), is_rounded(0.2579166, 0.2579166)
    (True, False)
    """
    value = as_number(answer)
    if value is None or math.isclose(value, expected, abs_tol=1e-9):
        return False
    return any(math.isclose(value, round(expected, k), abs_tol=1e-12)
               for k in range(decimals, 9))


def number_problem(answer: object, what: str = "the answer") -> Verdict | None:
    """A failed verdict when ``answer`` is not a number (text, True/False, a list, nan),
    naming what it is instead; None when it is a number."""
    if isinstance(answer, str):
        return failed(_("{what} is the text {answer}, not a number.").format(
            what=what, answer=shown(answer)),
            _("leave out the quotes: a check compares numbers, not their spelling."))
    if is_bool(answer):
        return failed(_("{what} is {answer}, not a number.").format(what=what, answer=answer),
                      _("give the number itself, not whether something holds."))
    value = as_number(answer)
    if value is None:
        return failed(_("{what} should be one number, got {answer}.").format(
            what=what, answer=shown(answer)))
    if math.isnan(value):
        return failed(_("{what} is nan (not a number).").format(what=what),
                      _("a computation on an empty selection gives nan: check which rows "
                        "you used."))
    return None


def is_bool(answer: object) -> bool:
    """True when ``answer`` is True or False (Python's or numpy's), not text or 0/1."""
    return isinstance(answer, bool) or type(answer).__name__ == "bool_"


def bool_problem(answer: object, what: str) -> Verdict | None:
    """A failed verdict when ``answer`` is not True or False (a truthy string such as
    "no", 0/1, None); None when it is a bool."""
    if is_bool(answer):
        return None
    if isinstance(answer, str):
        return failed(_("{what} is the text {answer}, not True or False.").format(
            what=what, answer=shown(answer)),
            _("write True or False without quotes: any non-empty text, \"no\" included, "
              "counts as true in Python."))
    return failed(_("{what} is {answer}, not True or False.").format(
        what=what, answer=shown(answer)), _("write True or False."))


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
    not_bool = sorted(k for k in statements if not is_bool(answers[k]))
    if not_bool:
        texts = any(isinstance(answers[k], str) for k in not_bool)
        return failed(_("the answers for {keys} are not True or False.").format(keys=not_bool),
                      _("write True or False without quotes: any non-empty text, \"no\" included, "
                        "counts as true in Python.") if texts else
                      _("write True or False (not 1/0 or None)."))
    wrong = [k for k, (truth, _hint) in statements.items() if bool(answers[k]) is not truth]
    if wrong:
        first = wrong[0]
        return failed(ngettext("{n} of {total} answers is not right yet, starting with {first!r}.",
                               "{n} of {total} answers are not right yet, starting with "
                               "{first!r}.", len(wrong)).format(
                          n=len(wrong), total=len(statements), first=first),
                      statements[first][1])
    return passed(summary)
