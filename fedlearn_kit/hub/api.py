"""Talking to a running room: JupyterHub's REST API with the room's service token.

``fedlearn-kit hub status`` lists who is in and whose server is up; the tests and the
capacity benchmark (``benchmarks/hub.py``) also create participants and start their servers
(a room started with ``--automation``). Standard library only: HTTPS verified against the
room's own CA when the kit made the certificate, else against the system's trust store.
"""

from __future__ import annotations

import json
import ssl
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from fedlearn_kit.hub.settings import RoomSettings


class HubAPIError(RuntimeError):
    """The hub answered with an error, or did not answer; the message says which."""


@dataclass(frozen=True)
class Participant:
    """One name in the room, as the admin page shows it."""

    name: str
    server: str  # "running", "starting", "stopping" or "stopped"
    last_activity: str | None


def ssl_context(settings: RoomSettings) -> ssl.SSLContext:
    """Trust the room's CA (kit-made certificate) or the system's (region's certificate)."""
    return ssl.create_default_context(cafile=settings.ca or None)


class HubClient:
    """A few calls of JupyterHub's REST API, authenticated with the room's service token."""

    def __init__(self, settings: RoomSettings, base: str | None = None) -> None:
        # On the server itself: loopback when the port listens everywhere, else the address
        # it listens on (the room's certificate names both).
        port = "" if settings.port == 443 else f":{settings.port}"
        host = "127.0.0.1" if settings.host in ("0.0.0.0", "::", "") else settings.host
        self.base = base or f"https://{host}{port}"
        self.token = settings.api_token
        self.context = ssl_context(settings)

    def request(self, method: str, path: str, body: Any = None, timeout: float = 30) -> Any:
        """``method`` on ``/hub/api{path}``; the decoded JSON answer (None if empty)."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"{self.base}/hub/api{path}", data=data, method=method,
            headers={"Authorization": f"token {self.token}",
                     "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=timeout, context=self.context) as reply:
                text = reply.read().decode()
        except urllib.error.HTTPError as err:
            detail = err.read().decode(errors="replace")[:300]
            raise HubAPIError(f"{method} {path}: HTTP {err.code} {detail}") from None
        except OSError as err:
            raise HubAPIError(f"{method} {path}: the hub did not answer ({err})") from None
        return json.loads(text) if text.strip() else None

    def participants(self) -> list[Participant]:
        """Every name in the room with the state of its server."""
        found = []
        for user in self.request("GET", "/users"):
            server = user.get("servers", {}).get("", {})
            state = ("starting" if user.get("pending") == "spawn" else
                     "stopping" if user.get("pending") == "stop" else
                     "running" if server.get("ready") else "stopped")
            found.append(Participant(user["name"], state, user.get("last_activity")))
        return sorted(found, key=lambda p: p.name)

    def create_users(self, names: list[str]) -> None:
        """Add participants by name (what their first login would do)."""
        self.request("POST", "/users", {"usernames": names})

    def start_server(self, name: str) -> None:
        self.request("POST", f"/users/{name}/server", timeout=60)

    def stop_server(self, name: str) -> None:
        self.request("DELETE", f"/users/{name}/server", timeout=60)

    def wait_until_ready(self, name: str, timeout: float = 300) -> float:
        """Wait until ``name``'s server answers; the seconds it took."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            user = self.request("GET", f"/users/{name}")
            server = user.get("servers", {}).get("")
            if server and server.get("ready"):
                return time.monotonic() - started
            if not server and not user.get("pending"):
                raise HubAPIError(f"{name}'s server stopped while starting: see the hub's log.")
            time.sleep(0.5)
        raise HubAPIError(f"{name}'s server did not start within {timeout:.0f} s.")

    def server_url(self, name: str) -> str:
        """The base URL of ``name``'s Jupyter server through the proxy."""
        return f"{self.base}/user/{name}"
