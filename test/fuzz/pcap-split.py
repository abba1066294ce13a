#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Split a classic pcap (as op25b-gen writes it) into one file per frame.

Usage: pcap-split.py IN.pcap OUTDIR [NAME...]
Frame i is written to OUTDIR/NAME[i] (or OUTDIR/frame-<i> when no name is
given): raw bytes, no pcap header, ready to be a libFuzzer seed.
"""
import os
import struct
import sys


def frames(data):
    magic = struct.unpack_from("<I", data, 0)[0]
    if magic in (0xA1B2C3D4, 0xA1B23C4D):
        endian = "<"
    elif magic in (0xD4C3B2A1, 0x4D3CB2A1):
        endian = ">"
    else:
        raise ValueError("not a classic pcap file")
    off = 24
    while off + 16 <= len(data):
        _, _, incl, _ = struct.unpack_from(endian + "IIII", data, off)
        off += 16
        if off + incl > len(data):
            raise ValueError("truncated record at offset %d" % (off - 16))
        yield data[off:off + incl]
        off += incl


def main(argv):
    if len(argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    with open(argv[1], "rb") as f:
        data = f.read()
    names = argv[3:]
    os.makedirs(argv[2], exist_ok=True)
    for i, frame in enumerate(frames(data)):
        name = names[i] if i < len(names) else "frame-%d" % i
        with open(os.path.join(argv[2], name), "wb") as out:
            out.write(frame)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
