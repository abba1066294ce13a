/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Pool lists: generate a benchmark's million prefixes, and read a list back
 * for the traffic generator.
 *
 * Generation plans how many prefixes each length gets before drawing any:
 * a length whose space would be more than GEN_POOL_FILL full passes the
 * rest on to the next longer length. That keeps the draw (random index,
 * reject if already in the hash set) at a couple of tries per prefix, so a
 * million prefixes take about a second, and it says up front when a count
 * cannot fit at all.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "gen.h"

/* Fill a length's space at most this full (percent): past it, rejection
 * sampling slows down sharply. */
#define GEN_POOL_FILL 75

struct pool_block {
	uint32_t base; /* host order */
	uint8_t len;
};

/* Private and CGNAT space only: this is table data, never traffic. */
static const struct pool_block pool_blocks_v4[] = {
	{ 0x0a000000u, 8 },  /* 10.0.0.0/8 */
	{ 0x64400000u, 10 }, /* 100.64.0.0/10 */
	{ 0xac100000u, 12 }, /* 172.16.0.0/12 */
};

#define N_BLOCKS_V4 (sizeof(pool_blocks_v4) / sizeof(pool_blocks_v4[0]))

/* Share of the list per length, in tenths of a percent: ~80% /20-/24 (an
 * ISP's pools), ~15% /25-/28 (small business ranges), ~5% /29-/32 (static
 * customers). */
static const struct {
	uint8_t len;
	uint16_t permille;
} pool_lengths_v4[] = {
	{ 20, 40 }, { 21, 60 }, { 22, 120 }, { 23, 180 }, { 24, 400 },
	{ 25, 40 }, { 26, 40 }, { 27, 30 },  { 28, 40 },  { 29, 20 },
	{ 30, 15 }, { 31, 5 },	{ 32, 10 },
};

/* IPv6 customer delegations under 2001:db8::/32. */
static const struct {
	uint8_t len;
	uint16_t permille;
} pool_lengths_v6[] = {
	{ 40, 50 }, { 44, 100 }, { 48, 450 }, { 52, 100 }, { 56, 300 },
};

#define N_LENGTHS_V4 (sizeof(pool_lengths_v4) / sizeof(pool_lengths_v4[0]))
#define N_LENGTHS_V6 (sizeof(pool_lengths_v6) / sizeof(pool_lengths_v6[0]))
#define V6_BASE_LEN 32

int
gen_key_set_init(struct gen_key_set *set, uint64_t n)
{
	uint64_t cap = 16;

	/* Twice n slots: a set that large cannot be had (2 * n would wrap
	 * above 2^63, and a set too small for its keys never finds a free
	 * slot). */
	if (n > SIZE_MAX / (2 * sizeof(*set->slots)))
		return -ENOMEM;
	while (cap < 2 * n)
		cap <<= 1;
	set->slots = calloc(cap, sizeof(*set->slots));
	if (set->slots == NULL)
		return -ENOMEM;
	set->mask = cap - 1;
	return 0;
}

bool
gen_key_set_add(struct gen_key_set *set, uint64_t key)
{
	uint64_t i = (key * 0x9e3779b97f4a7c15ull) >> 20;

	for (;; i++) {
		uint64_t *slot = &set->slots[i & set->mask];

		if (*slot == key)
			return false;
		if (*slot == 0) {
			*slot = key;
			return true;
		}
	}
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Per-length counts for @p total prefixes: the wanted share, capped at
 * GEN_POOL_FILL of the space, the excess carried to longer lengths. */
static int
plan_lengths(uint64_t total, const uint16_t *permille, const uint64_t *space,
	     size_t n, uint64_t *take, const char *family, bool quiet)
{
	uint64_t assigned = 0, carry = 0, want, cap, moved = 0;
	size_t i, biggest = 0;

	for (i = 0; i < n; i++) {
		take[i] = total * permille[i] / 1000;
		assigned += take[i];
		if (permille[i] > permille[biggest])
			biggest = i;
	}
	take[biggest] += total - assigned; /* rounding left-overs */
	for (i = 0; i < n; i++) {
		want = take[i] + carry;
		cap = space[i] / 100 * GEN_POOL_FILL;
		if (want > take[i] && want <= cap)
			moved += want - take[i]; /* carried in, placed here */
		else if (want > cap && cap > take[i])
			moved += cap - take[i];
		take[i] = want < cap ? want : cap;
		carry = want - take[i];
	}
	if (carry > 0) {
		gen_error("pools: %" PRIu64 " distinct %s prefixes do not fit "
			  "in the space this generator draws from",
			  total, family);
		return -ERANGE;
	}
	if (moved > 0 && !quiet)
		fprintf(stderr,
			GEN_NAME ": pools: too few distinct short %s "
				 "prefixes for %" PRIu64 ": %" PRIu64
				 " moved to longer "
				 "lengths (see the file's length summary)\n",
			family, total, moved);
	return 0;
}

static uint64_t
space_v4(uint8_t len)
{
	uint64_t s = 0;
	size_t b;

	for (b = 0; b < N_BLOCKS_V4; b++)
		if (len >= pool_blocks_v4[b].len)
			s += 1ull << (len - pool_blocks_v4[b].len);
	return s;
}

/* Draw one /len uniformly over the union of the blocks. */
static uint32_t
draw_v4(struct gen_rng *rng, uint8_t len)
{
	uint64_t idx = gen_rng_next(rng) % space_v4(len), n;
	size_t b;

	/* idx < space_v4(len): the last block takes what is left. */
	for (b = 0; b + 1 < N_BLOCKS_V4; b++) {
		n = 1ull << (len - pool_blocks_v4[b].len);
		if (idx < n)
			break;
		idx -= n;
	}
	return pool_blocks_v4[b].base + (uint32_t)(idx << (32 - len));
}

/* Draw @p take[i] distinct prefixes of each length into @p keys. */
static int
draw_prefixes(struct gen_rng *rng, const uint8_t *lens, const uint64_t *take,
	      size_t n, bool v6, uint64_t total, uint64_t *keys,
	      struct gen_progress *progress, uint64_t *done)
{
	struct gen_key_set set;
	uint64_t k, key, bits, got = 0;
	size_t i;
	int ret;

	ret = gen_key_set_init(&set, total);
	if (ret < 0)
		return ret;
	for (i = 0; i < n; i++) {
		for (k = 0; k < take[i];) {
			if (v6) {
				/* 24 bits below the /32, host bits clear. */
				bits = gen_rng_next(rng) >> 40;
				bits &= ~((1ull << (56 - lens[i])) - 1);
			} else {
				bits = draw_v4(rng, lens[i]);
			}
			key = bits << 8 | lens[i];
			if (!gen_key_set_add(&set, key))
				continue;
			keys[got++] = key;
			k++;
			gen_progress_update(progress, ++*done);
		}
	}
	free(set.slots);
	qsort(keys, got, sizeof(*keys), cmp_u64);
	return 0;
}

static int
write_summary(FILE *f, const char *family, const uint8_t *lens,
	      const uint64_t *take, size_t n)
{
	size_t i;

	fprintf(f, "# %s lengths:", family);
	for (i = 0; i < n; i++)
		if (take[i] > 0)
			fprintf(f, " /%u:%" PRIu64, lens[i], take[i]);
	return fprintf(f, "\n") < 0 ? -EIO : 0;
}

int
gen_pools(const struct gen_opts *opts)
{
	uint8_t lens4[N_LENGTHS_V4], lens6[N_LENGTHS_V6];
	uint16_t pm4[N_LENGTHS_V4], pm6[N_LENGTHS_V6];
	uint64_t space4[N_LENGTHS_V4], space6[N_LENGTHS_V6];
	uint64_t take4[N_LENGTHS_V4], take6[N_LENGTHS_V6];
	uint64_t *keys4 = NULL, *keys6 = NULL, i, done = 0;
	struct gen_progress progress;
	struct gen_rng rng;
	uint8_t a6[16];
	char text[INET6_ADDRSTRLEN];
	FILE *f;
	int ret;

	/* The file first: a directory that does not exist or cannot be
	 * written is one line, before a second of work and its warnings. */
	f = gen_open_out(opts->out_path);
	if (f == NULL)
		return -EIO;
	for (i = 0; i < N_LENGTHS_V4; i++) {
		lens4[i] = pool_lengths_v4[i].len;
		pm4[i] = pool_lengths_v4[i].permille;
		space4[i] = space_v4(lens4[i]);
	}
	for (i = 0; i < N_LENGTHS_V6; i++) {
		lens6[i] = pool_lengths_v6[i].len;
		pm6[i] = pool_lengths_v6[i].permille;
		space6[i] = 1ull << (lens6[i] - V6_BASE_LEN);
	}
	ret = plan_lengths(opts->count, pm4, space4, N_LENGTHS_V4, take4,
			   "IPv4", opts->quiet);
	if (ret == 0)
		ret = plan_lengths(opts->count_v6, pm6, space6, N_LENGTHS_V6,
				   take6, "IPv6", opts->quiet);
	if (ret < 0)
		goto out_close;

	keys4 = malloc((opts->count + 1) * sizeof(*keys4));
	keys6 = malloc((opts->count_v6 + 1) * sizeof(*keys6));
	if (keys4 == NULL || keys6 == NULL) {
		ret = -ENOMEM;
		gen_error("pools: out of memory");
		goto out_free_keys;
	}
	gen_rng_seed(&rng, opts->seed);
	gen_progress_init(&progress, "pools", opts->count + opts->count_v6,
			  opts->quiet);
	ret = draw_prefixes(&rng, lens4, take4, N_LENGTHS_V4, false,
			    opts->count, keys4, &progress, &done);
	if (ret == 0)
		ret = draw_prefixes(&rng, lens6, take6, N_LENGTHS_V6, true,
				    opts->count_v6, keys6, &progress, &done);
	if (ret < 0) {
		gen_error("pools: out of memory");
		goto out_free_keys;
	}

	fprintf(f,
		"# op25b pool list: %" PRIu64 " IPv4 + %" PRIu64
		" IPv6 prefixes, seed %" PRIu64 ", made by " GEN_NAME " pools\n"
		"# Benchmark table data: private, CGNAT and documentation "
		"space only.\n",
		opts->count, opts->count_v6, opts->seed);
	if (opts->count > 0)
		write_summary(f, "IPv4", lens4, take4, N_LENGTHS_V4);
	if (opts->count_v6 > 0)
		write_summary(f, "IPv6", lens6, take6, N_LENGTHS_V6);
	for (i = 0; i < opts->count; i++) {
		uint32_t a = (uint32_t)(keys4[i] >> 8);

		fprintf(f, "%u.%u.%u.%u/%u\n", a >> 24, (a >> 16) & 0xff,
			(a >> 8) & 0xff, a & 0xff,
			(unsigned int)(keys4[i] & 0xff));
	}
	for (i = 0; i < opts->count_v6; i++) {
		uint32_t bits = (uint32_t)(keys6[i] >> 8);

		memset(a6, 0, sizeof(a6));
		a6[0] = 0x20;
		a6[1] = 0x01;
		a6[2] = 0x0d;
		a6[3] = 0xb8;
		a6[4] = (uint8_t)(bits >> 16);
		a6[5] = (uint8_t)(bits >> 8);
		a6[6] = (uint8_t)bits;
		inet_ntop(AF_INET6, a6, text, sizeof(text));
		fprintf(f, "%s/%u\n", text, (unsigned int)(keys6[i] & 0xff));
	}
	ret = gen_close_out(f, opts->out_path);
	f = NULL;

out_free_keys:
	free(keys4);
	free(keys6);
out_close:
	/* Nothing generated: no empty or partial file left behind. */
	if (f != NULL) {
		if (f != stdout) {
			fclose(f);
			unlink(opts->out_path);
		}
	}
	return ret;
}

void
gen_prefix_random_addr(struct gen_rng *rng, const struct op25b_prefix *prefix,
		       uint8_t *out)
{
	unsigned int bytes = prefix->family == AF_INET6 ? 16 : 4;
	unsigned int i, bit;
	uint64_t r = 0;

	memset(out, 0, 16);
	for (i = 0; i < bytes; i++) {
		if (i % 8 == 0)
			r = gen_rng_next(rng);
		bit = i * 8;
		if (bit + 8 <= prefix->length) {
			out[i] = prefix->addr[i];
		} else if (bit >= prefix->length) {
			out[i] = (uint8_t)r;
		} else {
			uint8_t mask =
				(uint8_t)(0xff << (8 - (prefix->length - bit)));

			out[i] = (uint8_t)((prefix->addr[i] & mask) |
					   ((uint8_t)r & ~mask));
		}
		r >>= 8;
	}
}

int
gen_pool_list_load(const char *path, struct gen_pool_list *pools)
{
	struct op25b_policy_error error;
	struct op25b_prefix_list list;
	char message[sizeof(error.file) + sizeof(error.message) + 32];
	size_t i, n4 = 0;
	int ret;

	memset(pools, 0, sizeof(*pools));
	ret = op25b_prefix_list_load(path, &list, &error);
	if (ret < 0) {
		op25b_policy_error_format(&error, message, sizeof(message));
		gen_error("%s", message);
		return ret;
	}
	for (i = 0; i < list.count; i++)
		n4 += list.prefixes[i].family == AF_INET;
	/* calloc(0) may return NULL: one spare slot keeps NULL for ENOMEM. */
	pools->v4 = calloc(n4 + 1, sizeof(*pools->v4));
	pools->v6 = calloc(list.count - n4 + 1, sizeof(*pools->v6));
	if (pools->v4 == NULL || pools->v6 == NULL) {
		gen_error("%s: out of memory", path);
		ret = -ENOMEM;
		goto out_free_pools;
	}
	for (i = 0; i < list.count; i++) {
		if (list.prefixes[i].family == AF_INET)
			pools->v4[pools->n_v4++] = list.prefixes[i];
		else
			pools->v6[pools->n_v6++] = list.prefixes[i];
	}
	goto out_free_list;

out_free_pools:
	gen_pool_list_free(pools);
out_free_list:
	op25b_prefix_list_free(&list);
	return ret;
}

void
gen_pool_list_free(struct gen_pool_list *pools)
{
	free(pools->v4);
	free(pools->v6);
	memset(pools, 0, sizeof(*pools));
}
