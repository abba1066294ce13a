#!/usr/bin/env bash
# Real frames through every reader op25b has (captures.py): op25b-policy
# replay's reading of each frame against tshark's dissectors, op25b-xdp
# replay against op25b-policy replay (every frame's line, what passes),
# and op25b on net_pcap against replay (counters, frames out and replies
# byte for byte), on
#   (a) frames the kernel made, captured by dumpcap between two network
#       namespaces of our own: swaks' SMTP sessions to aiosmtpd on port 25
#       and 587 over IPv4 and IPv6, a TCP connect to a closed port 443,
#       a UDP datagram, ARP and neighbour discovery
#   (b) the same capture with every TCP segment made SMTP (--smtp): the
#       kernel's SYN-ACKs, data, FINs and RSTs decided by the policy
#   (c) every test vector file's capture (op25b-gen vectors): tags, QinQ,
#       PPPoE, IPv6 extension headers, malformed and cut frames
# The policy blocks every source with block: reset. The public captures
# this was written against (tcpdump's tests/*.pcap, 479 Ethernet ones)
# are not in the tree: scripts/captures.sh runs any capture so.
# Prints "ok NAME" / "not ok NAME" lines; details follow as "#   " lines.
set -uo pipefail
. "$(dirname "$0")/common.bash"
scenario captures
cap_py="$root/test/integration/captures.py"
nsc="op25b-capc-$$" nss="op25b-caps-$$"

# captures NAME CAPTURE... [-- OPTIONS]: captures.py over them; its lines
# are the details of a failure.
captures() {
	local what=$1 out
	shift
	out=$(timeout 600 "$py" "$cap_py" --build "$build" --work "$work/cap" \
		--name "$name" "$@" 2>"$work/captures.err")
	local rc=$?
	echo "$out" >"$work/captures.out"
	if [ "$rc" -ne 0 ]; then
		problem "captures.py exited with $rc:" \
			"$(grep -v '^ok ' <<<"$out" | head -30)" \
			"$(tail -5 "$work/captures.err")"
	fi
}

# --- (a) frames the kernel made ---------------------------------------------
if ! netns_add "$nsc" || ! netns_add "$nss"; then
	echo "ok captures: kernel frames # SKIP $netns_err"
else
	veth "$nsc:c0" "$nss:s0" || problem "veth failed"
	ip -n "$nsc" addr add 198.18.7.1/24 dev c0
	ip -n "$nss" addr add 198.18.7.2/24 dev s0
	ip -n "$nsc" addr add 2001:db8:7::1/64 dev c0 nodad
	ip -n "$nss" addr add 2001:db8:7::2/64 dev s0 nodad
	listeners=(198.18.7.2:25 198.18.7.2:587 2001:db8:7::2:25)
	smtp_servers "$nss" "${listeners[@]}"
	wait_until 10 - smtp_listening "$nss" "${listeners[@]}" ||
		problem "aiosmtpd not listening:" "$(cat "$work"/aiosmtpd-*.log)"
	ip netns exec "$nsc" timeout 60 dumpcap -q -P -i c0 \
		-w "$work/kernel.pcap" >"$work/dumpcap.out" 2>&1 &
	dump_pid=$!
	pids+=("$dump_pid")
	wait_until 10 - test -s "$work/kernel.pcap" ||
		problem "dumpcap did not start:" "$(cat "$work/dumpcap.out")"
	sleep 0.5
	for to in "198.18.7.2 --port 25" "2001:db8:7::2 --port 25" \
		"198.18.7.2 --port 587"; do
		# shellcheck disable=SC2086
		in_ns "$nsc" swaks --server $to --from a@example.net \
			--to b@example.net --timeout 10 >>"$work/swaks.out" 2>&1 ||
			problem "swaks --server $to failed:" "$(tail -5 "$work/swaks.out")"
	done
	in_ns "$nsc" "$py" - <<'EOF' >>"$work/client.out" 2>&1
import socket
for fam, dst in ((socket.AF_INET, "198.18.7.2"),
                 (socket.AF_INET6, "2001:db8:7::2")):
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.settimeout(3)
    try:
        s.connect((dst, 443))  # closed: the server's kernel resets
    except OSError:
        pass
    s.close()
    u = socket.socket(fam, socket.SOCK_DGRAM)
    u.sendto(b"op25b", (dst, 53))
    u.close()
EOF
	sleep 0.5
	stop_process "$dump_pid" TERM 5
	pids=() # reaped: its pid may be another process's now
	n=$("$py" -c 'import pcapfile, sys; print(len(pcapfile.frames(sys.argv[1])))' \
		"$work/kernel.pcap" 2>/dev/null || echo 0)
	[ "$n" -ge 30 ] || problem "the kernel capture holds $n frames, want 30 or more"
	captures kernel "$work/kernel.pcap"
	# swaks' SYNs to port 25 (IPv4 and IPv6) are reset; no frame of the
	# kernel's is malformed or cut.
	want_re "$work/captures.out" "^ok kernel.pcap: [0-9]+ frames, [0-9]+ decoded alike, 0 cut short, 0 malformed; blocked [0-9]+, reset [2-9]"
	report "frames the kernel made (swaks to aiosmtpd on 25 and 587, IPv4 and IPv6; a reset connect; UDP; ARP, ND): op25b-policy replay reads them as tshark does, op25b-xdp replay and op25b on net_pcap agree with it"

	captures kernel-smtp "$work/kernel.pcap" --smtp
	want_re "$work/captures.out" "^ok kernel.pcap: .* 0 malformed; blocked [1-9][0-9]*, reset [2-9]"
	want_has "$work/captures.out" " made SMTP)"
	report "the same frames, every TCP segment made SMTP (--smtp): decided alike by op25b-policy replay, op25b-xdp replay and op25b on net_pcap"
fi

# --- (c) the vector files' captures ---------------------------------------
vecs=()
for v in "$root"/test/vectors/*.vec "$root"/test/integration/upstream.vec; do
	out="$work/$(basename "$v" .vec).pcap"
	if "$gen" vectors "$v" --out "$out" >"$work/gen.out" 2>&1; then
		vecs+=("$out")
	else
		problem "op25b-gen vectors $(basename "$v"):" "$(cat "$work/gen.out")"
	fi
done
captures vectors "${vecs[@]}"
want_re "$work/captures.out" "^${#vecs[@]} captures \([0-9]+ frames\), 0 not agreeing, 0 not Ethernet"
report "every vector file's capture (${#vecs[@]}): op25b-policy replay reads each frame as tshark does, op25b-xdp replay and op25b on net_pcap agree with it"
exit $status
