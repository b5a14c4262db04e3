"""Logging in to the room: the room password for the day, and a name each person keeps.

JupyterHub's shared-password authenticator lets anyone who knows the room password log in
under any name, so a participant could log in as a neighbour and open the neighbour's
answers. :class:`RoomAuthenticator` closes that: **the first login claims a name**. Later
logins under a name that is already in the room are refused with a message saying so; the
person who claimed it stays logged in through their browser's session. Someone who lost
their session (another browser, cookies cleared) asks the facilitator, who deletes the name
on the hub's admin page; the next login under it gets the same home and answers back.

The facilitator logs in under the admin name with the admin password, which only the
facilitator's screen shows.
"""

from __future__ import annotations

from typing import Any

from jupyterhub.authenticators.shared import SharedPasswordAuthenticator
from tornado import web

#: Shown when a name is taken (English source; the hub's pages are in English).
NAME_TAKEN = ("The name {name!r} is already in use in this room. Choose another name, or, "
              "if it is yours and you lost your session, ask the facilitator to release it "
              "on the hub's admin page.")


class RoomAuthenticator(SharedPasswordAuthenticator):  # type: ignore[misc]
    """The room password, where the first person to log in under a name keeps it."""

    async def authenticate(self, handler: Any, data: dict[str, str]) -> dict[str, Any] | None:
        result = await super().authenticate(handler, data)
        if result is None or result.get("admin") or handler is None:
            return result
        if handler.find_user(result["name"]) is not None:
            raise web.HTTPError(403, NAME_TAKEN.format(name=result["name"]))
        return result
