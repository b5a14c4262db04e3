"""Reading the deployment's logs: tails for error messages, hints for known faults (lesson 07).

Flower's processes log in words meant for people, and their wording may change with any
release. So the kit decides nothing important from a log line: whether a SuperNode joined
comes from ``flwr supernode list``, when a site drops out from the kit's own ServerApp.
This module only turns a log into help: :func:`tail` for error messages, and
:func:`explain_node_fault`, which matches a SuperNode's log against the faults the course
provokes (wrong CA, unregistered key, unreadable key) and says how to fix each. When
nothing matches, the caller shows the log's tail instead.
"""

from __future__ import annotations

import re
from pathlib import Path

#: Colour codes in Flower's logs.
ANSI = re.compile(r"\x1b\[[0-9;]*m")

#: What a SuperNode's log says when it cannot join, and what the kit tells the learner
#: (best-effort hints, checked against the flwr version in ``_flower.FLOWER_TESTED``).
NODE_FAULTS = (
    (re.compile(r"CERTIFICATE_VERIFY_FAILED|certificate verify failed|unknown ca", re.I),
     "does not trust the SuperLink's TLS certificate (verification failed). Give the "
     "SuperNode the CA certificate that signed the SuperLink's certificate (ca.crt from the "
     "facilitator's `deploy link`), and reach the SuperLink by a name the certificate lists."),
    (re.compile(r"Failed to activate SuperNode|code: 2004|401 Unauthorized|not registered",
                re.I),
     "was refused by the SuperLink: its public key is not registered. The coordinator "
     "registers each site's public key with `flwr supernode register site-K.pub` (the kit "
     "does this in `deploy up` / `deploy link`); check the SuperNode uses the matching "
     "private key."),
    (re.compile(r"Unable to parse the private key", re.I),
     "cannot read its private key file: give it the site's OpenSSH EC key (site-K)."),
)


def read(path: str | Path) -> str:
    """A log's whole text ('' if it cannot be read yet)."""
    try:
        return Path(path).read_text(errors="replace")
    except OSError:
        return ""


def tail(path: str | Path, n: int = 25) -> str:
    """The last ``n`` lines of a log, for an error message."""
    lines = read(path).splitlines()
    return "\n".join(lines[-n:]) if lines else "(no log)"


def lines_with(path: str | Path, contains: list[str]) -> list[str]:
    """The log's lines without colour codes that contain one of ``contains``."""
    text = ANSI.sub("", read(path))
    return [line.strip() for line in text.splitlines() if any(w in line for w in contains)]


def explain_node_fault(log: str, exited: bool) -> str | None:
    """Advice for a SuperNode whose ``log`` shows a known fault, else ``None``.

    A pattern counts once the node has exited or logged an error, so a message that only
    mentions a word in passing is not taken for a fault.
    """
    for pattern, advice in NODE_FAULTS:
        if pattern.search(log) and (exited or "error" in log.lower()):
            return advice
    return None
