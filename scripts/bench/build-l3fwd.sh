#!/usr/bin/env bash
# Build DPDK's l3fwd example out of tree, from Debian's dpdk-doc package,
# for scripts/bench.sh. Usage: scripts/bench/build-l3fwd.sh SCRATCH_DIR
# Prints the path of the binary on success; on failure prints why on
# stderr and exits 1 (bench.sh then skips l3fwd with that note).
#
# Nothing of DPDK's code is kept in this repository: the sources are copied
# from /usr/share/dpdk/examples into SCRATCH_DIR (under the bench output
# directory, which is gitignored) and patched there.
set -euo pipefail
scratch=${1:?usage: build-l3fwd.sh SCRATCH_DIR}
examples=/usr/share/dpdk/examples

if [ ! -f "$examples/l3fwd/main.c" ] || [ ! -d "$examples/common" ]; then
	echo "no $examples/l3fwd (package dpdk-doc)" >&2
	exit 1
fi
if ! command -v make >/dev/null || ! pkg-config --exists libdpdk; then
	echo "make or libdpdk's pkg-config file missing" >&2
	exit 1
fi
src="$scratch/l3fwd-src"
bin="$src/l3fwd/build/l3fwd"
stamp="$src/.built-from"
version=$(pkg-config --modversion libdpdk)
if [ -x "$bin" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$version" ]; then
	echo "$bin"
	exit 0
fi
rm -rf "$src"
mkdir -p "$src"
cp -r "$examples/l3fwd" "$examples/common" "$src/"
chmod -R u+w "$src"

# The one patch: l3fwd asks every port for RX checksum offload, which
# virtual devices (net_pcap, net_null) do not offer, so rte_eth_dev_configure
# and the RX queue set-up fail. Mask what it asks for with what the port can
# do, as testpmd and op25b do. The checksums of the bench captures are never
# checked by l3fwd's LPM path, so this changes no work done per packet.
main="$src/l3fwd/main.c"
sed -i 's|^\t\tret = config_port_max_pkt_len(&local_port_conf, &dev_info);|\t\t/* op25b bench patch: mask offloads with the port capabilities */\n\t\tlocal_port_conf.rxmode.offloads \&= dev_info.rx_offload_capa;\n&|' "$main"
sed -i 's|rxq_conf.offloads = port_conf.rxmode.offloads;|rxq_conf.offloads = port_conf.rxmode.offloads \& dev_info.rx_offload_capa; /* op25b bench patch */|' "$main"
if [ "$(grep -c 'op25b bench patch' "$main")" -ne 2 ]; then
	echo "l3fwd's main.c changed shape: the offload patch did not apply" >&2
	exit 1
fi
if ! make -s -C "$src/l3fwd" >"$src/build.log" 2>&1; then
	echo "l3fwd did not build (see $src/build.log)" >&2
	exit 1
fi
echo "$version" >"$stamp"
echo "$bin"
