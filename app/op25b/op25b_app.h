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
#include "op25b_stats.h"

struct rte_rcu_qsbr;

#define OP25B_MAX_PAIRS 16
#define OP25B_MAX_PORTS OP25B_STATS_MAX_PORTS
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
	const char *instance;        /* --name: /dev/shm/op25b.NAME */
};

/* One worker lcore. Its counters live in shared memory (@stats), written
 * by this worker only, with plain stores; the control lcore and
 * op25b-stat read them. */
struct op25b_worker {
	struct op25b_stats_worker *stats;
	unsigned int lcore_id;
	uint16_t queue;
	unsigned int rcu_id;
} __rte_cache_aligned;

struct op25b_app {
	struct op25b_config config;
	/* The policy the current classifier was compiled from; the control
	 * lcore's alone. */
	struct op25b_policy *policy;
	/* Workers load it once per loop (acquire); the control lcore swaps it
	 * on reload and frees the old one after an RCU grace period. */
	_Atomic(struct op25b_classifier *) classifier;
	struct rte_rcu_qsbr *qsbr;
	struct rte_mempool *pool;
	struct op25b_worker *workers;
	unsigned int n_workers;
	uint16_t ports[OP25B_MAX_PORTS];
	/* Names are kept: a closed port has none left to ask for. */
	char port_names[OP25B_MAX_PORTS][RTE_ETH_NAME_MAX_LEN];
	unsigned int n_ports;
	struct op25b_stats_writer *stats;
	atomic_bool stop;
	uint64_t start_tsc;
};

/* ports.c */
int op25b_ports_check(struct op25b_app *app);
int op25b_ports_start(struct op25b_app *app);
void op25b_ports_stop(struct op25b_app *app);

void op25b_ports_publish_stats(struct op25b_app *app);

/* worker.c */
int op25b_worker_main(void *arg);
extern struct op25b_app *op25b_worker_app;

/* control.c */
int op25b_control_start(struct op25b_app *app);
void op25b_control_install_signals(void);
int op25b_control_reload(struct op25b_app *app, const char *path);
void op25b_control_loop(struct op25b_app *app);

/* telemetry.c */
void op25b_telemetry_register(struct op25b_app *app);

/* report.c */
void op25b_report_print(const struct op25b_stats_snapshot *snap, FILE *out);
int op25b_report_json(const struct op25b_stats_snapshot *snap,
		      const struct rte_mempool *pool, const char *path);
void op25b_report_status_line(const struct op25b_stats_snapshot *snap,
			      FILE *out);

#endif /* OP25B_APP_H */
