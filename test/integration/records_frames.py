#!/usr/bin/env python3
"""Frames and expected block records for test/integration/records.sh.

gen DIR: DIR/one.pcap (the first interval), DIR/two.pcap (the second) and
DIR/policy.yaml. check FILE SCENARIO: FILE holds exactly the records the
scenario expects (members, values, order; times RFC 3339 and first <=
time, intervals ordered). syslog LOG JSONL: LOG (the datagrams a
stand-in for /dev/log received, one a line) holds the records of JSONL
as syslog(3) sends them from --block-records syslog: facility daemon,
priority notice, ident op25b, then RFC 5424's MSGID and one SD element
with the JSON's members (nulls left out, values escaped per 6.3.3).
Prints problems, exits 1 on any.
"""
import json
import re
import sys

from scapy.all import (IP, TCP, Dot1Q, Dot1AD, Ether, IPv6, PPPoE, Raw,
                       wrpcap, conf)

conf.verb = 0

POLICY = """version: 1
mode: enforce
block: reset
default: allow
ports:
  smtp: [25, 2525]
  submission: [587]
sources:
  dynamic:
    action: block
    prefixes: [198.18.0.0/16, 2001:db8:1000::/36]
  mobile-only:
    action: allow
    to: {mobile-mx: block}
    prefixes: [198.18.200.0/24]
destinations:
  relays:
    action: allow
    prefixes: [203.0.113.25/32]
  mobile-mx:
    prefixes: [198.19.100.0/24]
"""

MAC = {"plain": "02:00:00:00:01:01", "pppoe": "02:00:00:00:02:02",
       "qinq": "02:00:00:00:03:03", "v6": "02:00:00:00:04:04",
       "mobile": "02:00:00:00:05:05"}
# Each kind's source address, VLAN IDs (outer first) and PPPoE session:
# the builders below frame them, base() expects them in the records.
SOURCE = {"plain": ("198.18.1.1", [], None),
          "pppoe": ("198.18.2.2", [100], 4660),
          "qinq": ("198.18.3.3", [10, 20], None),
          "v6": ("2001:db8:1000::9", [], None),
          "mobile": ("198.18.200.5", [], None)}


def eth(kind):
    return Ether(src=MAC[kind], dst="02:00:00:00:00:fe")


def syn(dst, dport=25, sport=40000):
    return TCP(sport=sport, dport=dport, flags="S", seq=1000)


def data(dport=25):
    return TCP(sport=40000, dport=dport, flags="PA", seq=1001, ack=1) / (b"x" * 20)


def plain(dst, tcp):
    return eth("plain") / IP(src=SOURCE["plain"][0], dst=dst) / tcp


def pppoe(dst, tcp):
    src, (vlan,), session = SOURCE["pppoe"]
    # The PPP protocol as the two bytes 00 21 (RFC 1661): scapy's PPP()
    # writes a protocol under 0x100 as one byte (the compressed form).
    return (eth("pppoe") / Dot1Q(vlan=vlan) / PPPoE(sessionid=session) /
            Raw(b"\x00\x21") / IP(src=src, dst=dst) / tcp)


def qinq(dst, tcp):
    src, (outer, inner), _ = SOURCE["qinq"]
    return (eth("qinq") / Dot1AD(vlan=outer) / Dot1Q(vlan=inner) /
            IP(src=src, dst=dst) / tcp)


def v6(dst, tcp):
    return eth("v6") / IPv6(src=SOURCE["v6"][0], dst=dst) / tcp


def mobile(dst, tcp):
    return eth("mobile") / IP(src=SOURCE["mobile"][0], dst=dst) / tcp


def first_interval():
    return [
        plain("203.0.113.5", syn("203.0.113.5")),
        pppoe("203.0.113.7", syn("203.0.113.7")),
        plain("203.0.113.6", syn("203.0.113.6")),
        plain("203.0.113.25", syn("203.0.113.25")),   # the relay: allowed
        plain("203.0.113.5", TCP(sport=40001, dport=443, flags="S")),
        plain("203.0.113.5", TCP(sport=40002, dport=587, flags="S")),
        qinq("203.0.113.9", syn("203.0.113.9", dport=2525)),
        v6("2001:db8:ffff::25", syn("2001:db8:ffff::25")),
        pppoe("203.0.113.7", syn("203.0.113.7")),
        mobile("203.0.113.30", syn("203.0.113.30")),  # allowed there
        mobile("198.19.100.25", syn("198.19.100.25")),
        v6("2001:db8:ffff::26", syn("2001:db8:ffff::26")),
        plain("203.0.113.5", syn("203.0.113.5")),
        plain("203.0.113.6", data()),                  # dropped, not a SYN
    ]


def second_interval():
    return [
        plain("203.0.113.8", syn("203.0.113.8")),
        pppoe("203.0.113.7", data()),
    ]


def base(kind, **kw):
    src, vlan, session = SOURCE[kind]
    r = {"src": src, "class": "dynamic", "group": None,
         "rule": "class.action", "action": "reset", "dport": 25,
         "vlan": list(vlan), "pppoe_session": session,
         "src_mac": MAC[kind], "port": 0, "mode": "enforce"}
    r.update(kw)
    return r


def expected(scenario):
    """The records, each with its action under enforce: monitor counts
    them all instead, notify changes what a block sends."""
    mode = "monitor" if scenario == "monitor" else "enforce"
    one = [
        base("plain", action="drop", dst="203.0.113.6", destinations=2,
             segments=4, syns=3),
        base("pppoe", dst="203.0.113.7", destinations=1, segments=2,
             syns=2),
        base("qinq", dport=2525, dst="203.0.113.9", destinations=1,
             segments=1, syns=1),
        base("v6", dst="2001:db8:ffff::26", destinations=2, segments=2,
             syns=2),
        base("mobile", **{"class": "mobile-only", "group": "mobile-mx",
                          "rule": "class.to", "dst": "198.19.100.25",
                          "destinations": 1, "segments": 1, "syns": 1}),
    ]
    # The second interval (scenario two), judged after `set mode
    # monitor` (records.sh): counted.
    two = [
        base("plain", action="count", dst="203.0.113.8", destinations=1,
             segments=1, syns=1, mode="monitor"),
        base("pppoe", action="count", dst="203.0.113.7", destinations=1,
             segments=1, syns=0, mode="monitor"),
    ]
    for r in one:
        r["mode"] = mode
        if mode == "monitor":
            r["action"] = "count"
        # block: notify answers a SYN with a SYN-ACK, and a data segment
        # without its handshake with a RST (doc/policy.md).
        if scenario == "notify":
            r["action"] = {"reset": "notify", "drop": "reset"}[r["action"]]
    if scenario in ("one", "monitor", "workers", "notify"):  # at exit
        return [one]
    return [one, two]


KEYS = ["time", "first", "src", "class", "group", "rule", "action", "dport",
        "dst", "destinations", "segments", "syns", "vlan", "pppoe_session",
        "src_mac", "port", "mode"]
TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def check(path, scenario):
    problems = []
    try:
        lines = open(path).read().splitlines()
    except OSError as e:
        print(e)
        return 1
    recs = []
    for n, line in enumerate(lines, 1):
        try:
            r = json.loads(line)
        except ValueError as e:
            problems.append(f"line {n}: not JSON ({e}): {line}")
            continue
        if list(r) != KEYS:
            problems.append(f"line {n}: members {list(r)}")
        if not (TIME.match(r.get("time", "")) and TIME.match(r.get("first", ""))):
            problems.append(f"line {n}: times {r.get('first')} {r.get('time')}")
        elif r["first"] > r["time"]:
            problems.append(f"line {n}: first after time")
        recs.append(r)
    want = expected(scenario)
    flat = [r for interval in want for r in interval]
    if scenario == "workers":
        # Two workers: which one saw a source's last frame, and so the
        # order of firsts, is up to the race; the sums are not.
        last = ("dst", "action", "dport")
        recs = sorted(({k: v for k, v in r.items() if k not in last}
                       for r in recs), key=lambda r: r["src"])
        flat = sorted(({k: v for k, v in r.items() if k not in last}
                       for r in flat), key=lambda r: r["src"])
    if len(recs) != len(flat):
        problems.append(f"{len(recs)} records, want {len(flat)}")
    # Within an interval, records come in the order of their first frame.
    for i, (got, exp) in enumerate(zip(recs, flat)):
        g = {k: v for k, v in got.items() if k not in ("time", "first")}
        if g != exp:
            problems.append(f"record {i + 1}: {json.dumps(g)}\n  want {json.dumps(exp)}")
    # The second interval's records come after every first one's.
    if len(want) == 2 and len(recs) == len(flat):
        n1 = len(want[0])
        if max(r["time"] for r in recs[:n1]) > min(r["first"] for r in recs[n1:]):
            problems.append("the second interval overlaps the first")
    for p in problems:
        print(p)
    return 1 if problems else 0


def sd_element(r):
    """The message --block-records syslog sends for JSON record r."""
    def esc(v):
        return re.sub(r'(["\\\]])', r"\\\1", v)
    params = []
    for k, v in r.items():
        if v is None:
            continue
        if k == "vlan":
            v = ",".join(str(x) for x in v)
        params.append(f'{k}="{esc(str(v))}"')
    return "block-record [op25b@32473 " + " ".join(params) + "]"


def check_syslog(log, jsonl):
    # <29>: daemon (3) * 8 + notice (5); then an RFC 3164 time stamp.
    head = re.compile(r"^<29>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d op25b\[\d+\]: ")
    got = open(log).read().splitlines()
    want = [sd_element(json.loads(x)) for x in open(jsonl).read().splitlines()]
    problems = []
    msgs = []
    for n, line in enumerate(got, 1):
        m = head.match(line)
        if not m:
            problems.append(f"datagram {n}: header: {line}")
            continue
        msgs.append(line[m.end():])
    if len(msgs) != len(want):
        problems.append(f"{len(msgs)} messages, want {len(want)}")
    # The same records, the syslog lines written at another time: the
    # times differ, the rest is exact.
    def untimed(x):
        return re.sub(r' (time|first)="[^"]*"', "", x)
    for i, (g, w) in enumerate(zip(msgs, want)):
        if untimed(g) != untimed(w):
            problems.append(f"message {i + 1}: {g}\n  want {w}")
    for p in problems:
        print(p)
    return 1 if problems else 0


def pad(frames, burst=32):
    """Whole bursts: net_pcap reading a FIFO returns a burst only when
    it is full. The padding is HTTPS, which is never recorded."""
    https = eth("plain") / IP(src="198.18.9.9", dst="203.0.113.5") / \
        TCP(sport=40009, dport=443, flags="S")
    return frames + [https] * (-len(frames) % burst or 0) + \
        ([] if frames else [https] * burst)


def body(path, frames):
    """Frames as pcap records without the file header (to follow one)."""
    wrpcap(path, frames)
    data = open(path, "rb").read()[24:]
    open(path, "wb").write(data)


# More sources than a worker's table holds (app/op25b/op25b_app.h: 8192);
# gen writes the number beside the capture (overload.count) for records.sh.
OVERLOAD_SOURCES = 12000


def overload():
    return [Ether(src="02:00:00:00:06:06") /
            IP(src=f"198.18.{100 + i // 250}.{1 + i % 250}", dst="203.0.113.5") /
            TCP(sport=40000, dport=25, flags="S")
            for i in range(OVERLOAD_SOURCES)]


def main():
    if sys.argv[1] == "gen":
        d = sys.argv[2]
        frames = first_interval()
        wrpcap(f"{d}/all.pcap", frames)
        wrpcap(f"{d}/w0.pcap", frames[0::2])
        wrpcap(f"{d}/w1.pcap", frames[1::2])
        wrpcap(f"{d}/fifo1.pcap", pad(frames))
        body(f"{d}/nudge.bin", pad([]))
        body(f"{d}/fifo2.bin", pad(second_interval()))
        wrpcap(f"{d}/overload.pcap", overload())
        open(f"{d}/overload.count", "w").write(f"{OVERLOAD_SOURCES}\n")
        open(f"{d}/policy.yaml", "w").write(POLICY)
        open(f"{d}/monitor.yaml", "w").write(
            POLICY.replace("mode: enforce", "mode: monitor"))
        open(f"{d}/notify.yaml", "w").write(
            POLICY.replace("block: reset", "block: notify\n"
                           "notice: \"Port 25 is closed, use 587\""))
        return 0
    if sys.argv[1] == "syslog":
        return check_syslog(sys.argv[2], sys.argv[3])
    return check(sys.argv[2], sys.argv[3])


if __name__ == "__main__":
    sys.exit(main())
