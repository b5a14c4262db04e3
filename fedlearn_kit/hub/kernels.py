"""Running code in a participant's server through the Jupyter server's kernel API.

What a browser does when a learner runs a cell, without the browser: start a kernel
(``POST /api/kernels``), send ``execute_request`` messages over the kernel's websocket and
read the replies. The room's tests run lesson 07's commands this way as each participant,
and ``benchmarks/hub.py`` runs lesson 01 in 20 servers at once. Needs a room started with
``--automation`` (the service token may then use participants' servers).
"""

from __future__ import annotations

import json
import ssl
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tornado import httpclient, websocket


class KernelError(RuntimeError):
    """The code raised in the kernel; the message has the exception and the cell."""


@dataclass
class Execution:
    """What one piece of code printed, and whether it raised."""

    stdout: str = ""
    stderr: str = ""
    error: str | None = None
    outputs: list[dict[str, Any]] = field(default_factory=list)


class RemoteKernel:
    """One kernel in one participant's Jupyter server (``server_url`` = ``.../user/NAME``)."""

    def __init__(self, server_url: str, token: str, context: ssl.SSLContext,
                 cwd: str = "", kernel_name: str = "python3") -> None:
        self.server_url, self.token, self.context = server_url, token, context
        model = self._rest("POST", "/api/kernels", {"name": kernel_name, "path": cwd})
        self.kernel_id: str = model["id"]
        self.session = uuid.uuid4().hex
        self._socket: websocket.WebSocketClientConnection | None = None

    def _rest(self, method: str, path: str, body: Any = None) -> Any:
        request = urllib.request.Request(
            self.server_url + path, method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Authorization": f"token {self.token}",
                     "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60, context=self.context) as reply:
            text = reply.read().decode()
        return json.loads(text) if text.strip() else None

    async def _connect(self) -> websocket.WebSocketClientConnection:
        if self._socket is None:
            url = (self.server_url.replace("https://", "wss://").replace("http://", "ws://")
                   + f"/api/kernels/{self.kernel_id}/channels?session_id={self.session}")
            request = httpclient.HTTPRequest(
                url, headers={"Authorization": f"token {self.token}"},
                ssl_options=self.context, request_timeout=60)
            self._socket = await websocket.websocket_connect(request, max_message_size=2**28)
        return self._socket

    async def execute(self, code: str, timeout: float = 300) -> Execution:
        """Run ``code``; what it printed, or :class:`KernelError` if it raised."""
        sock = await self._connect()
        msg_id = uuid.uuid4().hex
        await sock.write_message(json.dumps({
            "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": "kit",
                       "session": self.session, "version": "5.3",
                       "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())},
            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
            "content": {"code": code, "silent": False, "store_history": False,
                        "user_expressions": {}, "allow_stdin": False, "stop_on_error": True},
        }))
        result, idle, replied = Execution(), False, False
        deadline = time.monotonic() + timeout
        while not (idle and replied):
            if time.monotonic() > deadline:
                raise TimeoutError(f"the kernel did not finish within {timeout:.0f} s")
            raw = await sock.read_message()
            if raw is None:
                raise KernelError("the kernel's websocket closed (did the server stop?)")
            message = json.loads(raw)
            if message.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = message["msg_type"], message["content"]
            if kind == "stream":
                setattr(result, content["name"],
                        getattr(result, content["name"]) + content["text"])
            elif kind == "error":
                result.error = f"{content['ename']}: {content['evalue']}"
            elif kind in ("execute_result", "display_data"):
                result.outputs.append(content.get("data", {}))
            elif kind == "status" and content["execution_state"] == "idle":
                idle = True
            elif kind == "execute_reply":
                replied = True
        if result.error:
            raise KernelError(f"{result.error}\n--- in ---\n{code[:500]}")
        return result

    async def run_notebook(self, notebook: Path, timeout_per_cell: float = 300) -> float:
        """Run every code cell of ``notebook`` in order; the seconds it took."""
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        started = time.monotonic()
        for cell in cells:
            if cell["cell_type"] == "code":
                source = "".join(cell["source"])
                if source.strip():
                    await self.execute(source, timeout_per_cell)
        return time.monotonic() - started

    async def shutdown(self) -> None:
        """Close the websocket and stop the kernel."""
        if self._socket is not None:
            self._socket.close()
            self._socket = None
        self._rest("DELETE", f"/api/kernels/{self.kernel_id}")
