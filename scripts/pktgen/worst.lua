-- SPDX-License-Identifier: BSD-3-Clause
--
-- op25b's `worst` profile at a fixed rate, for watching op25b under load
-- (op25b-stat --watch 1) rather than searching: every frame a TCP SYN to
-- port 25 from a random pool source to a random destination.
--
--   OP25B_RATE=100 OP25B_SIZE=64 OP25B_SECONDS=60 \
--   pktgen -l 0-4 -n 4 -a TX_NIC -a RX_NIC -- -P -m "[1:2].0,[3:4].1" \
--          -f scripts/pktgen/worst.lua
--
-- OP25B_SECONDS=0 sends until you type `stop 0` at pktgen's prompt.
-- Settings shared with rfc2544.lua: see op25b-profiles.lua.

local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local P = dofile(here .. "op25b-profiles.lua")
dofile(here .. "steady.lua")(P, "worst")
