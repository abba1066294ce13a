#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Check the structure of scripts/bench.sh's JSON (never its speed): every
system that ran x every capture has its Mpps, every capture its ratio,
worst-adaptive its two rates and a churning table, and the classifier
sections are there. usage: check_json.py FILE
Exit status 0 and one summary line when it holds; 1 and the reason if not."""
import json
import sys


def check(path):
    with open(path) as f:
        res = json.load(f)
    meta = res["meta"]
    systems, captures = meta["systems"], meta["captures"]
    for s in ("testpmd-io", "op25b"):
        assert s in systems, f"system {s} did not run"
    for s in meta.get("skipped", {}):
        assert s == "l3fwd-lpm", f"only l3fwd may be skipped, not {s}"
    for s in systems:
        for c in captures:
            runs = [r for r in res["runs"]
                    if r["system"] == s and r["capture"] == c]
            assert len(runs) == 1, f"{s} x {c}: {len(runs)} entries"
            r = runs[0]
            assert r["mpps"] and all(x > 0 for x in r["mpps"]), \
                f"{s} x {c}: no packet rate"
            assert r["median"] > 0 and r["cycles_per_packet"] > 0
    for c in captures:
        assert res["ratios"][c] > 0, f"no op25b/testpmd-io ratio for {c}"
    wa = res["worst_adaptive"]
    assert wa["sources"] > 0 and wa["table_entries"] > 0
    for s in ("op25b", "op25b-adaptive"):
        assert wa[s]["mpps"] and all(x > 0 for x in wa[s]["mpps"]), \
            f"worst-adaptive {s}: no packet rate"
        assert wa[s]["cycles_per_packet"] > 0
    assert wa["ratio_blocked"] > 0 and wa["ratio_worst"] > 0
    oc = wa["op25b-adaptive"]["op25b_outcomes"]
    assert oc and oc.get("adaptive_evicted", 0) > 0, \
        f"worst-adaptive: the table did not churn: {oc}"
    cl = res["classifier"]
    tools = {r["tool"] for r in cl["head_to_head"]}
    for t in ("op25b", "dpdk-test-acl", "dpdk-test-fib"):
        assert t in tools, f"head to head: no {t} figure"
    assert [b["burst"] for b in cl["bursts"]] == [1, 8, 32, 64]
    assert len(cl["compile"]) == 3, "compile table: 3 sizes wanted"
    assert res["targets"], "no targets"
    assert cl["non_smtp"]["cycles_per_packet"] > 0, "no non-SMTP figure"
    assert cl["non_smtp"]["access"]["cycles_per_packet"] > 0, \
        "no non-SMTP figure on the access trace"
    assert all(c["derive_ms"] >= 0 for c in cl["compile"])
    assert len(res["issue15"]) == 9, "issue 15's table: 9 rows wanted"
    return (f"{len(systems)} systems x {len(captures)} captures, "
            f"worst-adaptive {wa['ratio_blocked']:.2f} of blocked, "
            f"{len(cl['head_to_head'])} classifier figures, "
            f"{len(cl['instructions'])} instruction counts")


if __name__ == "__main__":
    try:
        print(check(sys.argv[1]))
    except (AssertionError, KeyError, IndexError, TypeError, ValueError,
            OSError) as e:
        print(f"bench JSON {sys.argv[1]}: {e!r}")
        sys.exit(1)
