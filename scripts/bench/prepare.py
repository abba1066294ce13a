#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Stage 1, prepare: the inputs every measurement uses (pool lists,
captures, policies, l3fwd and its routes), made afresh by each run (a
second or two): a file left by an older op25b-gen, or cut short by an
interrupted run, is never measured. Each is written under a temporary
name and renamed when whole."""
import os
import shutil
import subprocess

# bench.py's folder is on sys.path: these are its siblings.
import traces
from common import (CAPTURES, SEED, BenchError, free_hugepages_mb,
                    progress, run)


class Prepare:
    """Mixed into bench.Bench (a common.Context)."""

    # ------------------------------------------------------------ inputs

    def generated(self, path, argv):
        """@path made by op25b-gen @argv (+ --out), once in this run."""
        if path not in self.generated_inputs:
            part = path + ".part"
            run([self.gen] + argv + ["--out", part, "--quiet"])
            os.replace(part, path)
            self.generated_inputs.add(path)
        return path

    def pools(self, n):
        """An op25b-gen pool list of @n IPv4 + @n/100 IPv6 prefixes."""
        path = self.path(f"pools-{n}.txt")
        if path not in self.generated_inputs:
            progress(f"== generating a pool list of {n} prefixes")
        return self.generated(path, [
            "pools", "--count", str(n), "--v6", str(max(n // 100, 1)),
            "--seed", str(SEED)])

    def capture(self, profile, pool_n, count=None):
        count = count or self.cfg["packets"]
        suffix = "" if count == self.cfg["packets"] else f"-{count}"
        path = self.path(f"{profile}-{pool_n}{suffix}.pcap")
        return self.generated(path, [
            "traffic", "--profile", profile, "--count", str(count),
            "--seed", str(SEED), "--pools", self.pools(pool_n)])

    def policy(self, pool_n, block):
        """doc/policy.md's shape: the dynamic pool blocked, the ISP relays
        allowed, everything else by default allowed. block "adaptive": the
        pool adaptive instead (10 connections a minute, blocked 1 h)."""
        path = self.path(f"policy-{pool_n}-{block}.yaml")
        action = "block"
        if block == "adaptive":
            block, action = "drop", ("adaptive\n    limit: {connections: "
                                     "10, per: 60s, block_for: 1h}")
        with open(path, "w") as f:
            f.write(
                "# scripts/bench.sh: the dynamic pool blocked, the relays "
                "allowed\nversion: 1\nmode: enforce\n"
                f"block: {block}\ndefault: allow\nmalformed: drop\n"
                # block: notify answers every SYN with a SYN-ACK (cookie,
                # MSS option): the budget at its most, so that the
                # figure is the reply path's, not the fallback RST's.
                "notice: \"Port 25 is closed, send via port 587\"\n"
                "notify_rate: 10000000\n"
                "ports:\n  smtp: [25]\n  submission: [587, 465]\n"
                f"sources:\n  dynamic:\n    action: {action}\n"
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

    def check_memory(self):
        """Stop before measuring anything when the largest run cannot get
        its memory: op25b on worst-adaptive holds a mbuf for each of
        `adaptive_sources` frames (1654-byte data room, plus the mbuf's
        header, headroom and the pool's own) and 65536 more, which would
        otherwise fail a full run twenty minutes in."""
        n = self.cfg["adaptive_sources"] + 65536
        need_mb = n * (1654 + 128 + 128 + 64) // 1048576 + 512
        if "--in-memory" in self.eal_mem:
            have_mb, what = free_hugepages_mb(), "free in hugepages"
        else:
            have_mb = int(self.eal_mem[self.eal_mem.index("-m") + 1])
            what = "of plain memory (-m; too few hugepages free)"
        if need_mb > have_mb:
            raise BenchError(
                f"worst-adaptive needs about {need_mb} MiB ({n} mbufs) and "
                f"{have_mb} MiB are {what}: reserve more 2 MB hugepages "
                f"(/proc/sys/vm/nr_hugepages, at least "
                f"{need_mb // 2 + 64} pages) or run --quick")

    def prepare(self):
        cfg = self.cfg
        self.check_memory()
        progress(f"== inputs: pool of {cfg['pool']} prefixes, "
                 f"{cfg['packets']}-frame captures")
        self.caps = {c: self.capture(c, cfg["pool"]) for c in CAPTURES}
        self.summary = {c: traces.capture_summary(p)
                        for c, p in self.caps.items()}
        self.policies = {b: self.policy(cfg["pool"], b)
                         for b in ("drop", "reset", "notify", "adaptive")}
        progress(f"== worst-adaptive capture: {cfg['adaptive_sources']} "
                 "distinct sources")
        self.caps["worst-adaptive"] = self.capture(
            "worst-adaptive", cfg["pool"], cfg["adaptive_sources"])
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

