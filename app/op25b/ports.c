/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Port set-up: one RX and one TX queue per worker on every port, RSS when
 * there is more than one worker and the port can spread flows.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_log.h>

#include "op25b_app.h"

static const char *
port_name(uint16_t port, char *buf, size_t size)
{
	if (rte_eth_dev_get_name_by_port(port, buf) != 0)
		snprintf(buf, size, "port%u", port);
	return buf;
}

/* Every port named in --pairs must exist and appear once. */
int
op25b_ports_check(struct op25b_app *app)
{
	const struct op25b_config *cfg = &app->config;
	unsigned int i, j;

	app->n_ports = 0;
	for (i = 0; i < cfg->n_pairs; i++) {
		uint16_t ends[2] = {cfg->pairs[i].sub, cfg->pairs[i].up};

		for (j = 0; j < 2; j++) {
			unsigned int k;

			if (!rte_eth_dev_is_valid_port(ends[j])) {
				fprintf(stderr,
					"op25b: port %u does not exist (%u "
					"ports found; add --vdev or bind a NIC)\n",
					ends[j], rte_eth_dev_count_avail());
				return -ENODEV;
			}
			if (ends[j] >= OP25B_MAX_PORTS) {
				fprintf(stderr,
					"op25b: port %u: ids above %u are not "
					"supported\n",
					ends[j], OP25B_MAX_PORTS - 1);
				return -EINVAL;
			}
			for (k = 0; k < app->n_ports; k++) {
				if (app->ports[k] == ends[j]) {
					fprintf(stderr,
						"op25b: port %u is used twice in "
						"--pairs\n",
						ends[j]);
					return -EINVAL;
				}
			}
			port_name(ends[j], app->port_names[app->n_ports],
				  sizeof(app->port_names[0]));
			app->ports[app->n_ports++] = ends[j];
		}
	}
	return 0;
}

static int
port_start(struct op25b_app *app, uint16_t port)
{
	struct rte_eth_conf conf = {0};
	struct rte_eth_dev_info info;
	uint16_t nb_rxd = OP25B_RX_DESC, nb_txd = OP25B_TX_DESC;
	uint16_t q, nq = (uint16_t)app->n_workers;
	char name[RTE_ETH_NAME_MAX_LEN];
	int socket, ret;

	port_name(port, name, sizeof(name));
	ret = rte_eth_dev_info_get(port, &info);
	if (ret != 0)
		goto fail;
	if (info.max_rx_queues < nq || info.max_tx_queues < nq) {
		fprintf(stderr,
			"op25b: port %u (%s) has %u RX / %u TX queues; %u "
			"workers need one each: use fewer lcores\n",
			port, name, info.max_rx_queues, info.max_tx_queues,
			nq);
		return -EINVAL;
	}
	if (nq > 1 && info.flow_type_rss_offloads != 0) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_hf =
			(RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP) &
			info.flow_type_rss_offloads;
	}
	if (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE)
		conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE;
	ret = rte_eth_dev_configure(port, nq, nq, &conf);
	if (ret != 0)
		goto fail;
	ret = rte_eth_dev_adjust_nb_rx_tx_desc(port, &nb_rxd, &nb_txd);
	if (ret != 0)
		goto fail;
	socket = rte_eth_dev_socket_id(port);
	if (socket < 0)
		socket = (int)rte_socket_id();
	for (q = 0; q < nq; q++) {
		ret = rte_eth_rx_queue_setup(port, q, nb_rxd, (unsigned)socket,
					     NULL, app->pool);
		if (ret != 0)
			goto fail;
		ret = rte_eth_tx_queue_setup(port, q, nb_txd, (unsigned)socket,
					     NULL);
		if (ret != 0)
			goto fail;
	}
	ret = rte_eth_dev_start(port);
	if (ret != 0)
		goto fail;
	/* Subscriber traffic is addressed to the next hop, not to us. Not
	 * every PMD has the notion (ENOTSUP is fine). */
	ret = rte_eth_promiscuous_enable(port);
	if (ret != 0 && ret != -ENOTSUP)
		fprintf(stderr, "op25b: port %u (%s): promiscuous mode: %s\n",
			port, name, rte_strerror(-ret));
	return 0;

fail:
	fprintf(stderr, "op25b: port %u (%s): set-up failed: %s\n", port, name,
		rte_strerror(-ret));
	return ret;
}

int
op25b_ports_start(struct op25b_app *app)
{
	unsigned int i;
	int ret;

	for (i = 0; i < app->n_ports; i++) {
		ret = port_start(app, app->ports[i]);
		if (ret != 0) {
			while (i-- > 0) {
				rte_eth_dev_stop(app->ports[i]);
				rte_eth_dev_close(app->ports[i]);
			}
			return ret;
		}
	}
	return 0;
}

/* The drivers' own figures, into the shared-memory header (about once a
 * second, and at exit before the ports close). */
void
op25b_ports_publish_stats(struct op25b_app *app)
{
	struct op25b_stats_header *h = op25b_stats_header(app->stats);
	struct timespec now;
	unsigned int i;

	for (i = 0; i < app->n_ports; i++) {
		char *p = (char *)&h->ports[i];
		struct op25b_stats_port figures;
		unsigned int k;

		if (op25b_port_figures(app->ports[i], &figures) != 0)
			continue;
		/* Word by word, as readers load them. */
		for (k = 0; k < OP25B_PORT_DRIVER_FIELDS; k++) {
			const struct op25b_stats_field *f =
				&op25b_stats_port_driver_fields[k];

			__atomic_store_n((uint64_t *)(p + f->offset),
					 op25b_stats_field_get(f, &figures),
					 __ATOMIC_RELAXED);
		}
	}
	clock_gettime(CLOCK_REALTIME, &now);
	__atomic_store_n(&h->ports_updated_ns,
			 (uint64_t)now.tv_sec * 1000000000ull + now.tv_nsec,
			 __ATOMIC_RELAXED);
}

/* Closing is what completes a net_pcap TX file and returns RX ring mbufs. */
void
op25b_ports_stop(struct op25b_app *app)
{
	unsigned int i;

	for (i = 0; i < app->n_ports; i++) {
		rte_eth_dev_stop(app->ports[i]);
		rte_eth_dev_close(app->ports[i]);
	}
}
