# SPDX-License-Identifier: BSD-3-Clause
"""pcap files and veth sniffing for the scenarios' Python (common.bash puts
this folder on PYTHONPATH). No scapy for the files: it is slow on large
captures and would hide a malformed record."""
import mmap
import struct
import sys

LITTLE = (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1")  # us, ns
BIG = (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d")


def _order(path, magic):
    if magic in LITTLE:
        return "<"
    if magic in BIG:
        return ">"
    raise SystemExit(f"{path}: not a pcap file (magic {magic.hex()})")


def records(path):
    """(frame, length) of each record of a pcap file: the bytes written
    and the frame's length on the wire (a writer may cut: net_pcap
    writes 16,128 bytes of a chained frame at most)."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        raise SystemExit(f"{path}: {len(data)} bytes, not a pcap file")
    e = _order(path, data[:4])
    out, off = [], 24
    while off + 16 <= len(data):
        _, _, caplen, length = struct.unpack_from(e + "IIII", data, off)
        out.append((data[off + 16:off + 16 + caplen], length))
        off += 16 + caplen
    return out


def frames(path, whole=False):
    """The frames of a pcap file (any byte order, us or ns); whole: a frame
    written cut (caplen < length) is an error."""
    out = []
    for data, length in records(path):
        if whole and len(data) != length:
            raise SystemExit(f"{path}: frame {len(out) + 1} written cut: "
                             f"{len(data)} of {length} bytes")
        out.append(data)
    return out


def write(path, records):
    """A little-endian microsecond pcap of Ethernet frames: records are
    (seconds, frame), written in their order."""
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for t, data in records:
            us = int(round(t * 1e6))
            f.write(struct.pack("<IIII", us // 1000000, us % 1000000,
                                len(data), len(data)))
            f.write(data)


def check(path):
    """The number of records of a pcap file, each header consistent and
    nothing after the last; SystemExit saying what is wrong otherwise."""
    with open(path, "rb") as f:
        size = f.seek(0, 2)
        if size < 24:
            sys.exit(f"{path.rsplit('/', 1)[-1]}: {size} bytes, "
                     "no pcap header")
        data = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    e = _order(path, data[:4])
    snaplen = struct.unpack(e + "I", data[16:20])[0]
    hdr = struct.Struct(e + "IIII")
    off, n = 24, 0
    while off < size:
        if off + 16 > size:
            sys.exit(f"record {n + 1}: header truncated ({size - off} of 16 "
                     f"bytes) at offset {off}")
        _, frac, caplen, origlen = hdr.unpack_from(data, off)
        if caplen == 0 or caplen > snaplen or caplen > origlen or \
                frac >= 1000000000:
            sys.exit(f"record {n + 1} at offset {off}: caplen {caplen} "
                     f"origlen {origlen} snaplen {snaplen} frac {frac}")
        if off + 16 + caplen > size:
            sys.exit(f"record {n + 1}: {caplen} bytes announced, "
                     f"{size - off - 16} in the file")
        off += 16 + caplen
        n += 1
    return n


class Sniffers:
    """Sniff interfaces a and b (scapy), started and settled on entry; the
    packets each saw in .got[0] and .got[1] after the block, which waits
    `linger` seconds for the last frames first."""

    def __init__(self, a, b, linger=1.5):
        self.ifaces, self.linger, self.got = (a, b), linger, None

    def __enter__(self):
        import threading
        import time

        from scapy.all import AsyncSniffer

        ready = [threading.Event(), threading.Event()]
        self.sniffers = [
            AsyncSniffer(iface=i, started_callback=r.set)
            for i, r in zip(self.ifaces, ready)]
        for s in self.sniffers:
            s.start()
        for r in ready:
            r.wait(10)
        time.sleep(0.2)
        return self

    def __exit__(self, *exc):
        import time

        time.sleep(self.linger)
        self.got = [s.stop() for s in self.sniffers]
        return False
