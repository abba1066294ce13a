#!/usr/bin/env bash
# Print EAL memory options for this machine: hugepages when there are
# enough free (in-memory, nothing left behind), else plain memory, which is
# fine for functional runs and slow for measurements.
# Usage: scripts/eal-args.sh [MB needed, default 1024]
need_mb=${1:-1024}
free_pages=$(awk '/HugePages_Free/ {print $2}' /proc/meminfo)
page_kb=$(awk '/Hugepagesize/ {print $2}' /proc/meminfo)
if [ -n "$free_pages" ] && [ -n "$page_kb" ] &&
	[ $((free_pages * page_kb / 1024)) -ge "$need_mb" ]; then
	echo "--in-memory"
else
	echo "--no-huge -m $need_mb --no-shconf"
fi
