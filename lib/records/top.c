/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The last interval's worst sources, for `show blocked top` and
 * `op25b-stat --top`: saved by the appliance next to its counters
 * (/dev/shm/op25b-top.NAME), names and times resolved, so that a reader
 * needs neither the policy nor the TSC.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "op25b_records.h"
#include "op25b_save.h"

#define TOP_MAGIC 0x504f545342323530ull /* "025BSTOP" */
/* 2: a merged record's counts in 64 bits. */
#define TOP_VERSION 2

struct top_file_header {
	uint64_t magic;
	uint32_t version;
	uint32_t n;
	uint32_t entry_size;
	uint32_t pad;
};

static const char *
copy_name(char *dst, size_t size, const char *src)
{
	if (src == NULL) {
		dst[0] = '\0';
		return NULL;
	}
	snprintf(dst, size, "%s", src);
	return dst;
}

void
op25b_records_top_resolve(struct op25b_records_top *t,
			  const struct op25b_records_merged *m,
			  const struct op25b_records_view *v)
{
	memset(t, 0, sizeof(*t));
	t->m = *m;
	t->first_ns = op25b_records_wall_ns(v, m->r.first_tsc);
	t->time_ns = op25b_records_wall_ns(v, m->r.last_tsc);
	t->has_class = copy_name(t->class_name, sizeof(t->class_name),
				 v->class_name(v->ctx, m->r.class_slot)) !=
		       NULL;
	t->has_group = copy_name(t->group_name, sizeof(t->group_name),
				 v->group_name(v->ctx, m->r.group_slot)) !=
		       NULL;
	copy_name(t->rule, sizeof(t->rule),
		  v->rule(v->ctx, op25b_record_rule_step(m->r.rule)));
	copy_name(t->mode, sizeof(t->mode),
		  v->mode != NULL ? v->mode
				  : op25b_record_mode_name(m->r.rule));
}

struct top_list {
	const struct op25b_records_top *t;
	unsigned int n;
};

static int
write_top(FILE *f, const void *arg)
{
	const struct top_list *l = arg;
	struct top_file_header h = {
		.magic = TOP_MAGIC,
		.version = TOP_VERSION,
		.n = l->n,
		.entry_size = sizeof(*l->t),
	};

	if (fwrite(&h, sizeof(h), 1, f) != 1 ||
	    (l->n > 0 && fwrite(l->t, sizeof(*l->t), l->n, f) != l->n))
		return -EIO;
	return 0;
}

int
op25b_records_top_save(const char *path, const struct op25b_records_top *t,
		       unsigned int n)
{
	struct top_list l = { t, n };

	/* A reader sees the old list or the new one, never half of one.
	 * It names subscribers (address, MAC, PPPoE session, VLANs), as the
	 * records file does: not for every local user, /dev/shm's other
	 * files (the counters) notwithstanding. */
	return op25b_save_file(path, write_top, &l, 0640);
}

int
op25b_records_top_load(const char *path, struct op25b_records_top **out)
{
	struct top_file_header h;
	struct op25b_records_top *t = NULL;
	unsigned int i;
	struct stat st;
	int err = 0, fd;
	FILE *f;

	*out = NULL;
	/* O_NONBLOCK and a regular file only: a FIFO planted at the name
	 * (in /dev/shm, any local user's) held the reader in open(). */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EPROTO;
	}
	/* Another user's file at the name: a list op25b did not write. */
	if (!op25b_shm_owner_trusted(&st)) {
		close(fd);
		return -EPERM;
	}
	f = fdopen(fd, "r");
	if (f == NULL) {
		err = -errno;
		close(fd);
		return err;
	}
	if (fread(&h, sizeof(h), 1, f) != 1 || h.magic != TOP_MAGIC ||
	    h.version != TOP_VERSION || h.entry_size != sizeof(*t) ||
	    h.n > OP25B_RECORDS_TOP_MAX) {
		err = -EPROTO;
		goto out;
	}
	if (h.n > 0) {
		t = calloc(h.n, sizeof(*t));
		if (t == NULL) {
			err = -ENOMEM;
			goto out;
		}
		if (fread(t, sizeof(*t), h.n, f) != h.n) {
			free(t);
			err = -EPROTO;
			goto out;
		}
		/* The file is read, not trusted (a /dev/shm file another
		 * program may have written): names end in the entry. */
		for (i = 0; i < h.n; i++) {
			t[i].class_name[sizeof(t[i].class_name) - 1] = '\0';
			t[i].group_name[sizeof(t[i].group_name) - 1] = '\0';
			t[i].rule[sizeof(t[i].rule) - 1] = '\0';
			t[i].mode[sizeof(t[i].mode) - 1] = '\0';
		}
	}
	*out = t;
	err = (int)h.n;
out:
	fclose(f);
	return err;
}

/* A view over one resolved entry: its own names and wall-clock times. */
static const char *
entry_class(void *ctx, uint8_t slot)
{
	const struct op25b_records_top *t = ctx;

	(void)slot;
	return t->has_class ? t->class_name : NULL;
}

static const char *
entry_group(void *ctx, uint8_t slot)
{
	const struct op25b_records_top *t = ctx;

	(void)slot;
	return t->has_group ? t->group_name : NULL;
}

static const char *
entry_rule(void *ctx, uint8_t rule)
{
	const struct op25b_records_top *t = ctx;

	(void)rule;
	return t->rule;
}

int
op25b_records_top_json(FILE *out, const struct op25b_records_top *t,
		       unsigned int n)
{
	unsigned int i;

	fputs("[", out);
	for (i = 0; i < n; i++) {
		struct op25b_records_top e = t[i];
		struct op25b_records_view v = {
			.class_name = entry_class,
			.group_name = entry_group,
			.rule = entry_rule,
			.ctx = &e,
			.mode = e.mode,
			.tsc_hz = 1000000000u,
		};

		char *line = NULL;
		size_t len = 0;
		FILE *m = open_memstream(&line, &len);
		int err;

		if (m == NULL)
			return -ENOMEM;
		/* The times are wall-clock nanoseconds already. */
		e.m.r.first_tsc = e.first_ns;
		e.m.r.last_tsc = e.time_ns;
		err = op25b_records_write_json(m, &e.m, &v);
		fclose(m);
		/* The record without its line feed, then a comma. */
		if (err == 0 && len > 0) {
			fputs(i ? ",\n" : "\n", out);
			fwrite(line, 1, len - 1, out);
		}
		free(line);
		if (err != 0)
			return err;
	}
	fputs(n ? "\n]\n" : "]\n", out);
	return ferror(out) ? -EIO : 0;
}

int
op25b_records_top_text(FILE *out, const struct op25b_records_top *t,
		       unsigned int n)
{
	unsigned int i, k;

	fprintf(out,
		"the last interval's sources, most blocked SYNs first\n"
		"  #  %-39s %8s %9s %6s  %-12s %-8s %-17s %4s\n",
		"source", "syns", "segments", "dsts", "vlan", "pppoe", "mac",
		"port");
	for (i = 0; i < n; i++) {
		const struct op25b_record *r = &t[i].m.r;
		char src[INET6_ADDRSTRLEN], vlan[64] = "-", pppoe[16] = "-";
		int len = 0;

		inet_ntop(r->family == 4 ? AF_INET : AF_INET6, r->src, src,
			  sizeof(src));
		for (k = 0; k < r->n_vlans && k < OP25B_RECORD_VLANS_MAX &&
			    len >= 0 && (size_t)len < sizeof(vlan);
		     k++)
			len += snprintf(vlan + len, sizeof(vlan) - (size_t)len,
					"%s%u", k ? "," : "", r->vlan[k]);
		if (r->pppoe_session >= 0)
			snprintf(pppoe, sizeof(pppoe), "%" PRId32,
				 r->pppoe_session);
		fprintf(out,
			"%3u  %-39s %8" PRIu64 " %9" PRIu64 " %6" PRIu32
			"  %-12s %-8s %02x:%02x:%02x:%02x:%02x:%02x %4u\n",
			i + 1, src, t[i].m.syns, t[i].m.segments,
			t[i].m.destinations, vlan, pppoe, r->src_mac[0],
			r->src_mac[1], r->src_mac[2], r->src_mac[3],
			r->src_mac[4], r->src_mac[5], r->port);
	}
	return ferror(out) ? -EIO : 0;
}
