/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The exemption table: what the workers consult. Built once from the
 * registry, never modified afterwards, freed after an RCU grace period by
 * whoever swapped it out. An exempt prefix is a key {family, length, masked
 * address} of one rte_hash; a lookup masks the source to each prefix length
 * in use and probes. Any hit means exempt: which prefix covered the
 * address does not matter, so there is no longest-match bookkeeping, and
 * the longest lengths go first only because host exemptions (/32, /128)
 * are the common grant.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>
#include <rte_ring_elem.h>

#include "op25b_exempt.h"

/* Slots per rte_hash bucket; private to librte_hash (rte_cuckoo_hash.h),
 * needed here only to estimate its memory. */
#define HASH_BUCKET_ENTRIES 8u
/* A bucket is one cache line in librte_hash (struct rte_hash_bucket). */
#define HASH_BUCKET_SIZE RTE_CACHE_LINE_SIZE
/* struct rte_hash is private too; a few cache lines, plus the cache line
 * of its change counter and its tailq entry. */
#define HASH_HEADER_ESTIMATE (6 * RTE_CACHE_LINE_SIZE)
/* The fewest slots a hash gets: below this the fixed costs dominate. */
#define TABLE_MIN_HASH_ENTRIES 64u

/*
 * The hash key. Every byte is written (the address zero-padded past the
 * prefix, the pad zero), so keys compare bytewise: librte_hash compares
 * keys with memcmp for this size.
 */
struct exempt_key {
	uint8_t family;
	uint8_t length;
	uint8_t pad[2];
	uint8_t addr[16]; /* network byte order, host bits clear */
};
_Static_assert(sizeof(struct exempt_key) == 20,
	       "no implicit padding in the hash key");

struct op25b_exempt_table {
	struct rte_hash *hash;
	unsigned int n_lengths4;
	unsigned int n_lengths6;
	/* Network masks of the distinct lengths in use, longest first; the
	 * masks are precomputed so that a lookup has no shift by 32 or 64
	 * (undefined) to avoid. IPv4 in host order, IPv6 as two host-order
	 * halves. */
	uint32_t mask4[33];
	uint64_t mask6[129][2];
	uint8_t lengths4[33];
	uint8_t lengths6[129];
	size_t memory;
} __rte_cache_aligned;

static uint32_t
mask4_of(unsigned int length)
{
	return length == 0 ? 0 : UINT32_MAX << (32 - length);
}

static uint64_t
mask64_of(unsigned int length)
{
	return length == 0 ? 0 : UINT64_MAX << (64 - length);
}

/* What librte_hash allocates for @p entries keys of @p key_len bytes
 * (rte_hash_create() in DPDK 22.11, with the extendable bucket table):
 * an estimate, since the header structure and the rings' own headers are
 * private and may change between releases. */
static size_t
hash_memory_estimate(uint32_t entries, uint32_t key_len)
{
	uint32_t key_slots = entries + 1; /* slot 0 is the miss marker */
	uint32_t buckets = rte_align32pow2(entries) / HASH_BUCKET_ENTRIES;
	size_t key_entry = RTE_ALIGN(sizeof(void *) + key_len, 16);
	ssize_t ring_slots, ring_buckets;
	size_t memory;

	memory = HASH_HEADER_ESTIMATE;
	memory += (size_t)buckets * HASH_BUCKET_SIZE * 2; /* main and ext */
	memory += (size_t)key_slots * key_entry;
	ring_slots = rte_ring_get_memsize_elem(sizeof(uint32_t),
					       rte_align32pow2(key_slots));
	ring_buckets = rte_ring_get_memsize_elem(sizeof(uint32_t),
						 rte_align32pow2(buckets + 1));
	if (ring_slots > 0)
		memory += (size_t)ring_slots;
	if (ring_buckets > 0)
		memory += (size_t)ring_buckets;
	return memory;
}

static void
key_of_prefix(struct exempt_key *key, const struct op25b_prefix *prefix)
{
	memset(key, 0, sizeof(*key));
	key->family = prefix->family;
	key->length = prefix->length;
	/* The registry keeps addr[4..15] of an IPv4 prefix zero and host
	 * bits clear, which is exactly the masked form a lookup builds. */
	memcpy(key->addr, prefix->addr, sizeof(key->addr));
}

struct op25b_exempt_table *
op25b_exempt_table_build(const struct op25b_exempt_registry *reg, int socket_id)
{
	static atomic_uint instance;
	const struct op25b_exempt_entry *entries;
	bool used4[33] = { false }, used6[129] = { false };
	struct rte_hash_parameters params = { 0 };
	char name[RTE_HASH_NAMESIZE];
	struct op25b_exempt_table *t;
	unsigned int count, i, length;
	int err;

	count = op25b_exempt_registry_count(reg);
	if (count == 0) {
		rte_errno = EINVAL;
		return NULL;
	}
	entries = op25b_exempt_registry_entries(reg);

	t = rte_zmalloc_socket("op25b_exempt", sizeof(*t), RTE_CACHE_LINE_SIZE,
			       socket_id);
	if (t == NULL) {
		err = ENOMEM;
		goto fail;
	}
	/* librte_hash derives ring and memzone names from the hash's name,
	 * and a name may be live only once: the old table still exists
	 * (readers in their grace period) when its successor is built.
	 * "HT_EXT_" + this must fit RTE_RING_NAMESIZE. */
	snprintf(name, sizeof(name), "op25b_ex%u",
		 atomic_fetch_add_explicit(&instance, 1, memory_order_relaxed));
	params.name = name;
	/* Half full at most: few keys leave their primary bucket, and the
	 * extendable buckets make every insertion succeed regardless. */
	params.entries = RTE_MAX(count * 2, TABLE_MIN_HASH_ENTRIES);
	params.key_len = sizeof(struct exempt_key);
	params.hash_func = rte_hash_crc;
	params.hash_func_init_val = 0;
	params.socket_id = socket_id;
	/* No concurrency flags: the table is never written once published,
	 * and without them rte_hash_lookup() takes no lock and writes
	 * nothing, so any number of workers may read at once. */
	params.extra_flag = RTE_HASH_EXTRA_FLAGS_EXT_TABLE;
	t->hash = rte_hash_create(&params);
	if (t->hash == NULL) {
		/* rte_hash_create() leaves rte_errno unset on some
		 * allocation failures; names are unique and the parameters
		 * valid, so memory is what ran out. */
		err = ENOMEM;
		goto fail;
	}
	t->memory = sizeof(*t) +
		    hash_memory_estimate(params.entries, params.key_len);

	for (i = 0; i < count; i++) {
		const struct op25b_prefix *p = &entries[i].prefix;
		struct exempt_key key;
		int ret;

		key_of_prefix(&key, p);
		ret = rte_hash_add_key(t->hash, &key);
		if (ret < 0) {
			err = ret == -ENOSPC ? ENOMEM : -ret;
			goto fail;
		}
		if (p->family == AF_INET)
			used4[p->length] = true;
		else
			used6[p->length] = true;
	}
	for (length = 33; length-- > 0;) {
		if (!used4[length])
			continue;
		t->lengths4[t->n_lengths4] = (uint8_t)length;
		t->mask4[t->n_lengths4] = mask4_of(length);
		t->n_lengths4++;
	}
	for (length = 129; length-- > 0;) {
		if (!used6[length])
			continue;
		t->lengths6[t->n_lengths6] = (uint8_t)length;
		t->mask6[t->n_lengths6][0] = mask64_of(RTE_MIN(length, 64u));
		t->mask6[t->n_lengths6][1] =
			mask64_of(length > 64 ? length - 64 : 0);
		t->n_lengths6++;
	}
	return t;

fail:
	op25b_exempt_table_free(t);
	rte_errno = err;
	return NULL;
}

void
op25b_exempt_table_free(struct op25b_exempt_table *table)
{
	if (table == NULL)
		return;
	rte_hash_free(table->hash);
	rte_free(table);
}

bool
op25b_exempt_table_match4(const struct op25b_exempt_table *table, uint32_t addr)
{
	struct exempt_key key = { .family = AF_INET };
	unsigned int i;

	for (i = 0; i < table->n_lengths4; i++) {
		rte_be32_t network = rte_cpu_to_be_32(addr & table->mask4[i]);

		key.length = table->lengths4[i];
		memcpy(key.addr, &network, sizeof(network));
		if (rte_hash_lookup(table->hash, &key) >= 0)
			return true;
	}
	return false;
}

bool
op25b_exempt_table_match6(const struct op25b_exempt_table *table,
			  const uint8_t addr[16])
{
	struct exempt_key key = { .family = AF_INET6 };
	uint64_t high, low;
	unsigned int i;

	memcpy(&high, addr, sizeof(high));
	memcpy(&low, addr + 8, sizeof(low));
	high = rte_be_to_cpu_64(high);
	low = rte_be_to_cpu_64(low);
	for (i = 0; i < table->n_lengths6; i++) {
		rte_be64_t masked_high =
			rte_cpu_to_be_64(high & table->mask6[i][0]);
		rte_be64_t masked_low =
			rte_cpu_to_be_64(low & table->mask6[i][1]);

		key.length = table->lengths6[i];
		memcpy(key.addr, &masked_high, sizeof(masked_high));
		memcpy(key.addr + 8, &masked_low, sizeof(masked_low));
		if (rte_hash_lookup(table->hash, &key) >= 0)
			return true;
	}
	return false;
}

size_t
op25b_exempt_table_memory(const struct op25b_exempt_table *table)
{
	return table != NULL ? table->memory : 0;
}
