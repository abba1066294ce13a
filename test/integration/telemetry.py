#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Ask a DPDK process's telemetry socket: telemetry.py SOCKET CMD... ->
one JSON object {CMD: reply, ...} on stdout."""
import json
import socket
import sys


def ask(path, cmds):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.settimeout(5)
    s.connect(path)
    s.recv(4096)  # the greeting
    out = {}
    for cmd in cmds:
        s.send(cmd.encode())
        out.update(json.loads(s.recv(1 << 20).decode()))
    s.close()
    return out


if __name__ == "__main__":
    print(json.dumps(ask(sys.argv[1], sys.argv[2:])))
