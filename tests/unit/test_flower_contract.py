"""Contract tests: every Flower internal the kit relies on, one test each.

Each test names the internal in its failure, so a Flower upgrade that moves or changes one
points straight at the line of ``fedlearn_kit/federation/_flower.py`` to fix. The tests
check behaviour the kit depends on, not just that a name imports.
"""

from __future__ import annotations

import importlib
import inspect
import json
import warnings

import numpy as np
import pytest

from fedlearn_kit.federation import _flower


@pytest.mark.parametrize("path", _flower.INTERNALS)
def test_every_internal_is_where_the_kit_looks(path: str) -> None:
    try:
        _flower.internal(path)
    except _flower.FlowerInternalMissingError as err:
        pytest.fail(str(err))


def test_a_missing_internal_is_named() -> None:
    with pytest.raises(_flower.FlowerInternalMissingError, match="flwr.nowhere:Thing"):
        _flower.internal("flwr.nowhere:Thing")
    assert _flower.missing_internals(("flwr.nowhere:Thing", "flwr.app:Message")) == [
        "flwr.nowhere:Thing"]


def test_constants_are_flowers_own() -> None:
    from flwr.common.constant import SUPERLINK_NODE_ID, ErrorCode

    assert _flower.SUPERLINK_NODE_ID == SUPERLINK_NODE_ID, "flwr.common.constant.SUPERLINK_NODE_ID"
    assert _flower.CLIENT_APP_RAISED_EXCEPTION == ErrorCode.CLIENT_APP_RAISED_EXCEPTION, \
        "flwr.common.constant.ErrorCode.CLIENT_APP_RAISED_EXCEPTION"


def test_task_identity_is_what_message_reads_and_is_restored() -> None:
    from flwr.app import Message, RecordDict

    with _flower.task_identity(run_id=7, node_id=1001, task_id=3):
        msg = Message(RecordDict(), 1, "train", group_id="1")
        assert msg.metadata.run_id == 7, "flwr.supercore.task_identity.TaskIdentity.run_id"
        assert msg.metadata.src_node_id == 1001, "TaskIdentity.node_id"
        assert msg.metadata.src_task_id == 3, "TaskIdentity.task_id"
        assert msg.metadata.dst_node_id == 1  # Message's own argument, not the identity
        with _flower.task_identity(run_id=8, node_id=1, task_id=1):
            assert Message(RecordDict(), 1, "train", group_id="1").metadata.run_id == 8
        assert Message(RecordDict(), 1, "train", group_id="1").metadata.run_id == 7
    identity = _flower.internal("flwr.supercore.task_identity:TaskIdentity")
    assert identity._run_id is None or identity._run_id != 7  # noqa: SLF001 - restored


def test_empty_run_carries_the_run_config() -> None:
    run = _flower.empty_run(5, {"num-rounds": 2})
    assert run.run_id == 5, "flwr.supercore.run.Run.create_empty"
    assert run.override_config == {"num-rounds": 2}, "Run.override_config"


def test_a_message_id_set_by_the_kit_is_the_one_flower_reports() -> None:
    from flwr.app import Message, RecordDict

    with _flower.task_identity(1, 1, 1):
        msg = Message(RecordDict(), 1, "train", group_id="1")
    _flower.set_message_id(msg, "msg-42")
    assert msg.metadata.message_id == "msg-42", "Metadata._message_id"


def test_the_launchers_entries_are_the_functions_behind_flowers_commands() -> None:
    from importlib.metadata import entry_points

    scripts = {e.name: e.value for e in entry_points(group="console_scripts")}
    for role, path in _flower.COMMAND_ENTRIES.items():
        assert scripts[f"flower-{role}"] == path, f"flower-{role}: {scripts[f'flower-{role}']}"


def test_flwr_ls_json_keys_are_flowers() -> None:
    source = inspect.getsource(_flower.internal("flwr.cli.ls:_to_json"))
    assert '"run-id"' in source and '"status"' in source, "flwr ls --format json"
    assert "finished" in inspect.getsource(importlib.import_module("flwr.common.constant")), \
        "flwr.common.constant.Status.FINISHED"


def test_executor_task_runners_take_the_arguments_the_kit_passes() -> None:
    expected = {"runtime_api_address", "token", "insecure", "certificates", "parent_pid",
                "runtime_dependency_install"}
    for path in ("flwr.supernode.runtime.run_clientapp:run_clientapp",
                 "flwr.superlink.runtime:run_serverapp"):
        params = set(inspect.signature(_flower.internal(path)).parameters)
        assert expected <= params, f"{path} lacks {sorted(expected - params)}"
    assert "log_queue" in inspect.signature(
        _flower.internal("flwr.superlink.runtime:run_serverapp")).parameters


def test_the_runtime_task_protocol_has_what_the_executor_uses() -> None:
    request_type = _flower.internal("flwr.proto.runtime_pb2:AcquireTaskRequest")
    task_type = _flower.internal("flwr.supercore.constant:TaskType")
    request = request_type(supported_task_types=[task_type.CLIENT_APP.value,
                                                 task_type.SERVER_APP.value])
    assert len(request.supported_task_types) == 2, "AcquireTaskRequest.supported_task_types"
    client = _flower.internal("flwr.supercore.runtime:RuntimeHttpClient")
    assert hasattr(client, "from_server_address"), "RuntimeHttpClient.from_server_address"
    assert "component_name" in inspect.signature(_flower.internal(
        "flwr.supercore.interceptors:RuntimeVersionHttpInterceptor")).parameters
    client_obj = _flower.runtime_task_client("127.0.0.1:1", "clientapp", True, None)
    assert callable(client_obj.client.AcquireTask), "RuntimeHttpClient.AcquireTask"


def test_output_mirroring_reaches_the_queue_and_is_restored() -> None:
    import sys
    from queue import Queue

    mirror = _flower.internal("flwr.supercore.logger:mirror_output_to_queue")
    restore = _flower.internal("flwr.supercore.logger:restore_output")
    queue: Queue[str | None] = Queue()
    mirror(queue)
    try:
        print("fedlearn-kit contract line")
    finally:
        restore()
    sys.stdout.write("after restore\n")
    text = "".join(s for s in queue.queue if s)
    assert "fedlearn-kit contract line" in text, "flwr.supercore.logger.mirror_output_to_queue"
    assert "after restore" not in text, "flwr.supercore.logger.restore_output"


def test_flwr_supernode_json_is_read() -> None:
    register = 'Notice: migrated config\n{"success": true, "node-id": 123456789}'
    assert _flower.registered_node_id(register) == 123456789
    coloured = '\x1b[1m{\x1b[0m\n  \x1b[1;34m"success"\x1b[0m: \x1b[3;92mtrue\x1b[0m,\n' \
               '  \x1b[1;34m"node-id"\x1b[0m: \x1b[1;36m72\x1b[0m\n\x1b[1m}\x1b[0m\n'
    assert _flower.registered_node_id(coloured) == 72  # rich's colours, as in a notebook
    listing = json.dumps({"success": True, "nodes": [
        {"node-id": "1", "status": "online"}, {"node-id": "2", "status": "offline"}]})
    assert _flower.online_node_ids(listing) == {1}
    with pytest.raises(ValueError, match="did not answer with JSON"):
        _flower.online_node_ids('{"success": false, "error-message": "no"}')


def test_flwr_supernode_json_keys_are_flowers() -> None:
    """The keys parsed above are the ones Flower's CLI writes."""
    source = inspect.getsource(_flower.internal("flwr.cli.supernode.ls:_to_json"))
    assert '"node-id"' in source and '"status"' in source, "flwr supernode list --format json"
    source = inspect.getsource(importlib.import_module("flwr.cli.supernode.register"))
    assert '"node-id"' in source, "flwr supernode register --format json"


def test_local_dp_noise_has_the_std_the_kit_reports() -> None:
    """LocalDpMod itself, the mod lesson 06 registers, adds the noise the kit accounts for."""
    from flwr.app import Array, ArrayRecord, Context, Message, RecordDict
    from flwr.clientapp.mod import LocalDpMod

    update = np.zeros(200_000)
    update[0] = 1.0  # norm 1, inside the clipping norm 2: the mod leaves it unclipped

    def arrays(values: np.ndarray) -> RecordDict:
        return RecordDict({"arrays": ArrayRecord({"w": Array(values)})})

    with _flower.task_identity(run_id=1, node_id=1, task_id=1):
        msg = Message(arrays(np.zeros(200_000)), 1, "train", group_id="1")
        context = Context(run_id=1, node_id=1, node_config={}, state=RecordDict(),
                          run_config={})
        # The site sends back the received zeros plus ``update``: what the reply carries
        # beyond ``update`` is the mod's noise.
        state = np.random.get_state()  # noqa: NPY002 - Flower draws from numpy's global RNG
        np.random.seed(0)  # noqa: NPY002
        try:
            out = LocalDpMod(2.0, 2.0, 1.5, 1e-5)(
                msg, context, lambda m, _: Message(arrays(update.copy()), reply_to=m))
        finally:
            np.random.set_state(state)  # noqa: NPY002
    assert not out.has_error()
    noisy = out.content["arrays"].to_numpy_ndarrays()[0] - update
    expected = _flower.local_dp_noise_std(2.0, 1.5, 1e-5)
    assert float(noisy.mean()) == pytest.approx(0.0, abs=5 * expected / np.sqrt(noisy.size))
    assert float(noisy.std()) == pytest.approx(expected, rel=0.01), \
        "flwr.clientapp.mod.LocalDpMod: the noise's standard deviation"


def test_secaggplus_keys_exist() -> None:
    record_key, key = _flower.secaggplus_keys()
    assert isinstance(record_key, str) and hasattr(key, "SHARE_NUMBER"), \
        "flwr.common.secure_aggregation.secaggplus_constants"


def test_another_flower_version_warns_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_flower, "flower_version", lambda: "0.0.1")
    _flower.check_version.cache_clear()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            assert _flower.check_version() is False
            _flower.check_version()
        assert len([w for w in caught if "tested with flwr" in str(w.message)]) == 1
    finally:
        _flower.check_version.cache_clear()


def test_without_fork_or_an_internal_the_deployment_falls_back_to_flower(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from fedlearn_kit.federation.deployment.supervisor import choose_isolation

    assert choose_isolation("subprocess") == "subprocess"
    monkeypatch.delattr("os.fork", raising=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert choose_isolation("process") == "subprocess"
    monkeypatch.undo()
    monkeypatch.setattr(_flower, "EXECUTOR_INTERNALS", ("flwr.nowhere:Thing",))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert choose_isolation("process") == "subprocess"


def test_flower_tested_matches_the_installed_release() -> None:
    """Move FLOWER_TESTED with the pin, after the contract and deployment tests pass."""
    assert _flower.flower_version() == _flower.FLOWER_TESTED


def test_without_fork_a_swedish_session_is_told_in_swedish(monkeypatch, swedish) -> None:
    monkeypatch.setattr(_flower, "fork_available", lambda: False)
    monkeypatch.setattr(_flower, "missing_internals", lambda internals: [])
    with pytest.warns(UserWarning, match=r"^Verktygets varma exekverare kan inte köras här "
                                         r"eftersom systemet saknar os\.fork \(Windows\);"):
        assert not _flower.warm_executor_available()
