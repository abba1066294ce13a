/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The XDP program's user side: loading (skeleton), the policy into maps,
 * test runs and counters. Pinning and attaching are in attach.c.
 */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>

#include <linux/bpf.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "op25b_xdp.skel.h"
#include "xdp_priv.h"

_Static_assert(OP25B_XDP_DROP == XDP_DROP && OP25B_XDP_PASS == XDP_PASS &&
		       OP25B_XDP_TX == XDP_TX,
	       "op25b_xdp.h's verdicts are the kernel's");

/* The map names, as in the object and as pinned, in enum xdp_map order. */
const char *const op25b_xdp_map_names[XDP_MAP_MAX] = {
	[XDP_MAP_SRC4] = "op25b_src4",
	[XDP_MAP_DST4] = "op25b_dst4",
	[XDP_MAP_SRC6] = "op25b_src6",
	[XDP_MAP_DST6] = "op25b_dst6",
	[XDP_MAP_EXEMPT4] = "op25b_exempt4",
	[XDP_MAP_EXEMPT6] = "op25b_exempt6",
	[XDP_MAP_POLICY] = "op25b_policy",
	[XDP_MAP_ACTIVE] = "op25b_active",
	[XDP_MAP_COUNTERS] = "op25b_counters",
	[XDP_MAP_NAMES] = "op25b_names",
	[XDP_MAP_ADAPTIVE] = "op25b_adaptive",
	[XDP_MAP_ADAPTIVE_COUNTS] = "op25b_adaptive_counts",
	[XDP_MAP_NOTIFY] = "op25b_notify",
	[XDP_MAP_NOTIFY_KEY] = "op25b_notify_key",
	[XDP_MAP_NOTIFY_BUDGET] = "op25b_notify_budget",
};

/* Keep the verifier's last lines: libbpf prints the whole log through
 * its print callback, which is process-wide. */
static char *log_buf;
static size_t log_size;

static int
libbpf_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	const char *line;
	char *text = NULL;
	size_t len, have;

	if (level == LIBBPF_DEBUG || log_buf == NULL || log_size == 0)
		return 0;
	/* Whole: libbpf prints the verifier's log in one message, whose
	 * end says why. */
	if (vasprintf(&text, fmt, ap) < 0)
		return 0;
	line = text;
	len = strlen(line);
	if (len >= log_size) {
		line += len - (log_size - 1);
		len = log_size - 1;
	}
	have = strlen(log_buf);
	/* The tail is what says why: drop the oldest text. */
	if (have + len >= log_size) {
		size_t cut = have + len - log_size + 1;

		memmove(log_buf, log_buf + cut, have - cut + 1);
		have -= cut;
	}
	memcpy(log_buf + have, line, len + 1);
	free(text);
	return 0;
}

/* Whether the line [@p, @p + @len) is verifier statistics, not a reason. */
static bool
log_statistics(const char *p, size_t len)
{
	static const char *const skip[] = { "processed ", "verification time",
					    "stack depth " };
	unsigned int i;

	for (i = 0; i < sizeof(skip) / sizeof(skip[0]); i++)
		if (len >= strlen(skip[i]) &&
		    strncmp(p, skip[i], strlen(skip[i])) == 0)
			return true;
	return false;
}

void
op25b_xdp_log_summary(const char *log, unsigned int lines, char *out,
		      size_t size)
{
	static const char begin[] = "-- BEGIN PROG LOAD LOG --";
	static const char end_mark[] = "-- END PROG LOAD LOG --";
	const char *from = log, *to, *p, *e, *b, *nl;
	const char *starts[16];
	size_t lens[16];
	unsigned int n = 0, i;
	size_t used = 0;

	if (size == 0)
		return;
	out[0] = '\0';
	if (lines > 16)
		lines = 16;
	to = log + strlen(log);
	/* The verifier's own lines, when libbpf framed them. */
	for (p = log; (p = strstr(p, end_mark)) != NULL; p++)
		to = p;
	for (p = log; (p = strstr(p, begin)) != NULL && p < to; p++) {
		nl = strchr(p, '\n');
		from = nl != NULL && nl < to ? nl + 1 : to;
	}
	/* The last @lines non-empty lines before @to, statistics skipped. */
	for (e = to; e > from && n < lines;) {
		while (e > from && (e[-1] == '\n' || e[-1] == ' ' ||
				    e[-1] == '\t' || e[-1] == '\r'))
			e--;
		for (b = e; b > from && b[-1] != '\n';)
			b--;
		if (e > b && !log_statistics(b, (size_t)(e - b))) {
			p = strncmp(b, "libbpf: ", 8) == 0 && e - b > 8 ? b + 8
									: b;
			starts[n] = p;
			lens[n++] = (size_t)(e - p);
		}
		e = b;
	}
	/* Oldest first; runs of blanks (the verifier pads its register
	 * notes into a column) squeezed to one space. */
	for (i = n; i-- > 0;) {
		const char *c = starts[i], *ce = starts[i] + lens[i];

		if (i + 1 < n)
			for (p = " | "; *p != '\0' && used + 1 < size; p++)
				out[used++] = *p;
		for (; c < ce && used + 1 < size; c++) {
			if ((*c == ' ' || *c == '\t') && used > 0 &&
			    out[used - 1] == ' ')
				continue;
			out[used++] = *c == '\t' ? ' ' : *c;
		}
	}
	out[used] = '\0';
}

struct op25b_xdp *
op25b_xdp_load(char *log, size_t size)
{
	return op25b_xdp_load_sized(0, log, size);
}

struct op25b_xdp *
op25b_xdp_load_sized(uint32_t adaptive_entries, char *log, size_t size)
{
	struct op25b_xdp *x;
	struct op25b_xdp_bpf *skel;
	int err, i;

	if (adaptive_entries == 0)
		adaptive_entries = OP25B_XDP_ADAPTIVE_ENTRIES;
	if (adaptive_entries < OP25B_XDP_ADAPTIVE_ENTRIES_MIN ||
	    adaptive_entries > OP25B_XDP_ADAPTIVE_ENTRIES_MAX) {
		errno = EINVAL;
		return NULL;
	}
	x = calloc(1, sizeof(*x));
	if (x == NULL)
		return NULL;
	x->foreign_map = -1;
	if (log != NULL && size > 0)
		log[0] = '\0';
	log_buf = log;
	log_size = size;
	libbpf_set_print(libbpf_log);
	skel = op25b_xdp_bpf__open();
	if (skel == NULL) {
		err = errno;
		goto fail;
	}
#ifdef OP25B_TEST_HOOKS
	/* A test hook (builds with the tests only): the same object loaded
	 * as another program type, which the verifier refuses at the first
	 * context access, so that the refusal's report is tested with a
	 * real verifier log. */
	if (getenv("OP25B_XDP_TEST_REJECT") != NULL)
		bpf_program__set_type(skel->progs.op25b_xdp,
				      BPF_PROG_TYPE_SOCKET_FILTER);
#endif
	/* An LRU hash is preallocated: its size is chosen before it is. */
	err = -bpf_map__set_max_entries(skel->maps.op25b_adaptive,
					adaptive_entries);
	if (err != 0) {
		op25b_xdp_bpf__destroy(skel);
		goto fail;
	}
	err = -op25b_xdp_bpf__load(skel);
	if (err != 0) {
		op25b_xdp_bpf__destroy(skel);
		goto fail;
	}
	x->skel = skel;
	x->prog_fd = bpf_program__fd(skel->progs.op25b_xdp);
	for (i = 0; i < XDP_MAP_MAX; i++)
		x->map_fd[i] = bpf_object__find_map_fd_by_name(
			skel->obj, op25b_xdp_map_names[i]);
	log_buf = NULL;
	libbpf_set_print(NULL);
	return x;

fail:
	log_buf = NULL;
	libbpf_set_print(NULL);
	free(x);
	errno = err;
	return NULL;
}

void
op25b_xdp_close(struct op25b_xdp *x)
{
	int i;

	if (x == NULL)
		return;
	op25b_xdp_pin_release(x);
	if (x->skel != NULL) {
		op25b_xdp_bpf__destroy(x->skel);
	} else {
		for (i = 0; i < XDP_MAP_MAX; i++)
			if (x->map_fd[i] >= 0)
				close(x->map_fd[i]);
		if (x->prog_fd >= 0)
			close(x->prog_fd);
	}
	free(x);
}

uint32_t
op25b_xdp_prog_id(struct op25b_xdp *x)
{
	struct bpf_prog_info info = { 0 };
	uint32_t len = sizeof(info);

	if (bpf_obj_get_info_by_fd(x->prog_fd, &info, &len) != 0)
		return 0;
	return info.id;
}

int
op25b_xdp_policy_supported(const struct op25b_policy *policy, char *msg,
			   size_t size)
{
	unsigned int i;

	/* Refused, not accepted and left unenforced (see doc/xdp.md). A
	 * group or the default is never adaptive (the policy refuses it):
	 * checked all the same, since the matrix has no rule for them. */
	for (i = 0; i < policy->n_groups; i++) {
		if (policy->groups[i].action == OP25B_ACTION_ADAPTIVE) {
			snprintf(msg, size,
				 "%s: group '%s': action adaptive is not "
				 "supported by op25b-xdp yet",
				 policy->file, policy->groups[i].name);
			return -ENOTSUP;
		}
	}
	if (policy->default_action == OP25B_ACTION_ADAPTIVE) {
		snprintf(msg, size,
			 "%s: default adaptive is not supported by op25b-xdp",
			 policy->file);
		return -ENOTSUP;
	}
	return 0;
}

/* The outcome of a rule's action as the program applies it (the matrix):
 * monitor mode turns a block into a count, block: reset (the class's own,
 * else the policy's) makes it a reset candidate, adaptive is resolved by
 * the program (the class's rule), block: notify answers in the program,
 * as lib/classify's matrix. */
static uint8_t
matrix_outcome(const struct op25b_policy *policy, enum op25b_action action,
	       int class_id)
{
	if (action == OP25B_ACTION_ADAPTIVE)
		return OP25B_XDP_MATRIX_ADAPTIVE;
	if (action == OP25B_ACTION_BLOCK) {
		if (policy->mode == OP25B_MODE_MONITOR)
			return OP25B_OUTCOME_COUNTED;
		switch (op25b_policy_block_of(policy, class_id)) {
		case OP25B_BLOCK_RESET:
			return OP25B_OUTCOME_RESET;
		case OP25B_BLOCK_NOTIFY:
			return OP25B_XDP_MATRIX_NOTIFY;
		default:
			return OP25B_OUTCOME_BLOCKED;
		}
	}
	return action == OP25B_ACTION_COUNT ? OP25B_OUTCOME_COUNTED
					    : OP25B_OUTCOME_FORWARDED;
}

/* Which class and group each counter slot holds now (-1: none), from
 * the names: a name keeps its slot across reloads, a new one takes the
 * first slot never named (slots are never reused: a removed class keeps
 * its counts under its name). */
struct slot_map {
	int16_t class_of_slot[OP25B_STATS_SLOTS];
	int16_t group_of_slot[OP25B_STATS_SLOTS];
	uint8_t class_slot[OP25B_POLICY_MAX_CLASSES];
	uint8_t group_slot[OP25B_POLICY_MAX_GROUPS];
};

static int
slot_of_name(char (*names)[OP25B_STATS_NAME_MAX], uint32_t *n_slots,
	     const char *name)
{
	uint32_t s;

	for (s = 1; s < *n_slots; s++)
		if (strcmp(names[s], name) == 0)
			return (int)s;
	if (*n_slots >= OP25B_STATS_SLOTS)
		return -ENOSPC;
	snprintf(names[*n_slots], OP25B_STATS_NAME_MAX, "%s", name);
	return (int)(*n_slots)++;
}

static int
slots_assign(const struct op25b_policy *policy, struct op25b_stats_names *n,
	     struct slot_map *m)
{
	unsigned int k;
	int s;

	if (n->n_class_slots == 0) {
		n->n_class_slots = n->n_group_slots = 1;
		snprintf(n->class_name[0], OP25B_STATS_NAME_MAX, "(none)");
		snprintf(n->group_name[0], OP25B_STATS_NAME_MAX, "(none)");
	}
	for (k = 0; k < OP25B_STATS_SLOTS; k++) {
		m->class_of_slot[k] = m->group_of_slot[k] = -1;
		n->class_active[k] = n->group_active[k] = k == 0;
	}
	for (k = 0; k < policy->n_classes; k++) {
		s = slot_of_name(n->class_name, &n->n_class_slots,
				 policy->classes[k].name);
		if (s < 0)
			return s;
		m->class_slot[k] = (uint8_t)s;
		m->class_of_slot[s] = (int16_t)k;
		n->class_active[s] = 1;
	}
	for (k = 0; k < policy->n_groups; k++) {
		s = slot_of_name(n->group_name, &n->n_group_slots,
				 policy->groups[k].name);
		if (s < 0)
			return s;
		m->group_slot[k] = (uint8_t)s;
		m->group_of_slot[s] = (int16_t)k;
		n->group_active[s] = 1;
	}
	return 0;
}

/* An adaptive class's limit for the program (lib/adaptive's
 * op25b_adaptive_rule_init() in ns); other classes keep a zero rule. */
static void
adaptive_rule_fill(const struct op25b_policy *policy, int class_id,
		   struct op25b_xdp_adaptive_rule *r)
{
	const struct op25b_policy_class *cls = &policy->classes[class_id];
	const uint64_t ns = 1000000000ull;

	if (cls->action != OP25B_ACTION_ADAPTIVE)
		return;
	r->per_ns = cls->limit.per_seconds * ns;
	r->sub_ns = r->per_ns / OP25B_XDP_ADAPTIVE_SUBWINDOWS;
	if (r->sub_ns == 0)
		r->sub_ns = 1;
	r->block_ns = cls->limit.block_seconds * ns;
	r->connections = cls->limit.connections;
	r->destinations = cls->limit.destinations;
	r->ipv6_key = cls->limit.ipv6_key == 0 ? 64 : cls->limit.ipv6_key;
	/* A blocked source gets its class's block (counted only in monitor
	 * mode). */
	r->block_outcome = matrix_outcome(policy, OP25B_ACTION_BLOCK, class_id);
}

static void
policy_fill(const struct op25b_policy *policy, const struct slot_map *m,
	    struct op25b_xdp_policy *v)
{
	unsigned int i, j;

	memset(v, 0, sizeof(*v));
	op25b_policy_port_table(policy, v->port_kind, false);
	/* Every cell: a slot that no table yields (a name no longer in the
	 * policy) reads as "no class" / "no group" would. */
	for (i = 0; i < OP25B_STATS_SLOTS; i++)
		for (j = 0; j < OP25B_STATS_SLOTS; j++)
			v->matrix[i * OP25B_STATS_SLOTS + j] = matrix_outcome(
				policy,
				op25b_policy_decide(policy, m->class_of_slot[i],
						    m->group_of_slot[j], NULL),
				m->class_of_slot[i]);
	v->max_vlan_tags =
		(uint8_t)(policy->max_vlan_tags == 0
				  ? OP25B_POLICY_DEFAULT_VLAN_TAGS
			  : policy->max_vlan_tags > OP25B_XDP_MAX_VLAN_TAGS
				  ? OP25B_XDP_MAX_VLAN_TAGS
				  : policy->max_vlan_tags);
	v->malformed_forward = policy->malformed == OP25B_MALFORMED_FORWARD;
	v->stats_mode = (uint8_t)(1 + op25b_policy_mode_stats(policy->mode));
	v->stats_block = (uint8_t)(1 + op25b_policy_block_stats(policy->block));
	for (i = 0; i < OP25B_STATS_SLOTS; i++)
		if (m->class_of_slot[i] >= 0)
			adaptive_rule_fill(policy, m->class_of_slot[i],
					   &v->adaptive[i]);
}

/* The map-in-maps of a generation's tables: the policy's prefixes in
 * gather() order, then the exemptions (exempt_gather()). */
#define XDP_TABLES 6
static const int lpm_maps[XDP_TABLES] = { XDP_MAP_SRC4,	   XDP_MAP_DST4,
					  XDP_MAP_SRC6,	   XDP_MAP_DST6,
					  XDP_MAP_EXEMPT4, XDP_MAP_EXEMPT6 };

/* Keys and values of one prefix table, gathered for one batch: a slot
 * (one byte) for the policy's tables, a struct op25b_xdp_exempt for the
 * exemptions'. */
struct lpm_batch {
	void *keys;
	uint8_t *values;
	size_t n, cap, key_size, value_size;
};

static int
batch_add(struct lpm_batch *b, const struct op25b_prefix *p, const void *value)
{
	uint8_t *k;

	if (b->n == b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 1024;
		void *keys = realloc(b->keys, cap * b->key_size);
		uint8_t *values;

		if (keys == NULL)
			return -ENOMEM;
		b->keys = keys;
		values = realloc(b->values, cap * b->value_size);
		if (values == NULL)
			return -ENOMEM;
		b->values = values;
		b->cap = cap;
	}
	k = (uint8_t *)b->keys + b->n * b->key_size;
	memset(k, 0, b->key_size);
	if (p->family == AF_INET) {
		struct op25b_xdp_key4 *k4 = (void *)k;

		k4->prefixlen = p->length;
		memcpy(k4->addr, p->addr, 4);
	} else {
		struct op25b_xdp_key6 *k6 = (void *)k;

		k6->prefixlen = p->length;
		memcpy(k6->addr, p->addr, 16);
	}
	memcpy(b->values + b->n++ * b->value_size, value, b->value_size);
	return 0;
}

static void
batch_init(struct lpm_batch *b, int family, size_t value_size)
{
	memset(b, 0, sizeof(*b));
	b->key_size = family == AF_INET ? sizeof(struct op25b_xdp_key4)
					: sizeof(struct op25b_xdp_key6);
	b->value_size = value_size;
}

static void
batch_free(struct lpm_batch *b)
{
	free(b->keys);
	free(b->values);
}

/* Key order: address, then length; the prefix length is the key's first
 * word, the address follows. */
static int
key_compare(const void *a, const void *b, void *key_size)
{
	const uint8_t *ka = a, *kb = b;
	uint32_t la, lb;
	int c = memcmp(ka + 4, kb + 4, *(const size_t *)key_size - 4);

	if (c != 0)
		return c;
	memcpy(&la, ka, 4);
	memcpy(&lb, kb, 4);
	return la < lb ? -1 : la > lb;
}

/*
 * Sort @b by address: the kernel inserts into an LPM trie about five
 * times faster in address order than at random (1M IPv4 prefixes, 6.18:
 * 2.1 s against 9.9 s), each insert walking the path the previous one
 * left in cache. The values follow their keys: each key is sorted with
 * its value in a scratch array of records.
 */
static int
batch_sort(struct lpm_batch *b)
{
	size_t rec = b->key_size + b->value_size, i;
	uint8_t *r;

	if (b->n < 2)
		return 0;
	r = malloc(b->n * rec);
	if (r == NULL)
		return -ENOMEM;
	for (i = 0; i < b->n; i++) {
		memcpy(r + i * rec, (uint8_t *)b->keys + i * b->key_size,
		       b->key_size);
		memcpy(r + i * rec + b->key_size, b->values + i * b->value_size,
		       b->value_size);
	}
	/* The record's value lies after the key: compared never. */
	qsort_r(r, b->n, rec, key_compare, &b->key_size);
	for (i = 0; i < b->n; i++) {
		memcpy((uint8_t *)b->keys + i * b->key_size, r + i * rec,
		       b->key_size);
		memcpy(b->values + i * b->value_size, r + i * rec + b->key_size,
		       b->value_size);
	}
	free(r);
	return 0;
}

/* The kernel's "operation not supported" (524: not in the UAPI headers),
 * which a kernel without batch operations on a map may return. */
#define XDP_ENOTSUPP 524

_Static_assert(sizeof(((struct op25b_xdp_active *)0)->policy) ==
		       OP25B_XDP_POLICY_PATH_MAX,
	       "the program keeps the path op25b_xdp.h says");

/* bpf_map_update_batch() of @b's @count prefixes into @fd. */
static int
batch_update(int fd, const struct lpm_batch *b, uint32_t *count)
{
	LIBBPF_OPTS(bpf_map_batch_opts, batch);
#ifdef OP25B_TEST_HOOKS
	/* A test hook (builds with the tests only): the answer of a kernel
	 * without batch updates on LPM tries (Debian 12's 6.1: EINVAL), or
	 * a batch that stopped halfway, whatever the test machine's kernel
	 * does, so that the fallback below is tested everywhere
	 * (test/unit/meson.build: xdp-batch-none, xdp-batch-half). */
	const char *hook = getenv("OP25B_XDP_TEST_BATCH");

	if (hook != NULL && strcmp(hook, "none") == 0) {
		errno = EINVAL;
		return -1;
	}
	if (hook != NULL && strcmp(hook, "half") == 0 && *count > 1) {
		*count /= 2;
		if (bpf_map_update_batch(fd, b->keys, b->values, count,
					 &batch) != 0)
			return -1;
		errno = E2BIG;
		return -1;
	}
#endif
	return bpf_map_update_batch(fd, b->keys, b->values, count, &batch);
}

/*
 * A new prefix table holding @b: one batch update where the kernel takes
 * them for LPM tries (6.18 does), else prefix by prefix (6.1). Returns its
 * fd, or -errno.
 */
static int
table_create(const struct lpm_batch *b, const char *name, uint32_t max)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = BPF_F_NO_PREALLOC);
	uint32_t count = (uint32_t)b->n;
	size_t i;
	int fd, err = 0;

	fd = bpf_map_create(BPF_MAP_TYPE_LPM_TRIE, name, (uint32_t)b->key_size,
			    (uint32_t)b->value_size, max, &opts);
	if (fd < 0)
		return -errno;
	if (b->n == 0)
		return fd;
	if (batch_update(fd, b, &count) == 0)
		return fd;
	/* A kernel without batch operations writes no count: libbpf leaves
	 * the one given (all of them), and the loop below would insert
	 * nothing. */
	if (errno == EINVAL || errno == ENOTSUP || errno == EOPNOTSUPP ||
	    errno == XDP_ENOTSUPP)
		count = 0;
	/* Refused as a whole (no batch operations): one by one, from
	 * wherever the batch stopped. */
	for (i = count; i < b->n && err == 0; i++)
		if (bpf_map_update_elem(
			    fd, (uint8_t *)b->keys + i * b->key_size,
			    b->values + i * b->value_size, BPF_ANY) != 0)
			err = -errno;
	if (err != 0) {
		close(fd);
		return err;
	}
	return fd;
}

/* Gather the policy's prefixes: sources into src4/src6, destinations into
 * dst4/dst6 (lpm_maps order), each with its slot. */
static int
gather(const struct op25b_policy *policy, const struct slot_map *m,
       struct lpm_batch b[4])
{
	unsigned int i, k;
	int err = 0;

	for (i = 0; i < 4; i++)
		batch_init(&b[i], i < 2 ? AF_INET : AF_INET6, 1);
	for (k = 0; k < policy->n_classes && err == 0; k++) {
		const struct op25b_prefix_list *l =
			&policy->classes[k].prefixes;

		for (i = 0; i < l->count && err == 0; i++)
			err = batch_add(
				&b[l->prefixes[i].family == AF_INET ? 0 : 2],
				&l->prefixes[i], &m->class_slot[k]);
	}
	for (k = 0; k < policy->n_groups && err == 0; k++) {
		const struct op25b_prefix_list *l = &policy->groups[k].prefixes;

		for (i = 0; i < l->count && err == 0; i++)
			err = batch_add(
				&b[l->prefixes[i].family == AF_INET ? 1 : 3],
				&l->prefixes[i], &m->group_slot[k]);
	}
	for (i = 0; i < 4 && err == 0; i++)
		err = b[i].n > OP25B_XDP_PREFIXES_MAX ? -E2BIG
						      : batch_sort(&b[i]);
	return err;
}

/* CLOCK_REALTIME in ns. A build with the tests steps it by the
 * milliseconds in the file OP25B_TEST_WALL_STEP_FILE names, read at each
 * call, so that a test steps the wall clock of a running op25b-xdp
 * (test/integration/xdp_clock.sh) and of nothing else. */
static int64_t
wall_ns(void)
{
	struct timespec real;
	int64_t ns;

	clock_gettime(CLOCK_REALTIME, &real);
	ns = (int64_t)real.tv_sec * 1000000000 + real.tv_nsec;
#ifdef OP25B_TEST_HOOKS
	if (getenv("OP25B_TEST_WALL_STEP_FILE") != NULL) {
		FILE *f = fopen(getenv("OP25B_TEST_WALL_STEP_FILE"), "r");
		long long step_ms = 0;

		if (f != NULL) {
			if (fscanf(f, "%lld", &step_ms) != 1)
				step_ms = 0;
			fclose(f);
		}
		ns += step_ms * 1000000;
	}
#endif
	return ns;
}

int64_t
op25b_xdp_wall_offset_ns(void)
{
	struct timespec boot;
	int64_t real = wall_ns();

	clock_gettime(CLOCK_BOOTTIME, &boot);
	return real - ((int64_t)boot.tv_sec * 1000000000 + boot.tv_nsec);
}

/* The map value of exemption @e; false when it has expired at @now_ms. */
static bool
exempt_value(const struct op25b_exempt_entry *e, uint64_t now_ms,
	     int64_t offset, struct op25b_xdp_exempt *v)
{
	memset(v, 0, sizeof(*v));
	v->prefixlen = e->prefix.length;
	if (e->expires == 0)
		return true;
	if (e->expires <= now_ms)
		return false;
	/* The program's clock is 64-bit nanoseconds: an expiry past 2262
	 * (the state file takes years to 9999) would wrap and end the
	 * exemption early; that far, it is never. */
	if (e->expires > (uint64_t)INT64_MAX / 1000000)
		return true;
	v->expires_ns = (uint64_t)((int64_t)(e->expires * 1000000) - offset);
	return true;
}

uint64_t
op25b_xdp_now_ms(void)
{
	return (uint64_t)(wall_ns() / 1000000);
}

/* The unexpired exemptions of @reg (may be NULL) into b[0] (IPv4) and
 * b[1] (IPv6). */
static int
exempt_gather(const struct op25b_exempt_registry *reg, struct lpm_batch b[2])
{
	const struct op25b_exempt_entry *e;
	struct op25b_xdp_exempt v;
	uint64_t now = op25b_xdp_now_ms();
	int64_t offset = op25b_xdp_wall_offset_ns();
	unsigned int i, n;
	int err = 0;

	batch_init(&b[0], AF_INET, sizeof(v));
	batch_init(&b[1], AF_INET6, sizeof(v));
	if (reg == NULL)
		return 0;
	e = op25b_exempt_registry_entries(reg);
	n = op25b_exempt_registry_count(reg);
	for (i = 0; i < n && err == 0; i++)
		if (exempt_value(&e[i], now, offset, &v))
			err = batch_add(
				&b[e[i].prefix.family == AF_INET ? 0 : 1],
				&e[i].prefix, &v);
	for (i = 0; i < 2 && err == 0; i++)
		err = batch_sort(&b[i]);
	return err;
}

/* The one entry of the op25b_active map into @active: 0 or -errno. */
static int
active_slot(struct op25b_xdp *x, struct op25b_xdp_active *active)
{
	uint32_t zero = 0;

	if (bpf_map_lookup_elem(x->map_fd[XDP_MAP_ACTIVE], &zero, active) != 0)
		return -errno;
	return 0;
}

/* @active into the one entry of the op25b_active map: 0 or -errno. */
static int
active_slot_store(struct op25b_xdp *x, const struct op25b_xdp_active *active)
{
	uint32_t zero = 0;

	if (bpf_map_update_elem(x->map_fd[XDP_MAP_ACTIVE], &zero, active,
				BPF_ANY) != 0)
		return -errno;
	return 0;
}

_Static_assert(offsetof(struct op25b_stats_names, group_active) ==
		       offsetof(struct op25b_stats_names, class_active) +
			       OP25B_STATS_SLOTS,
	       "the active flags of classes and groups are one block");

/* An apply that did not switch: the names it wrote (@now) back to those
 * of before (@before; NULL: none read, and so none written: the lookup
 * or an allocation failed, @before's bytes are not the map's), as they
 * never counted. */
static void
names_put_back(struct op25b_xdp *x, const struct op25b_stats_names *before,
	       const struct op25b_stats_names *now)
{
	uint32_t zero = 0;

	if (before != NULL && memcmp(before, now, sizeof(*now)) != 0)
		bpf_map_update_elem(x->map_fd[XDP_MAP_NAMES], &zero, before,
				    BPF_ANY);
}

int
op25b_xdp_apply(struct op25b_xdp *x, const struct op25b_policy *policy,
		const struct op25b_exempt_registry *exempt,
		const char *exempt_file)
{
	static const char *const table_names[XDP_TABLES] = {
		"op25b_t_src4", "op25b_t_dst4", "op25b_t_src6",
		"op25b_t_dst6", "op25b_t_ex4",	"op25b_t_ex6"
	};
	int fd[XDP_TABLES] = { -1, -1, -1, -1, -1, -1 };
	struct op25b_xdp_active active;
	struct op25b_xdp_policy *v = NULL;
	struct op25b_stats_names *names = NULL, *names_before = NULL;
	/* names_before holds the map's names (a refusal puts them back). */
	bool names_read = false;
	/* class_active and group_active, side by side in the layout */
	uint8_t was_active[2 * OP25B_STATS_SLOTS];
	uint8_t now_active[2 * OP25B_STATS_SLOTS];
	struct slot_map *slots = NULL;
	struct lpm_batch b[XDP_TABLES] = { 0 };
	uint32_t zero = 0, idle, old;
	uint64_t total = 0;
	unsigned int i;
	char msg[256];
	int err = 0;

	x->forgotten = 0;
	x->switched = false;
	if (op25b_xdp_policy_supported(policy, msg, sizeof(msg)) != 0)
		return -ENOTSUP;
	/* The files are kept for reload without --policy: cut short, a
	 * later reload would read another file. */
	if (strlen(policy->file) >= sizeof(active.policy) ||
	    (exempt_file != NULL &&
	     strlen(exempt_file) >= sizeof(active.exemptions)))
		return -ENAMETOOLONG;
	/* Maps of another layout (op25b_xdp_open_pinned_any()): unload
	 * and load it again. */
	if (x->foreign_map >= 0)
		return -EPROTO;
	err = active_slot(x, &active);
	if (err != 0)
		return err;
	old = active.gen & 1;
	idle = old ^ 1;
	names = malloc(sizeof(*names));
	names_before = malloc(sizeof(*names_before));
	slots = malloc(sizeof(*slots));
	if (names == NULL || names_before == NULL || slots == NULL)
		err = -ENOMEM;
	else if (bpf_map_lookup_elem(x->map_fd[XDP_MAP_NAMES], &zero, names) !=
		 0)
		err = -errno;
#ifdef OP25B_TEST_HOOKS
	/* A test hook: the names not read (test_xdp's names rollback). */
	else if (getenv("OP25B_XDP_TEST_NAMES_UNREAD") != NULL)
		err = -EIO;
#endif
	else {
		memcpy(was_active, names->class_active, sizeof(was_active));
		memcpy(names_before, names, sizeof(*names));
		names_read = true;
	}
	if (err == 0)
		err = slots_assign(policy, names, slots);
	/* The new names first, with the running policy's flags: a reader may
	 * name a slot before any packet counts in it, never the other way
	 * round; the flags follow the switch. */
	if (err == 0) {
		memcpy(now_active, names->class_active, sizeof(now_active));
		memcpy(names->class_active, was_active, sizeof(was_active));
		if (bpf_map_update_elem(x->map_fd[XDP_MAP_NAMES], &zero, names,
					BPF_ANY) != 0)
			err = -errno;
		memcpy(names->class_active, now_active, sizeof(now_active));
	}
	if (err == 0)
		err = gather(policy, slots, b);
	if (err == 0)
		err = exempt_gather(exempt, &b[4]);
	/* The new tables, filled aside: no program sees them yet. */
	for (i = 0; i < XDP_TABLES && err == 0; i++) {
		if (i < 4)
			total += b[i].n;
		fd[i] = table_create(&b[i], table_names[i],
				     i < 4 ? OP25B_XDP_PREFIXES_MAX
					   : OP25B_XDP_EXEMPTIONS_MAX);
		if (fd[i] < 0)
			err = fd[i];
	}
	if (err == 0) {
		v = malloc(sizeof(*v));
		if (v == NULL)
			err = -ENOMEM;
	}
	if (err == 0) {
		policy_fill(policy, slots, v);
		if (bpf_map_update_elem(x->map_fd[XDP_MAP_POLICY], &idle, v,
					BPF_ANY) != 0)
			err = -errno;
	}
	if (err == 0)
		err = xdp_notify_fill(x, policy, idle);
	/* Into the idle generation's slots: still no packet reads them. */
	for (i = 0; i < XDP_TABLES && err == 0; i++)
		if (bpf_map_update_elem(x->map_fd[lpm_maps[i]], &idle, &fd[i],
					BPF_ANY) != 0)
			err = -errno;
#ifdef OP25B_TEST_HOOKS
	/* A test hook (builds with the tests only): a refusal after the
	 * names and the idle generation were written, as a map full at its
	 * last update would give (test_xdp's names rollback). */
	if (err == 0 && getenv("OP25B_XDP_TEST_APPLY_FAIL") != NULL)
		err = -ENOSPC;
#endif
	if (err != 0) {
		/* Not switched: the names this policy gave go again (they
		 * never counted; kept, they would show as removed classes
		 * and use up the names a program may give). */
		names_put_back(x, names_read ? names_before : NULL, names);
		goto out;
	}
	/* The switch: one store, which the program reads once a packet. */
	if (active.policy[0] != '\0')
		active.reloads++;
	snprintf(active.policy, sizeof(active.policy), "%s", policy->file);
	if (exempt_file != NULL)
		snprintf(active.exemptions, sizeof(active.exemptions), "%s",
			 exempt_file);
	active.prefixes[idle] = total;
	active.prefixes[old] = 0;
	active.gen = (active.gen & ~1u) | idle;
	err = active_slot_store(x, &active);
	x->switched = err == 0;
	if (err != 0)
		names_put_back(x, names_before, names);
#ifdef OP25B_TEST_HOOKS
	/* A test hook: a failure after the switch, as the names' update,
	 * the RCU wait or an old table's delete could give (xdp_replay.sh's
	 * reload that fails after its switch). */
	if (err == 0 && getenv("OP25B_XDP_TEST_APPLY_FAIL_SWITCHED") != NULL)
		err = -EIO;
#endif
	if (err == 0 && bpf_map_update_elem(x->map_fd[XDP_MAP_NAMES], &zero,
					    names, BPF_ANY) != 0)
		err = -errno;
	if (err != 0)
		goto out;
	/* A packet that read the old generation may still be looking in its
	 * tables. An update of a map-in-map returns once every program that
	 * could see the value it replaced is done (an RCU grace period, in
	 * the kernel's maybe_wait_bpf_programs()): one such update with the
	 * same table, then the old tables go; the kernel frees them. */
	if (bpf_map_update_elem(x->map_fd[lpm_maps[0]], &idle, &fd[0],
				BPF_ANY) != 0) {
		err = -errno;
		goto out;
	}
	for (i = 0; i < XDP_TABLES; i++)
		if (bpf_map_delete_elem(x->map_fd[lpm_maps[i]], &old) != 0 &&
		    errno != ENOENT && err == 0)
			err = -errno;
	/* After the grace period: no packet counts under the old rules. A
	 * walk that fails leaves sources the next reload looks at again;
	 * the switch stands. */
	if (names_before != NULL && names_before->n_class_slots != 0) {
		int64_t n =
			xdp_adaptive_forget(x, policy, slots->class_slot, v);

		x->forgotten = n > 0 ? (uint64_t)n : 0;
	}
out:
	free(v);
	free(names);
	free(names_before);
	free(slots);
	for (i = 0; i < XDP_TABLES; i++) {
		if (fd[i] >= 0)
			close(fd[i]); /* the slots hold their own references */
		batch_free(&b[i]);
	}
	return err;
}

/* The program's load time, from the kernel's (since boot) to the wall
 * clock's; 0 when the kernel does not say. */
static uint64_t
load_time_ns(struct op25b_xdp *x)
{
	struct bpf_prog_info info = { 0 };
	uint32_t len = sizeof(info);
	struct timespec boot, real;
	uint64_t boot_ns, real_ns;

	if (bpf_obj_get_info_by_fd(x->prog_fd, &info, &len) != 0 ||
	    clock_gettime(CLOCK_BOOTTIME, &boot) != 0 ||
	    clock_gettime(CLOCK_REALTIME, &real) != 0)
		return 0;
	boot_ns = (uint64_t)boot.tv_sec * 1000000000u + (uint64_t)boot.tv_nsec;
	real_ns = (uint64_t)real.tv_sec * 1000000000u + (uint64_t)real.tv_nsec;
	return real_ns - (boot_ns - info.load_time);
}

static int exempt_table(struct op25b_xdp *x, int family);

/* The unexpired entries of the running exemption tables (what applies). */
static uint32_t
exempt_count(struct op25b_xdp *x)
{
	struct timespec boot;
	struct op25b_xdp_key6 key, next;
	struct op25b_xdp_exempt v;
	static const int family[] = { AF_INET, AF_INET6 };
	uint64_t now;
	uint32_t n = 0;
	unsigned int f;
	void *prev;
	int fd;

	clock_gettime(CLOCK_BOOTTIME, &boot);
	now = (uint64_t)boot.tv_sec * 1000000000u + (uint64_t)boot.tv_nsec;
	for (f = 0; f < 2; f++) {
		fd = exempt_table(x, family[f]);
		if (fd < 0)
			continue;
		for (prev = NULL; bpf_map_get_next_key(fd, prev, &next) == 0;
		     prev = &key) {
			key = next;
			if (bpf_map_lookup_elem(fd, &key, &v) == 0 &&
			    (v.expires_ns == 0 || v.expires_ns > now))
				n++;
		}
		close(fd);
	}
	return n;
}

int
op25b_xdp_state(struct op25b_xdp *x, struct op25b_xdp_state *state)
{
	struct op25b_xdp_active active;
	int err = active_slot(x, &active);

	if (err != 0)
		return err;
	state->gen = active.gen & 1;
	state->prefixes = active.prefixes[state->gen];
	state->reloads = active.reloads;
	state->reload_failed = active.gen >> 1;
	state->ifindex = (int)active.ifindex;
	memcpy(state->exemptions, active.exemptions, sizeof(state->exemptions));
	state->exemptions[sizeof(state->exemptions) - 1] = '\0';
	state->n_exemptions = exempt_count(x);
	state->loaded_ns = load_time_ns(x);
	memcpy(state->policy, active.policy, sizeof(state->policy));
	state->policy[sizeof(state->policy) - 1] = '\0';
	return 0;
}

int
op25b_xdp_switches(struct op25b_xdp *x, unsigned int *mode, unsigned int *block)
{
	struct op25b_xdp_active active;
	struct op25b_xdp_policy *v;
	uint32_t gen;
	int err = active_slot(x, &active);

	if (err != 0)
		return err;
	/* 138 KB: not on the stack. */
	v = malloc(sizeof(*v));
	if (v == NULL)
		return -ENOMEM;
	gen = active.gen & 1;
	if (bpf_map_lookup_elem(x->map_fd[XDP_MAP_POLICY], &gen, v) != 0)
		err = -errno;
	else if (v->stats_mode == 0 || v->stats_block == 0)
		err = -ENODATA;
	else {
		*mode = v->stats_mode - 1u;
		*block = v->stats_block - 1u;
	}
	free(v);
	return err;
}

int
op25b_xdp_set_ifindex(struct op25b_xdp *x, int ifindex)
{
	struct op25b_xdp_active active;
	/* Only op25b-xdp writes this map, one command at a time. */
	int err = active_slot(x, &active);

	if (err != 0)
		return err;
	active.ifindex = (uint32_t)ifindex;
	return active_slot_store(x, &active);
}

/* The kernel's memlock figure of the map @fd, 0 when it does not say. */
static uint64_t
fd_memlock(int fd)
{
	unsigned long long v, total = 0;
	char path[64], line[256];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "memlock: %llu", &v) == 1)
			total += v;
	fclose(f);
	return total;
}

int
op25b_xdp_names(struct op25b_xdp *x, struct op25b_stats_names *names)
{
	uint32_t zero = 0;

	if (bpf_map_lookup_elem(x->map_fd[XDP_MAP_NAMES], &zero, names) != 0)
		return -errno;
	return 0;
}

uint64_t
op25b_xdp_memory(struct op25b_xdp *x)
{
	uint64_t total = 0;
	uint32_t gen;
	unsigned int i;
	int fd;

	for (i = 0; i < XDP_MAP_MAX; i++)
		total += fd_memlock(x->map_fd[i]);
	/* The prefix tables, held by the slots of the map-in-maps. */
	for (i = 0; i < XDP_TABLES; i++)
		for (gen = 0; gen < OP25B_XDP_GENERATIONS; gen++) {
			fd = xdp_inner_map(x->map_fd[lpm_maps[i]], gen);
			if (fd < 0)
				continue;
			total += fd_memlock(fd);
			close(fd);
		}
	return total;
}

int
op25b_xdp_counters(struct op25b_xdp *x, struct op25b_stats_counters *sum)
{
	int ncpus = libbpf_num_possible_cpus();
	struct op25b_stats_counters *per;
	const uint64_t *src;
	uint64_t *dst = (uint64_t *)sum;
	uint32_t zero = 0;
	size_t words = sizeof(*sum) / sizeof(uint64_t), w;
	int cpu;

	if (ncpus <= 0)
		return ncpus < 0 ? ncpus : -EINVAL;
	per = calloc((size_t)ncpus, sizeof(*per));
	if (per == NULL)
		return -ENOMEM;
	if (bpf_map_lookup_elem(x->map_fd[XDP_MAP_COUNTERS], &zero, per) != 0) {
		int err = -errno;

		free(per);
		return err;
	}
	memset(sum, 0, sizeof(*sum));
	for (cpu = 0; cpu < ncpus; cpu++) {
		src = (const uint64_t *)&per[cpu];
		for (w = 0; w < words; w++)
			dst[w] += src[w];
	}
	free(per);
	return 0;
}

int
op25b_xdp_test_run(struct op25b_xdp *x, const void *frame, uint32_t len,
		   void *out, uint32_t out_size, uint32_t repeat,
		   struct op25b_xdp_run *run)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame,
		    .data_size_in = len, .data_out = out,
		    .data_size_out = out_size, .repeat = repeat);

	if (bpf_prog_test_run_opts(x->prog_fd, &opts) != 0)
		return -errno;
	run->action = opts.retval;
	run->out_len = opts.data_size_out;
	run->duration = opts.duration;
	return 0;
}

int
xdp_inner_map(int outer, uint32_t gen)
{
	uint32_t id;
	int fd;

	if (bpf_map_lookup_elem(outer, &gen, &id) != 0)
		return -errno;
	fd = bpf_map_get_fd_by_id(id);
	return fd < 0 ? -errno : fd;
}

/* The active generation's exemption table of @family: an fd, or -errno. */
static int
exempt_table(struct op25b_xdp *x, int family)
{
	struct op25b_xdp_active active;
	int err = active_slot(x, &active);

	if (err != 0)
		return err;
	return xdp_inner_map(x->map_fd[family == AF_INET ? XDP_MAP_EXEMPT4
							 : XDP_MAP_EXEMPT6],
			     active.gen & 1);
}

/* The map key of @p. */
static void
exempt_key(const struct op25b_prefix *p, struct op25b_xdp_key6 *k)
{
	memset(k, 0, sizeof(*k));
	k->prefixlen = p->length;
	memcpy(k->addr, p->addr, p->family == AF_INET ? 4 : 16);
}

/* @v as @p's entry of the active exemption table, or (@v NULL) no entry
 * for @p, absent already or not: 0 or -errno. */
static int
exempt_write(struct op25b_xdp *x, const struct op25b_prefix *p,
	     const struct op25b_xdp_exempt *v)
{
	struct op25b_xdp_key6 k;
	int fd, err = 0;

	fd = exempt_table(x, p->family);
	if (fd < 0)
		return fd;
	exempt_key(p, &k);
	if (v != NULL ? bpf_map_update_elem(fd, &k, v, BPF_ANY) != 0
		      : bpf_map_delete_elem(fd, &k) != 0 && errno != ENOENT)
		err = -errno;
	close(fd);
	return err;
}

int
op25b_xdp_exempt_set(struct op25b_xdp *x, const struct op25b_exempt_entry *e)
{
	struct op25b_xdp_exempt v;
	bool live = exempt_value(e, op25b_xdp_now_ms(),
				 op25b_xdp_wall_offset_ns(), &v);

	return exempt_write(x, &e->prefix, live ? &v : NULL);
}

int
op25b_xdp_exempt_del(struct op25b_xdp *x, const struct op25b_prefix *p)
{
	return exempt_write(x, p, NULL);
}

int
op25b_xdp_reload_failed(struct op25b_xdp *x)
{
	struct op25b_xdp_active active;
	int err = active_slot(x, &active);

	if (err != 0)
		return err;
	/* Bits 1..31 of gen (op25b_xdp_kern_user.h), held at their top. */
	if ((active.gen >> 1) != UINT32_MAX >> 1)
		active.gen += 2;
	return active_slot_store(x, &active);
}

bool
op25b_xdp_switched(const struct op25b_xdp *x)
{
	return x->switched;
}
