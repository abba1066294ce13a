# SPDX-License-Identifier: BSD-3-Clause
"""Real captures through every way op25b reads a frame, each checked
against the others and against Wireshark's dissectors:

  decode     op25b-policy replay --json (the classifier's reading of each
             frame: family, addresses, ports, VLAN ids, PPPoE session)
             against tshark's fields of the same frame;
  xdp        op25b-xdp replay --json (the XDP program, BPF_PROG_TEST_RUN)
             against op25b-policy replay: the same line for every frame
             the kernel would run XDP on (not a runt, not a multi-buffer
             frame), the same frames out and replies byte for byte;
  appliance  op25b on net_pcap (one worker) against op25b-policy replay:
             the same packet, frame, class and group counters, and the
             same frames out and replies byte for byte (of a chained
             frame, the 16,128 bytes net_pcap writes, and its length).

Usage: captures.py --build DIR [--policy FILE] [--smtp] [--work DIR]
                   [--no-xdp] [--no-appliance] CAPTURE...

--smtp first rewrites the destination port of every TCP segment scapy
finds right behind the frame's L2 and IP headers (tags, PPPoE, IPv6
extension headers, AH) to 25, nothing else: public captures hold little SMTP, and this makes
every TCP segment of them one the policy decides. The default policy
(written into the work folder) blocks every source with block: reset.

A capture that is not Ethernet is skipped, said so; a file that is no
capture is a failure. Frames cut short (by the capture, or by libpcap to
its snap length) are not compared with tshark, nor is what op25b judges
malformed (each has its own words for a broken header): both are
counted. op25b-policy replay skips frames over 65,535 bytes, and op25b
refuses a capture with one (DPDK's net_pcap cannot read them whole). Prints "ok NAME:
..." or "not ok NAME: ..." with "#   " details per capture, a summary,
and exits 1 when a capture did not agree.
"""
import argparse
import json
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile

import pcapfile

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

# What DPDK 22.11's net_pcap writes of a chained frame at most.
PCAP_TX_MAX = 16128
L2 = {"eth", "ethertype", "vlan", "ieee8021ad", "pppoes", "ppp"}
EXT6 = {"ipv6.hopopts", "ipv6.routing", "ipv6.dstopts", "ipv6.fraghdr"}
FIELDS = ["frame.protocols", "frame.cap_len", "frame.len", "ip.src",
          "ip.dst", "ipv6.src", "ipv6.dst", "tcp.srcport", "tcp.dstport",
          "udp.srcport", "udp.dstport", "pppoe.session_id", "ip.cur_rt"]


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def capinfo(path):
    """(encapsulation, snap length) as capinfos reads them; (None, why)
    for a file it cannot read. libpcap cuts a record longer than the
    snap length to it (pcapng: no limit when not set)."""
    r = run(["capinfos", "-T", "-t", "-E", "-l", path])
    lines = r.stdout.strip().splitlines()
    if r.returncode != 0 or len(lines) < 2:
        why = (r.stderr.strip() or "capinfos failed").splitlines()[-1]
        # A link type Wireshark does not know: a capture, not Ethernet.
        if "network type" in why and "unknown or unsupported" in why:
            return why.strip("()"), 0
        return None, why
    fields = lines[-1].split("\t")
    # What libpcap reads, as op25b and net_pcap do.
    if fields[1] not in ("pcap", "nsecpcap", "pcapng"):
        return None, f"a {fields[1]} file, not pcap or pcapng"
    snap = int(fields[3]) if fields[3].isdigit() and int(fields[3]) > 0 \
        else 1 << 32
    return fields[2], snap


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


def expected(row, snap):
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
    # Cut short by the capture, or by libpcap to the snap length (tshark
    # reads the whole record): op25b judges the cut frame.
    e = {"net": net, "ext": ext, "tags": row["tags"],
         "cut": row["frame.cap_len"] != row["frame.len"] or
         int(row["frame.cap_len"] or 0) > snap}
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


def decode_check(ours, rows, snap):
    """Mismatches between replay's lines and tshark's rows, and counts."""
    bad, n = [], {"compared": 0, "cut": 0, "malformed": 0}
    if len(ours) != len(rows):
        bad.append(f"replay has {len(ours)} frames, tshark {len(rows)}")
    for o, row in zip(ours, rows):
        e = expected(row, snap)
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


def xdp_check(args, cap, work, dpdk, dpdk_out, dpdk_rep):
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

    def runs(d):
        return 14 <= d["length"] < big
    runnable = [d for d in dpdk.values() if runs(d)]
    bad = []
    if len(runnable) != len(xdp):
        bad.append(f"op25b-xdp ran {len(xdp)} frames, {len(runnable)} "
                   "runnable")
    for d, x in zip(runnable, xdp.values()):
        diff = {f: (d[f], x.get(f)) for f in d
                if f != "packet" and x.get(f) != d[f]}
        if diff:
            bad.append(f"frame {d['packet']}: op25b, op25b-xdp: {diff}")
    # What op25b-policy replay wrote of the frames op25b-xdp ran, in
    # order: its --out holds every forwarded frame, its --replies every
    # answered one.
    for path, want_path, disposition, what in (
            (out, dpdk_out, "forward", "passed"),
            (rep, dpdk_rep, "reply", "replies")):
        mine = [d for d in dpdk.values() if d["disposition"] == disposition]
        records = pcapfile.records(want_path)
        if len(records) != len(mine):
            bad.append(f"op25b-policy replay wrote {len(records)} {what}, "
                       f"said {len(mine)}")
            continue
        want = [r for d, r in zip(mine, records) if runs(d)]
        bad += differ(f"{what}: op25b-xdp", pcapfile.records(path), want,
                      lambda g, w: g == w)
    return bad


def differ(what, got, want, same):
    """Problems, as lines, when the records (frame, length) got and want
    differ in number or at the first frame same(g, w) refuses."""
    if len(got) != len(want):
        return [f"{what} {len(got)} frames, op25b-policy replay "
                f"{len(want)}"]
    for i, (g, w) in enumerate(zip(got, want)):
        if not same(g, w):
            return [f"{what} frame {i + 1} differs ({g[1]} and {w[1]} "
                    "bytes)"]
    return []


def appliance_check(args, cap, work, totals, out, rep):
    """op25b on net_pcap against op25b-policy replay's --out and
    --replies."""
    d = os.path.join(work, "app")
    os.makedirs(d, exist_ok=True)
    empty = os.path.join(work, "empty.pcap")
    pcapfile.write(empty, [])
    stats = os.path.join(d, "stats.json")
    for p in ("sub.pcap", "up.pcap", "stats.json"):
        if os.path.exists(os.path.join(d, p)):
            os.unlink(os.path.join(d, p))
    cmd = [os.path.join(args.build, "app/op25b/op25b"), "-l", "0-1",
           "--no-pci", "--no-huge", "-m", "1024", "--no-shconf",
           "--no-telemetry", "--log-level", "*:warning",
           "--vdev", f"net_pcap0,rx_pcap={cap},tx_pcap={d}/sub.pcap",
           "--vdev", f"net_pcap1,rx_pcap={empty},tx_pcap={d}/up.pcap",
           "--", "--policy", args.policy, "--stop-after-idle", "300",
           "--status-interval", "0", "--name", args.name,
           "--cli-socket", "none", "--audit-log",
           os.path.join(d, "audit.log"), "--stats-json", stats]
    try:
        r = run(cmd, timeout=300)
    except subprocess.TimeoutExpired:
        # Killed: what a stopped op25b would have removed.
        for f in (f"/dev/shm/op25b.{args.name}",
                  f"/var/lib/op25b/{args.name}.exemptions"):
            if os.path.exists(f):
                os.unlink(f)
        return ["op25b did not stop within 300 s"]
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
    for fam in ("classes", "groups"):
        if s[fam] != totals[fam]:
            bad.append(f"{fam}: op25b {s[fam]}, replay {totals[fam]}")
    # net_pcap writes at most 16,128 bytes of a chained frame
    # (RTE_ETH_PCAP_SNAPLEN): those, and the frame's length.
    def same(g, w):
        return g[1] == w[1] and g[0] == w[0][:PCAP_TX_MAX] and \
            len(g[0]) == min(len(w[0]), PCAP_TX_MAX)
    bad += differ("upstream: op25b",
                  pcapfile.records(os.path.join(d, "up.pcap")),
                  pcapfile.records(out), same)
    bad += differ("replies: op25b",
                  pcapfile.records(os.path.join(d, "sub.pcap")),
                  pcapfile.records(rep), same)
    return bad


def smtpify(src, dst):
    """Every outer TCP segment's destination port made 25 (scapy finds
    the segment; the bytes are the capture's but for those two)."""
    from scapy.all import (Ether, TCP, IP, IPv6, Dot1Q, Dot1AD, PPPoE,
                           PPP, RawPcapReader)
    from scapy.layers.inet6 import (IPv6ExtHdrHopByHop, IPv6ExtHdrRouting,
                                    IPv6ExtHdrDestOpt, IPv6ExtHdrFragment)
    from scapy.layers.ipsec import AH
    through = (Ether, Dot1Q, Dot1AD, PPPoE, PPP, IP, IPv6,
               IPv6ExtHdrHopByHop, IPv6ExtHdrRouting, IPv6ExtHdrDestOpt,
               IPv6ExtHdrFragment, AH)
    n = 0
    reader = RawPcapReader(src)
    # A nanosecond pcap's sub-second field is in ns; ours is in us.
    sub = 1000 if getattr(reader, "nano", False) else 1
    with open(dst, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        for data, meta in reader:
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
                sec, usec = meta.sec, meta.usec // sub
            else:
                # pcapng: units of 1/tsresol s (microseconds unless its
                # interface says otherwise).
                t = (meta.tshigh << 32 | meta.tslow) * 1000000 // \
                    getattr(meta, "tsresol", 1000000)
                sec, usec = t // 1000000 & 0xffffffff, t % 1000000
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
    # SIGTERM (a timeout) unwinds as an exit does: the work folder goes.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    own_work = args.work is None
    work = args.work or tempfile.mkdtemp(prefix="op25b-captures.")
    os.makedirs(work, exist_ok=True)
    if args.policy is None:
        args.policy = os.path.join(work, "everyone.yaml")
        with open(args.policy, "w") as f:
            f.write(POLICY)
    replay = os.path.join(args.build, "app/op25b-policy/op25b-policy")
    if not args.no_xdp and not os.access(
            os.path.join(args.build, "app/op25b-xdp/op25b-xdp"), os.X_OK):
        print("# op25b-xdp is not built (-Dxdp): no XDP comparison")
        args.no_xdp = True
    try:
        failed, done, skipped, frames, smtp_frames = each(args, work, replay)
    finally:
        if own_work:
            shutil.rmtree(work, ignore_errors=True)
    print(f"{done} captures ({frames} frames"
          + (f", {smtp_frames} made SMTP" if args.smtp else "")
          + f"), {failed} not agreeing, {skipped} not Ethernet")
    sys.exit(1 if failed else 0)


def each(args, work, replay):
    """Every capture: its line; the counts for the summary."""
    failed = done = skipped = frames = smtp_frames = 0
    for i, cap in enumerate(args.captures):
        name = os.path.basename(cap)
        enc, snap = capinfo(cap)
        if enc is None:
            print(f"not ok {name}: not a capture ({snap})")
            failed += 1
            continue
        if enc != "ether":
            print(f"ok {name}: skipped, {enc} (op25b takes Ethernet)")
            skipped += 1
            continue
        if args.smtp:
            rewritten = os.path.join(work, "smtp.pcap")
            smtp_frames += smtpify(cap, rewritten)
            cap = rewritten
            _, snap = capinfo(cap)
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
                if min(int(row["frame.cap_len"] or 0), snap) <= 65535]
        bad, n = decode_check(list(ours.values()), rows, snap)
        if not args.no_xdp:
            bad += ["xdp: " + b for b in xdp_check(args, cap, work, ours,
                                                   out, rep)]
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
    return failed, done, skipped, frames, smtp_frames


if __name__ == "__main__":
    main()
