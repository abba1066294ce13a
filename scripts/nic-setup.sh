#!/usr/bin/env bash
# Prepare real NICs for op25b: reserve and mount hugepages, load vfio-pci,
# bind the NICs to it. --restore gives them back to their kernel drivers.
#
# Usage: scripts/nic-setup.sh [--hugepages N] [--force] PCI_ADDR...
#        scripts/nic-setup.sh --hugepages N          (hugepages only)
#        scripts/nic-setup.sh --restore
#        scripts/nic-setup.sh --status
set -euo pipefail

# The tests (test/integration/nic_setup.sh) point these at a tree of their
# own; nothing else sets them.
sysfs=${OP25B_NIC_SETUP_SYSFS:-/sys}
state=${OP25B_NIC_SETUP_STATE:-/run/op25b-nic-setup.state}
mnt=/dev/hugepages
pages=1024

usage() {
	sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'
	cat <<'USAGE'

Steps, each printed as it runs:
  1. reserve N 2 MB hugepages (default 1024 = 2 GB) on every NUMA node
     through /sys (a node that has more keeps them; N 0 skips this step),
     and mount hugetlbfs on /dev/hugepages if it is not;
  2. load vfio-pci (enable no-IOMMU mode only when there is no IOMMU);
  3. refuse a NIC the host uses (its interface has a global address, is a
     member of a bond, bridge or VRF, or carries VLANs: a management NIC
     given by mistake would cut the machine off; --force binds it all the
     same), bind the others to vfio-pci with dpdk-devbind.py (package
     dpdk), and record each one's driver before in
     /run/op25b-nic-setup.state for --restore.
With --hugepages and no PCI address, only step 1 (the op25b@ unit runs
this as /usr/libexec/op25b/op25b-nic-setup before op25b starts).
Then: op25b -l 0-3 -a PCI0 -a PCI1 -- --policy FILE --pairs 0:1
USAGE
}

die() { echo "nic-setup: $*" >&2; exit 1; }

need_devbind() {
	command -v dpdk-devbind.py >/dev/null ||
		die "dpdk-devbind.py missing: apt-get install dpdk (or run scripts/setup.sh)"
}

case "${1:-}" in
-h|--help|"") usage; exit 0 ;;
esac
# After --help: reading the steps needs no root.
[ "$(id -u)" -eq 0 ] || die "run as root"
case "${1:-}" in
--status) need_devbind; dpdk-devbind.py --status-dev net; grep -i huge /proc/meminfo; exit 0 ;;
--restore)
	[ -f "$state" ] || die "nothing to restore ($state missing)"
	need_devbind
	while read -r dev drv; do
		echo "nic-setup: $dev -> ${drv:-none}"
		if [ -n "$drv" ]; then
			dpdk-devbind.py --bind="$drv" "$dev"
		else
			dpdk-devbind.py --unbind "$dev"
		fi
	done <"$state"
	rm -f "$state"
	exit 0 ;;
esac

hugepages_only="" force=""
while [ $# -gt 0 ]; do
	case "$1" in
	--hugepages)
		pages=${2:?--hugepages needs a number}
		[[ $pages =~ ^[0-9]+$ ]] || die "--hugepages $pages: expected a number of 2 MB pages"
		shift 2
		hugepages_only=1 ;;
	--force) force=1; shift ;;
	*) break ;;
	esac
done
[ $# -gt 0 ] || [ -n "$hugepages_only" ] || die "no PCI address given (see --help)"

# Only ever raised: other DPDK processes on this machine may hold what a
# lower figure would take away.
if [ "$pages" -gt 0 ]; then
	echo "nic-setup: reserving $pages hugepages of 2 MB per NUMA node"
	for node in "$sysfs"/devices/system/node/node*; do
		f="$node/hugepages/hugepages-2048kB/nr_hugepages"
		# A node of CPUs without memory is granted none, ever.
		[ "$(awk '/MemTotal/ {print $4}' "$node/meminfo" 2>/dev/null)" != 0 ] ||
			continue
		if [ "$(cat "$f")" -lt "$pages" ]; then
			echo "$pages" >"$f"
		fi
		# The kernel grants what it finds free and says nothing: a
		# fragmented node gives fewer, and op25b's EAL init failed
		# later, restarting every 2 s.
		got=$(cat "$f")
		[ "$got" -ge "$pages" ] ||
			die "$(basename "$node"): got $got of $pages 2 MB hugepages (memory too fragmented: reserve them at boot, hugepages=N on the kernel command line)"
	done
	if ! mountpoint -q "$mnt"; then
		mkdir -p "$mnt"
		mount -t hugetlbfs -o pagesize=2M nodev "$mnt"
		echo "nic-setup: mounted hugetlbfs on $mnt"
	fi
fi
[ $# -gt 0 ] || exit 0
need_devbind
# in_use() asks it for the addresses: without it, an IPv6-only
# management NIC would pass.
command -v ip >/dev/null || die "ip missing: apt-get install iproute2"

command -v modprobe >/dev/null || die "modprobe missing: apt-get install kmod"
echo "nic-setup: loading vfio-pci"
modprobe vfio-pci
if [ -z "$(ls -A "$sysfs/kernel/iommu_groups" 2>/dev/null)" ]; then
	echo "nic-setup: no IOMMU: enabling vfio no-IOMMU mode (unsafe for untrusted devices)"
	echo 1 >"$sysfs/module/vfio/parameters/enable_unsafe_noiommu_mode"
fi

# driver_of DEV: the kernel driver DEV is bound to ("" for none).
driver_of() {
	if [ -L "$sysfs/bus/pci/devices/$1/driver" ]; then
		basename "$(readlink "$sysfs/bus/pci/devices/$1/driver")"
	fi
}
# in_use DEV: why the host uses DEV's kernel interface, or nothing.
# dpdk-devbind.py's own check reads IPv4 routes of the main table that name
# the interface: an IPv6-only management NIC, one in a VRF, a bond's or a
# bridge's member, or one under VLAN interfaces passed it.
in_use() {
	local d n u addrs
	for d in "$sysfs/bus/pci/devices/$1/net/"*; do
		[ -e "$d" ] || continue
		n=$(basename "$d")
		if [ -L "$d/master" ]; then
			echo "$n is a member of $(basename "$(readlink "$d/master")")"
			return
		fi
		for u in "$d"/upper_*; do
			[ -e "$u" ] || continue
			echo "$n carries ${u##*/upper_}"
			return
		done
		addrs=$(ip -o addr show dev "$n" scope global 2>/dev/null |
			awk '{print $4}' | paste -sd ' ')
		if [ -n "$addrs" ]; then
			echo "$n has addresses ($addrs)"
			return
		fi
	done
}
for dev in "$@"; do
	[ -e "$sysfs/bus/pci/devices/$dev" ] || die "$dev: no such PCI device"
	drv=$(driver_of "$dev")
	[ "$drv" = vfio-pci ] && { echo "nic-setup: $dev already on vfio-pci"; continue; }
	why=$(in_use "$dev")
	if [ -n "$why" ] && [ -z "$force" ]; then
		die "$dev: $why: the host uses it (a management NIC given by mistake?): leave it out of OP25B_NICS or take it out of use; --force binds it all the same"
	fi
	echo "nic-setup: $dev: $drv -> vfio-pci"
	# Its status is not the answer (below), and a bind that went through
	# before a failing exit must still be recorded for --restore.
	dpdk-devbind.py --bind=vfio-pci "$dev" || true
	# dpdk-devbind.py exits 0 when it leaves a NIC alone (an interface
	# with routes: "Not modifying") or puts its driver back after the
	# bind failed (an IOMMU group not viable): op25b would then not
	# find its port and restart in a loop, the cause one warning up.
	now=$(driver_of "$dev")
	[ "$now" = vfio-pci ] ||
		die "$dev: still on ${now:-no driver}, not vfio-pci: see dpdk-devbind.py's warning above (an interface in use: take its addresses and routes off, or leave it out of OP25B_NICS)"
	# Recorded once bound: a NIC left alone (the unit restarting every
	# 2 s) added a line at every try.
	grep -qs "^$dev " "$state" || echo "$dev $drv" >>"$state"
done
dpdk-devbind.py --status-dev net
