"""Run the kit's apps on Flower's simulation runtime (Ray); the subprocess of ``run``.

``python -m fedlearn_kit.federation.simulation CONFIG.json`` reads a run config (written by
:func:`fedlearn_kit.federation.engines.run_simulation`), runs the same ClientApp and
ServerApp with ``flwr.simulation.run_simulation``, one virtual SuperNode per site, and the
ServerApp saves its outcome to the config's ``result-path`` (lesson 04).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

os.environ.setdefault("FLWR_TELEMETRY_ENABLED", "0")


def main(argv: list[str] | None = None) -> int:
    """Run one simulation from the run config in ``argv[0]``."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m fedlearn_kit.federation.simulation CONFIG.json", file=sys.stderr)
        return 2
    from flwr.simulation import run_simulation

    from fedlearn_kit.federation.apps import make_client_app, make_server_app

    config = json.loads(Path(args[0]).read_text())
    # run_simulation gives the apps an empty run config, so they get it from a closure.
    run_simulation(
        server_app=make_server_app(config), client_app=make_client_app(config),
        num_supernodes=int(config["num-sites"]),
        backend_config={"client_resources": {"num_cpus": 1, "num_gpus": 0.0},
                        "init_args": {"include_dashboard": False}})
    return 0


if __name__ == "__main__":
    sys.exit(main())
