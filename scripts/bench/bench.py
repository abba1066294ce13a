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
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import traces  # noqa: E402

SYSTEMS = ["testpmd-io", "testpmd-5tswap", "l3fwd-lpm", "op25b",
           "op25b-reset"]
CAPTURES = ["mix", "worst", "worst6", "tiny"]
ACL_ALGS = ["scalar", "sse", "avx2", "neon", "altivec", "avx512x16",
            "avx512x32"]
BURSTS = [1, 8, 32, 64]
# rte_lpm_add() searches the rules of one depth linearly: a million
# prefixes take tens of minutes (shared FACTS.md), so rte_lpm is measured
# only up to this many routes.
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
}
QUICK = dict(FULL, pool=100_000, warmup=0.5, measure=1.0, repeats=1,
             tool_repeats=1,
             h2h_pools=[100_000], compile_repeats=1, acl_iter=300,
             fib_repeats=32, rounds=10)
CALLGRIND_POOL = 10_000  # fixed vector: same in --quick and full runs
SEED = 1


STARTED = time.monotonic()


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

class Bench:
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
        self.notes = []
        self.skipped = {}
        self.result = {"runs": [], "ratios": {}, "ratios_l3fwd": {}}
        os.makedirs(os.path.join(self.out, "logs"), exist_ok=True)

    def memory_args(self):
        """Hugepages (in memory, nothing left behind) when enough are free;
        else plain memory, which only a smoke check may use."""
        free = page_kb = 0
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("HugePages_Free:"):
                    free = int(line.split()[1])
                elif line.startswith("Hugepagesize:"):
                    page_kb = int(line.split()[1])
        if free * page_kb // 1024 >= 1024:
            return ["--in-memory"]
        return ["--no-huge", "-m", "2048", "--no-shconf"]

    def prefix(self):
        self.n_prefix += 1
        return f"{self.tag}-{self.n_prefix}"

    def path(self, *parts):
        return os.path.join(self.out, *parts)

    # ------------------------------------------------------------ inputs

    def pools(self, n):
        """An op25b-gen pool list of @n IPv4 + @n/100 IPv6 prefixes (the
        same file scripts/bench-classify.sh makes and reuses)."""
        path = self.path(f"pools-{n}.txt")
        if not os.path.exists(path):
            progress(f"== generating a pool list of {n} prefixes")
            run([self.gen, "pools", "--count", str(n), "--v6",
                 str(max(n // 100, 1)), "--seed", str(SEED), "--out",
                 path, "--quiet"])
        return path

    def capture(self, profile, pool_n):
        path = self.path(f"{profile}-{pool_n}.pcap")
        if not os.path.exists(path):
            run([self.gen, "traffic", "--profile", profile, "--count",
                 str(self.cfg["packets"]), "--seed", str(SEED), "--pools",
                 self.pools(pool_n), "--out", path, "--quiet"])
        return path

    def policy(self, pool_n, block):
        """doc/policy.md's shape: the dynamic pool blocked, the ISP relays
        allowed, everything else by default allowed."""
        path = self.path(f"policy-{pool_n}-{block}.yaml")
        with open(path, "w") as f:
            f.write(
                "# scripts/bench.sh: the dynamic pool blocked, the relays "
                "allowed\nversion: 1\nmode: enforce\n"
                f"block: {block}\ndefault: allow\nmalformed: drop\n"
                "ports:\n  smtp: [25]\n  submission: [587, 465]\n"
                "sources:\n  dynamic:\n    action: block\n"
                f"    prefixes_file: {self.pools(pool_n)}\n"
                "destinations:\n  isp-relays:\n    action: allow\n"
                "    prefixes: [192.0.2.25/32, 2001:db8::25/128]\n")
        return path

    def l3fwd_routes(self):
        """l3fwd's route files: two /1 routes per family to port 1 (so
        that every packet is looked up and leaves by net_null), plus its
        own 16 default routes of each family, also to port 1."""
        r4, r6 = self.path("l3fwd-routes.v4"), self.path("l3fwd-routes.v6")
        with open(r4, "w") as f:
            f.write("R0.0.0.0/1 1\nR128.0.0.0/1 1\n")
            for i in range(16):
                f.write(f"R198.18.{i}.0/24 1\n")
        with open(r6, "w") as f:
            f.write("R::/1 1\nR8000::/1 1\n")
            for i in range(16):
                f.write(f"R2001:200:0:{i:x}00::/56 1\n")
        return r4, r6

    def prepare(self):
        cfg = self.cfg
        progress(f"== inputs: pool of {cfg['pool']} prefixes, "
                 f"{cfg['packets']}-frame captures")
        self.caps = {c: self.capture(c, cfg["pool"]) for c in CAPTURES}
        self.summary = {c: traces.capture_summary(p)
                        for c, p in self.caps.items()}
        self.policies = {"drop": self.policy(cfg["pool"], "drop"),
                         "reset": self.policy(cfg["pool"], "reset")}
        self.l3fwd = None
        p = subprocess.run(
            [os.path.join(self.root, "scripts/bench/build-l3fwd.sh"),
             self.out], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True)
        if p.returncode == 0:
            self.l3fwd = p.stdout.strip()
            self.routes = self.l3fwd_routes()
        else:
            why = p.stderr.strip().splitlines()[-1:] or ["unknown"]
            self.skipped["l3fwd-lpm"] = why[0]
            self.notes.append(f"l3fwd-lpm skipped: {why[0]}")
        for tool in ("dpdk-testpmd", "dpdk-test-acl", "dpdk-test-fib"):
            if shutil.which(tool) is None:
                raise BenchError(f"{tool} not found (package dpdk-dev)")

    # ------------------------------------------------------ forwarding

    def system_cmd(self, system, cap, prefix):
        eal = ["--no-pci", *self.eal_mem, "--file-prefix", prefix,
               "--log-level", "*:warning",
               "--vdev", f"net_pcap0,rx_pcap={cap},infinite_rx=1",
               "--vdev", "net_null1,no-rx=1"]
        if system.startswith("testpmd-"):
            # --stats-period keeps a non-interactive testpmd from exiting
            # on standard input's EOF; the period itself is irrelevant.
            return ["dpdk-testpmd", "-l", "0-1", *eal, "--",
                    f"--forward-mode={system.split('-', 1)[1]}",
                    "--nb-cores=1", "--rxq=1", "--txq=1",
                    "--stats-period=3600", "--no-flush-rx",
                    "--total-num-mbufs=32768"]
        if system == "l3fwd-lpm":
            # One lcore: l3fwd makes one TX queue per lcore on every port
            # and net_pcap has one; its main lcore is its worker, on CPU 1
            # as the others' worker lcore is.
            return [self.l3fwd, "-l", "1", *eal, "--", "-p", "0x3",
                    "--config", "(0,0,1),(1,0,1)", "--parse-ptype",
                    "--lookup", "lpm", "--rule_ipv4", self.routes[0],
                    "--rule_ipv6", self.routes[1]]
        block = "reset" if system == "op25b-reset" else "drop"
        return [self.op25b, "-l", "0-1", *eal, "--", "--policy",
                self.policies[block], "--name", prefix,
                "--status-interval", "0"]

    def measure_system(self, system, capture, rep):
        prefix = self.prefix()
        cap = self.caps[capture]
        cmd = self.system_cmd(system, cap, prefix)
        log = self.path("logs", f"{system}-{capture}-{rep}.log")
        sock = f"/var/run/dpdk/{prefix}/dpdk_telemetry.v2"
        stop = signal.SIGTERM if system.startswith("op25b") else signal.SIGINT
        outcomes = None
        with open(log, "w") as logf:
            proc = subprocess.Popen(cmd, stdout=logf, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL,
                                    start_new_session=True)
            tel = None
            try:
                deadline = time.monotonic() + 120
                while True:
                    if proc.poll() is not None:
                        raise BenchError(f"{system} exited {proc.returncode}"
                                         f" before forwarding; see {log}")
                    if time.monotonic() > deadline:
                        raise BenchError(f"{system} not forwarding after "
                                         f"120 s; see {log}")
                    try:
                        if tel is None:
                            tel = Telemetry(sock)
                        if tel.rx_packets()[1] > 0:
                            break
                    except (OSError, KeyError, ValueError):
                        pass
                    time.sleep(0.05)
                time.sleep(self.cfg["warmup"])
                t0, c0 = tel.rx_packets()
                time.sleep(self.cfg["measure"])
                t1, c1 = tel.rx_packets()
                if system.startswith("op25b"):
                    outcomes = self.op25b_outcomes(prefix)
            finally:
                if tel is not None:
                    tel.close()
                if proc.poll() is None:
                    proc.send_signal(stop)
                    try:
                        proc.wait(timeout=30)
                    except subprocess.TimeoutExpired:
                        proc.kill()
                        proc.wait()
                shutil.rmtree(f"/var/run/dpdk/{prefix}", ignore_errors=True)
        return (c1 - c0) / (t1 - t0) / 1e6, outcomes

    def op25b_outcomes(self, name):
        """What op25b did with the packets (op25b-stat, from shared
        memory): the share of each outcome, to show the policy bit."""
        try:
            snap = json.loads(run([self.stat, "--name", name, "--json"],
                                  timeout=10))
        except (BenchError, ValueError, subprocess.TimeoutExpired):
            return None
        packets = {k: v for k, v in snap.get("packets", {}).items()
                   if k != "upstream"}
        total = sum(packets.values()) or 1
        return {k: round(v / total, 4) for k, v in packets.items() if v}

    def forwarding(self):
        systems = [s for s in SYSTEMS if s not in self.skipped]
        reps = self.cfg["repeats"]
        total = reps * len(CAPTURES) * len(systems)
        mpps = {(s, c): [] for s in systems for c in CAPTURES}
        outcomes = {}
        progress(f"== forwarding: {len(systems)} systems x {len(CAPTURES)} "
                 f"captures x {reps} run(s), {self.cfg['warmup']:g} s warm-up"
                 f" + {self.cfg['measure']:g} s measured each")
        n = 0
        # Repeats outermost, systems innermost: a noisy minute on the host
        # then hits every system alike instead of one.
        for rep in range(reps):
            for capture in CAPTURES:
                for system in systems:
                    n += 1
                    rate, oc = self.measure_system(system, capture, rep)
                    mpps[(system, capture)].append(rate)
                    if oc:
                        outcomes[(system, capture)] = oc
                    progress(f"[{n:2d}/{total}] {capture:6s} {system:15s} "
                             f"run {rep + 1}/{reps}: {rate:7.2f} Mpps")
        for (system, capture), xs in mpps.items():
            entry = {"system": system, "capture": capture,
                     "mpps": [round(x, 3) for x in xs],
                     "median": round(median(xs), 3),
                     "min": round(min(xs), 3), "max": round(max(xs), 3)}
            if (system, capture) in outcomes:
                entry["op25b_outcomes"] = outcomes[(system, capture)]
            self.result["runs"].append(entry)
        self.mpps = {k: median(v) for k, v in mpps.items()}
        for c in CAPTURES:
            io = self.mpps.get(("testpmd-io", c))
            ours = self.mpps.get(("op25b", c))
            l3 = self.mpps.get(("l3fwd-lpm", c))
            self.result["ratios"][c] = round(ours / io, 3)
            if l3:
                self.result["ratios_l3fwd"][c] = round(ours / l3, 3)

    # ------------------------------------------------------- classifier

    def eal1(self):
        """EAL options for a single-lcore tool, on the forwarding CPU."""
        return ["-l", "1", "--no-pci", *self.eal_mem,
                "--file-prefix", self.prefix(), "--log-level", "*:warning",
                "--force-max-simd-bitwidth=512"]

    def classify(self, pools, trace=None, bursts=(32,), extra=()):
        cmd = [self.bench_classify, *self.eal1(), "--", "--pools", pools,
               "--kv", "--rounds", str(self.cfg["rounds"]),
               "--bursts", ",".join(str(b) for b in bursts), *extra]
        if trace:
            cmd += ["--trace", trace]
        out = run(cmd)
        comp = kv_lines(out, "compile")[0]
        self.tsc_hz = self.tsc_hz or comp["tsc_hz"]
        return comp, [d for d in kv_lines(out) if "burst" in d]

    def classify_repeated(self, pools, trace, bursts):
        """bench_classify run `tool_repeats` times: [(burst, [cycles/packet
        per run])], each run's figure the mean of its 9 timings (one long
        loop, as dpdk-test-acl and dpdk-test-fib time theirs)."""
        per_burst = {b: [] for b in bursts}
        for _ in range(self.cfg["tool_repeats"]):
            _, res = self.classify(pools, trace, bursts=bursts)
            for d in res:
                per_burst[d["burst"]].append(d["cycles_mean"])
        return list(per_burst.items())

    def test_acl(self, rules, n_rules, trace, n_trace, family, alg):
        cmd = ["dpdk-test-acl", *self.eal1(), "--", f"--rulesf={rules}",
               f"--tracef={trace}", f"--rulenum={n_rules + 16}",
               f"--tracenum={n_trace}", f"--iter={self.cfg['acl_iter']}",
               "--verbose=0", f"--alg={alg}"]
        if family == 6:
            cmd.append("--ipv6")
        t0 = time.monotonic()
        p = subprocess.run(cmd, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, timeout=900)
        wall = time.monotonic() - t0
        m = re.search(r"([0-9.]+) cycles/pkt", p.stdout)
        if p.returncode != 0 or m is None:
            return None, wall
        return float(m.group(1)), wall

    def test_fib(self, routes, tbl8, lookups, family, fn, with_lpm):
        cmd = ["dpdk-test-fib", *self.eal1(), "--", "-f", routes, "-t",
               lookups, "-v", fn]
        if family == 6:
            cmd.append("-6")
        else:
            cmd += ["-g", str(tbl8 + 1024)]
        if with_lpm:
            cmd.append("-c")
        t0 = time.monotonic()
        out = run(cmd, timeout=1800)
        wall = time.monotonic() - t0
        fib = re.search(r"AVG FIB lookup ([0-9.]+)", out)
        lpm = re.search(r"AVG LPM lookup ([0-9.]+)", out)
        return (float(fib.group(1)) if fib else None,
                float(lpm.group(1)) if lpm else None, wall)

    def head_to_head(self):
        """One table: op25b's classifier, every rte_acl algorithm, rte_fib
        and rte_lpm, over the same worst-case trace and the same prefixes."""
        sets = [("worst", n, 4) for n in self.cfg["h2h_pools"]]
        sets.append(("worst6", self.cfg["pool"], 6))
        rows = []
        for capture, pool_n, family in sets:
            pools = self.pools(pool_n)
            trace = self.capture(capture, pool_n)
            n = pool_n if family == 4 else max(pool_n // 100, 1)
            col = f"{capture} {n // 1000}k" + ("" if family == 4 else " v6")
            progress(f"== classifier head to head: {col}")
            [(_, runs)] = self.classify_repeated(pools, trace, (32,))
            progress(f"   op25b classifier, burst 32: {best(runs):.1f} "
                     "cycles/packet")
            rows.append({"tool": "op25b", "variant": "classifier, burst 32",
                         "column": col, "prefixes": pool_n, "family": family,
                         "runs": runs, "cycles_per_packet": best(runs)})
            rules = self.path(f"acl-{capture}-{pool_n}.rules")
            acl_trace = self.path(f"acl-{capture}-{pool_n}.trace")
            n_rules = traces.write_acl_rules(pools, rules, family)
            n_trace = traces.write_acl_trace(trace, acl_trace, family)
            reps = self.cfg["tool_repeats"]
            for alg in ACL_ALGS:
                runs = []
                for _ in range(reps):
                    cpp, wall = self.test_acl(rules, n_rules, acl_trace,
                                              n_trace, family, alg)
                    if cpp is None:
                        break
                    runs.append(cpp)
                if not runs:
                    progress(f"   dpdk-test-acl --alg={alg}: not supported "
                             "on this CPU or build")
                    continue
                progress(f"   dpdk-test-acl --alg={alg}: "
                         f"{best(runs):.1f} cycles/packet, {n_rules} rules"
                         f" ({reps} x {wall:.1f} s with the build)")
                rows.append({"tool": "dpdk-test-acl", "variant": alg,
                             "column": col, "prefixes": pool_n,
                             "family": family, "rules": n_rules,
                             "runs": runs,
                             "cycles_per_packet": best(runs),
                             "seconds_with_build": round(wall, 1)})
            routes = self.path(f"fib-{capture}-{pool_n}.routes")
            lookups = self.path(f"fib-{capture}-{pool_n}.lookups")
            n_routes = traces.write_fib_routes(pools, routes, family)
            traces.write_fib_lookups(trace, lookups, family,
                                     self.cfg["fib_repeats"])
            tbl8 = traces.tbl8_groups(pools) if family == 4 else 0
            name = "rte_fib dir24_8" if family == 4 else "rte_fib6 trie"
            lpm_name = "rte_lpm" if family == 4 else "rte_lpm6"
            for fn in (["v", "s1"] if family == 4 else ["v", "s"]):
                kind = "vector (AVX-512)" if fn == "v" else "scalar"
                with_lpm = fn == "v" and n_routes <= LPM_MAX_ROUTES
                fibs, lpms = [], []
                for _ in range(reps):
                    fib, lpm, wall = self.test_fib(routes, tbl8, lookups,
                                                   family, fn, with_lpm)
                    fibs += [fib] if fib is not None else []
                    lpms += [lpm] if lpm is not None else []
                progress(f"   dpdk-test-fib {name} {kind}: "
                         f"{fmt(best(fibs))} cycles/lookup"
                         + (f", {lpm_name} {fmt(best(lpms))}" if lpms
                            else "") + f" ({reps} x {wall:.1f} s)")
                for variant, xs in ((f"{name}, {kind}", fibs),
                                    (lpm_name, lpms)):
                    if xs:
                        rows.append({"tool": "dpdk-test-fib",
                                     "variant": variant, "column": col,
                                     "prefixes": pool_n, "family": family,
                                     "routes": n_routes, "runs": xs,
                                     "cycles_per_packet": best(xs)})
            if family == 4 and n_routes > LPM_MAX_ROUTES:
                self.notes.append(
                    f"rte_lpm not measured at {pool_n} routes: "
                    "rte_lpm_add() is quadratic (a million prefixes take "
                    "tens of minutes to insert)")
        return rows

    def bursts(self):
        pool_n = self.cfg["pool"]
        progress(f"== classifier at bursts {BURSTS}, worst trace, "
                 f"{pool_n} prefixes")
        res = self.classify_repeated(self.pools(pool_n),
                                     self.capture("worst", pool_n), BURSTS)
        return [{"burst": b, "runs": runs, "cycles_per_packet": best(runs)}
                for b, runs in res]

    def compile_table(self):
        rows = []
        for n in self.cfg["compile_pools"]:
            progress(f"== policy load and compile: {n} prefixes")
            best = None
            for _ in range(self.cfg["compile_repeats"]):
                comp, _ = self.classify(self.pools(n),
                                        extra=["--compile-only"])
                if best is None or (comp["load_ms"] + comp["compile_ms"] <
                                    best["load_ms"] + best["compile_ms"]):
                    best = comp
            rows.append({"prefixes_v4": best["prefixes_v4"],
                         "prefixes_v6": best["prefixes_v6"],
                         "load_ms": best["load_ms"],
                         "compile_ms": best["compile_ms"],
                         "memory_mb": round(best["memory_bytes"] / 2**20, 1)})
        return rows

    def instructions(self):
        """Instructions per packet of op25b_classifier_classify_burst()
        under callgrind, on bench_classify's fixed vectors (seeded)."""
        if shutil.which("valgrind") is None:
            self.notes.append("instructions not counted: no valgrind")
            return []
        pools = self.pools(CALLGRIND_POOL)
        rows = []
        for only in ("non-smtp", "syn4", "syn6"):
            progress(f"== callgrind: {only}, {CALLGRIND_POOL} prefixes")
            cg = self.path(f"callgrind-{only}.out")
            out = run(["valgrind", "--tool=callgrind",
                       f"--callgrind-out-file={cg}",
                       "--toggle-collect=op25b_classifier_classify_burst",
                       self.bench_classify, "-l", "0", "--no-pci",
                       "--no-huge", "-m", "512", "--no-shconf",
                       "--log-level", "*:error", "--", "--pools", pools,
                       "--only", only, "--rounds", "1", "--kv"])
            classified = kv_lines(out)[-1]["classified"]
            ann = run(["callgrind_annotate", "--inclusive=no", "--auto=no",
                       "--threshold=100", cg])
            total = None
            by_file = {}
            for line in ann.splitlines():
                m = re.match(r"\s*([0-9,]+)\s+(?:\([ 0-9.]+%\)\s+)?(.*)", line)
                if not m:
                    continue
                ir = int(m.group(1).replace(",", ""))
                what = m.group(2)
                if "PROGRAM TOTALS" in what:
                    total = ir
                elif ":" in what:
                    f = os.path.basename(what.split(":", 1)[0])
                    if f == "classify_priv.h":
                        part = "parse"
                    elif f.startswith("lpm4") or "lpm" in what:
                        part = "lookups"  # ours, or rte_lpm6 (stripped)
                    elif f == "classifier.c":
                        part = "batching + decide"
                    else:
                        part = "inlined DPDK"
                    by_file[part] = by_file.get(part, 0) + ir
            rows.append({"profile": only, "pool": CALLGRIND_POOL,
                         "packets": classified,
                         "per_packet": round(total / classified, 1),
                         "split": {k: round(v / classified, 1)
                                   for k, v in sorted(by_file.items())}})
        return rows

    # ------------------------------------------------------------ report

    def cpp(self, mpps):
        """Cycles per packet = TSC Hz x 1 worker lcore / packet rate."""
        return self.tsc_hz / (mpps * 1e6) if mpps else None

    def report(self, h2h, bursts, compiles, instr, elapsed):
        cfg = self.cfg
        systems = [s for s in SYSTEMS if s not in self.skipped]
        lines = []
        w = lines.append
        w(f"op25b benchmark ({'--quick' if self.args.quick else 'full'}), "
          f"{time.strftime('%Y-%m-%d %H:%M')}, TSC "
          f"{self.tsc_hz / 1e9:.2f} GHz, {os.cpu_count()} CPUs, "
          f"memory {' '.join(self.eal_mem)}")
        w(f"forwarding: net_pcap (rx_pcap=CAPTURE, infinite_rx=1) -> "
          f"net_null, one forwarding lcore; {cfg['packets']}-frame "
          f"captures; dynamic pool {cfg['pool']} IPv4 + {cfg['pool'] // 100}"
          f" IPv6 prefixes")
        w(f"Mpps = port 0 RX packets (telemetry) over {cfg['measure']:g} s "
          f"after {cfg['warmup']:g} s warm-up; median of {cfg['repeats']} "
          f"[min-max]")
        w("")
        head = f"{'capture':8s}" + "".join(f"{s:>20s}" for s in systems)
        head += f"{'op25b/io':>10s}{'op25b/l3fwd':>13s}"
        w(head)
        for c in CAPTURES:
            row = f"{c:8s}"
            for s in systems:
                e = next(r for r in self.result["runs"]
                         if r["system"] == s and r["capture"] == c)
                cell = f"{e['median']:.1f}"
                if cfg["repeats"] > 1:
                    cell += f" [{e['min']:.1f}-{e['max']:.1f}]"
                row += f"{cell:>20s}"
            row += f"{fmt(self.result['ratios'].get(c), '.2f'):>10s}"
            row += f"{fmt(self.result['ratios_l3fwd'].get(c), '.2f'):>13s}"
            w(row)
        w("")
        w("cycles/packet = TSC Hz x 1 worker lcore / packet rate "
          "(median rate)")
        w(f"{'capture':8s}" + "".join(f"{s:>20s}" for s in systems))
        for c in CAPTURES:
            w(f"{c:8s}" + "".join(
                f"{fmt(self.cpp(self.mpps[(s, c)])):>20s}" for s in systems))
        w("")
        w("captures: " + "; ".join(
            f"{c} {s['frames']} frames {s['min_len'] + 4}-"
            f"{s['max_len'] + 4} B with FCS, SMTP "
            f"{100 * s['smtp'] / s['frames']:.1f}%, IPv6 "
            f"{100 * s['ipv6'] / s['frames']:.0f}%, VLAN "
            f"{100 * s['vlan'] / s['frames']:.0f}%, PPPoE "
            f"{100 * s['pppoe'] / s['frames']:.0f}%"
            for c, s in self.summary.items()))
        oc = [r for r in self.result["runs"] if r["system"] == "op25b"
              and r.get("op25b_outcomes")]
        if oc:
            w("op25b outcomes (op25b-stat): " + "; ".join(
                f"{r['capture']} " + ", ".join(
                    f"{k} {100 * v:.1f}%" for k, v in
                    r["op25b_outcomes"].items()) for r in oc))
        w("")
        cols = list(dict.fromkeys(r["column"] for r in h2h))
        w("classifier head to head: cycles/packet, same trace and prefixes, "
          "one lcore")
        cw = max(len(c) for c in cols) + 2
        w(f"{'tool':16s}{'variant':34s}" + "".join(f"{c:>{cw}s}" for c in cols)
          + "   per packet")
        keys = list(dict.fromkeys((r["tool"], r["variant"]) for r in h2h))
        what = {"op25b": "parse + both lookups + verdict + counters",
                "dpdk-test-acl": "5-tuple match only (pre-parsed)",
                "dpdk-test-fib": "one lookup (source), bulk 64"}
        for tool, variant in keys:
            row = f"{tool:16s}{variant:34s}"
            for c in cols:
                v = next((r["cycles_per_packet"] for r in h2h
                          if (r["tool"], r["variant"], r["column"]) ==
                          (tool, variant, c)), None)
                row += f"{fmt(v):>{cw}s}"
            w(row + "   " + what[tool])
        w(f"(each figure the best of {cfg['tool_repeats']} runs; a run: "
          f"op25b the mean over 9 x {cfg['rounds']} passes of the trace, "
          f"test-acl its mean over {cfg['acl_iter']} passes (build not "
          f"timed), test-fib its mean over {cfg['fib_repeats']} x the "
          f"trace's sources)")
        w("")
        w(f"classifier by burst size (worst trace, {cfg['pool']} prefixes): "
          + ", ".join(f"burst {b['burst']}: {b['cycles_per_packet']:.1f}"
                      for b in bursts)
          + f" cycles/packet (best of {cfg['tool_repeats']} runs)")
        w("")
        w(f"{'prefixes':>10s}{'load ms':>10s}{'compile ms':>12s}"
          f"{'total ms':>10s}{'tables MB':>11s}")
        for r in compiles:
            w(f"{r['prefixes_v4']:>10d}{r['load_ms']:>10.0f}"
              f"{r['compile_ms']:>12.0f}"
              f"{r['load_ms'] + r['compile_ms']:>10.0f}"
              f"{r['memory_mb']:>11.1f}")
        w("(+1% IPv6 prefixes; load = YAML + prefixes_file parse and "
          "duplicate check; tables include two rte_lpm6 of 64 MB each)")
        w("")
        for r in instr:
            w(f"instructions/packet (callgrind, {r['pool']} prefixes, "
              f"{r['profile']}): {r['per_packet']:.1f} = " + " + ".join(
                  f"{k} {v:.1f}" for k, v in r["split"].items()))
        w("")
        targets = self.targets(h2h, compiles)
        for t in targets:
            w(f"target {t['name']}: {t['value']} (want {t['want']}) "
              f"{'met' if t['met'] else 'MISSED'}")
        self.result["targets"] = targets
        if self.args.quick:
            w("(--quick: short runs and a smaller pool; for a smoke check, "
              "not for these targets)")
        for n in self.notes:
            w(f"note: {n}")
        w(f"elapsed {elapsed:.0f} s")
        return "\n".join(lines)

    def targets(self, h2h, compiles):
        t = []
        r = self.result["ratios"]
        r3 = self.result["ratios_l3fwd"]
        t.append({"name": "mix op25b/testpmd-io", "value": r["mix"],
                  "want": ">= 0.95", "met": r["mix"] >= 0.95})
        if "mix" in r3:
            t.append({"name": "mix op25b/l3fwd-lpm", "value": r3["mix"],
                      "want": ">= 1.0", "met": r3["mix"] >= 1.0})
        t.append({"name": "worst op25b/testpmd-io", "value": r["worst"],
                  "want": ">= 0.75", "met": r["worst"] >= 0.75})
        big = max(self.cfg["h2h_pools"])
        col = next(x["column"] for x in h2h if x["prefixes"] == big
                   and x["family"] == 4)
        ours = next(x["cycles_per_packet"] for x in h2h
                    if x["tool"] == "op25b" and x["column"] == col)
        t.append({"name": f"worst classifier cycles/packet ({col})",
                  "value": ours, "want": "<= 35", "met": ours <= 35})
        acl = [x for x in h2h if x["tool"] == "dpdk-test-acl"
               and x["column"] == col]
        if acl:
            best = min(acl, key=lambda x: x["cycles_per_packet"])
            t.append({"name": f"worst classifier vs best dpdk-test-acl "
                              f"({col}, {best['variant']})",
                      "value": f"{ours:.1f} vs {best['cycles_per_packet']:.1f}",
                      "want": "cheaper",
                      "met": ours < best["cycles_per_packet"]})
        top = max(compiles, key=lambda x: x["prefixes_v4"])
        total = top["load_ms"] + top["compile_ms"]
        t.append({"name": f"policy load + compile, {top['prefixes_v4']} "
                          "prefixes",
                  "value": f"{total:.0f} ms", "want": "< 1000 ms",
                  "met": total < 1000})
        t.append({"name": f"table memory, {top['prefixes_v4']} prefixes",
                  "value": f"{top['memory_mb']} MB", "want": "< 256 MB",
                  "met": top["memory_mb"] < 256})
        return t


def gnuplot(data, png, result, quick):
    """Clustered bars: Mpps per system (bars) and capture (clusters)."""
    systems = list(dict.fromkeys(r["system"] for r in result["runs"]))
    with open(data, "w") as f:
        f.write("capture " + " ".join(systems) + "\n")
        for c in CAPTURES:
            f.write(c + " " + " ".join(
                str(next(r["median"] for r in result["runs"]
                         if r["system"] == s and r["capture"] == c))
                for s in systems) + "\n")
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                          "plot.gp")
    title = ("op25b vs testpmd and l3fwd: Mpps, one lcore, net\\_pcap -> "
             "net\\_null" + (" (--quick)" if quick else ""))
    run(["gnuplot", "-e",
         f"datafile='{data}'; outfile='{png}'; ncols={len(systems) + 1}; "
         f"plottitle='{title}'", script])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", required=True)
    ap.add_argument("--build", required=True)
    ap.add_argument("--out", required=True)
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
        h2h = b.head_to_head()
        bursts = b.bursts()
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
    text = b.report(h2h, bursts, compiles, instr,
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
    res["classifier"] = {"head_to_head": h2h, "bursts": bursts,
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
