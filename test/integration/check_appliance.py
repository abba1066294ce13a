#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Check one op25b run over a test vector capture, independently of op25b's
own code: frames are compared byte for byte and the TCP resets are decoded
by scapy and checked field by field.

Prints one "ok NAME" / "not ok NAME" line per check (test.sh counts them).
"""
import argparse
import json
import sys

from scapy.all import rdpcap, raw, Ether, IP, IPv6, TCP, Dot1Q, PPPoE  # noqa
from scapy.layers.l2 import Dot1AD
from scapy.layers.inet6 import IPv6ExtHdrFragment  # noqa

VERDICTS = ["forwarded", "counted", "blocked", "reset"]
OUTCOMES = ["non_smtp", "submission", "fragments", "malformed",
            "exempted", "forwarded", "counted", "blocked", "reset"]

results = []


def check(name, cond, detail=""):
    results.append(cond)
    print(("ok " if cond else "not ok ") + name)
    if not cond and detail:
        for line in str(detail).splitlines():
            print("#   " + line)


def read_expect(path):
    cases = []
    with open(path) as f:
        for line in f:
            if not line.strip() or line.startswith("#"):
                continue
            name, expect, cls, grp, length = line.split()
            cases.append({"name": name, "expect": expect, "class": cls,
                          "group": grp, "len": int(length)})
    return cases


def frames(path):
    try:
        return [raw(p) for p in rdpcap(path)]
    except FileNotFoundError:
        return []


def forwarded(case, malformed_forward):
    return case["expect"] in ("non_smtp", "submission", "fragments",
                              "exempted", "forwarded", "counted") or (
        case["expect"] == "malformed" and malformed_forward)


def l3_of(pkt):
    return pkt[IP] if IP in pkt else pkt[IPv6]


def check_reset(prefix, syn_bytes, rst_bytes):
    """The RST+ACK of RFC 9293 for this SYN, with the L2 mirrored."""
    syn, rst = Ether(syn_bytes), Ether(rst_bytes)
    problems = []

    def expect(what, got, want):
        if got != want:
            problems.append(f"{what}: got {got!r}, want {want!r}")

    expect("dst mac", rst.dst, syn.src)
    expect("src mac", rst.src, syn.dst)
    expect("vlan tags", _vlans(rst), _vlans(syn))
    if PPPoE in syn:
        expect("pppoe session", rst[PPPoE].sessionid, syn[PPPoE].sessionid)
        expect("pppoe length", rst[PPPoE].len, 2 + len(raw(l3_of(rst))))
    s3, r3, st = l3_of(syn), l3_of(rst), syn[TCP]
    if TCP not in rst:
        return [f"no TCP in reply {rst.summary()}"]
    rt = rst[TCP]
    expect("ip src", r3.src, s3.dst)
    expect("ip dst", r3.dst, s3.src)
    if IP in rst:
        expect("ttl", r3.ttl, 64)
        expect("ihl", r3.ihl, 5)
        expect("total length", r3.len, 40)
        fresh = IP(raw(r3))
        del fresh.chksum
        expect("ip checksum", r3.chksum, IP(raw(fresh)).chksum)
    else:
        expect("hop limit", r3.hlim, 64)
        expect("payload length", r3.plen, 20)
        expect("next header", r3.nh, 6)
    expect("sport", rt.sport, st.dport)
    expect("dport", rt.dport, st.sport)
    expect("flags", str(rt.flags), "RA")
    expect("seq", rt.seq, 0)
    payload = len(raw(st.payload))
    if IPv6ExtHdrFragment in syn or (IP in syn and syn[IP].flags.MF):
        payload = len(raw(st)) - st.dataofs * 4
    expect("ack", rt.ack, (st.seq + 1 + payload) & 0xffffffff)
    expect("data offset", rt.dataofs, 5)
    expect("window", rt.window, 0)
    fresh_tcp = rst.copy()
    del fresh_tcp[TCP].chksum
    expect("tcp checksum", rt.chksum, Ether(raw(fresh_tcp))[TCP].chksum)
    l2 = 14 + 4 * len(_vlans(syn)) + (8 if PPPoE in syn else 0)
    expect("frame length", len(rst_bytes), l2 + (40 if IP in rst else 60))
    return problems


def _vlans(pkt):
    """VLAN ids, outermost first (802.1ad and 802.1Q tags alike)."""
    tags, layer = [], pkt.payload
    while isinstance(layer, (Dot1Q, Dot1AD)):
        tags.append(layer.vlan)
        layer = layer.payload
    return tags


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--name", required=True)
    ap.add_argument("--expect", required=True)
    ap.add_argument("--input", required=True)
    ap.add_argument("--upstream-in", required=True)
    ap.add_argument("--sub-tx", required=True)
    ap.add_argument("--up-tx", required=True)
    ap.add_argument("--stats", required=True)
    ap.add_argument("--malformed-forward", action="store_true")
    ap.add_argument("--replay-json")
    ap.add_argument("--replay-out")
    a = ap.parse_args()

    cases = read_expect(a.expect)
    sent = frames(a.input)
    n = a.name
    check(f"{n}: capture holds every case", len(sent) == len(cases),
          f"{len(sent)} frames, {len(cases)} cases")

    # Upstream: exactly the forwarded frames, untouched, in order.
    want_up = [f for c, f in zip(cases, sent)
               if forwarded(c, a.malformed_forward)]
    got_up = frames(a.up_tx)
    diff = [i for i, (x, y) in enumerate(zip(got_up, want_up)) if x != y]
    check(f"{n}: upstream port got exactly the forwarded frames",
          len(got_up) == len(want_up) and not diff,
          f"got {len(got_up)} frames, want {len(want_up)}; first differing "
          f"index {diff[:3]}")

    # Subscriber port: the upstream frames passed back untouched, and one
    # RST per reset case, each in order.
    back = frames(a.upstream_in)
    resets = [(c, f) for c, f in zip(cases, sent) if c["expect"] == "reset"]
    got_sub = frames(a.sub_tx)
    passed_back, replies = [], []
    for f in got_sub:
        if len(passed_back) < len(back) and f == back[len(passed_back)]:
            passed_back.append(f)
        else:
            replies.append(f)
    check(f"{n}: upstream traffic passed back to subscribers untouched",
          passed_back == back, f"{len(passed_back)} of {len(back)}")
    check(f"{n}: one TCP reset per blocked SYN", len(replies) == len(resets),
          f"{len(replies)} replies for {len(resets)} reset cases")
    problems = []
    for (c, syn), rst in zip(resets, replies):
        for p in check_reset(n, syn, rst):
            problems.append(f"{c['name']}: {p}")
    if resets:
        check(f"{n}: every reset mirrors its SYN (L2, addresses, ports, "
              f"seq/ack, checksums)", not problems,
              "\n".join(problems[:20]))

    # Counters, exactly.
    with open(a.stats) as f:
        stats = json.load(f)
    want = {o: sum(1 for c in cases if c["expect"] == o) for o in OUTCOMES}
    want["upstream"] = len(back)
    check(f"{n}: packet counters", stats["packets"] == want,
          f"got {stats['packets']}\nwant {want}")
    for key, field in (("classes", "class"), ("groups", "group")):
        table = {}
        for c in cases:
            if c["expect"] in VERDICTS:
                name = "(none)" if c[field] == "-" else c[field]
                table.setdefault(name, dict.fromkeys(VERDICTS, 0))
                table[name][c["expect"]] += 1
        got = {k: v for k, v in stats[key].items() if any(v.values())}
        check(f"{n}: per-{field} verdict counters", got == table,
              f"got {got}\nwant {table}")
    ports = {p["role"]: p for p in stats["ports"]}
    sub, up = ports["subscriber"], ports["upstream"]
    want_ports = (len(cases), len(replies) + len(back), len(back),
                  len(want_up))
    got_ports = (sub["rx"], sub["tx"], up["rx"], up["tx"])
    check(f"{n}: port rx/tx counters", got_ports == want_ports and
          sub["tx_dropped"] == 0 and up["tx_dropped"] == 0,
          f"got {got_ports} want {want_ports}")
    check(f"{n}: mempool full again at exit",
          stats["mempool"]["available"] == stats["mempool"]["size"],
          stats["mempool"])

    if a.replay_json:
        bad = []
        with open(a.replay_json) as f:
            lines = [json.loads(x) for x in f if x.startswith("{")]
        for c, r in zip(cases, lines):
            got = (r["outcome"], r["class"] or "-", r["group"] or "-")
            if got != (c["expect"], c["class"], c["group"]):
                bad.append(f"{c['name']}: replay says {got}")
        check(f"{n}: replay tool agrees with every vector",
              len(lines) == len(cases) and not bad,
              "\n".join(bad[:20]) or f"{len(lines)} lines")
    if a.replay_out:
        check(f"{n}: replay --out equals what the appliance forwarded",
              frames(a.replay_out) == got_up)
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
