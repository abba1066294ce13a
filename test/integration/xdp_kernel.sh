#!/usr/bin/env bash
# The XDP program on Debian 12's own kernel (6.1): issue 14 asks that the
# verifier accept it there, and this machine runs a newer one. A qemu guest
# (TCG: no KVM needed) boots the vmlinuz that scripts/setup.sh fetched from
# the package linux-image-amd64 depends on, with an initramfs of busybox,
# op25b-xdp, the libraries ldd lists, the policies and the captures; its
# /init runs `op25b-xdp replay POLICY IN.pcap --json` on (a) every vector
# file made into a capture (runts left out, as xdp_replay.sh does), (b) the
# adaptive SYN bursts (xdp_adaptive.py) and (c) the notify handshakes
# (xdp_notify.py, one key on both sides), prints each output between
# markers and powers off. Each output must equal the same replay on the
# host: the verdict lines, JSON and summaries. The guest's uname -r must
# start with 6.1; a verifier rejection fails with the verifier's lines.
# Needs root (BPF_PROG_TEST_RUN on the host). Prints "ok NAME" / "not ok NAME".
set -uo pipefail
. "$(dirname "$0")/common.bash"
scenario xdp-kernel

xdp="$build/app/op25b-xdp/op25b-xdp"
kernel=${OP25B_TEST_KERNEL:-/var/cache/op25b-test/kernel-6.1/vmlinuz}
qemu=$(command -v qemu-system-x86_64)
busybox=/bin/busybox
notify_key=0123456789abcdef0fedcba987654321
export OP25B_NOTIFY_TEST_KEY=$notify_key

need_xdp "op25b-xdp on Debian 12's kernel"
# Not a skip: CI runs scripts/setup.sh, which provides all three.
missing=""
[ -s "$kernel" ] || missing+=" the kernel ($kernel)"
[ -n "$qemu" ] || missing+=" qemu-system-x86_64 (qemu-system-x86)"
# (ldd fails on a static executable: its message, not its status.)
[ -x "$busybox" ] && grep -q 'not a dynamic executable' <<<"$(ldd "$busybox" 2>&1)" ||
	missing+=" a static $busybox (busybox-static)"
if [ -n "$missing" ]; then
	echo "not ok op25b-xdp on Debian 12's kernel"
	echo "#   missing:$missing: run scripts/setup.sh"
	exit 1
fi

# The replays' inputs, under relative names the host and the guest share
# (an output naming a file names it alike on both).
in="$work/in"
mkdir -p "$in/v" "$in/c"
cp "$root"/test/vectors/*.yaml "$root"/test/integration/xdp_adaptive.yaml \
	"$root"/test/integration/xdp_notify.yaml "$in/v/"
runs=() # ID POLICY CAPTURE, three words each
for vec in "$root"/test/vectors/*.vec; do
	v=$(basename "$vec" .vec)
	"$gen" vectors "$vec" --out "$work/$v.pcap" >/dev/null 2>&1 ||
		problem "op25b-gen vectors $v.vec failed"
	# Runts: the kernel runs no XDP program on them.
	"$py" - "$work/$v.pcap" "$in/c/$v.pcap" <<'EOF'
import struct, sys
src, dst = sys.argv[1], sys.argv[2]
data = open(src, "rb").read()
out, off = [data[:24]], 24
while off < len(data):
    caplen = struct.unpack("<I", data[off + 8:off + 12])[0]
    if caplen >= 14:
        out.append(data[off:off + 16 + caplen])
    off += 16 + caplen
open(dst, "wb").write(b"".join(out))
EOF
	runs+=("$v" "v/$(awk '/^policy /{print $2; exit}' "$vec")" "c/$v.pcap")
done
"$py" "$root/test/integration/xdp_adaptive.py" "$in/c/adaptive.pcap" ||
	problem "xdp_adaptive.py failed"
runs+=(adaptive v/xdp_adaptive.yaml c/adaptive.pcap)
"$py" "$root/test/integration/xdp_notify.py" "$in/c/notify-hs.pcap" $notify_key ||
	problem "xdp_notify.py failed"
runs+=(notify-hs v/xdp_notify.yaml c/notify-hs.pcap)

# The guest's /init: each replay's stdout and stderr between markers.
{
	cat <<EOF
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin OP25B_NOTIFY_TEST_KEY=$notify_key
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t bpf bpf /sys/fs/bpf
dmesg -n 1
cd /in
echo "=== uname \$(uname -r)"
EOF
	for ((i = 0; i < ${#runs[@]}; i += 3)); do
		id=${runs[i]} pol=${runs[i + 1]} cap=${runs[i + 2]}
		cat <<EOF
/bin/op25b-xdp replay $pol $cap --json >/tmp/out 2>/tmp/err
echo "=== rc $id \$?"
echo "=== begin $id.json"; cat /tmp/out; echo "=== end $id.json"
echo "=== begin $id.err"; cat /tmp/err; echo "=== end $id.err"
EOF
	done
	echo 'echo "=== done"'
	echo 'poweroff -f'
} >"$work/init"

# The initramfs: busybox, op25b-xdp, every library ldd lists and the
# loader, at their paths; uncompressed (nothing to inflate under TCG).
ir="$work/ir"
mkdir -p "$ir"/{bin,proc,sys,tmp,dev}
cp "$busybox" "$ir/bin/busybox"
cp "$xdp" "$ir/bin/op25b-xdp"
install -m 755 "$work/init" "$ir/init"
cp -r "$in" "$ir/in"
for lib in $(ldd "$xdp" | grep -oE '/[^ ]+'); do
	mkdir -p "$ir$(dirname "$lib")"
	cp -L "$lib" "$ir$lib"
done
(cd "$ir" && find . | "$busybox" cpio -o -H newc -R 0:0 2>/dev/null) >"$work/initrd.cpio" ||
	problem "cpio failed"

# In the background, so that the cleanup kills it when the script is
# stopped; 150 s at most (stop_process kills it then: rc 999).
# no_timer_check: an emulated CPU on a loaded host can miss the kernel's
# boot-time check of the IO-APIC timer, which then panics ("IO-APIC +
# timer doesn't work!", seen while another build ran); the guest needs no
# such check (virtualised kernels are booted with it alike).
"$qemu" -kernel "$kernel" -initrd "$work/initrd.cpio" \
	-append 'console=ttyS0 quiet panic=-1 no_timer_check' -nographic \
	-no-reboot \
	-m 1024 -smp 1 -cpu max -net none -monitor none -serial stdio \
	-display none </dev/null >"$work/console.raw" 2>"$work/qemu.err" &
qpid=$!
pids+=("$qpid")
stop_process "$qpid" 0 150
secs=$elapsed
tr -d '\r' <"$work/console.raw" >"$work/console"
guest_tail() { tail -25 "$work/console" | sed 's/^/  /'; }
[ $rc = 0 ] || problem "qemu exit $rc (999: still running after 150 s):" \
	"$(cat "$work/qemu.err")" "$(guest_tail)"
grep -qx '=== done' "$work/console" ||
	problem "the guest did not finish its replays:" "$(guest_tail)"

rel=$(sed -n 's/^.*=== uname //p' "$work/console")
case $rel in
6.1.*) ;;
*) problem "guest kernel '$rel', not 6.1" ;;
esac
report "Debian 12's kernel boots under qemu (TCG) with op25b-xdp's initramfs: uname -r 6.1"
echo "# guest $rel: boot, $((${#runs[@]} / 3)) replays and power-off in $((secs / 1000)).$((secs % 1000 / 100)) s" \
	"(initramfs $(($(stat -c %s "$work/initrd.cpio") / 1048576)) MB)"

# The host's replays, run as the guest runs them.
for ((i = 0; i < ${#runs[@]}; i += 3)); do
	id=${runs[i]} pol=${runs[i + 1]} cap=${runs[i + 2]}
	(cd "$in" && "$xdp" replay "$pol" "$cap" --json \
		>"$work/$id.host.json" 2>"$work/$id.host.err")
	rc=$?
	[ $rc = 0 ] || problem "host replay of $id: exit $rc:" "$(tail -3 "$work/$id.host.err")"
done

# section NAME: the lines between the markers of NAME.
section() {
	sed -n "/^=== begin $1\$/,/^=== end $1\$/p" "$work/console" | sed '1d;$d'
}
for ((i = 0; i < ${#runs[@]}; i += 3)); do
	id=${runs[i]}
	grc=$(sed -n "s/^=== rc $id //p" "$work/console")
	section "$id.json" >"$work/$id.guest.json"
	section "$id.err" >"$work/$id.guest.err"
	if [ "$grc" != 0 ]; then
		# A verifier rejection: op25b-xdp's line has the verifier's last lines.
		problem "guest replay of $id: exit '$grc':" "$(sed 's/^/  /' "$work/$id.guest.err")"
		continue
	fi
	for f in json err; do
		d=$(diff "$work/$id.host.$f" "$work/$id.guest.$f")
		[ -z "$d" ] || problem "$id: the guest's $f output differs from the host's:" "$(head -10 <<<"$d")"
	done
	n=$(grep -c '"packet": ' "$work/$id.guest.json")
	[ "$n" -gt 0 ] || problem "$id: the guest replayed no packet"
done
report "op25b-xdp replay on 6.1 = on $(uname -r | cut -d. -f1-2): the verifier accepts the program; vectors, adaptive SYN bursts, notify handshakes: the same verdict lines and summaries"
exit $status
