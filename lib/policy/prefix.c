/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Prefixes: parsing (with an IPv4 fast path, since pool lists run to a
 * million lines), formatting, prefixes_file text, and duplicate search.
 * No I/O here: the loader reads files and hands over their text.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include "policy_priv.h"

static const char why_not_address[] = "not an IPv4 or IPv6 address";
static const char why_leading_zero[] =
	"leading zero in an IPv4 address (octal or decimal?)";
static const char why_bad_length[] = "bad prefix length";
static const char why_length_v4[] = "prefix length above 32";
static const char why_length_v6[] = "prefix length above 128";
static const char why_host_bits[] = "host bits set";

static inline bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Dotted quad, exactly four decimal octets. inet_pton would do, but it needs
 * a NUL-terminated copy and is several times slower than this on the
 * million-line files that are the common case. */
static const char *
parse_ipv4(const char *s, size_t n, uint8_t out[4])
{
	size_t i = 0;
	int octet;

	for (octet = 0; octet < 4; octet++) {
		unsigned int v;

		if (octet > 0) {
			if (i >= n || s[i] != '.')
				return why_not_address;
			i++;
		}
		if (i >= n || !is_digit(s[i]))
			return why_not_address;
		v = (unsigned int)(s[i++] - '0');
		/* 010 is 8 to some resolvers and 10 to others: refuse it. */
		if (v == 0 && i < n && is_digit(s[i]))
			return why_leading_zero;
		while (i < n && is_digit(s[i])) {
			v = v * 10 + (unsigned int)(s[i++] - '0');
			if (v > 255)
				return why_not_address;
		}
		out[octet] = (uint8_t)v;
	}
	return i == n ? NULL : why_not_address;
}

static const char *
parse_ipv6(const char *s, size_t n, uint8_t out[16])
{
	char buf[INET6_ADDRSTRLEN];

	/* inet_pton() would stop at a NUL (a quoted YAML "\0", a corrupt
	 * prefixes_file) and take what is before it. */
	if (n == 0 || n >= sizeof(buf) || memchr(s, '\0', n) != NULL)
		return why_not_address;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return inet_pton(AF_INET6, buf, out) == 1 ? NULL : why_not_address;
}

static const char *
parse_length(const char *s, size_t n, unsigned int max, uint8_t *length)
{
	unsigned int v = 0;
	size_t i;

	/* At most three digits, no sign, no leading zero: "/024" is a typo. */
	if (n == 0 || n > 3 || (n > 1 && s[0] == '0'))
		return why_bad_length;
	for (i = 0; i < n; i++) {
		if (!is_digit(s[i]))
			return why_bad_length;
		v = v * 10 + (unsigned int)(s[i] - '0');
	}
	if (v > max)
		return max == 32 ? why_length_v4 : why_length_v6;
	*length = (uint8_t)v;
	return NULL;
}

static bool
host_bits_clear(const struct op25b_prefix *prefix)
{
	unsigned int bytes = prefix->family == AF_INET ? 4 : 16;
	unsigned int i = prefix->length / 8;

	if (prefix->length % 8 != 0) {
		uint8_t host_mask = (uint8_t)(0xffu >> (prefix->length % 8));

		if (prefix->addr[i] & host_mask)
			return false;
		i++;
	}
	for (; i < bytes; i++)
		if (prefix->addr[i] != 0)
			return false;
	return true;
}

static void
clear_host_bits(struct op25b_prefix *prefix)
{
	unsigned int i = prefix->length / 8;

	if (prefix->length % 8 != 0) {
		prefix->addr[i] &= (uint8_t)(0xff00u >> (prefix->length % 8));
		i++;
	}
	for (; i < sizeof(prefix->addr); i++)
		prefix->addr[i] = 0;
}

int
op25b_prefix_parse_text(const char *text, size_t len,
			struct op25b_prefix *prefix, const char **why)
{
	const char *slash = memchr(text, '/', len);
	size_t addr_len = slash != NULL ? (size_t)(slash - text) : len;
	struct op25b_prefix p;
	const char *reason;

	memset(&p, 0, sizeof(p));
	if (memchr(text, ':', addr_len) != NULL) {
		p.family = AF_INET6;
		reason = parse_ipv6(text, addr_len, p.addr);
	} else {
		p.family = AF_INET;
		reason = parse_ipv4(text, addr_len, p.addr);
	}
	if (reason == NULL) {
		unsigned int max = p.family == AF_INET ? 32 : 128;

		if (slash != NULL)
			reason = parse_length(slash + 1, len - addr_len - 1,
					      max, &p.length);
		else
			p.length = (uint8_t)max;
	}
	if (reason == NULL && !host_bits_clear(&p)) {
		reason = why_host_bits;
		/* Filled as written: the caller suggests the network. */
		*prefix = p;
	}
	if (reason != NULL) {
		if (why != NULL)
			*why = reason;
		return -EINVAL;
	}
	*prefix = p;
	return 0;
}

int
op25b_prefix_parse(const char *text, struct op25b_prefix *prefix,
		   const char **why)
{
	if (text == NULL || prefix == NULL) {
		if (why != NULL)
			*why = why_not_address;
		return -EINVAL;
	}
	return op25b_prefix_parse_text(text, strlen(text), prefix, why);
}

/* Returns snprintf's value, or -EINVAL for a family that is neither. */
int
op25b_prefix_format(const struct op25b_prefix *prefix, char *buf, size_t size)
{
	char addr[INET6_ADDRSTRLEN];

	if (prefix == NULL ||
	    (prefix->family != AF_INET && prefix->family != AF_INET6) ||
	    inet_ntop(prefix->family, prefix->addr, addr, sizeof(addr)) == NULL)
		return -EINVAL;
	return snprintf(buf, size, "%s/%u", addr, prefix->length);
}

bool
op25b_prefix_ipv4_mapped(const struct op25b_prefix *p, struct op25b_prefix *v4)
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };

	if (p->family != AF_INET6 || p->length < 96 ||
	    memcmp(p->addr, mapped, sizeof(mapped)) != 0)
		return false;
	if (v4 != NULL) {
		*v4 = (struct op25b_prefix){ .family = AF_INET,
					     .length = p->length - 96 };
		memcpy(v4->addr, &p->addr[12], 4);
	}
	return true;
}

void
op25b_prefix_error_message(char *buf, size_t size, const char *text, size_t len,
			   const struct op25b_prefix *parsed, const char *why)
{
	/* Long junk would push the reason out of a 256-byte message. */
	char shown[OP25B_POLICY_QUOTE_MAX + 4];

	op25b_policy_quote(shown, sizeof(shown), text, len);

	if (why == why_host_bits) {
		struct op25b_prefix network = *parsed;
		char suggestion[INET6_ADDRSTRLEN + 4];

		clear_host_bits(&network);
		op25b_prefix_format(&network, suggestion, sizeof(suggestion));
		snprintf(buf, size, "%s: %s (did you mean %s?)", shown, why,
			 suggestion);
	} else if (len == 0) {
		snprintf(buf, size, "empty prefix: %s", why);
	} else {
		snprintf(buf, size, "%s: %s", shown, why);
	}
}

bool
op25b_prefix_covers(const struct op25b_prefix *prefix, int family,
		    const uint8_t *addr)
{
	unsigned int full = prefix->length / 8;
	unsigned int rest = prefix->length % 8;

	if (prefix->family != family || memcmp(prefix->addr, addr, full) != 0)
		return false;
	if (rest == 0)
		return true;
	return ((prefix->addr[full] ^ addr[full]) &
		(uint8_t)(0xff00u >> rest)) == 0;
}

int
op25b_prefix_list_grow(struct op25b_prefix_list *list, size_t *capacity)
{
	size_t n = *capacity != 0 ? *capacity * 2 : 16;
	struct op25b_prefix *grown;

	if (n > SIZE_MAX / sizeof(*grown))
		return -ENOMEM;
	grown = realloc(list->prefixes, n * sizeof(*grown));
	if (grown == NULL)
		return -ENOMEM;
	list->prefixes = grown;
	*capacity = n;
	return 0;
}

/* 2 MB, the x86-64 transparent huge page. */
#define HUGE_PAGE ((size_t)2 << 20)

void *
op25b_alloc_large(size_t size)
{
	size_t rounded = (size + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	void *buf;

	if (size < 2 * HUGE_PAGE || rounded < size)
		return malloc(size);
	/* Aligned, so that no 4 KB pages are left at either end. */
	buf = aligned_alloc(HUGE_PAGE, rounded);
	/* Advice only: without THP (or with it off) nothing changes. */
	if (buf != NULL)
		(void)madvise(buf, rounded, MADV_HUGEPAGE);
	return buf;
}

int
op25b_prefix_list_reserve(struct op25b_prefix_list *list, size_t *capacity,
			  size_t n)
{
	struct op25b_prefix *grown;

	if (n <= *capacity)
		return 0;
	if (n > SIZE_MAX / sizeof(*grown))
		return -ENOMEM;
	if (list->count == 0) {
		/* Nothing to keep: a fresh allocation, huge pages if large. */
		grown = op25b_alloc_large(n * sizeof(*grown));
		if (grown == NULL)
			return -ENOMEM;
		free(list->prefixes);
	} else {
		grown = realloc(list->prefixes, n * sizeof(*grown));
		if (grown == NULL)
			return -ENOMEM;
	}
	list->prefixes = grown;
	*capacity = n;
	return 0;
}

/* The number of '\n' in @p text, eight bytes at a time: a byte of x is zero
 * exactly when its bit 7 survives in ~((x & 0x7f..) + 0x7f.. | x | 0x7f..),
 * without the carries between bytes that the shorter tests have. */
static size_t
count_newlines(const char *text, size_t len)
{
	const uint64_t low7 = 0x7f7f7f7f7f7f7f7full;
	const uint64_t newlines = 0x0a0a0a0a0a0a0a0aull;
	size_t n = 0, i = 0;

	for (; i + 8 <= len; i += 8) {
		uint64_t x;

		memcpy(&x, text + i, sizeof(x));
		x ^= newlines;
		n += (size_t)__builtin_popcountll(
			~(((x & low7) + low7) | x | low7));
	}
	for (; i < len; i++)
		n += text[i] == '\n';
	return n;
}

static inline bool
is_blank(char c)
{
	/* \r: files edited on Windows end their lines in CR LF. */
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static int
file_error(struct op25b_policy_error *error, const char *file, uint32_t line,
	   uint32_t column, const char *message)
{
	op25b_policy_error_set(error, file, line, column, "%s", message);
	return -EINVAL;
}

/* A decimal number of at most @p digits digits at *@p s, without a leading
 * zero, up to @p max; *@p s moved past it. @return it, or -1. */
static int
plain_number(const char **s, const char *end, int digits, int max)
{
	const char *p = *s;
	int v;

	if (p == end || !is_digit(*p))
		return -1;
	v = *p++ - '0';
	while (--digits > 0 && p != end && is_digit(*p)) {
		if (v == 0)
			return -1;
		v = v * 10 + (*p++ - '0');
	}
	*s = p;
	return v <= max ? v : -1;
}

/*
 * The line of a generated pool list, "a.b.c.d/len" and its newline with
 * nothing around it, in one pass over its bytes: a million of them are most
 * of a large load. It accepts exactly what the general path would accept
 * for such a line; anything else (blanks, a comment, IPv6, CR LF, a leading
 * zero, any error) returns NULL and goes the general way, which says what
 * is wrong. @return the line's end ('\n' or @p end), @p slot filled.
 */
static const char *
parse_plain_ipv4_line(const char *s, const char *end, struct op25b_prefix *slot)
{
	uint32_t addr = 0;
	int octet, v, length = 32;

	for (octet = 0; octet < 4; octet++) {
		if (octet > 0 && (s == end || *s++ != '.'))
			return NULL;
		v = plain_number(&s, end, 3, 255);
		if (v < 0)
			return NULL;
		addr = addr << 8 | (uint32_t)v;
	}
	if (s != end && *s == '/') {
		s++;
		length = plain_number(&s, end, 2, 32);
		if (length < 0)
			return NULL;
	}
	/* A digit left over (1234, /100) fails here too. */
	if ((s != end && *s != '\n') ||
	    (length < 32 && (addr & (0xffffffffu >> length)) != 0))
		return NULL;
	memset(slot, 0, sizeof(*slot));
	slot->family = AF_INET;
	slot->length = (uint8_t)length;
	slot->addr[0] = (uint8_t)(addr >> 24);
	slot->addr[1] = (uint8_t)(addr >> 16);
	slot->addr[2] = (uint8_t)(addr >> 8);
	slot->addr[3] = (uint8_t)addr;
	return s;
}

int
op25b_prefix_file_parse(const char *file, const char *text, size_t len,
			struct op25b_prefix_list *list, size_t *capacity,
			struct op25b_policy_error *error)
{
	const char *end, *line_start, *eol;
	uint32_t line = 1;

	/* A UTF-8 byte order mark (a list saved by a Windows editor, as the
	 * CRLF the lines may end in) is no part of the first line, as in a
	 * policy; its first prefix was "???10.0.0.0/8: not an IPv4 or IPv6
	 * address". Columns count from after it. */
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) {
		text += 3;
		len -= 3;
	}
	end = text + len;

	/* The list sized once, for one prefix a line: doubling a million
	 * prefixes' list writes (and faults in) twice its final size. */
	if (op25b_prefix_list_reserve(list, capacity,
				      list->count + count_newlines(text, len) +
					      1) < 0)
		return -ENOMEM;
	for (line_start = text; line_start < end;
	     line_start = eol + 1, line++) {
		const char *token, *token_end, *rest;
		struct op25b_prefix *slot;
		const char *why;

		if (is_digit(*line_start)) {
			slot = op25b_prefix_list_push(list, capacity);
			if (slot == NULL)
				return -ENOMEM;
			eol = parse_plain_ipv4_line(line_start, end, slot);
			if (eol != NULL) {
				slot->file = file;
				slot->line = line;
				slot->column = 1;
				continue;
			}
			list->count--;
		}
		eol = memchr(line_start, '\n', (size_t)(end - line_start));
		if (eol == NULL)
			eol = end;
		token = line_start;
		while (token < eol && is_blank(*token))
			token++;
		if (token == eol || *token == '#')
			continue;
		token_end = token;
		while (token_end < eol && !is_blank(*token_end) &&
		       *token_end != '#' && *token_end != ',')
			token_end++;

		/* The token is judged before whatever follows it: "foo bar"
		 * is a bad prefix at "foo", not text after a prefix. */
		slot = op25b_prefix_list_push(list, capacity);
		if (slot == NULL)
			return -ENOMEM;
		if (op25b_prefix_parse_text(token, (size_t)(token_end - token),
					    slot, &why) < 0) {
			char message[sizeof(error->message)];

			op25b_prefix_error_message(
				message, sizeof(message), token,
				(size_t)(token_end - token), slot, why);
			list->count--;
			return file_error(error, file, line,
					  (uint32_t)(token - line_start + 1),
					  message);
		}
		rest = token_end;
		while (rest < eol && is_blank(*rest))
			rest++;
		if (rest < eol && *rest != '#') {
			list->count--;
			return file_error(error, file, line,
					  (uint32_t)(rest - line_start + 1),
					  *rest == ','
						  ? "one prefix a line (found "
						    "',')"
						  : "unexpected text after the "
						    "prefix (one prefix a "
						    "line)");
		}
		slot->file = file;
		slot->line = line;
		slot->column = (uint32_t)(token - line_start + 1);
	}
	return 0;
}

/* One prefix in the general duplicate search (IPv6, and IPv4 past
 * SEQ_LIMIT). The address is split into two host-order words so that the
 * sort compares integers, not bytes; seq, the position in load order (list
 * by list), keeps load order among equal prefixes. */
struct dup_key {
	uint64_t high;
	uint64_t low;
	uint32_t seq;
	uint8_t family;
	uint8_t length;
};

static uint64_t
load_be64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static inline bool
same_prefix(const struct dup_key *a, const struct dup_key *b)
{
	return a->family == b->family && a->length == b->length &&
	       a->high == b->high && a->low == b->low;
}

/* Load order alone: which of two occurrences a reader meets first. */
static inline bool
key_less_order(const struct dup_key *a, const struct dup_key *b)
{
	return a->seq < b->seq;
}

/* Total order: prefix first, then load order. Any order that keeps equal
 * prefixes together will do; the address words go first because they
 * almost always settle the comparison on their own. */
static inline bool
key_less(const struct dup_key *a, const struct dup_key *b)
{
	if (a->high != b->high)
		return a->high < b->high;
	if (a->low != b->low)
		return a->low < b->low;
	if (a->family != b->family)
		return a->family < b->family;
	if (a->length != b->length)
		return a->length < b->length;
	return key_less_order(a, b);
}

static void
insertion_sort(struct dup_key *v, size_t n)
{
	size_t i, j;

	for (i = 1; i < n; i++) {
		struct dup_key k = v[i];

		for (j = i; j > 0 && key_less(&k, &v[j - 1]); j--)
			v[j] = v[j - 1];
		v[j] = k;
	}
}

static void
swap_keys(struct dup_key *a, struct dup_key *b)
{
	struct dup_key t = *a;

	*a = *b;
	*b = t;
}

/*
 * Quicksort with the comparison inlined: qsort()'s indirect call per
 * comparison doubles the time for a million prefixes. Median of three,
 * recursion on the smaller side (stack depth log n); the keys are unique,
 * so there is no many-equal-keys case to worry about.
 */
static void
sort_keys(struct dup_key *v, size_t n)
{
	while (n > 16) {
		size_t mid = n / 2, i, j;
		struct dup_key pivot;

		if (key_less(&v[mid], &v[0]))
			swap_keys(&v[mid], &v[0]);
		if (key_less(&v[n - 1], &v[0]))
			swap_keys(&v[n - 1], &v[0]);
		if (key_less(&v[n - 1], &v[mid]))
			swap_keys(&v[n - 1], &v[mid]);
		pivot = v[mid];
		i = 0;
		j = n - 1;
		for (;;) {
			while (key_less(&v[i], &pivot))
				i++;
			while (key_less(&pivot, &v[j]))
				j--;
			if (i >= j)
				break;
			swap_keys(&v[i], &v[j]);
			i++;
			j--;
		}
		/* v[0..j] <= pivot <= v[j+1..n-1] */
		if (j + 1 < n - j - 1) {
			sort_keys(v, j + 1);
			v += j + 1;
			n -= j + 1;
		} else {
			sort_keys(v + j + 1, n - j - 1);
			n = j + 1;
		}
	}
	insertion_sort(v, n);
}

/*
 * IPv4, the bulk of a large policy, as one 64-bit word a prefix: address,
 * length, then the load position, so that integer order is prefix order
 * with load order among equals. A third of the general key's bytes, and
 * sorted by radix on the address and length bits alone: the passes are
 * stable and the words are made in load order, so the seq bits need no
 * pass. Up to SEQ_LIMIT prefixes a side; beyond, the general search.
 */
#define SEQ_BITS 26
#define SEQ_LIMIT ((size_t)1 << SEQ_BITS)
#define SEQ_MASK ((uint64_t)SEQ_LIMIT - 1)
#define RADIX_PASSES ((64 - SEQ_BITS + 7) / 8)

static uint64_t
v4_word(const struct op25b_prefix *p, size_t seq)
{
	return (uint64_t)p->addr[0] << 56 | (uint64_t)p->addr[1] << 48 |
	       (uint64_t)p->addr[2] << 40 | (uint64_t)p->addr[3] << 32 |
	       (uint64_t)p->length << SEQ_BITS | seq;
}

/* LSD radix sort of @p v by bits SEQ_BITS..63, 8 at a time, through
 * @p tmp (as large); a pass whose byte is the same everywhere is skipped.
 * @return whichever of the two holds the sorted words. */
static uint64_t *
radix_sort_words(uint64_t *v, uint64_t *tmp, size_t n)
{
	size_t count[RADIX_PASSES][256];
	size_t i;
	int pass;

	memset(count, 0, sizeof(count));
	for (i = 0; i < n; i++)
		for (pass = 0; pass < RADIX_PASSES; pass++)
			count[pass][(v[i] >> (SEQ_BITS + 8 * pass)) & 255]++;
	for (pass = 0; pass < RADIX_PASSES; pass++) {
		unsigned int shift = SEQ_BITS + 8 * (unsigned int)pass;
		size_t offset = 0, b, *at = count[pass];
		uint64_t *swap;

		if (at[(v[0] >> shift) & 255] == n)
			continue;
		for (b = 0; b < 256; b++) {
			size_t c = at[b];

			at[b] = offset;
			offset += c;
		}
		for (i = 0; i < n; i++)
			tmp[at[(v[i] >> shift) & 255]++] = v[i];
		swap = v;
		v = tmp;
		tmp = swap;
	}
	return v;
}

/* Keep the repeat met first in load order: @p later (and its @p first). */
static void
note_repeat(size_t later, size_t first, size_t *best, size_t *best_first)
{
	if (later < *best) {
		*best = later;
		*best_first = first;
	}
}

/* The list and the prefix at load position @p seq. */
static const struct op25b_prefix *
at_seq(const struct op25b_prefix_list *const *lists, size_t seq,
       unsigned int *list)
{
	unsigned int l = 0;

	while (seq >= lists[l]->count)
		seq -= lists[l++]->count;
	*list = l;
	return &lists[l]->prefixes[seq];
}

int
op25b_prefix_find_duplicate(const struct op25b_prefix_list *const *lists,
			    unsigned int n_lists,
			    struct op25b_prefix_duplicate *dup)
{
	size_t total = 0, n = 0, n4 = 0, seq = 0, i;
	size_t best = SIZE_MAX, best_first = 0;
	uint64_t *words = NULL, *sorted;
	struct dup_key *keys;
	unsigned int l;
	bool pack;

	for (l = 0; l < n_lists; l++)
		total += lists[l]->count;
	if (total < 2)
		return 0;
	if (total > UINT32_MAX)
		return -ENOMEM;
	/* Room for all in either form: what is never written is never
	 * faulted in. */
	pack = total <= SEQ_LIMIT;
	keys = op25b_alloc_large(total * sizeof(*keys));
	if (pack)
		words = op25b_alloc_large(2 * total * sizeof(*words));
	if (keys == NULL || (pack && words == NULL)) {
		free(keys);
		free(words);
		return -ENOMEM;
	}
	for (l = 0; l < n_lists; l++) {
		for (i = 0; i < lists[l]->count; i++, seq++) {
			const struct op25b_prefix *p = &lists[l]->prefixes[i];
			struct dup_key *k;

			if (pack && p->family == AF_INET) {
				words[n4++] = v4_word(p, seq);
				continue;
			}
			k = &keys[n++];
			k->high = load_be64(p->addr);
			k->low = load_be64(p->addr + 8);
			k->seq = (uint32_t)seq;
			k->family = p->family;
			k->length = p->length;
		}
	}
	/* In each sorted run of one prefix only the second matters: the
	 * earliest repeat. */
	sort_keys(keys, n);
	for (i = 1; i < n; i++)
		if (same_prefix(&keys[i - 1], &keys[i]) &&
		    !(i >= 2 && same_prefix(&keys[i - 2], &keys[i])))
			note_repeat(keys[i].seq, keys[i - 1].seq, &best,
				    &best_first);
	if (n4 >= 2) {
		sorted = radix_sort_words(words, words + total, n4);
		for (i = 1; i < n4; i++)
			if (sorted[i - 1] >> SEQ_BITS ==
				    sorted[i] >> SEQ_BITS &&
			    !(i >= 2 && sorted[i - 2] >> SEQ_BITS ==
						sorted[i] >> SEQ_BITS))
				note_repeat(sorted[i] & SEQ_MASK,
					    sorted[i - 1] & SEQ_MASK, &best,
					    &best_first);
	}
	free(keys);
	free(words);
	if (best == SIZE_MAX)
		return 0;
	dup->first = at_seq(lists, best_first, &dup->first_list);
	dup->later = at_seq(lists, best, &dup->later_list);
	return 1;
}
