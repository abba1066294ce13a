/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The family lists of op25b_stats.h as tables that views walk: a view
 * never names a figure of these families itself, so a figure added to a
 * list shows in every view, under one name.
 */
#include <stddef.h>

#include "op25b_stats.h"

static const char *const mode_names[OP25B_STATS_MODE_MAX] = {
#define MODE_NAME(e, n) [OP25B_STATS_MODE_##e] = #n,
	OP25B_STATS_MODE_LIST(MODE_NAME)
#undef MODE_NAME
};

static const char *const block_names[OP25B_STATS_BLOCK_MAX] = {
#define BLOCK_NAME(e, n) [OP25B_STATS_BLOCK_##e] = #n,
	OP25B_STATS_BLOCK_LIST(BLOCK_NAME)
#undef BLOCK_NAME
};

/* The names of a STATE figure are found by its field: a STATE figure
 * without a list of names here fails to compile. */
#define NAMES_OF_COUNTER(field) NULL, 0
#define NAMES_OF_GAUGE(field) NULL, 0
#define NAMES_OF_STATE(field)                                                  \
	field##_names, sizeof(field##_names) / sizeof(field##_names[0])

#define FIELD_ENTRY(type, field, key, prom, kind, help)                        \
	{ #key,                                                                \
	  prom,                                                                \
	  OP25B_STATS_##kind,                                                  \
	  help,                                                                \
	  offsetof(type, field),                                               \
	  NAMES_OF_##kind(field) },
#define PORT_APP_ENTRY(f, k, p, t, h)                                          \
	FIELD_ENTRY(struct op25b_stats_port_app, f, k, p, t, h)
#define PORT_DRIVER_ENTRY(f, k, p, t, h)                                       \
	FIELD_ENTRY(struct op25b_stats_port, f, k, p, t, h)
#define HEADER_ENTRY(f, k, p, t, h)                                            \
	FIELD_ENTRY(struct op25b_stats_header, f, k, p, t, h)

const struct op25b_stats_field
	op25b_stats_port_app_fields[OP25B_PORT_APP_FIELDS] = {
		OP25B_PORT_APP_LIST(PORT_APP_ENTRY)
	};
const struct op25b_stats_field
	op25b_stats_port_driver_fields[OP25B_PORT_DRIVER_FIELDS] = {
		OP25B_PORT_DRIVER_LIST(PORT_DRIVER_ENTRY)
	};
const struct op25b_stats_field
	op25b_stats_header_fields[OP25B_HEADER_FIELDS] = { OP25B_HEADER_LIST(
		HEADER_ENTRY) };

uint64_t
op25b_stats_field_get(const struct op25b_stats_field *f, const void *base)
{
	return *(const uint64_t *)((const char *)base + f->offset);
}

const char *
op25b_stats_state_name(const struct op25b_stats_field *f, uint64_t v)
{
	return v < f->n_names ? f->names[v] : "unknown";
}
