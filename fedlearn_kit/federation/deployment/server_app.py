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

import re
import time
from collections.abc import Iterable

from flwr.app import Context, Message, RecordDict
from flwr.serverapp import Grid, ServerApp

from fedlearn_kit.federation.apps import make_server_app

#: Seconds between two pulls for replies (Flower's deployment Grid: 3 s).
PULL_INTERVAL = 0.2
#: The line the ServerApp prints once a round's evaluation replies are in.
ROUND_DONE = "fedlearn-kit: round {round} of {rounds} evaluated"
_ROUND_DONE = re.compile(r"fedlearn-kit: round (\d+) of (\d+) evaluated")


def round_done(line: str) -> int | None:
    """The round number if ``line`` is the ServerApp's :data:`ROUND_DONE` line, else None."""
    match = _ROUND_DONE.search(line)
    return int(match.group(1)) if match else None


class PromptGrid(Grid):
    """A Flower Grid that delegates to another and waits for replies in short steps."""

    def __init__(self, grid: Grid, interval: float = PULL_INTERVAL) -> None:
        self.grid = grid
        self.interval = interval

    def set_run(self, run: object) -> None:  # type: ignore[override]
        """Delegate."""
        self.grid.set_run(run)  # type: ignore[arg-type]

    @property
    def run(self) -> object:  # type: ignore[override]
        """Delegate."""
        return self.grid.run

    def create_message(self, content: RecordDict, message_type: str, dst_node_id: int,
                       group_id: str, ttl: float | None = None) -> Message:
        """Delegate."""
        return self.grid.create_message(content, message_type, dst_node_id, group_id, ttl)

    def get_node_ids(self) -> Iterable[int]:
        """Delegate."""
        return self.grid.get_node_ids()

    def push_messages(self, messages: Iterable[Message]) -> Iterable[str]:
        """Delegate."""
        return self.grid.push_messages(messages)

    def pull_messages(self, message_ids: Iterable[str]) -> Iterable[Message]:
        """Delegate."""
        return self.grid.pull_messages(message_ids)

    def send_and_receive(self, messages: Iterable[Message], *, timeout: float | None = None
                         ) -> Iterable[Message]:
        """Push, then pull every ``interval`` s until all replied or ``timeout`` passed."""
        waiting = set(self.push_messages(messages))
        end = time.monotonic() + (timeout if timeout is not None else float("inf"))
        replies: list[Message] = []
        while waiting and time.monotonic() < end:
            got = list(self.pull_messages(waiting))
            replies.extend(got)
            waiting -= {m.metadata.reply_to_message_id for m in got}
            if waiting:
                time.sleep(self.interval)
        return replies


def make_deployment_server_app() -> ServerApp:
    """The kit's ServerApp, given a :class:`PromptGrid`, announcing every finished round."""
    app = ServerApp()

    @app.main()
    def main(grid: Grid, context: Context) -> None:
        rounds = context.run_config.get("num-rounds", "?")

        def announce(server_round: int) -> None:
            print(ROUND_DONE.format(round=server_round, rounds=rounds), flush=True)

        make_server_app(on_round=announce)(PromptGrid(grid), context)

    return app


#: The ServerApp component of the deployment's app folder (see ``config.write_flower_app``).
app = make_deployment_server_app()
