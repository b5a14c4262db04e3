"""A site that leaves mid-run, without starting any process (lesson 07's exercises).

On the deployment engine a site drops out when its SuperNode stops
(``Deployment.run(..., drop_site=K)``). :func:`leaving_client_app` gives the same picture
on the in-process engine in a second: the kit's ClientApp, except that one site stops
answering after a given round, as a SuperNode that was switched off would.
"""

from __future__ import annotations

from flwr.app import Context, Message
from flwr.clientapp import ClientApp

from fedlearn_kit.federation.apps import make_client_app


class SiteLeftError(ConnectionAbortedError):
    """Raised by :func:`leaving_client_app` for the site that has left."""


def leaving_client_app(site: int, after_round: int) -> ClientApp:
    """The kit's ClientApp, but site ``site`` answers no message after round ``after_round``.

    Use with the local engine: ``federation.run(exp, client_app=leaving_client_app(1, 2))``.
    """
    inner = make_client_app()
    app = ClientApp()

    def gone(msg: Message, context: Context) -> bool:
        config = msg.content.config_records.get("config")
        server_round = int(config["server-round"]) if config else int(msg.metadata.group_id)
        return context.node_config["partition-id"] == site and server_round > after_round

    @app.train()
    def train(msg: Message, context: Context) -> Message:
        if gone(msg, context):
            raise SiteLeftError(f"site {site} left the federation after round {after_round}")
        return inner(msg, context)

    @app.evaluate()
    def evaluate(msg: Message, context: Context) -> Message:
        if gone(msg, context):
            raise SiteLeftError(f"site {site} left the federation after round {after_round}")
        return inner(msg, context)

    return app
