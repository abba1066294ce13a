# SPDX-License-Identifier: BSD-3-Clause
"""A timestamped capture of block: notify handshakes for the agreement of
op25b-xdp replay and op25b-policy replay (xdp_replay.sh), against
xdp_notify.yaml, with the cookies' key fixed by OP25B_NOTIFY_TEST_KEY (the
same 32 hex digits as argv[2]): the cookies are computed here as
lib/classify/notify.c does (SipHash-2-4), so that the ACKs return them.
Usage: xdp_notify.py OUT.pcap KEY [budget]. Times are seconds from T0, a
multiple of the 64 s slot."""
import ipaddress
import struct
import sys

import pcapfile

FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10
SLOT = 64
T0 = 64 * 1000
MASK = (1 << 64) - 1


def rotl(x, b):
    return ((x << b) | (x >> (64 - b))) & MASK


def siphash24(k0, k1, words):
    v0 = 0x736f6d6570736575 ^ k0
    v1 = 0x646f72616e646f6d ^ k1
    v2 = 0x6c7967656e657261 ^ k0
    v3 = 0x7465646279746573 ^ k1

    def rnd():
        nonlocal v0, v1, v2, v3
        v0 = (v0 + v1) & MASK
        v1 = rotl(v1, 13) ^ v0
        v0 = rotl(v0, 32)
        v2 = (v2 + v3) & MASK
        v3 = rotl(v3, 16) ^ v2
        v0 = (v0 + v3) & MASK
        v3 = rotl(v3, 21) ^ v0
        v2 = (v2 + v1) & MASK
        v1 = rotl(v1, 17) ^ v2
        v2 = rotl(v2, 32)

    for w in words:
        v3 ^= w
        rnd()
        rnd()
        v0 ^= w
    last = (len(words) * 8) << 56
    v3 ^= last
    rnd()
    rnd()
    v0 ^= last
    v2 ^= 0xFF
    for _ in range(4):
        rnd()
    return v0 ^ v1 ^ v2 ^ v3


KEY = sys.argv[2]
K0, K1 = int(KEY[:16], 16), int(KEY[16:], 16)


def cookie(src, dst, sport, dport, t):
    s, d = ipaddress.ip_address(src), ipaddress.ip_address(dst)
    fam = s.version
    a = s.packed.ljust(16, b"\0") + d.packed.ljust(16, b"\0")
    words = list(struct.unpack("<4Q", a))
    words.append(fam << 32 | sport << 16 | dport)
    words.append(int(T0 + t) // SLOT)
    return siphash24(K0, K1, words) & 0xFFFFFFFF


def frame(src, dst, flags, seq=1000, ack=0, sport=40000, dport=25,
          payload=b""):
    s, d = ipaddress.ip_address(src), ipaddress.ip_address(dst)
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags,
                      65535, 0, 0) + payload
    if s.version == 4:
        l3 = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0, 0x4000,
                         64, 6, 0, s.packed, d.packed)
        etype = 0x0800
    else:
        l3 = struct.pack("!IHBB16s16s", 6 << 28, len(tcp), 6, 64, s.packed,
                         d.packed)
        etype = 0x86DD
    return (b"\x02\0\0\0\0\x02" + b"\x02\0\0\0\0\x01" +
            struct.pack("!H", etype) + l3 + tcp)


MX, MX6 = "203.0.113.9", "2001:db8:ffff::9"
A, B, C = "198.18.5.9", "198.18.5.10", "2001:db8:1000::9"
NOTICE = "Port 25 is closed: use 587."
GREETING = len("554 5.7.1 " + NOTICE + "\r\n")
P = []  # (seconds from T0, frame)


def at(t, *args, **kw):
    P.append((t, frame(*args, **kw)))


def handshake(t, src, dst, sport, data_at=None):
    """SYN, the ACK returning the cookie (the greeting), its
    retransmission, the client's ACK of the greeting and its FIN, then
    its QUIT after the handshake: RST."""
    c = cookie(src, dst, sport, 25, t)
    at(t, src, dst, SYN, seq=1000, sport=sport)
    at(t + 0.1, src, dst, ACK, seq=1001, ack=c + 1, sport=sport)
    at(t + 0.2, src, dst, ACK, seq=1001, ack=c + 1, sport=sport)
    at(t + 0.3, src, dst, ACK, seq=1001, ack=(c + 1 + GREETING) & 0xFFFFFFFF,
       sport=sport)
    at(t + 0.4, src, dst, FIN | ACK, seq=1001,
       ack=(c + 2 + GREETING) & 0xFFFFFFFF, sport=sport)
    at(t + 0.5, src, dst, PSH | ACK, seq=1001,
       ack=(c + 2 + GREETING) & 0xFFFFFFFF, sport=sport,
       payload=b"QUIT\r\n")
    return c


if len(sys.argv) > 3:
    # budget (notify_rate: 2): in one second two replies, then RSTs;
    # a second later the bucket is full again.
    for i in range(4):
        at(0.01 * i, A, MX, SYN, seq=500 + i, sport=41000 + i)
    c = cookie(A, MX, 41000, 25, 0.1)
    at(0.1, A, MX, ACK, seq=501, ack=c + 1, sport=41000)
    at(1.2, A, MX, SYN, seq=600, sport=41010)
    at(1.21, A, MX, SYN, seq=601, sport=41011)
    c = cookie(A, MX, 41010, 25, 1.3)
    at(1.3, A, MX, ACK, seq=601, ack=c + 1, sport=41010)
    at(1.31, A, MX, ACK, seq=601, ack=c + 1, sport=41010)
    c = cookie(A, MX, 41011, 25, 1.21)
    at(2.5, A, MX, ACK, seq=602, ack=c + 1, sport=41011)
else:
    handshake(0, A, MX, 40000)
    handshake(1, C, MX6, 40001)
    # a wrong cookie, data right after the handshake, a FIN right after
    # it: RSTs (bad cookie, then two answered without the greeting)
    c = cookie(A, MX, 40002, 25, 2)
    at(2, A, MX, SYN, seq=7, sport=40002)
    at(2.1, A, MX, ACK, seq=8, ack=(c + 2) & 0xFFFFFFFF, sport=40002)
    at(2.2, A, MX, PSH | ACK, seq=8, ack=c + 1, sport=40002,
       payload=b"EHLO x\r\n")
    at(2.3, A, MX, FIN | ACK, seq=8, ack=c + 1, sport=40002)
    # the slot after the SYN's still takes its cookie; two slots after,
    # it is a bad cookie
    c = cookie(B, MX, 40003, 25, SLOT - 1)
    at(SLOT - 1, B, MX, SYN, seq=9, sport=40003)
    at(SLOT + 1, B, MX, ACK, seq=10, ack=c + 1, sport=40003)
    at(2 * SLOT + 1, B, MX, ACK, seq=10, ack=c + 1, sport=40003)
    # a RST and a bare FIN: nothing
    at(2 * SLOT + 2, B, MX, RST, seq=10, sport=40003)
    at(2 * SLOT + 3, B, MX, FIN, seq=10, sport=40003)

P.sort(key=lambda p: p[0])
pcapfile.write(sys.argv[1], [(T0 + t, f) for t, f in P])
