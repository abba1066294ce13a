/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * op25b's policy as an XDP program: load the program (libbpf skeleton),
 * fill its maps from a policy, run it on a frame (BPF_PROG_TEST_RUN), pin
 * it under bpffs, attach it to an interface, read its counters.
 *
 * No DPDK. Constructors return NULL with errno set; other calls 0 or
 * -errno.
 */
#ifndef OP25B_XDP_H
#define OP25B_XDP_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

#include "op25b_exempt.h"
#include "op25b_policy.h"
#include "op25b_stats.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The bpffs op25b-xdp pins in, unless the environment variable
 * OP25B_XDP_BPFFS names another (as libxdp's LIBXDP_BPFFS): an instance is
 * pinned under BPFFS/op25b/NAME. */
#define OP25B_XDP_BPFFS_DEFAULT "/sys/fs/bpf"

/** BPFFS/op25b, where the instances are pinned. */
const char *op25b_xdp_pin_root(void);

struct op25b_xdp;

/**
 * Load the XDP program and create its maps (empty: a policy must be
 * applied before it decides anything).
 *
 * @param log
 *   On a verifier rejection, the verifier's last lines (may be NULL).
 * @return
 *   The program, or NULL with errno set: EPERM (not root), EINVAL or
 *   EACCES (the verifier refused it: see @p log), ENOMEM.
 */
struct op25b_xdp *op25b_xdp_load(char *log, size_t log_size);

/** The adaptive state's sizes op25b_xdp_load_sized() takes (sources). */
#define OP25B_XDP_ADAPTIVE_ENTRIES_MIN 64u
#define OP25B_XDP_ADAPTIVE_ENTRIES_MAX (1u << 24)

/**
 * op25b_xdp_load() with room for @p adaptive_entries sources in the
 * adaptive state (0: OP25B_XDP_ADAPTIVE_ENTRIES), preallocated.
 * @return as op25b_xdp_load(); NULL with errno EINVAL also for a size
 *   outside OP25B_XDP_ADAPTIVE_ENTRIES_MIN..OP25B_XDP_ADAPTIVE_ENTRIES_MAX.
 */
struct op25b_xdp *
op25b_xdp_load_sized(uint32_t adaptive_entries, char *log, size_t log_size);

/**
 * One line out of what op25b_xdp_load() left in its @p log on a refusal:
 * the verifier's last @p lines lines that say why (its statistics, such as
 * "processed N insns", left out), joined with " | "; libbpf's own last
 * lines when there is no verifier log (an object libbpf refused). Never
 * a newline; cut to @p size.
 */
void op25b_xdp_log_summary(const char *log, unsigned int lines, char *out,
			   size_t size);

/**
 * Open a pinned instance (its program and maps) from @p dir, as pinned by
 * op25b_xdp_pin(), from another process.
 * @return the instance, or NULL with errno set: ENOENT (nothing pinned
 *   there), EPROTO (an op25b-xdp of another version pinned it: a map's
 *   keys or values are not this build's, or a map is missing), EPERM.
 */
struct op25b_xdp *op25b_xdp_open_pinned(const char *dir);

/**
 * op25b_xdp_open_pinned(), also when another version pinned the
 * instance: for unload only (op25b_xdp_prog_id(), op25b_xdp_detach(),
 * op25b_xdp_unpin()); op25b_xdp_foreign_map() says which map differs,
 * and then nothing else may read or write its maps (op25b_xdp_apply()
 * refuses, -EPROTO).
 */
struct op25b_xdp *op25b_xdp_open_pinned_any(const char *dir);

/** The name of the first map of @p x whose layout is not this build's,
 * or NULL when all are. */
const char *op25b_xdp_foreign_map(const struct op25b_xdp *x);

/** Unpin nothing, detach nothing: free this process's handles. NULL is
 * accepted. */
void op25b_xdp_close(struct op25b_xdp *x);

/**
 * Whether the XDP program enforces everything @p policy asks for. It does
 * not do adaptive groups nor an adaptive default (the policy loader
 * refuses both too): a policy using them is refused, never loaded and
 * left unenforced.
 * @return 0, or -ENOTSUP with one line in @p msg saying what and where.
 */
int op25b_xdp_policy_supported(const struct op25b_policy *policy, char *msg,
			       size_t size);

/**
 * Fill the maps' idle generation from @p policy, then make it the active
 * one with a single map update, then empty the old one: a packet sees the
 * old policy or the new one, never half of each. Class i is counter slot
 * i + 1, group j slot j + 1 (as lib/classify without a slot map).
 * The exemptions of @p exempt (NULL: none) switch with the policy: the
 * unexpired ones, each until its expiry; and in the same store the
 * exemptions file the instance records for reload and op25b-xdp exempt
 * from another process, @p exempt_file ("": none; NULL: the one recorded
 * stays).
 *
 * @return 0; -ENAMETOOLONG (the policy's or @p exempt_file's path over
 *   255 bytes), -ENOTSUP (op25b_xdp_policy_supported() says why), -E2BIG (more
 *   prefixes than the maps hold), -ENOSPC (more than 255 class or group
 *   names over the instance's life), -EPROTO (an instance opened by
 *   op25b_xdp_open_pinned_any() whose maps are of another layout),
 *   -EINVAL (a notice whose greeting does not fit, only from a policy
 *   made without the loader), or -errno of a map update or getrandom()
 *   (the active policy is then unchanged, unless op25b_xdp_switched()).
 */
int op25b_xdp_apply(struct op25b_xdp *x, const struct op25b_policy *policy,
		    const struct op25b_exempt_registry *exempt,
		    const char *exempt_file);

/**
 * Whether the last op25b_xdp_apply() of @p x switched the program to its
 * policy: it may fail after the switch (the names' flags, the RCU wait,
 * the old tables' release), and then the new policy is in force all the
 * same (and counted as a reload), not the one before.
 */
bool op25b_xdp_switched(const struct op25b_xdp *x);

/**
 * The adaptive sources the last op25b_xdp_apply() of @p x forgot after
 * its switch (doc/policy.md, "Reloads"): those of a class no longer
 * adaptive, unless the source is in an adaptive class of the new policy,
 * and IPv6 prefixes a shorter ipv6_key no longer makes; counted when
 * they were tracked (blocked, or counting in their window).
 */
uint64_t op25b_xdp_forgotten(const struct op25b_xdp *x);

/**
 * Put exemption @p e into the running generation's table (replacing the
 * one of the same prefix), live: the next packet sees it. An expired
 * entry is deleted instead. Callers serialise changes with reloads (a
 * reload between would leave it in the generation switched out).
 * @return 0, -ENOSPC (the table is full), -errno.
 */
int
op25b_xdp_exempt_set(struct op25b_xdp *x, const struct op25b_exempt_entry *e);

/** Remove the exemption of exactly @p prefix from the running generation's
 * table (none: not an error). @return 0 or -errno. */
int op25b_xdp_exempt_del(struct op25b_xdp *x, const struct op25b_prefix *p);

/** CLOCK_REALTIME in milliseconds: lib/exempt's clock (grants and
 * expiries), which op25b_xdp_exempt_set() compares with. */
uint64_t op25b_xdp_now_ms(void);

/** CLOCK_REALTIME minus CLOCK_BOOTTIME in ns: what converts an exemption's
 * wall-clock expiry to the program's clock (bpf_ktime_get_boot_ns()) when
 * op25b_xdp_apply() or op25b_xdp_exempt_set() writes it. A step of the
 * wall clock changes it; entries written before then end early (a step
 * back) or late (forward) on the program's clock until written again. */
int64_t op25b_xdp_wall_offset_ns(void);

/** The room for the policy's path the program keeps for reloads, its
 * NUL included: a longer path is refused at load. */
#define OP25B_XDP_POLICY_PATH_MAX 256

/** What the maps hold now. */
struct op25b_xdp_state {
	unsigned int gen;	/**< the active generation, 0 or 1 */
	uint64_t prefixes;	/**< prefixes in it, both sides */
	uint64_t reloads;	/**< successful applies after the first */
	uint32_t reload_failed; /**< reloads refused */
	int ifindex;		/**< as op25b_xdp_set_ifindex() left it */
	uint64_t loaded_ns; /**< CLOCK_REALTIME when the program was loaded */
	char policy[OP25B_XDP_POLICY_PATH_MAX]; /**< the policy file applied
						  * last */
	char exemptions[256];  /**< its exemptions file ("": none) */
	uint32_t n_exemptions; /**< unexpired exemptions in force */
};

/** Count a reload refused (its policy or exemptions did not load, or
 * the maps refused them): op25b_xdp_state()'s reload_failed.
 * @return 0 or -errno. */
int op25b_xdp_reload_failed(struct op25b_xdp *x);

/** Read the maps' state. @return 0 or -errno. */
int op25b_xdp_state(struct op25b_xdp *x, struct op25b_xdp_state *state);

/** The active generation's mode and block style, as the counters' header
 * gives them (enum op25b_stats_mode, enum op25b_stats_block): what the
 * program enforces, whatever its policy file says now. @return 0,
 * -ENODATA for a program an op25b-xdp from before them loaded, or
 * -errno. */
int op25b_xdp_switches(struct op25b_xdp *x, unsigned int *mode,
		       unsigned int *block);

/** Record the interface the program is attached to (0: none), for status
 * from another process. @return 0 or -errno. */
int op25b_xdp_set_ifindex(struct op25b_xdp *x, int ifindex);

/** The names of the counter slots (lib/stats's layout); @return 0 or
 * -errno. */
int op25b_xdp_names(struct op25b_xdp *x, struct op25b_stats_names *names);

/** Bytes of kernel memory the maps hold (the sum of their fdinfo
 * "memlock", which kernels from 6.4 compute from what a map really
 * uses); 0 when the kernel does not say. */
uint64_t op25b_xdp_memory(struct op25b_xdp *x);

/** The counters summed over CPUs into @p sum. @return 0 or -errno. */
int op25b_xdp_counters(struct op25b_xdp *x, struct op25b_stats_counters *sum);

/** The adaptive figures of an instance, under lib/stats's names
 * (OP25B_ADAPTIVE_LIST). */
struct op25b_xdp_adaptive_totals {
	OP25B_ADAPTIVE_LIST(OP25B_STATS_FIELD_DECLARE)
};

/**
 * The adaptive figures: the events summed over CPUs (adaptive_evicted
 * stays 0: an LRU hash evicts without telling), the gauges
 * adaptive_tracked and adaptive_blocked by a walk of the state at
 * @p now_ns (the program's clock: op25b_xdp_clock_now(), or the one set
 * with op25b_xdp_set_clock()); @p per_class (may be NULL) gets
 * OP25B_CLASS_ADAPTIVE_LIST's counters by class slot.
 * @return 0, -EINVAL, -ENOMEM, -errno.
 */
int op25b_xdp_adaptive(struct op25b_xdp *x, uint64_t now_ns,
		       struct op25b_xdp_adaptive_totals *t,
		       uint64_t (*per_class)[OP25B_CLASS_ADAPTIVE_MAX]);

/** The sources the adaptive state holds at most (0: none, an instance
 * pinned before adaptive, or the kernel does not say). */
uint32_t op25b_xdp_adaptive_capacity(struct op25b_xdp *x);

/** The program's adaptive clock on an interface: CLOCK_BOOTTIME in ns. */
uint64_t op25b_xdp_clock_now(void);

/**
 * Set the program's adaptive clock to @p ns (0: CLOCK_BOOTTIME again), as
 * replay does with each frame's capture time before its run. Only an
 * instance loaded by this process (op25b_xdp_load()).
 * @return 0, -EINVAL (NULL, or an instance opened from its pins).
 */
int op25b_xdp_set_clock(struct op25b_xdp *x, uint64_t ns);

/** The program's verdicts, as enum xdp_action has them (without
 * <linux/bpf.h>, which libpcap's headers clash with). */
#define OP25B_XDP_DROP 1u /**< blocked, or malformed with malformed: drop */
#define OP25B_XDP_PASS 2u /**< forwarded */
#define OP25B_XDP_TX                                                           \
	3u /**< rewritten into a reply (RST, SYN-ACK or
			   * greeting), sent back */

/** What one run of the program did to a frame. */
struct op25b_xdp_run {
	uint32_t action;   /**< OP25B_XDP_DROP, _PASS or _TX */
	uint32_t out_len;  /**< the frame's length after the run */
	uint32_t duration; /**< mean ns per run (the kernel's figure) */
};

/**
 * Run the program @p repeat times (0: once) on @p len bytes of @p frame
 * with BPF_PROG_TEST_RUN; the frame as the program left it goes to @p out
 * (@p out_size bytes).
 * @return 0; -EINVAL (the kernel refuses the frame: shorter than an
 *   Ethernet header, or longer than one page), -errno.
 */
int op25b_xdp_test_run(struct op25b_xdp *x, const void *frame, uint32_t len,
		       void *out, uint32_t out_size, uint32_t repeat,
		       struct op25b_xdp_run *run);

/**
 * Pin the program and its maps under @p dir, a folder of
 * op25b_xdp_pin_root() (created; the bpffs mounted when it is not).
 * The directory's flock is held from its mkdir until
 * op25b_xdp_pin_release() (call it once the program is attached, or its
 * attach failed) or op25b_xdp_close(): an unload takes it before it
 * looks at the directory.
 * @return 0, -EEXIST (something is pinned there already), -ESTALE (an
 *   unload removed the directory between its mkdir and its lock), -EXDEV (no
 *   bpffs there, and this process's mount namespace is not PID 1's: one
 *   mounted would go with it), -errno.
 */
int op25b_xdp_pin(struct op25b_xdp *x, const char *dir);

/** Release the flock op25b_xdp_pin() took on the instance directory. */
void op25b_xdp_pin_release(struct op25b_xdp *x);

/** Remove the pins under @p dir and the directory. @return 0 or -errno. */
int op25b_xdp_unpin(const char *dir);

/**
 * The id of the program pinned under @p dir into @p id (0 on error).
 * @return 0, -ENOENT (nothing pinned there), -errno.
 */
int op25b_xdp_pinned_prog_id(const char *dir, uint32_t *id);

/**
 * Attach the program to @p ifindex: @p generic 0 native (driver) mode, 1
 * generic (skb) mode. Replaces no other program.
 * @return 0, -EBUSY (a program is attached already), -errno.
 */
int op25b_xdp_attach(struct op25b_xdp *x, int ifindex, int generic);

/** The most devices an op25b_xdp_vlan_undo remembers. */
#define OP25B_XDP_VLAN_UNDO_MAX 32

/** What op25b_xdp_vlan_offload_off() turned off, so that a load that
 * fails after it can turn it back on. */
struct op25b_xdp_vlan_undo {
	unsigned int n;
	bool full; /**< more devices were turned off than it holds */
	struct {
		char ifname[16];  /**< IFNAMSIZ */
		uint8_t features; /**< bit k: the k-th VLAN feature */
	} dev[OP25B_XDP_VLAN_UNDO_MAX];
};

/**
 * Turn off the VLAN receive offloads (rx-vlan-hw-parse,
 * rx-vlan-stag-hw-parse), which take a tag out of the frame before XDP
 * sees it, of interface @p ifname and the devices below it (a bond's
 * members, a macvlan's or VLAN device's parent). @p note gets what was
 * done (empty: nothing was on); @p undo (may be NULL) what was turned
 * off, also when an error stops it midway.
 * @return 0; 1 when one stays on (fixed), @p note then saying which and
 *   what it costs; -errno of the ethtool ioctl.
 */
int op25b_xdp_vlan_offload_off(const char *ifname, char *note, size_t size,
			       struct op25b_xdp_vlan_undo *undo);

/**
 * Turn back on what @p undo says was turned off: a load that failed after
 * op25b_xdp_vlan_offload_off() leaves the interfaces as it found them.
 * @p failed gets the devices and features that stay off ("eth1:
 * rx-vlan-hw-parse; ..."), empty when none.
 * @return 0; -errno of the first device that refused (the others are
 *   still tried; -EIO: the kernel kept one off), or -ENOSPC when @p undo
 *   could not hold every device.
 */
int op25b_xdp_vlan_offload_undo(const struct op25b_xdp_vlan_undo *undo,
				char *failed, size_t size);

/**
 * Detach this instance's program from @p ifindex, and nothing else: a
 * program attached there since the caller looked stays
 * (XDP_FLAGS_REPLACE). @return 0 (also when none is attached), -EEXIST
 * (another program is attached), -errno.
 */
int op25b_xdp_detach(struct op25b_xdp *x, int ifindex);

/** The id of the program attached to @p ifindex (0: none), and its mode
 * ("native", "generic", "offload" or "none"); beside an offloaded one,
 * the driver's or generic program. */
int op25b_xdp_query(int ifindex, uint32_t *prog_id, const char **mode);

/** The id of this instance's program. */
uint32_t op25b_xdp_prog_id(struct op25b_xdp *x);

#ifdef OP25B_TEST_HOOKS
/* A test hook (builds with the tests only): swap @key's adaptive entry's
 * blocked_until for *@p blocked_until, which gets the old one; with
 * OP25B_XDP_ADAPTIVE_TEST_RESTARTING, the entry is left as another CPU's
 * restart leaves it midway. 0, -errno (-ENOENT: no such source). */
#define OP25B_XDP_ADAPTIVE_TEST_RESTARTING UINT64_MAX
int op25b_xdp_adaptive_test_swap_block(struct op25b_xdp *x, uint64_t key,
				       uint64_t *blocked_until);
#endif

#ifdef __cplusplus
}
#endif

#endif /* OP25B_XDP_H */
