-- SPDX-License-Identifier: BSD-3-Clause
--
-- RFC 2544-style throughput of op25b with Pktgen-DPDK: for each frame size,
-- the highest rate at which every frame sent into op25b's subscriber port
-- comes back out of its upstream port, found by binary search.
--
--   pktgen -l 0-4 -n 4 -a TX_NIC -a RX_NIC -- -P -m "[1:2].0,[3:4].1" \
--          -f scripts/pktgen/rfc2544.lua
-- (pcap profile: add -s 0:mix.pcap). scripts/pktgen/README.md has the rig,
-- the op25b side and how to read op25b's own counters meanwhile.
--
-- Environment (besides op25b-profiles.lua's OP25B_TX_PORT, OP25B_RX_PORT,
-- OP25B_DST_MAC, OP25B_SRC_BLOCK):
--   OP25B_PROFILE    worst (default) or pcap
--   OP25B_SIZES      frame sizes with FCS (default 64,128,256,512,1024,1518;
--                    the pcap profile runs once, at the capture's sizes)
--   OP25B_TRIAL_S    seconds a trial sends (default 10; RFC 2544 says 60)
--   OP25B_PRECISION  stop when the bounds are this close, in % of line
--                    rate (default 0.5)
--   OP25B_RESULTS    CSV written as results come (default
--                    op25b-rfc2544.csv)
--
-- Zero loss means: received on the RX port >= sent on the TX port during a
-- trial. op25b must therefore forward what it is sent: run it with the
-- bench policy in `mode: monitor` (blocks are counted and forwarded: the
-- same parse, lookups and decision per packet), then confirm the rate found
-- in `mode: enforce` with op25b-stat (README: "Reading op25b's counters").

local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local P = dofile(here .. "op25b-profiles.lua")

local profile = os.getenv("OP25B_PROFILE") or "worst"
local trial_ms = math.floor(tonumber(os.getenv("OP25B_TRIAL_S") or "10")
	* 1000)
local precision = tonumber(os.getenv("OP25B_PRECISION") or "0.5")
local results_path = os.getenv("OP25B_RESULTS") or "op25b-rfc2544.csv"
local drain_ms = 1000 -- frames still in rings when the sender stops

local sizes = {}
for s in string.gmatch(os.getenv("OP25B_SIZES") or
		"64,128,256,512,1024,1518", "%d+") do
	sizes[#sizes + 1] = tonumber(s)
end
if profile == "pcap" then
	sizes = { 0 } -- the capture's own sizes
end

local function log(fmt, ...)
	print(string.format(fmt, ...))
end

-- Link speed of the TX port in Mbit/s, from pktgen's link state text
-- ("<UP-10000-FD>" and the like).
local function link_mbps()
	local state = pktgen.linkState(P.tx)[tonumber(P.tx)]
	return tonumber(string.match(state, "(%d+)")) or 10000
end

-- One trial at @rate percent of line rate: frames sent and received.
local function trial(rate)
	pktgen.stop(P.tx)
	pktgen.delay(drain_ms)
	local tx0, rx0 = P.counters(P.tx), P.counters(P.rx)
	pktgen.set(P.tx, "rate", rate)
	pktgen.start(P.tx)
	pktgen.delay(trial_ms)
	pktgen.stop(P.tx)
	pktgen.delay(drain_ms)
	local tx1, rx1 = P.counters(P.tx), P.counters(P.rx)
	local sent = tx1.tx - tx0.tx
	local got = rx1.rx - rx0.rx
	-- L1 bits: every frame also costs its FCS (not in obytes), 8 bytes
	-- of preamble and 12 of inter-frame gap
	local l1_bits = ((tx1.txbytes - tx0.txbytes) + 24 * sent) * 8
	return sent, got, (rx1.missed - rx0.missed), l1_bits
end

-- Binary search for the highest zero-loss rate at one frame size.
local function search(size)
	P.setup(profile, size)
	local lo, hi, best = 0.0, 100.0, nil
	local rate = 100.0
	while hi - lo > precision do
		local sent, got, missed, l1_bits = trial(rate)
		local lost = sent - got
		local mpps = sent / (trial_ms / 1000) / 1e6
		local gbps = l1_bits / (trial_ms / 1000) / 1e9
		log("[%5s] rate %6.2f%%: sent %d, received %d, lost %d " ..
			"(%.3f Mpps offered; pktgen rx_missed %d)",
			size > 0 and (size .. "B") or "pcap", rate, sent, got,
			lost, mpps, missed)
		if sent > 0 and lost <= 0 then
			lo = rate
			best = { rate = rate, sent = sent, mpps = mpps,
				gbps = gbps }
			if rate >= 100.0 then
				break
			end
		else
			hi = rate
		end
		rate = (lo + hi) / 2
	end
	return best
end

local out = assert(io.open(results_path, "w"))
out:write("profile,frame_bytes,zero_loss_rate_pct,mpps,gbps_l1\n")
pktgen.screen("off")
pktgen.stop(P.ports())
pktgen.clr()
log("op25b RFC 2544 search: profile %s, port %s -> op25b -> port %s, " ..
	"%d ms trials, %.2f%% precision, link %d Mbit/s", profile, P.tx, P.rx,
	trial_ms, precision, link_mbps())
local summary = {}
for _, size in ipairs(sizes) do
	local best = search(size)
	local line
	if best == nil then
		line = string.format("%s,%d,0,0,0", profile, size)
		summary[#summary + 1] = string.format(
			"%6s  no zero-loss rate found", size)
	else
		local l1 = best.gbps
		line = string.format("%s,%d,%.2f,%.3f,%.3f", profile, size,
			best.rate, best.mpps, l1)
		summary[#summary + 1] = string.format(
			"%6s  %6.2f%% of line rate  %8.3f Mpps  %7.3f Gbit/s L1",
			size > 0 and size or "pcap", best.rate, best.mpps, l1)
	end
	out:write(line .. "\n")
	out:flush()
end
out:close()
log("")
log("frame   zero-loss throughput (profile %s)", profile)
for _, line in ipairs(summary) do
	log("%s", line)
end
log("results: %s", results_path)
pktgen.screen("on")
