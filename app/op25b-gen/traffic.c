/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Synthetic traffic profiles. Every packet is built by the craft library
 * from a spec, so the generator can only make packets the tests can also
 * describe; the payloads carry real SMTP/HTTP/DNS text where a reader (or
 * tshark) would look for it.
 *
 * The profiles are listed once, in traffic_profiles[] (name, --help text,
 * step function): demo draws flows from a weighted table, each named after
 * what the default policy (config/op25b.yaml) should do with it; mix makes
 * one packet at a time with realistic shares and IMIX sizes; worst, worst6,
 * worst-adaptive, tiny and access one minimal packet at a time, for the
 * benchmark.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "gen.h"
#include "op25b_craft.h"

/* A "64-byte frame" is 60 bytes before its FCS: short frames get an
 * Ethernet trailer up to this, as a NIC pads them on the wire. */
#define ETH_MIN_FRAME 60
#define ETH_HDR_LEN 14
#define GEN_IP_MTU 1500
#define GEN_PPPOE_IP_MTU 1492
#define TCP_HDR_LEN 20

#define TCP_SYN 0x02
#define TCP_ACK 0x10
#define TCP_PSH_ACK 0x18

/* Where a demo flow's source comes from: the classes of the policy. */
enum demo_src {
	SRC_DYNAMIC4,	 /* 198.18.0.0/16 less the static /24 */
	SRC_STATIC4,	 /* 198.18.20.0/24 */
	SRC_HOSTING4,	 /* 198.19.0.0/17, half from a few bulk senders */
	SRC_MOBILE4,	 /* 198.19.128.0/17 */
	SRC_DYNAMIC6,	 /* 2001:db8:1000::/36 less the static /64 */
	SRC_STATIC6,	 /* 2001:db8:1000:20::/64 */
	SRC_SUBSCRIBER4, /* any of the IPv4 classes */
	SRC_SUBSCRIBER6, /* any of the IPv6 classes */
};

/* Where it goes: the destination groups, and the world outside. */
enum demo_dst {
	DST_MX4,
	DST_RELAY4,
	DST_MOBILE_MX4,
	DST_MX6,
	DST_RELAY6,
	DST_WEB4,
	DST_WEB6,
	DST_DNS4,
	DST_DNS6,
};

/* Each destination's prefix, parsed once into traffic.dst[]: a host is
 * drawn from it, or a single address is that address. */
static const char *const demo_destinations[] = {
	[DST_MX4] = "203.0.113.0/24",	      /* mail servers outside */
	[DST_RELAY4] = "192.0.2.25",	      /* the ISP relay (isp-relays) */
	[DST_MOBILE_MX4] = "198.51.100.0/24", /* mobile-mx */
	[DST_MX6] = "2001:db8:ffff::/48",
	[DST_RELAY6] = "2001:db8::25",
	[DST_WEB4] = "203.0.113.0/24",
	[DST_WEB6] = "2001:db8:ffff::/48",
	[DST_DNS4] = "192.0.2.53",
	[DST_DNS6] = "2001:db8::53",
};

#define N_DEMO_DSTS (sizeof(demo_destinations) / sizeof(demo_destinations[0]))

enum flow_kind {
	FLOW_MAIL, /* SYN, then EHLO, MAIL FROM, body */
	FLOW_WEB,  /* SYN, then a request or TLS records */
	FLOW_DNS,  /* one query */
};

struct demo_flow {
	const char *what;
	unsigned int weight;
	enum flow_kind kind;
	enum demo_src src;
	enum demo_dst dst;
	uint16_t dport;
};

/*
 * Weights count flows. A TCP flow is 1-4 packets (2.5 on average), a DNS
 * flow one, so these weights give about 55% web, 15% DNS and 30% SMTP and
 * submission packets, the SMTP part spread so that every verdict of the
 * default policy shows in a few thousand packets.
 */
static const struct demo_flow demo_flows[] = {
	{ "https", 128, FLOW_WEB, SRC_SUBSCRIBER4, DST_WEB4, 443 },
	{ "https6", 32, FLOW_WEB, SRC_SUBSCRIBER6, DST_WEB6, 443 },
	{ "http", 48, FLOW_WEB, SRC_SUBSCRIBER4, DST_WEB4, 80 },
	{ "http6", 12, FLOW_WEB, SRC_SUBSCRIBER6, DST_WEB6, 80 },
	{ "dns", 120, FLOW_DNS, SRC_SUBSCRIBER4, DST_DNS4, 53 },
	{ "dns6", 30, FLOW_DNS, SRC_SUBSCRIBER6, DST_DNS6, 53 },
	/* dynamic: blocked (reset) to the outside, relay allowed */
	{ "dynamic-to-mx", 28, FLOW_MAIL, SRC_DYNAMIC4, DST_MX4, 25 },
	{ "dynamic-to-relay", 12, FLOW_MAIL, SRC_DYNAMIC4, DST_RELAY4, 25 },
	{ "dynamic-submission", 8, FLOW_MAIL, SRC_DYNAMIC4, DST_MX4, 587 },
	{ "dynamic-smtps", 8, FLOW_WEB, SRC_DYNAMIC4, DST_MX4, 465 },
	{ "static-to-mx", 12, FLOW_MAIL, SRC_STATIC4, DST_MX4, 25 },
	{ "mobile-to-mobile-mx", 8, FLOW_MAIL, SRC_MOBILE4, DST_MOBILE_MX4,
	  25 },
	{ "mobile-to-mx", 8, FLOW_MAIL, SRC_MOBILE4, DST_MX4, 25 },
	{ "hosting-to-mx", 12, FLOW_MAIL, SRC_HOSTING4, DST_MX4, 25 },
	{ "dynamic6-to-mx", 12, FLOW_MAIL, SRC_DYNAMIC6, DST_MX6, 25 },
	{ "dynamic6-to-relay", 4, FLOW_MAIL, SRC_DYNAMIC6, DST_RELAY6, 25 },
	{ "static6-to-mx", 8, FLOW_MAIL, SRC_STATIC6, DST_MX6, 25 },
};

#define N_DEMO_FLOWS (sizeof(demo_flows) / sizeof(demo_flows[0]))

/* A few hosting servers send in bursts so that the adaptive class trips
 * (more than 10 connections a minute) while the other hosts stay under. */
static const char *const demo_bulk_senders[] = {
	"198.19.0.10",
	"198.19.0.11",
	"198.19.7.77",
	"198.19.100.200",
};

#define N_BULK_SENDERS                                                         \
	(sizeof(demo_bulk_senders) / sizeof(demo_bulk_senders[0]))

static const char *const dns_names[] = {
	"www.example.com", "mail.example.org", "example.net",
	"cdn.example.com", "api.example.org",  "login.example.net",
};

#define N_DNS_NAMES (sizeof(dns_names) / sizeof(dns_names[0]))

struct traffic_profile;

struct traffic {
	const struct gen_opts *opts;
	const struct traffic_profile *profile;
	struct gen_rng rng;
	struct gen_pool_list pools;
	/* Built-in prefixes, parsed once. */
	struct op25b_prefix dyn4, static4, hosting4, mobile4, dyn6, static6;
	struct op25b_prefix bench4, bench6;
	struct op25b_prefix dst[N_DEMO_DSTS];
	struct op25b_prefix bulk[N_BULK_SENDERS];
	unsigned int demo_weight_total;
	/* worst-adaptive: the IPv4 sources used so far. */
	struct gen_key_set seen;
	FILE *out;
	uint64_t written;
	struct gen_progress progress;
	int error;
	uint8_t text[GEN_IP_MTU]; /* mail body / HTTP filler */
	uint8_t frame[OP25B_CRAFT_FRAME_MAX];
};

static bool
traffic_done(const struct traffic *t)
{
	return t->written >= t->opts->count || t->error != 0;
}

/* Build one packet and append it to the pcap. */
static void
emit(struct traffic *t, const struct op25b_craft_spec *spec,
     const void *payload, size_t payload_size)
{
	int len, ret;

	if (traffic_done(t))
		return;
	len = op25b_craft_build_payload(spec, payload, payload_size, t->frame,
					sizeof(t->frame));
	if (len < 0) {
		gen_error("traffic: cannot build a packet: %s", strerror(-len));
		t->error = len;
		return;
	}
	if (len < ETH_MIN_FRAME) {
		memset(t->frame + len, 0, (size_t)(ETH_MIN_FRAME - len));
		len = ETH_MIN_FRAME;
	}
	ret = op25b_pcap_write_frame(t->out, t->frame, (unsigned int)len,
				     GEN_PCAP_EPOCH_USEC +
					     t->written * GEN_PACKET_GAP_USEC);
	if (ret < 0) {
		gen_error("%s: write failed: %s", t->opts->out_path,
			  strerror(-ret));
		t->error = ret;
		return;
	}
	t->written++;
	gen_progress_update(&t->progress, t->written);
}

static void
parse_builtin(struct op25b_prefix *p, const char *text)
{
	/* The texts are constants of this file: a failure is a bug. */
	if (op25b_prefix_parse(text, p, NULL) < 0)
		abort();
}

static bool
prefix_contains(const struct op25b_prefix *p, const uint8_t *addr)
{
	unsigned int full = p->length / 8, rest = p->length % 8;

	if (memcmp(p->addr, addr, full) != 0)
		return false;
	return rest == 0 || ((p->addr[full] ^ addr[full]) &
			     (uint8_t)(0xff << (8 - rest))) == 0;
}

/* A host address inside @p p: not the all-zeros host, which no
 * subscriber gets, unless the prefix is a single address. */
static void
random_host(struct traffic *t, const struct op25b_prefix *p, uint8_t *out)
{
	unsigned int last = p->family == AF_INET6 ? 15 : 3;

	gen_prefix_random_addr(&t->rng, p, out);
	if (p->length < (last + 1) * 8 && out[last] == 0)
		out[last] = 1;
}

static int
demo_source(struct traffic *t, enum demo_src src, uint8_t *addr)
{
	unsigned int r;

	if (src == SRC_SUBSCRIBER4) {
		r = gen_rng_below(&t->rng, 100);
		src = r < 60   ? SRC_DYNAMIC4
		      : r < 70 ? SRC_STATIC4
		      : r < 80 ? SRC_HOSTING4
			       : SRC_MOBILE4;
	} else if (src == SRC_SUBSCRIBER6) {
		src = gen_rng_percent(&t->rng, 85) ? SRC_DYNAMIC6 : SRC_STATIC6;
	}
	switch (src) {
	case SRC_DYNAMIC4:
		do
			random_host(t, &t->dyn4, addr);
		while (prefix_contains(&t->static4, addr));
		return AF_INET;
	case SRC_STATIC4:
		random_host(t, &t->static4, addr);
		return AF_INET;
	case SRC_HOSTING4:
		if (gen_rng_percent(&t->rng, 50))
			memcpy(addr,
			       t->bulk[gen_rng_below(&t->rng, N_BULK_SENDERS)]
				       .addr,
			       16);
		else
			random_host(t, &t->hosting4, addr);
		return AF_INET;
	case SRC_MOBILE4:
		random_host(t, &t->mobile4, addr);
		return AF_INET;
	case SRC_DYNAMIC6:
		do
			random_host(t, &t->dyn6, addr);
		while (prefix_contains(&t->static6, addr));
		return AF_INET6;
	default:
		random_host(t, &t->static6, addr);
		return AF_INET6;
	}
}

static void
demo_destination(struct traffic *t, enum demo_dst dst, uint8_t *addr)
{
	const struct op25b_prefix *p = &t->dst[dst];

	/* A single address takes no draw: the streams stay those of a seed. */
	if (p->length == (p->family == AF_INET6 ? 128 : 32))
		memcpy(addr, p->addr, 16);
	else
		random_host(t, p, addr);
}

/* VLAN, QinQ or PPPoE for a share of the flows, in percent. */
static void
encapsulate(struct traffic *t, struct op25b_craft_spec *spec,
	    unsigned int vlan_pct, unsigned int qinq_pct,
	    unsigned int pppoe_pct)
{
	unsigned int r = gen_rng_below(&t->rng, 100);

	if (r < vlan_pct) {
		spec->n_vlans = 1;
		spec->vlan_tpid[0] = 0x8100;
		spec->vlan_tci[0] = 100;
	} else if (r < vlan_pct + qinq_pct) {
		spec->n_vlans = 2;
		spec->vlan_tpid[0] = 0x88a8;
		spec->vlan_tci[0] = 200;
		spec->vlan_tpid[1] = 0x8100;
		spec->vlan_tci[1] = 100;
	} else if (r < vlan_pct + qinq_pct + pppoe_pct) {
		spec->pppoe = true;
		spec->pppoe_session =
			(uint16_t)gen_rng_range(&t->rng, 1, 0xfffe);
	}
}

/* Largest L4 payload that keeps the IP packet within the MTU. */
static size_t
max_tcp_payload(const struct op25b_craft_spec *spec)
{
	size_t mtu = spec->pppoe ? GEN_PPPOE_IP_MTU : GEN_IP_MTU;
	size_t ip_hdr = spec->family == AF_INET6 ? 40 : 20;

	return mtu - ip_hdr - TCP_HDR_LEN;
}

/* A payload length for an IP packet of uniform size in [46, MTU]: frames
 * of 60 to 1514 bytes before any tag. */
static size_t
random_tcp_payload(struct traffic *t, const struct op25b_craft_spec *spec)
{
	size_t max = max_tcp_payload(spec);
	size_t ip_hdr = spec->family == AF_INET6 ? 40 : 20;
	size_t ip_len = gen_rng_range(&t->rng, ETH_MIN_FRAME - ETH_HDR_LEN,
				      (uint32_t)(max + ip_hdr + TCP_HDR_LEN));

	if (ip_len <= ip_hdr + TCP_HDR_LEN)
		return 1;
	return ip_len - ip_hdr - TCP_HDR_LEN;
}

static size_t
dns_query(struct traffic *t, uint8_t *out, bool aaaa)
{
	const char *name = dns_names[gen_rng_below(&t->rng, N_DNS_NAMES)];
	const char *label = name, *dot;
	size_t n = 12, len;
	uint16_t id = (uint16_t)gen_rng_next(&t->rng);

	memset(out, 0, 12);
	out[0] = (uint8_t)(id >> 8);
	out[1] = (uint8_t)id;
	out[2] = 0x01; /* recursion desired */
	out[5] = 1;    /* one question */
	for (;;) {
		dot = strchr(label, '.');
		len = dot ? (size_t)(dot - label) : strlen(label);
		out[n++] = (uint8_t)len;
		memcpy(out + n, label, len);
		n += len;
		if (dot == NULL)
			break;
		label = dot + 1;
	}
	out[n++] = 0;
	out[n++] = 0;
	out[n++] = aaaa ? 28 : 1;
	out[n++] = 0;
	out[n++] = 1; /* class IN */
	return n;
}

static void
emit_dns(struct traffic *t, struct op25b_craft_spec *spec)
{
	uint8_t query[128];
	size_t n;

	spec->proto = 17;
	spec->dport = 53;
	n = dns_query(t, query,
		      spec->family == AF_INET6 && gen_rng_percent(&t->rng, 50));
	spec->payload_len = (uint16_t)n;
	emit(t, spec, query, n);
}

/* One TCP flow: a SYN and then up to three data segments. */
static void
emit_tcp_flow(struct traffic *t, struct op25b_craft_spec *spec,
	      enum flow_kind kind)
{
	static const char *const mail_lines[] = {
		"EHLO client.example.net\r\n",
		"MAIL FROM:<user@example.net>\r\n",
	};
	static const char http_get[] =
		"GET /index.html HTTP/1.1\r\nHost: www.example.com\r\n"
		"User-Agent: op25b-gen\r\nAccept: */*\r\n\r\n";
	unsigned int n_data = gen_rng_below(&t->rng, 4), i;
	const uint8_t *data;
	size_t len;

	spec->proto = 6;
	spec->seq = (uint32_t)gen_rng_next(&t->rng);
	spec->ack = 0;
	spec->tcp_flags = TCP_SYN;
	spec->payload_len = 0;
	emit(t, spec, NULL, 0);
	spec->seq++;
	spec->ack = (uint32_t)gen_rng_next(&t->rng) | 1;
	spec->tcp_flags = TCP_PSH_ACK;
	for (i = 0; i < n_data && !traffic_done(t); i++) {
		data = t->text;
		len = random_tcp_payload(t, spec);
		if (kind == FLOW_MAIL && spec->dport != 465 && i < 2) {
			data = (const uint8_t *)mail_lines[i];
			len = strlen(mail_lines[i]);
		} else if (kind == FLOW_WEB && spec->dport == 80 && i == 0) {
			data = (const uint8_t *)http_get;
			len = sizeof(http_get) - 1;
		} else if (kind == FLOW_WEB && spec->dport != 80) {
			data = NULL; /* TLS records: the pattern will do */
		}
		spec->payload_len = (uint16_t)len;
		emit(t, spec, data, data ? len : 0);
		spec->seq += (uint32_t)len;
	}
}

static void
demo_step(struct traffic *t)
{
	const struct demo_flow *flow = demo_flows;
	struct op25b_craft_spec spec;
	unsigned int pick = gen_rng_below(&t->rng, t->demo_weight_total);

	while (pick >= flow->weight) {
		pick -= flow->weight;
		flow++;
	}
	op25b_craft_spec_init(&spec);
	spec.family = demo_source(t, flow->src, spec.src);
	demo_destination(t, flow->dst, spec.dst);
	spec.sport = (uint16_t)gen_rng_range(&t->rng, 1024, 65535);
	spec.dport = flow->dport;
	encapsulate(t, &spec, 10, 5, 10);
	if (flow->kind == FLOW_DNS)
		emit_dns(t, &spec);
	else
		emit_tcp_flow(t, &spec, flow->kind);
}

/* A subscriber source for the benchmark profiles: a random address of a
 * random pool prefix of @p family, or of the built-in range. */
static void
pool_source(struct traffic *t, int family, uint8_t *addr)
{
	const struct op25b_prefix *p;

	if (family == AF_INET)
		p = t->pools.n_v4 ? &t->pools.v4[gen_rng_below(
					    &t->rng, (uint32_t)t->pools.n_v4)]
				  : &t->bench4;
	else
		p = t->pools.n_v6 ? &t->pools.v6[gen_rng_below(
					    &t->rng, (uint32_t)t->pools.n_v6)]
				  : &t->bench6;
	random_host(t, p, addr);
}

/* IMIX 7:4:1 of 64/594/1518-byte frames (with FCS), as TCP payload. */
static size_t
imix_payload(struct traffic *t, const struct op25b_craft_spec *spec)
{
	unsigned int r = gen_rng_below(&t->rng, 12);
	size_t ip_hdr = spec->family == AF_INET6 ? 40 : 20;
	size_t frame = r < 7 ? 60 : r < 11 ? 590 : 1514;
	size_t max = max_tcp_payload(spec);
	size_t hdr = ETH_HDR_LEN + ip_hdr + TCP_HDR_LEN;

	/* The small share are bare SYNs and ACKs, as in real traffic. */
	if (frame <= ETH_MIN_FRAME || frame <= hdr)
		return 0;
	return frame - hdr < max ? frame - hdr : max;
}

static void
mix_step(struct traffic *t)
{
	struct op25b_craft_spec spec;
	unsigned int r = gen_rng_below(&t->rng, 1000);
	int family = gen_rng_percent(&t->rng, 20) ? AF_INET6 : AF_INET;
	uint8_t query[128];
	size_t len;

	op25b_craft_spec_init(&spec);
	spec.family = family;
	pool_source(t, family, spec.src);
	spec.sport = (uint16_t)gen_rng_range(&t->rng, 1024, 65535);
	encapsulate(t, &spec, 10, 0, 5);
	if (r < 20) { /* SMTP: a fifth to the ISP relay */
		spec.dport = 25;
		demo_destination(
			t,
			family == AF_INET6
				? (gen_rng_percent(&t->rng, 20) ? DST_RELAY6
								: DST_MX6)
				: (gen_rng_percent(&t->rng, 20) ? DST_RELAY4
								: DST_MX4),
			spec.dst);
	} else if (r < 30) { /* submission */
		spec.dport = gen_rng_percent(&t->rng, 70) ? 587 : 465;
		demo_destination(t, family == AF_INET6 ? DST_MX6 : DST_MX4,
				 spec.dst);
	} else if (r < 150) { /* DNS */
		demo_destination(t, family == AF_INET6 ? DST_DNS6 : DST_DNS4,
				 spec.dst);
		spec.proto = 17;
		spec.dport = 53;
		len = dns_query(t, query, family == AF_INET6);
		spec.payload_len = (uint16_t)len;
		emit(t, &spec, query, len);
		return;
	} else { /* web */
		spec.dport = gen_rng_percent(&t->rng, 75) ? 443 : 80;
		demo_destination(t, family == AF_INET6 ? DST_WEB6 : DST_WEB4,
				 spec.dst);
	}
	spec.seq = (uint32_t)gen_rng_next(&t->rng);
	len = imix_payload(t, &spec);
	if (len == 0) {
		spec.tcp_flags = gen_rng_percent(&t->rng, 50) ? TCP_SYN
							      : TCP_ACK;
	} else {
		spec.tcp_flags = TCP_PSH_ACK;
	}
	if (spec.tcp_flags != TCP_SYN)
		spec.ack = (uint32_t)gen_rng_next(&t->rng) | 1;
	spec.payload_len = (uint16_t)len;
	emit(t, &spec, len ? t->text : NULL, len ? len : 0);
}

/* A random global unicast destination: spreads LPM lookups over the
 * whole table as real outbound mail does. The file is fed to a null
 * device; nothing is ever sent to these addresses. */
static void
random_destination(struct traffic *t, int family, uint8_t *addr)
{
	uint64_t r = gen_rng_next(&t->rng);

	memset(addr, 0, 16);
	if (family == AF_INET6) {
		memcpy(addr, &r, 8);
		r = gen_rng_next(&t->rng);
		memcpy(addr + 8, &r, 8);
		addr[0] = (uint8_t)(0x20 | (addr[0] & 0x1f)); /* 2000::/3 */
		return;
	}
	/* Public unicast only: loopback, private, CGNAT and benchmark
	 * space are subscribers' side, not where outbound mail goes. */
	for (;;) {
		addr[0] = (uint8_t)gen_rng_range(&t->rng, 1, 223);
		addr[1] = (uint8_t)(r >> 8);
		addr[2] = (uint8_t)(r >> 16);
		addr[3] = (uint8_t)(r >> 24);
		if (addr[0] != 10 && addr[0] != 127 &&
		    !(addr[0] == 100 && (addr[1] & 0xc0) == 64) &&
		    !(addr[0] == 172 && (addr[1] & 0xf0) == 16) &&
		    !(addr[0] == 192 && addr[1] == 168) &&
		    !(addr[0] == 198 && (addr[1] & 0xfe) == 18))
			break;
		r = gen_rng_next(&t->rng);
	}
}

static void
worst_step(struct traffic *t, int family)
{
	struct op25b_craft_spec spec;

	op25b_craft_spec_init(&spec);
	spec.family = family;
	pool_source(t, family, spec.src);
	random_destination(t, family, spec.dst);
	spec.sport = (uint16_t)gen_rng_range(&t->rng, 1024, 65535);
	spec.seq = (uint32_t)gen_rng_next(&t->rng);
	emit(t, &spec, NULL, 0);
}

/* Remember @p addr (IPv4) as used; false when it already was. The key
 * has a bit above the address: 0.0.0.0 is not 0, the set's free mark. */
static bool
source_new(struct traffic *t, const uint8_t *addr)
{
	return gen_key_set_add(&t->seen, 1ull << 32 | (uint64_t)addr[0] << 24 |
						 (uint64_t)addr[1] << 16 |
						 (uint64_t)addr[2] << 8 |
						 addr[3]);
}

/* worst, each source new: a pool address not drawn before (the adaptive
 * table sees every frame as another source). */
static void
worst_adaptive_step(struct traffic *t)
{
	struct op25b_craft_spec spec;
	unsigned int tries = 0;

	op25b_craft_spec_init(&spec);
	spec.family = AF_INET;
	do {
		if (++tries > 1000) {
			gen_error("traffic: worst-adaptive: fewer than %" PRIu64
				  " distinct addresses in the pool",
				  t->opts->count);
			t->error = -ENOSPC;
			return;
		}
		pool_source(t, AF_INET, spec.src);
	} while (!source_new(t, spec.src));
	random_destination(t, AF_INET, spec.dst);
	spec.sport = (uint16_t)gen_rng_range(&t->rng, 1024, 65535);
	spec.seq = (uint32_t)gen_rng_next(&t->rng);
	emit(t, &spec, NULL, 0);
}

/* tiny's packet into @spec. */
static void
tiny_spec(struct traffic *t, struct op25b_craft_spec *spec)
{
	op25b_craft_spec_init(spec);
	pool_source(t, AF_INET, spec->src);
	demo_destination(t, DST_WEB4, spec->dst);
	spec->sport = (uint16_t)gen_rng_range(&t->rng, 1024, 65535);
	spec->dport = 443;
	if (gen_rng_percent(&t->rng, 50)) {
		spec->seq = (uint32_t)gen_rng_next(&t->rng);
		spec->tcp_flags = gen_rng_percent(&t->rng, 50) ? TCP_SYN
							       : TCP_ACK;
		if (spec->tcp_flags == TCP_ACK)
			spec->ack = (uint32_t)gen_rng_next(&t->rng) | 1;
	} else {
		spec->proto = 17;
		/* 14 + 20 + 8 + 18 = 60 bytes: a minimum frame, no trailer
		 * (access adds its tags or PPPoE header to it) */
		spec->payload_len = 18;
	}
}

static void
tiny_step(struct traffic *t)
{
	struct op25b_craft_spec spec;

	tiny_spec(t, &spec);
	emit(t, &spec, NULL, 0);
}

/* tiny's packets as subscriber ports of access networks send them: a
 * quarter each untagged, under one 802.1Q tag, under two (802.1ad) and in
 * a PPPoE session. */
static void
access_step(struct traffic *t)
{
	struct op25b_craft_spec spec;

	tiny_spec(t, &spec);
	encapsulate(t, &spec, 25, 25, 25);
	emit(t, &spec, NULL, 0);
}

static void
worst4_step(struct traffic *t)
{
	worst_step(t, AF_INET);
}

static void
worst6_step(struct traffic *t)
{
	worst_step(t, AF_INET6);
}

/* The profiles: the one list behind --profile, --help and the generator. */
static const struct traffic_profile {
	const char *name;
	const char *help;
	void (*step)(struct traffic *t); /* one packet, or one demo flow */
	bool uses_pools;     /* false: --pools is ignored, with a note */
	bool needs_pools_v4; /* a --pools file must hold an IPv4 prefix */
	bool needs_pools_v6; /* ... an IPv6 prefix */
	bool both_families;  /* draws both: one the file lacks is said */
	bool distinct;	     /* every source a new one (t->seen) */
} traffic_profiles[] = {
	{ "demo",
	  "exercises config/op25b.yaml: ~70% web/DNS, the rest SMTP and "
	  "submission flows from every class (blocked, relayed, static, "
	  "mobile-only, hosting bursts, IPv6), ~10% VLAN, ~5% QinQ, ~10% "
	  "PPPoE; --pools is ignored",
	  demo_step, false, false, false, false, false },
	{ "mix",
	  "realistic: ~2% SMTP, ~1% submission, the rest web and DNS; ~20% "
	  "IPv6, ~10% VLAN, ~5% PPPoE; IMIX 7:4:1 of 64/594/1518-byte frames "
	  "(with the FCS, IPv4 and IPv6 alike, but that IPv6's small ones, "
	  "bare SYNs and ACKs, are 78; a tag adds 4 bytes to the two "
	  "larger, PPPoE 8 to the middle one, its large frame keeping the "
	  "1500-byte MTU; DNS queries of 75-81 bytes apart); sources from "
	  "--pools (else, "
	  "for a family the file lacks, with a note: 198.18.0.0/15, "
	  "2001:db8:1000::/36)",
	  mix_step, true, false, false, true, false },
	{ "worst",
	  "every packet a 64-byte TCP SYN (with the FCS) to port 25 from a "
	  "random address of a random --pools IPv4 prefix (else "
	  "198.18.0.0/15) to a random destination",
	  worst4_step, true, true, false, false, false },
	{ "worst6",
	  "the same over IPv6 (78-byte frames with the FCS) from the --pools "
	  "IPv6 prefixes (else 2001:db8:1000::/36)",
	  worst6_step, true, false, true, false, false },
	{ "worst-adaptive",
	  "worst with every source a distinct address (--count of them), for "
	  "an adaptive class: its table sees each frame as a new source",
	  worst_adaptive_step, true, true, false, false, true },
	{ "tiny",
	  "64-byte non-SMTP packets: TCP to port 443 and UDP (QUIC), for the "
	  "cost of the port check alone",
	  tiny_step, true, false, false, false, false },
	{ "access",
	  "tiny's packets, a quarter each untagged, under one VLAN tag, under "
	  "two (QinQ) and in a PPPoE session: the cost of access networks' "
	  "encapsulations",
	  access_step, true, false, false, false, false },
};

#define N_PROFILES (sizeof(traffic_profiles) / sizeof(traffic_profiles[0]))

static const struct traffic_profile *
profile_by_name(const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < N_PROFILES; i++)
		if (strcmp(name, traffic_profiles[i].name) == 0)
			return &traffic_profiles[i];
	return NULL;
}

bool
gen_traffic_profile_valid(const char *name)
{
	return profile_by_name(name) != NULL;
}

const char *
gen_traffic_profile_name(unsigned int i, const char **help)
{
	if (i >= N_PROFILES)
		return NULL;
	if (help != NULL)
		*help = traffic_profiles[i].help;
	return traffic_profiles[i].name;
}

static void
traffic_init_builtins(struct traffic *t)
{
	static const char line[] =
		"The quick brown fox jumps over the lazy dog. 0123456789\r\n";
	size_t i;

	parse_builtin(&t->dyn4, "198.18.0.0/16");
	parse_builtin(&t->static4, "198.18.20.0/24");
	parse_builtin(&t->hosting4, "198.19.0.0/17");
	parse_builtin(&t->mobile4, "198.19.128.0/17");
	parse_builtin(&t->dyn6, "2001:db8:1000::/36");
	parse_builtin(&t->static6, "2001:db8:1000:20::/64");
	parse_builtin(&t->bench4, "198.18.0.0/15");
	parse_builtin(&t->bench6, "2001:db8:1000::/36");
	for (i = 0; i < N_DEMO_DSTS; i++)
		parse_builtin(&t->dst[i], demo_destinations[i]);
	for (i = 0; i < N_BULK_SENDERS; i++)
		parse_builtin(&t->bulk[i], demo_bulk_senders[i]);
	for (i = 0; i < N_DEMO_FLOWS; i++)
		t->demo_weight_total += demo_flows[i].weight;
	for (i = 0; i < sizeof(t->text); i++)
		t->text[i] = (uint8_t)line[i % (sizeof(line) - 1)];
}

int
gen_traffic(const struct gen_opts *opts)
{
	struct traffic *t;
	int ret;

	t = calloc(1, sizeof(*t));
	if (t == NULL) {
		gen_error("traffic: out of memory");
		return -ENOMEM;
	}
	t->opts = opts;
	t->profile = profile_by_name(opts->profile);
	if (t->profile == NULL) {
		ret = -EINVAL;
		gen_error("traffic: unknown profile '%s'", opts->profile);
		goto out_free;
	}
	traffic_init_builtins(t);
	gen_rng_seed(&t->rng, opts->seed);
	if (opts->pools_path != NULL) {
		if (!t->profile->uses_pools) {
			if (!opts->quiet)
				gen_error("traffic: %s uses the default "
					  "policy's prefixes; --pools ignored",
					  t->profile->name);
		} else {
			ret = gen_pool_list_load(opts->pools_path, &t->pools);
			if (ret < 0)
				goto out_free;
			if ((t->profile->needs_pools_v4 &&
			     t->pools.n_v4 == 0) ||
			    (t->profile->needs_pools_v6 &&
			     t->pools.n_v6 == 0)) {
				ret = -EINVAL;
				gen_error("%s: no IPv%c prefixes for the %s "
					  "profile",
					  opts->pools_path,
					  t->profile->needs_pools_v4 ? '4'
								     : '6',
					  t->profile->name);
				goto out_free_pools;
			}
			/* A family the file lacks comes from the built-in
			 * range: said, as the table loaded from the same
			 * file will not hold those sources. */
			if (!opts->quiet && t->profile->both_families &&
			    t->pools.n_v4 == 0)
				gen_error("traffic: %s has no IPv4 prefix: "
					  "IPv4 sources from 198.18.0.0/15",
					  opts->pools_path);
			if (!opts->quiet && t->profile->both_families &&
			    t->pools.n_v6 == 0)
				gen_error(
					"traffic: %s has no IPv6 prefix: "
					"IPv6 sources from 2001:db8:1000::/36",
					opts->pools_path);
		}
	}

	if (t->profile->distinct) {
		ret = gen_key_set_init(&t->seen, opts->count);
		if (ret < 0) {
			gen_error("traffic: out of memory for %" PRIu64
				  " sources",
				  opts->count);
			goto out_free_pools;
		}
	}
	t->out = gen_open_out(opts->out_path);
	if (t->out == NULL) {
		ret = -EIO;
		goto out_free_pools;
	}
	/* Big writes: a benchmark pcap is hundreds of megabytes. */
	setvbuf(t->out, NULL, _IOFBF, 1 << 20);
	ret = op25b_pcap_write_header(t->out);
	if (ret < 0) {
		gen_error("%s: write failed: %s", opts->out_path,
			  strerror(-ret));
		gen_close_out(t->out, opts->out_path);
		goto out_free_pools;
	}
	gen_progress_init(&t->progress, "traffic", opts->count, opts->quiet);
	while (!traffic_done(t))
		t->profile->step(t);
	ret = gen_close_out(t->out, opts->out_path);
	if (t->error != 0)
		ret = t->error;

out_free_pools:
	free(t->seen.slots);
	gen_pool_list_free(&t->pools);
out_free:
	free(t);
	return ret;
}
