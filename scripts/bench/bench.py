#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""op25b against testpmd and l3fwd, side by side; the classifier against
dpdk-test-acl and dpdk-test-fib. Driven by scripts/bench.sh, which sets up,
builds and reserves hugepages first; see doc/bench.md for what is measured
and how to read it.

usage: bench.py --root DIR --build DIR --out DIR [--quick] [--json FILE]
                [--plot FILE.png]

Every forwarding system runs on the same virtual devices (net_pcap reading
a capture with infinite_rx=1, into net_null), with one forwarding lcore, and
is measured the same way: the RX packet counter of port 0 from DPDK
telemetry (/ethdev/stats,0), sampled after a warm-up and again after a fixed
interval. Python standard library only.
"""
import argparse
import json
import os
import shutil
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import (CAPTURES, SYSTEMS, BenchError, Context,  # noqa: E402
                    progress)
from measure import Measure  # noqa: E402
from prepare import Prepare  # noqa: E402
from report import Report, gnuplot  # noqa: E402


class Bench(Context, Prepare, Measure, Report):
    """The run: prepare (prepare.py), measure (measure.py), report
    (report.py), in one context (common.py)."""


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for name in ("--root", "--build", "--out"):
        ap.add_argument(name, required=True)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--json")
    ap.add_argument("--plot")
    args = ap.parse_args()
    started = time.monotonic()
    b = Bench(args)
    try:
        with open("/proc/loadavg") as f:
            load = f.read().split()[0]
        progress(f"== op25b bench ({'quick' if args.quick else 'full'}), "
                 f"load average {load}; output in {b.out}")
        b.prepare()
        b.forwarding()
        b.adaptive_forwarding()
        h2h = b.head_to_head()
        bursts = b.bursts()
        non_smtp = b.non_smtp()
        compiles = b.compile_table()
        instr = b.instructions()
    except BenchError as e:
        print(f"bench: {e}", file=sys.stderr)
        return 1
    finally:
        # Tools that skip rte_eal_cleanup() leave their runtime directory.
        for d in os.listdir("/var/run/dpdk") if os.path.isdir(
                "/var/run/dpdk") else []:
            if d.startswith(b.tag + "-"):
                shutil.rmtree(os.path.join("/var/run/dpdk", d),
                              ignore_errors=True)
    text = b.report(h2h, bursts, non_smtp, compiles, instr,
                    time.monotonic() - started)
    print(text)
    with open(b.path("table.txt"), "w") as f:
        f.write(text + "\n")
    res = b.result
    res["meta"] = {"quick": args.quick, "date": time.strftime("%FT%T%z"),
                   "tsc_hz": b.tsc_hz, "systems": [s for s in SYSTEMS
                                                   if s not in b.skipped],
                   "captures": CAPTURES, "skipped": b.skipped,
                   "config": b.cfg, "eal_memory": b.eal_mem,
                   "captures_summary": b.summary, "notes": b.notes}
    for r in res["runs"]:
        r["cycles_per_packet"] = round(b.cpp(r["median"]), 1)
    for s in ("op25b", "op25b-adaptive"):
        wa = res["worst_adaptive"][s]
        wa["cycles_per_packet"] = round(b.cpp(wa["median"]), 1)
    res["classifier"] = {"head_to_head": h2h, "bursts": bursts,
                         "non_smtp": non_smtp,
                         "compile": compiles, "instructions": instr}
    json_path = args.json or b.path("bench.json")
    with open(json_path, "w") as f:
        json.dump(res, f, indent=1)
        f.write("\n")
    png = args.plot or b.path("bench.png")
    gnuplot(b.path("plot.dat"), png, res, args.quick)
    progress(f"== wrote {json_path}, {png}, {b.path('table.txt')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

