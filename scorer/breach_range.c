/*
 * The answer of a k-anonymity range API, in the two forms scorer accepts:
 *
 *   JSON, as the Have I Been Pwned range search for accounts answers:
 *       [{"hashSuffix": "<34 hex>", "websites": ["Adobe", ...]}, ...]
 *   text, as its Pwned Passwords range API answers (and any static file
 *   server can serve):
 *       <34 hex>[:COUNT] one a line, CRLF or LF
 *
 * A pure parser: bytes in, a sorted table of suffixes out.  Garbage (an
 * HTML error page with status 200, a truncated document) is refused as a
 * whole rather than read as "not breached".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "breach.h"
#include "hash.h"
#include "internal.h"

#define NAMES_MAX 400 /* bytes of breach names kept per suffix */

static int
entry_cmp(const void *a, const void *b)
{
	return memcmp(((const struct sc_range_entry *)a)->suffix,
	              ((const struct sc_range_entry *)b)->suffix,
	              SC_RANGE_SUFFIX);
}

static struct sc_range_entry *
add_entry(struct sc_range *r, size_t *cap)
{
	if (r->n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 64;
		void *p = sc_realloc(r->e, ncap * sizeof(*r->e));

		if (p == NULL)
			return NULL;
		r->e = p;
		*cap = ncap;
	}
	memset(&r->e[r->n], 0, sizeof(r->e[0]));
	return &r->e[r->n++];
}

static int
suffix_of(const char *s, size_t len, unsigned char *out)
{
	return len == 2 * SC_RANGE_SUFFIX &&
	       sc_hex_decode(s, SC_RANGE_SUFFIX, out) == 0;
}

/* "Adobe, LinkedIn, ..." from the websites array, at most NAMES_MAX
 * bytes (then "..."); non-strings are garbage. */
static int
join_names(json_t *sites, struct sc_range_entry *e, sc_status_t *st)
{
	char buf[NAMES_MAX + 8];
	size_t i, k = 0;
	json_t *v;

	if (sites == NULL)
		return 1;
	if (!json_is_array(sites))
		return 0;
	buf[0] = '\0';
	json_array_foreach(sites, i, v) {
		const char *name = json_string_value(v);
		size_t n;

		if (name == NULL)
			return 0;
		e->count++;
		n = strlen(name);
		if (k + n + 2 > NAMES_MAX) {
			if (k + 4 < sizeof(buf) && strstr(buf, "...") == NULL)
				k += (size_t)snprintf(buf + k, sizeof(buf) - k,
				                      "%s...", k ? ", " : "");
			continue;
		}
		k += (size_t)snprintf(buf + k, sizeof(buf) - k, "%s%s",
		                      k ? ", " : "", name);
	}
	if (k > 0 && (e->names = sc_strdup(buf)) == NULL) {
		*st = SC_ENOMEM;
		return 0;
	}
	return 1;
}

static sc_status_t
parse_json(const char *body, size_t len, struct sc_range *r, char *err,
           size_t errlen)
{
	json_error_t jerr;
	json_t *root, *item;
	sc_status_t st = SC_OK;
	size_t i, cap = 0;

	root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		snprintf(err, errlen, "not JSON (%s at line %d)", jerr.text,
		         jerr.line);
		return SC_EINVAL;
	}
	if (!json_is_array(root)) {
		snprintf(err, errlen, "JSON answer is not an array");
		json_decref(root);
		return SC_EINVAL;
	}
	if (json_array_size(root) > SC_RANGE_MAX_ENTRIES) {
		snprintf(err, errlen, "more than %d suffixes",
		         SC_RANGE_MAX_ENTRIES);
		json_decref(root);
		return SC_EINVAL;
	}
	json_array_foreach(root, i, item) {
		const char *sfx = json_string_value(json_object_get(item,
		                                                    "hashSuffix"));
		struct sc_range_entry *e;

		if (sfx == NULL) {
			snprintf(err, errlen, "entry %zu has no hashSuffix", i);
			st = SC_EINVAL;
			break;
		}
		if ((e = add_entry(r, &cap)) == NULL) {
			st = SC_ENOMEM;
			break;
		}
		if (!suffix_of(sfx, strlen(sfx), e->suffix)) {
			snprintf(err, errlen, "entry %zu: hashSuffix is not 34 "
			         "hex digits", i);
			st = SC_EINVAL;
			break;
		}
		if (!join_names(json_object_get(item, "websites"), e, &st)) {
			if (st == SC_OK) {
				snprintf(err, errlen, "entry %zu: websites is not "
				         "an array of names", i);
				st = SC_EINVAL;
			}
			break;
		}
	}
	json_decref(root);
	return st;
}

static sc_status_t
parse_text(const char *body, size_t len, struct sc_range *r, char *err,
           size_t errlen)
{
	size_t pos = 0, line = 0, cap = 0;

	while (pos < len) {
		const char *s = body + pos, *nl = memchr(s, '\n', len - pos);
		size_t n = nl != NULL ? (size_t)(nl - s) : len - pos, c;
		struct sc_range_entry *e;
		uint64_t v = 0;

		pos += n + (nl != NULL);
		line++;
		while (n > 0 && (s[n - 1] == '\r' || s[n - 1] == ' '))
			n--;
		if (n == 0)
			continue;
		if (r->n >= SC_RANGE_MAX_ENTRIES) {
			snprintf(err, errlen, "more than %d suffixes",
			         SC_RANGE_MAX_ENTRIES);
			return SC_EINVAL;
		}
		if ((e = add_entry(r, &cap)) == NULL)
			return SC_ENOMEM;
		c = n > 2 * SC_RANGE_SUFFIX ? 2 * SC_RANGE_SUFFIX : n;
		if (!suffix_of(s, c, e->suffix) ||
		    (n > c && (s[c] != ':' || n == c + 1 || n > c + 21))) {
			snprintf(err, errlen, "line %zu is not SUFFIX:COUNT",
			         line);
			return SC_EINVAL;
		}
		for (c = c + 1; c < n; c++) {
			if (s[c] < '0' || s[c] > '9') {
				snprintf(err, errlen, "line %zu: bad count", line);
				return SC_EINVAL;
			}
			if (v <= UINT32_MAX)
				v = v * 10 + (uint64_t)(s[c] - '0');
		}
		e->count = v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
	}
	return SC_OK;
}

sc_status_t
sc_range_parse(const char *body, size_t len, struct sc_range *out, char *err,
               size_t errlen)
{
	size_t i = 0;
	sc_status_t st;

	memset(out, 0, sizeof(*out));
	if (body == NULL)
		len = 0;
	while (i < len && (body[i] == ' ' || body[i] == '\t' ||
	                   body[i] == '\r' || body[i] == '\n'))
		i++;
	if (i < len && (body[i] == '[' || body[i] == '{'))
		st = parse_json(body, len, out, err, errlen);
	else
		st = parse_text(body, len, out, err, errlen);
	if (st != SC_OK) {
		sc_range_clear(out);
		return st;
	}
	if (out->n > 1)
		qsort(out->e, out->n, sizeof(*out->e), entry_cmp);
	return SC_OK;
}

void
sc_range_clear(struct sc_range *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		sc_free(r->e[i].names);
	sc_free(r->e);
	memset(r, 0, sizeof(*r));
}

const struct sc_range_entry *
sc_range_find(const struct sc_range *r, const unsigned char *suffix)
{
	struct sc_range_entry key;

	if (r->n == 0)
		return NULL;
	memcpy(key.suffix, suffix, SC_RANGE_SUFFIX);
	return bsearch(&key, r->e, r->n, sizeof(*r->e), entry_cmp);
}
