"""Lesson 07's room federation on the room server (docs/deployment.md, "On the room server").

The facilitator and two participants each work in their own server, as their own system
user, running the same commands they would type on laptops: each participant makes a key
pair and drops only the public key in the room's exchange folder; the facilitator starts the
SuperLink on the server's loopback with those keys and publishes ``ca.crt``; each participant
starts a SuperNode from their own server; the facilitator runs 3 rounds. The weights equal
the in-process engine's, nothing called out, a participant's process cannot allocate more
than the room's memory limit, and stopping the hub leaves no process (the participants'
SuperNodes included) and no port behind.
"""

from __future__ import annotations

import asyncio
import shlex
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil
import torch

import fedlearn_kit as kit
from fedlearn_kit.federation import run
from fedlearn_kit.federation.deployment import free_port, port_free
from fedlearn_kit.hub import course_copy, server, users
from fedlearn_kit.hub.api import HubClient, ssl_context
from fedlearn_kit.hub.kernels import RemoteKernel
from tests.integration.room_server import AUDIT, outbound_attempts, running_room

#: Seconds this module takes on 2 cores (lesson 07 on the room server).
#: The tier starts its longest modules first (tests/conftest.py, start_order).
STARTS_FIRST = 60

PARTICIPANTS = {"site-a": 0, "site-b": 1}
NUM_ROUNDS = 3
STARTED = [time.monotonic()]


def step(what: str) -> None:
    """Print how far the procedure is (shown with -s, and in a failure's captured output)."""
    print(f"[{time.monotonic() - STARTED[0]:6.1f} s] {what}", flush=True)


def shell(command: str) -> str:
    """Kernel code that runs ``command`` as a participant's terminal would, failing loudly."""
    return ("import subprocess\n"
            f"done = subprocess.run({command!r}, shell=True, capture_output=True, text=True)\n"
            "print(done.stdout, done.stderr)\n"
            "assert done.returncode == 0, f'exit {done.returncode}: {done.stderr[-2000:]}'\n")


async def lesson_07_in_the_room(room, client: HubClient, superlink_port: int) -> None:
    context = ssl_context(room)
    kernels = {name: RemoteKernel(client.server_url(name), room.api_token, context,
                                  cwd=course_copy.COURSE_DIR)
               for name in [room.admin, *PARTICIPANTS]}
    exchange = "$FEDLEARN_ROOM_EXCHANGE"
    try:
        # The network audit is loaded where the participants' code runs, so the final check
        # that nothing called out can fail.
        probe = await kernels[room.admin].execute(
            "import os, sitecustomize\n"
            "print(sitecustomize.__file__, os.environ['FEDLEARN_NET_AUDIT'])")
        assert str(AUDIT) in probe.stdout, probe.stdout
        # A participant's process cannot take more memory than the room allows (--mem-limit).
        limited = await kernels["site-a"].execute(
            f"try:\n    block = bytearray({int(room.mem_limit_gib * 2**30) + 2**28})\n"
            "except MemoryError:\n    print('refused')")
        assert limited.stdout.strip() == "refused"
        step("keys")
        # 1. Each participant, all at once: their own key, only the .pub handed in.
        await asyncio.gather(*(kernels[name].execute(shell(
            f"fedlearn-kit deploy keygen --site {site} && "
            f"fedlearn-kit hub share-key --site {site}")) for name, site in PARTICIPANTS.items()))
        step("link")
        # 2-3. The facilitator: the SuperLink on the server's loopback, ca.crt published.
        await kernels[room.admin].execute(shell(
            f"fedlearn-kit deploy link --sites 2 --host 127.0.0.1 --port {superlink_port} "
            f"--keys {exchange}/pubkeys && fedlearn-kit hub share-ca"))
        step("nodes")
        # 4. Each participant, all at once: a SuperNode joining the facilitator's SuperLink.
        await asyncio.gather(*(kernels[name].execute(shell(
            f"fedlearn-kit deploy node --superlink 127.0.0.1:{superlink_port} "
            f"--site {site} --sites 2 --ca {exchange}/superlink/ca.crt --timeout 240"),
            timeout=300)  # generous: CI machines are shared
            for name, site in PARTICIPANTS.items()))
        step("run")
        # 5. The facilitator runs the course's apps on the room.
        await kernels[room.admin].execute(shell(
            f"fedlearn-kit run --engine deployment --workdir work/room --num-sites 2 "
            f"--num-rounds {NUM_ROUNDS} --out {shlex.quote('result')}"), timeout=600)
    finally:
        for kernel in kernels.values():
            await kernel.shutdown()


def test_lesson_07_room_variant_on_the_hub_matches_the_local_engine() -> None:
    STARTED[0] = time.monotonic()
    with running_room() as room:
        step("hub up")
        client = HubClient(room)
        client.create_users(list(PARTICIPANTS))
        for name in [room.admin, *PARTICIPANTS]:
            client.start_server(name)
        for name in [room.admin, *PARTICIPANTS]:
            client.wait_until_ready(name)
        proxy = int((room.private / "proxy.pid").read_text())
        assert "audit.js" in Path(f"/proc/{proxy}/environ").read_text(errors="replace")
        step("servers up")
        superlink_port = free_port()
        # A thread of its own: a browser test in the same process keeps an event loop running.
        with ThreadPoolExecutor(1) as thread:
            thread.submit(asyncio.run, lesson_07_in_the_room(room, client, superlink_port)
                          ).result()

        model = Path(room.homes) / users.system_name(room.admin) / course_copy.COURSE_DIR / \
            "result" / "model.pt"
        step("lesson 07 done")
        federated = torch.load(model, weights_only=True)
        local = run(kit.Experiment(num_rounds=NUM_ROUNDS), engine="local", progress=False)
        assert federated.keys() == local.state_dict.keys()
        for key, value in local.state_dict.items():
            torch.testing.assert_close(federated[key], value, rtol=0, atol=1e-6)

        # The participants' SuperNodes outlive the commands that started them, as their own
        # system users: the hub's stop must still find them.
        supernodes = [p for p in psutil.process_iter(["username", "cmdline"])
                      if p.info["username"] in {users.system_name(n) for n in PARTICIPANTS}
                      and "supernode" in " ".join(p.info["cmdline"] or [])]
        assert len(supernodes) >= len(PARTICIPANTS)
        step("hub down")
        report = server.down(room.workdir)
        assert report["still_running"] == [] and report["ports_still_open"] == []
        assert not [p.pid for p in supernodes if p.is_running()
                    and p.status() != psutil.STATUS_ZOMBIE]
        assert port_free("127.0.0.1", superlink_port)
        assert outbound_attempts(room) == "", outbound_attempts(room)
