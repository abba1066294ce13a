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

#include "op25b_policy.h"
#include "xdp_priv.h"

/* lib/classify/notify.h's OP25B_NOTIFY_GREETING_MAX: "554-5.7.1 " and CRLF
 * around each line of the notice. */
_Static_assert(OP25B_POLICY_NOTICE_MAX + 12 * OP25B_POLICY_NOTICE_LINES <=
		       OP25B_XDP_NOTIFY_GREETING_MAX,
	       "the longest greeting fits the program's entry");

/* op25b_notify_greeting()'s reply (RFC 5321 4.2.1: "554-" before each line
 * but the last, "554 " before it), written line by line with snprintf:
 * lib/classify's needs DPDK, which op25b-stat (a user of this library)
 * does not link. Returns the length, or 0 if it does not fit. */
static uint32_t
greeting_make(const char *notice, uint8_t *buf, size_t size)
{
	const char *line = *notice != '\0' ? notice : "blocked", *nl;
	size_t len = 0;
	int n;

	for (;; line = nl + 1) {
		nl = strchr(line, '\n');
		n = snprintf((char *)buf + len, size - len,
			     "554%c5.7.1 %.*s\r\n", nl != NULL ? '-' : ' ',
			     (int)(nl != NULL ? nl - line : (long)strlen(line)),
			     line);
		if (n < 0 || (size_t)n >= size - len)
			return 0;
		len += (size_t)n;
		if (nl == NULL)
			return (uint32_t)len;
	}
}

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

/* The test hook OP25B_NOTIFY_TEST_KEY (32 hex digits: key[0], then key[1],
 * each as a 64-bit number), read by lib/classify/notify.c too, so that
 * both paths make the same cookies; 0 when unset. */
static int
test_key(uint64_t key[2])
{
	const char *s = getenv("OP25B_NOTIFY_TEST_KEY");
	char half[17];
	int i;

	if (s == NULL || strlen(s) != 32 ||
	    strspn(s, "0123456789abcdefABCDEF") != 32)
		return 0;
	for (i = 0; i < 2; i++) {
		memcpy(half, s + 16 * i, 16);
		half[16] = '\0';
		key[i] = strtoull(half, NULL, 16);
	}
	return 1;
}

int
xdp_notify_fill(struct op25b_xdp *x, const struct op25b_policy *policy,
		uint32_t gen)
{
	struct op25b_xdp_notify_key k;
	struct op25b_xdp_notify n;
	uint32_t zero = 0;

	memset(&n, 0, sizeof(n));
	n.rate = policy->notify_rate != 0 ? policy->notify_rate
					  : OP25B_POLICY_DEFAULT_NOTIFY_RATE;
	n.greeting_len =
		greeting_make(policy->notice, n.greeting, sizeof(n.greeting));
	if (n.greeting_len == 0)
		return -EINVAL; /* only a policy made without the loader */
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
	if (!test_key(k.key) &&
	    getrandom(k.key, sizeof(k.key), 0) != (ssize_t)sizeof(k.key))
		return -errno;
	if (bpf_map_update_elem(x->map_fd[XDP_MAP_NOTIFY_KEY], &zero, &k,
				BPF_ANY) != 0)
		return -errno;
	return 0;
}
