"""The course's Flower settings: prompt polling only while there is work; the contract."""

from __future__ import annotations

import importlib
from pathlib import Path

from fedlearn_kit.federation.deployment import flower_processes as fp


def test_idle_node_keeps_flowers_poll_and_a_busy_one_polls_promptly() -> None:
    slept: list[float] = []
    # (time before, time after) of each sleep call
    times = iter([0.0, 3.0, 3.0, 6.0, 30.0, 30.2, 30.4, 30.6, 120.0, 120.2, 121.0, 121.5])
    shim = fp.PromptSleep(clock=times.__next__, pause=slept.append)
    shim.sleep(3)  # first poll after joining: idle
    shim.sleep(3)  # straight after the last sleep: still idle
    shim.sleep(3)  # 24 s since the last sleep: a message was handled -> busy
    shim.sleep(3)  # within the busy window -> prompt
    shim.sleep(3)  # another message -> prompt
    shim.sleep(0.5)  # Flower's other sleeps pass through unchanged
    assert slept == [fp.IDLE_POLL, fp.IDLE_POLL, fp.BUSY_POLL, fp.BUSY_POLL, fp.BUSY_POLL,
                     0.5]


def test_the_flower_names_the_course_settings_change_still_exist() -> None:
    """Contract: if Flower renames one, this fails naming it (the launcher would warn)."""
    for module, name in (("flwr.supernode.fleet_http_connection", "HEARTBEAT_DEFAULT_INTERVAL"),
                         ("flwr.supercore.heartbeat", "HEARTBEAT_DEFAULT_INTERVAL"),
                         ("flwr.supercore.heartbeat", "HEARTBEAT_CALL_TIMEOUT"),
                         ("flwr.supernode.start_client_internal", "time"),
                         ("flwr.superlink.servicer.fleet.fleet_handlers",
                          "HEARTBEAT_MIN_INTERVAL")):
        assert hasattr(importlib.import_module(module), name), f"{module}.{name} is gone"
    source = importlib.import_module("flwr.supernode.start_client_internal").__file__
    assert "time.sleep(3)" in Path(source).read_text(), "Flower's 3 s idle poll changed"
