"""The local engine: the app folder's ServerApp and ClientApp in this process (lesson 04).

A Flower strategy talks to its sites only through a :class:`flwr.serverapp.Grid`: it
creates messages, pushes them and pulls the replies. :class:`LocalGrid` implements that
interface by handing each message straight to the ClientApp, in this process, one site
after the other. :func:`run_local` loads the app folder's components (as ``flwr run``
names them in ``pyproject.toml``) and calls its ServerApp with a LocalGrid: Flower's
strategies, messages and records still do all the federated work, so the numbers are
those of Flower's own runtimes, only without Ray's start-up.

Two details depend on Flower internals, both behind :mod:`fedlearn_kit.federation._flower`
with a contract test each: ``Message(...)`` reads the run id, node id and task id of the
current process from Flower's task identity, which Flower's runtimes set and so must this
engine; and a message's id is set the way Flower's own ``InMemoryGrid`` sets it.
"""

from __future__ import annotations

import copy
import io
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, redirect_stdout
from pathlib import Path
from typing import Any, TextIO

import numpy as np
import pandas as pd
from flwr.app import Context, Error, Message, RecordDict
from flwr.clientapp import ClientApp
from flwr.serverapp import Grid, ServerApp

from fedlearn_kit.experiment import Experiment
from fedlearn_kit.federation import flower_app
from fedlearn_kit.federation._flower import (
    CLIENT_APP_RAISED_EXCEPTION,
    SUPERLINK_NODE_ID,
    empty_run,
    set_message_id,
    task_identity,
)
from fedlearn_kit.federation.config import run_config
from fedlearn_kit.federation.result import Result, load_result, progress_bar, quiet_flower
from fedlearn_kit.federation.result import round_done as round_number
from fedlearn_kit.federation.task import site_files
from fedlearn_kit.i18n import _
from fedlearn_kit.storage import site_filename
from fedlearn_kit.training import one_torch_thread

SERVER_TASK_ID = 1
#: Told of each message, its reply and the node's Context (see :class:`LocalGrid`).
Observer = Callable[[Message, Message, Context], None]
#: The node-config key that tells a SuperNode which site it is (Flower's convention).
PARTITION_KEY = "partition-id"


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
        row["numbers"] = sum(int(np.prod(a.shape)) for _key, a in arrays)
        row["bytes"] = sum(len(a.data) for _key, a in arrays)  # as Flower serialises them
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

    ``node_configs`` gives one node config per site (``partition-id``, ``num-partitions``,
    ``data-path``); each site gets its own :class:`Context` that lives for the whole run, as
    on a SuperNode.
    """

    def __init__(self, client_app: ClientApp, node_configs: Sequence[Mapping[str, Any]],
                 run_config: Mapping[str, Any], run_id: int = 1,
                 observe: Observer | None = None) -> None:
        self.client_app = client_app
        self._run = empty_run(run_id, dict(run_config))
        # Deterministic node ids (Flower draws random 64-bit ones; any distinct ints work).
        self.contexts = {
            1000 + i: Context(run_id=run_id, node_id=1000 + i, node_config=dict(cfg),
                              state=RecordDict(), run_config=dict(run_config))
            for i, cfg in enumerate(node_configs)}
        #: Told of every message and its reply, with the node's Context (the coordinator's
        #: view: what each site sent back, after all its mods).
        self.observe = observe
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
        if reply.metadata.reply_to_message_id != msg.metadata.message_id:
            # Not an answer to this message (a mod's error built as a reply to the reply):
            # the server would wait for it in vain, so it gets the failure as the answer.
            reason = ((reply.error.reason or "") if reply.has_error()
                      else "a reply to another message")
            reply = Message(Error(code=CLIENT_APP_RAISED_EXCEPTION, reason=reason),
                            reply_to=msg)
        self._counter += 1
        set_message_id(reply, f"reply-{self._counter}")
        if self.observe is not None:
            self.observe(msg, reply, self.contexts[node_id])
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
        return list(self.pull_messages(self.push_messages(messages)))


class Lines(io.TextIOBase):
    """A text stream that hands every complete line to ``on_line`` (and copies to ``echo``)."""

    def __init__(self, on_line: Callable[[str], None], echo: TextIO | None = None) -> None:
        self.on_line, self.echo, self.pending = on_line, echo, ""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if self.echo is not None:
            self.echo.write(text)
        *lines, self.pending = (self.pending + text).split("\n")
        for line in lines:
            self.on_line(line)
        return len(text)


def run_local(exp: Experiment, *, app: str | Path | None = None, min_sites: int = 1,
              server_eval: bool = True, progress: bool = False, timeout: float = 600.0,
              client_app: ClientApp | None = None, server_app: ServerApp | None = None,
              observe: Observer | None = None, echo: bool = False) -> Result:
    """The in-process engine: the app's ServerApp drives its ClientApp through a LocalGrid.

    ``app``: the app folder (default: the course's ``app/``); its components are imported
    fresh for every run, so an edit to its files counts at once. ``client_app`` /
    ``server_app`` replace one of them with a Flower app of your own, e.g. the app's
    handlers registered again with a Flower mod (lesson 06). ``observe``: told of every
    message and its reply as the Grid passes them (see :class:`LocalGrid`). ``echo``: show
    what the apps print (the ServerApp's round log); hidden by default. ``timeout`` is
    checked after every round (a round in this process cannot be cut off half-way): once
    the run has taken longer, it stops with :class:`TimeoutError`.
    """
    start = time.perf_counter()
    data = site_files(exp)
    node_configs: list[Mapping[str, Any]] = [
        {PARTITION_KEY: i, "num-partitions": exp.num_sites,
         "data-path": str(data / site_filename(site.name))}
        for i, site in enumerate(exp.sites())]
    with tempfile.TemporaryDirectory(prefix="fedlearn-local-") as tmp:
        result_path = Path(tmp) / "result.pt"
        config = run_config(exp, min_sites=min_sites, server_eval=server_eval,
                            data_dir=str(data), result_path=str(result_path))
        server_context = Context(run_id=1, node_id=0, node_config={}, state=RecordDict(),
                                 run_config=dict(config))
        with progress_bar(exp.num_rounds, progress, "rounds (local)") as to_round, \
                flower_app.loaded(app) as (app_client, app_server):

            def round_done(line: str) -> None:  # the app's round log: "round K of N done"
                if (server_round := round_number(line)) is None:
                    return
                to_round(server_round)
                if time.perf_counter() - start > timeout:
                    raise TimeoutError(_(
                        "The local engine did not finish within {timeout} s and was stopped "
                        "after round {round} of {rounds}.").format(
                        timeout=f"{timeout:g}", round=server_round, rounds=exp.num_rounds))

            grid = LocalGrid(client_app or app_client, node_configs, config, observe=observe)
            printed = Lines(round_done, sys.stdout if echo else None)
            with quiet_flower(), one_torch_thread(), grid.identity(), redirect_stdout(printed):
                (server_app or app_server)(grid, server_context)
        if not result_path.exists():
            raise RuntimeError(_("The ServerApp finished without saving its result: does it "
                                 "save the model and round log to the run config's "
                                 "result-path?"))
        result = load_result(exp, result_path, "local", time.perf_counter() - start)
    sites = [s.name for s in exp.sites()]
    for error in result.errors:  # a site that failed before it ever replied: the grid knows it
        context = grid.contexts.get(error.get("node_id", -1))
        if error["site"] == "?" and context is not None:
            error["site"] = sites[int(context.node_config[PARTITION_KEY])]
    result.traffic = pd.DataFrame(grid.traffic)
    result.report_errors()
    return result
