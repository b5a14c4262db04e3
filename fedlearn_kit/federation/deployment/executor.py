"""A warm executor for Flower's ``--isolation process`` mode (lesson 07).

By default (``--isolation subprocess``) a SuperNode starts ``flower-superexec``, which
starts a fresh ``flwr-clientapp`` process for every message; each one imports Python,
Flower and torch again, several seconds on a laptop, twice per site per round. Flower's
``--isolation process`` mode leaves the launching to an executor outside the SuperNode.
This module is that executor, for a SuperNode (``--kind clientapp``) and for the SuperLink
(``--kind serverapp``): it imports Flower, torch and the kit's apps **once**, then asks the
Runtime API for tasks (as ``flower-superexec`` does) and runs each task in a child process
forked from the warm parent, with Flower's own task runners. Every message still gets its
own process, so a crash of one task cannot harm the next, but the imports are already paid.

It needs ``os.fork`` (POSIX) and several Flower internals, all reached through
:mod:`fedlearn_kit.federation._flower`; where either is missing the deployment uses
Flower's own subprocess isolation instead and never starts this module.

Run: ``python -m fedlearn_kit.federation.deployment.executor --runtime-api-address
127.0.0.1:9100 --insecure --parent-pid PID`` (the kit's deployment starts it for you).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import traceback
from collections.abc import Sequence
from pathlib import Path

import psutil
import torch

from fedlearn_kit.cohort import generate_site
from fedlearn_kit.experiment import Experiment
from fedlearn_kit.federation import _flower
from fedlearn_kit.federation.deployment import server_app  # noqa: F401 - warm: the apps
from fedlearn_kit.federation.task import evaluate_net, new_net, train_site
from fedlearn_kit.training import split_site

#: Seconds between asking the SuperNode for a task (flower-superexec: 1 s by default).
POLL_INTERVAL = 0.05


#: The line the executor prints once it is warm and asking for tasks (the deployment
#: waits for it).
SERVING = "fedlearn-kit executor serving"
#: Seconds to wait before asking again after the Runtime API could not be reached, and
#: how many failures in a row end the executor (its SuperNode has gone).
RETRY_INTERVAL = 1.0
MAX_FAILURES = 120


def _pid_alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def _reap(children: set[int]) -> None:
    for pid in list(children):
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            done = pid
        if done:
            children.discard(pid)


RUNNERS = {"clientapp": _flower.run_clientapp_task, "serverapp": _flower.run_serverapp_task}


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
    torch.set_num_threads(1)  # tiny models: threads cost more than they save on 2 cores
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
    certificates = Path(root_certificates).read_bytes() if root_certificates else None
    client = _flower.runtime_task_client(address, kind, insecure, certificates)
    print(f"{SERVING}: {kind} worker {os.getpid()} at {address}", flush=True)
    children: set[int] = set()
    failures = 0
    while parent_pid is None or _pid_alive(parent_pid):
        _reap(children)
        try:
            token = client.acquire()
        except Exception as err:  # noqa: BLE001 - the Runtime API may be starting or stopping
            failures += 1
            if failures >= MAX_FAILURES:
                raise RuntimeError(f"The Runtime API at {address} did not answer "
                                   f"{failures} times in a row; the executor gives up.") from err
            print(f"Runtime API not reachable ({type(err).__name__}: {err}); retrying",
                  flush=True)
            time.sleep(RETRY_INTERVAL)
            continue
        failures = 0
        if token:
            pid = os.fork()
            if pid == 0:
                _run_task(kind, address, token, insecure, certificates)
            children.add(pid)
            continue
        time.sleep(poll)
    print("Owner process gone; worker exits", flush=True)


def main(argv: Sequence[str] | None = None) -> None:
    """Command-line entry: ``python -m fedlearn_kit.federation.deployment.executor``."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
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
