"""The ServerApp the deployment engine submits: the kit's own, prompt and talkative (lesson 07).

Flower's deployment Grid (``flwr.superlink.grid.http_grid``) checks for the sites' replies
every 3 seconds. The course's rounds take a fraction of a second, so a 3-round run would
spend most of its time waiting. :class:`PromptGrid` wraps the Grid Flower hands to the
ServerApp and pulls the replies every ``interval`` seconds instead, with Flower's public
``push_messages``/``pull_messages``. Everything else is the kit's ServerApp unchanged
(:func:`fedlearn_kit.federation.apps.make_server_app`), plus one line it prints when a
round's evaluation replies are in (:data:`ROUND_DONE`). ``flwr run --stream`` carries the
ServerApp's output to the kit, which moves its progress bar on that line and, in lesson
07, switches a site off at the chosen round: a signal the kit owns, so a new wording of
Flower's own logs cannot break it.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Iterable
from pathlib import Path

from flwr.app import Context, Error, Message, RecordDict
from flwr.serverapp import Grid, ServerApp

from fedlearn_kit.federation import settings
from fedlearn_kit.federation.apps import PARTITION_KEY, WaitNote, make_server_app
from fedlearn_kit.federation.config import experiment_from_config
from fedlearn_kit.federation.deployment.processes import REGISTRATIONS_ENV

#: How every line the kit's ServerApp prints for people begins (``flwr run --stream``
#: carries it to the facilitator's terminal).
ANNOUNCE = "fedlearn-kit:"
#: The line the ServerApp prints once a round's evaluation replies are in.
ROUND_DONE = "fedlearn-kit: round {round} of {rounds} evaluated"
_ROUND_DONE = re.compile(r"fedlearn-kit: round (\d+) of (\d+) evaluated")
#: Flower's error code for a reply the kit refused (a node announcing another site).
WRONG_SITE = 9001


def registered_sites(path: str | None = None) -> dict[int, int]:
    """Each registered node id's site, from the registrations file ({} if there is none)."""
    path = path if path is not None else os.environ.get(REGISTRATIONS_ENV, "")
    try:
        node_ids = json.loads(Path(path).read_text())["node_ids"]
        return {int(node): int(site) for site, node in node_ids.items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def round_done(line: str) -> int | None:
    """The round number if ``line`` is the ServerApp's :data:`ROUND_DONE` line, else None."""
    match = _ROUND_DONE.search(line)
    return int(match.group(1)) if match else None


class PromptGrid(Grid):
    """A Flower Grid that delegates to another and waits for replies in short steps."""

    def __init__(self, grid: Grid, interval: float = settings.SERVERAPP_PULL_INTERVAL,
                 site_names: list[str] | None = None) -> None:
        self.grid = grid
        self.interval = interval
        self.site_names = site_names or []
        #: Each node's site number, learnt from its replies (they carry ``partition-id``).
        self.node_sites: dict[int, int] = {}
        #: The site registered for each node's key: a reply announcing another is refused.
        self.registered = registered_sites()
        #: This round so far: when it began, and the sites whose replies arrived.
        self.round_start = time.monotonic()
        self.replied: dict[str, list[int]] = {}

    def set_run(self, run: object) -> None:  # type: ignore[override]
        """Set the run on the wrapped Grid."""
        self.grid.set_run(run)  # type: ignore[arg-type]

    @property
    def run(self) -> object:  # type: ignore[override]
        """The wrapped Grid's run."""
        return self.grid.run

    def create_message(self, content: RecordDict, message_type: str, dst_node_id: int,
                       group_id: str, ttl: float | None = None) -> Message:
        """A message built by the wrapped Grid (it knows the run and the node ids)."""
        return self.grid.create_message(content, message_type, dst_node_id, group_id, ttl)

    def get_node_ids(self) -> Iterable[int]:
        """The SuperNodes the wrapped Grid sees connected."""
        return self.grid.get_node_ids()

    def push_messages(self, messages: Iterable[Message]) -> Iterable[str]:
        """Push through the wrapped Grid; returns the message ids."""
        return self.grid.push_messages(messages)

    def pull_messages(self, message_ids: Iterable[str]) -> Iterable[Message]:
        """The replies the wrapped Grid has for these message ids so far."""
        return self.grid.pull_messages(message_ids)

    def send_and_receive(self, messages: Iterable[Message], *, timeout: float | None = None
                         ) -> Iterable[Message]:
        """Push, then pull every ``interval`` s until all replied or ``timeout`` passed.

        Each failed reply is announced at once, naming the node it was meant for (so the
        facilitator's terminal shows why a site is missing, e.g. a SuperNode started with
        another number of sites), and a "node unavailable" reply, which comes from the
        SuperLink, is re-addressed as if from that node, so the run's record names the
        site (see :func:`as_from_destination`).
        """
        messages = list(messages)
        ids = list(self.push_messages(messages))
        sent = dict(zip(ids, messages, strict=False))
        waiting = set(ids)
        end = time.monotonic() + (timeout if timeout is not None else float("inf"))
        replies: list[Message] = []
        while waiting and time.monotonic() < end:
            got = [self.refuse_wrong_site(as_from_destination(m, sent), sent)
                   for m in self.pull_messages(waiting)]
            for reply in got:
                if reply.has_error():
                    announce_error(reply, self.site_of(reply.metadata.src_node_id))
                else:
                    self.learn_site(reply)
            replies.extend(got)
            waiting -= {m.metadata.reply_to_message_id for m in got}
            if waiting:
                time.sleep(self.interval)
        return replies

    def learn_site(self, reply: Message) -> None:
        """Remember which site a node is, from the ``partition-id`` its reply carries."""
        partition = announced_site(reply)
        if partition is not None:
            self.node_sites[reply.metadata.src_node_id] = partition
            stage = str(reply.metadata.message_type).rsplit(".", 1)[-1]
            self.replied.setdefault(stage, []).append(partition)

    def refuse_wrong_site(self, reply: Message, sent: dict[str, Message]) -> Message:
        """An error instead of a reply whose node announces another site than the one
        registered for its key (announced loudly): its data never counts as that site's."""
        if not self.registered or reply.has_error():
            return reply
        node = reply.metadata.src_node_id
        expected, announced = self.registered.get(node), announced_site(reply)
        if expected is None or announced is None or expected == announced:
            return reply
        reason = (f"REFUSED: the node of site {expected}'s key (node {node}) announced site "
                  f"{announced}. A key belongs to one site: its reply is left out. The "
                  f"participant of site {announced} must join with their own key "
                  f"(`fedlearn-kit deploy keygen --site {announced}`, registered by the "
                  "facilitator).")
        original = sent.get(reply.metadata.reply_to_message_id)
        try:
            return Message(Error(code=WRONG_SITE, reason=reason),
                           reply_to=original or reply)
        except Exception:  # noqa: BLE001 - keep the refusal visible even if Flower balks
            print(f"{ANNOUNCE} {reason}", flush=True)
            return reply

    def round_line(self, server_round: int, rounds: object) -> str:
        """Who replied in this round, who is missing, and how long it took."""
        trained = sorted(set(self.replied.get("train", [])))
        evaluated = sorted(set(self.replied.get("evaluate", [])))
        everyone = range(len(self.site_names)) if self.site_names else []
        missing = [s for s in everyone if s not in trained and s not in evaluated]
        eval_only = [s for s in evaluated if s not in trained]
        seconds = time.monotonic() - self.round_start
        parts = [f"{ANNOUNCE} round {server_round} of {rounds} took {seconds:.1f} s; "
                 f"trained: {self._names(trained)}"]
        if eval_only:
            parts.append(f"evaluated only: {self._names(eval_only)}")
        parts.append(f"missing: {self._names(missing)}")
        self.round_start, self.replied = time.monotonic(), {}
        return "; ".join(parts)

    def _names(self, sites: list[int]) -> str:
        if not sites:
            return "none"
        return ", ".join(self.site_names[s] if s < len(self.site_names) else f"site {s}"
                         for s in sites)

    def site_of(self, node_id: int) -> str | None:
        """``site K (hospital X)`` for a node seen before in this run or registered for a
        site's key, else None."""
        site = self.node_sites.get(node_id, self.registered.get(node_id))
        if site is None:  # neither seen in this run nor registered (an insecure run)
            return None
        name = self.site_names[site] if site < len(self.site_names) else "?"
        return f"site {site} (hospital {name})"


def announced_site(reply: Message) -> int | None:
    """The site (``partition-id``) a successful reply announces, if it carries one."""
    try:
        metrics = next(iter(reply.content.metric_records.values()))
        partition = metrics[PARTITION_KEY]
        return int(partition) if isinstance(partition, int | float) else None
    except (StopIteration, KeyError, TypeError, ValueError, AttributeError):
        return None


def as_from_destination(reply: Message, sent: dict[str, Message]) -> Message:
    """An error reply that the SuperLink sent on a node's behalf, as if from that node.

    Flower answers a message to a node that has gone with an error whose sender is the
    SuperLink, so the run could not tell which site failed (it showed "?"). Rebuilding the
    reply with ``reply_to`` the original message makes the original destination its sender.
    """
    original = sent.get(reply.metadata.reply_to_message_id)
    if (not reply.has_error() or original is None
            or reply.metadata.src_node_id == original.metadata.dst_node_id):
        return reply
    try:
        return Message(reply.error, reply_to=original)
    except Exception:  # noqa: BLE001 - keep Flower's reply if it cannot be rebuilt
        return reply


def announce_error(reply: Message, site: str | None = None) -> None:
    """Print one line about a failed reply (``flwr run --stream`` carries it to the kit)."""
    reason = (reply.error.reason or "").strip().splitlines()
    last = next((line for line in reversed(reason) if line.strip()), "no reason given")
    first = reason[0] if reason else ""
    where = site or (first if "partition-id" in first
                     else f"node {reply.metadata.src_node_id}")
    print(f"{ANNOUNCE} {where.rstrip(':')} failed: {last.strip()}", flush=True)


def countdown(every: float = 5.0) -> WaitNote:
    """An ``on_wait`` for :func:`~fedlearn_kit.federation.apps.wait_for_sites`: a line every
    ``every`` seconds while sites are missing, and one when the run starts without them."""
    next_note = time.monotonic()

    def note(connected: int, expected: int, left: float) -> None:
        nonlocal next_note
        if left <= 0:
            print(f"{ANNOUNCE} {connected} of {expected} sites connected; starting without "
                  "the others (they are reported as missing)", flush=True)
        elif time.monotonic() >= next_note:
            print(f"{ANNOUNCE} waiting for sites: {connected} of {expected} connected; "
                  f"starting in {left:.0f} s with those present", flush=True)
            next_note += every

    return note


def wait_for_hold_file(path: str, timeout: float = settings.SERVERAPP_HOLD_TIMEOUT,
                       interval: float = settings.SERVERAPP_HOLD_POLL) -> bool:
    """Pause until the file ``path`` exists (True), or ``timeout`` has passed (False).

    The kit stops a site between two rounds this way: without the pause the next round's
    messages may reach that site before the kit, which learns of the finished round
    through Flower's log stream, has switched it off.
    """
    if not path:
        return True
    deadline = time.monotonic() + timeout
    while not Path(path).exists():
        if time.monotonic() >= deadline:
            print(f"{ANNOUNCE} no word from the kit within {timeout:.0f} s; going on",
                  flush=True)
            return False
        time.sleep(interval)
    return True


def make_deployment_server_app() -> ServerApp:
    """The kit's ServerApp, given a :class:`PromptGrid`, announcing every finished round."""
    app = ServerApp()

    @app.main()
    def main(grid: Grid, context: Context) -> None:
        rounds = context.run_config.get("num-rounds", "?")

        def announce(server_round: int) -> None:
            print(prompt.round_line(server_round, rounds), flush=True)
            print(ROUND_DONE.format(round=server_round, rounds=rounds), flush=True)
            if server_round == int(context.run_config.get("hold-after-round", 0)):  # type: ignore[call-overload]
                wait_for_hold_file(str(context.run_config.get("hold-file", "")))

        names = [s.name for s in experiment_from_config(context.run_config).sites()]
        prompt = PromptGrid(grid, site_names=names)
        make_server_app(on_round=announce, on_wait=countdown())(prompt, context)

    return app


#: The ServerApp component of the deployment's app folder (see ``config.write_flower_app``).
app = make_deployment_server_app()
