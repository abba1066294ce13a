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
for dev in 0000:00:08.0 0000:00:09.0; do
	mkdir -p "$fake/bus/pci/devices/$dev"
	ln -s ../../drivers/ixgbe "$fake/bus/pci/devices/$dev/driver"
done
printf '#!/bin/sh\nexit 0\n' >"$bin/modprobe"
# dpdk-devbind.py as it behaves: binds 0000:00:08.0; 0000:00:09.0 has
# routes, so it is not modified, with a warning and exit status 0.
cat >"$bin/dpdk-devbind.py" <<EOF
#!/bin/sh
case "\$1 \${2:-}" in
"--bind=vfio-pci 0000:00:08.0")
	ln -sfn ../../drivers/vfio-pci "$fake/bus/pci/devices/0000:00:08.0/driver" ;;
"--bind=vfio-pci 0000:00:09.0")
	echo "Warning: routing table indicates that interface 0000:00:09.0 is active. Not modifying" ;;
"--status-dev net") echo "Network devices using DPDK-compatible driver" ;;
esac
exit 0
EOF
chmod +x "$bin/modprobe" "$bin/dpdk-devbind.py"
export PATH="$bin:$PATH"

bash "$helper" --hugepages 0 0000:00:08.0 >"$work/ok.out" 2>&1
want_rc $? 0 "nic-setup of a NIC dpdk-devbind.py binds"
[ "$(basename "$(readlink "$fake/bus/pci/devices/0000:00:08.0/driver")")" = vfio-pci ] ||
	problem "0000:00:08.0 is not on vfio-pci"
want_has "$work/state" "0000:00:08.0 ixgbe"
report "nic-setup: a NIC bound to vfio-pci, its driver recorded for --restore"

bash "$helper" --hugepages 0 0000:00:09.0 >"$work/bad.out" 2>"$work/bad.err"
want_rc $? 1 "nic-setup of a NIC dpdk-devbind.py leaves alone"
want_has "$work/bad.out" "Not modifying"
want_has "$work/bad.err" "nic-setup: 0000:00:09.0: still on ixgbe, not vfio-pci: see dpdk-devbind.py's warning above"
want_lines "$work/bad.err" 1
report "nic-setup: a NIC dpdk-devbind.py does not bind (exit 0, 'Not modifying') stops the helper: exit 1, one line why"

bash "$helper" --hugepages 0 0000:00:0a.0 >"$work/none.out" 2>"$work/none.err"
want_rc $? 1 "nic-setup of a missing NIC"
want_has "$work/none.err" "nic-setup: 0000:00:0a.0: no such PCI device"
report "nic-setup: a PCI address that is not there: exit 1, one line"
exit $status
