/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The appliance's adaptive table: made when a policy first has an
 * adaptive class (a policy without one costs no memory), attached to
 * every classifier compiled after that, aged and published by the control
 * lcore. It outlives reloads: the classifier holds the rules, the table
 * the sources.
 */
#include <errno.h>
#include <stdio.h>

#include <rte_common.h>
#include <rte_errno.h>
#include <rte_lcore.h>

#include "op25b_adaptive.h"
#include "op25b_app.h"

/* The sweep looks at a hundredth of the table per control turn (~10 ms),
 * at least SWEEP_MIN entries: the table is aged, and its gauges refreshed,
 * about once a second whatever its size. Faster passes buy nothing (a
 * source is freed only after `per` idle) and cost the worker: each pass
 * reads every live entry, lines the worker writes, and its reads
 * compete with the worker's misses for the shared cache and memory (a
 * pass every 40 ms over `worst-adaptive`'s 250,000 entries). */
#define SWEEP_TURNS 100
#define SWEEP_MIN 1024

/* The table op25b makes for its first adaptive policy (NULL: rte_errno
 * set, the reason in @msg). */
static struct op25b_adaptive_table *
table_create(const struct op25b_app *app, char *msg, size_t size)
{
	struct op25b_adaptive_params p = {
		.sz = sizeof(p),
		.entries = app->config.adaptive_entries,
		.socket_id = (int)rte_socket_id(),
		/* One worker: the only thread that accounts, without locked
		 * instructions (doc/design.md, Adaptive blocking). The worker
		 * count is fixed at start. */
		.single_writer = app->n_workers == 1,
	};
	struct op25b_adaptive_table *t = op25b_adaptive_create(&p);

	if (t == NULL)
		snprintf(msg, size,
			 "the adaptive table (--adaptive-entries %u) cannot be "
			 "allocated: %s",
			 p.entries, rte_strerror(rte_errno));
	return t;
}

/* Its rules in @classifier (0, or -EINVAL with the reason in @msg). */
static int
rules_set(struct op25b_classifier *classifier,
	  struct op25b_adaptive_table *table, char *msg, size_t size)
{
	if (op25b_classifier_set_adaptive(classifier, table) != 0) {
		snprintf(msg, size, "an adaptive limit cannot be compiled");
		rte_errno = EINVAL;
		return -EINVAL;
	}
	return 0;
}

int
op25b_app_adaptive_attach(struct op25b_app *app,
			  struct op25b_classifier *classifier, char *msg,
			  size_t size)
{
	if (app->adaptive == NULL &&
	    op25b_classifier_has_adaptive(classifier)) {
		app->adaptive = table_create(app, msg, size);
		if (app->adaptive == NULL)
			return -rte_errno;
		printf("op25b: adaptive table: %u sources, %zu KB, %s\n",
		       op25b_adaptive_capacity(app->adaptive),
		       op25b_adaptive_memory(app->adaptive) >> 10,
		       op25b_adaptive_single_writer(app->adaptive)
			       ? "one worker writes"
			       : "workers share it");
		fflush(stdout);
	}
	return rules_set(classifier, app->adaptive, msg, size);
}

int
op25b_app_adaptive_check(const struct op25b_app *app,
			 struct op25b_classifier *classifier, char *msg,
			 size_t size)
{
	struct op25b_adaptive_table *t = app->adaptive;
	int ret;

	/* The table the reload would make, made and freed: a size the
	 * memory cannot hold is refused here, not at the reload. */
	if (t == NULL && op25b_classifier_has_adaptive(classifier)) {
		t = table_create(app, msg, size);
		if (t == NULL)
			return -rte_errno;
	}
	ret = rules_set(classifier, t, msg, size);
	if (t != app->adaptive) {
		/* Detached before it goes: the classifier never ran, and
		 * nothing else holds the table. */
		op25b_classifier_set_adaptive(classifier, NULL);
		op25b_adaptive_free(t);
	}
	return ret;
}

uint64_t
op25b_app_adaptive_reloaded(struct op25b_app *app,
			    const struct op25b_classifier *classifier)
{
	if (app->adaptive == NULL)
		return 0;
	return op25b_classifier_adaptive_forget(
		classifier, app->adaptive, op25b_adaptive_now(app->adaptive));
}

/* Age @max entries of the table and publish its figures (the gauges
 * as the last full pass left them). */
static void
sweep_and_publish(struct op25b_app *app, uint32_t max)
{
	uint64_t per_class[OP25B_STATS_SLOTS];
	struct op25b_stats_header *h;
	struct op25b_adaptive_totals x;
	unsigned int slot;

	op25b_adaptive_sweep(app->adaptive, op25b_adaptive_now(app->adaptive),
			     max);
	op25b_adaptive_totals(app->adaptive, &x, per_class);
	h = op25b_stats_writer_header(app->stats);
	/* Aligned 64-bit stores: a reader sees each whole. */
#define PUBLISH(field, key, prom, kind, help)                                  \
	__atomic_store_n(&h->field, x.field, __ATOMIC_RELAXED);
	OP25B_ADAPTIVE_LIST(PUBLISH)
#undef PUBLISH
	for (slot = 0; slot < OP25B_STATS_SLOTS; slot++)
		__atomic_store_n(
			&h->class_adaptive[slot]
					  [OP25B_CLASS_ADAPTIVE_TRIGGERED],
			per_class[slot], __ATOMIC_RELAXED);
}

void
op25b_app_adaptive_tick(struct op25b_app *app)
{
	if (app->adaptive == NULL)
		return;
	sweep_and_publish(app, RTE_MAX(op25b_adaptive_capacity(app->adaptive) /
					       SWEEP_TURNS,
				       (uint32_t)SWEEP_MIN));
}

void
op25b_app_adaptive_final(struct op25b_app *app)
{
	/* Two tables' worth (at most 2^31): the pass under way ends, and a
	 * whole pass after it counts every source (a run shorter than a
	 * pass, a second or so, reported adaptive_tracked 0 with sources
	 * tracked; the pass under way alone missed those added behind its
	 * cursor). The workers have stopped: the count is exact. */
	if (app->adaptive != NULL)
		sweep_and_publish(app,
				  2 * op25b_adaptive_capacity(app->adaptive));
}

void
op25b_app_adaptive_stop(struct op25b_app *app)
{
	op25b_adaptive_free(app->adaptive);
	app->adaptive = NULL;
}
