/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The exemption registry: the operator's list, kept sorted so that `exempt
 * list` is stable and a prefix is found by binary search. Plain malloc and
 * no DPDK: it lives on the control lcore, and the tools that only read or
 * write exemptions need no EAL.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "exempt_priv.h"
#include "op25b_exempt.h"

/* The first allocation; the array doubles from there up to the bound. */
#define REGISTRY_INITIAL_CAPACITY 16u

struct op25b_exempt_registry {
	/* sorted, see exempt_prefix_compare() */
	struct op25b_exempt_entry *entries;
	unsigned int count;
	unsigned int capacity;
};

/*
 * A copy of @p in with the bytes past the family's address zeroed, so that
 * two IPv4 prefixes compare equal whatever the caller left in addr[4..15],
 * and with no reference to the caller's file. False when the copy is not a
 * valid prefix: unknown family, length too long, host bits set.
 */
static bool
prefix_normalize(const struct op25b_prefix *in, struct op25b_prefix *out)
{
	unsigned int bytes, i;

	if (in == NULL)
		return false;
	if (in->family == AF_INET)
		bytes = 4;
	else if (in->family == AF_INET6)
		bytes = 16;
	else
		return false;
	if (in->length > bytes * 8)
		return false;
	memset(out, 0, sizeof(*out));
	out->family = in->family;
	out->length = in->length;
	memcpy(out->addr, in->addr, bytes);
	for (i = 0; i < bytes; i++) {
		unsigned int first_bit = i * 8;
		uint8_t network_mask;

		if (first_bit >= in->length)
			network_mask = 0;
		else if (in->length - first_bit >= 8)
			network_mask = 0xff;
		else
			network_mask =
				(uint8_t)(0xff00u >> (in->length - first_bit));
		if (out->addr[i] & (uint8_t)~network_mask)
			return false;
	}
	return true;
}

/* The registry's order: family, then address, then length, so that a
 * network and the longer prefixes inside it are listed together. */
int
exempt_prefix_compare(const struct op25b_prefix *a,
		      const struct op25b_prefix *b)
{
	int diff;

	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	diff = memcmp(a->addr, b->addr, sizeof(a->addr));
	if (diff != 0)
		return diff;
	return (a->length > b->length) - (a->length < b->length);
}

/* Index of @p key, or of where it would be inserted; *found says which. */
static unsigned int
registry_search(const struct op25b_exempt_registry *reg,
		const struct op25b_prefix *key, bool *found)
{
	unsigned int low = 0, high = reg->count;

	while (low < high) {
		unsigned int mid = low + (high - low) / 2;
		int cmp = exempt_prefix_compare(&reg->entries[mid].prefix, key);

		if (cmp == 0) {
			*found = true;
			return mid;
		}
		if (cmp < 0)
			low = mid + 1;
		else
			high = mid;
	}
	*found = false;
	return low;
}

/*
 * The reason goes into audit log lines and `exempt list` output: a newline
 * or an escape sequence in it could forge a log line or drive the
 * operator's terminal, so every control byte (below 0x20, and DEL) becomes
 * '?'. Bytes from 0x80 up are kept for UTF-8 text.
 */
static void
reason_copy(char dst[OP25B_EXEMPT_REASON_MAX], const char *src)
{
	size_t len = 0, i;

	if (src != NULL)
		len = strnlen(src, OP25B_EXEMPT_REASON_MAX - 1);
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)src[i];

		dst[i] = ch < 0x20 || ch == 0x7f ? '?' : (char)ch;
	}
	memset(dst + len, 0, OP25B_EXEMPT_REASON_MAX - len);
}

/* Room for @p capacity entries (at most OP25B_EXEMPT_MAX). Returns 0 or
 * -ENOMEM. */
static int
registry_reserve(struct op25b_exempt_registry *reg, unsigned int capacity)
{
	struct op25b_exempt_entry *entries;

	if (capacity > OP25B_EXEMPT_MAX)
		capacity = OP25B_EXEMPT_MAX;
	if (capacity <= reg->capacity)
		return 0;
	entries = realloc(reg->entries, (size_t)capacity * sizeof(*entries));
	if (entries == NULL)
		return -ENOMEM;
	reg->entries = entries;
	reg->capacity = capacity;
	return 0;
}

/* The entry of @p key: found in place (*found), or a new slot made for it
 * at its sorted position (contents undefined). Returns 0, -ENOSPC (the
 * registry is full) or -ENOMEM. */
static int
registry_slot(struct op25b_exempt_registry *reg, const struct op25b_prefix *key,
	      unsigned int *pos, bool *found)
{
	*pos = registry_search(reg, key, found);
	if (*found)
		return 0;
	if (reg->count >= OP25B_EXEMPT_MAX)
		return -ENOSPC;
	if (reg->count == reg->capacity &&
	    registry_reserve(reg, reg->capacity * 2) != 0)
		return -ENOMEM;
	memmove(&reg->entries[*pos + 1], &reg->entries[*pos],
		(size_t)(reg->count - *pos) * sizeof(reg->entries[0]));
	reg->count++;
	return 0;
}

/* The entry of @p prefix in @p reg: found (its @p found set), or a new
 * one zeroed with the normalised prefix in place. *@p replaced, when not
 * NULL, is @p found, and false on failure. */
static int
registry_claim(struct op25b_exempt_registry *reg,
	       const struct op25b_prefix *prefix,
	       struct op25b_exempt_entry **entry, bool *found, bool *replaced)
{
	struct op25b_prefix key;
	unsigned int pos;
	int ret;

	if (replaced != NULL)
		*replaced = false;
	if (reg == NULL || prefix == NULL || !prefix_normalize(prefix, &key))
		return -EINVAL;
	ret = registry_slot(reg, &key, &pos, found);
	if (ret != 0)
		return ret;
	*entry = &reg->entries[pos];
	if (!*found) {
		memset(*entry, 0, sizeof(**entry));
		(*entry)->prefix = key;
	}
	if (replaced != NULL)
		*replaced = *found;
	return 0;
}

bool
op25b_exempt_mapped_refused(const struct op25b_prefix *p, char *buf,
			    size_t size)
{
	struct op25b_prefix v4;
	char meant[INET_ADDRSTRLEN + 4];

	if (!op25b_prefix_ipv4_mapped(p, &v4))
		return false;
	op25b_prefix_format(&v4, meant, sizeof(meant));
	snprintf(buf, size,
		 "an IPv4-mapped address is the source of no packet (IPv4 "
		 "ones are looked up as IPv4): exempt %s",
		 meant);
	return true;
}

struct op25b_exempt_registry *
op25b_exempt_registry_create(void)
{
	struct op25b_exempt_registry *reg;

	reg = calloc(1, sizeof(*reg));
	/* Entries allocated now so that op25b_exempt_registry_entries() is
	 * never NULL. */
	if (reg == NULL ||
	    registry_reserve(reg, REGISTRY_INITIAL_CAPACITY) != 0) {
		op25b_exempt_registry_free(reg);
		errno = ENOMEM;
		return NULL;
	}
	return reg;
}

void
op25b_exempt_registry_free(struct op25b_exempt_registry *reg)
{
	if (reg == NULL)
		return;
	free(reg->entries);
	free(reg);
}

int
op25b_exempt_registry_add(struct op25b_exempt_registry *reg,
			  const struct op25b_prefix *prefix, uint32_t ttl,
			  const char *reason, uint32_t uid, uint64_t now,
			  bool *replaced)
{
	struct op25b_exempt_entry *e;
	bool found;
	int ret;

	if (reason != NULL &&
	    strnlen(reason, OP25B_EXEMPT_REASON_MAX) == OP25B_EXEMPT_REASON_MAX)
		return -E2BIG;
	ret = registry_claim(reg, prefix, &e, &found, replaced);
	if (ret != 0)
		return ret;
	/* `added` stays the first grant's: re-adding extends a grant, it
	 * does not make a new one; unless the clock has stepped back past
	 * it since (NTP), so that no entry expires before it was granted. */
	if (!found || now < e->added)
		e->added = now;
	e->ttl = ttl;
	e->expires = ttl != 0 ? now + (uint64_t)ttl * 1000 : 0;
	e->uid = uid;
	reason_copy(e->reason, reason);
	return 0;
}

int
op25b_exempt_registry_put(struct op25b_exempt_registry *reg,
			  const struct op25b_exempt_entry *entry,
			  bool *replaced)
{
	struct op25b_exempt_entry *e;
	struct op25b_prefix key;
	bool found;
	int ret;

	ret = registry_claim(reg, entry != NULL ? &entry->prefix : NULL, &e,
			     &found, replaced);
	if (ret != 0)
		return ret;
	/* Field by field onto zeroes: padding stays zero, and entries can
	 * be compared with exempt_entry_equal() whatever the caller's copy
	 * held. */
	key = e->prefix;
	memset(e, 0, sizeof(*e));
	e->prefix = key;
	e->added = entry->added;
	e->expires = entry->expires;
	e->ttl = entry->ttl;
	e->uid = entry->uid;
	reason_copy(e->reason, entry->reason);
	return 0;
}

bool
exempt_entry_equal(const struct op25b_exempt_entry *a,
		   const struct op25b_exempt_entry *b)
{
	return exempt_prefix_compare(&a->prefix, &b->prefix) == 0 &&
	       a->added == b->added && a->expires == b->expires &&
	       a->ttl == b->ttl && a->uid == b->uid &&
	       strncmp(a->reason, b->reason, sizeof(a->reason)) == 0;
}

/*
 * Both arrays are sorted the same way, so one linear pass pairs them up:
 * an import of 65,536 entries costs O(n), where adding them one by one
 * would move the array's tail for each.
 */
struct op25b_exempt_registry *
op25b_exempt_registry_merge(const struct op25b_exempt_registry *base,
			    const struct op25b_exempt_registry *over)
{
	struct op25b_exempt_registry *out;
	unsigned int i = 0, j = 0, n = 0;
	int err;

	if (base == NULL || over == NULL) {
		errno = EINVAL;
		return NULL;
	}
	out = op25b_exempt_registry_create();
	if (out == NULL)
		return NULL;
	err = registry_reserve(out, base->count + over->count);
	while (err == 0 && (i < base->count || j < over->count)) {
		const struct op25b_exempt_entry *next;
		int cmp;

		if (i == base->count)
			cmp = 1;
		else if (j == over->count)
			cmp = -1;
		else
			cmp = exempt_prefix_compare(&base->entries[i].prefix,
						    &over->entries[j].prefix);
		if (cmp < 0) {
			next = &base->entries[i++];
		} else {
			/* The same prefix in both: @over's entry wins. */
			if (cmp == 0)
				i++;
			next = &over->entries[j++];
		}
		if (n == OP25B_EXEMPT_MAX) {
			err = -ENOSPC;
			break;
		}
		out->entries[n++] = *next;
	}
	if (err != 0) {
		op25b_exempt_registry_free(out);
		errno = -err;
		return NULL;
	}
	out->count = n;
	return out;
}

void
op25b_exempt_registry_diff(const struct op25b_exempt_registry *from,
			   const struct op25b_exempt_registry *to,
			   void (*cb)(const struct op25b_exempt_entry *old,
				      const struct op25b_exempt_entry *new,
				      void *arg),
			   void *arg)
{
	unsigned int i = 0, j = 0;
	unsigned int n_from = op25b_exempt_registry_count(from);
	unsigned int n_to = op25b_exempt_registry_count(to);

	while (i < n_from || j < n_to) {
		const struct op25b_exempt_entry *a = NULL, *b = NULL;
		int cmp;

		if (i == n_from)
			cmp = 1;
		else if (j == n_to)
			cmp = -1;
		else
			cmp = exempt_prefix_compare(&from->entries[i].prefix,
						    &to->entries[j].prefix);
		if (cmp <= 0)
			a = &from->entries[i++];
		if (cmp >= 0)
			b = &to->entries[j++];
		if (a == NULL || b == NULL || !exempt_entry_equal(a, b))
			cb(a, b, arg);
	}
}

const struct op25b_exempt_entry *
op25b_exempt_registry_find(const struct op25b_exempt_registry *reg,
			   const struct op25b_prefix *prefix)
{
	struct op25b_prefix key;
	unsigned int pos;
	bool found;

	if (reg == NULL || prefix == NULL || !prefix_normalize(prefix, &key))
		return NULL;
	pos = registry_search(reg, &key, &found);
	return found ? &reg->entries[pos] : NULL;
}

const struct op25b_exempt_entry *
op25b_exempt_registry_lookup(const struct op25b_exempt_registry *reg,
			     int family, const uint8_t *addr)
{
	struct op25b_prefix key;
	unsigned int bytes, length, pos;
	bool found;

	if (reg == NULL || addr == NULL)
		return NULL;
	if (family == AF_INET)
		bytes = 4;
	else if (family == AF_INET6)
		bytes = 16;
	else
		return NULL;
	/* Longest first: the first hit is the longest match. Each length's
	 * key is the address with the bits past it cleared, the form every
	 * entry is kept in. */
	for (length = bytes * 8 + 1; length-- > 0;) {
		unsigned int full = length / 8, rest = length % 8;

		memset(&key, 0, sizeof(key));
		key.family = (uint8_t)family;
		key.length = (uint8_t)length;
		memcpy(key.addr, addr, full);
		if (rest != 0)
			key.addr[full] = addr[full] &
					 (uint8_t)(0xff00u >> rest);
		pos = registry_search(reg, &key, &found);
		if (found)
			return &reg->entries[pos];
	}
	return NULL;
}

int
op25b_exempt_registry_del(struct op25b_exempt_registry *reg,
			  const struct op25b_prefix *prefix,
			  struct op25b_exempt_entry *removed)
{
	struct op25b_prefix key;
	unsigned int pos;
	bool found;

	if (reg == NULL || prefix == NULL)
		return -EINVAL;
	/* A prefix that is not valid cannot have been added. */
	if (!prefix_normalize(prefix, &key))
		return -ENOENT;
	pos = registry_search(reg, &key, &found);
	if (!found)
		return -ENOENT;
	if (removed != NULL)
		*removed = reg->entries[pos];
	reg->count--;
	memmove(&reg->entries[pos], &reg->entries[pos + 1],
		(size_t)(reg->count - pos) * sizeof(reg->entries[0]));
	return 0;
}

/*
 * One pass that compacts the array as it goes, so expiring many entries
 * costs O(n), not a memmove each. The callback sees each entry before it
 * is overwritten; it must not call back into the registry, whose array is
 * half compacted while it runs.
 */
unsigned int
op25b_exempt_registry_expire(struct op25b_exempt_registry *reg, uint64_t now,
			     void (*cb)(const struct op25b_exempt_entry *e,
					void *arg),
			     void *arg)
{
	unsigned int i, kept = 0, removed;

	if (reg == NULL)
		return 0;
	for (i = 0; i < reg->count; i++) {
		const struct op25b_exempt_entry *e = &reg->entries[i];

		if (e->expires != 0 && e->expires <= now) {
			if (cb != NULL)
				cb(e, arg);
			continue;
		}
		if (kept != i)
			reg->entries[kept] = *e;
		kept++;
	}
	removed = reg->count - kept;
	reg->count = kept;
	return removed;
}

uint64_t
op25b_exempt_registry_next_expiry(const struct op25b_exempt_registry *reg)
{
	uint64_t earliest = 0;
	unsigned int i;

	if (reg == NULL)
		return 0;
	for (i = 0; i < reg->count; i++) {
		uint64_t expires = reg->entries[i].expires;

		if (expires != 0 && (earliest == 0 || expires < earliest))
			earliest = expires;
	}
	return earliest;
}

unsigned int
op25b_exempt_registry_count(const struct op25b_exempt_registry *reg)
{
	return reg != NULL ? reg->count : 0;
}

const struct op25b_exempt_entry *
op25b_exempt_registry_entries(const struct op25b_exempt_registry *reg)
{
	return reg != NULL ? reg->entries : NULL;
}
