"""Every timing setting of a federated run and of the deployment's processes, in one place.

Seconds unless a comment says otherwise. Each name says which process it paces: a
SuperNode, the kit's warm executor and the kit's deployment ServerApp poll at different
rates for different reasons, so a shared name like ``IDLE_POLL`` would mean three things.

This module imports nothing. The SuperNode launcher
(:mod:`~fedlearn_kit.federation.deployment.flower_launcher`), which must not load torch,
and the in-process engine, which must not load the deployment, both read it.
"""

from __future__ import annotations

# ---------------------------------------------------------------- a run, on any engine

#: Seconds a whole run may take (``federation.run`` on every engine, ``Deployment.run``);
#: a run that takes longer is stopped with :class:`TimeoutError`.
RUN_TIMEOUT = 600.0

# ---------------------------------------------------------------- starting a deployment

#: Seconds the SuperLink may take to listen on its port.
SUPERLINK_START_TIMEOUT = 30.0
#: Seconds a SuperNode may take to join the SuperLink (also a whole ``up``'s start).
SUPERNODE_JOIN_TIMEOUT = 60.0
#: Seconds a warm executor may take to import Flower and torch (a slow laptop's first run).
EXECUTOR_WARM_TIMEOUT = 120.0
#: Seconds one ``flwr`` command (``supernode register``/``list``) may take.
FLWR_COMMAND_TIMEOUT = 120.0
FLWR_LIST_TIMEOUT = 60.0
#: How many ``flwr supernode register`` commands run at once (a number, not seconds): each
#: costs a second of CPU to start, and twenty at once on a 2-core laptop make all late.
REGISTER_AT_ONCE = 4
#: Seconds between two looks at a starting process (a port, an executor's ready line).
READY_POLL = 0.1
#: Seconds between two checks that SuperNodes have joined (each may run ``flwr``).
JOIN_POLL = 0.3
#: Seconds a stopped process gets to end by itself before it is killed.
STOP_GRACE = 5.0
#: Seconds by which a process's start time may differ from the one the kit recorded and
#: still be the same process, where its environment (the deployment's marker) cannot be
#: read. Start times are compared from boot on Linux, which a clock step does not move;
#: pid reuse needs the same command line too, so a tolerance of seconds is safe.
START_TIME_TOLERANCE = 2.0
#: Seconds a SuperNode whose key the SuperLink reports in use is started again before the
#: kit says so: Flower frees a crashed node's key after two missed heartbeats (about 12 s).
KEY_IN_USE_RETRY = 20.0

# ---------------------------------------------------------------- a SuperNode
# (deployment/flower_launcher.py: settings Flower has no command-line option for)

#: Seconds between a SuperNode's heartbeats (Flower: 30). The SuperLink declares a node
#: gone after two intervals, so a lost laptop is noticed within about 12 s.
SUPERNODE_HEARTBEAT = 6.0
#: Seconds a heartbeat request may take (Flower: 5); the sender waits the rest.
SUPERNODE_HEARTBEAT_CALL_TIMEOUT = 1.0
#: Seconds between a busy SuperNode's polls for work, and how long after its last message
#: it counts as busy.
SUPERNODE_BUSY_POLL = 0.2
SUPERNODE_BUSY_WINDOW = 60.0
#: Seconds between an idle SuperNode's polls (Flower: 3); twenty idle SuperNodes and their
#: SuperLink then stay under 0.2 cores in all.
SUPERNODE_IDLE_POLL = 5.0
#: An idle SuperNode that has a wake file polls the SuperLink only this often; the file
#: wakes it when a run starts.
SUPERNODE_WOKEN_IDLE_POLL = 10.0
#: Seconds between a busy SuperNode's looks for its reply (Flower: 0.5).
SUPERNODE_REPLY_POLL = 0.05
#: Seconds between the end of one poll's sleep and the next poll that mean a message was
#: handled in between (an empty poll is one quick request; handling a message includes at
#: least Flower's 0.5 s wait for the reply).
SUPERNODE_WORK_GAP = 0.4
#: Flower's own idle poll (``time.sleep(3)`` in ``start_client_internal``): not a setting,
#: the value by which the launcher recognises that sleep (a contract test checks it).
FLOWER_SUPERNODE_IDLE_POLL = 3.0
#: Seconds between two looks at the wake file (a local ``stat``, no network).
WAKE_FILE_CHECK = 0.1

# ---------------------------------------------------------------- the warm executor
# (deployment/executor.py)

#: Seconds between an idle executor's asks for tasks (flower-superexec: 1 s). Each ask costs
#: its SuperNode an HTTP request, so an executor serving more than
#: :data:`EXECUTOR_FEW_TARGETS` SuperNodes (a number) asks each only every
#: :data:`EXECUTOR_IDLE_POLL_MANY` seconds.
EXECUTOR_IDLE_POLL = 1.0
EXECUTOR_IDLE_POLL_MANY = 3.0
EXECUTOR_FEW_TARGETS = 4
#: Seconds between a busy executor's asks, and how long after its last task it is busy.
EXECUTOR_BUSY_POLL = 0.05
EXECUTOR_BUSY_WINDOW = 60.0
#: Seconds between an idle executor's asks when a wake file tells it that a run is
#: starting (a deployment on one machine).
EXECUTOR_WOKEN_IDLE_POLL = 5.0
#: Seconds before asking again after the Runtime API could not be reached, and how many
#: failures in a row (a number) end the executor (its SuperNode has gone).
EXECUTOR_RETRY_INTERVAL = 1.0
EXECUTOR_MAX_FAILURES = 120
#: Seconds between the watchdog's checks that the owners (SuperNodes, SuperLink) live.
EXECUTOR_WATCHDOG_INTERVAL = 0.5
