#!/usr/bin/env bash
# scripts/nic-setup.sh (the op25b@ unit's pre-start helper) on a sysfs
# tree of our own, with stand-ins for modprobe and dpdk-devbind.py: a NIC
# that dpdk-devbind.py binds is on vfio-pci and recorded for --restore; a
# NIC it leaves alone and still exits 0 ("Not modifying": an interface with
# routes) stops the helper with exit 1 and a line saying why, so that the
# unit does not start op25b on a port it will not find. Needs root (the
# helper refuses anyone else). Prints "ok NAME" / "not ok NAME" lines.
set -uo pipefail
. "$(dirname "$0")/common.bash"
scenario nic-setup

helper="$root/scripts/nic-setup.sh"
fake="$work/sys"
bin="$work/bin"
export OP25B_NIC_SETUP_SYSFS="$fake" OP25B_NIC_SETUP_STATE="$work/state"
mkdir -p "$bin" "$fake/kernel/iommu_groups/7" "$fake/bus/pci/drivers/ixgbe" \
	"$fake/bus/pci/drivers/vfio-pci"
for dev in 0000:00:08.0 0000:00:09.0 0000:00:0b.0 0000:00:0c.0 0000:00:0d.0; do
	mkdir -p "$fake/bus/pci/devices/$dev"
	ln -s ../../drivers/ixgbe "$fake/bus/pci/devices/$dev/driver"
done
# NICs the host uses, which dpdk-devbind.py's IPv4-route check passes: a
# bond's member, one with an IPv6 address alone, one under a VLAN.
mkdir -p "$fake/bus/pci/devices/0000:00:0b.0/net/eth5" \
	"$fake/bus/pci/devices/0000:00:0c.0/net/eth6" \
	"$fake/bus/pci/devices/0000:00:0d.0/net/eth7/upper_eth7.10" "$fake/bond0"
ln -s ../../../../../bond0 "$fake/bus/pci/devices/0000:00:0b.0/net/eth5/master"
cat >"$bin/ip" <<'EOF'
#!/bin/sh
# ip -o addr show dev IF scope global, as iproute2 prints it
case "$*" in
*"dev eth6 scope global"*)
	echo "3: eth6    inet6 2001:db8:6::2/64 scope global \\       valid_lft forever preferred_lft forever" ;;
esac
exit 0
EOF
printf '#!/bin/sh\nexit 0\n' >"$bin/modprobe"
# dpdk-devbind.py as it behaves: binds 0000:00:08.0; 0000:00:09.0 has
# routes, so it is not modified, with a warning and exit status 0.
cat >"$bin/dpdk-devbind.py" <<EOF
#!/bin/sh
case "\$1 \${2:-}" in
"--bind=vfio-pci 0000:00:08.0"|"--bind=vfio-pci 0000:00:0b.0")
	ln -sfn ../../drivers/vfio-pci "$fake/bus/pci/devices/\$2/driver" ;;
"--bind=vfio-pci 0000:00:09.0")
	echo "Warning: routing table indicates that interface 0000:00:09.0 is active. Not modifying" ;;
"--status-dev net") echo "Network devices using DPDK-compatible driver" ;;
esac
exit 0
EOF
chmod +x "$bin/modprobe" "$bin/dpdk-devbind.py" "$bin/ip"
export PATH="$bin:$PATH"

bash "$helper" --hugepages 0 0000:00:08.0 >"$work/ok.out" 2>&1
want_rc $? 0 "nic-setup of a NIC dpdk-devbind.py binds"
[ "$(basename "$(readlink "$fake/bus/pci/devices/0000:00:08.0/driver")")" = vfio-pci ] ||
	problem "0000:00:08.0 is not on vfio-pci"
want_has "$work/state" "0000:00:08.0 ixgbe"
report "nic-setup: a NIC bound to vfio-pci, its driver recorded for --restore"

# --help needs no root (the README points to it); the steps do. As
# nobody, where nobody can read the script (a clone under /root cannot).
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
if as_nobody test -r "$helper" 2>/dev/null; then
	as_nobody bash "$helper" --help >"$work/help.out" 2>&1
	want_rc $? 0 "nic-setup --help as nobody"
	want_has "$work/help.out" "nic-setup"
	as_nobody bash "$helper" --status >"$work/status.out" 2>&1
	want_rc $? 1 "nic-setup --status as nobody"
	want_has "$work/status.out" "nic-setup: run as root"
	report "nic-setup: --help as any user, the steps as root only"
else
	echo "ok nic-setup: --help as any user # SKIP nobody cannot read $helper"
fi

bash "$helper" --hugepages 0 0000:00:09.0 >"$work/bad.out" 2>"$work/bad.err"
want_rc $? 1 "nic-setup of a NIC dpdk-devbind.py leaves alone"
want_has "$work/bad.out" "Not modifying"
want_has "$work/bad.err" "nic-setup: 0000:00:09.0: still on ixgbe, not vfio-pci: see dpdk-devbind.py's warning above"
want_lines "$work/bad.err" 1
# Not recorded for --restore (a unit retrying every 2 s added a line each
# time).
bash "$helper" --hugepages 0 0000:00:09.0 >/dev/null 2>&1
grep -q "^0000:00:09.0 " "$work/state" &&
	problem "a NIC never bound is recorded for --restore:" "$(cat "$work/state")"
report "nic-setup: a NIC dpdk-devbind.py does not bind (exit 0, 'Not modifying') stops the helper: exit 1, one line why"

bash "$helper" --hugepages 0 0000:00:0a.0 >"$work/none.out" 2>"$work/none.err"
want_rc $? 1 "nic-setup of a missing NIC"
want_has "$work/none.err" "nic-setup: 0000:00:0a.0: no such PCI device"
report "nic-setup: a PCI address that is not there: exit 1, one line"

# NICs the host uses: refused before dpdk-devbind.py is asked, one line
# why; --force binds one all the same.
for case in "0000:00:0b.0|eth5 is a member of bond0" \
	"0000:00:0c.0|eth6 has addresses (2001:db8:6::2/64)" \
	"0000:00:0d.0|eth7 carries eth7.10"; do
	dev=${case%%|*}
	bash "$helper" --hugepages 0 "$dev" >"$work/use.out" 2>"$work/use.err"
	want_rc $? 1 "nic-setup of $dev, in use"
	want_has "$work/use.err" "nic-setup: $dev: ${case#*|}: the host uses it (a management NIC given by mistake?): leave it out of OP25B_NICS or take it out of use; --force binds it all the same"
	want_lines "$work/use.err" 1
	[ "$(basename "$(readlink "$fake/bus/pci/devices/$dev/driver")")" = ixgbe ] ||
		problem "$dev left ixgbe"
done
bash "$helper" --hugepages 0 --force 0000:00:0b.0 >"$work/force.out" 2>&1
want_rc $? 0 "nic-setup --force of a bond's member"
[ "$(basename "$(readlink "$fake/bus/pci/devices/0000:00:0b.0/driver")")" = vfio-pci ] ||
	problem "--force did not bind 0000:00:0b.0"
report "nic-setup: a NIC the host uses (a bond's member, an IPv6 address, a VLAN on it) is refused in one line; --force binds it"
exit $status
