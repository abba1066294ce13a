"""Frames longer than one mbuf, for test/integration/jumbo.sh.

craft DIR       sub.pcap (subscriber -> upstream), up.pcap (the way back),
                syn.pcap (blocked port-25 SYNs carrying data), their sizes
same A B        the frames of pcap B are those of pcap A, byte for byte
count PCAP      how many frames
resets SYN OUT  OUT holds the RST of every SYN of SYN.pcap, checked field
                by field
veth A B        on live interfaces (A subscriber side, B upstream side):
                HTTPS of 1,514 and 8,900 bytes both ways, a port-25 SYN
                and one carrying 8,846 bytes of data; prints what arrived
                ("upstream DPORT LEN same|differs", "subscriber LEN ...",
                "rst DPORT ack N")
Addresses: config/op25b.yaml's dynamic class (198.18.0.0/16,
2001:db8:1000::/36) to destinations in no group.
"""
import sys

from pcapfile import Sniffers, frames

from scapy.all import (IP, TCP, UDP, Dot1Q, Ether, IPv6, Raw, raw,
                       rdpcap, wrpcap)

SUB_MAC, UP_MAC = "02:00:00:00:00:0a", "02:00:00:00:00:0b"
SRC4, DST4 = "198.18.5.9", "198.19.250.9"
SRC6, DST6 = "2001:db8:1000::9", "2001:db8:ffff::9"
# 1.5k..16k: one mbuf, just over one, several, and the net_pcap ceiling
# (16,128 bytes with the CRC: 16,124 in the file).
SIZES = (1514, 2048, 2049, 2100, 4000, 8900, 9014, 12000, 16000, 16124)


def filler(n, seed):
    return bytes((i * 7 + seed) & 0xFF for i in range(n))


def pad(pkt, size, seed):
    """pkt with a payload that makes the frame size bytes."""
    return pkt / Raw(filler(size - len(pkt), seed))


def https(size, i, back=False, family=4, vlan=False):
    eth = Ether(src=UP_MAC if back else SUB_MAC, dst=SUB_MAC if back else UP_MAC)
    if vlan:
        eth = eth / Dot1Q(vlan=100 + i)
    s, d = (SRC4, DST4) if family == 4 else (SRC6, DST6)
    ip = IP(src=d, dst=s) if back and family == 4 else \
        IP(src=s, dst=d) if family == 4 else \
        IPv6(src=d, dst=s) if back else IPv6(src=s, dst=d)
    tcp = TCP(sport=443, dport=44000 + i, flags="A") if back else \
        TCP(sport=44000 + i, dport=443, flags="A")
    return pad(eth / ip / tcp, size, i)


def craft(d):
    sub, up, syn = [], [], []
    for i, n in enumerate(SIZES):
        sub.append(https(n, i, family=4 if i % 2 == 0 else 6, vlan=i % 3 == 1))
        up.append(https(n, i, back=True, family=4 if i % 2 else 6,
                        vlan=i % 3 == 2))
    # A UDP datagram too (QUIC), so not every frame is TCP.
    sub.append(pad(Ether(src=SUB_MAC, dst=UP_MAC) / IP(src=SRC4, dst=DST4) /
                   UDP(sport=44999, dport=443), 9000, 99))
    # Blocked SYNs carrying data (TCP Fast Open style): each one chained.
    for i, (n, fam, vlan) in enumerate(((9014, 4, False), (4000, 6, False),
                                        (16124, 4, True), (2100, 6, True))):
        eth = Ether(src=SUB_MAC, dst=UP_MAC)
        if vlan:
            eth = eth / Dot1Q(vlan=200 + i)
        ip = IP(src=SRC4, dst=DST4) if fam == 4 else IPv6(src=SRC6, dst=DST6)
        tcp = TCP(sport=40250 + i, dport=25, flags="S", seq=1000000 * (i + 1))
        syn.append(pad(eth / ip / tcp, n, 50 + i))
    for name, frames in (("sub", sub), ("up", up), ("syn", syn)):
        wrpcap(f"{d}/{name}.pcap", frames)
    print(" ".join(str(len(f)) for f in sub))


def same(a, b):
    want, got = frames(a, whole=True), frames(b, whole=True)
    bad = []
    if len(got) != len(want):
        bad.append(f"{b.rsplit('/', 1)[-1]}: {len(got)} frames "
                   f"({[len(g) for g in got]}), want {len(want)} "
                   f"({[len(w) for w in want]})")
    for i, (g, w) in enumerate(zip(got, want)):
        if g != w:
            at = next((k for k in range(min(len(g), len(w))) if g[k] != w[k]),
                      min(len(g), len(w)))
            bad.append(f"frame {i + 1}: {len(g)} bytes, want {len(w)}; "
                       f"first difference at byte {at}")
    return bad


def resets(syn_path, out_path):
    syns, got = rdpcap(syn_path), frames(out_path, whole=True)
    bad = []
    if len(got) != len(syns):
        return [f"{len(got)} frames out, want {len(syns)} RSTs"]
    for i, (s, r_raw) in enumerate(zip(syns, got)):
        r = Ether(r_raw)
        what = f"RST {i + 1} (SYN of {len(s)} bytes)"
        ip_s = s[IP] if IP in s else s[IPv6]
        if IP not in r and IPv6 not in r or TCP not in r:
            bad.append(f"{what}: not TCP/IP: {r_raw[:64].hex()}")
            continue
        ip_r = r[IP] if IP in r else r[IPv6]
        l3 = 18 if Dot1Q in s else 14
        want_len = l3 + (40 if IP in s else 60)
        payload = len(s[TCP].payload)
        checks = [
            ("frame length", len(r_raw), want_len),
            ("eth dst", r.dst, s.src), ("eth src", r.src, s.dst),
            ("vlan", r[Dot1Q].vlan if Dot1Q in r else None,
             s[Dot1Q].vlan if Dot1Q in s else None),
            ("ip src", ip_r.src, ip_s.dst), ("ip dst", ip_r.dst, ip_s.src),
            ("sport", r[TCP].sport, s[TCP].dport),
            ("dport", r[TCP].dport, s[TCP].sport),
            ("seq", r[TCP].seq, 0),
            ("ack", r[TCP].ack, (s[TCP].seq + 1 + payload) & 0xFFFFFFFF),
            ("flags", str(r[TCP].flags), "RA"),
            ("tcp payload", len(r[TCP].payload), 0),
        ]
        # Checksums as scapy computes them from the fields received.
        c = r.copy()
        if IP in c:
            checks.append(("ip length", r[IP].len, 40))
            del c[IP].chksum
        else:
            checks.append(("ip6 payload length", r[IPv6].plen, 20))
        del c[TCP].chksum
        c = Ether(raw(c))
        if IP in c:
            checks.append(("ip checksum", r[IP].chksum, c[IP].chksum))
        checks.append(("tcp checksum", r[TCP].chksum, c[TCP].chksum))
        for name, g, w in checks:
            if g != w:
                bad.append(f"{what}: {name} {g}, want {w}")
    return bad


def veth(a, b):
    from scapy.all import sendp
    src, dst = SRC4, DST4  # the dynamic class -> no group
    eth = Ether(src=SUB_MAC, dst=UP_MAC)

    def frame(dport, size, i, flags="A"):
        p = eth / IP(src=src, dst=dst) / TCP(sport=44000 + i, dport=dport,
                                             flags=flags, seq=1000 + i)
        return p / Raw(bytes((k + i) & 255 for k in range(size - len(p))))

    def back(size, i):
        p = Ether(src=UP_MAC, dst=SUB_MAC) / IP(src=dst, dst=src) / \
            TCP(sport=443, dport=44000 + i, flags="A")
        return p / Raw(bytes((k + i) & 255 for k in range(size - len(p))))

    sent = [frame(443, 1514, 1), frame(443, 8900, 2),
            frame(25, 54, 3, "S"), frame(25, 8900, 6, "S")]
    sent_back = [back(1514, 4), back(8900, 5)]
    with Sniffers(a, b) as sniffed:
        for p, iface in [(p, a) for p in sent] + \
                [(p, b) for p in sent_back]:
            try:
                sendp(p, iface=iface, verbose=False)
            except OSError as e:  # the peer's MTU: veth reports the drop
                print("send %d refused: %s" % (len(p), e.strerror))
    got_a, got_b = sniffed.got
    for p in got_b:
        if IP in p and TCP in p and p[IP].src == src:
            print("upstream %d %d %s" % (p[TCP].dport, len(p),
                  "same" if raw(p) in [raw(s) for s in sent] else
                  "differs"))
    for p in got_a:
        if IP in p and TCP in p and p[IP].src == dst and \
                p[TCP].sport == 443:
            print("subscriber %d %s" % (len(p), "same" if raw(p) in
                  [raw(s) for s in sent_back] else "differs"))
    for p in got_a:
        if IP in p and TCP in p and p[IP].src == dst and \
                p[TCP].flags == "RA":
            print("rst %d ack %d" % (p[TCP].dport, p[TCP].ack))


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "veth":
        veth(sys.argv[2], sys.argv[3])
        sys.exit(0)
    if cmd == "craft":
        craft(sys.argv[2])
        sys.exit(0)
    if cmd == "count":
        print(len(frames(sys.argv[2], whole=True)))
        sys.exit(0)
    bad = same(sys.argv[2], sys.argv[3]) if cmd == "same" else \
        resets(sys.argv[2], sys.argv[3])
    print("\n".join(bad))
    sys.exit(1 if bad else 0)
