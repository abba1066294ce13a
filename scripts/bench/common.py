#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""What the benchmark's modules share: the systems, captures and
configurations measured, progress lines, running a command, the figure
helpers, a DPDK telemetry client, and the Context every stage works in
(paths, tools, EAL memory, the result being built)."""
import json
import os
import socket
import statistics
import subprocess
import sys
import time

# testpmd-rxonly: the ceiling for a capture op25b drops whole (worst,
# worst6: it transmits nothing, as rxonly does, while io transmits every
# frame); the ratios stay against io.
SYSTEMS = ["testpmd-io", "testpmd-rxonly", "testpmd-5tswap", "l3fwd-lpm",
           "op25b",
           "op25b-scalar", "op25b-reset", "op25b-notify", "op25b-records",
           "op25b-records-all"]
# access: tiny's frames under an access network's tags and PPPoE (the
# parser's fixed-offset stacks, doc/bench.md "Access encapsulations").
CAPTURES = ["mix", "worst", "worst6", "tiny", "access"]
ACL_ALGS = ["scalar", "sse", "avx2", "neon", "altivec", "avx512x16",
            "avx512x32"]
BURSTS = [1, 8, 32, 64]
# rte_lpm_add() searches the rules of one depth linearly: a million
# prefixes up to /32 took 426 s to insert on DPDK 22.11 (doc/design.md,
# "IPv4 tables"), so rte_lpm is measured only up to this many routes.
LPM_MAX_ROUTES = 100_000

FULL = {
    "pool": 1_000_000,     # IPv4 prefixes in the dynamic pool (+1% IPv6)
    "packets": 4096,       # frames per capture (see doc/bench.md: why)
    "warmup": 2.0,         # seconds of traffic before the first sample
    "measure": 5.0,        # seconds between the two samples
    "repeats": 5,          # forwarding runs per system and capture
    "tool_repeats": 3,     # runs of bench_classify, test-acl, test-fib
    "h2h_pools": [100_000, 1_000_000],
    "compile_pools": [10_000, 100_000, 1_000_000],
    "compile_repeats": 3,
    "acl_iter": 2000,
    "fib_repeats": 256,
    "rounds": 50,
    # worst-adaptive: this many distinct sources in the capture, over an
    # adaptive table of a quarter as many entries (see doc/bench.md).
    "adaptive_sources": 1_000_000,
}
QUICK = dict(FULL, pool=100_000, warmup=0.5, measure=1.0, repeats=1,
             tool_repeats=1,
             h2h_pools=[100_000], acl_iter=300,
             fib_repeats=32, rounds=10, adaptive_sources=65_536)
CALLGRIND_POOL = 10_000  # fixed vector: same in --quick and full runs
SEED = 1


STARTED = time.monotonic()


def free_hugepages_mb():
    """MiB of hugepages free now (/proc/meminfo)."""
    free = page_kb = 0
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("HugePages_Free:"):
                free = int(line.split()[1])
            elif line.startswith("Hugepagesize:"):
                page_kb = int(line.split()[1])
    return free * page_kb // 1024


def progress(msg):
    """One line on stderr, stamped with the seconds since the start."""
    print(f"[{time.monotonic() - STARTED:4.0f}s] {msg}", file=sys.stderr,
          flush=True)


class BenchError(Exception):
    pass


# ---------------------------------------------------------------- helpers

def run(cmd, timeout=600, check=True, **kw):
    """Run a command to completion; @return its stdout (stderr merged)."""
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       stdin=subprocess.DEVNULL, timeout=timeout, text=True,
                       **kw)
    if check and p.returncode != 0:
        tail = "\n".join(p.stdout.splitlines()[-15:])
        raise BenchError(f"{' '.join(cmd[:3])}... exited {p.returncode}:\n"
                         f"{tail}")
    return p.stdout


def kv_lines(text, first=None):
    """Parse bench_classify's "kv key=value ..." lines into dicts."""
    out = []
    for line in text.splitlines():
        if not line.startswith("kv "):
            continue
        words = line.split()[1:]
        d = {}
        if words and "=" not in words[0]:
            d["kind"] = words.pop(0)
        for w in words:
            k, _, v = w.partition("=")
            try:
                d[k] = float(v) if "." in v else int(v)
            except ValueError:
                d[k] = v
        if first is None or d.get("kind") == first:
            out.append(d)
    return out


def median(xs):
    return statistics.median(xs) if xs else None


def best(xs):
    """The figure of repeated micro-benchmark runs: the least disturbed
    one. On a shared host, interference only ever adds cycles."""
    return min(xs) if xs else None


def fmt(x, spec=".1f", none="-"):
    return none if x is None else format(x, spec)


class Telemetry:
    """A DPDK telemetry v2 client (SOCK_SEQPACKET, JSON replies)."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.sock.settimeout(5)
        self.sock.connect(path)
        self.sock.recv(4096)  # the greeting

    def ask(self, cmd):
        self.sock.send(cmd.encode())
        return json.loads(self.sock.recv(1 << 20).decode())

    def rx_packets(self):
        """(time, ipackets of port 0): the time is the middle of the
        request, so the query's own latency cancels out."""
        t0 = time.monotonic()
        stats = self.ask("/ethdev/stats,0")["/ethdev/stats"]
        t1 = time.monotonic()
        return (t0 + t1) / 2, stats["ipackets"]

    def close(self):
        self.sock.close()


# ---------------------------------------------------------------- context

class Context:
    def __init__(self, args):
        self.args = args
        self.cfg = QUICK if args.quick else FULL
        self.root = os.path.abspath(args.root)
        self.build = os.path.join(self.root, args.build)
        self.out = os.path.abspath(args.out)
        self.gen = os.path.join(self.build, "app/op25b-gen/op25b-gen")
        self.op25b = os.path.join(self.build, "app/op25b/op25b")
        self.stat = os.path.join(self.build, "app/op25b-stat/op25b-stat")
        self.bench_classify = os.path.join(self.build,
                                           "test/bench/bench_classify")
        self.tag = f"op25b-bench-{os.getpid()}"
        self.n_prefix = 0
        self.eal_mem = self.memory_args()
        self.tsc_hz = None
        # The classifier path bench_classify measured (its kv "path").
        self.classifier_path = "?"
        self.notes = []
        self.skipped = {}
        self.result = {"runs": [], "ratios": {}, "ratios_l3fwd": {},
                       "ratios_records": {}, "ratios_rxonly": {}}
        # The inputs op25b-gen made in this run (prepare.py: each once).
        self.generated_inputs = set()
        os.makedirs(os.path.join(self.out, "logs"), exist_ok=True)

    def memory_args(self):
        """Hugepages (in memory, nothing left behind) when enough are free;
        else plain memory, which only a smoke check may use."""
        if free_hugepages_mb() >= 1024:
            return ["--in-memory"]
        return ["--no-huge", "-m", "2048", "--no-shconf"]

    def prefix(self):
        self.n_prefix += 1
        return f"{self.tag}-{self.n_prefix}"

    def path(self, *parts):
        return os.path.join(self.out, *parts)

