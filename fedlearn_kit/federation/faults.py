"""A site that leaves mid-run, without starting any process (lesson 07's exercises).

On the deployment engine a site drops out when its SuperNode stops
(``Deployment.run(..., drop_site=K)``). :func:`leave_after` is a Flower mod that gives the
same picture on the in-process engine in a second: one site stops answering after a given
round, as a SuperNode that was switched off would. :func:`leaving_client_app` is the
kit's ClientApp with that mod.
"""

from __future__ import annotations

from collections.abc import Callable

from flwr.app import Context, Message
from flwr.clientapp import ClientApp

from fedlearn_kit.federation.apps import PARTITION_KEY, Mod, make_client_app, report_exceptions


class SiteLeftError(ConnectionAbortedError):
    """Raised by :func:`leave_after` for the site that has left."""


def message_round(msg: Message) -> int:
    """The server round a message belongs to (its config's ``server-round``).

    Flower's strategies put ``server-round`` in every train and evaluate message's config;
    the group id (the round as text, in Flower's strategies) is the fallback.
    """
    config = msg.content.config_records.get("config") if msg.has_content() else None
    if config is not None and "server-round" in config:
        return int(config["server-round"])  # type: ignore[call-overload]
    return int(msg.metadata.group_id)


def leave_after(site: int, after_round: int) -> Mod:
    """A Flower mod: site ``site`` answers no message after round ``after_round``."""

    def mod(msg: Message, context: Context,
            call_next: Callable[[Message, Context], Message]) -> Message:
        if int(context.node_config[PARTITION_KEY]) == site and \
                message_round(msg) > after_round:  # type: ignore[call-overload]
            raise SiteLeftError(f"site {site} left the federation after round {after_round}")
        return call_next(msg, context)

    return mod


def leaving_client_app(site: int, after_round: int) -> ClientApp:
    """The kit's ClientApp, but site ``site`` answers no message after round ``after_round``.

    Use with the local engine: ``federation.run(exp, client_app=leaving_client_app(1, 2))``.
    The mod sits outside :func:`~fedlearn_kit.federation.apps.report_exceptions`, so the
    site does not even send an error reply: the engine sees it as gone.
    """
    return make_client_app(mods=(leave_after(site, after_round), report_exceptions))
