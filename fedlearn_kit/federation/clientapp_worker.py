"""A warm executor for a SuperNode in Flower's ``--isolation process`` mode (lesson 07).

By default (``--isolation subprocess``) a SuperNode starts ``flower-superexec``, which
starts a fresh ``flwr-clientapp`` process for every message; each one imports Python,
Flower and torch again, several seconds on a laptop, twice per site per round. Flower's
``--isolation process`` mode leaves the launching to an executor outside the SuperNode.
This module is that executor: it imports Flower, torch and the kit's apps **once**, then
asks the SuperNode's Runtime API for tasks (as ``flower-superexec`` does) and runs each
task in a child process forked from the warm parent, with Flower's own
``flwr.supernode.runtime.run_clientapp``. Every message still gets its own process, so a
crash of one task cannot harm the next, but the imports are already paid.

Run: ``python -m fedlearn_kit.federation.clientapp_worker --runtime-api-address
127.0.0.1:9100 --insecure --parent-pid PID`` (the kit's deployment starts it for you).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

#: Seconds between asking the SuperNode for a task (flower-superexec: 1 s by default).
POLL_INTERVAL = 0.05


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _reap(children: set[int]) -> None:
    for pid in list(children):
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done:
            children.discard(pid)


def _run_clientapp(address: str, token: str, insecure: bool, certificates: bytes | None
                   ) -> None:
    """Flower's own ``flwr-clientapp`` logic for one task."""
    from flwr.supernode.runtime.run_clientapp import run_clientapp

    run_clientapp(runtime_api_address=address, token=token, insecure=insecure,
                  certificates=certificates, parent_pid=None, runtime_dependency_install=False)


def _run_serverapp(address: str, token: str, insecure: bool, certificates: bytes | None
                   ) -> None:
    """Flower's own ``flwr-serverapp`` logic for one run (its output streams to ``flwr run``)."""
    from queue import Queue

    from flwr.supercore.logger import mirror_output_to_queue, restore_output
    from flwr.superlink.runtime import run_serverapp

    log_queue: Queue[str | None] = Queue()
    mirror_output_to_queue(log_queue)
    run_serverapp(runtime_api_address=address, log_queue=log_queue, token=token,
                  insecure=insecure, certificates=certificates, parent_pid=None,
                  runtime_dependency_install=False)
    restore_output()


RUNNERS = {"clientapp": _run_clientapp, "serverapp": _run_serverapp}


def _run_task(kind: str, address: str, token: str, insecure: bool,
              certificates: bytes | None) -> None:
    """In the forked child: run one task with Flower's code, then exit at once."""
    code = 0
    start = time.monotonic()
    try:
        RUNNERS[kind](address, token, insecure, certificates)
    except SystemExit as done:  # flwr_exit ends every task with SystemExit
        code = done.code if isinstance(done.code, int) else 1
    except BaseException:  # noqa: BLE001 - a task must never return into the parent's loop
        import traceback

        traceback.print_exc()
        code = 1
    finally:
        print(f"{kind} task in process {os.getpid()} ended with code {code} after "
              f"{time.monotonic() - start:.2f} s", file=sys.__stdout__, flush=True)
        os._exit(code)


def warm_up() -> None:
    """Import everything a task needs and pay torch's first-call costs, before forking.

    A cold process spends seconds on its first training step (torch loads optimiser and
    autograd code lazily); a child forked after this inherits all of it.
    """
    import torch

    torch.set_num_threads(1)  # tiny models: threads cost more than they save on 2 cores
    import fedlearn_kit.federation.apps  # noqa: F401 - torch, pandas, Flower, the kit's apps
    import fedlearn_kit.federation.deploy_app  # noqa: F401
    from fedlearn_kit.cohort import generate_site
    from fedlearn_kit.experiment import Experiment
    from fedlearn_kit.federation.task import evaluate_net, new_net, train_site
    from fedlearn_kit.training import split_site

    exp = Experiment(num_sites=1, patients_per_site=60, local_epochs=1)
    split = split_site(generate_site(exp.sites()[0], exp.seed, 0), exp.test_fraction,
                       exp.seed, 0)
    net = new_net(exp)
    train_site(net, split, exp, lr=exp.lr, seed=0)
    evaluate_net(net, split.test)


def serve(address: str, *, kind: str = "clientapp", insecure: bool = True,
          root_certificates: str | None = None, parent_pid: int | None = None,
          poll: float = POLL_INTERVAL) -> None:
    """Serve the Runtime API at ``address`` until its owner (``parent_pid``) goes away.

    ``kind`` is ``clientapp`` (a SuperNode's Runtime API) or ``serverapp`` (a SuperLink's).
    """
    if kind not in RUNNERS:
        raise ValueError(f"kind={kind!r}: choose one of {sorted(RUNNERS)}.")
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    warm_up()
    from flwr.proto.runtime_pb2 import AcquireTaskRequest
    from flwr.supercore.constant import TaskType
    from flwr.supercore.interceptors import RuntimeVersionHttpInterceptor
    from flwr.supercore.retry import make_simple_http_retry_invoker
    from flwr.supercore.runtime import RuntimeHttpClient

    certificates = Path(root_certificates).read_bytes() if root_certificates else None
    client = RuntimeHttpClient.from_server_address(
        server_address=address, insecure=insecure, root_certificates=certificates,
        interceptors=[RuntimeVersionHttpInterceptor(component_name="SuperExec")],
        retry_invoker=make_simple_http_retry_invoker())
    print(f"fedlearn-kit {kind} worker {os.getpid()} serving {address}", flush=True)
    children: set[int] = set()
    task_type = TaskType.CLIENT_APP if kind == "clientapp" else TaskType.SERVER_APP
    request = AcquireTaskRequest(supported_task_types=[task_type.value])
    while parent_pid is None or _pid_alive(parent_pid):
        _reap(children)
        try:
            res = client.AcquireTask(request)
        except Exception as err:  # noqa: BLE001 - the SuperNode may be starting or stopping
            print(f"Runtime API not reachable ({type(err).__name__}); retrying", flush=True)
            time.sleep(1.0)
            continue
        if res.HasField("task") and res.token:
            pid = os.fork()
            if pid == 0:
                _run_task(kind, address, res.token, insecure, certificates)
            children.add(pid)
            continue
        time.sleep(poll)
    print("Owner process gone; worker exits", flush=True)


def main(argv: Sequence[str] | None = None) -> None:
    """Command-line entry: ``python -m fedlearn_kit.federation.clientapp_worker``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kind", choices=sorted(RUNNERS), default="clientapp",
                        help="clientapp (for a SuperNode) or serverapp (for a SuperLink)")
    parser.add_argument("--runtime-api-address", required=True,
                        help="the SuperNode's Runtime API, HOST:PORT (its --host/--port)")
    parser.add_argument("--insecure", action="store_true",
                        help="the Runtime API is plain HTTP (loopback only)")
    parser.add_argument("--root-certificates", default=None)
    parser.add_argument("--parent-pid", type=int, default=None,
                        help="exit when this process (the SuperNode) is gone")
    parser.add_argument("--poll", type=float, default=POLL_INTERVAL)
    args = parser.parse_args(argv)
    serve(args.runtime_api_address, kind=args.kind, insecure=args.insecure,
          root_certificates=args.root_certificates, parent_pid=args.parent_pid,
          poll=args.poll)


if __name__ == "__main__":
    main()
