#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Frames of every size, 60 to 65,535 bytes, through op25b-policy replay
and the appliance: the two must give every frame the same verdict and the
same bytes.

  sizes.py make CAPTURE EXPECT       write the capture and what each frame
                                     must become (one line a frame)
  sizes.py compare NAME A_OUT A_REPLIES B_OUT B_REPLIES [--cut N]
                                     two runs' output captures: the same

Each frame is built with scapy (independently of op25b's own crafting) in
one of five framings (plain, VLAN, QinQ, PPPoE with a two-byte and with a
compressed one-byte PPP protocol), IPv4 or IPv6, as one of
four kinds: a port-25 SYN from a dynamic subscriber (answered with a RST),
port-25 data from it (dropped), port-25 data from a static subscriber and
HTTPS (forwarded). The payload pads the frame to its size.

--cut N: frames of run B's output were written cut to N bytes (net_pcap
linearises a chain into a 16,128-byte buffer): compare the first N bytes
and the original length. Prints "ok NAME" / "not ok NAME" lines.
"""
import sys

from scapy.all import (Ether, Dot1Q, Dot1AD, PPPoE, IP, IPv6, TCP,
                       Raw, raw, wrpcap, RawPcapReader)

SIZES = [60, 64, 1514, 1518, 1522, 1526, 2047, 2048, 2049, 4096, 8999,
         9000, 9018, 9216, 16127, 16128, 16129, 32768, 65000, 65535]
FRAMINGS = ["plain", "vlan", "qinq", "pppoe", "pppoe-pfc"]
# kind: (source, dport, flags, what becomes of it)
KINDS = {
    "syn": ("dyn", 25, "S", "reset"),
    "data": ("dyn", 25, "A", "drop"),
    "static": ("static", 25, "A", "forward"),
    "https": ("dyn", 443, "A", "forward"),
}
ADDR = {4: {"dyn": "198.18.5.9", "static": "198.18.20.7",
            "dst": "203.0.113.9"},
        6: {"dyn": "2001:db8:1000::9", "static": "2001:db8:1000:20::1",
            "dst": "2001:db8:ffff::9"}}


def frame(size, framing, family, kind):
    src, dport, flags, _ = KINDS[kind]
    l2 = Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")
    if framing == "vlan":
        l2 = l2 / Dot1Q(vlan=100)
    elif framing == "qinq":
        l2 = l2 / Dot1AD(vlan=10) / Dot1Q(vlan=20)
    if framing.startswith("pppoe"):
        # The PPP protocol by hand: scapy's PPP picks one or two bytes
        # itself.
        proto = (0x21 if family == 4 else 0x57).to_bytes(
            1 if framing == "pppoe-pfc" else 2, "big")
        l2 = l2 / PPPoE(sessionid=4660) / Raw(proto)
    ip = (IP(src=ADDR[4][src], dst=ADDR[4]["dst"]) if family == 4 else
          IPv6(src=ADDR[6][src], dst=ADDR[6]["dst"]))
    head = l2 / ip / TCP(sport=40000, dport=dport, flags=flags, seq=1000)
    pad = size - len(raw(head))
    if pad < 0:
        return None
    pkt = head / Raw(b"\x5a" * pad)
    if framing.startswith("pppoe"):
        pkt[PPPoE].len = len(raw(pkt[PPPoE].payload))
    b = raw(pkt)
    return b if len(b) == size else None


def make(capture, expect):
    frames, lines = [], []
    for size in SIZES:
        for framing in FRAMINGS:
            for family in (4, 6):
                for kind in KINDS:
                    b = frame(size, framing, family, kind)
                    if b is None:
                        continue
                    frames.append(Ether(b))
                    lines.append(f"{size} {framing} {family} {kind} "
                                 f"{KINDS[kind][3]}")
    wrpcap(capture, frames, linktype=1)
    with open(expect, "w") as f:
        f.write("\n".join(lines) + "\n")


def records(path):
    """(bytes, original length) of each record, as written."""
    out = []
    for data, meta in RawPcapReader(path):
        out.append((bytes(data), meta.wirelen))
    return out


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "make":
        make(sys.argv[2], sys.argv[3])
        return 0
    if len(sys.argv) < 6 or sys.argv[1] != "compare":
        print(__doc__, file=sys.stderr)
        return 2
    # compare NAME A_OUT A_REPLIES B_OUT B_REPLIES [--cut N]: B's records
    # may be cut to N bytes; everything else must be equal.
    name, a_out, a_rep, b_out, b_rep = sys.argv[2:7]
    cut = int(sys.argv[8]) if len(sys.argv) > 8 and sys.argv[7] == "--cut" \
        else None
    ok = True
    for what, a, b in (("forwarded", a_out, b_out),
                       ("replies", a_rep, b_rep)):
        ra, rb = records(a), records(b)
        bad = []
        if len(ra) != len(rb):
            bad.append(f"{len(ra)} frames against {len(rb)}")
        for i, ((da, la), (db, lb)) in enumerate(zip(ra, rb)):
            n = len(da) if cut is None else min(len(da), cut)
            if la != lb or db[:n] != da[:n] or len(db) != n:
                bad.append(f"frame {i}: {la} bytes against {lb} "
                           f"(caplen {len(da)}/{len(db)})")
        good = not bad
        ok = ok and good
        print(("ok " if good else "not ok ") +
              f"{name}: {what} frames identical" +
              (f" (to the first {cut} bytes)" if cut else ""))
        for line in bad[:10]:
            print("#   " + line)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
