#!/usr/bin/env bash
# Install every Debian package op25b needs to build, run and test.
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
	debhelper lintian help2man prometheus systemd bash-completion logrotate
	# op25b-xdp: the BPF object (clang, llvm), its skeleton (bpftool),
	# the loader (libbpf)
	libbpf-dev llvm bpftool
)

missing=()
for p in "${packages[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		grep -q "install ok installed"; then
		missing+=("$p")
	fi
done
if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "setup: missing packages: ${missing[*]}; run as root to install" >&2
	exit 1
fi
echo "setup: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
