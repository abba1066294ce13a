-- SPDX-License-Identifier: BSD-3-Clause
--
-- op25b's `mix` profile at a fixed rate: replays the capture pktgen loaded
-- with -s, made by `op25b-gen traffic --profile mix` (about 2% SMTP, most of
-- it from the dynamic pools to outside MX, the rest web, DNS and
-- submission; IPv4 and IPv6; some VLAN and PPPoE; 64-1518 byte frames).
--
--   build/app/op25b-gen/op25b-gen traffic --profile mix --count 100000 \
--       --pools pools.txt --out mix.pcap
--   OP25B_RATE=100 OP25B_SECONDS=60 \
--   pktgen -l 0-4 -n 4 -a TX_NIC -a RX_NIC -- -P -m "[1:2].0,[3:4].1" \
--          -s 0:mix.pcap -f scripts/pktgen/mix.lua
--
-- For its zero-loss rate: OP25B_PROFILE=pcap with rfc2544.lua instead.

local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local P = dofile(here .. "op25b-profiles.lua")
dofile(here .. "steady.lua")(P, "pcap")
