#!/usr/bin/env bash
# Install every Debian package op25b needs to build, run and test: for a
# build or test machine, not the appliance (which takes the .deb of
# scripts/package.sh and its few dependencies: README, Install).
# Idempotent: installs only what is missing; safe to run on every call.
set -euo pipefail

packages=(
	# build; clang and its runtime for the libFuzzer targets (scripts/fuzz.sh);
	# clang-format for the layout check (scripts/format.sh)
	gcc meson ninja-build pkg-config clang libclang-rt-14-dev clang-format
	# DPDK 22.11 LTS, its PMD plugins (net_pcap, net_ring, net_null, ...)
	# and tools (dpdk-devbind.py, dpdk-hugepages.py)
	libdpdk-dev dpdk
	# policy loader, tests, captures, op25b-stat's /metrics server
	libyaml-dev libcmocka-dev libpcap-dev libmicrohttpd-dev curl
	# integration tests decode replies independently of our code
	tshark python3 python3-scapy python3-yaml
	# network namespaces and veths for the af_packet test; strace for the
	# CLI's one-write-per-reply check
	iproute2 ethtool strace
	# the package's Depends: modprobe, which scripts/nic-setup.sh calls
	kmod
	# end-to-end: real SMTP clients and servers (swaks needs the INET6
	# module for IPv6; it is only a recommends)
	swaks libio-socket-inet6-perl python3-aiosmtpd
	# scripts/bench.sh: dpdk-testpmd, dpdk-test-acl and dpdk-test-fib
	# (dpdk-dev), l3fwd's sources (dpdk-doc) and make to build them, the
	# plot, instruction counts
	dpdk-dev dpdk-doc make gnuplot-nox valgrind
	# scripts/package.sh and its test: the Debian tools, man pages from
	# --help, promtool (package prometheus; its service is never started
	# by the test), the units' checks (systemd-analyze), the completion's
	# helpers, the logrotate snippet's check
	# (build-essential: dpkg-buildpackage's implicit build dependency)
	debhelper build-essential lintian help2man prometheus systemd
	bash-completion logrotate git
	# op25b-xdp: the BPF object (clang, llvm), its skeleton (bpftool),
	# the loader (libbpf)
	libbpf-dev llvm bpftool
	# test/integration/xdp_kernel.sh: the XDP program on Debian 12's own
	# kernel (6.1) in a TCG guest, its initramfs shell
	qemu-system-x86 busybox-static
)

missing=()
for p in "${packages[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		grep -q "install ok installed"; then
		missing+=("$p")
	fi
done
if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "setup: missing packages: ${missing[*]}; run as root to install" >&2
		exit 1
	fi
	echo "setup: installing ${missing[*]}" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
	# promtool comes only with Debian's Prometheus server, which its
	# package enables and starts, listening on every address (:9090)
	# without authentication. Installed here for promtool alone, it is
	# stopped and disabled; a server the machine had before is left as
	# it was.
	if [[ " ${missing[*]} " == *" prometheus "* ]]; then
		if [ -d /run/systemd/system ]; then
			systemctl disable --now prometheus.service >&2 || true
		else
			systemctl disable prometheus.service >/dev/null 2>&1 || true
			service prometheus stop >/dev/null 2>&1 || true
		fi
		update-rc.d prometheus disable >/dev/null 2>&1 || true
		echo "setup: the prometheus server (installed for promtool) is stopped and disabled" >&2
	fi
fi

# test/integration/xdp_kernel.sh boots the kernel Debian 12's
# linux-image-amd64 depends on. Fetched and unpacked, never installed: a
# kernel package's postinst hooks (initramfs, bootloader) have no business
# on a CI machine. Only its vmlinuz is kept, with the package's name.
kcache=/var/cache/op25b-test/kernel-6.1
if [ ! -s "$kcache/vmlinuz" ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "setup: no kernel in $kcache; run as root to fetch it" >&2
		exit 1
	fi
	kpkg=$(apt-cache depends linux-image-amd64 |
		awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
	if [ -z "$kpkg" ]; then
		apt-get update -qq
		kpkg=$(apt-cache depends linux-image-amd64 |
			awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
	fi
	case $kpkg in
	linux-image-6.1.*) ;;
	*)
		echo "setup: linux-image-amd64 depends on '$kpkg', not a 6.1 kernel" >&2
		exit 1
		;;
	esac
	ktmp=$(mktemp -d /tmp/op25b-setup-kernel.XXXXXX)
	chown _apt "$ktmp" 2>/dev/null || true # apt-get download runs as _apt
	trap 'rm -rf "$ktmp"' EXIT
	(cd "$ktmp" && apt-get download -q "$kpkg" >&2)
	dpkg-deb -x "$ktmp"/"$kpkg"_*.deb "$ktmp/x"
	mkdir -p "$kcache"
	cp "$ktmp"/x/boot/vmlinuz-* "$kcache/vmlinuz.new"
	echo "$kpkg $(dpkg-deb -f "$ktmp"/"$kpkg"_*.deb Version)" >"$kcache/package"
	mv "$kcache/vmlinuz.new" "$kcache/vmlinuz"
	echo "setup: fetched $(cat "$kcache/package") into $kcache/vmlinuz" >&2
fi
