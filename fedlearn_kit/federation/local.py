"""The local engine: Flower's ``Grid`` interface without any network (lesson 04).

A Flower strategy talks to its sites only through a :class:`flwr.serverapp.Grid`: it
creates messages, pushes them and pulls the replies. :class:`LocalGrid` implements that
interface by handing each message straight to the ClientApp, in this process, one site
after the other. Flower's strategies, messages and records still do all the federated
work, so the numbers are those of Flower's own runtimes, only without Ray's start-up.

Two details depend on Flower internals, both behind :mod:`fedlearn_kit.federation._flower`
with a contract test each: ``Message(...)`` reads the run id, node id and task id of the
current process from Flower's task identity, which Flower's runtimes set and so must this
engine; and a message's id is set the way Flower's own ``InMemoryGrid`` sets it.

:func:`run_local` is the local engine itself: ``federation.run(exp, engine="local")``.
"""

from __future__ import annotations

import copy
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
import pandas as pd
from flwr.app import Context, Error, Message, MessageType, RecordDict
from flwr.clientapp import ClientApp
from flwr.serverapp import Grid

from fedlearn_kit.experiment import Experiment
from fedlearn_kit.federation._flower import (
    CLIENT_APP_RAISED_EXCEPTION,
    SUPERLINK_NODE_ID,
    empty_run,
    set_message_id,
    task_identity,
)
from fedlearn_kit.federation.apps import (
    NUM_PARTITIONS_KEY,
    PARTITION_KEY,
    load_outcome,
    make_client_app,
    make_server_app,
)
from fedlearn_kit.federation.result import Result, progress_bar, quiet_flower
from fedlearn_kit.training import one_torch_thread

SERVER_TASK_ID = 1


def message_traffic(msg: Message, direction: str, partition_id: Any) -> dict[str, Any]:
    """What one message carries: how many numbers in arrays, which metrics, how many bytes."""
    row: dict[str, Any] = {"round": None, "type": msg.metadata.message_type,
                           "direction": direction, "partition_id": partition_id,
                           "arrays": "", "numbers": 0, "bytes": 0, "metrics": "",
                           "config": "", "error": msg.has_error()}
    if msg.has_content():
        content = msg.content
        arrays = [(k, a) for record in content.array_records.values() for k, a in record.items()]
        row["arrays"] = ", ".join(f"{k} {tuple(a.shape)}" for k, a in arrays)
        row["numbers"] = sum(int(np.prod(a.shape)) for _, a in arrays)
        row["bytes"] = sum(len(a.data) for _, a in arrays)  # as Flower serialises them
        row["metrics"] = ", ".join(k for r in content.metric_records.values() for k in r)
        configs = [r for r in content.config_records.values()]
        row["config"] = ", ".join(f"{k}={v!s}" for r in configs for k, v in r.items())
        for record in configs:
            if "server-round" in record:
                server_round: Any = record["server-round"]
                row["round"] = int(server_round)
    return row


class LocalGrid(Grid):
    """A Flower Grid whose SuperNodes are ClientApp calls in this process.

    ``node_configs`` gives one node config per site (``partition-id``, ``num-partitions``);
    each site gets its own :class:`Context` that lives for the whole run, as on a SuperNode.
    ``on_round`` is called with the round number once a round's evaluation replies are in.
    """

    def __init__(self, client_app: ClientApp, node_configs: Sequence[Mapping[str, Any]],
                 run_config: Mapping[str, Any], run_id: int = 1,
                 on_round: Callable[[int], None] | None = None) -> None:
        self.client_app = client_app
        self._run = empty_run(run_id, dict(run_config))
        # Deterministic node ids (Flower draws random 64-bit ones; any distinct ints work).
        self.contexts = {
            1000 + i: Context(run_id=run_id, node_id=1000 + i, node_config=dict(cfg),
                              state=RecordDict(), run_config=dict(run_config))
            for i, cfg in enumerate(node_configs)}
        self.on_round = on_round
        #: One row per message that crossed the grid: what a site received and sent.
        self.traffic: list[dict[str, Any]] = []
        self._replies: dict[str, Message] = {}
        self._counter = 0

    def set_run(self, run: Any) -> None:
        """Use ``run`` as this grid's run."""
        self._run = run

    @property
    def run(self) -> Any:
        """The run this grid serves."""
        return self._run

    def create_message(self, content: RecordDict, message_type: str, dst_node_id: int,
                       group_id: str, ttl: float | None = None) -> Message:
        """A message to one node (Flower's strategies build messages themselves)."""
        with self.identity():
            return Message(content, dst_node_id, message_type, ttl=ttl, group_id=group_id)

    def get_node_ids(self) -> Iterable[int]:
        """The ids of the in-process SuperNodes, one per site."""
        return list(self.contexts)

    @contextmanager
    def identity(self, node_id: int = SUPERLINK_NODE_ID) -> Iterator[None]:
        """Flower's task identity of the server (default) or of one node."""
        task_id = SERVER_TASK_ID if node_id == SUPERLINK_NODE_ID else node_id
        with task_identity(self._run.run_id, node_id, task_id):
            yield

    def _deliver(self, msg: Message) -> Message:
        node_id = msg.metadata.dst_node_id
        if node_id not in self.contexts:
            return Message(Error(code=CLIENT_APP_RAISED_EXCEPTION,
                                 reason=f"No node {node_id} in this grid."), reply_to=msg)
        with self.identity(node_id):
            try:
                # Over a network each site receives its own copy; here strategies send one
                # record to every node, and a mod that edits it in place (secaggplus_mod
                # does) would otherwise change what the next site receives.
                reply = self.client_app(copy.deepcopy(msg), self.contexts[node_id])
            except Exception:  # noqa: BLE001 - a failing site is reported as Flower would
                reason = f"ClientApp on node {node_id} raised:\n{traceback.format_exc()}"
                reply = Message(Error(code=CLIENT_APP_RAISED_EXCEPTION, reason=reason),
                                reply_to=msg)
        self._counter += 1
        set_message_id(reply, f"reply-{self._counter}")
        partition_id = self.contexts[node_id].node_config.get(PARTITION_KEY)
        sent = message_traffic(msg, "to site", partition_id)
        self.traffic += [sent, message_traffic(reply, "from site", partition_id) |
                         {"round": sent["round"]}]
        return reply

    def push_messages(self, messages: Iterable[Message]) -> Iterable[str]:
        """Deliver each message to its node's ClientApp now; keep the replies for pulling."""
        ids = []
        for msg in messages:
            self._counter += 1
            message_id = f"msg-{self._counter}"
            set_message_id(msg, message_id)
            self._replies[message_id] = self._deliver(msg)
            ids.append(message_id)
        return ids

    def pull_messages(self, message_ids: Iterable[str]) -> Iterable[Message]:
        """The replies to the given messages (all present: delivery is synchronous)."""
        return [self._replies.pop(i) for i in message_ids if i in self._replies]

    def send_and_receive(self, messages: Iterable[Message], *,
                         timeout: float | None = None) -> Iterable[Message]:
        """Deliver in node order (so sums are taken in the same order every run)."""
        messages = sorted(messages, key=lambda m: m.metadata.dst_node_id)
        replies = list(self.pull_messages(self.push_messages(messages)))
        if self.on_round and messages and messages[0].metadata.message_type == \
                MessageType.EVALUATE:
            config: Any = messages[0].content.config_records["config"]
            self.on_round(int(config["server-round"]))
        return replies


def run_local(exp: Experiment, config: dict[str, Any], *, progress: bool = False,
              timeout: float = 600.0, client_app: ClientApp | None = None,
              server_app: Any = None) -> Result:
    """The in-process engine: the ServerApp drives the ClientApp through a LocalGrid.

    ``client_app`` / ``server_app`` replace the kit's apps, e.g. ones built with hooks
    (``make_client_app(train_fn=...)``, ``make_server_app(wrap_strategy=...)``).
    ``timeout`` is checked after every round (a round in this process cannot be cut off
    half-way): once the run has taken longer, it stops with :class:`TimeoutError`.
    """
    start = time.perf_counter()
    node_configs: list[Mapping[str, Any]] = [
        {PARTITION_KEY: i, NUM_PARTITIONS_KEY: exp.num_sites} for i in range(exp.num_sites)]
    server_context = Context(run_id=1, node_id=0, node_config={}, state=RecordDict(),
                             run_config=dict(config))
    with progress_bar(exp.num_rounds, progress, "rounds (local)") as to_round:

        def round_done(server_round: int) -> None:
            to_round(server_round)
            if time.perf_counter() - start > timeout:
                raise TimeoutError(f"The local engine did not finish within {timeout:g} s "
                                   f"and was stopped after round {server_round} of "
                                   f"{exp.num_rounds}.")

        grid = LocalGrid(client_app or make_client_app(), node_configs, config,
                         on_round=round_done)
        with quiet_flower(), one_torch_thread(), grid.identity():
            (server_app or make_server_app())(grid, server_context)
    state_dict, summary = load_outcome(server_context)
    result = Result.from_summary(exp, "local", state_dict, summary,
                                 time.perf_counter() - start)
    result.traffic = pd.DataFrame(grid.traffic)
    result.report_errors()
    return result
