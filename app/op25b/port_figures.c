/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A port's driver figures under the names of OP25B_PORT_DRIVER_LIST: the
 * one place that maps rte_eth_stats onto them, for the shared memory
 * (op25b_ports_publish_stats) and `show port stats` alike, so that the two
 * cannot count rx_errors two ways.
 */
#include <errno.h>
#include <string.h>

#include <rte_ethdev.h>

#include "op25b_app.h"

int
op25b_port_figures(uint16_t port_id, struct op25b_stats_port *p)
{
	struct rte_eth_stats st;

	if (rte_eth_stats_get(port_id, &st) != 0)
		return -EIO;
	p->rx = st.ipackets;
	p->tx = st.opackets;
	p->rx_bytes = st.ibytes;
	p->tx_bytes = st.obytes;
	p->rx_missed = st.imissed;
	p->rx_errors = st.ierrors + st.rx_nombuf;
	p->rx_nombuf = st.rx_nombuf;
	p->tx_errors = st.oerrors;
	return 0;
}
