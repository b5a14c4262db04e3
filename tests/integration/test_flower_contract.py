"""Flower's commands, run as processes, still take the flags the deployment passes."""

from __future__ import annotations

import pytest

#: The command-line flags the deployment passes to Flower's commands.
FLAGS = {
    "flower-superlink": ("--insecure", "--ssl-ca-certfile", "--ssl-certfile", "--ssl-keyfile",
                         "--enable-supernode-auth", "--isolation",
                         "--disable-runtime-dependency-installation", "--host", "--port"),
    "flower-supernode": ("--superlink", "--isolation", "--host", "--port", "--node-config",
                         "--max-wait-time", "--insecure", "--root-certificates",
                         "--auth-supernode-private-key"),
}


@pytest.mark.parametrize("command", sorted(FLAGS))
def test_flowers_commands_take_the_flags_the_deployment_passes(command: str) -> None:
    import subprocess

    from fedlearn_kit.federation.deployment.process_control import flower_command

    text = subprocess.run([flower_command(command), "--help"], capture_output=True,
                          text=True, timeout=120, check=False).stdout
    missing = [flag for flag in FLAGS[command] if flag not in text]
    assert not missing, f"`{command}` no longer takes {missing}"
