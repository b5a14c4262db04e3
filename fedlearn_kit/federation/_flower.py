"""The one place where the kit touches Flower beyond its public API.

Flower's public API (``flwr.app``, ``flwr.clientapp``, ``flwr.serverapp``, the
``flwr``/``flower-*`` commands and their documented flags) is used directly everywhere.
Everything else the kit relies on lives here, each item with a note saying why the kit
needs it and with a contract test in ``tests/unit/test_flower_contract.py`` that fails naming
the item when a Flower release changes it:

- **the local engine** (:mod:`~fedlearn_kit.federation.local`): the process-wide task
  identity ``Message()`` reads (:func:`task_identity`), an empty ``Run`` for the Grid
  (:func:`empty_run`), setting a message's id (:func:`set_message_id`) and the SuperLink's
  node id (:data:`SUPERLINK_NODE_ID`);
- **the in-process engine's error replies**: the error code of a ClientApp that raised
  (:data:`CLIENT_APP_RAISED_EXCEPTION`);
- **the deployment's launcher** (:mod:`~fedlearn_kit.federation.deployment.flower_launcher`):
  the module globals it sets for the course's heartbeat and polling
  (:data:`PATCHED_GLOBALS`) and the functions behind ``flower-supernode``/
  ``flower-superlink`` (:data:`COMMAND_ENTRIES`);
- **the warm executor** (:mod:`~fedlearn_kit.federation.deployment.executor`): the Runtime
  API's task protocol and Flower's functions that run one ClientApp or ServerApp task
  (:func:`runtime_task_client`, :func:`run_clientapp_task`, :func:`run_serverapp_task`);
- **command-line output**: the JSON of ``flwr supernode register/list`` and ``flwr ls``
  (documented formats, parsed here in one place) and the SuperNode log line that is the
  only sign a participant's own machine has that its node joined (:data:`NODE_JOINED_HINT`);
- **privacy lessons**: Flower's ``LocalDpMod`` noise calibration
  (:func:`local_dp_noise_std`, which the site-DP run's ε uses) and the SecAgg+
  configuration keys (:func:`secaggplus_keys`, which the SecAgg+ run uses).

The adapter declares the Flower version it was tested with (:data:`FLOWER_TESTED`). On
another version the kit warns once (:func:`check_version`); where an internal is missing,
the kit falls back to Flower's public behaviour: the deployment uses Flower's own
subprocess isolation instead of the warm executor (:func:`warm_executor_available`).
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.metadata
import json
import math
import os
import re
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from fedlearn_kit.i18n import _

#: The flwr release this adapter and its contract tests were last run against.
FLOWER_TESTED = "1.42.0"

#: A SuperNode prints this once the SuperLink has accepted it (INFO log, not an API).
NODE_JOINED_HINT = "SuperNode ID:"

_ANSI = re.compile(r"\x1b\[[0-9;]*m")

#: The in-process engine (:mod:`~fedlearn_kit.federation.local`): Flower's task identity,
#: an empty Run, the SuperLink's node id and the error code of a ClientApp that raised.
LOCAL_ENGINE_INTERNALS = (
    "flwr.supercore.task_identity:TaskIdentity",
    "flwr.supercore.run:Run",
    "flwr.common.constant:SUPERLINK_NODE_ID",
    "flwr.common.constant:ErrorCode",
)
#: The warm executor (:mod:`~fedlearn_kit.federation.deployment.executor`); without any of
#: them the kit uses Flower's own subprocess isolation.
EXECUTOR_INTERNALS = (
    "flwr.supernode.runtime.run_clientapp:run_clientapp",
    "flwr.superlink.runtime:run_serverapp",
    "flwr.supercore.logger:mirror_output_to_queue",
    "flwr.supercore.logger:restore_output",
    "flwr.proto.runtime_pb2:AcquireTaskRequest",
    "flwr.supercore.constant:TaskType",
    "flwr.supercore.interceptors:RuntimeVersionHttpInterceptor",
    "flwr.supercore.retry:make_simple_http_retry_invoker",
    "flwr.supercore.runtime:RuntimeHttpClient",
)
#: The module globals the deployment's launcher
#: (:mod:`~fedlearn_kit.federation.deployment.flower_launcher`) sets in Flower's SuperNode
#: and SuperLink processes, for settings Flower has no command-line option for. The
#: launcher reads them from here; a contract test checks each exists.
SUPERNODE_HEARTBEAT_INTERVALS = (
    "flwr.supernode.fleet_http_connection:HEARTBEAT_DEFAULT_INTERVAL",
    "flwr.supercore.heartbeat:HEARTBEAT_DEFAULT_INTERVAL",
)
SUPERNODE_HEARTBEAT_CALL_TIMEOUT = "flwr.supercore.heartbeat:HEARTBEAT_CALL_TIMEOUT"
#: The ``time`` module as the SuperNode's polling loop sees it (its sleeps pace the loop).
SUPERNODE_LOOP_TIME = "flwr.supernode.start_client_internal:time"
SUPERLINK_HEARTBEAT_MIN_INTERVAL = \
    "flwr.superlink.servicer.fleet.fleet_handlers:HEARTBEAT_MIN_INTERVAL"
PATCHED_GLOBALS = (*SUPERNODE_HEARTBEAT_INTERVALS, SUPERNODE_HEARTBEAT_CALL_TIMEOUT,
                   SUPERNODE_LOOP_TIME, SUPERLINK_HEARTBEAT_MIN_INTERVAL)
#: The functions behind Flower's ``flower-supernode`` and ``flower-superlink`` commands,
#: which the launcher calls after setting the globals above.
COMMAND_ENTRIES = {"supernode": "flwr.supernode.cli:flower_supernode",
                   "superlink": "flwr.superlink.cli:flower_superlink"}
#: The privacy lessons: the SecAgg+ record keys of Flower's legacy API. (LocalDpMod is
#: public; a contract test measures its noise against :func:`local_dp_noise_std`.)
PRIVACY_INTERNALS = (
    "flwr.common.secure_aggregation.secaggplus_constants:RECORD_KEY_CONFIGS",
    "flwr.common.secure_aggregation.secaggplus_constants:Key",
)
#: Every internal the kit relies on, ``module:attribute``, for the contract tests and
#: :func:`missing_internals`.
INTERNALS = (*LOCAL_ENGINE_INTERNALS, *EXECUTOR_INTERNALS, *PATCHED_GLOBALS,
             *COMMAND_ENTRIES.values(), *PRIVACY_INTERNALS)


class FlowerInternalMissingError(ImportError):
    """A Flower internal the kit relies on is not where this Flower release keeps it."""


def internal(path: str) -> Any:
    """The object at ``"module:attribute"``; if absent, an error that names it."""
    module_name, _colon, attribute = path.partition(":")
    try:
        module = importlib.import_module(module_name)
        return getattr(module, attribute)
    except (ImportError, AttributeError) as err:
        raise FlowerInternalMissingError(
            f"Flower internal {path} is missing in flwr {flower_version()} (the kit was "
            f"tested with {FLOWER_TESTED}): {err}") from err


def missing_internals(paths: tuple[str, ...] = INTERNALS) -> list[str]:
    """Which of ``paths`` this Flower lacks (empty when all are there)."""
    missing = []
    for path in paths:
        try:
            internal(path)
        except FlowerInternalMissingError:
            missing.append(path)
    return missing


def flower_version() -> str:
    """The installed flwr version."""
    try:
        return importlib.metadata.version("flwr")
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


@cache
def check_version() -> bool:
    """Warn once if the installed flwr is not the one the adapter was tested with."""
    version = flower_version()
    if version != FLOWER_TESTED:
        warnings.warn(f"fedlearn-kit was tested with flwr {FLOWER_TESTED}, this environment "
                      f"has {version}. The kit falls back to Flower's public behaviour where "
                      "an internal it uses is missing; run the contract tests "
                      "(tests/unit/test_flower_contract.py) to see what changed.", stacklevel=2)
    return version == FLOWER_TESTED


# ---------------------------------------------------------------- constants, exported by Flower

def _constant(path: str, name: str) -> Any:
    return getattr(internal(path), name) if name else internal(path)


#: The node id Flower gives the SuperLink (``flwr.common.constant.SUPERLINK_NODE_ID``).
SUPERLINK_NODE_ID: int = internal("flwr.common.constant:SUPERLINK_NODE_ID")
#: ``flwr.common.constant.ErrorCode.CLIENT_APP_RAISED_EXCEPTION``.
CLIENT_APP_RAISED_EXCEPTION: int = _constant("flwr.common.constant:ErrorCode",
                                             "CLIENT_APP_RAISED_EXCEPTION")


# ---------------------------------------------------------------- the local engine

@contextlib.contextmanager
def task_identity(run_id: int, node_id: int, task_id: int) -> Iterator[None]:
    """Set Flower's process-wide task identity for the block, then restore the previous one.

    ``Message(...)`` reads the run id, node id and task id of the current process from
    ``flwr.supercore.task_identity.TaskIdentity``, which Flower's runtimes set; the local
    engine must set it too (the node's while its ClientApp runs, the SuperLink's otherwise).
    """
    identity = internal("flwr.supercore.task_identity:TaskIdentity")
    # The metaclass properties raise while unset, so save the raw class attributes.
    saved = (identity._run_id, identity._node_id, identity._task_id)  # noqa: SLF001
    identity.run_id, identity.node_id, identity.task_id = run_id, node_id, task_id
    try:
        yield
    finally:
        identity.run_id, identity.node_id, identity.task_id = saved


def empty_run(run_id: int, run_config: dict[str, Any]) -> Any:
    """A ``flwr.supercore.run.Run`` with ``run_config`` as its override config."""
    run = internal("flwr.supercore.run:Run").create_empty(run_id)
    run.override_config = dict(run_config)
    return run


def set_message_id(msg: Any, message_id: str) -> None:
    """Give a message its id, as Flower's ``InMemoryGrid`` does (no public setter exists)."""
    msg.metadata.__dict__["_message_id"] = message_id


# ---------------------------------------------------------------- the warm executor

def fork_available() -> bool:
    """True where ``os.fork`` exists (POSIX): the warm executor forks per task."""
    return callable(getattr(os, "fork", None))


def warm_executor_available() -> bool:
    """True if the kit's warm executor can run here: ``os.fork`` and its Flower internals.

    Otherwise the deployment uses Flower's own ``--isolation subprocess`` (slower: a new
    Python process per message), and the kit says so once.
    """
    check_version()
    fork = fork_available()
    missing = ", ".join(missing_internals(EXECUTOR_INTERNALS))
    if fork and not missing:
        return True
    if not missing:
        message = _("The kit's warm executor cannot run here because this system has no "
                    "os.fork (Windows); the deployment uses Flower's own subprocess isolation "
                    "instead (correct, only slower: each message starts Python).")
    elif fork:
        message = _("The kit's warm executor cannot run here because this flwr lacks "
                    "{internals}; the deployment uses Flower's own subprocess isolation "
                    "instead (correct, only slower: each message starts Python).")
    else:
        message = _("The kit's warm executor cannot run here because this system has no "
                    "os.fork (Windows) and this flwr lacks {internals}; the deployment uses "
                    "Flower's own subprocess isolation instead (correct, only slower: each "
                    "message starts Python).")
    _warn_once(message.format(internals=missing))
    return False


@cache
def _warn_once(message: str) -> None:
    warnings.warn(message, stacklevel=3)


@dataclass
class RuntimeTaskClient:
    """Asks a Runtime API (a SuperNode's or the SuperLink's) for the next task to run."""

    client: Any
    request: Any

    def acquire(self) -> str | None:
        """The token of the next task, or ``None`` if there is none yet."""
        res = self.client.AcquireTask(self.request)
        return res.token if res.HasField("task") and res.token else None


def runtime_task_client(address: str, kind: str, insecure: bool,
                        certificates: bytes | None) -> RuntimeTaskClient:
    """A client of the Runtime API at ``address`` that acquires ``kind`` tasks.

    ``kind`` is ``"clientapp"`` or ``"serverapp"``. It introduces itself as Flower's
    ``SuperExec``, the component that normally asks for tasks.
    """
    request_type = internal("flwr.proto.runtime_pb2:AcquireTaskRequest")
    task_type = internal("flwr.supercore.constant:TaskType")
    interceptor = internal("flwr.supercore.interceptors:RuntimeVersionHttpInterceptor")
    retry = internal("flwr.supercore.retry:make_simple_http_retry_invoker")
    client_type = internal("flwr.supercore.runtime:RuntimeHttpClient")
    invoker = retry()
    # Flower's retry helper retries forever by default; an executor serving several
    # SuperNodes must hear at once that one of them has gone, so it may try twice only.
    invoker.max_tries = 2
    client = client_type.from_server_address(
        server_address=address, insecure=insecure, root_certificates=certificates,
        interceptors=[interceptor(component_name="SuperExec")], retry_invoker=invoker)
    wanted = task_type.CLIENT_APP if kind == "clientapp" else task_type.SERVER_APP
    return RuntimeTaskClient(client, request_type(supported_task_types=[wanted.value]))


def run_clientapp_task(address: str, token: str, insecure: bool,
                       certificates: bytes | None, parent_pid: int | None = None) -> None:
    """Flower's own ``flwr-clientapp`` logic for one task.

    ``parent_pid``: the SuperNode's pid; Flower's own monitor ends the task when it dies.
    """
    internal("flwr.supernode.runtime.run_clientapp:run_clientapp")(
        runtime_api_address=address, token=token, insecure=insecure,
        certificates=certificates, parent_pid=parent_pid, runtime_dependency_install=False)


def run_serverapp_task(address: str, token: str, insecure: bool,
                       certificates: bytes | None, parent_pid: int | None = None) -> None:
    """Flower's own ``flwr-serverapp`` logic for one run; its output streams to ``flwr run``."""
    from queue import Queue

    mirror: Callable[..., None] = internal("flwr.supercore.logger:mirror_output_to_queue")
    restore: Callable[[], None] = internal("flwr.supercore.logger:restore_output")
    log_queue: Queue[str | None] = Queue()
    mirror(log_queue)
    internal("flwr.superlink.runtime:run_serverapp")(
        runtime_api_address=address, log_queue=log_queue, token=token, insecure=insecure,
        certificates=certificates, parent_pid=parent_pid, runtime_dependency_install=False)
    restore()


# ---------------------------------------------------------------- the flwr command's JSON

def registered_node_id(output: str) -> int:
    """The node id in ``flwr supernode register ... --format json``'s output."""
    data = _last_json(output, "flwr supernode register")
    try:
        return int(data["node-id"])
    except (KeyError, TypeError, ValueError):
        raise ValueError(f"`flwr supernode register` gave no node-id:\n{output}") from None


def online_node_ids(output: str) -> set[int]:
    """The ids of the nodes ``flwr supernode list --format json`` shows as online."""
    data = _last_json(output, "flwr supernode list")
    return {int(node["node-id"]) for node in data.get("nodes", [])
            if node.get("status") == "online"}


def unfinished_run_ids(output: str) -> list[str]:
    """The ids of the runs ``flwr ls --format json`` shows as not finished (to stop them)."""
    data = _last_json(output, "flwr ls")
    return [str(run["run-id"]) for run in data.get("runs", [])
            if not str(run.get("status", "")).startswith("finished")]


def _last_json(output: str, command: str) -> dict[str, Any]:
    """The JSON object a ``flwr`` command printed (after any notices on other lines).

    Flower prints JSON through ``rich``, which adds colour codes when it thinks it writes
    to a terminal (a notebook kernel's environment can make it think so): they go first.
    """
    output = _ANSI.sub("", output)
    start = output.find("{")
    try:
        data = json.loads(output[start:]) if start >= 0 else None
    except json.JSONDecodeError:
        data = None
    if not isinstance(data, dict) or data.get("success") is False:
        raise ValueError(f"`{command}` did not answer with JSON success:\n{output}")
    return data


# ---------------------------------------------------------------- privacy lessons

def local_dp_noise_std(sensitivity: float, epsilon: float, delta: float) -> float:
    """The standard deviation of the Gaussian noise Flower's ``LocalDpMod`` adds.

    Flower's ``LocalDpMod`` computes it inline with the classic one-release Gaussian
    mechanism, ``sensitivity * sqrt(2 ln(1.25 / delta)) / epsilon``. The contract test runs
    ``LocalDpMod`` itself and measures its noise against this value, so a change of
    Flower's calibration cannot silently change the ε the kit reports.
    """
    return float(sensitivity * math.sqrt(2 * math.log(1.25 / delta)) / epsilon)


def secaggplus_keys() -> tuple[str, Any]:
    """``(RECORD_KEY_CONFIGS, Key)`` of Flower's SecAgg+ protocol (legacy API constants)."""
    path = "flwr.common.secure_aggregation.secaggplus_constants"
    return internal(f"{path}:RECORD_KEY_CONFIGS"), internal(f"{path}:Key")
