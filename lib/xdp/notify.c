/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * block: notify for the program: what a generation's op25b_notify entry
 * holds (the greeting, its checksum sum, the rate) and the cookies' key,
 * drawn once per instance (lib/classify/notify.h is the design, test_xdp
 * and xdp_replay.sh compare the two paths byte for byte).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <bpf/bpf.h>

#include "notify_setup.h"
#include "op25b_policy.h"
#include "xdp_priv.h"

_Static_assert(OP25B_NOTIFY_GREETING_MAX <= OP25B_XDP_NOTIFY_GREETING_MAX,
	       "the longest greeting fits the program's entry");

/* The one's complement sum of @len bytes as 16-bit big-endian words, an
 * odd last byte padded with 0: what the payload adds to a TCP checksum
 * when it starts at an even offset (after a 20- or 24-byte header). */
static uint32_t
sum16(const uint8_t *p, uint32_t len)
{
	uint32_t sum = 0, i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

int
xdp_notify_fill(struct op25b_xdp *x, const struct op25b_policy *policy,
		uint32_t gen)
{
	struct op25b_xdp_notify_key k;
	struct op25b_xdp_notify n;
	uint32_t zero = 0;
	size_t glen;

	memset(&n, 0, sizeof(n));
	n.rate = policy->notify_rate != 0 ? policy->notify_rate
					  : OP25B_POLICY_DEFAULT_NOTIFY_RATE;
	glen = op25b_notify_greeting(policy->notice, n.greeting,
				     sizeof(n.greeting));
	if (glen > sizeof(n.greeting))
		return -EINVAL; /* only a policy made without the loader */
	n.greeting_len = (uint32_t)glen;
	n.greeting_sum = sum16(n.greeting, n.greeting_len);
	if (bpf_map_update_elem(x->map_fd[XDP_MAP_NOTIFY], &gen, &n, BPF_ANY) !=
	    0)
		return -errno;
	/* The key is drawn once: a reload keeps it, and with it the
	 * handshakes in flight. */
	if (bpf_map_lookup_elem(x->map_fd[XDP_MAP_NOTIFY_KEY], &zero, &k) != 0)
		return -errno;
	if (k.key[0] != 0 || k.key[1] != 0)
		return 0;
	if (!op25b_notify_test_key(k.key) &&
	    getrandom(k.key, sizeof(k.key), 0) != (ssize_t)sizeof(k.key))
		return -errno;
	if (bpf_map_update_elem(x->map_fd[XDP_MAP_NOTIFY_KEY], &zero, &k,
				BPF_ANY) != 0)
		return -errno;
	return 0;
}
