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

from scapy.all import bind_layers, rdpcap, raw, Ether, IP, IPv6, Padding, TCP  # noqa
from scapy.layers.inet6 import IPv6ExtHdrFragment, ipv6nhcls  # noqa
from scapy.layers.ipsec import AH

# scapy reads nothing after an AH header: read on by its next header, as
# after IPv6's other extension headers (classify.vec has AH in an IPv6
# chain, and AH after IPv4, up to eight in a row).
for _nh in (6, 17, 43, 44, 60):
    bind_layers(AH, ipv6nhcls[_nh], nh=_nh)
bind_layers(AH, AH, nh=51)

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
            name, expect, cls, grp, length, reply, counter = line.split()
            cases.append({"name": name, "expect": expect, "class": cls,
                          "group": grp, "len": int(length), "reply": reply,
                          "counter": counter})
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


TPIDS = (0x8100, 0x88a8, 0x9100)


def split_l2(b):
    """Walk Ethernet, VLAN tags of any TPID and a PPPoE session (with a
    compressed or full PPP protocol field) by hand: scapy knows neither
    0x9100 nor RFC 1661 protocol-field compression. Returns the tags
    (TPID, TCI), the PPPoE fields or None, and the L3 offset."""
    off, tags = 12, []
    etype = int.from_bytes(b[off:off + 2], "big")
    while etype in TPIDS:
        tags.append((etype, int.from_bytes(b[off + 2:off + 4], "big")))
        off += 4
        etype = int.from_bytes(b[off:off + 2], "big")
    off += 2
    pppoe = None
    if etype == 0x8864:
        proto_len = 1 if b[off + 6] & 1 else 2
        pppoe = {"offset": off,
                 "session": int.from_bytes(b[off + 2:off + 4], "big"),
                 "length": int.from_bytes(b[off + 4:off + 6], "big"),
                 "protocol": bytes(b[off + 6:off + 6 + proto_len])}
        off += 6 + proto_len
    return tags, pppoe, off


def l3_of(frame):
    _, _, off = split_l2(frame)
    return IP(frame[off:]) if frame[off] >> 4 == 4 else IPv6(frame[off:])


def check_reset(prefix, syn_bytes, rst_bytes, flags="RA"):
    """The reply with these TCP flags to this segment, with the L2
    mirrored: RA, the RST+ACK of RFC 9293 for a SYN; R, the RST for a
    segment with ACK (seq = its ack); SA, block: notify's SYN-ACK (seq:
    the cookie, not checked; ack = seq + 1; MSS, window 1024)."""
    syn, rst = Ether(syn_bytes), Ether(rst_bytes)
    problems = []

    def expect(what, got, want):
        if got != want:
            problems.append(f"{what}: got {got!r}, want {want!r}")

    expect("dst mac", rst.dst, syn.src)
    expect("src mac", rst.src, syn.dst)
    syn_tags, syn_pppoe, syn_l3 = split_l2(syn_bytes)
    rst_tags, rst_pppoe, rst_l3 = split_l2(rst_bytes)
    expect("vlan tags", rst_tags, syn_tags)
    expect("l3 offset", rst_l3, syn_l3)
    s3, r3 = l3_of(syn_bytes), l3_of(rst_bytes)
    if syn_pppoe:
        expect("pppoe session", rst_pppoe and rst_pppoe["session"],
               syn_pppoe["session"])
        expect("ppp protocol", rst_pppoe and rst_pppoe["protocol"],
               syn_pppoe["protocol"])
        expect("pppoe length", rst_pppoe and rst_pppoe["length"],
               len(syn_pppoe["protocol"]) + len(rst_bytes) - rst_l3)
    if TCP not in s3 or TCP not in r3:
        return [f"no TCP in SYN or reply {r3.summary()}"]
    st, rt = s3[TCP], r3[TCP]
    expect("ip src", r3.src, s3.dst)
    expect("ip dst", r3.dst, s3.src)
    opt = 4 if flags == "SA" else 0
    if isinstance(r3, IP):
        expect("ttl", r3.ttl, 64)
        expect("ihl", r3.ihl, 5)
        expect("total length", r3.len, 40 + opt)
        fresh = IP(raw(r3))
        del fresh.chksum
        expect("ip checksum", r3.chksum, IP(raw(fresh)).chksum)
    else:
        expect("hop limit", r3.hlim, 64)
        expect("payload length", r3.plen, 20 + opt)
        expect("next header", r3.nh, 6)
    expect("sport", rt.sport, st.dport)
    expect("dport", rt.dport, st.sport)
    expect("flags", str(rt.flags), flags)
    if flags == "RA":
        expect("seq", rt.seq, 0)
        # Bytes past the IP packet (a NIC's padding to 60, a trailer)
        # are in no segment: scapy holds them as Padding.
        payload = len(raw(st.payload))
        if Padding in st:
            payload -= len(raw(st[Padding]))
        if IPv6ExtHdrFragment in s3 or (isinstance(s3, IP) and s3.flags.MF):
            payload = len(raw(st)) - st.dataofs * 4
        expect("ack", rt.ack, (st.seq + 1 + payload) & 0xffffffff)
    elif flags == "R":
        expect("seq", rt.seq, st.ack)
        expect("ack", rt.ack, 0)
    else:
        expect("ack", rt.ack, (st.seq + 1) & 0xffffffff)
        expect("options", rt.options,
               [("MSS", 1460 if isinstance(r3, IP) else 1440)])
    expect("data offset", rt.dataofs, 5 + opt // 4)
    expect("window", rt.window, 1024 if flags == "SA" else 0)
    fresh_l3 = r3.copy()
    del fresh_l3[TCP].chksum
    expect("tcp checksum", rt.chksum, type(r3)(raw(fresh_l3))[TCP].chksum)
    expect("frame length", len(rst_bytes),
           syn_l3 + (40 if isinstance(r3, IP) else 60) + opt)
    return problems


def main():
    ap = argparse.ArgumentParser()
    for name in ("--name", "--expect", "--input", "--upstream-in", "--sub-tx",
                 "--up-tx", "--stats"):
        ap.add_argument(name, required=True)
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
    # reply per case that has one (RSTs, notify's SYN-ACKs), each in order.
    back = frames(a.upstream_in)
    resets = [(c, f) for c, f in zip(cases, sent) if c["reply"] != "-"]
    got_sub = frames(a.sub_tx)
    passed_back, replies = [], []
    for f in got_sub:
        if len(passed_back) < len(back) and f == back[len(passed_back)]:
            passed_back.append(f)
        else:
            replies.append(f)
    check(f"{n}: upstream traffic passed back to subscribers untouched",
          passed_back == back, f"{len(passed_back)} of {len(back)}")
    check(f"{n}: one TCP reply per case with a reply (resets, SYN-ACKs)",
          len(replies) == len(resets),
          f"{len(replies)} replies for {len(resets)} cases with a reply")
    problems = []
    for (c, syn), rst in zip(resets, replies):
        for p in check_reset(n, syn, rst, c["reply"]):
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
    # The frame counters a case names (counter=), each once; none other
    # (chained: how the port's mbufs hold a frame, not the vector's).
    want_frames = {k: 0 for k in stats["frames"] if k != "chained"}
    unknown = sorted({c["counter"] for c in cases
                      if c["counter"] != "-" and c["counter"] not in
                      want_frames})
    for c in cases:
        if c["counter"] in want_frames:
            want_frames[c["counter"]] += 1
    got_frames = {k: v for k, v in stats["frames"].items() if k != "chained"}
    check(f"{n}: frame counters", got_frames == want_frames and not unknown,
          f"got {got_frames}\nwant {want_frames}"
          + (f"\nno such frame counter: {unknown}" if unknown else ""))
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
            objs = [json.loads(x) for x in f if x.startswith("{")]
        lines = [o for o in objs if "packet" in o]
        totals = [o["totals"] for o in objs if "totals" in o]
        for c, r in zip(cases, lines):
            got = (r["outcome"], r["class"] or "-", r["group"] or "-")
            if got != (c["expect"], c["class"], c["group"]):
                bad.append(f"{c['name']}: replay says {got}")
        check(f"{n}: replay tool agrees with every vector",
              len(lines) == len(cases) and not bad,
              "\n".join(bad[:20]) or f"{len(lines)} lines")
        mine = {"packets": {k: v for k, v in stats["packets"].items()
                            if k != "upstream"},
                "frames": stats["frames"], "classes": stats["classes"],
                "groups": stats["groups"]}
        theirs = totals[0] if len(totals) == 1 and "totals" in objs[-1] \
            else {}
        check(f"{n}: replay's JSON totals equal the appliance's "
              f"--stats-json (packets, frames, classes, groups)",
              {k: theirs.get(k) for k in mine} == mine,
              f"replay {theirs}\nop25b  {mine}")
    if a.replay_out:
        check(f"{n}: replay --out equals what the appliance forwarded",
              frames(a.replay_out) == got_up)
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
