-- SPDX-License-Identifier: BSD-3-Clause
--
-- Send one op25b profile at a fixed rate and report what came back, once a
-- second: the body of worst.lua and mix.lua (which dofile this and call
-- the function it returns with the profiles module and a profile name).
--   OP25B_RATE     % of line rate (default 100)
--   OP25B_SIZE     frame size with FCS, worst profile only (default 64)
--   OP25B_SECONDS  how long (default 60; 0: until `stop` at the prompt)

return function(P, profile)
	local rate = tonumber(os.getenv("OP25B_RATE") or "100")
	local size = tonumber(os.getenv("OP25B_SIZE") or "64")
	local seconds = tonumber(os.getenv("OP25B_SECONDS") or "60")

	pktgen.stop(P.ports())
	pktgen.clr()
	P.setup(profile, size)
	pktgen.set(P.tx, "rate", rate)
	print(string.format("op25b %s profile at %.2f%% of line rate, port %s " ..
		"-> op25b -> port %s", profile, rate, P.tx, P.rx))
	local last_tx, last_rx = P.counters(P.tx), P.counters(P.rx)
	pktgen.start(P.tx)
	if seconds == 0 then
		return
	end
	for i = 1, seconds do
		pktgen.delay(1000)
		local tx, rx = P.counters(P.tx), P.counters(P.rx)
		print(string.format("%4ds  sent %.3f Mpps, received %.3f Mpps, " ..
			"lost %d so far", i, (tx.tx - last_tx.tx) / 1e6,
			(rx.rx - last_rx.rx) / 1e6, tx.tx - rx.rx))
		last_tx, last_rx = tx, rx
	end
	pktgen.stop(P.tx)
end
