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

from fedlearn_kit.i18n import N_, _

#: Colour codes in Flower's logs.
ANSI = re.compile(r"\x1b\[[0-9;]*m")

#: What a SuperNode's log says when the SuperLink refused its key (either cause).
REFUSED = re.compile(r"Failed to activate SuperNode|code: 2004|401 Unauthorized|not registered",
                     re.I)

#: What a SuperNode's log says when it cannot join, and what the kit tells the learner
#: (best-effort hints, checked against the flwr version in ``_flower.FLOWER_TESTED``),
#: as whole sentences about site ``{site}``'s SuperNode, translated where they are shown.
NODE_FAULTS = (
    (re.compile(r"CERTIFICATE_VERIFY_FAILED|certificate verify failed|unknown ca", re.I),
     N_("Site {site}'s SuperNode does not trust the SuperLink's TLS certificate "
        "(verification failed). Give the SuperNode the CA certificate that signed the "
        "SuperLink's certificate (ca.crt from the facilitator's `deploy link`), and reach the "
        "SuperLink by a name the certificate lists.")),
    (REFUSED,
     N_("Site {site}'s SuperNode was refused by the SuperLink. The SuperLink gives the same "
        "answer for two causes, and the facilitator's `fedlearn-kit deploy status --workdir "
        "work/room` says which: (1) this key is not registered: the facilitator registers the "
        "site's public key with `fedlearn-kit deploy register pubkeys/site-K.pub` (check the "
        ".pub file handed over belongs to this key: compare the fingerprints); or (2) this key "
        "is already connected: another laptop uses the same key, or this site's earlier "
        "SuperNode has not yet been declared gone (the kit retried for 20 s, longer than that "
        "takes).")),
    (re.compile(r"Unable to parse the private key", re.I),
     N_("Site {site}'s SuperNode cannot read its private key file: give it the site's "
        "OpenSSH EC key (site-K).")),
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


def explain_node_fault(log: str, exited: bool, site: int | str = "K") -> str | None:
    """Advice for site ``site``'s SuperNode whose ``log`` shows a known fault, else ``None``.

    A pattern counts once the node has exited or logged an error, so a message that only
    mentions a word in passing is not taken for a fault.
    """
    for pattern, advice in NODE_FAULTS:
        if pattern.search(log) and (exited or "error" in log.lower()):
            return _(advice).format(site=site)
    return None


#: What the SuperLink logs when it refuses a SuperNode's key (Flower's wording, 1.42).
_IN_USE = re.compile(r"SuperNode with node ID (\d+) could not be activated")
_UNKNOWN = re.compile(r"No SuperNode found with the given public key")


def refusals(superlink_log: str, node_sites: dict[int, int]) -> list[str]:
    """One sentence per kind of refused join in the SuperLink's log, with how often.

    Tells the two causes of a participant's "refused" apart, which only the SuperLink
    can: a registered key whose node is already connected (named by its site), and a
    key that is not registered at all.
    """
    text = ANSI.sub("", superlink_log)
    notes = []
    in_use: dict[int, int] = {}
    for match in _IN_USE.finditer(text):
        node = int(match.group(1))
        in_use[node] = in_use.get(node, 0) + 1
    for node, count in sorted(in_use.items()):
        site = node_sites.get(node)
        notes.append(_(
            "site {site}'s key was refused {n} time(s) because that node is already "
            "connected: another laptop uses the same key, or a rejoin came before the "
            "SuperLink declared the old connection gone (about 12 s).").format(
            site=site, n=count) if site is not None else _(
            "the key of node {node} was refused {n} time(s) because that node is already "
            "connected: another laptop uses the same key, or a rejoin came before the "
            "SuperLink declared the old connection gone (about 12 s).").format(
            node=node, n=count))
    unknown = len(_UNKNOWN.findall(text))
    if unknown:
        notes.append(_("a key that is not registered was refused {n} time(s): register that "
                       "participant's site-K.pub with `fedlearn-kit deploy register`.").format(
            n=unknown))
    return notes
