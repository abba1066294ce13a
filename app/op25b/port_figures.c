/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A port's driver figures under the names of OP25B_PORT_DRIVER_LIST: the
 * one place that maps rte_eth_stats and the link onto them, for the shared
 * memory (op25b_ports_publish_stats) and `show port stats` alike, so that
 * the two cannot count rx_errors two ways.
 */
#include <errno.h>
#include <string.h>

#include <rte_ethdev.h>

#include "op25b_app.h"

uint32_t
op25b_link_speed_mbps(const struct rte_eth_link *link)
{
	return link->link_status == RTE_ETH_LINK_UP &&
			       link->link_speed != RTE_ETH_SPEED_NUM_UNKNOWN
		       ? link->link_speed
		       : 0;
}

int
op25b_port_link(uint16_t port_id, struct rte_eth_link *link)
{
	int ret;

	/* Without waiting. A driver that cannot tell counts as up at an
	 * unknown speed: down is what it said, and what the alert is for. */
	memset(link, 0, sizeof(*link));
	ret = rte_eth_link_get_nowait(port_id, link);
	if (ret != 0) {
		link->link_status = RTE_ETH_LINK_UP;
		link->link_speed = RTE_ETH_SPEED_NUM_UNKNOWN;
		link->link_duplex = RTE_ETH_LINK_FULL_DUPLEX;
	}
	return ret;
}

int
op25b_port_figures(uint16_t port_id, struct op25b_stats_port *p)
{
	struct rte_eth_stats st;
	struct rte_eth_link link;

	/* The link first: it is told whatever the counters do. */
	op25b_port_link(port_id, &link);
	p->link_up = link.link_status == RTE_ETH_LINK_UP;
	p->link_speed_mbps = op25b_link_speed_mbps(&link);
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
