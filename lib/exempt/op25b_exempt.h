/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * Exemptions: the per-customer opt-outs an ISP grants (a customer runs its
 * own mail server and asks). A source address covered by an exempt prefix
 * is forwarded whatever the policy says about it.
 *
 * Two objects:
 *  - the registry (control lcore only, plain memory): the operator's list of
 *    exemptions with expiry time, reason and who granted them; it lives as
 *    long as the appliance, independently of the policy, so exemptions
 *    survive a policy reload;
 *  - the table (rte_malloc memory, immutable once built): what the data
 *    path consults. The control lcore builds a new table from the registry
 *    after every change and swaps it in under RCU, as it does with the
 *    classifier; no policy is recompiled.
 *
 * A third part keeps the registry across restarts: the state file
 * (op25b_exempt_registry_read/load/write/save), one exemption a line in
 * a text format documented in doc/cli.md, written atomically; `exempt
 * export` and `exempt import` use the same format.
 *
 * The table is consulted only for SMTP packets the policy would block or
 * count, so its cost is off the common path. It holds one rte_hash of
 * (family, length, masked address) and, per family, the distinct prefix
 * lengths in use, longest first: a lookup is one hash probe per distinct
 * length (typically one to three).
 */
#ifndef OP25B_EXEMPT_H
#define OP25B_EXEMPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "op25b_policy.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The most exemptions one appliance holds. */
#define OP25B_EXEMPT_MAX 65536
/** Longest reason text kept, including the NUL. */
#define OP25B_EXEMPT_REASON_MAX 128

/** One exemption as the operator granted it. */
struct op25b_exempt_entry {
	struct op25b_prefix prefix; /**< .file is NULL, .line/.column 0 */
	uint64_t added;	  /**< CLOCK_REALTIME milliseconds when granted */
	uint64_t expires; /**< CLOCK_REALTIME milliseconds; 0: never.
			   * added + ttl * 1000 */
	uint32_t ttl;	  /**< seconds as granted; 0: no TTL */
	uint32_t uid;	  /**< who granted it (socket peer uid) */
	char reason[OP25B_EXEMPT_REASON_MAX];
};

/* ------------------------------------------------------------------ */
/* Registry (no DPDK, control lcore only)                              */

struct op25b_exempt_registry;

/** An empty registry, or NULL with errno = ENOMEM. */
struct op25b_exempt_registry *op25b_exempt_registry_create(void);
/** Free; NULL is accepted. */
void op25b_exempt_registry_free(struct op25b_exempt_registry *reg);

/**
 * Add an exemption, or replace the one for the same prefix (its TTL,
 * reason and uid are overwritten: an operator extends a grant by adding it
 * again).
 * @param ttl seconds from @p now; 0: never expires.
 * @param now CLOCK_REALTIME in milliseconds (every time in the registry
 *   is in milliseconds, so that a TTL of 2 s lasts 2 s, not 1 to 2).
 * @param reason may be NULL; at most OP25B_EXEMPT_REASON_MAX-1 bytes (as
 *   an imported file's: cut, it could end inside a UTF-8 character).
 * @param replaced set to true when an entry for the prefix existed (may be
 *   NULL).
 * The first grant's @c added is kept when an entry is replaced. Control
 * characters in @p reason become '?' (it goes into audit lines).
 * @return 0, -EINVAL (prefix NULL, not AF_INET/AF_INET6, length too long,
 *   host bits set), -E2BIG (@p reason too long), -ENOSPC (full), -ENOMEM.
 */
int op25b_exempt_registry_add(struct op25b_exempt_registry *reg,
			      const struct op25b_prefix *prefix, uint32_t ttl,
			      const char *reason, uint32_t uid, uint64_t now,
			      bool *replaced);

/**
 * Delete the exemption for exactly @p prefix (same family, length and
 * address); @p removed (may be NULL) receives the entry removed.
 * @return 0, -ENOENT, -EINVAL (NULL argument).
 */
int op25b_exempt_registry_del(struct op25b_exempt_registry *reg,
			      const struct op25b_prefix *prefix,
			      struct op25b_exempt_entry *removed);

/**
 * Remove every entry whose expiry is at or before @p now (milliseconds),
 * calling @p cb (may be NULL) for each before it goes, in registry order;
 * @p cb must not change the registry.
 * @return the number removed.
 */
unsigned int
op25b_exempt_registry_expire(struct op25b_exempt_registry *reg, uint64_t now,
			     void (*cb)(const struct op25b_exempt_entry *e,
					void *arg),
			     void *arg);

/**
 * Insert @p entry as it is (its grant time, expiry, TTL, uid and reason),
 * or overwrite the entry for the same prefix: how a restart or an import
 * puts back an exemption granted earlier, and how a failed change is
 * undone. Control characters in the reason become '?', as in
 * op25b_exempt_registry_add(); the prefix's file, line and column are not kept.
 * @param replaced set to true when an entry for the prefix existed (may be
 *   NULL).
 * @return 0, -EINVAL (NULL argument, invalid prefix), -ENOSPC (full),
 *   -ENOMEM.
 */
int op25b_exempt_registry_put(struct op25b_exempt_registry *reg,
			      const struct op25b_exempt_entry *entry,
			      bool *replaced);

/**
 * A new registry holding the entries of @p base and of @p over; for a
 * prefix in both, @p over's entry. Linear in the two sizes.
 * @return the registry, or NULL with errno = EINVAL (NULL argument),
 *   ENOSPC (more than OP25B_EXEMPT_MAX together), ENOMEM.
 */
struct op25b_exempt_registry *
op25b_exempt_registry_merge(const struct op25b_exempt_registry *base,
			    const struct op25b_exempt_registry *over);

/**
 * Call @p cb once for every prefix whose entry differs between @p from and
 * @p to, in registry order: @p old is NULL for a prefix only in @p to,
 * @p new NULL for one only in @p from. Equal entries (every field) are
 * skipped. Either registry may be NULL (empty).
 */
void op25b_exempt_registry_diff(const struct op25b_exempt_registry *from,
				const struct op25b_exempt_registry *to,
				void (*cb)(const struct op25b_exempt_entry *old,
					   const struct op25b_exempt_entry *new,
					   void *arg),
				void *arg);

/**
 * The entry for exactly @p prefix (same family, length and address), or
 * NULL. Valid until the registry next changes.
 */
const struct op25b_exempt_entry *
op25b_exempt_registry_find(const struct op25b_exempt_registry *reg,
			   const struct op25b_prefix *prefix);

/**
 * The entry with the longest prefix that covers the address @p addr of
 * @p family (AF_INET: 4 bytes, AF_INET6: 16, network order): the one the
 * data path applies, as `explain` must name it. Linear in the prefix
 * lengths (one binary search per length), for the control lcore.
 * @return the entry, or NULL (none covers it, NULL argument, other
 *   family). Valid until the registry next changes.
 */
const struct op25b_exempt_entry *
op25b_exempt_registry_lookup(const struct op25b_exempt_registry *reg,
			     int family, const uint8_t *addr);

/** The earliest expiry among the entries, or 0 when none expires. */
uint64_t
op25b_exempt_registry_next_expiry(const struct op25b_exempt_registry *reg);

/** Number of entries. */
unsigned int
op25b_exempt_registry_count(const struct op25b_exempt_registry *reg);

/**
 * The entries, sorted by family then address then length (stable for
 * `exempt list`). Valid until the registry next changes.
 */
const struct op25b_exempt_entry *
op25b_exempt_registry_entries(const struct op25b_exempt_registry *reg);

/* ------------------------------------------------------------------ */
/* State file (no DPDK): the registry as text, one exemption a line     */

/** Longest line of a state file, its newline included. */
#define OP25B_EXEMPT_STATE_LINE_MAX 1024

/** Why a state file was refused. */
struct op25b_exempt_state_error {
	unsigned int line; /**< 1-based; 0: the file as a whole (open, read) */
	char message[224]; /**< what is wrong, without file or line */
};

/**
 * Read a whole state file from @p in. Every line is checked before
 * anything is returned: one bad line and nothing is. Entries come back as
 * written, expired ones included (the caller expires them, audited).
 * @return a new registry, or NULL with errno = EINVAL (a line is wrong:
 *   see @p err), EIO (a read error), ENOMEM; @p err (may be NULL) says
 *   where and what.
 */
struct op25b_exempt_registry *
op25b_exempt_registry_read(FILE *in, struct op25b_exempt_state_error *err);

/**
 * op25b_exempt_registry_read() of the regular file at @p path. FIFOs,
 * devices and directories are refused without being read.
 * @return a new registry, or NULL with errno = ENOENT (no such file),
 *   EINVAL (a line is wrong, or not a regular file), EIO, EACCES and the
 *   other errors of open(2), ENOMEM; @p err (may be NULL) says what.
 */
struct op25b_exempt_registry *
op25b_exempt_registry_load(const char *path,
			   struct op25b_exempt_state_error *err);

/**
 * op25b_exempt_registry_load() for the state file at start: a file whose
 * every line is good and whose count alone is wrong (op25b's first line
 * and no end line: cut at a line's end; a count other than it holds, or
 * lines after the end line: edited by hand) comes back as it reads, with
 * @p err saying what (err->line != 0): the exemptions it still holds are
 * the customers', and nothing better is left of the file. An empty file
 * is refused (EINVAL): op25b never writes one. Anything else as
 * op25b_exempt_registry_load().
 */
struct op25b_exempt_registry *
op25b_exempt_registry_restore(const char *path,
			      struct op25b_exempt_state_error *err);

/**
 * Write the entries of @p reg to @p out in the state-file format, a
 * comment line first.
 * @return 0, or -errno of a write that failed (-ENOSPC, -EIO).
 */
int
op25b_exempt_registry_write(const struct op25b_exempt_registry *reg, FILE *out);

/**
 * Replace the file at @p path with the entries of @p reg so that a crash
 * at any instant leaves the old file or the new one, never a mix: written
 * to PATH.tmp (mode 0640), fsync'd, renamed over PATH, and the directory
 * fsync'd. A PATH.tmp left by a crash is replaced.
 * @return 0, or -errno of the step that failed (-ENOSPC, -EIO, -EACCES,
 *   -EROFS, ...); PATH is then unchanged and PATH.tmp removed.
 */
int op25b_exempt_registry_save(const struct op25b_exempt_registry *reg,
			       const char *path);

/**
 * Whether an exemption of @p p is refused for being IPv4-mapped
 * (::ffff:198.18.5.9): it would match only IPv6 packets carrying such an
 * address, which no network forwards, never the customer's IPv4 traffic.
 * Then why, with the IPv4 prefix meant, into @p buf: the words of exempt
 * add and import, op25b's and op25b-xdp's.
 */
bool op25b_exempt_mapped_refused(const struct op25b_prefix *p, char *buf,
				 size_t size);

/**
 * op25b_exempt_registry_save() to a file that is not the program's own
 * (exempt export FILE): the same steps, but a PATH.tmp already there is
 * someone's file, not a crash's, and is left alone.
 * @return as op25b_exempt_registry_save(); -EEXIST: PATH.tmp exists.
 */
int op25b_exempt_registry_export(const struct op25b_exempt_registry *reg,
				 const char *path);

/**
 * Print the entries of @p reg as `exempt list` shows them (op25b's CLI,
 * op25b-xdp): a table of prefix, time left (rounded up; "never" without
 * a TTL), grant time (UTC), uid and reason, "no exemptions" when empty;
 * or with @p json one JSON array of objects {prefix, ttl, seconds_left,
 * granted, uid, reason} on one line.
 * @return 0, or -EIO when writing to @p out failed.
 */
int op25b_exempt_registry_print(const struct op25b_exempt_registry *reg,
				uint64_t now_ms, bool json, FILE *out);

/* ------------------------------------------------------------------ */
/* Table (DPDK memory, immutable, read by workers)                     */

struct op25b_exempt_table;

/**
 * Build the table of the registry's current entries on @p socket_id.
 * @return the table, or NULL with rte_errno set (ENOMEM, or EINVAL for an
 *   empty registry: the data path uses a NULL table for "no exemptions").
 */
struct op25b_exempt_table *
op25b_exempt_table_build(const struct op25b_exempt_registry *reg,
			 int socket_id);

/** Free; NULL is accepted. */
void op25b_exempt_table_free(struct op25b_exempt_table *table);

/** Whether an IPv4 source (host byte order) is exempt. @p table not NULL. */
bool op25b_exempt_table_match4(const struct op25b_exempt_table *table,
			       uint32_t addr);

/** Whether an IPv6 source (network byte order) is exempt. */
bool op25b_exempt_table_match6(const struct op25b_exempt_table *table,
			       const uint8_t addr[16]);

/** Bytes of memory the table holds (an estimate: rte_hash's layout is
 * private); 0 for NULL. */
size_t op25b_exempt_table_memory(const struct op25b_exempt_table *table);

#ifdef __cplusplus
}
#endif

#endif /* OP25B_EXEMPT_H */
