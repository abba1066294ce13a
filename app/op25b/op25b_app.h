/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The appliance's wiring: configuration, port pairs, workers.
 */
#ifndef OP25B_APP_H
#define OP25B_APP_H

#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_ethdev.h>
#include <rte_mempool.h>

#include "op25b_classify.h"
#include "op25b_policy.h"

#define OP25B_MAX_PAIRS 16
#define OP25B_MAX_PORTS (2 * OP25B_MAX_PAIRS)
#define OP25B_DEFAULT_BURST 32
#define OP25B_RX_DESC 1024
#define OP25B_TX_DESC 1024

struct op25b_pair {
	uint16_t sub; /* subscriber side: classified */
	uint16_t up;  /* upstream side: passed back untouched */
};

struct op25b_config {
	const char *policy_path;
	struct op25b_pair pairs[OP25B_MAX_PAIRS];
	unsigned int n_pairs;
	uint16_t burst;
	uint32_t stop_after_idle_ms; /* 0: run until a signal */
	uint32_t status_interval_s;  /* 0: no periodic status line */
	const char *stats_json;
};

/* Counters of one port as one worker saw them (the app's side; the PMD's
 * side comes from rte_eth_stats_get). */
struct op25b_port_counters {
	uint64_t rx;
	uint64_t tx;
	uint64_t tx_dropped; /* TX queue full: freed, not sent */
};

/* One worker lcore. Everything here is written by that worker only; the
 * control lcore reads it, so 64-bit counters are plain aligned stores. */
struct op25b_worker {
	struct op25b_classify_counters counters;
	struct op25b_port_counters port[OP25B_MAX_PORTS];
	uint64_t upstream; /* packets passed from upstream to subscribers */
	uint64_t loops;
	uint64_t busy_loops;
	uint64_t last_rx_tsc;
	unsigned int lcore_id;
	uint16_t queue;
} __rte_cache_aligned;

struct op25b_app {
	struct op25b_config config;
	struct op25b_policy *policy;
	/* Workers load it once per loop (acquire), so that a later reload
	 * can swap it. */
	_Atomic(struct op25b_classifier *) classifier;
	struct rte_mempool *pool;
	struct op25b_worker *workers;
	unsigned int n_workers;
	uint16_t ports[OP25B_MAX_PORTS];
	/* Names are kept: a closed port has none left to ask for. */
	char port_names[OP25B_MAX_PORTS][RTE_ETH_NAME_MAX_LEN];
	unsigned int n_ports;
	atomic_bool stop;
	uint64_t start_tsc;
};

/* ports.c */
int op25b_ports_check(struct op25b_app *app);
int op25b_ports_start(struct op25b_app *app);
void op25b_ports_stop(struct op25b_app *app, struct rte_eth_stats *stats);

/* worker.c */
int op25b_worker_main(void *arg);
extern struct op25b_app *op25b_worker_app;

/* report.c */
void op25b_report_print(const struct op25b_app *app,
			const struct rte_eth_stats *stats, FILE *out);
int op25b_report_json(const struct op25b_app *app,
		      const struct rte_eth_stats *stats, const char *path);
void op25b_report_status_line(const struct op25b_app *app, FILE *out);

#endif /* OP25B_APP_H */
