"""fedlearn_app: the coordinator's log of a run, kept at the Grid (no strategy is changed).

A Flower strategy reaches the sites only through its ``Grid``: it pushes messages and pulls
the replies. :class:`RoundLog` is a Grid that passes everything on to Flower's and writes
down, for every round, which sites were asked, which replied, what each one reported and
why a site failed. That is the record a coordinator needs to show afterwards who took part
in which round, and the course reads its results from it. The strategy stays exactly
Flower's: the log never alters a message.

It also does three things a run on real machines needs: it waits for the sites to connect
(:meth:`RoundLog.wait_for_sites`), it asks for replies every ``pull_interval`` seconds
(Flower's deployment Grid asks every 3 s, long for rounds that take a fraction of a
second), and it stops the run with a clear error when fewer than ``min_sites`` sites reply
in a round.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import torch
from flwr.app import Error, Message, MessageType, RecordDict
from flwr.serverapp import Grid
from flwr.serverapp.strategy import Result

#: The line printed when a round's evaluation replies are in (the course follows it): how
#: long the round took, whose training reply was aggregated, who sent nothing at all.
ROUND_DONE = ("round {round} of {rounds} took {seconds:.1f} s; trained: {trained}; "
              "missing: {missing}")
#: The error code of a reply the log refused: its node announced another site than the one
#: its key was registered for.
WRONG_SITE = 9001


class TooFewSitesError(RuntimeError):
    """Fewer sites replied in a round, or connected, than the run's ``min-sites``."""


class RoundLog(Grid):
    """A Flower Grid that hands every message to ``grid`` and logs what comes back.

    ``num_sites``: the sites that should take part (partition ids 0 to ``num_sites - 1``).
    ``min_sites``: the fewest sites that must reply for a round to count. ``registered``:
    the site each node's key was registered for (node id -> site), when the coordinator
    registers keys: a reply whose node announces another site is refused and left out.
    ``hold``: a round after which to wait for a file to appear before going on
    (``(round, path)``; the course switches a site off in that pause).
    """

    def __init__(self, grid: Grid, num_sites: int, num_rounds: int, min_sites: int = 1,
                 pull_interval: float = 0.2, registered: dict[int, int] | None = None,
                 hold: tuple[int, str] = (0, "")) -> None:
        self.grid = grid
        self.num_sites, self.num_rounds, self.min_sites = num_sites, num_rounds, min_sites
        self.pull_interval = pull_interval
        self.registered = dict(registered or {})
        self.hold = hold
        self.round_start = time.monotonic()
        #: One row per reply: round, stage, site (partition id), metrics.
        self.rows: list[dict[str, Any]] = []
        #: Per round: the sites whose training reply arrived, and the sites that had none.
        self.took_part: dict[int, list[int]] = {}
        self.missing: dict[int, list[int]] = {}
        #: Every failed reply: round, stage, node id, site (if known) and Flower's reason.
        self.errors: list[dict[str, Any]] = []
        self.node_sites: dict[int, int] = {}

    # ---------------------------------------------------------------- Flower's Grid, passed on

    def set_run(self, run: Any) -> None:
        """Set the run on the wrapped Grid."""
        self.grid.set_run(run)

    @property
    def run(self) -> Any:
        """The wrapped Grid's run."""
        return self.grid.run

    def create_message(self, content: RecordDict, message_type: str, dst_node_id: int,
                       group_id: str, ttl: float | None = None) -> Message:
        """A message built by the wrapped Grid."""
        return self.grid.create_message(content, message_type, dst_node_id, group_id, ttl)

    def get_node_ids(self) -> Iterable[int]:
        """The SuperNodes connected now."""
        return self.grid.get_node_ids()

    def push_messages(self, messages: Iterable[Message]) -> Iterable[str]:
        """Push through the wrapped Grid."""
        return self.grid.push_messages(messages)

    def pull_messages(self, message_ids: Iterable[str]) -> Iterable[Message]:
        """The replies the wrapped Grid has so far."""
        return self.grid.pull_messages(message_ids)

    def send_and_receive(self, messages: Iterable[Message], *, timeout: float | None = None
                         ) -> Iterable[Message]:
        """Push, pull every ``pull_interval`` s until all replied or ``timeout``; log it all."""
        messages = sorted(messages, key=lambda m: m.metadata.dst_node_id)
        ids = list(self.push_messages(messages))
        sent = dict(zip(ids, messages, strict=True))
        waiting = set(ids)
        end = time.monotonic() + (float("inf") if timeout is None else timeout)
        replies: list[Message] = []
        while waiting and time.monotonic() < end:
            got = [self.refuse_wrong_site(as_from_destination(m, sent), sent)
                   for m in self.pull_messages(waiting)]
            replies += got
            waiting -= {m.metadata.reply_to_message_id for m in got}
            if waiting:
                time.sleep(self.pull_interval)
        if messages:
            self.note(messages, replies)
        # Strategies sum the replies in the order they get them: in site order, a run's
        # sums are taken in the same order every time, whichever site answered first.
        return sorted(replies, key=self._site_order)

    def _site_order(self, reply: Message) -> tuple[int, int]:
        site = self.node_sites.get(reply.metadata.src_node_id)
        return (self.num_sites if site is None else site, reply.metadata.src_node_id)

    # ---------------------------------------------------------------- the log

    def note(self, messages: list[Message], replies: list[Message]) -> None:
        """Log one stage of one round; stop the run if fewer than ``min_sites`` replied."""
        stage = "train" if messages[0].metadata.message_type == MessageType.TRAIN \
            else "evaluate"
        server_round = messages[0].content.config_records["config"]["server-round"]
        assert isinstance(server_round, int)  # Flower's strategies put it in every message
        replied = []
        for reply in replies:
            node = reply.metadata.src_node_id
            if reply.has_error():
                site = self.node_sites.get(node, self.registered.get(node))
                self.errors.append({"round": server_round, "stage": stage, "node_id": node,
                                    "partition": site, "reason": reply.error.reason})
                last = [line for line in (reply.error.reason or "").splitlines() if line.strip()]
                print(f"round {server_round} ({stage}): site {'?' if site is None else site} "
                      f"failed: {last[-1].strip() if last else 'no reason given'}", flush=True)
                continue
            partition = reply.content.config_records["site"]["partition-id"]
            assert isinstance(partition, int)  # the app's ClientApp says which site it is
            self.node_sites[node] = partition
            replied.append(partition)
            metrics = dict(next(iter(reply.content.metric_records.values())))
            self.rows.append({"round": server_round, "stage": stage, "partition": partition,
                              "num_examples": metrics.pop("num-examples"), **metrics})
        replied.sort()
        missing = [s for s in range(self.num_sites) if s not in replied]
        if stage == "train":
            self.took_part[server_round] = replied
        if missing:
            self.missing[server_round] = sorted(set(self.missing.get(server_round, []))
                                                | set(missing))
        if len(replied) < self.min_sites:
            raise TooFewSitesError(
                f"Round {server_round} ({stage}): {len(replied)} of {self.num_sites} sites "
                f"replied, fewer than min-sites={self.min_sites}. Missing: {missing}.")
        if stage == "evaluate":
            trained = self.took_part.get(server_round, [])
            absent = [s for s in range(self.num_sites) if s not in trained and s not in replied]
            print(ROUND_DONE.format(round=server_round, rounds=self.num_rounds,
                                    seconds=time.monotonic() - self.round_start,
                                    trained=sites_text(trained), missing=sites_text(absent)),
                  flush=True)
            self.round_start = time.monotonic()
            if server_round == self.hold[0]:
                wait_for_file(self.hold[1])

    def refuse_wrong_site(self, reply: Message, sent: dict[str, Message]) -> Message:
        """An error in place of a reply whose node announces another site than the one its
        key was registered for: a key belongs to one site, and that reply never counts."""
        if reply.has_error() or not self.registered:
            return reply
        node = reply.metadata.src_node_id
        expected = self.registered.get(node)
        site = reply.content.config_records.get("site")
        announced = site.get("partition-id") if site is not None else None
        if expected is None or not isinstance(announced, int) or announced == expected:
            return reply
        reason = (f"REFUSED: the node of site {expected}'s key (node {node}) announced site "
                  f"{announced}. A key belongs to one site: its reply is left out. The "
                  f"participant of site {announced} must join with their own key, registered "
                  "by the coordinator.")
        original = sent.get(reply.metadata.reply_to_message_id)
        return Message(Error(code=WRONG_SITE, reason=reason), reply_to=original or reply)

    def wait_for_sites(self, timeout: float, every: float = 5.0) -> None:
        """Wait until ``num_sites`` SuperNodes have connected, at most ``timeout`` seconds.

        Says every ``every`` seconds how many are there. After ``timeout`` the run starts
        with the sites present if they are at least ``min_sites``.
        """
        deadline = next_note = time.monotonic()
        deadline += timeout
        while (connected := len(list(self.get_node_ids()))) < self.num_sites:
            now = time.monotonic()
            if now >= deadline:
                break
            if now >= next_note:
                print(f"waiting for sites: {connected} of {self.num_sites} connected; "
                      f"starting in {deadline - now:.0f} s with those present", flush=True)
                next_note += every
            time.sleep(self.pull_interval)
        if connected < self.min_sites:
            raise TooFewSitesError(
                f"Only {connected} of {self.num_sites} sites connected within {timeout:.0f} s, "
                f"fewer than min-sites={self.min_sites}. Are all SuperNodes running and "
                "pointed at this SuperLink?")
        if connected < self.num_sites:
            print(f"{connected} of {self.num_sites} sites connected; starting without the "
                  "others (they are logged as missing)", flush=True)

    def summary(self, result: Result) -> dict[str, Any]:
        """The log and Flower's aggregated metrics, as plain JSON-ready values."""
        aggregated = []
        for stage, by_round in (("train", result.train_metrics_clientapp),
                                ("evaluate", result.evaluate_metrics_clientapp),
                                ("server", result.evaluate_metrics_serverapp)):
            for server_round, metrics in sorted(by_round.items()):
                aggregated.append({"round": server_round, "stage": stage, **dict(metrics)})
        return {"num_sites": self.num_sites, "replies": self.rows, "aggregated": aggregated,
                "took_part": {str(k): v for k, v in self.took_part.items()},
                "missing": {str(k): v for k, v in self.missing.items()},
                "errors": self.errors}

    def save(self, result: Result, path: str | Path, **extra: Any) -> None:
        """Save the final model and this log to ``path`` (``torch.load`` reads it back)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        torch.save({"state_dict": result.arrays.to_torch_state_dict(),
                    "summary": json.dumps({**self.summary(result), **extra})}, path)


def registered_sites(text: str) -> dict[int, int]:
    """``"NODE:SITE NODE:SITE"`` (the run config's ``registered-sites``) as node id -> site."""
    return {int(node): int(site) for node, _, site in (p.partition(":") for p in text.split())}


def sites_text(sites: list[int]) -> str:
    """``site 0, site 2``, or ``none``."""
    return ", ".join(f"site {s}" for s in sorted(sites)) or "none"


def as_from_destination(reply: Message, sent: dict[str, Message]) -> Message:
    """An error reply the SuperLink sent on behalf of a node, as if from that node.

    Flower answers a message for a node that has gone with an error from the SuperLink;
    rebuilt as a reply to the original message, it names the node it was meant for.
    """
    original = sent.get(reply.metadata.reply_to_message_id)
    if (not reply.has_error() or original is None
            or reply.metadata.src_node_id == original.metadata.dst_node_id):
        return reply
    return Message(reply.error, reply_to=original)


def wait_for_file(path: str, timeout: float = 60.0) -> bool:
    """Pause until the file ``path`` exists (True) or ``timeout`` seconds passed (False)."""
    deadline = time.monotonic() + timeout
    while path and not Path(path).exists():
        if time.monotonic() >= deadline:
            print(f"no {path} within {timeout:.0f} s; going on", flush=True)
            return False
        time.sleep(0.05)
    return True
