# SPDX-License-Identifier: BSD-3-Clause
"""A timestamped capture of SMTP SYN bursts for the adaptive agreement of
op25b-xdp replay and op25b-policy replay (xdp_replay.sh), against
xdp_adaptive.yaml. Usage: xdp_adaptive.py OUT.pcap. Times are seconds from
1000 (never 0: the program's clock override)."""
import ipaddress
import struct
import sys

import pcapfile

SYN, ACK = 0x02, 0x10
T0 = 1000.0


def frame(src, dst, dport=25, flags=SYN, sport=40000):
    s, d = ipaddress.ip_address(src), ipaddress.ip_address(dst)
    tcp = struct.pack("!HHIIBBHHH", sport, dport, 1000, 0, 5 << 4, flags,
                      65535, 0, 0)
    if s.version == 4:
        l3 = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40, 0, 0x4000, 64, 6, 0,
                         s.packed, d.packed)
        etype = 0x0800
    else:
        l3 = struct.pack("!IHBB16s16s", 6 << 28, 20, 6, 64, s.packed,
                         d.packed)
        etype = 0x86DD
    return (b"\x02\0\0\0\0\x02" + b"\x02\0\0\0\0\x01" +
            struct.pack("!H", etype) + l3 + tcp)


MX, MX2, MX3 = "203.0.113.5", "203.0.113.6", "203.0.113.7"
MX6 = "2001:db8:ffff::25"
RELAY = "198.19.0.25"
A, B, C, D, E = ("198.18.0.1", "198.18.0.2", "198.18.1.1", "198.18.2.1",
                 "198.18.2.2")
P = []  # (seconds from T0, frame)


def at(t, *args, **kw):
    P.append((t, frame(*args, **kw)))


# hosting (3 per 60 s, block_for 10 s): A's first three pass, the fourth
# is blocked, then its mid-flow segment; the relays' group and the
# submission port are neither counted nor blocked; B is not affected.
for i in range(3):
    at(0.1 * i, A, MX, sport=40000 + i)
at(0.3, A, MX, sport=40003)
at(0.4, A, MX, flags=ACK, sport=40000)
at(0.5, A, RELAY, sport=40004)
at(0.6, A, MX, dport=587, sport=40005)
at(0.7, B, MX, sport=41000)
at(0.8, A, MX, flags=SYN | ACK, sport=40006)
# spray (destinations: 2): a third destination blocks C.
at(1.0, C, MX, sport=42000)
at(1.1, C, MX2, sport=42001)
at(1.2, C, MX, sport=42002)
at(1.3, C, MX3, sport=42003)
at(1.4, C, MX, sport=42004)
# IPv6, keyed by /64 (hosting): three addresses of one /64 fill it,
# another /64 is not affected.
for i in range(3):
    at(2.0 + 0.1 * i, "2001:db8:1:5::%d" % (i + 1), MX6, sport=43000 + i)
at(2.3, "2001:db8:1:5::99", MX6, sport=43003)
at(2.4, "2001:db8:1:6::1", MX6, sport=43004)
# resetting (2 per 8 s, block_for 5 s, block: reset): D's third SYN gets
# a RST, its ACK is dropped; E's window empties after 8 s.
at(3.0, D, MX, sport=44000)
at(3.1, D, MX, sport=44001)
at(3.2, D, MX, sport=44002)
at(3.3, D, MX, flags=ACK, sport=44000)
at(3.4, E, MX, sport=45000)
at(3.5, E, MX, sport=45001)
at(8.6, D, MX, sport=44003)  # blocked until 8.2: starts again
at(8.7, D, MX, sport=44004)
at(11.6, E, MX, sport=45002)  # E's window (8 s) is empty
at(11.7, E, MX, sport=45003)
at(11.8, E, MX, sport=45004)  # the third in the window: reset
# A's block (from 0.3, 10 s) ends at 10.3: it starts from zero.
at(9.9, A, MX, sport=40007)
at(10.4, A, MX, sport=40008)
at(10.5, A, MX, sport=40009)
at(10.6, A, MX, sport=40010)
at(10.7, A, MX, sport=40011)  # the fourth since 10.4: blocked
P.sort(key=lambda p: p[0])
pcapfile.write(sys.argv[1], [(T0 + t, f) for t, f in P])
