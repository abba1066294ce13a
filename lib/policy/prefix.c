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

	if (n == 0 || n >= sizeof(buf))
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
#define HUGE_PAGE ((uintptr_t)2 << 20)

void
op25b_advise_huge(void *buf, size_t size)
{
	uintptr_t start = ((uintptr_t)buf + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	uintptr_t end = ((uintptr_t)buf + size) & ~(HUGE_PAGE - 1);

	/* Advice only: without THP (or with it off) nothing changes. */
	if (size >= 4 * HUGE_PAGE && end > start)
		(void)madvise((void *)start, end - start, MADV_HUGEPAGE);
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
	grown = realloc(list->prefixes, n * sizeof(*grown));
	if (grown == NULL)
		return -ENOMEM;
	/* Before the new slots are first written: that is when pages fault. */
	op25b_advise_huge(grown + list->count,
			  (n - list->count) * sizeof(*grown));
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

int
op25b_prefix_file_parse(const char *file, const char *text, size_t len,
			struct op25b_prefix_list *list, size_t *capacity,
			struct op25b_policy_error *error)
{
	const char *end = text + len;
	const char *line_start, *eol;
	uint32_t line = 1;

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

/* One prefix in the duplicate search. The address is split into two
 * host-order words so that the sort compares integers, not bytes; list and
 * index give load order, which the sort keeps among equal prefixes. */
struct dup_key {
	uint64_t high;
	uint64_t low;
	uint32_t index;
	uint16_t list;
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
	if (a->list != b->list)
		return a->list < b->list;
	return a->index < b->index;
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

int
op25b_prefix_find_duplicate(const struct op25b_prefix_list *const *lists,
			    unsigned int n_lists,
			    struct op25b_prefix_duplicate *dup)
{
	const struct dup_key *best = NULL, *best_first = NULL;
	struct dup_key *keys;
	size_t total = 0, n = 0, i;
	unsigned int l;

	for (l = 0; l < n_lists; l++)
		total += lists[l]->count;
	if (total < 2)
		return 0;
	keys = malloc(total * sizeof(*keys));
	if (keys == NULL)
		return -ENOMEM;
	op25b_advise_huge(keys, total * sizeof(*keys));
	for (l = 0; l < n_lists; l++) {
		for (i = 0; i < lists[l]->count; i++) {
			const struct op25b_prefix *p = &lists[l]->prefixes[i];
			struct dup_key *k = &keys[n++];

			k->high = load_be64(p->addr);
			k->low = load_be64(p->addr + 8);
			k->index = (uint32_t)i;
			k->list = (uint16_t)l;
			k->family = p->family;
			k->length = p->length;
		}
	}
	sort_keys(keys, n);
	for (i = 1; i < n; i++) {
		/* Only the second of a run matters: the earliest repeat. */
		if (!same_prefix(&keys[i - 1], &keys[i]) ||
		    (i >= 2 && same_prefix(&keys[i - 2], &keys[i])))
			continue;
		if (best == NULL || key_less_order(&keys[i], best)) {
			best = &keys[i];
			best_first = &keys[i - 1];
		}
	}
	if (best != NULL) {
		const struct op25b_prefix_list *first = lists[best_first->list];

		dup->first_list = best_first->list;
		dup->later_list = best->list;
		dup->first = &first->prefixes[best_first->index];
		dup->later = &lists[best->list]->prefixes[best->index];
	}
	free(keys);
	return best != NULL;
}
