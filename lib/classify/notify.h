/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * block: notify: op25b answers a blocked SMTP connection itself, without
 * state. A SYN gets a SYN-ACK whose sequence number is a cookie, a keyed
 * hash of the connection's addresses and ports and of a time slot; the
 * ACK that returns the cookie + 1 proves that the client saw the SYN-ACK
 * (a spoofed source cannot), and gets the greeting "554 5.7.1 <notice>"
 * with FIN. Everything else of the connection gets a RST.
 *
 * The key is random per start (rte_rand() at the first compile; a test
 * hook: OP25B_NOTIFY_TEST_KEY in the environment, 32 hex digits, key[0]
 * then key[1], fixes it, so that op25b-policy replay and op25b-xdp replay
 * make the same cookies, see doc/xdp.md) and is
 * mixed with the slot number, so that the cookies of every slot are
 * unrelated: an ACK is accepted in the cookie's slot and the next one
 * (OP25B_NOTIFY_SLOT_SECONDS to twice that), never later.
 */
#ifndef OP25B_NOTIFY_H
#define OP25B_NOTIFY_H

#include <stdint.h>

#include <rte_mbuf.h>

#include "classify_priv.h"
#include "notify_setup.h"

/* How long a cookie's slot lasts: a handshake takes a round trip, and a
 * client retransmits its ACK for at most a minute or two. */
#define OP25B_NOTIFY_SLOT_SECONDS 64
/* The MSS op25b announces: what it can take, never more than it needs
 * (it reads no data), on a 1500-byte path. */
#define OP25B_NOTIFY_MSS4 1460
#define OP25B_NOTIFY_MSS6 1440
/* A window that admits the client's QUIT and no flood of data. */
#define OP25B_NOTIFY_WINDOW 1024
/* What the compiled policy holds for block: notify (immutable; workers read
 * it under RCU like the rest of the classifier). */
struct op25b_notify {
	uint64_t key[2];
	uint64_t hz;	     /* of the clock */
	uint64_t slot_ticks; /* OP25B_NOTIFY_SLOT_SECONDS in clock ticks */
	uint64_t rate;	     /* replies a second per worker */
	uint16_t greeting_len;
	uint8_t greeting[OP25B_NOTIFY_GREETING_MAX];
};

/* What op25b_notify_answer() made of a segment. */
enum op25b_notify_answer {
	OP25B_NOTIFY_ANSWER_DROP = 0, /* nothing to say: free it */
	OP25B_NOTIFY_ANSWER_REPLY,    /* rewritten into a SYN-ACK or the
				       * greeting: send it back */
	OP25B_NOTIFY_ANSWER_RESET,    /* rewritten into a RST: send it back */
};

typedef uint64_t (*op25b_notify_clock_fn_t)(void);

/*
 * The clock of cookies and budgets: @clock ticking at @hz (tests), or NULL
 * for the TSC. Read by op25b_notify_create() (hz) and on every answer:
 * set it before the classifier is compiled, never while workers run.
 */
void op25b_notify_set_clock(op25b_notify_clock_fn_t clock, uint64_t hz);

/*
 * The notify state of @policy on @socket_id: the greeting made from its
 * notice, the per-start key, the rate. Returns NULL with rte_errno ENOMEM.
 */
struct op25b_notify *
op25b_notify_create(const struct op25b_policy *policy, int socket_id);

/* Free it; NULL is accepted. */
void op25b_notify_free(struct op25b_notify *notify);

/*
 * The cookie of a connection in time slot @slot: the low 32 bits of
 * SipHash-2-4 under @key. @src and @dst are 4 (family 4) or 16 bytes.
 */
uint32_t op25b_notify_cookie(const uint64_t key[2], int family,
			     const uint8_t *src, const uint8_t *dst,
			     uint16_t sport, uint16_t dport, uint64_t slot);

/*
 * Answer one segment of a connection that block: notify blocks, in place
 * (see the top of this file), and count what was done in @counters (the
 * class's OP25B_NOTIFY_LIST counters). A RST segment is never answered.
 */
enum op25b_notify_answer
op25b_notify_answer(const struct op25b_notify *notify, struct rte_mbuf *m,
		    const struct pkt_meta *meta, uint64_t *counters);

#endif /* OP25B_NOTIFY_H */
