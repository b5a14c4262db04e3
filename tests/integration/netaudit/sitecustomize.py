"""Loaded by every Python process started with this folder on PYTHONPATH (a test helper).

Records and refuses any connection, or name lookup, to anything but loopback: each attempt
appends one line (pid, program, event, address) to the file named by
``FEDLEARN_NET_AUDIT``. The no-outbound-call test starts a deployment with this in place
and fails on any line.
"""

import os
import sys

_LOG = os.environ.get("FEDLEARN_NET_AUDIT")
_LOCAL = {"127.0.0.1", "::1", "localhost", "0.0.0.0", "", None}


def _host(address):
    if isinstance(address, tuple) and address:
        return address[0]
    return address  # AF_UNIX paths and the like


def _local(host):
    if host in _LOCAL or not isinstance(host, str):
        return True
    return host.startswith("127.") or host.endswith(".localhost") or host.startswith("/")


def _audit(event, args):
    if event == "socket.connect":
        host = _host(args[1])
    elif event == "socket.getaddrinfo":
        host = args[0]
        if isinstance(host, bytes):
            host = host.decode(errors="replace")
    else:
        return
    if _local(host):
        return
    with open(_LOG, "a", encoding="utf-8") as log:
        log.write(f"{os.getpid()} {' '.join(sys.argv[:2])[-80:]} {event} {host}\n")
    raise OSError(f"fedlearn-kit network audit: outbound {event} to {host} refused")


if _LOG:
    sys.addaudithook(_audit)
