"""The deployment's ServerApp wrapper and app folder, without processes."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import fedlearn_kit as kit
from fedlearn_kit.federation.config import write_flower_app
from fedlearn_kit.federation.deploy import COMPONENTS_MODULE, _light_components
from fedlearn_kit.federation.deploy_app import PromptGrid


class SlowGrid:
    """A stand-in for Flower's Grid: replies appear after a number of pulls."""

    def __init__(self, ready_after: int) -> None:
        self.ready_after, self.pulls = ready_after, 0

    def push_messages(self, messages):
        return [f"id-{i}" for i, _ in enumerate(messages)]

    def pull_messages(self, message_ids):
        self.pulls += 1
        if self.pulls < self.ready_after:
            return []
        return [SimpleNamespace(metadata=SimpleNamespace(reply_to_message_id=i))
                for i in message_ids]


def test_prompt_grid_pulls_until_every_reply_is_in() -> None:
    inner = SlowGrid(ready_after=3)
    replies = PromptGrid(inner, interval=0.01).send_and_receive(["a", "b"], timeout=5)
    assert sorted(r.metadata.reply_to_message_id for r in replies) == ["id-0", "id-1"]
    assert inner.pulls == 3


def test_prompt_grid_gives_up_after_the_timeout() -> None:
    inner = SlowGrid(ready_after=10**9)
    assert PromptGrid(inner, interval=0.01).send_and_receive(["a"], timeout=0.1) == []


def test_app_folder_names_light_components(tmp_path: Path) -> None:
    pyproject = write_flower_app(tmp_path, kit.Experiment(num_rounds=2))
    _light_components(pyproject)
    text = pyproject.read_text()
    assert f'serverapp = "{COMPONENTS_MODULE}:server_app"' in text
    assert f'clientapp = "{COMPONENTS_MODULE}:client_app"' in text
    module = (tmp_path / f"{COMPONENTS_MODULE}.py").read_text()
    assert "client_app = " in module and "server_app = " in module  # Flower checks the AST
    assert '"num-rounds" = 2' in text
