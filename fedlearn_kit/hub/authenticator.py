"""Logging in to the room: the room password for the day, and a name each person keeps.

JupyterHub's shared-password authenticator lets anyone who knows the room password log in
under any name, so a participant could log in as a neighbour and open the neighbour's
answers. :class:`RoomAuthenticator` closes that: **the first login claims a name**. Later
logins under a name that is already in the room are refused with a message saying so; the
person who claimed it stays logged in through their browser's session. Someone who lost
their session (another browser, cookies cleared) asks the facilitator, who deletes the name
on the hub's admin page; the next login under it gets the same home and answers back.

The facilitator logs in under their own name with their own password, which only the
facilitator's screen shows. The facilitator is deliberately *not* a JupyterHub admin: the
admin role may open every participant's server (and so read their answers), and JupyterHub
does not let a configuration take that away from it. The facilitator gets the room's
``facilitator`` role instead (:mod:`.config`): see who is in, start and stop servers,
release a name, but not open anyone's server.
"""

from __future__ import annotations

from secrets import compare_digest
from typing import Any

from jupyterhub.authenticators.shared import SharedPasswordAuthenticator
from tornado import web
from traitlets import Unicode

#: Shown when a name is taken (English source; the hub's pages are in English).
NAME_TAKEN = ("The name {name!r} is already in use in this room. Choose another name, or, "
              "if it is yours and you lost your session, ask the facilitator to release it "
              "on the hub's admin page.")


class RoomAuthenticator(SharedPasswordAuthenticator):  # type: ignore[misc]
    """The room password, where the first person to log in under a name keeps it."""

    facilitator = Unicode("", config=True, help="The facilitator's login name.")
    facilitator_password = Unicode("", config=True, help="The facilitator's own password.")

    async def authenticate(self, handler: Any, data: dict[str, str]) -> dict[str, Any] | None:
        name = self.normalize_username(data["username"])
        if name == self.facilitator:  # never with the room password
            if self.facilitator_password and compare_digest(data["password"],
                                                             self.facilitator_password):
                return {"name": name, "admin": False}
            return None
        result = await super().authenticate(handler, data)
        if result is None or handler is None:
            return result
        if handler.find_user(result["name"]) is not None:
            raise web.HTTPError(403, NAME_TAKEN.format(name=result["name"]))
        return result
