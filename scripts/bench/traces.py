# SPDX-License-Identifier: BSD-3-Clause
"""Captures and pool lists turned into what DPDK's own benchmarks read.

The same trace that op25b classifies is handed to dpdk-test-acl (as
ClassBench 5-tuples) and to dpdk-test-fib (as the addresses looked up), and
the same policy to both (as ACL rules, as FIB routes), so that the three
cycles/packet figures are over identical packets and prefixes.

Python standard library only (Debian's /usr/bin/python3).
"""
import socket
import struct

# The destination group every bench policy allows (doc/policy.md's
# isp-relays); mirrored as higher-priority ACL rules.
RELAYS = {4: ["192.0.2.25/32"], 6: ["2001:db8::25/128"]}
SMTP_PORT = 25


def read_pcap(path):
    """Yield the frames of a libpcap file (either byte order)."""
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    if magic in (0xA1B2C3D4, 0xA1B23C4D):
        endian = "<"
    elif magic in (0xD4C3B2A1, 0x4D3CB2A1):
        endian = ">"
    else:
        raise ValueError(f"{path}: not a pcap file")
    off = 24
    while off + 16 <= len(data):
        caplen = struct.unpack(endian + "I", data[off + 8:off + 12])[0]
        yield data[off + 16:off + 16 + caplen]
        off += 16 + caplen


def five_tuple(frame):
    """(family, src, dst, sport, dport, proto) of an IPv4/IPv6 frame behind
    up to two VLAN tags or PPPoE, or None. Addresses are bytes; ports 0
    when the packet has no TCP/UDP header in the frame."""
    off = 12
    ethertype = struct.unpack("!H", frame[off:off + 2])[0]
    off += 2
    tags = 0
    while ethertype in (0x8100, 0x88A8, 0x9100) and tags < 2:
        ethertype = struct.unpack("!H", frame[off + 2:off + 4])[0]
        off += 4
        tags += 1
    if ethertype == 0x8864:  # PPPoE session: 6-byte header + PPP protocol
        ppp = struct.unpack("!H", frame[off + 6:off + 8])[0]
        ethertype = {0x0021: 0x0800, 0x0057: 0x86DD}.get(ppp, 0)
        off += 8
    if ethertype == 0x0800 and len(frame) >= off + 20:
        ip = frame[off:]
        ihl = (ip[0] & 0x0F) * 4
        proto = ip[9]
        src, dst = ip[12:16], ip[16:20]
        l4 = ip[ihl:]
        family = 4
    elif ethertype == 0x86DD and len(frame) >= off + 40:
        ip = frame[off:]
        proto = ip[6]
        src, dst = ip[8:24], ip[24:40]
        l4 = ip[40:]
        family = 6
    else:
        return None
    sport = dport = 0
    if proto in (6, 17) and len(l4) >= 4:
        sport, dport = struct.unpack("!HH", l4[:4])
    return family, src, dst, sport, dport, proto


def pool_prefixes(pools_path, family):
    """The prefixes of one family from an op25b-gen pool list."""
    out = []
    with open(pools_path) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            if (":" in line) == (family == 6):
                out.append(line)
    return out


def _any(family):
    return "0.0.0.0/0" if family == 4 else "::/0"


def write_acl_rules(pools_path, out_path, family):
    """ClassBench rules equivalent to the bench policy: the relays allowed
    first (dpdk-test-acl gives earlier lines higher priority), then one
    block rule per pool prefix: source in the pool, any destination, any
    source port, destination port 25, protocol TCP. @return rule count."""
    n = 0
    ports = f"0 : 65535 {SMTP_PORT} : {SMTP_PORT} 6/0xff"
    with open(out_path, "w") as f:
        for relay in RELAYS[family]:
            f.write(f"@{_any(family)} {relay} {ports}\n")
            n += 1
        for prefix in pool_prefixes(pools_path, family):
            f.write(f"@{prefix} {_any(family)} {ports}\n")
            n += 1
    return n


def write_acl_trace(pcap_path, out_path, family):
    """ClassBench trace of the frames of @family: IPv4 addresses as
    integers, IPv6 as text (what dpdk-test-acl parses). @return count."""
    n = 0
    with open(out_path, "w") as f:
        for frame in read_pcap(pcap_path):
            t = five_tuple(frame)
            if t is None or t[0] != family:
                continue
            _, src, dst, sport, dport, proto = t
            if family == 4:
                a = struct.unpack("!I", src)[0]
                b = struct.unpack("!I", dst)[0]
            else:
                a = socket.inet_ntop(socket.AF_INET6, src)
                b = socket.inet_ntop(socket.AF_INET6, dst)
            f.write(f"{a} {b} {sport} {dport} {proto}\n")
            n += 1
    return n


def write_fib_routes(pools_path, out_path, family):
    """dpdk-test-fib routes: every pool prefix, next hop 1. @return count."""
    prefixes = pool_prefixes(pools_path, family)
    # Shortest first: rte_fib DIR24_8 in DPDK 22.11 returns wrong next hops
    # when a covering prefix is added after two or more adjacent
    # more-specific ones ending at 255.255.255.255 (248.0.0.0/6,
    # 252.0.0.0/6, then 192.0.0.0/2: 10.0.0.1 resolves to the /2).
    prefixes.sort(key=lambda p: int(p.rsplit("/", 1)[1]))
    with open(out_path, "w") as f:
        for prefix in prefixes:
            f.write(f"{prefix} 1\n")
    return len(prefixes)


def tbl8_groups(pools_path):
    """How many /24s hold an IPv4 pool prefix longer than /24: the tbl8
    groups a DIR-24-8 table needs for the pool."""
    groups = set()
    for prefix in pool_prefixes(pools_path, 4):
        addr, length = prefix.rsplit("/", 1)
        if int(length) > 24:
            groups.add(socket.inet_aton(addr)[:3])
    return len(groups)


def write_fib_lookups(pcap_path, out_path, family, repeats):
    """dpdk-test-fib lookups: the source address of every frame of
    @family, the whole list @repeats times (test-fib times one pass, in
    bursts of 64). @return the number of lines, a multiple of 64."""
    srcs = []
    for frame in read_pcap(pcap_path):
        t = five_tuple(frame)
        if t is not None and t[0] == family:
            af = socket.AF_INET if family == 4 else socket.AF_INET6
            srcs.append(socket.inet_ntop(af, t[1]))
    lines = (len(srcs) * repeats) // 64 * 64
    with open(out_path, "w") as f:
        for i in range(lines):
            f.write(srcs[i % len(srcs)] + "\n")
    return lines


def capture_summary(pcap_path):
    """Shares of what a capture holds, for the report: frames, IPv6,
    VLAN/PPPoE, TCP to port 25, sizes."""
    s = {"frames": 0, "ipv6": 0, "vlan": 0, "pppoe": 0, "smtp": 0,
         "submission": 0, "min_len": 1 << 16, "max_len": 0}
    for frame in read_pcap(pcap_path):
        s["frames"] += 1
        s["min_len"] = min(s["min_len"], len(frame))
        s["max_len"] = max(s["max_len"], len(frame))
        et = struct.unpack("!H", frame[12:14])[0]
        s["vlan"] += et in (0x8100, 0x88A8)
        s["pppoe"] += et == 0x8864
        t = five_tuple(frame)
        if t is None:
            continue
        s["ipv6"] += t[0] == 6
        s["smtp"] += t[5] == 6 and t[4] == SMTP_PORT
        s["submission"] += t[5] == 6 and t[4] in (587, 465)
    return s

