#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Drive an interactive CLI the way a person does: keystrokes in, screen out.

  cli_session.py pty SCRIPT -- COMMAND...    run COMMAND on a pseudo-terminal
  cli_session.py socket SCRIPT PATH          a raw session on op25b's socket

SCRIPT is a JSON list of steps, each one of
  ["expect", TEXT]        wait (at most 10 s) until TEXT appears in the
                          screen output since the previous expect
  ["send", TEXT]          type TEXT (\\t is TAB, \\r is Enter, \\x04 Ctrl-D)
  ["eof"]                 wait (at most 10 s) for the other side to close
  ["exit", STATUS]        wait for COMMAND to exit with STATUS (pty only)
Prints the whole transcript; exits 1 with the reason when a step fails.
"""
import json
import os
import pty
import select
import signal
import socket
import subprocess
import sys
import time

TIMEOUT = 10.0


class Screen:
    def __init__(self, read, write):
        self.read, self.write = read, write
        self.buf = b""  # not yet matched by an expect
        self.transcript = b""
        self.closed = False

    def pump(self, deadline):
        while not self.closed and time.monotonic() < deadline:
            data = self.read(max(0.0, deadline - time.monotonic()))
            if data is None:
                return
            if data == b"":
                self.closed = True
                return
            self.buf += data
            self.transcript += data
            return

    def expect(self, text):
        want = text.encode()
        deadline = time.monotonic() + TIMEOUT
        while want not in self.buf:
            if self.closed or time.monotonic() >= deadline:
                raise AssertionError("did not see %r; the screen since the "
                                     "last match:\n%s" % (
                                         text, self.buf.decode(errors="replace")))
            self.pump(deadline)
        self.buf = self.buf[self.buf.index(want) + len(want):]

    def eof(self):
        deadline = time.monotonic() + TIMEOUT
        while not self.closed:
            if time.monotonic() >= deadline:
                raise AssertionError("the session did not end")
            self.pump(deadline)


def run(screen, steps, proc=None):
    for step in steps:
        kind = step[0]
        if kind == "expect":
            screen.expect(step[1])
        elif kind == "send":
            screen.write(step[1].encode())
        elif kind == "eof":
            screen.eof()
        elif kind == "exit":
            try:
                rc = proc.wait(timeout=TIMEOUT)
            except subprocess.TimeoutExpired:
                raise AssertionError("the program did not exit")
            if rc != step[1]:
                raise AssertionError("exit status %d, want %d" % (rc, step[1]))
        elif kind == "sleep":
            time.sleep(step[1])
        else:
            raise AssertionError("unknown step %r" % (step,))


def main():
    mode, steps = sys.argv[1], json.loads(sys.argv[2])
    proc = None
    if mode == "pty":
        command = sys.argv[sys.argv.index("--") + 1:]
        master, slave = pty.openpty()
        proc = subprocess.Popen(command, stdin=slave, stdout=slave,
                                stderr=slave, start_new_session=True,
                                close_fds=True)
        os.close(slave)

        def read(timeout):
            r, _, _ = select.select([master], [], [], timeout)
            if not r:
                return None
            try:
                return os.read(master, 4096)
            except OSError:  # EIO: the program closed the terminal
                return b""

        screen = Screen(read, lambda b: os.write(master, b))
    else:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.connect(sys.argv[3])

        def read(timeout):
            r, _, _ = select.select([sock], [], [], timeout)
            return sock.recv(4096) if r else None

        screen = Screen(read, sock.sendall)
    try:
        run(screen, steps, proc)
        ok = True
    except AssertionError as e:
        print("FAILED: %s" % e)
        ok = False
    finally:
        if proc is not None and proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    sys.stdout.write(screen.transcript.decode(errors="replace"))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
