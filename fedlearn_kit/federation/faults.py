"""A site that leaves mid-run, without starting any process (lesson 07's exercises).

On the deployment engine a site drops out when its SuperNode stops
(``Deployment.run(..., drop_site=K)``). :func:`leave_after` is a Flower mod that gives the
same picture on the in-process engine in a second: register the app's own handlers on a
``ClientApp(mods=[leave_after(K, R)])`` and site K stops answering after round R, as a
SuperNode that was switched off would.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flwr.app import Context, Message

from fedlearn_kit.i18n import _
from fedlearn_kit.sites import site_name

#: A Flower mod: ``mod(msg, context, call_next) -> reply`` (see ``flwr.clientapp.mod``).
Mod = Callable[[Message, Context, Callable[[Message, Context], Message]], Message]


class SiteLeftError(ConnectionAbortedError):
    """Raised by :func:`leave_after` for the site that has left."""


def message_round(msg: Message) -> int:
    """The server round a message belongs to (its config's ``server-round``).

    Flower's strategies put ``server-round`` in every train and evaluate message's config;
    the group id (the round as text, in Flower's strategies) is the fallback.
    """
    config = msg.content.config_records.get("config") if msg.has_content() else None
    if config is not None and "server-round" in config:
        server_round: Any = config["server-round"]
        return int(server_round)
    return int(msg.metadata.group_id)


def leave_after(site: int, after_round: int) -> Mod:
    """A Flower mod: site ``site`` (its ``partition-id``) answers nothing after ``after_round``."""

    def mod(msg: Message, context: Context,
            call_next: Callable[[Message, Context], Message]) -> Message:
        partition: Any = context.node_config["partition-id"]
        if int(partition) == site and message_round(msg) > after_round:
            raise SiteLeftError(_("site {site} left the federation after round {round}").format(
                site=site_name(site), round=after_round))
        return call_next(msg, context)

    return mod
