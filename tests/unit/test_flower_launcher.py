"""The course's Flower settings: prompt polling only while there is work; the contract."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from fedlearn_kit.federation import settings
from fedlearn_kit.federation.deployment import flower_launcher as fp


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
    shim.sleep(0.5)  # Flower's wait for the reply: shortened
    idle, busy = settings.SUPERNODE_IDLE_POLL, settings.SUPERNODE_BUSY_POLL
    assert slept == [idle, idle, busy, busy, busy, settings.SUPERNODE_REPLY_POLL]


class FakeClock:
    """A clock that moves only when something sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def pause(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_a_wake_file_ends_an_idle_nodes_sleep_at_once_and_makes_it_busy(tmp_path) -> None:
    clock = FakeClock()
    wake = fp.WakeFile(tmp_path / "wake", clock=clock, pause=clock.pause)
    shim = fp.PromptSleep(wake=wake, clock=clock, pause=clock.pause)
    shim.sleep(3)  # idle, nothing touched: sleeps the long woken-idle poll in short looks
    assert clock.now == settings.SUPERNODE_WOKEN_IDLE_POLL
    assert max(clock.slept) <= settings.WAKE_FILE_CHECK
    fp.WakeFile.touch(tmp_path / "wake")  # the kit starts a run
    before = clock.now
    shim.sleep(3)
    assert clock.now - before <= settings.WAKE_FILE_CHECK + 1e-9  # woken at the first look
    clock.slept.clear()
    shim.sleep(3)  # now busy: the prompt poll
    assert clock.slept == [settings.SUPERNODE_BUSY_POLL]


def test_each_touch_of_a_wake_file_is_seen_once(tmp_path) -> None:
    clock = FakeClock()
    wake = fp.WakeFile(tmp_path / "wake", clock=clock, pause=clock.pause)
    assert not wake.wait(1.0)
    for _ in range(3):  # even within one tick of a coarse file-system clock
        fp.WakeFile.touch(tmp_path / "wake")
        assert wake.wait(1.0) and not wake.wait(0.5)


def test_a_participants_node_has_no_wake_file_and_a_local_deployment_has_one(tmp_path) -> None:
    from fedlearn_kit.federation.deployment.state import Deployment

    local = Deployment(tmp_path / "local", "127.0.0.1:1", 2)
    node = Deployment(tmp_path / "node", "127.0.0.1:1", 2, role="node")
    assert local.env()[fp.WAKE_ENV] == str(tmp_path / "local" / "wake")
    assert fp.WAKE_ENV not in node.env() and node.wake_file is None
    node.wake()  # a no-op, not an error
    local.wake()
    assert (tmp_path / "local" / "wake").exists()


def test_the_launcher_changes_exactly_the_adapters_flower_globals(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Contract: the names come from _flower, and every one of them is still Flower's."""
    from fedlearn_kit.federation import _flower

    for path in _flower.PATCHED_GLOBALS:  # put every value back after the test
        module, _, name = path.partition(":")
        target = importlib.import_module(module)
        assert hasattr(target, name), f"{module}.{name} is gone"
        monkeypatch.setattr(target, name, getattr(target, name))
    changed = fp.configure_supernode() + fp.configure_superlink()
    assert sorted(changed) == sorted(_flower.PATCHED_GLOBALS)
    heartbeat = importlib.import_module("flwr.supercore.heartbeat")
    assert heartbeat.HEARTBEAT_DEFAULT_INTERVAL == settings.SUPERNODE_HEARTBEAT
    source = importlib.import_module("flwr.supernode.start_client_internal").__file__
    idle = f"time.sleep({settings.FLOWER_SUPERNODE_IDLE_POLL:g})"  # time.sleep(3)
    assert idle in Path(source).read_text(), "Flower's idle poll changed"
