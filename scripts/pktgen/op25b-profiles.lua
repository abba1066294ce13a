-- SPDX-License-Identifier: BSD-3-Clause
--
-- op25b traffic profiles for Pktgen-DPDK, shared by rfc2544.lua, worst.lua
-- and mix.lua (loaded with dofile; see scripts/pktgen/README.md).
--
-- Settings come from the environment, so that one script serves every
-- rig without editing:
--   OP25B_TX_PORT    pktgen port wired to op25b's subscriber port (0)
--   OP25B_RX_PORT    pktgen port wired to op25b's upstream port (1)
--   OP25B_DST_MAC    destination MAC of the frames (default: pktgen's;
--                    op25b's ports are promiscuous and forward frames
--                    untouched, so any unicast MAC does unless a switch
--                    sits in between)
--   OP25B_SRC_BLOCK  the pool block the random sources come from, as the
--                    first octet (default 10: 10.0.0.0/8, where
--                    `op25b-gen pools` puts most of its prefixes)
--
-- Profiles:
--   worst  TCP SYNs to port 25, a random source in OP25B_SRC_BLOCK/8 and a
--          random destination in 203.0.0.0/8 for every frame (pktgen's
--          random bit fields), at the frame size the caller sets: the
--          packets op25b must look up twice and decide. The same shape as
--          `op25b-gen traffic --profile worst`.
--   pcap   replay what pktgen loaded with `-s TX_PORT:FILE`: the `mix`,
--          `worst` or `worst6` capture of `op25b-gen traffic`, exactly the
--          frames scripts/bench.sh uses, at their own sizes.

local M = {}

M.tx = os.getenv("OP25B_TX_PORT") or "0"
M.rx = os.getenv("OP25B_RX_PORT") or "1"

-- Ethernet 14 + IPv4 12: where the IPv4 source address starts; the
-- destination follows it, then (IPv4 without options, 20 bytes) the ports.
local IP4_SRC_OFFSET = 26
local IP4_DST_OFFSET = 30
local TCP_PORTS_OFFSET = 34

local function bits8(n)
	local s = ""
	for i = 7, 0, -1 do
		s = s .. (((n >> i) & 1 == 1) and "1" or "0")
	end
	return s
end

-- Counters of one port, whichever Pktgen-DPDK release is running: up to
-- 25.x portStats(port, "port") returns {[port] = {opackets, ...}}, later
-- releases portStats(port) returns {[port] = {curr = {opackets, ...}}}.
function M.counters(port)
	local ok, st = pcall(pktgen.portStats, port, "port")
	if not ok then
		st = pktgen.portStats(port)
	end
	local s = st[tonumber(port)]
	if s.curr ~= nil then
		s = s.curr
	end
	return { tx = s.opackets, rx = s.ipackets, missed = s.imissed or 0,
		txbytes = s.obytes or 0 }
end

-- Ports that take part, as a pktgen port list.
function M.ports()
	return M.tx .. "," .. M.rx
end

function M.setup_worst(size)
	local block = tonumber(os.getenv("OP25B_SRC_BLOCK") or "10")
	local dst_mac = os.getenv("OP25B_DST_MAC")

	pktgen.set_range(M.tx, "off")
	pktgen.pcap(M.tx, "off")
	pktgen.set_type(M.tx, "ipv4")
	pktgen.set_proto(M.tx, "tcp")
	if pktgen.set_tcp_flags ~= nil then
		-- newer releases: a bare SYN, as a client opening SMTP
		pktgen.set_tcp_flags(M.tx, "syn")
	end
	pktgen.set_ipaddr(M.tx, "src", string.format("%d.0.0.1/8", block))
	pktgen.set_ipaddr(M.tx, "dst", "203.0.113.25")
	pktgen.set(M.tx, "sport", 40000)
	pktgen.set(M.tx, "dport", 25)
	pktgen.set(M.tx, "size", size)
	if dst_mac ~= nil then
		pktgen.set_mac(M.tx, "dst", dst_mac)
	end
	-- Random bits per frame: the source's last 24 bits (inside the pool
	-- block), the destination's last 24 bits, the TCP source port; the
	-- destination port (25) is kept ('.'). The IPv4 checksum is not
	-- recomputed: op25b does not check it, an upstream router would.
	pktgen.rnd(M.tx, 0, IP4_SRC_OFFSET,
		bits8(block) .. string.rep("X", 24))
	pktgen.rnd(M.tx, 1, IP4_DST_OFFSET,
		bits8(203) .. string.rep("X", 24))
	pktgen.rnd(M.tx, 2, TCP_PORTS_OFFSET,
		string.rep("X", 16) .. string.rep(".", 16))
end

function M.setup_pcap()
	pktgen.set_range(M.tx, "off")
	pktgen.pcap(M.tx, "on")
end

-- Set @profile up for one frame size (ignored by "pcap").
function M.setup(profile, size)
	if profile == "worst" then
		M.setup_worst(size)
	elseif profile == "pcap" then
		M.setup_pcap()
	else
		error("unknown profile '" .. tostring(profile) ..
			"' (worst or pcap)")
	end
end

return M
