/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * op25b-gen internals: the subcommands, the PRNG they share and the pool
 * list reader. Every subcommand is deterministic for a given seed so that a
 * benchmark or a demo can be reproduced byte for byte.
 */
#ifndef OP25B_GEN_H
#define OP25B_GEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "op25b_policy.h"

#define GEN_NAME "op25b-gen"

/* Every pcap starts at 2024-01-01 00:00:00 UTC, so reruns match byte for
 * byte, and packets are GEN_PACKET_GAP_USEC apart (100 kpps). */
#define GEN_PCAP_EPOCH_USEC (1704067200ull * 1000000ull)
#define GEN_PACKET_GAP_USEC 10

/* Runs at least this long report progress on stderr every 10%. */
#define GEN_PROGRESS_MIN 100000

/** splitmix64: tiny, fast, and good enough for traffic and table data. */
struct gen_rng {
	uint64_t state;
};

static inline void
gen_rng_seed(struct gen_rng *rng, uint64_t seed)
{
	rng->state = seed;
}

static inline uint64_t
gen_rng_next(struct gen_rng *rng)
{
	uint64_t z = (rng->state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/** Uniform in [0, n), n > 0 (multiply-shift: no modulo bias worth
 * noticing for n far below 2^32). */
static inline uint32_t
gen_rng_below(struct gen_rng *rng, uint32_t n)
{
	return (uint32_t)(((gen_rng_next(rng) >> 32) * (uint64_t)n) >> 32);
}

/** Uniform in [lo, hi]. */
static inline uint32_t
gen_rng_range(struct gen_rng *rng, uint32_t lo, uint32_t hi)
{
	return lo + gen_rng_below(rng, hi - lo + 1);
}

/** True with probability @p percent / 100. */
static inline bool
gen_rng_percent(struct gen_rng *rng, unsigned int percent)
{
	return gen_rng_below(rng, 100) < percent;
}

/** The prefixes of a pool file, split by family. */
struct gen_pool_list {
	struct op25b_prefix *v4, *v6;
	size_t n_v4, n_v6;
};

/**
 * Read a pool file: lib/policy's prefixes_file reader, so that op25b-gen
 * takes exactly the files a policy takes (one prefix or bare address a
 * line, '#' comments, host bits clear).
 * @return 0, or -errno after printing "file:line:column: message" to
 *   stderr.
 */
int gen_pool_list_load(const char *path, struct gen_pool_list *pools);
void gen_pool_list_free(struct gen_pool_list *pools);

/* An open-addressing set of nonzero 64-bit keys (pools: address bits << 8
 * | length; traffic: distinct sources). Release with free(set->slots). */
struct gen_key_set {
	uint64_t *slots;
	uint64_t mask;
};

/* Room for @p n keys. @return 0, -ENOMEM. */
int gen_key_set_init(struct gen_key_set *set, uint64_t n);
/* Add @p key (not 0). @return true if it was new. */
bool gen_key_set_add(struct gen_key_set *set, uint64_t key);

/** A random address inside @p prefix into @p out (16 bytes). */
void gen_prefix_random_addr(struct gen_rng *rng,
			    const struct op25b_prefix *prefix, uint8_t *out);

/** The options of every subcommand, parsed once from one table (main.c),
 * in its order: each subcommand reads those it takes. */
struct gen_opts {
	const char *out_path;
	const char *expect_path; /**< vectors: NULL: no expectations file */
	const char *profile;	 /**< traffic */
	uint64_t count;		 /**< traffic: packets; pools: IPv4 prefixes */
	uint64_t seed;
	const char *pools_path; /**< traffic: NULL: built-in pools */
	uint64_t count_v6;	/**< pools: IPv6 prefixes */
	bool quiet;
};

/* Each subcommand prints its own errors and returns 0 or -errno; gen_pools
 * returns -ERANGE for counts its address space cannot hold (a usage
 * error, exit status 2). gen_vectors builds the vector file @p vec_path. */
int gen_pools(const struct gen_opts *opts);
int gen_traffic(const struct gen_opts *opts);
int gen_vectors(const char *vec_path, const struct gen_opts *opts);

/** True if @p name is a profile gen_traffic() knows. */
bool gen_traffic_profile_valid(const char *name);
/** The name of traffic profile @p i (and its --help summary in @p help,
 * unless NULL); NULL past the last profile. */
const char *gen_traffic_profile_name(unsigned int i, const char **help);

/** Open @p path for writing ("-" is stdout). NULL after printing why. */
FILE *gen_open_out(const char *path);
/** Close what gen_open_out() gave; report a failed flush. @return 0/-errno */
int gen_close_out(FILE *f, const char *path);

/** Print "op25b-gen: ..." to stderr. */
void gen_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/** Progress on stderr every 10% of @p total, when total is large. */
struct gen_progress {
	const char *what;
	uint64_t total;
	uint64_t next; /* next count to report at */
	unsigned int step;
	bool enabled;
};

void gen_progress_init(struct gen_progress *p, const char *what, uint64_t total,
		       bool quiet);

void gen_progress_report(struct gen_progress *p, uint64_t done);

/** Call as work is done; prints only when the next 10% is reached. */
static inline void
gen_progress_update(struct gen_progress *p, uint64_t done)
{
	if (p->enabled && done >= p->next)
		gen_progress_report(p, done);
}

#endif /* OP25B_GEN_H */
