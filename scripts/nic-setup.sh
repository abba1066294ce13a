#!/usr/bin/env bash
# Prepare real NICs for op25b: reserve and mount hugepages, load vfio-pci,
# bind the NICs to it. --restore gives them back to their kernel drivers.
#
# Usage: scripts/nic-setup.sh [--hugepages N] PCI_ADDR...
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
  3. record each NIC's current driver in /run/op25b-nic-setup.state and
     bind it to vfio-pci with dpdk-devbind.py (package dpdk).
With --hugepages and no PCI address, only step 1 (the op25b@ unit runs
this as /usr/libexec/op25b/op25b-nic-setup before op25b starts).
Then: op25b -l 0-3 -a PCI0 -a PCI1 -- --policy FILE --pairs 0:1
USAGE
}

die() { echo "nic-setup: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "run as root"
need_devbind() {
	command -v dpdk-devbind.py >/dev/null ||
		die "dpdk-devbind.py missing: apt-get install dpdk (or run scripts/setup.sh)"
}

case "${1:-}" in
-h|--help|"") usage; exit 0 ;;
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

hugepages_only=""
if [ "$1" = "--hugepages" ]; then
	pages=${2:?--hugepages needs a number}
	[[ $pages =~ ^[0-9]+$ ]] || die "--hugepages $pages: expected a number of 2 MB pages"
	shift 2
	hugepages_only=1
fi
[ $# -gt 0 ] || [ -n "$hugepages_only" ] || die "no PCI address given (see --help)"

# Only ever raised: other DPDK processes on this machine may hold what a
# lower figure would take away.
if [ "$pages" -gt 0 ]; then
	echo "nic-setup: reserving $pages hugepages of 2 MB per NUMA node"
	for node in /sys/devices/system/node/node*; do
		f="$node/hugepages/hugepages-2048kB/nr_hugepages"
		if [ "$(cat "$f")" -lt "$pages" ]; then
			echo "$pages" >"$f"
		fi
	done
	if ! mountpoint -q "$mnt"; then
		mkdir -p "$mnt"
		mount -t hugetlbfs -o pagesize=2M nodev "$mnt"
		echo "nic-setup: mounted hugetlbfs on $mnt"
	fi
fi
[ $# -gt 0 ] || exit 0
need_devbind

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
for dev in "$@"; do
	[ -e "$sysfs/bus/pci/devices/$dev" ] || die "$dev: no such PCI device"
	drv=$(driver_of "$dev")
	[ "$drv" = vfio-pci ] && { echo "nic-setup: $dev already on vfio-pci"; continue; }
	echo "$dev $drv" >>"$state"
	echo "nic-setup: $dev: $drv -> vfio-pci"
	dpdk-devbind.py --bind=vfio-pci "$dev"
	# dpdk-devbind.py exits 0 when it leaves a NIC alone (an interface
	# with routes: "Not modifying") or puts its driver back after the
	# bind failed (an IOMMU group not viable): op25b would then not
	# find its port and restart in a loop, the cause one warning up.
	now=$(driver_of "$dev")
	[ "$now" = vfio-pci ] ||
		die "$dev: still on ${now:-no driver}, not vfio-pci: see dpdk-devbind.py's warning above (an interface in use: take its addresses and routes off, or leave it out of OP25B_NICS)"
done
dpdk-devbind.py --status-dev net
