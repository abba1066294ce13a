#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Stage 2, measure: the forwarding systems side by side, and the
classifier against dpdk-test-acl and dpdk-test-fib (head to head, bursts,
compile time and memory, instructions per packet)."""
import json
import os
import re
import shutil
import signal
import subprocess
import time

# bench.py's folder is on sys.path: these are its siblings.
import traces
from common import (ACL_ALGS, BURSTS, CALLGRIND_POOL, CAPTURES,
                    LPM_MAX_ROUTES, SYSTEMS, BenchError, Telemetry, best,
                    fmt, kv_lines, median, progress, run)


def cpu_has(need):
    """Whether this CPU has every flag of @need (/proc/cpuinfo's names)."""
    with open("/proc/cpuinfo") as f:
        flags = next((line.split(":", 1)[1].split() for line in f
                      if line.startswith("flags")), [])
    return set(need) <= set(flags)


def acl_alg_runs_here(alg):
    """Whether this CPU has what dpdk-test-acl's --alg=@alg needs (its
    x86 paths: SSE4.1, AVX2, AVX-512 F/BW/VL/DQ/CD)."""
    need = {"scalar": set(), "sse": {"sse4_1"}, "avx2": {"avx2"},
            "avx512x16": {"avx512f", "avx512bw", "avx512vl", "avx512dq",
                          "avx512cd"},
            "avx512x32": {"avx512f", "avx512bw", "avx512vl", "avx512dq",
                          "avx512cd"}}.get(alg)
    if need is None:
        return False  # neon, altivec: other architectures
    return cpu_has(need)


# rte_fib's vector lookups (dir24_8 and trie, DPDK 22.11) need AVX-512F
# (and AVX-512DQ for dir24_8's 8-byte next hops): without them
# dpdk-test-fib -v v exits ("Can not init lookup function").
FIB_VECTOR_FLAGS = {"avx512f", "avx512dq"}


def callgrind_part(path, fn):
    """The part of the classifier a callgrind line (file:function) counts
    for: by the function first, since op25b's own inline helpers live in
    headers (tcp_seen.h, classify_priv.h) that several parts share and a
    compiler intrinsic's lines (avx2intrin.h) belong to the function that
    inlined them; a line is DPDK's only when its file is DPDK's header."""
    f = os.path.basename(path)
    if "reset" in fn or "notify" in fn:
        return "reset"
    if "lookup" in fn or "lpm" in f:
        return "lookups"  # lpm4*.h, lpm6*.h, vec_lookup*
    if "decide" in fn or "prepass" in fn or f in (
            "classifier.c", "decide_vec.h", "decide_count.h", "vec.c",
            "vec_priv.h", "vec_entry.h", "vec_avx2.c", "vec_avx512.c"):
        return "batching + decide"
    if f == "classify_priv.h":
        return "parse"
    if "/dpdk/" in path:
        return "inlined DPDK"
    return "other"


def paired_ratio(xs, ys):
    """The median over the repeats of x / y, each pair two runs of the
    same repeat, a minute apart, not the ratio of the medians of runs a
    quarter of an hour apart: a slow hour of the host then divides out
    (doc/bench.md, Results). None when either side has no runs."""
    if not xs or not ys:
        return None
    return round(median(x / y for x, y in zip(xs, ys)), 3)


class Measure:
    """Mixed into bench.Bench (a common.Context)."""

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
        # op25b: block: drop; op25b-reset, op25b-notify: that block;
        # op25b-records: block: drop with block records on, at the default
        # interval and rate (the worst capture's frames are all blocked:
        # a worker counts a million a second into records, the rest are
        # records_over_rate); op25b-records-all: every blocked frame
        # counted (--block-records-rate 0), the cost of the records
        # themselves.
        block = system.split("-", 1)[1] \
            if system in ("op25b-reset", "op25b-notify",
                          "op25b-adaptive") else "drop"
        records = ["--block-records", self.path("logs", f"{prefix}.jsonl")] \
            if system.startswith("op25b-records") else []
        if system == "op25b-records-all":
            records += ["--block-records-rate", "0"]
        # op25b-scalar: op25b on its scalar path beside the default (auto:
        # the widest the CPU offers, in its log).
        scalar = ["--classifier-path", "scalar"] \
            if system == "op25b-scalar" else []
        if cap == self.caps.get("worst-adaptive"):
            # net_pcap keeps an mbuf per frame of the capture: a pool that
            # holds them all, of the smallest mbufs op25b takes with
            # net_null (which cannot chain: a 1526-byte frame in one); a
            # table of a quarter of the sources (both policies alike).
            n = self.cfg["adaptive_sources"]
            records += ["--mbufs", str(n + 65536), "--mbuf-size", "1654",
                        "--adaptive-entries", str(n // 4)]
        return [self.op25b, "-l", "0-1", *eal, "--", "--policy",
                self.policies[block], "--name", prefix,
                "--status-interval", "0", *records, *scalar]

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
                try:
                    t0, c0 = tel.rx_packets()
                    time.sleep(self.cfg["measure"])
                    t1, c1 = tel.rx_packets()
                except (OSError, KeyError, ValueError) as e:
                    # The process died or stopped answering while being
                    # measured: no figure, and the reason.
                    raise BenchError(
                        f"{system} on {capture}: telemetry failed while "
                        f"measuring ({e}; exit status {proc.poll()}); see "
                        f"{log}") from e
                if proc.poll() is not None:
                    raise BenchError(f"{system} on {capture} exited "
                                     f"{proc.returncode} while measured; "
                                     f"see {log}")
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
        # A run that crashed on its way out (op25b's mbuf check, a
        # sanitizer) is not a figure either.
        if proc.returncode != 0 and not (
                stop == signal.SIGINT and proc.returncode in (-2, 130)):
            raise BenchError(f"{system} on {capture}: exit status "
                             f"{proc.returncode} after the measurement; "
                             f"see {log}")
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
        out = {k: round(v / total, 4) for k, v in packets.items() if v}
        # The adaptive table's churn: sources evicted for a new one, and
        # blocked, per packet.
        for k in ("adaptive_evicted", "adaptive_triggered"):
            if snap.get(k):
                out[k] = round(snap[k] / total, 4)
        return out

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

        def ratio(a, b, c):
            """a's rate over b's on capture c."""
            return paired_ratio(mpps.get((a, c)), mpps.get((b, c)))

        for c in CAPTURES:
            self.result["ratios"][c] = ratio("op25b", "testpmd-io", c)
            l3 = ratio("op25b", "l3fwd-lpm", c)
            if l3:
                self.result["ratios_l3fwd"][c] = l3
            rec = ratio("op25b-records", "op25b", c)
            if rec:
                self.result["ratios_records"][c] = rec
            rec = ratio("op25b-records-all", "op25b", c)
            if rec:
                self.result.setdefault("ratios_records_all", {})[c] = rec
            rx = ratio("op25b", "testpmd-rxonly", c)
            if rx:
                self.result["ratios_rxonly"][c] = rx

    def adaptive_forwarding(self):
        """worst-adaptive: op25b on a capture whose every frame is a SYN
        from another of `adaptive_sources` sources, with the pool adaptive
        over a table of a quarter as many entries (every frame a new
        source: a miss, a claim that evicts a live source, a count), and
        with the pool blocked on the same capture and options ("worst" on
        these frames). Their ratio is the adaptive path's cost; `worst`
        (4096 frames) is beside it."""
        reps = self.cfg["repeats"]
        systems = ["op25b", "op25b-adaptive"]
        mpps = {s: [] for s in systems}
        outcomes = {}
        progress(f"== worst-adaptive: {self.cfg['adaptive_sources']} "
                 f"sources, op25b blocked and adaptive x {reps} run(s)")
        for rep in range(reps):
            for system in systems:
                rate, oc = self.measure_system(system, "worst-adaptive", rep)
                mpps[system].append(rate)
                outcomes[system] = oc
                progress(f"   worst-adaptive {system:15s} run {rep + 1}/"
                         f"{reps}: {rate:7.2f} Mpps")
        res = {"sources": self.cfg["adaptive_sources"],
               "table_entries": self.cfg["adaptive_sources"] // 4}
        for system in systems:
            xs = mpps[system]
            res[system] = {"mpps": [round(x, 3) for x in xs],
                           "median": round(median(xs), 3),
                           "min": round(min(xs), 3), "max": round(max(xs), 3),
                           "op25b_outcomes": outcomes[system]}
        ours = res["op25b-adaptive"]["median"]
        res["ratio_blocked"] = paired_ratio(mpps["op25b-adaptive"],
                                            mpps["op25b"])
        res["ratio_worst"] = round(ours / self.mpps[("op25b", "worst")], 3)
        self.result["worst_adaptive"] = res

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
        per run])], each run's figure the mean of its 9 timings (each one
        long loop over the trace's bursts, as dpdk-test-acl times its
        run; dpdk-test-fib times each burst of 64 with a fenced rdtsc
        pair, which its figure includes). The classifier path measured
        is kept in self.classifier_path (the report names it)."""
        per_burst = {b: [] for b in bursts}
        for _ in range(self.cfg["tool_repeats"]):
            _, res = self.classify(pools, trace, bursts=bursts)
            for d in res:
                per_burst[d["burst"]].append(d["cycles_mean"])
                self.classifier_path = d.get("path", "?")
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
            last = (p.stdout.strip().splitlines() or ["no output"])[-1]
            return None, wall, f"exit {p.returncode}: {last}"
        return float(m.group(1)), wall, None

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
                         "path": self.classifier_path,
                         "runs": runs, "cycles_per_packet": best(runs)})
            rules = self.path(f"acl-{capture}-{pool_n}.rules")
            acl_trace = self.path(f"acl-{capture}-{pool_n}.trace")
            n_rules = traces.write_acl_rules(pools, rules, family)
            n_trace = traces.write_acl_trace(trace, acl_trace, family)
            reps = self.cfg["tool_repeats"]
            for alg in ACL_ALGS:
                runs, failure = [], None
                for _ in range(reps):
                    cpp, t, failure = self.test_acl(rules, n_rules,
                                                    acl_trace, n_trace,
                                                    family, alg)
                    if cpp is None:
                        break
                    runs.append(cpp)
                    wall = t
                if not runs and not acl_alg_runs_here(alg):
                    progress(f"   dpdk-test-acl --alg={alg}: not for this "
                             "CPU")
                    continue
                if len(runs) < reps:
                    # A run that failed where the CPU has the algorithm
                    # (memory at a million rules, a crash): said, in the
                    # notes too, never passed off as "not supported".
                    why = (f"dpdk-test-acl --alg={alg} on {col}: "
                           f"{len(runs)} of {reps} runs, then {failure}")
                    progress(f"   {why}")
                    self.notes.append(why)
                    if not runs:
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
            fns = ["v", "s1"] if family == 4 else ["v", "s"]
            if not cpu_has(FIB_VECTOR_FLAGS):
                progress(f"   dpdk-test-fib {name} vector (AVX-512): not "
                         "for this CPU")
                fns.remove("v")
            for fn in fns:
                kind = "vector (AVX-512)" if fn == "v" else "scalar"
                # rte_lpm's (-c) with the first run of the two.
                with_lpm = fn == fns[0] and n_routes <= LPM_MAX_ROUTES
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

    def non_smtp(self):
        """The classifier on the `tiny` trace (no SMTP, plain IPv4): what
        every frame that is not mail costs; and on the `access` trace, the
        same frames a quarter each untagged, under a tag, two tags and
        PPPoE: what access networks' encapsulations add."""
        pool_n = self.cfg["pool"]
        res = {}
        for trace in ("tiny", "access"):
            progress(f"== classifier, non-SMTP ({trace} trace), "
                     f"{pool_n} prefixes")
            [(_, runs)] = self.classify_repeated(
                self.pools(pool_n), self.capture(trace, pool_n), (32,))
            progress(f"   {best(runs):.1f} cycles/packet")
            res[trace] = {"trace": trace, "prefixes": pool_n, "burst": 32,
                          "runs": runs, "cycles_per_packet": best(runs)}
        # The figure (tiny) stays where the JSON always had it.
        return dict(res["tiny"], access=res["access"])

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
                         "derive_ms": best["derive_ms"],
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
        # block: reset rewrites each SYN into its RST: bench_classify then
        # classifies the packets once (--block reset), each a reset SYN.
        for only, block in (("non-smtp", "drop"), ("syn4", "drop"),
                            ("syn6", "drop"), ("syn4", "reset"),
                            ("syn6", "reset")):
            name = only if block == "drop" else f"{only}-{block}"
            progress(f"== callgrind: {name}, {CALLGRIND_POOL} prefixes")
            cg = self.path(f"callgrind-{name}.out")
            out = run(["valgrind", "--tool=callgrind",
                       f"--callgrind-out-file={cg}",
                       "--toggle-collect=op25b_classifier_classify_burst",
                       self.bench_classify, "-l", "0", "--no-pci",
                       "--no-huge", "-m", "512", "--no-shconf",
                       "--log-level", "*:error", "--", "--pools", pools,
                       "--only", only, "--rounds", "1", "--kv",
                       "--block", block])
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
                    path, fn = what.split(":", 1)
                    part = callgrind_part(path, fn.split(" ", 1)[0])
                    by_file[part] = by_file.get(part, 0) + ir
            rows.append({"profile": name, "pool": CALLGRIND_POOL,
                         "packets": classified,
                         "per_packet": round(total / classified, 1),
                         "split": {k: round(v / classified, 1)
                                   for k, v in sorted(by_file.items())}})
        return rows

