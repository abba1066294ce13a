/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * "key=value" spec parser. Keys are declared in one table (name, and the
 * field a number or flag goes to, or a handler for the others) so that the
 * list in op25b_craft.h, the parser and its error messages cannot drift
 * apart. Each handler returns 0 or -EINVAL; the caller turns
 * a bare -EINVAL into "bad value for 'key': 'value'", while a handler with
 * something more precise to say writes its own message.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "craft_priv.h"
#include "op25b_craft.h"

/* What one parse call remembers across its tokens. */
struct spec_parse_state {
	bool src_given, dst_given;
	int src_family, dst_family;
	bool icmp_by_name;     /* "proto=icmp": ICMPv6 once the family is v6 */
	uint64_t given;	       /* spec_keys[] given, by index */
	unsigned int tpid_tag; /* the tag (1-based) the last tpid= set */
	char *err;
	size_t err_size;
};

typedef int (*spec_key_fn_t)(struct op25b_craft_spec *spec,
			     struct spec_parse_state *st, const char *value);

/* The base of the number at @p digits (past any sign): 16 with 0x, else
 * 10 (a leading 0 is not octal, as people mean it); 0 when no digit
 * follows. */
static int
number_base(const char *digits)
{
	int base = digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')
			   ? 16
			   : 10;

	return isxdigit((unsigned char)digits[base == 16 ? 2 : 0]) ? base : 0;
}

static int
parse_long(const char *s, long min, long max, long *out)
{
	int base = number_base(*s == '-' || *s == '+' ? s + 1 : s);
	char *end;
	long v;

	if (base == 0)
		return -EINVAL;
	errno = 0;
	v = strtol(s, &end, base);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

/* @p v into the unsigned integer of @p size bytes (1, 2 or 4) at @p out. */
static void
store_uint(void *out, size_t size, uint32_t v)
{
	if (size == 1)
		*(uint8_t *)out = (uint8_t)v;
	else if (size == 2)
		*(uint16_t *)out = (uint16_t)v;
	else
		*(uint32_t *)out = v;
}

/* Decimal, or hex with 0x, 0..@p max, into the unsigned integer of
 * @p size bytes at @p out, which is left as it was on error. */
static int
parse_uint(const char *s, uint32_t max, void *out, size_t size)
{
	int base = number_base(s);
	unsigned long long v;
	char *end;

	if (base == 0)
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, base);
	if (errno != 0 || *end != '\0' || v > max)
		return -EINVAL;
	store_uint(out, size, (uint32_t)v);
	return 0;
}

/* parse_uint() into @p lvalue, whatever its width. */
#define PARSE_UINT(s, max, lvalue) parse_uint(s, max, &(lvalue), sizeof(lvalue))

static int
parse_bool(const char *s, bool *out)
{
	if (strcmp(s, "1") == 0) {
		*out = true;
		return 0;
	}
	if (strcmp(s, "0") == 0) {
		*out = false;
		return 0;
	}
	return -EINVAL;
}

static int
set_addr(struct op25b_craft_spec *spec, struct spec_parse_state *st,
	 const char *value, bool is_src)
{
	static const uint8_t src4[] = CRAFT_DEFAULT_SRC4;
	static const uint8_t dst4[] = CRAFT_DEFAULT_DST4;
	static const uint8_t src6[] = CRAFT_DEFAULT_SRC6;
	static const uint8_t dst6[] = CRAFT_DEFAULT_DST6;
	uint8_t addr[16] = { 0 };
	uint8_t *other;
	bool other_given;
	int family;

	if (inet_pton(AF_INET, value, addr) == 1)
		family = AF_INET;
	else if (inet_pton(AF_INET6, value, addr) == 1)
		family = AF_INET6;
	else
		return -EINVAL;

	other = is_src ? spec->dst : spec->src;
	other_given = is_src ? st->dst_given : st->src_given;
	/* An address of the other family left from the defaults would make
	 * "src=2001:db8::1" alone a nonsense packet: give it the family's
	 * default instead. */
	if (!other_given && spec->family != family) {
		memset(other, 0, 16);
		if (family == AF_INET6)
			memcpy(other, is_src ? dst6 : src6, 16);
		else
			memcpy(other, is_src ? dst4 : src4, 4);
	}
	if (is_src) {
		memcpy(spec->src, addr, 16);
		st->src_given = true;
		st->src_family = family;
	} else {
		memcpy(spec->dst, addr, 16);
		st->dst_given = true;
		st->dst_family = family;
	}
	spec->family = family;
	return 0;
}

static int
key_src(struct op25b_craft_spec *spec, struct spec_parse_state *st,
	const char *value)
{
	return set_addr(spec, st, value, true);
}

static int
key_dst(struct op25b_craft_spec *spec, struct spec_parse_state *st,
	const char *value)
{
	return set_addr(spec, st, value, false);
}

static int
key_flags(struct op25b_craft_spec *spec, struct spec_parse_state *st,
	  const char *value)
{
	static const char letters[] = "FSRPAUEC";
	uint8_t flags = 0;
	const char *p, *bit;

	(void)st;
	if (isdigit((unsigned char)value[0]))
		return PARSE_UINT(value, UINT8_MAX, spec->tcp_flags);
	if (value[0] == '\0')
		return -EINVAL;
	for (p = value; *p != '\0'; p++) {
		bit = strchr(letters, toupper((unsigned char)*p));
		if (bit == NULL)
			return -EINVAL;
		flags |= (uint8_t)(1u << (bit - letters));
	}
	spec->tcp_flags = flags;
	return 0;
}

static int
key_proto(struct op25b_craft_spec *spec, struct spec_parse_state *st,
	  const char *value)
{
	st->icmp_by_name = false;
	if (strcasecmp(value, "tcp") == 0) {
		spec->proto = 6;
	} else if (strcasecmp(value, "udp") == 0) {
		spec->proto = 17;
	} else if (strcasecmp(value, "icmp") == 0) {
		spec->proto = 1;
		st->icmp_by_name = true;
	} else if (strcasecmp(value, "icmp6") == 0) {
		spec->proto = 58;
	} else {
		return PARSE_UINT(value, UINT8_MAX, spec->proto);
	}
	return 0;
}

/* Room for @p n more VLAN tags, or -EINVAL with the error set. */
static int
vlan_room(const struct op25b_craft_spec *spec, struct spec_parse_state *st,
	  unsigned int n)
{
	if (spec->n_vlans + n <= OP25B_CRAFT_MAX_VLANS)
		return 0;
	craft_set_error(st->err, st->err_size,
			"too many VLAN tags (at most %d)",
			OP25B_CRAFT_MAX_VLANS);
	return -EINVAL;
}

static int
add_vlan(struct op25b_craft_spec *spec, struct spec_parse_state *st,
	 uint16_t tpid, uint16_t tci)
{
	int ret = vlan_room(spec, st, 1);

	if (ret != 0)
		return ret;
	spec->vlan_tpid[spec->n_vlans] = tpid;
	spec->vlan_tci[spec->n_vlans] = tci;
	spec->n_vlans++;
	return 0;
}

static int
key_vlan(struct op25b_craft_spec *spec, struct spec_parse_state *st,
	 const char *value)
{
	uint16_t tci;

	if (PARSE_UINT(value, UINT16_MAX, tci) < 0)
		return -EINVAL;
	return add_vlan(spec, st, 0x8100, tci);
}

static int
key_qinq(struct op25b_craft_spec *spec, struct spec_parse_state *st,
	 const char *value)
{
	char outer_s[16], *inner_s;
	uint16_t outer, inner;
	int ret;

	if (strlen(value) >= sizeof(outer_s))
		return -EINVAL;
	strcpy(outer_s, value);
	inner_s = strchr(outer_s, ',');
	if (inner_s == NULL)
		return -EINVAL;
	*inner_s++ = '\0';
	if (PARSE_UINT(outer_s, UINT16_MAX, outer) < 0 ||
	    PARSE_UINT(inner_s, UINT16_MAX, inner) < 0)
		return -EINVAL;
	/* Both tags or neither: half a QinQ pair is not what was asked. */
	ret = vlan_room(spec, st, 2);
	if (ret == 0)
		ret = add_vlan(spec, st, 0x88a8, outer);
	if (ret == 0)
		ret = add_vlan(spec, st, 0x8100, inner);
	return ret;
}

/* A MAC address, six hex bytes with ':' between them. */
static int
parse_mac(const char *value, uint8_t mac[6])
{
	unsigned int b[6], i;
	char end;

	if (sscanf(value, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2],
		   &b[3], &b[4], &b[5], &end) != 6 ||
	    strlen(value) != 17)
		return -EINVAL;
	for (i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
	return 0;
}

static int
key_smac(struct op25b_craft_spec *spec, struct spec_parse_state *st,
	 const char *value)
{
	(void)st;
	return parse_mac(value, spec->src_mac);
}

static int
key_dmac(struct op25b_craft_spec *spec, struct spec_parse_state *st,
	 const char *value)
{
	(void)st;
	return parse_mac(value, spec->dst_mac);
}

static int
key_tpid(struct op25b_craft_spec *spec, struct spec_parse_state *st,
	 const char *value)
{
	uint16_t tpid;

	if (PARSE_UINT(value, UINT16_MAX, tpid) < 0)
		return -EINVAL;
	if (spec->n_vlans == 0) {
		craft_set_error(st->err, st->err_size,
				"'tpid' needs a 'vlan' or 'qinq' before it");
		return -EINVAL;
	}
	if (st->tpid_tag == spec->n_vlans) {
		craft_set_error(st->err, st->err_size,
				"'tpid' given twice for one tag");
		return -EINVAL;
	}
	st->tpid_tag = spec->n_vlans;
	spec->vlan_tpid[spec->n_vlans - 1] = tpid;
	spec->literal |= OP25B_CRAFT_LITERAL_TPID << (spec->n_vlans - 1);
	return 0;
}

static int
key_pppoe(struct op25b_craft_spec *spec, struct spec_parse_state *st,
	  const char *value)
{
	(void)st;
	if (PARSE_UINT(value, UINT16_MAX, spec->pppoe_session) < 0)
		return -EINVAL;
	spec->pppoe = true;
	return 0;
}

/* @any: any protocol number (ext_loop=, a next header field), else only
 * an extension header's (ext=, a header built). */
static int
ext_type(const char *name, uint8_t *type, bool any)
{
	static const struct {
		const char *name;
		uint8_t type;
	} names[] = {
		{ "hbh", IPPROTO_HOPOPTS_ },   { "rt", IPPROTO_ROUTING_ },
		{ "frag", IPPROTO_FRAGMENT_ }, { "dst", IPPROTO_DSTOPTS_ },
		{ "ah", IPPROTO_AH_ },
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcasecmp(name, names[i].name) == 0) {
			*type = names[i].type;
			return 0;
		}
	}
	/* A number names an extension header: one above, or one that has
	 * no name here (mobility 135, HIP 139, shim6 140, experiments 253
	 * and 254), never an upper layer (6, 17, 58: built as 8 zero bytes
	 * announced as TCP) nor ESP (50, no header to build). */
	if (PARSE_UINT(name, UINT8_MAX, *type) != 0)
		return -EINVAL;
	if (any)
		return 0;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (*type == names[i].type)
			return 0;
	return *type == 135 || *type == 139 || *type == 140 || *type == 253 ||
			       *type == 254
		       ? 0
		       : -EINVAL;
}

static int
key_ext(struct op25b_craft_spec *spec, struct spec_parse_state *st,
	const char *value)
{
	uint8_t types[OP25B_CRAFT_MAX_EXT];
	unsigned int n = 0;
	const char *p = value;
	char name[16];
	size_t len;

	for (;;) {
		len = strcspn(p, ",");
		if (len == 0 || len >= sizeof(name))
			return -EINVAL;
		if (n >= OP25B_CRAFT_MAX_EXT) {
			craft_set_error(
				st->err, st->err_size,
				"too many extension headers (at most %d)",
				OP25B_CRAFT_MAX_EXT);
			return -EINVAL;
		}
		memcpy(name, p, len);
		name[len] = '\0';
		if (ext_type(name, &types[n], false) < 0)
			return -EINVAL;
		n++;
		if (p[len] == '\0')
			break;
		p += len + 1;
	}
	memcpy(spec->ext, types, n);
	spec->n_ext = n;
	return 0;
}

static int
key_srr(struct op25b_craft_spec *spec, struct spec_parse_state *st,
	const char *value)
{
	static const struct {
		const char *name;
		uint8_t type;
		bool done;
	} names[] = {
		{ "lsrr", 0x83, false },
		{ "ssrr", 0x89, false },
		{ "lsrr-done", 0x83, true },
		{ "ssrr-done", 0x89, true },
	};
	size_t i;

	(void)st;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcasecmp(value, names[i].name) == 0) {
			spec->ipv4_srr = names[i].type;
			spec->ipv4_srr_done = names[i].done;
			return 0;
		}
	}
	return -EINVAL;
}

static int
key_ipoptbytes(struct op25b_craft_spec *spec, struct spec_parse_state *st,
	       const char *value)
{
	size_t len = strlen(value), i;
	unsigned int byte;

	(void)st;
	if (len == 0 || len % 2 != 0 ||
	    len / 2 > sizeof(spec->ipv4_option_bytes))
		return -EINVAL;
	for (i = 0; i < len; i += 2) {
		if (!isxdigit((unsigned char)value[i]) ||
		    !isxdigit((unsigned char)value[i + 1]) ||
		    sscanf(value + i, "%2x", &byte) != 1)
			return -EINVAL;
		spec->ipv4_option_bytes[i / 2] = (uint8_t)byte;
	}
	spec->n_ipv4_option_bytes = (uint8_t)(len / 2);
	return 0;
}

static int
key_ext_loop(struct op25b_craft_spec *spec, struct spec_parse_state *st,
	     const char *value)
{
	uint8_t type;

	(void)st;
	/* The field's 0 means "no loop", so hop-by-hop cannot be named. */
	if (ext_type(value, &type, true) < 0 || type == 0)
		return -EINVAL;
	spec->ext_loop = type;
	return 0;
}

/* How a key's value is read: most keys set one field of the spec. */
enum spec_value {
	SPEC_CUSTOM, /* by the key's own handler */
	SPEC_UINT,  /* 0..max, decimal or 0x hex, into a 1, 2 or 4-byte field */
	SPEC_UINT4, /* the same, a multiple of 4 (bytes of options) */
	SPEC_BOOL,  /* 0 or 1 */
	SPEC_DELTA, /* -65535..65535, added to a true length */
};

struct spec_key {
	const char *name;
	enum spec_value how;
	spec_key_fn_t fn; /* SPEC_CUSTOM */
	struct {
		size_t offset, size;
	} field;      /* in struct op25b_craft_spec */
	uint32_t max; /* SPEC_UINT, SPEC_UINT4 */
	/* An OP25B_CRAFT_LITERAL_* bit the key sets: its 0 is a 0, not the
	 * default (ihl=0 builds an IHL of 0). */
	uint32_t literal;
	/* May be given more than once: vlan adds a tag each time, tpid sets
	 * the last tag's (key_tpid() refuses two for one tag). Any other
	 * key given twice would leave one value unused. */
	bool repeats;
};

#define FIELD(name)                                                            \
	{                                                                      \
		offsetof(struct op25b_craft_spec, name),                       \
			sizeof(((struct op25b_craft_spec *)0)->name)           \
	}

static const struct spec_key spec_keys[] = {
	{ "src", SPEC_CUSTOM, key_src },
	{ "dst", SPEC_CUSTOM, key_dst },
	{ "sport", SPEC_UINT, .field = FIELD(sport), .max = UINT16_MAX },
	{ "dport", SPEC_UINT, .field = FIELD(dport), .max = UINT16_MAX },
	{ "flags", SPEC_CUSTOM, key_flags },
	{ "seq", SPEC_UINT, .field = FIELD(seq), .max = UINT32_MAX },
	{ "ack", SPEC_UINT, .field = FIELD(ack), .max = UINT32_MAX },
	{ "ttl", SPEC_UINT, .field = FIELD(ttl), .max = UINT8_MAX },
	{ "proto", SPEC_CUSTOM, key_proto },
	{ "smac", SPEC_CUSTOM, key_smac },
	{ "dmac", SPEC_CUSTOM, key_dmac },
	{ "vlan", SPEC_CUSTOM, key_vlan, .repeats = true },
	{ "qinq", SPEC_CUSTOM, key_qinq },
	{ "tpid", SPEC_CUSTOM, key_tpid, .repeats = true },
	{ "pppoe", SPEC_CUSTOM, key_pppoe },
	{ "pppoe_len", SPEC_DELTA, .field = FIELD(pppoe_length_delta) },
	{ "pfc", SPEC_BOOL, .field = FIELD(pppoe_pfc) },
	{ "snap", SPEC_BOOL, .field = FIELD(llc_snap) },
	{ "ethertype", SPEC_UINT, .field = FIELD(ethertype),
	  .max = UINT16_MAX },
	{ "ihl", SPEC_UINT, .field = FIELD(ipv4_ihl), .max = 15,
	  .literal = OP25B_CRAFT_LITERAL_IHL },
	{ "ipopts", SPEC_UINT4, .field = FIELD(ipv4_options_len), .max = 40 },
	{ "ip_len", SPEC_DELTA, .field = FIELD(ip_length_delta) },
	{ "frag", SPEC_UINT, .field = FIELD(frag_offset), .max = 0x1fff },
	{ "mf", SPEC_BOOL, .field = FIELD(more_fragments) },
	{ "fraghdr", SPEC_BOOL, .field = FIELD(frag_header) },
	{ "ext", SPEC_CUSTOM, key_ext },
	{ "ext_loop", SPEC_CUSTOM, key_ext_loop },
	{ "extpad", SPEC_UINT, .field = FIELD(ext_pad), .max = 2040 },
	{ "segleft", SPEC_UINT, .field = FIELD(segments_left),
	  .max = UINT8_MAX },
	{ "srr", SPEC_CUSTOM, key_srr },
	{ "ipoptbytes", SPEC_CUSTOM, key_ipoptbytes },
	{ "doff", SPEC_UINT, .field = FIELD(tcp_doff), .max = 15,
	  .literal = OP25B_CRAFT_LITERAL_DOFF },
	{ "tcpopts", SPEC_UINT4, .field = FIELD(tcp_options_len), .max = 40 },
	{ "payload", SPEC_UINT, .field = FIELD(payload_len),
	  .max = UINT16_MAX },
	{ "len", SPEC_UINT, .field = FIELD(frame_len), .max = UINT16_MAX },
	{ "trunc", SPEC_UINT, .field = FIELD(truncate), .max = UINT16_MAX },
	{ "trailer", SPEC_UINT, .field = FIELD(trailer), .max = 1500 },
	{ "ipver", SPEC_UINT, .field = FIELD(ip_version), .max = 15,
	  .literal = OP25B_CRAFT_LITERAL_IPVER },
	{ "badsum", SPEC_BOOL, .field = FIELD(bad_l4_checksum) },
};

/* spec_parse_state.given holds a bit per key. */
_Static_assert(sizeof(spec_keys) / sizeof(spec_keys[0]) <= 64,
	       "more keys than spec_parse_state.given has bits");

/* The value of @p key into its field of @p spec (any kind but custom). */
static int
set_field(struct op25b_craft_spec *spec, const struct spec_key *key,
	  const char *value)
{
	char *field = (char *)spec + key->field.offset;
	uint32_t v;
	long delta;

	switch (key->how) {
	case SPEC_BOOL:
		return parse_bool(value, (bool *)field);
	case SPEC_DELTA:
		if (parse_long(value, -65535, 65535, &delta) < 0)
			return -EINVAL;
		*(int32_t *)field = (int32_t)delta;
		return 0;
	default:
		if (PARSE_UINT(value, key->max, v) < 0 ||
		    (key->how == SPEC_UINT4 && v % 4 != 0))
			return -EINVAL;
		store_uint(field, key->field.size, v);
		spec->literal |= key->literal;
		return 0;
	}
}

static bool
key_ignored(const char *key, const char *const *ignore)
{
	if (ignore == NULL)
		return false;
	for (; *ignore != NULL; ignore++)
		if (strcmp(key, *ignore) == 0)
			return true;
	return false;
}

/* One "key=value" token, NUL-terminated, in a scratch copy. */
static int
parse_token(struct op25b_craft_spec *spec, struct spec_parse_state *st,
	    char *token, const char *const *ignore)
{
	char *value = strchr(token, '=');
	size_t i;
	int ret;

	if (value == NULL || value == token) {
		craft_set_error(st->err, st->err_size,
				"expected key=value, got '%s'", token);
		return -EINVAL;
	}
	*value++ = '\0';
	if (key_ignored(token, ignore))
		return 0;
	for (i = 0; i < sizeof(spec_keys) / sizeof(spec_keys[0]); i++) {
		if (strcmp(token, spec_keys[i].name) != 0)
			continue;
		if ((st->given & (1ull << i)) && !spec_keys[i].repeats) {
			craft_set_error(st->err, st->err_size,
					"'%s' given twice", token);
			return -EINVAL;
		}
		st->given |= 1ull << i;
		if (st->err != NULL && st->err_size > 0)
			st->err[0] = '\0';
		ret = spec_keys[i].how == SPEC_CUSTOM
			      ? spec_keys[i].fn(spec, st, value)
			      : set_field(spec, &spec_keys[i], value);
		if (ret < 0 && (st->err == NULL || st->err_size == 0 ||
				st->err[0] == '\0'))
			craft_set_error(st->err, st->err_size,
					"bad value for '%s': '%s'", token,
					value);
		return ret;
	}
	craft_set_error(st->err, st->err_size, "unknown key '%s'", token);
	return -EINVAL;
}

/* Keys that would change nothing of the frame built: refused, so that a
 * vector cannot test less than its line says. */
static int
check_consistent(const struct op25b_craft_spec *spec, char *err,
		 size_t err_size)
{
	bool options = false, ah = false, rt = false, not_ah = false;
	unsigned int i;

	if ((spec->pppoe_pfc || spec->pppoe_length_delta != 0) &&
	    !spec->pppoe) {
		craft_set_error(err, err_size,
				"pfc= and pppoe_len= need pppoe=");
		return -EINVAL;
	}
	/* Only a protocol whose high byte is 0 compresses (RFC 1661 6.5):
	 * pfc=1 ethertype=0xc021 (LCP) built the byte 0x21, IPv4. */
	if (spec->pppoe_pfc && spec->ethertype > 0xff) {
		craft_set_error(err, err_size,
				"pfc=1 compresses a PPP protocol below 0x100 "
				"only (0x%04x is two bytes)",
				spec->ethertype);
		return -EINVAL;
	}
	for (i = 0; i < spec->n_ext; i++) {
		options |= spec->ext[i] == IPPROTO_HOPOPTS_ ||
			   spec->ext[i] == IPPROTO_DSTOPTS_ ||
			   spec->ext[i] == IPPROTO_AH_;
		ah |= spec->ext[i] == IPPROTO_AH_;
		rt |= spec->ext[i] == IPPROTO_ROUTING_;
		not_ah |= spec->ext[i] != IPPROTO_AH_;
	}
	if (spec->ext_pad != 0 && !options) {
		craft_set_error(err, err_size,
				"extpad= needs a hop-by-hop, destination "
				"options or ah header in ext=");
		return -EINVAL;
	}
	if (ah && spec->ext_pad > CRAFT_AH_PAD_MAX) {
		craft_set_error(err, err_size,
				"extpad= is at most %d with ah in ext= (an AH "
				"header is at most 1028 bytes)",
				CRAFT_AH_PAD_MAX);
		return -EINVAL;
	}
	if ((spec->tcp_doff != 0 || spec->tcp_options_len != 0 ||
	     (spec->literal & OP25B_CRAFT_LITERAL_DOFF)) &&
	    (spec->proto != IPPROTO_TCP_ || spec->frag_offset != 0)) {
		craft_set_error(err, err_size,
				"doff= and tcpopts= need a TCP header (TCP, "
				"not a later fragment)");
		return -EINVAL;
	}
	if (spec->ipv4_srr != 0 &&
	    (spec->family == AF_INET6 || spec->ipv4_options_len < 8)) {
		craft_set_error(err, err_size,
				"srr= needs IPv4 and ipopts=8 or more");
		return -EINVAL;
	}
	if (spec->n_ipv4_option_bytes != 0 &&
	    (spec->family == AF_INET6 ||
	     spec->n_ipv4_option_bytes + (spec->ipv4_srr != 0 ? 7 : 0) >
		     spec->ipv4_options_len)) {
		craft_set_error(err, err_size,
				"ipoptbytes= needs IPv4 and as many bytes of "
				"ipopts= (7 more with srr=)");
		return -EINVAL;
	}
	if (spec->segments_left != 0 && !rt) {
		craft_set_error(err, err_size, "segleft= needs rt in ext=");
		return -EINVAL;
	}
	if (spec->frag_header && spec->family != AF_INET6) {
		craft_set_error(err, err_size, "fraghdr= is IPv6's");
		return -EINVAL;
	}
	if (spec->family != AF_INET6) {
		if (not_ah || spec->ext_loop != 0) {
			craft_set_error(err, err_size,
					"IPv4 takes only ah in ext= (no "
					"ext_loop=)");
			return -EINVAL;
		}
		if (spec->n_ext > 0 && spec->frag_offset != 0) {
			craft_set_error(err, err_size,
					"ext=ah is in an IPv4 packet's first "
					"fragment only");
			return -EINVAL;
		}
	}
	return 0;
}

int
op25b_craft_spec_parse(struct op25b_craft_spec *spec, const char *tokens,
		       const char *const *ignore, char *err, size_t err_size)
{
	struct spec_parse_state st = { .err = err, .err_size = err_size };
	char *copy, *token, *save = NULL;
	int ret = 0;

	if (tokens == NULL)
		return 0;
	copy = strdup(tokens);
	if (copy == NULL) {
		craft_set_error(err, err_size, "out of memory");
		return -ENOMEM;
	}
	for (token = strtok_r(copy, " \t\r\n", &save); token != NULL;
	     token = strtok_r(NULL, " \t\r\n", &save)) {
		ret = parse_token(spec, &st, token, ignore);
		if (ret < 0)
			goto out_free_copy;
	}
	if (st.src_given && st.dst_given && st.src_family != st.dst_family) {
		craft_set_error(err, err_size,
				"src and dst are of different families");
		ret = -EINVAL;
		goto out_free_copy;
	}
	if (st.icmp_by_name && spec->family == AF_INET6)
		spec->proto = 58;
	ret = check_consistent(spec, err, err_size);

out_free_copy:
	free(copy);
	return ret;
}
