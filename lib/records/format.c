/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A merged record as the abuse desk reads it: one JSON object a line,
 * through the tree's one JSON writer, or an RFC 5424 MSGID and
 * STRUCTURED-DATA element for syslog, with the same members.
 */
#include <errno.h>
#include <inttypes.h>
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

/* A record's members in order, as text or number, for both writers
 * (JSON and RFC 5424 structured data): one list, so that their names and
 * values cannot drift apart. */
enum member_kind {
	MEMBER_STRING, /* str; NULL: null */
	MEMBER_NUMBER, /* num */
	MEMBER_NULL,
	MEMBER_VLANS, /* the record's VLAN ids */
};

struct member {
	const char *name;
	enum member_kind kind;
	const char *str;
	uint64_t num;
};

#define RECORD_MEMBERS 17

/* The text members' room, next to the list that points into it. */
struct members {
	struct member m[RECORD_MEMBERS];
	char time[40], first[40];
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
	char mac[18];
};

static const char *
addr_text(uint8_t family, const uint8_t *addr, char *buf)
{
	return inet_ntop(family == 4 ? AF_INET : AF_INET6, addr, buf,
			 INET6_ADDRSTRLEN);
}

static void
record_members(const struct op25b_records_merged *rec,
	       const struct op25b_records_view *v, struct members *ms)
{
	const struct op25b_record *r = &rec->r;
	unsigned int n = 0;

#define TEXT(k, s) (ms->m[n++] = (struct member){ (k), MEMBER_STRING, (s), 0 })
#define NUMBER(k, x)                                                           \
	(ms->m[n++] = (struct member){ (k), MEMBER_NUMBER, NULL, (x) })
	op25b_records_time(op25b_records_wall_ns(v, r->last_tsc), ms->time,
			   sizeof(ms->time));
	op25b_records_time(op25b_records_wall_ns(v, r->first_tsc), ms->first,
			   sizeof(ms->first));
	snprintf(ms->mac, sizeof(ms->mac), "%02x:%02x:%02x:%02x:%02x:%02x",
		 r->src_mac[0], r->src_mac[1], r->src_mac[2], r->src_mac[3],
		 r->src_mac[4], r->src_mac[5]);
	TEXT("time", ms->time);
	TEXT("first", ms->first);
	TEXT("src", addr_text(r->family, r->src, ms->src));
	TEXT("class", v->class_name(v->ctx, r->class_slot));
	TEXT("group", v->group_name(v->ctx, r->group_slot));
	TEXT("rule", v->rule(v->ctx, op25b_record_rule_step(r->rule)));
	TEXT("action", op25b_records_action_name(r->outcome));
	NUMBER("dport", r->dport);
	TEXT("dst", addr_text(r->family, r->dst, ms->dst));
	NUMBER("destinations", rec->destinations);
	NUMBER("segments", rec->segments);
	NUMBER("syns", rec->syns);
	ms->m[n++] = (struct member){ "vlan", MEMBER_VLANS, NULL, 0 };
	if (r->pppoe_session < 0)
		ms->m[n++] = (struct member){ "pppoe_session", MEMBER_NULL,
					      NULL, 0 };
	else
		NUMBER("pppoe_session", (uint64_t)r->pppoe_session);
	TEXT("src_mac", ms->mac);
	NUMBER("port", r->port);
	TEXT("mode",
	     v->mode != NULL ? v->mode : op25b_record_mode_name(r->rule));
#undef TEXT
#undef NUMBER
}

int
op25b_records_write_json(FILE *out, const struct op25b_records_merged *rec,
			 const struct op25b_records_view *v)
{
	const struct op25b_record *r = &rec->r;
	struct members ms;
	struct op25b_json j;
	unsigned int i, k;

	record_members(rec, v, &ms);
	op25b_json_init(&j, out, 0);
	op25b_json_object(&j, NULL);
	for (i = 0; i < RECORD_MEMBERS; i++) {
		const struct member *m = &ms.m[i];

		switch (m->kind) {
		case MEMBER_STRING:
			op25b_json_string(&j, m->name, m->str);
			break;
		case MEMBER_NUMBER:
			op25b_json_u64(&j, m->name, m->num);
			break;
		case MEMBER_NULL:
			op25b_json_null(&j, m->name);
			break;
		case MEMBER_VLANS:
			op25b_json_array(&j, m->name);
			for (k = 0;
			     k < r->n_vlans && k < OP25B_RECORD_VLANS_MAX; k++)
				op25b_json_u64(&j, NULL, r->vlan[k]);
			op25b_json_close(&j);
			break;
		}
	}
	op25b_json_close(&j);
	return op25b_json_end(&j);
}

/* RFC 5424 section 6.3.3: in a PARAM-VALUE, '"', '\' and ']' are
 * escaped with a backslash; everything else goes as is (UTF-8). */
static void
sd_escape(FILE *out, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\' || *s == ']')
			fputc('\\', out);
		fputc(*s, out);
	}
}

int
op25b_records_write_sd(FILE *out, const struct op25b_records_merged *rec,
		       const struct op25b_records_view *v)
{
	const struct op25b_record *r = &rec->r;
	struct members ms;
	unsigned int i, k;

	record_members(rec, v, &ms);
	fputs(OP25B_RECORDS_MSGID " [" OP25B_RECORDS_SD_ID, out);
	for (i = 0; i < RECORD_MEMBERS; i++) {
		const struct member *m = &ms.m[i];

		/* A null is no parameter: a PARAM-VALUE is a string. */
		if (m->kind == MEMBER_NULL ||
		    (m->kind == MEMBER_STRING && m->str == NULL))
			continue;
		fprintf(out, " %s=\"", m->name);
		if (m->kind == MEMBER_STRING)
			sd_escape(out, m->str);
		else if (m->kind == MEMBER_NUMBER)
			fprintf(out, "%" PRIu64, m->num);
		else
			for (k = 0;
			     k < r->n_vlans && k < OP25B_RECORD_VLANS_MAX; k++)
				fprintf(out, "%s%u", k == 0 ? "" : ",",
					r->vlan[k]);
		fputc('"', out);
	}
	fputc(']', out);
	return ferror(out) ? -EIO : 0;
}
