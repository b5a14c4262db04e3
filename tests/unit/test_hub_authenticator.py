"""Logging in to the room: the room password, a name per person, the facilitator's own login."""

from __future__ import annotations

import asyncio

import pytest

pytest.importorskip("jupyterhub", reason="the hub set: python course.py install --set hub")

from tornado import web  # noqa: E402

from fedlearn_kit.hub.authenticator import RoomAuthenticator  # noqa: E402

ROOM = "k7mq-x3va-pe9t"
FACILITATOR = "f" * 40


class Handler:
    """The part of JupyterHub's login handler the authenticator uses: who is in the room."""

    def __init__(self, *names: str) -> None:
        self.names = set(names)

    def find_user(self, name: str) -> object | None:
        return object() if name in self.names else None


def log_in(name: str, password: str, handler: Handler) -> dict | None:
    authenticator = RoomAuthenticator(user_password=ROOM, facilitator="facilitator",
                                      facilitator_password=FACILITATOR, allow_all=True)
    return asyncio.run(authenticator.authenticate(handler, {"username": name,
                                                            "password": password}))


def test_the_room_password_lets_a_new_name_in_and_never_as_admin() -> None:
    assert log_in("anna", ROOM, Handler()) == {"name": "anna", "admin": False, "groups": []}
    assert log_in("anna", "wrong-password", Handler()) is None


def test_a_name_in_use_is_refused_with_the_way_back() -> None:
    with pytest.raises(web.HTTPError) as refused:
        log_in("anna", ROOM, Handler("anna"))
    assert refused.value.status_code == 403
    assert "ask the facilitator to release it" in str(refused.value.log_message)
    assert log_in("bertil", ROOM, Handler("anna")) is not None


def test_the_facilitator_needs_their_own_password_and_is_no_jupyterhub_admin() -> None:
    assert log_in("facilitator", ROOM, Handler()) is None  # not with the room password
    assert log_in("facilitator", FACILITATOR, Handler("facilitator")) == {
        "name": "facilitator", "admin": False}  # and again from another browser
    assert log_in("anna", FACILITATOR, Handler()) is None
