/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The vector paths against the scalar one: every test vector case, the
 * classifier's fuzz corpus and a million random frames (tags, QinQ,
 * PPPoE, IPv4 options and fragments, IPv6 extension headers, bad lengths,
 * truncations, chains of mbufs) through the scalar path and each path this
 * CPU offers, in bursts of 1..64: the same results, counters and bytes
 * out, or the failure names the frame, its burst and the path.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <dirent.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <cmocka.h>
#include <rte_mbuf.h>

#include "op25b_classify.h"
#include "op25b_classify_path.h"
#include "op25b_classify_record.h"
#include "op25b_craft.h"
#include "op25b_exempt.h"
#include "op25b_policy.h"
#include "classify_priv.h" /* the IPv6 tables' wide groups */
#include "test_eal.h"
#include "test_mbuf.h"
#include "test_vec_files.h"

#define TEST_RNG_SEED UINT64_C(0x25ec7025a11f00d)
#include "test_rng.h"

#define RANDOM_FRAMES 1000000u
#define MAX_SETS 64
/* Random frames stay short: their headers are what is tested. */
#define RANDOM_FRAME_MAX 640

/* A burst's frames as bytes, and how each is cut into mbufs. */
struct burst {
	unsigned int n;
	const uint8_t *frame[OP25B_CLASSIFY_BURST_MAX];
	unsigned int len[OP25B_CLASSIFY_BURST_MAX];
	unsigned int first[OP25B_CLASSIFY_BURST_MAX]; /* first segment */
	unsigned int rest[OP25B_CLASSIFY_BURST_MAX];  /* other segments */
	char where[OP25B_CLASSIFY_BURST_MAX][96];     /* for messages */
};

/* What a path made of a burst. */
struct path_out {
	struct op25b_classify_result r[OP25B_CLASSIFY_BURST_MAX];
	unsigned int len[OP25B_CLASSIFY_BURST_MAX];
	uint8_t bytes[OP25B_CLASSIFY_BURST_MAX][OP25B_CRAFT_FRAME_MAX];
	struct op25b_stats_counters counters; /* this burst's */
	struct op25b_stats_counters total;    /* every burst's */
};

static struct rte_mempool *pool;
/* One-segment frames in malloc'd buffers of exactly their length, behind
 * mbufs built by hand, so that ASan sees any read past a frame (pool
 * memory has no redzones). */
static struct rte_mbuf hand[OP25B_CLASSIFY_BURST_MAX];
static uint8_t *hand_buffer[OP25B_CLASSIFY_BURST_MAX];
static struct op25b_policy *policies[MAX_SETS];
static struct op25b_classifier *classifiers[MAX_SETS];
static unsigned int n_classifiers;
static struct op25b_vector_file vfs[MAX_SETS];
static char *vec_names[MAX_SETS];
/* Each path this CPU offers; a vector path twice, without and with its
 * pre-pass. */
#define MAX_RUNS (2 * OP25B_CLASSIFY_PATH_MAX)
static enum op25b_classify_path paths[MAX_RUNS];
static bool prepass[MAX_RUNS];
static char run_names[MAX_RUNS][32];
static unsigned int n_paths;
static struct path_out *outs[MAX_RUNS];
static uint64_t frames_run;
/* The exemption table bursts run with (NULL: none). */
static const struct op25b_exempt_table *burst_exempt;

/* Frame @p i of a burst in hand[i]: direct, one segment, refcnt 1, so
 * that a reply may be written into it. */
static struct rte_mbuf *
hand_mbuf(unsigned int i, const uint8_t *frame, unsigned int len)
{
	struct rte_mbuf *m = &hand[i];

	/* malloc(0) still returns a distinct block, which ASan guards. */
	hand_buffer[i] = malloc(len);
	assert_non_null(hand_buffer[i]);
	memcpy(hand_buffer[i], frame, len);
	memset(m, 0, sizeof(*m));
	m->buf_addr = hand_buffer[i];
	m->buf_len = (uint16_t)len;
	m->data_len = (uint16_t)len;
	m->pkt_len = len;
	m->nb_segs = 1;
	rte_mbuf_refcnt_set(m, 1);
	return m;
}

/* Which entry point run_path() takes next. */
static unsigned int hints_turn;

static void
run_path(const struct op25b_classifier *c, const struct burst *b,
	 struct path_out *o)
{
	struct rte_mbuf *m[OP25B_CLASSIFY_BURST_MAX];
	unsigned int i, j;

	for (i = 0; i < b->n; i++) {
		if (b->first[i] >= b->len[i] && b->len[i] <= UINT16_MAX)
			m[i] = hand_mbuf(i, b->frame[i], b->len[i]);
		else
			m[i] = test_mbuf_chain(pool, b->frame[i], b->len[i],
					       b->first[i], b->rest[i]);
		assert_non_null(m[i]);
	}
	memset(&o->counters, 0, sizeof(o->counters));
	/* Every other run through the block records' entry point, whose
	 * frames must be the same; it must also find each frame a record
	 * takes, and the counters each frame's outcome once. */
	if (++hints_turn % 2 == 0) {
		assert_int_equal(op25b_classifier_classify_burst(
					 c, burst_exempt, m, (uint16_t)b->n,
					 o->r, &o->counters),
				 b->n);
	} else {
		struct op25b_record_hint hints[OP25B_CLASSIFY_BURST_MAX];
		uint16_t n_hints = (uint16_t)b->n, n_wanted = 0;
		unsigned int wanted = 0;

		assert_int_equal(op25b_classifier_classify_burst_hints(
					 c, burst_exempt, m, (uint16_t)b->n,
					 o->r, &o->counters, hints, &n_hints,
					 &n_wanted),
				 b->n);
		for (i = 0; i < b->n; i++)
			wanted += op25b_records_wanted(o->r[i].outcome);
		assert_int_equal(n_wanted, wanted);
		assert_int_equal(n_hints, wanted);
	}
	{
		uint64_t seen[OP25B_OUTCOME_MAX] = { 0 };

		for (i = 0; i < b->n; i++)
			seen[o->r[i].outcome]++;
		for (i = 0; i < OP25B_OUTCOME_MAX; i++)
			if (seen[i] != o->counters.outcome[i])
				fail_msg("outcome %s: %" PRIu64 " frames, "
					 "counted %" PRIu64,
					 op25b_outcome_name(i), seen[i],
					 o->counters.outcome[i]);
	}
	for (i = 0; i < b->n; i++) {
		const void *p;

		o->len[i] = rte_pktmbuf_pkt_len(m[i]);
		p = rte_pktmbuf_read(m[i], 0, o->len[i], o->bytes[i]);
		assert_non_null(p);
		if (p != o->bytes[i])
			memcpy(o->bytes[i], p, o->len[i]);
		if (m[i] == &hand[i])
			free(hand_buffer[i]);
		else
			rte_pktmbuf_free(m[i]);
	}
	for (i = 0; i < OP25B_OUTCOME_MAX; i++)
		o->total.outcome[i] += o->counters.outcome[i];
	for (i = 0; i < OP25B_FRAME_MAX; i++)
		o->total.frame[i] += o->counters.frame[i];
	for (i = 0; i < OP25B_STATS_SLOTS; i++)
		for (j = 0; j < OP25B_VERDICT_MAX; j++) {
			o->total.class_verdict[i][j] +=
				o->counters.class_verdict[i][j];
			o->total.group_verdict[i][j] +=
				o->counters.group_verdict[i][j];
		}
}

/* The burst through every path; each vector path's output against the
 * scalar path's. */
static void
run_burst(const struct op25b_classifier *c, const struct burst *b)
{
	const struct path_out *s = outs[0];
	unsigned int p, i;

	for (p = 0; p < n_paths; p++) {
		assert_int_equal(op25b_classify_path_set(paths[p]), 0);
		op25b_classify_prepass_set(prepass[p]);
		run_path(c, b, outs[p]);
	}
	assert_int_equal(op25b_classify_path_set(OP25B_CLASSIFY_PATH_SCALAR),
			 0);
	op25b_classify_prepass_set(false);
	frames_run += b->n;
	for (p = 1; p < n_paths; p++) {
		const struct path_out *v = outs[p];
		const char *name = run_names[p];

		for (i = 0; i < b->n; i++) {
			char what[160];

			if (memcmp(&v->r[i], &s->r[i], sizeof(s->r[i])) == 0 &&
			    v->len[i] == s->len[i] &&
			    memcmp(v->bytes[i], s->bytes[i], s->len[i]) == 0)
				continue;
			op25b_classifier_describe(c, b->frame[i], b->len[i],
						  what, sizeof(what));
			fail_msg("%s, frame %u of a burst of %u (%s, first "
				 "segment %u): %s gives %s/%u (class slot %u, "
				 "group slot %u), %u bytes; scalar %s/%u (%u, "
				 "%u), %u bytes",
				 b->where[i], i, b->n, what, b->first[i], name,
				 op25b_outcome_name(v->r[i].outcome),
				 v->r[i].disposition, v->r[i].class_slot,
				 v->r[i].group_slot, v->len[i],
				 op25b_outcome_name(s->r[i].outcome),
				 s->r[i].disposition, s->r[i].class_slot,
				 s->r[i].group_slot, s->len[i]);
		}
		if (memcmp(&v->counters, &s->counters, sizeof(s->counters)) !=
		    0)
			fail_msg("%s: a burst of %u: %s counted otherwise than "
				 "scalar",
				 b->where[0], b->n, name);
	}
}

static void
burst_add(struct burst *b, const uint8_t *frame, unsigned int len,
	  unsigned int first, unsigned int rest, const char *where)
{
	b->frame[b->n] = frame;
	b->len[b->n] = len;
	b->first[b->n] = first;
	b->rest[b->n] = rest;
	snprintf(b->where[b->n], sizeof(b->where[0]), "%.95s", where);
	b->n++;
}

/* Every case of every vector file, in bursts of its file's policy: in one
 * segment, then in 64-byte segments. */
static void
test_vector_files(void **state)
{
	unsigned int s, k, layout;
	struct burst b;

	(void)state;
	for (s = 0; s < n_classifiers; s++) {
		for (layout = 0; layout < 2; layout++) {
			b.n = 0;
			for (k = 0; k < vfs[s].n_cases; k++) {
				const struct op25b_vector_case *vc =
					&vfs[s].cases[k];
				char where[96];

				snprintf(where, sizeof(where), "%s:%u: %s",
					 vec_names[s], vc->line, vc->name);
				burst_add(&b, vc->frame, vc->frame_len,
					  layout ? 64 : vc->frame_len,
					  layout ? 64 : vc->frame_len, where);
				if (b.n == OP25B_CLASSIFY_BURST_MAX) {
					run_burst(classifiers[s], &b);
					b.n = 0;
				}
			}
			if (b.n > 0)
				run_burst(classifiers[s], &b);
		}
	}
}

/* The classifier's fuzz corpus (raw frames), under every vector file's
 * policy. */
static void
test_fuzz_corpus(void **state)
{
	const char *root = getenv("OP25B_SOURCE_ROOT");
	static uint8_t frames[OP25B_CLASSIFY_BURST_MAX][OP25B_CRAFT_FRAME_MAX];
	char dir[512], path[1024];
	struct dirent *de;
	struct burst b = { .n = 0 };
	unsigned int files = 0, s;
	DIR *d;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/test/fuzz/corpus/classify",
		 root ? root : ".");
	d = opendir(dir);
	if (d == NULL)
		fail_msg("%s: cannot open", dir);
	for (;;) {
		FILE *f;
		size_t len;

		de = readdir(d);
		if (de == NULL || b.n == OP25B_CLASSIFY_BURST_MAX) {
			for (s = 0; b.n > 0 && s < n_classifiers; s++)
				run_burst(classifiers[s], &b);
			b.n = 0;
		}
		if (de == NULL)
			break;
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		f = fopen(path, "rb");
		assert_non_null(f);
		len = fread(frames[b.n], 1, OP25B_CRAFT_FRAME_MAX, f);
		fclose(f);
		if (len == 0)
			continue;
		burst_add(&b, frames[b.n], (unsigned int)len, (unsigned int)len,
			  (unsigned int)len, path);
		files++;
	}
	closedir(d);
	assert_true(files > 0);
	print_message("fuzz corpus: %u frames\n", files);
}

static unsigned int
rnd(unsigned int n)
{
	return (unsigned int)(rng() % n);
}

static void
put16(uint8_t *p, unsigned int v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put_random(uint8_t *p, unsigned int n)
{
	while (n-- > 0)
		*p++ = (uint8_t)rng();
}

/* A TCP or UDP header at @p, to a port of every kind; returns its length.
 * Now and then a data offset too small, too large or with options. */
static unsigned int
random_l4(uint8_t *p, unsigned int proto)
{
	static const uint16_t ports[] = { 25,  2525, 587, 465,	80,
					  443, 53,   0,	  65535 };
	unsigned int doff = 5;

	put_random(p, 20);
	put16(p + 2, rnd(4) == 0 ? rnd(65536) : ports[rnd(RTE_DIM(ports))]);
	if (proto != IPPROTO_TCP)
		return proto == IPPROTO_UDP ? 8 : 0;
	if (rnd(8) == 0)
		doff = rnd(16);
	else if (rnd(4) == 0)
		doff = 5 + rnd(4);
	p[12] = (uint8_t)(doff << 4);
	/* Mostly a bare SYN, the packet that gets replies. */
	p[13] = rnd(2) ? 0x02 : (uint8_t)rng();
	put_random(p + 20, doff > 5 ? (doff - 5) * 4 : 0);
	return doff > 5 ? doff * 4 : 20;
}

static unsigned int
random_proto(void)
{
	static const uint8_t protos[] = {
		IPPROTO_TCP,	 IPPROTO_TCP,	   IPPROTO_TCP,
		IPPROTO_TCP,	 IPPROTO_UDP,	   IPPROTO_ICMP,
		IPPROTO_ICMPV6,	 IPPROTO_HOPOPTS,  IPPROTO_ROUTING,
		IPPROTO_DSTOPTS, IPPROTO_FRAGMENT, IPPROTO_AH,
		IPPROTO_GRE,	 IPPROTO_ESP,
	};

	return rnd(8) == 0 ? rnd(256) : protos[rnd(RTE_DIM(protos))];
}

/* An IP packet at @p (family 4 or 6) of at most @room bytes; returns its
 * length. The length fields are right unless a roll says otherwise. */
static unsigned int
random_ip(uint8_t *p, int family, unsigned int room)
{
	unsigned int proto = random_proto(), hlen, l4, ext = 0, payload, len;

	if (family == 4) {
		hlen = rnd(8) == 0 ? 20 + 4 * rnd(11) : 20;
		put_random(p, hlen);
		p[0] = (uint8_t)(rnd(32) == 0 ? rng() : 0x40 | hlen / 4);
		/* DF, MF, or now and then any fragment offset. */
		put16(p + 6, rnd(8) == 0 ? rnd(65536) : rnd(2) ? 0x4000 : 0);
		p[9] = (uint8_t)proto;
		p[12] = 198;
		p[13] = (uint8_t)(18 + rnd(2));
		/* AH (IPsec transport mode), the one header IPv4 has of
		 * IPv6's chain: 12 or 16 bytes, then mostly TCP. */
		if (proto == IPPROTO_AH) {
			ext = 12 + 4 * rnd(2);
			put_random(p + hlen, ext);
			p[hlen] = rnd(4) ? IPPROTO_TCP
					 : (uint8_t)random_proto();
			p[hlen + 1] = (uint8_t)(ext / 4 - 2);
			proto = p[hlen];
		}
	} else {
		hlen = 40;
		put_random(p, hlen);
		p[0] = (uint8_t)(rnd(32) == 0 ? rng() : 0x60 | rnd(16));
		p[6] = (uint8_t)proto;
		memcpy(p + 8, "\x20\x01\x0d\xb8", 4);
		p[12] = (uint8_t)(0x10 * rnd(5));
		/* An extension header (8 bytes), then TCP. */
		if (proto == IPPROTO_HOPOPTS || proto == IPPROTO_ROUTING ||
		    proto == IPPROTO_DSTOPTS || proto == IPPROTO_FRAGMENT ||
		    proto == IPPROTO_AH) {
			put_random(p + 40, 8);
			p[40] = rnd(4) ? IPPROTO_TCP : (uint8_t)random_proto();
			p[41] = 0; /* the shortest header of its kind */
			if (proto == IPPROTO_FRAGMENT && rnd(2))
				p[42] = p[43] = 0;
			ext = 8;
			proto = p[40];
		}
	}
	l4 = random_l4(p + hlen + ext, proto);
	payload = rnd(2) ? 0 : rnd(200);
	len = RTE_MIN(hlen + ext + l4 + payload, room);
	put_random(p + hlen + ext + l4, len - (hlen + ext + l4));
	if (family == 4)
		put16(p + 2, rnd(16) == 0 ? rnd(65536) : len);
	else
		put16(p + 4, rnd(16) == 0 ? rnd(len + 8) : len - 40);
	return len;
}

/* @family's ethertype at @off of @f and a random IP packet after it;
 * returns the frame's length. */
static unsigned int
ip_after_type(uint8_t *f, unsigned int off, int family)
{
	put16(f + off, family == 4 ? 0x0800 : 0x86dd);
	off += 2;
	return off + random_ip(f + off, family, RANDOM_FRAME_MAX - off);
}

/* Ethernet's padding to 60 bytes and truncations, now and then, of a
 * frame of @len bytes at @f; returns its new length. */
static unsigned int
pad_or_cut(uint8_t *f, unsigned int len)
{
	if (len < 60 && rnd(2)) {
		memset(f + len, 0, 60 - len);
		len = 60;
	}
	if (rnd(8) == 0)
		len = rnd(len + 1);
	return len;
}

/* One random frame into @f; returns its length. */
static unsigned int
random_frame(uint8_t *f)
{
	static const uint16_t tpids[] = { 0x8100, 0x88a8, 0x9100 };
	static const uint16_t others[] = { 0x0806, 0x8847, 0x8848, 0x8863,
					   0x88cc };
	unsigned int off = 12, tags = rnd(6) == 0 ? 1 + rnd(4) : 0, i, len;
	unsigned int pppoe = 0, roll = rnd(16);
	int family = roll < 8 ? 4 : roll < 14 ? 6 : 0;

	put_random(f, 12);
	for (i = 0; i < tags; i++, off += 4) {
		put16(f + off, tpids[rnd(RTE_DIM(tpids))]);
		put16(f + off + 2, rnd(4096));
	}
	if (family == 0) {
		put16(f + off,
		      rnd(2) ? others[rnd(RTE_DIM(others))] : rnd(65536));
		put_random(f + off + 2, 60);
		len = off + 2 + rnd(61);
	} else if (family != 0 && rnd(8) == 0) {
		/* PPPoE session, with or without protocol compression. */
		put16(f + off, 0x8864);
		pppoe = off + 2;
		f[pppoe] = rnd(32) ? 0x11 : (uint8_t)rng();
		f[pppoe + 1] = 0;
		put16(f + pppoe + 2, rnd(65536));
		off = pppoe + 6;
		if (rnd(2)) {
			f[off++] = family == 4 ? 0x21 : 0x57;
		} else {
			put16(f + off, rnd(16) == 0  ? rnd(65536)
				       : family == 4 ? 0x0021
						     : 0x0057);
			off += 2;
		}
		len = off + random_ip(f + off, family, RANDOM_FRAME_MAX - off);
		if (rnd(16))
			put16(f + pppoe + 4, len - pppoe - 6);
	} else {
		len = ip_after_type(f, off, family);
	}
	/* Ethernet's padding to 60 bytes, truncations, a byte changed. */
	len = pad_or_cut(f, len);
	if (rnd(8) == 0 && len > 0)
		f[rnd(RTE_MIN(len, 80u))] = (uint8_t)rng();
	return len;
}

static void
test_random_frames(void **state)
{
	static uint8_t frames[OP25B_CLASSIFY_BURST_MAX][RANDOM_FRAME_MAX];
	unsigned int done = 0, bursts = 0, i;
	struct burst b;

	(void)state;
	while (done < RANDOM_FRAMES) {
		b.n = 0;
		for (i = 1 + rnd(OP25B_CLASSIFY_BURST_MAX); i > 0; i--) {
			unsigned int len = random_frame(frames[b.n]);
			unsigned int first = len, rest = len;
			char where[96];

			/* Now and then a chain, cut anywhere. */
			if (rnd(16) == 0 && len > 1) {
				first = 1 + rnd(len - 1);
				rest = rnd(2) ? 64 : len;
			}
			snprintf(where, sizeof(where), "random frame %u",
				 done + b.n);
			burst_add(&b, frames[b.n], len, first, rest, where);
		}
		run_burst(classifiers[bursts++ % n_classifiers], &b);
		done += b.n;
	}
	print_message("random: %u frames in %u bursts\n", done, bursts);
}

/* The network mask of a /@len (0..32): in 64 bits, as a 32-bit shift
 * by 32 is undefined. */
static uint32_t
mask_of(unsigned int len)
{
	return (uint32_t) ~(UINT64_C(0xffffffff) >> len);
}

/* A random IPv4 address under @prefix/@len (len 0..32). */
static uint32_t
address_under(uint32_t prefix, unsigned int len)
{
	return (prefix & mask_of(len)) | ((uint32_t)rng() & ~mask_of(len));
}

/* Prefix @i of @pfx/@len: under one of the three /8s from @first, /8 to
 * /32, or a third of the time /17../32 under one of 24 of its /16s (an
 * ISP's subscriber pools: more /16s dense with long prefixes than get
 * wide, lpm4.h), none the same as one before it (a policy refuses
 * duplicates). */
static void
random_prefix(uint32_t *pfx, uint8_t *len, unsigned int i, unsigned int first)
{
	unsigned int j;

	do {
		if (rnd(3) == 0) {
			len[i] = (uint8_t)(17 + rnd(16));
			pfx[i] = address_under((uint32_t)first << 24 |
						       (1 + rnd(24)) << 16,
					       16);
		} else {
			len[i] = (uint8_t)(8 + rnd(25));
			pfx[i] = address_under((uint32_t)(first + rnd(3)) << 24,
					       8);
		}
		pfx[i] &= mask_of(len[i]);
		for (j = 0; j < i && (pfx[j] != pfx[i] || len[j] != len[i]);
		     j++)
			;
	} while (j < i);
}

#define DEEP_CLASSES 12
#define DEEP_GROUPS 6
#define DEEP_PER_SET 400
#define DEEP_BURSTS 1500
#define DEEP_EXEMPT 300

static uint32_t src_pfx[DEEP_CLASSES * DEEP_PER_SET],
	dst_pfx[DEEP_GROUPS * DEEP_PER_SET];
static uint8_t src_len[DEEP_CLASSES * DEEP_PER_SET],
	dst_len[DEEP_GROUPS * DEEP_PER_SET];

/* The IPv6 tables' prefixes: /8../128 under three /32s (so that they
 * nest and groups reach every byte of lpm6.h's walk) and 192 other /16s. */
static uint8_t src6_pfx[DEEP_CLASSES * DEEP_PER_SET][16],
	dst6_pfx[DEEP_GROUPS * DEEP_PER_SET][16];
static uint8_t src6_len[DEEP_CLASSES * DEEP_PER_SET],
	dst6_len[DEEP_GROUPS * DEEP_PER_SET];

/* @addr with the host bits past /@len (0..128) clear. */
static void
mask6(uint8_t *addr, unsigned int len)
{
	unsigned int i;

	for (i = 0; i < 16; i++)
		if (8 * i >= len)
			addr[i] = 0;
		else if (8 * i + 8 > len)
			addr[i] &= (uint8_t)(0xff00 >> (len - 8 * i));
}

/* A random IPv6 address under @prefix/@len. */
static void
address6_under(const uint8_t *prefix, unsigned int len, uint8_t *addr)
{
	uint8_t host[16];
	unsigned int i;

	for (i = 0; i < 16; i++)
		host[i] = (uint8_t)rng();
	memcpy(addr, prefix, 16);
	mask6(addr, len);
	for (i = 0; i < 16; i++) {
		uint8_t keep = 8 * i + 8 <= len ? 0xff
			       : 8 * i >= len
				       ? 0
				       : (uint8_t)(0xff00 >> (len - 8 * i));

		addr[i] |= host[i] & (uint8_t)~keep;
	}
}

/* A random address under one of three /32s from @first (0x20..), or a
 * quarter of the time under one of 192 other /16s: more /16s with long
 * prefixes under them than get a wide group (lpm6.h), so that a batch
 * walks wide and narrow groups side by side (deep_run() checks it). */
static void
random_base6(uint8_t *addr, uint8_t first)
{
	unsigned int i, b = rnd(3);

	for (i = 2; i < 16; i++)
		addr[i] = (uint8_t)rng();
	addr[0] = first;
	if (rnd(4) == 0) {
		addr[1] = (uint8_t)(0x40 + rnd(192));
		return;
	}
	addr[1] = (uint8_t)(0x01 + b);
	addr[2] = 0x0d;
	addr[3] = (uint8_t)(0xb8 + b);
}

/* Prefix @i of @pfx/@len: /8 to /128, none the same as one before it. */
static void
random_prefix6(uint8_t (*pfx)[16], uint8_t *len, unsigned int i, uint8_t first)
{
	unsigned int j;

	do {
		len[i] = (uint8_t)(8 + rnd(121));
		random_base6(pfx[i], first);
		mask6(pfx[i], len[i]);
		for (j = 0; j < i && (len[j] != len[i] ||
				      memcmp(pfx[j], pfx[i], 16) != 0);
		     j++)
			;
	} while (j < i);
}

/* "a.b.c.d/len, ..." of prefixes [@from, @from + n) into @text. */
static size_t
emit_prefixes(char *text, size_t cap, const uint32_t *pfx, const uint8_t *len,
	      unsigned int from, unsigned int n)
{
	size_t used = 0;
	unsigned int i;

	for (i = from; i < from + n; i++) {
		used += (size_t)snprintf(
			text + used, cap - used, "%s%u.%u.%u.%u/%u",
			i > from ? ", " : "", pfx[i] >> 24,
			(pfx[i] >> 16) & 0xff, (pfx[i] >> 8) & 0xff,
			pfx[i] & 0xff, len[i]);
		assert_true(used < cap);
	}
	return used;
}

/* The same of the IPv6 prefixes. */
static size_t
emit_prefixes6(char *text, size_t cap, uint8_t (*pfx)[16], const uint8_t *len,
	       unsigned int from, unsigned int n)
{
	size_t used = 0;
	unsigned int i;

	for (i = from; i < from + n; i++) {
		char a[INET6_ADDRSTRLEN];

		assert_non_null(inet_ntop(AF_INET6, pfx[i], a, sizeof(a)));
		used += (size_t)snprintf(text + used, cap - used, "%s%s/%u",
					 i > from ? ", " : "", a, len[i]);
		assert_true(used < cap);
	}
	return used;
}

/* Prefixes [@from, @from + n) of the sources (@dst: destinations) of
 * @family. */
static size_t
emit_set(char *text, size_t cap, int family, bool dst, unsigned int from,
	 unsigned int n)
{
	if (family == AF_INET6)
		return dst ? emit_prefixes6(text, cap, dst6_pfx, dst6_len, from,
					    n)
			   : emit_prefixes6(text, cap, src6_pfx, src6_len, from,
					    n);
	return dst ? emit_prefixes(text, cap, dst_pfx, dst_len, from, n)
		   : emit_prefixes(text, cap, src_pfx, src_len, from, n);
}

/* The deep policy's sources and destinations (made once) of @family
 * after @head; without @groups, no destinations (the destination table
 * is missing) and every class blocks. */
static struct op25b_policy *
deep_policy(const char *head, bool groups, int family)
{
	size_t cap = 1 << 20, used = 0;
	char *text = malloc(cap);
	struct op25b_policy_error err;
	struct op25b_policy *policy;
	unsigned int k, g, j;

	assert_non_null(text);
#define EMIT(...)                                                              \
	(used += (size_t)snprintf(text + used, cap - used, __VA_ARGS__),       \
	 assert_true(used < cap))
	EMIT("%sports:\n  smtp: [25]\n  submission: [587]\nsources:\n", head);
	for (k = 0; k < DEEP_CLASSES; k++) {
		if (groups) {
			EMIT("  c%u:\n    action: allow\n    to: {", k);
			for (g = 0, j = 0; g < DEEP_GROUPS; g++)
				if ((g + k) % 3 == 0)
					EMIT("%sg%u: block", j++ ? ", " : "",
					     g);
			EMIT("}\n");
		} else {
			EMIT("  c%u:\n    action: block\n", k);
		}
		EMIT("    prefixes: [");
		used += emit_set(text + used, cap - used, family, false,
				 k * DEEP_PER_SET, DEEP_PER_SET);
		EMIT("]\n");
	}
	if (groups)
		EMIT("destinations:\n");
	for (g = 0; groups && g < DEEP_GROUPS; g++) {
		EMIT("  g%u:\n    prefixes: [", g);
		used += emit_set(text + used, cap - used, family, true,
				 g * DEEP_PER_SET, DEEP_PER_SET);
		EMIT("]\n");
	}
#undef EMIT
	policy = op25b_policy_load_buffer("deep.yaml", text, used, &err);
	free(text);
	if (policy == NULL) {
		char why[256];

		op25b_policy_error_format(&err, why, sizeof(why));
		fail_msg("deep.yaml: %s", why);
	}
	return policy;
}

/* An exemption table of DEEP_EXEMPT of the source prefixes of
 * @family. */
static struct op25b_exempt_table *
deep_exemptions(struct op25b_exempt_registry **reg, int family)
{
	struct op25b_exempt_table *t;
	unsigned int i;

	*reg = op25b_exempt_registry_create();
	assert_non_null(*reg);
	for (i = 0; i < DEEP_EXEMPT; i++) {
		unsigned int k = rnd(RTE_DIM(src_pfx));
		struct op25b_prefix p = { .family = family };
		int ret;

		if (family == AF_INET6) {
			p.length = src6_len[k];
			memcpy(p.addr, src6_pfx[k], 16);
		} else {
			p.length = src_len[k];
			p.addr[0] = (uint8_t)(src_pfx[k] >> 24);
			p.addr[1] = (uint8_t)(src_pfx[k] >> 16);
			p.addr[2] = (uint8_t)(src_pfx[k] >> 8);
			p.addr[3] = (uint8_t)src_pfx[k];
		}
		/* The same prefix drawn twice replaces the first. */
		ret = op25b_exempt_registry_add(*reg, &p, 0, "deep", 0, 0,
						NULL);
		assert_int_equal(ret, 0);
	}
	t = op25b_exempt_table_build(*reg, SOCKET_ID_ANY);
	assert_non_null(t);
	return t;
}

/* The deep tables' policies: block: drop, block: reset (the RSTs' bytes
 * compared), monitor mode, and that without destinations (no
 * destination table: the gathers' missing-table lanes). */
static const char *const deep_heads[] = {
	"version: 1\nmode: enforce\nblock: drop\ndefault: allow\n",
	"version: 1\nmode: enforce\nblock: reset\ndefault: allow\n",
	"version: 1\nmode: monitor\nblock: drop\ndefault: allow\n",
	NULL, /* the one before, without destinations */
};

/* The longest deep-table frame: IPv6 and TCP without options. */
#define DEEP_FRAME 74

/* The deep tables' TCP header at @t (zeroed): a bare SYN from port
 * 49920 (0xc300) to 25, no options. */
static void
deep_syn(uint8_t *t)
{
	t[0] = 0xc3;  /* source port */
	t[3] = 25;    /* SMTP */
	t[12] = 0x50; /* data offset 5 */
	t[13] = 0x02; /* SYN */
}

/* An IPv4 SYN to port 25 in @f (54 bytes): source and destination under
 * a random prefix of the policy, or anywhere. Returns its length. */
static unsigned int
deep_frame4(uint8_t *f)
{
	unsigned int si = rnd(RTE_DIM(src_pfx)), di = rnd(RTE_DIM(dst_pfx)), k;
	uint32_t src = rnd(4) ? address_under(src_pfx[si], src_len[si])
			      : (uint32_t)rng();
	uint32_t dst = rnd(4) ? address_under(dst_pfx[di], dst_len[di])
			      : (uint32_t)rng();

	memset(f, 0, 54);
	f[12] = 0x08; /* IPv4 */
	f[14] = 0x45; /* no options */
	f[17] = 40;   /* total length */
	f[22] = 64;   /* TTL */
	f[23] = IPPROTO_TCP;
	for (k = 0; k < 4; k++) {
		f[26 + k] = (uint8_t)(src >> (24 - 8 * k));
		f[30 + k] = (uint8_t)(dst >> (24 - 8 * k));
	}
	deep_syn(f + 34);
	return 54;
}

/* A random IPv6 address of the deep tables at @a: under a random prefix
 * of @pfx/@len (n of them), under one of the three /32s from @first, or
 * anywhere. */
static void
deep_address6(uint8_t *a, uint8_t (*pfx)[16], const uint8_t *len,
	      unsigned int n, uint8_t first)
{
	unsigned int k, i = rnd(n);

	switch (rnd(4)) {
	case 0:
		random_base6(a, first);
		break;
	case 1:
		for (k = 0; k < 16; k++)
			a[k] = (uint8_t)rng();
		break;
	default:
		address6_under(pfx[i], len[i], a);
	}
}

/* An IPv6 SYN to port 25 in @f (74 bytes). Returns its length. */
static unsigned int
deep_frame6(uint8_t *f)
{
	memset(f, 0, 74);
	f[12] = 0x86; /* IPv6 */
	f[13] = 0xdd;
	f[14] = 0x60;
	f[19] = 20; /* payload length */
	f[20] = IPPROTO_TCP;
	f[21] = 64; /* hop limit */
	deep_address6(f + 22, src6_pfx, src6_len, RTE_DIM(src6_pfx), 0x20);
	deep_address6(f + 38, dst6_pfx, dst6_len, RTE_DIM(dst6_pfx), 0x2a);
	deep_syn(f + 54);
	return 74;
}

/*
 * SYNs of @family (the prefixes made) in bursts of 8..64 (the vector
 * lookups take a batch of 8 addresses or more), under each of deep_heads'
 * policies, each burst with and without an exemption table of some of
 * the source prefixes; then every outcome a decision can give must have
 * come, so that every branch after the lookups ran.
 */
/* The /16s of @pfx/@len[0..n) with prefixes longer than /24 under them:
 * those that would have a wide group (lpm6.h) but for its cap. */
static unsigned int
deep_wide_candidates(uint8_t (*pfx)[16], const uint8_t *len, unsigned int n)
{
	static uint8_t seen[65536 / 8];
	unsigned int i, count = 0;

	memset(seen, 0, sizeof(seen));
	for (i = 0; i < n; i++) {
		unsigned int first = (unsigned int)pfx[i][0] << 8 | pfx[i][1];

		if (len[i] <= 24 || (seen[first / 8] & (1u << (first % 8))))
			continue;
		seen[first / 8] |= (uint8_t)(1u << (first % 8));
		count++;
	}
	return count;
}

/* deep_wide_candidates() of IPv4 prefixes (wide /16s, lpm4.h). */
static unsigned int
deep_wide_candidates4(const uint32_t *pfx, const uint8_t *len, unsigned int n)
{
	static uint8_t as6[DEEP_CLASSES * DEEP_PER_SET][16];
	unsigned int i;

	for (i = 0; i < n; i++) {
		as6[i][0] = (uint8_t)(pfx[i] >> 24);
		as6[i][1] = (uint8_t)(pfx[i] >> 16);
	}
	return deep_wide_candidates(as6, len, n);
}

/* Both tables of @family with wide /16s and, beyond the cap, /16s with
 * long prefixes left narrow: the batches walk both kinds side by side. */
static void
deep_wide_check(const struct op25b_classifier *c, int family)
{
	unsigned int src, dst, src_wide, dst_wide;

	if (family == AF_INET6) {
		src = deep_wide_candidates(src6_pfx, src6_len,
					   RTE_DIM(src6_pfx));
		dst = deep_wide_candidates(dst6_pfx, dst6_len,
					   RTE_DIM(dst6_pfx));
		src_wide = c->src6->n_wide;
		dst_wide = c->dst6->n_wide;
	} else {
		src = deep_wide_candidates4(src_pfx, src_len, RTE_DIM(src_pfx));
		dst = deep_wide_candidates4(dst_pfx, dst_len, RTE_DIM(dst_pfx));
		src_wide = c->src4->n_wide;
		dst_wide = c->dst4->n_wide;
	}
	if (src_wide == 0 || src_wide >= src || dst_wide == 0 ||
	    dst_wide >= dst)
		fail_msg("deep IPv%d tables: wide groups %u of %u (sources), "
			 "%u of %u (destinations): not both kinds on a side",
			 family == AF_INET6 ? 6 : 4, src_wide, src, dst_wide,
			 dst);
	print_message("deep IPv%d tables: wide groups for %u of %u /16s "
		      "(sources), %u of %u (destinations)\n",
		      family == AF_INET6 ? 6 : 4, src_wide, src, dst_wide, dst);
}

static void
deep_run(int family, const char *what)
{
	static uint8_t frames[OP25B_CLASSIFY_BURST_MAX][DEEP_FRAME];
	struct op25b_exempt_registry *reg;
	struct op25b_exempt_table *exempt;
	unsigned int i, j, v, bursts = 0;
	struct burst b;
	uint64_t before[OP25B_OUTCOME_MAX];

	memcpy(before, outs[0]->total.outcome, sizeof(before));
	exempt = deep_exemptions(&reg, family);
	for (v = 0; v < RTE_DIM(deep_heads); v++) {
		/* The last policy again without destinations. */
		struct op25b_policy *policy = deep_policy(
			deep_heads[RTE_MIN(v, RTE_DIM(deep_heads) - 2)],
			v < RTE_DIM(deep_heads) - 1, family);
		struct op25b_classifier *c = op25b_classifier_create(
			policy, SOCKET_ID_ANY, NULL, NULL);

		assert_non_null(c);
		if (v == 0)
			deep_wide_check(c, family);
		for (i = 0; i < DEEP_BURSTS; i++, bursts++) {
			b.n = 0;
			for (j = 8 + rnd(OP25B_CLASSIFY_BURST_MAX - 7); j > 0;
			     j--) {
				uint8_t *f = frames[b.n];
				unsigned int len = family == AF_INET6
							   ? deep_frame6(f)
							   : deep_frame4(f);

				burst_add(&b, f, len, len, len, what);
			}
			burst_exempt = i % 2 ? exempt : NULL;
			run_burst(c, &b);
		}
		burst_exempt = NULL;
		op25b_classifier_free(c);
		op25b_policy_free(policy);
	}
	op25b_exempt_table_free(exempt);
	op25b_exempt_registry_free(reg);
	for (i = OP25B_OUTCOME_EXEMPTED; i <= OP25B_OUTCOME_RESET; i++)
		if (outs[0]->total.outcome[i] == before[i])
			fail_msg("%s: no %s packet", what,
				 op25b_outcome_name(i));
	print_message("%s: %u bursts of 8..64\n", what, bursts);
}

/* IPv4: source and destination tables that reach every level of lpm4.h
 * (prefixes /8../32 under three /8s each, so that they nest, and dense
 * under 24 /16s, so that wide and narrow /16s meet in a batch; every
 * class blocks towards some groups only, so that both lookups decide). */
static void
test_deep_tables(void **state)
{
	unsigned int i;

	(void)state;
	for (i = 0; i < RTE_DIM(src_pfx); i++)
		random_prefix(src_pfx, src_len, i, 10);
	for (i = 0; i < RTE_DIM(dst_pfx); i++)
		random_prefix(dst_pfx, dst_len, i, 172);
	deep_run(AF_INET, "deep-table IPv4 SYN");
}

/* IPv6 (the vector paths' gathered walk of lpm6.h): prefixes /8../128
 * under three /32s, so that groups reach every byte of the walk and
 * prefixes nest, and under 192 other /16s, so that wide and narrow groups
 * meet in a batch. */
static void
test_deep_tables6(void **state)
{
	unsigned int i;

	(void)state;
	for (i = 0; i < RTE_DIM(src6_pfx); i++)
		random_prefix6(src6_pfx, src6_len, i, 0x20);
	for (i = 0; i < RTE_DIM(dst6_pfx); i++)
		random_prefix6(dst6_pfx, dst6_len, i, 0x2a);
	deep_run(AF_INET6, "deep-table IPv6 SYN");
}

/* One frame of the shapes parse_encapsulated() reads at constant offsets
 * (parse_l2_fixed()): PPPoE, one tag or two, over IPv4 or PPPoE (and the
 * same over IPv6, which walks), into @f, each field right most of the
 * time and now and then not (the TPIDs, the PPPoE header's version, code
 * and length, the PPP protocol, its compression, the IP header, the
 * frame's length); returns its length. */
static unsigned int
shortcut_frame(uint8_t *f)
{
	static const uint16_t tpids[] = { 0x8100, 0x88a8, 0x9100 };
	unsigned int off = 12, tags = rnd(3), i, len, pppoe = rnd(2);
	int family = rnd(2) ? 4 : 6;

	put_random(f, 12);
	for (i = 0; i < tags; i++, off += 4) {
		put16(f + off, rnd(16) ? tpids[rnd(RTE_DIM(tpids))] : rng());
		put16(f + off + 2, rnd(4096));
	}
	if (pppoe) {
		unsigned int at = off + 2;

		put16(f + off, rnd(16) ? 0x8864 : 0x8863);
		f[at] = rnd(8) ? 0x11 : (uint8_t)rng();
		f[at + 1] = rnd(8) ? 0 : (uint8_t)rng();
		off = at + 6;
		if (rnd(8) == 0) {
			f[off++] = family == 4 ? 0x21 : 0x57;
		} else {
			put16(f + off, rnd(16) ? (family == 4 ? 0x0021 : 0x0057)
				       : rnd(2) ? 0x002d
						: rng());
			off += 2;
		}
		len = off + random_ip(f + off, family, RANDOM_FRAME_MAX - off);
		/* The session's length: right, a little off either way, or
		 * anything. */
		put16(f + at + 4, rnd(4)   ? len - at - 6
				  : rnd(2) ? len - at - 6 + rnd(5) - 2
					   : rnd(65536));
	} else {
		len = ip_after_type(f, off, family);
	}
	return pad_or_cut(f, len);
}

/* What the shortcuts took and the walk would have said of them. */
struct shortcut_seen {
	unsigned int taken, smtp, pppoe, two_tags, frames;
};

/* Frame @f of @len bytes, in a buffer of exactly its length (ASan sees
 * any read past it), parsed by parse_frame() and, when it is tagged or
 * PPPoE, by the walk alone: the same code, and for SMTP the same meta.
 * Now and then the frame is a chain's headers instead: the parse depth's
 * bytes of a frame @len says is longer (padding after the packet). */
static void
shortcut_check(const struct op25b_classifier *c, const uint8_t *f,
	       unsigned int len, struct shortcut_seen *seen)
{
	unsigned int have = len, room = len;
	struct pkt_meta fast, walked;
	uint8_t code, ref, took;
	uint8_t *p;
	uint16_t type;

	if (rnd(16) == 0) {
		room = OP25B_PARSE_DEPTH;
		len = OP25B_PARSE_DEPTH + 1 + rnd(8000);
	}
	/* malloc(0) may return NULL: one byte then, which len 0 never
	 * reads. */
	p = calloc(room > 0 ? room : 1, 1);
	assert_non_null(p);
	memcpy(p, f, have);
	memset(&fast, 0xa5, sizeof(fast));
	memset(&walked, 0xa5, sizeof(walked));
	seen->frames++;
	code = parse_frame(c, p, len, &fast);
	if (len >= 14) {
		type = load_raw16(p + 12);
		if (type == RTE_BE16(ETHER_TYPE_PPPOE_SESSION) ||
		    is_vlan_tpid(type)) {
			ref = parse_walked(c, p, len, type, &walked);
			if (code != ref ||
			    (code == PARSE_SMTP &&
			     memcmp(&fast, &walked, sizeof(fast)) != 0))
				fail_msg("shortcut frame %u (%u bytes, "
					 "max_vlan_tags %u): code %u, the "
					 "walk's %u",
					 seen->frames, len, c->max_vlan_tags,
					 code, ref);
			/* Which shortcut, if any, the frame took. */
			took = PARSE_WALK;
			if (type == RTE_BE16(ETHER_TYPE_PPPOE_SESSION) &&
			    len >= 34)
				took = parse_l2_fixed(c, p, len, 14, &fast);
			else if (is_vlan_tpid(type) && len >= 42 &&
				 !is_vlan_tpid(load_raw16(p + 16)))
				took = parse_l2_fixed(c, p, len, 18, &fast);
			else if (is_vlan_tpid(type) && len >= 42 &&
				 c->max_vlan_tags >= 2) {
				took = parse_l2_fixed(c, p, len, 22, &fast);
				seen->two_tags += took != PARSE_WALK;
			}
			if (took != PARSE_WALK) {
				seen->taken++;
				seen->smtp += took == PARSE_SMTP;
				seen->pppoe += took == PARSE_SMTP && fast.pppoe;
			}
		}
	}
	free(p);
}

/* parse_encapsulated()'s shortcuts against the walk they stand in for
 * (the paths above all share the parser, so they cannot tell): the
 * shapes themselves with their fields bent, and the random frames, under
 * max_vlan_tags 1, 2 and 4. */
static void
test_l2_shortcuts(void **state)
{
	static const uint8_t max_tags[] = { 1, 2, 4 };
	static uint8_t f[RANDOM_FRAME_MAX];
	struct shortcut_seen seen = { 0 };
	struct op25b_classifier *c;
	unsigned int i, t;

	(void)state;
	c = op25b_classifier_parser_create(policies[0]);
	assert_non_null(c);
	for (t = 0; t < RTE_DIM(max_tags); t++) {
		c->max_vlan_tags = max_tags[t];
		for (i = 0; i < 100000; i++) {
			shortcut_check(c, f, shortcut_frame(f), &seen);
			shortcut_check(c, f, random_frame(f), &seen);
		}
	}
	op25b_classifier_parser_free(c);
	print_message("shortcuts: %u of %u frames, %u of them SMTP (%u "
		      "PPPoE), %u under two tags\n",
		      seen.taken, seen.frames, seen.smtp, seen.pppoe,
		      seen.two_tags);
	/* Each shape was taken, and the walk read the rest. */
	assert_true(seen.smtp > 500 && seen.pppoe > 500 && seen.two_tags > 500);
}

/* The whole run's counters, path against path. */
static void
test_totals(void **state)
{
	unsigned int p;

	(void)state;
	for (p = 1; p < n_paths; p++)
		assert_memory_equal(&outs[p]->total, &outs[0]->total,
				    sizeof(outs[0]->total));
	print_message("%" PRIu64 " frames through each path; non_smtp %" PRIu64
		      " of them\n",
		      frames_run,
		      outs[0]->total.outcome[OP25B_OUTCOME_NON_SMTP]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vector_files),
		cmocka_unit_test(test_fuzz_corpus),
		cmocka_unit_test(test_random_frames),
		cmocka_unit_test(test_deep_tables),
		cmocka_unit_test(test_deep_tables6),
		cmocka_unit_test(test_totals),
		cmocka_unit_test(test_l2_shortcuts),
	};
	char dir[512], path[1024], covered[128] = "";
	unsigned int i;
	int ret, failed;

	ret = test_vec_setup(dir, sizeof(dir), vec_names, MAX_SETS,
			     "vector_diff", 4095, &pool);
	if (ret < 0)
		return 1;
	n_classifiers = (unsigned int)ret;
	for (i = 0; i < n_classifiers; i++)
		if (test_vec_load(dir, vec_names[i], path, sizeof(path),
				  &vfs[i], &policies[i], &classifiers[i]) != 0)
			return 1;
	for (i = 0; i < MAX_RUNS; i++) {
		enum op25b_classify_path run = i / 2;

		if (!op25b_classify_path_available(run) ||
		    (run == OP25B_CLASSIFY_PATH_SCALAR && i % 2 == 1))
			continue;
		paths[n_paths] = run;
		prepass[n_paths] = i % 2 == 1;
		snprintf(run_names[n_paths], sizeof(run_names[0]), "%s%s",
			 op25b_classify_path_name(run),
			 prepass[n_paths] ? "+prepass" : "");
		outs[n_paths] = calloc(1, sizeof(*outs[0]));
		if (outs[n_paths] == NULL)
			return 1;
		snprintf(covered + strlen(covered),
			 sizeof(covered) - strlen(covered), " %s",
			 run_names[n_paths++]);
	}
	printf("paths covered:%s%s\n", covered,
	       n_paths < 2 ? " (no vector path on this CPU: nothing to "
			     "compare)"
			   : "");
	failed = cmocka_run_group_tests(tests, NULL, NULL);
	for (i = 0; i < n_paths; i++)
		free(outs[i]);
	for (i = 0; i < n_classifiers; i++) {
		op25b_classifier_free(classifiers[i]);
		op25b_policy_free(policies[i]);
		op25b_vector_file_free(&vfs[i]);
		free(vec_names[i]);
	}
	rte_mempool_free(pool);
	rte_eal_cleanup();
	return failed;
}
