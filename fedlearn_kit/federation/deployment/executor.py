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
import ctypes
import os
import signal
import sys
import threading
import time
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import psutil

from fedlearn_kit.federation import _flower, settings
from fedlearn_kit.federation.deployment.flower_launcher import WakeFile

#: The line the executor prints once it is warm and asking for tasks (the deployment
#: waits for it).
SERVING = "fedlearn-kit executor serving"


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


def die_with_parent() -> None:
    """Linux: have the kernel kill this process when its parent dies (PR_SET_PDEATHSIG).

    Elsewhere the task relies on Flower's own parent monitoring (see :func:`_run_task`)
    and the executor's watchdog.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # 1 = PR_SET_PDEATHSIG
    except OSError:
        pass


def _run_task(kind: str, address: str, token: str, insecure: bool,
              certificates: bytes | None, owner: int | None) -> None:
    """In the forked child: run one task with Flower's code, then exit at once.

    The task dies with the executor (:func:`die_with_parent`) and with its owner, the
    SuperNode or SuperLink whose Runtime API gave it (Flower's parent monitoring).
    """
    die_with_parent()
    code = 0
    start = time.monotonic()
    try:
        RUNNERS[kind](address, token, insecure, certificates, owner)
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
    """Import what a task needs and pay torch's first-call costs, before forking.

    A cold process spends seconds on its first training step (torch loads optimiser and
    autograd code lazily); a child forked after this inherits all of it. Only libraries
    are imported, never the app: each task imports the app's own modules from the app
    folder Flower installed for its run (a learner's edited copy included), which it could
    not if this process had imported another ``fedlearn_app`` already. The imports are here,
    not at the top of the module, because importing is this function's job: the deployment
    reads this module's constants without paying for torch.
    """
    import pandas  # noqa: F401 - what the app's task.py imports
    import sklearn.metrics  # noqa: F401
    import torch
    from flwr.app import Message  # noqa: F401 - Flower's public API the apps use
    from flwr.clientapp import ClientApp  # noqa: F401
    from flwr.serverapp.strategy import FedAvg  # noqa: F401

    torch.set_num_threads(1)  # tiny models: threads cost more than they save on 2 cores
    net = torch.nn.Linear(4, 1)
    optimizer = torch.optim.SGD(net.parameters(), lr=0.1)
    X, y = torch.zeros(8, 4), torch.ones(8)  # noqa: N806
    loss = torch.nn.BCEWithLogitsLoss()(net(X).squeeze(-1), y)
    loss.backward()
    optimizer.step()
    with torch.no_grad():
        torch.sigmoid(net(X))


@dataclass
class Target:
    """One Runtime API the executor serves, and the process that owns it."""

    address: str
    owner: int | None
    client: _flower.RuntimeTaskClient
    failures: int = 0


def _watchdog(owners: list[int]) -> None:
    """Exit the executor once every owner has gone, even while a request is hanging."""
    def watch() -> None:
        while any(_pid_alive(pid) for pid in owners):
            time.sleep(settings.EXECUTOR_WATCHDOG_INTERVAL)
        print("Every owner process is gone; executor exits", flush=True)
        os._exit(0)

    threading.Thread(target=watch, daemon=True).start()


def serve(address: str | Sequence[str], *, kind: str = "clientapp", insecure: bool = True,
          root_certificates: str | None = None,
          parent_pid: int | None | Sequence[int] = None,
          poll: float = settings.EXECUTOR_BUSY_POLL,
          idle_poll: float = settings.EXECUTOR_IDLE_POLL, lazy: bool = False) -> None:
    """Serve one or more Runtime APIs until their owners (``parent_pid``) have gone.

    ``kind`` is ``clientapp`` (SuperNodes' Runtime APIs) or ``serverapp`` (a SuperLink's).
    One executor may serve every SuperNode on a machine: pass their addresses and pids in
    the same order; torch and the apps are then in memory once, not once per site.
    ``lazy``: import torch and the apps when the first task arrives (a participant's laptop
    holds ~150 MB instead of ~550 MB until training starts). Its polling is set in
    :mod:`fedlearn_kit.federation.settings` (``EXECUTOR_*``).
    """
    if kind not in RUNNERS:
        raise ValueError(f"kind={kind!r}: choose one of {sorted(RUNNERS)}.")
    addresses = [address] if isinstance(address, str) else list(address)
    owners = (list(parent_pid) if isinstance(parent_pid, Sequence)
              else [parent_pid] * len(addresses))
    if len(owners) != len(addresses):
        raise ValueError("Give one --parent-pid per --runtime-api-address.")
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    wake = WakeFile.from_env()  # before warming up: a wake during the imports still counts
    if not lazy:
        warm_up()
    warm = not lazy
    certificates = Path(root_certificates).read_bytes() if root_certificates else None
    targets = [Target(a, o, _flower.runtime_task_client(a, kind, insecure, certificates))
               for a, o in zip(addresses, owners, strict=True)]
    if all(o is not None for o in owners):
        _watchdog([o for o in owners if o is not None])
    print(f"{SERVING}: {kind} worker {os.getpid()} at {', '.join(addresses)}", flush=True)
    children: set[int] = set()
    last_task = float("-inf")
    while targets:
        _reap(children)
        for target in list(targets):
            if target.owner is not None and not _pid_alive(target.owner):
                print(f"Owner {target.owner} of {target.address} is gone; no longer served",
                      flush=True)
                targets.remove(target)
                continue
            try:
                token = target.client.acquire()
            except Exception as err:  # noqa: BLE001 - the Runtime API may be starting/stopping
                target.failures += 1
                if target.failures >= settings.EXECUTOR_MAX_FAILURES:
                    print(f"The Runtime API at {target.address} did not answer "
                          f"{target.failures} times in a row; no longer served", flush=True)
                    targets.remove(target)
                elif target.failures % 10 == 1:
                    print(f"Runtime API {target.address} not reachable "
                          f"({type(err).__name__}); retrying", flush=True)
                continue
            target.failures = 0
            if token:
                if not warm:
                    warm_up()
                    warm = True
                last_task = time.monotonic()
                pid = os.fork()
                if pid == 0:
                    _run_task(kind, target.address, token, insecure, certificates,
                              target.owner)
                children.add(pid)
        busy = time.monotonic() - last_task < settings.EXECUTOR_BUSY_WINDOW
        failing = targets and all(t.failures for t in targets)
        idle = (idle_poll if len(targets) <= settings.EXECUTOR_FEW_TARGETS
                else max(idle_poll, settings.EXECUTOR_IDLE_POLL_MANY))
        if busy or failing or wake is None:
            time.sleep(settings.EXECUTOR_RETRY_INTERVAL if failing else poll if busy else idle)
        elif wake.wait(settings.EXECUTOR_WOKEN_IDLE_POLL):
            last_task = time.monotonic()  # a run is starting: ask often from now on
    print("Owner process gone; worker exits", flush=True)


def main(argv: Sequence[str] | None = None) -> None:
    """Command-line entry: ``python -m fedlearn_kit.federation.deployment.executor``."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--kind", choices=sorted(RUNNERS), default="clientapp",
                        help="clientapp (for a SuperNode) or serverapp (for a SuperLink)")
    parser.add_argument("--runtime-api-address", required=True, action="append",
                        help="a SuperNode's Runtime API, HOST:PORT (its --host/--port); "
                             "repeat to serve several SuperNodes")
    parser.add_argument("--insecure", action="store_true",
                        help="the Runtime API is plain HTTP (loopback only)")
    parser.add_argument("--root-certificates", default=None)
    parser.add_argument("--parent-pid", type=int, default=None, action="append",
                        help="the owner of each Runtime API (the SuperNode), in order; "
                             "the executor stops serving an API whose owner is gone")
    parser.add_argument("--poll", type=float, default=settings.EXECUTOR_BUSY_POLL)
    parser.add_argument("--lazy", action="store_true",
                        help="import torch and the apps only when the first task arrives")
    args = parser.parse_args(argv)
    serve(args.runtime_api_address, kind=args.kind, insecure=args.insecure,
          root_certificates=args.root_certificates, parent_pid=args.parent_pid,
          poll=args.poll, lazy=args.lazy)


if __name__ == "__main__":
    main()
