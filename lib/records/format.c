/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A merged record as the abuse desk reads it: one JSON object a line,
 * through the tree's one JSON writer.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include "op25b_json.h"
#include "op25b_records.h"

uint64_t
op25b_records_wall_ns(const struct op25b_records_view *v, uint64_t tsc)
{
	/* Signed: a piece may predate tsc0 by a hair on another lcore. */
	__int128 d = (__int128)tsc - (__int128)v->tsc0;

	if (v->tsc_hz == 0)
		return v->wall_ns0;
	return (uint64_t)((__int128)v->wall_ns0 +
			  d * 1000000000 / (__int128)v->tsc_hz);
}

void
op25b_records_time(uint64_t wall_ns, char *buf, size_t size)
{
	time_t s = (time_t)(wall_ns / 1000000000u);
	unsigned int ms = (unsigned int)(wall_ns / 1000000u % 1000u);
	struct tm tm;
	char date[32];

	gmtime_r(&s, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, size, "%s.%03uZ", date, ms);
}

static void
json_time(struct op25b_json *j, const char *key,
	  const struct op25b_records_view *v, uint64_t tsc)
{
	char buf[40];

	op25b_records_time(op25b_records_wall_ns(v, tsc), buf, sizeof(buf));
	op25b_json_string(j, key, buf);
}

static void
json_addr(struct op25b_json *j, const char *key, uint8_t family,
	  const uint8_t *addr)
{
	char buf[INET6_ADDRSTRLEN];

	if (inet_ntop(family == 4 ? AF_INET : AF_INET6, addr, buf,
		      sizeof(buf)) == NULL)
		op25b_json_null(j, key);
	else
		op25b_json_string(j, key, buf);
}

int
op25b_records_write_json(FILE *out, const struct op25b_records_merged *rec,
			 const struct op25b_records_view *v)
{
	const struct op25b_record *r = &rec->r;
	struct op25b_json j;
	char mac[18];
	unsigned int i;

	op25b_json_init(&j, out, 0);
	op25b_json_object(&j, NULL);
	json_time(&j, "time", v, r->last_tsc);
	json_time(&j, "first", v, r->first_tsc);
	json_addr(&j, "src", r->family, r->src);
	op25b_json_string(&j, "class", v->class_name(v->ctx, r->class_slot));
	op25b_json_string(&j, "group", v->group_name(v->ctx, r->group_slot));
	op25b_json_string(&j, "rule",
			  v->rule(v->ctx, r->class_slot, r->group_slot));
	op25b_json_string(&j, "action", op25b_records_action_name(r->outcome));
	op25b_json_u64(&j, "dport", r->dport);
	json_addr(&j, "dst", r->family, r->dst);
	op25b_json_u64(&j, "destinations", rec->destinations);
	op25b_json_u64(&j, "segments", r->segments);
	op25b_json_u64(&j, "syns", r->syns);
	op25b_json_array(&j, "vlan");
	for (i = 0; i < r->n_vlans && i < OP25B_RECORD_VLANS_MAX; i++)
		op25b_json_u64(&j, NULL, r->vlan[i]);
	op25b_json_close(&j);
	if (r->pppoe_session < 0)
		op25b_json_null(&j, "pppoe_session");
	else
		op25b_json_u64(&j, "pppoe_session", (uint64_t)r->pppoe_session);
	snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x",
		 r->src_mac[0], r->src_mac[1], r->src_mac[2], r->src_mac[3],
		 r->src_mac[4], r->src_mac[5]);
	op25b_json_string(&j, "src_mac", mac);
	op25b_json_u64(&j, "port", r->port);
	op25b_json_string(&j, "mode", v->mode);
	op25b_json_close(&j);
	return op25b_json_end(&j);
}
