# SPDX-License-Identifier: BSD-3-Clause
"""Real captures through every way op25b reads a frame, each checked
against the others and against Wireshark's dissectors:

  decode     op25b-policy replay --json (the classifier's reading of each
             frame: family, addresses, ports, VLAN ids, PPPoE session)
             against tshark's fields of the same frame;
  xdp        op25b-xdp replay --json (the XDP program, BPF_PROG_TEST_RUN)
             against op25b-policy replay: the same line for every frame,
             the same frames out and the same replies;
  appliance  op25b on net_pcap (one worker) against op25b-policy replay:
             the same counters, and byte for byte the same frames out
             and replies.

Usage: captures.py --build DIR [--policy FILE] [--smtp] [--work DIR]
                   [--no-xdp] [--no-appliance] CAPTURE...

--smtp first rewrites the destination port of every TCP segment that
follows the frame's L2 and IP headers (tags, PPPoE, IPv6 extension headers)
to 25, nothing else: public captures hold little SMTP, and this makes
every TCP segment of them one the policy decides. The default policy
(written into the work folder) blocks every source with block: reset.

A capture that is not Ethernet is skipped, said so. Frames the capture cut
short (caplen < length) are not compared with tshark (both read what is
there, and tshark reads it as cut short; op25b judges the cut frame).
What op25b judges malformed is counted, not compared. Prints "ok NAME:
..." or "not ok NAME: ..." with "#   " details per capture, a summary,
and exits 1 when a capture did not agree.
"""
import argparse
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile

POLICY = """version: 1
mode: enforce
block: reset
default: allow
malformed: drop
ports:
  smtp: [25]
  submission: [587, 465]
sources:
  everyone:
    action: block
    prefixes: ["0.0.0.0/0", "::/0"]
"""

L2 = {"eth", "ethertype", "vlan", "ieee8021ad", "pppoes", "ppp"}
EXT6 = {"ipv6.hopopts", "ipv6.routing", "ipv6.dstopts", "ipv6.fraghdr"}
FIELDS = ["frame.protocols", "frame.cap_len", "frame.len", "ip.src",
          "ip.dst", "ipv6.src", "ipv6.dst", "tcp.srcport", "tcp.dstport",
          "udp.srcport", "udp.dstport", "pppoe.session_id", "ip.cur_rt"]


def pcap_records(path):
    """(frame, length) of each record of a pcap file written by net_pcap
    or op25b-policy replay (little or big endian, us or ns)."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return []
    e = "<" if data[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") \
        else ">"
    out, off = [], 24
    while off + 16 <= len(data):
        _, _, caplen, length = struct.unpack_from(e + "IIII", data, off)
        out.append((data[off + 16:off + 16 + caplen], length))
        off += 16 + caplen
    return out


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def encapsulation(path):
    r = run(["capinfos", "-T", "-m", "-E", path])
    lines = r.stdout.strip().splitlines()
    return lines[-1].rsplit(",", 1)[-1] if r.returncode == 0 and lines \
        else None


def tshark_rows(path):
    cmd = ["tshark", "-n", "-r", path, "-T", "fields", "-E", "separator=|",
           "-E", "occurrence=f"]
    for f in FIELDS:
        cmd += ["-e", f]
    rows = [dict(zip(FIELDS, line.split("|")))
            for line in run(cmd).stdout.splitlines()]
    # Every tag, in the order of the frame: vlan.id and ieee8021ad.id are
    # two fields, so their order comes from the protocol list.
    cmd = ["tshark", "-n", "-r", path, "-T", "fields", "-E", "separator=|",
           "-E", "occurrence=a", "-E", "aggregator=,", "-e", "vlan.id",
           "-e", "ieee8021ad.id"]
    for row, line in zip(rows, run(cmd).stdout.splitlines()):
        q, ad = (line.split("|") + [""])[:2]
        q = [int(v) for v in q.split(",") if v]
        ad = [int(v) for v in ad.split(",") if v]
        tags = []
        for p in row["frame.protocols"].split(":"):
            if p == "vlan" and q:
                tags.append(q.pop(0))
            elif p == "ieee8021ad" and ad:
                tags.append(ad.pop(0))
            elif p not in L2:
                break
        row["tags"] = tags
    return rows


def expected(row):
    """What tshark read of the frame's outer layers, as replay words it."""
    chain = row["frame.protocols"].split(":")
    i = 0
    while i < len(chain) and chain[i] in L2:
        i += 1
    net = chain[i] if i < len(chain) else None
    rest = chain[i + 1:]
    ext = False
    while rest and rest[0] in EXT6:
        rest, ext = rest[1:], True
    e = {"net": net, "ext": ext, "tags": row["tags"],
         "cut": row["frame.cap_len"] != row["frame.len"]}
    if net == "ip":
        # Wireshark names a source route's last hop as ip.dst, and the
        # header's destination (the hop on the way) as ip.cur_rt.
        e.update(family=4, src=row["ip.src"],
                 dst=row["ip.cur_rt"] or row["ip.dst"])
    elif net == "ipv6":
        e.update(family=6, src=row["ipv6.src"], dst=row["ipv6.dst"])
    if rest and rest[0] in ("tcp", "udp") and row[rest[0] + ".srcport"]:
        e["ports"] = (int(row[rest[0] + ".srcport"]),
                      int(row[rest[0] + ".dstport"]))
    s = row["pppoe.session_id"]
    e["pppoe"] = int(s, 16) if s.startswith("0x") else \
        int(s) if s else None
    return e


def decode_check(ours, rows):
    """Mismatches between replay's lines and tshark's rows, and counts."""
    bad, n = [], {"compared": 0, "cut": 0, "malformed": 0}
    if len(ours) != len(rows):
        bad.append(f"replay has {len(ours)} frames, tshark {len(rows)}")
    for o, row in zip(ours, rows):
        e = expected(row)
        if e["cut"]:
            n["cut"] += 1
            continue
        if o["outcome"] == "malformed":
            n["malformed"] += 1
            continue
        n["compared"] += 1
        why = []
        if e["net"] in ("ip", "ipv6"):
            if o["family"] != e["family"]:
                why.append(f"family {o['family']}, tshark {e['family']}")
            elif (o["src"], o["dst"]) != (e["src"], e["dst"]):
                why.append(f"{o['src']} -> {o['dst']}, tshark "
                           f"{e['src']} -> {e['dst']}")
            # replay names ports behind IPv6 extension headers only when
            # the classifier read them (an SMTP segment).
            if "ports" in e and o["outcome"] != "fragments" and \
                    not (e["ext"] and o["sport"] is None):
                if (o["sport"], o["dport"]) != e["ports"]:
                    why.append(f"ports {o['sport']} -> {o['dport']}, "
                               f"tshark {e['ports'][0]} -> {e['ports'][1]}")
        elif o["family"] is not None:
            why.append(f"IPv{o['family']} to op25b, {e['net']} to tshark")
        if o["vlan"] != e["tags"]:
            why.append(f"tags {o['vlan']}, tshark {e['tags']}")
        if o["pppoe_session"] != e["pppoe"] and e["net"] in ("ip", "ipv6"):
            why.append(f"PPPoE session {o['pppoe_session']}, tshark "
                       f"{e['pppoe']}")
        if why:
            bad.append(f"frame {o['packet']} ({row['frame.protocols']}): "
                       + "; ".join(why))
    return bad, n


def lines_of(text):
    frames, totals = {}, None
    for line in text.splitlines():
        if line.startswith('{"packet"'):
            d = json.loads(line)
            frames[d["packet"]] = d
        elif line.startswith('{"totals"'):
            totals = json.loads(line)["totals"]
    return frames, totals


def xdp_check(args, cap, work, dpdk):
    """op25b-xdp replay against op25b-policy replay."""
    out, rep = os.path.join(work, "x-out.pcap"), os.path.join(work,
                                                              "x-rep.pcap")
    r = run([os.path.join(args.build, "app/op25b-xdp/op25b-xdp"), "replay",
             args.policy, cap, "--json", "--out", out, "--replies", rep])
    if r.returncode != 0:
        return [f"op25b-xdp replay exited {r.returncode}: "
                + r.stderr.strip()[-300:]]
    xdp, _ = lines_of(r.stdout)
    # The kernel runs XDP on neither a runt nor a multi-buffer frame:
    # op25b-xdp replay says how many it left, and numbers only the others.
    m = re.search(r"frames of (\d+) bytes or more", r.stderr)
    big = int(m.group(1)) if m else 1 << 32
    runnable = [d for d in dpdk.values()
                if 14 <= d["length"] < big]
    bad = []
    if len(runnable) != len(xdp):
        bad.append(f"op25b-xdp ran {len(xdp)} frames, {len(runnable)} "
                   "runnable")
    for d, x in zip(runnable, xdp.values()):
        diff = {f: (d[f], x.get(f)) for f in d
                if f != "packet" and x.get(f) != d[f]}
        if diff:
            bad.append(f"frame {d['packet']}: op25b, op25b-xdp: {diff}")
    want_out = [d for d in runnable if d["disposition"] == "forward"]
    got_out = pcap_records(out)
    if len(got_out) != len(want_out):
        bad.append(f"op25b-xdp passed {len(got_out)} frames, op25b "
                   f"{len(want_out)}")
    return bad


def appliance_check(args, cap, work, totals, out, rep):
    """op25b on net_pcap against op25b-policy replay's --out and
    --replies."""
    d = os.path.join(work, "app")
    os.makedirs(d, exist_ok=True)
    empty = os.path.join(work, "empty.pcap")
    with open(empty, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    stats = os.path.join(d, "stats.json")
    for p in ("sub.pcap", "up.pcap", "stats.json"):
        if os.path.exists(os.path.join(d, p)):
            os.unlink(os.path.join(d, p))
    r = run([os.path.join(args.build, "app/op25b/op25b"), "-l", "0-1",
             "--no-pci", "--no-huge", "-m", "1024", "--no-shconf",
             "--no-telemetry", "--log-level", "*:warning",
             "--vdev", f"net_pcap0,rx_pcap={cap},tx_pcap={d}/sub.pcap",
             "--vdev", f"net_pcap1,rx_pcap={empty},tx_pcap={d}/up.pcap",
             "--", "--policy", args.policy, "--stop-after-idle", "300",
             "--status-interval", "0", "--name", args.name,
             "--cli-socket", "none", "--audit-log",
             os.path.join(d, "audit.log"), "--stats-json", stats],
            timeout=300)
    if r.returncode != 0:
        if "longer than 65535 bytes" in r.stderr:
            return None  # refused, as it must: said by the caller
        return [f"op25b exited {r.returncode}: " + r.stderr.strip()[-400:]]
    s = json.load(open(stats))
    bad = []
    for fam in ("packets", "frames"):
        for k, v in totals[fam].items():
            if s[fam].get(k) != v:
                bad.append(f"{fam}.{k}: op25b {s[fam].get(k)}, "
                           f"replay {v}")
    # net_pcap writes at most 16,128 bytes of a chained frame: compared
    # up to what it wrote, with the frame's length.
    for got, want, what in ((pcap_records(os.path.join(d, "up.pcap")),
                             pcap_records(out), "upstream"),
                            (pcap_records(os.path.join(d, "sub.pcap")),
                             pcap_records(rep), "replies")):
        if len(got) != len(want):
            bad.append(f"{what}: op25b {len(got)} frames, replay "
                       f"{len(want)}")
            continue
        for i, ((g, gl), (w, wl)) in enumerate(zip(got, want)):
            if gl != wl or g != w[:len(g)]:
                bad.append(f"{what} frame {i + 1} differs "
                           f"({gl} and {wl} bytes)")
                break
    return bad


def smtpify(src, dst):
    """Every outer TCP segment's destination port made 25 (scapy finds
    the segment; the bytes are the capture's but for those two)."""
    from scapy.all import (Ether, TCP, IP, IPv6, Dot1Q, Dot1AD, PPPoE,
                           PPP, RawPcapReader, NoPayload)
    from scapy.layers.inet6 import (IPv6ExtHdrHopByHop, IPv6ExtHdrRouting,
                                    IPv6ExtHdrDestOpt, IPv6ExtHdrFragment)
    through = (Ether, Dot1Q, Dot1AD, PPPoE, PPP, IP, IPv6,
               IPv6ExtHdrHopByHop, IPv6ExtHdrRouting, IPv6ExtHdrDestOpt,
               IPv6ExtHdrFragment)
    n = 0
    with open(dst, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        for data, meta in RawPcapReader(src):
            out = data
            try:
                layer = Ether(data)
                while isinstance(layer, through) and \
                        not isinstance(layer, TCP):
                    layer = layer.payload
                if isinstance(layer, TCP):
                    seg = bytes(layer)
                    off = len(data) - len(seg)
                    if off >= 14 and data[off:off + 4] == seg[:4]:
                        out = data[:off + 2] + b"\x00\x19" + data[off + 4:]
                        n += 1
            except Exception:  # a frame scapy cannot read stays as it is
                pass
            if hasattr(meta, "sec"):
                sec, usec = meta.sec, meta.usec
            else:
                t = meta.tshigh << 32 | meta.tslow
                sec, usec = t // 1000000, t % 1000000
            length = max(getattr(meta, "wirelen", 0) or 0, len(out))
            f.write(struct.pack("<IIII", sec, usec, len(out), length) + out)
    return n


def main():
    a = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    a.add_argument("--build", required=True)
    a.add_argument("--policy")
    a.add_argument("--smtp", action="store_true")
    a.add_argument("--work")
    a.add_argument("--name", default=f"captures-{os.getpid()}")
    a.add_argument("--no-xdp", action="store_true")
    a.add_argument("--no-appliance", action="store_true")
    a.add_argument("captures", nargs="+")
    args = a.parse_args()
    own_work = args.work is None
    work = args.work or tempfile.mkdtemp(prefix="op25b-captures.")
    os.makedirs(work, exist_ok=True)
    if args.policy is None:
        args.policy = os.path.join(work, "everyone.yaml")
        with open(args.policy, "w") as f:
            f.write(POLICY)
    replay = os.path.join(args.build, "app/op25b-policy/op25b-policy")
    failed = done = skipped = frames = smtp_frames = 0
    for i, cap in enumerate(args.captures):
        name = os.path.basename(cap)
        enc = encapsulation(cap)
        if enc != "ether":
            print(f"ok {name}: skipped, {enc or 'not a capture'} "
                  "(op25b takes Ethernet)")
            skipped += 1
            continue
        if args.smtp:
            rewritten = os.path.join(work, "smtp.pcap")
            smtp_frames += smtpify(cap, rewritten)
            cap = rewritten
        out, rep = os.path.join(work, "out.pcap"), os.path.join(work,
                                                                "rep.pcap")
        r = run([replay, "replay", args.policy, cap, "--json", "--out", out,
                 "--replies", rep])
        if r.returncode != 0:
            print(f"not ok {name}: op25b-policy replay exited "
                  f"{r.returncode}\n#   " + r.stderr.strip()[-300:])
            failed += 1
            continue
        ours, totals = lines_of(r.stdout)
        # replay skips (and does not number) frames over 65,535 bytes.
        rows = [row for row in tshark_rows(cap)
                if int(row["frame.cap_len"] or 0) <= 65535]
        bad, n = decode_check(list(ours.values()), rows)
        if not args.no_xdp:
            bad += ["xdp: " + b for b in xdp_check(args, cap, work, ours)]
        note = ""
        if not args.no_appliance:
            app = appliance_check(args, cap, work, totals, out, rep)
            if app is None:
                note = "; appliance: refused (frames over 65,535 bytes)"
            else:
                bad += ["appliance: " + b for b in app]
        frames += len(ours)
        done += 1
        words = (f"{len(ours)} frames, {n['compared']} decoded alike, "
                 f"{n['cut']} cut short, {n['malformed']} malformed; "
                 f"blocked {totals['packets']['blocked']}, reset "
                 f"{totals['packets']['reset']}{note}")
        if bad:
            failed += 1
            print(f"not ok {name}: {words}")
            for b in bad[:10]:
                print(f"#   {b}")
        else:
            print(f"ok {name}: {words}")
        if (i + 1) % 50 == 0:
            print(f"{i + 1}/{len(args.captures)} captures",
                  file=sys.stderr, flush=True)
    print(f"{done} captures ({frames} frames"
          + (f", {smtp_frames} made SMTP" if args.smtp else "")
          + f"), {failed} not agreeing, {skipped} not Ethernet")
    if own_work:
        shutil.rmtree(work, ignore_errors=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
