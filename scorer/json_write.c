/*
 * JSON text without a tree (json_write.h).  Strings are copied in runs:
 * the common case, printable ASCII, costs a scan and one memcpy.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "internal.h"
#include "json_write.h"

/* Blocks of 1 KiB and more are what glibc's malloc serves by first
 * consolidating its small free chunks: growing by doubling from a small
 * buffer did that four times a report (15 % of a batch's user time).
 * Callers that know roughly what they will write say so up front. */
static int
jw_reserve(struct sc_jw *jw, size_t more)
{
	size_t cap;
	char *p;

	if (jw->failed)
		return -1;
	if (jw->cap - jw->len > more)
		return 0;
	cap = jw->cap ? jw->cap : 1024;
	if (cap - jw->len <= more && jw->cap == 0 && more < ((size_t)-1) / 4)
		cap = more + 1;       /* the first block: as asked */
	while (cap - jw->len <= more) {
		if (cap > ((size_t)-1) / 2) {
			jw->failed = 1;
			return -1;
		}
		cap *= 2;
	}
	if ((p = sc_realloc(jw->buf, cap)) == NULL) {
		jw->failed = 1;
		return -1;
	}
	jw->buf = p;
	jw->cap = cap;
	return 0;
}

void
sc_jw_expect(struct sc_jw *jw, size_t len)
{
	(void)jw_reserve(jw, len);
}

void
sc_jw_raw_grow(struct sc_jw *jw, const char *s, size_t len)
{
	if (jw_reserve(jw, len) != 0)
		return;
	memcpy(jw->buf + jw->len, s, len);
	jw->len += len;
}

/* Where the run of bytes that go out as they are ends at or after s[i]:
 * at a control, '"', '\\' or a byte of 0x80 or more (the start of a
 * sequence to check).  Sixteen bytes at a time where SSE2 is there (all of
 * x86-64): strings are most of a report's bytes. */
static size_t
span_plain(const unsigned char *s, size_t i, size_t len)
{
#ifdef __SSE2__
	const __m128i ctl = _mm_set1_epi8(0x20), quote = _mm_set1_epi8('"'),
	              bslash = _mm_set1_epi8('\\');

	while (len - i >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
		/* Signed: bytes of 0x80 and more are below 0x20 too. */
		__m128i m = _mm_or_si128(_mm_cmplt_epi8(v, ctl),
		    _mm_or_si128(_mm_cmpeq_epi8(v, quote),
		                 _mm_cmpeq_epi8(v, bslash)));
		unsigned mask = (unsigned)_mm_movemask_epi8(m);

		if (mask != 0)
			return i + (size_t)__builtin_ctz(mask);
		i += 16;
	}
#endif
	while (i < len && s[i] >= 0x20 && s[i] < 0x80 && s[i] != '"' &&
	       s[i] != '\\')
		i++;
	return i;
}

/* The escapes jansson writes (dump.c, dump_string without flags). */
static void
put_escape(struct sc_jw *jw, unsigned char c)
{
	char seq[8];

	switch (c) {
	case '\\': sc_jw_lit(jw, "\\\\"); break;
	case '"': sc_jw_lit(jw, "\\\""); break;
	case '\b': sc_jw_lit(jw, "\\b"); break;
	case '\f': sc_jw_lit(jw, "\\f"); break;
	case '\n': sc_jw_lit(jw, "\\n"); break;
	case '\r': sc_jw_lit(jw, "\\r"); break;
	case '\t': sc_jw_lit(jw, "\\t"); break;
	default:
		snprintf(seq, sizeof(seq), "\\u%04X", (unsigned)c);
		sc_jw_raw(jw, seq, 6);
	}
}

/* The JSON string of s[0..len), escaped as jansson escapes; 0 (and
 * nothing kept) if s is not UTF-8.  '"', '\\' and controls are single
 * bytes that never occur inside a multi-byte sequence. */
static int
put_escaped(struct sc_jw *jw, const unsigned char *s, size_t len)
{
	size_t i = 0, run, n, start = jw->len;

	sc_jw_lit(jw, "\"");
	while (i < len) {
		run = span_plain(s, i, len);
		sc_jw_raw(jw, (const char *)s + i, run - i);
		if (run == len)
			break;
		if (s[run] < 0x80) {
			put_escape(jw, s[run]);
			i = run + 1;
			continue;
		}
		if ((n = sc_utf8_len(s + run, len - run)) == 0) {
			jw->len = start; /* written in the buffer, not kept */
			return 0;
		}
		sc_jw_raw(jw, (const char *)s + run, n);
		i = run + n;
	}
	sc_jw_lit(jw, "\"");
	return 1;
}

void
sc_jw_str(struct sc_jw *jw, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i;

	if (s == NULL) {
		sc_jw_lit(jw, "null");
		return;
	}
	if (put_escaped(jw, u, len))
		return;
	/* Not UTF-8 (an address as typed, a TXT record): JSON must be, so
	 * the string becomes printable ASCII with '?' for the rest. */
	sc_jw_lit(jw, "\"");
	if (jw_reserve(jw, len) != 0)
		return;
	for (i = 0; i < len; i++) {
		char c = u[i] >= 0x20 && u[i] < 0x7f ? s[i] : '?';

		if (c == '"' || c == '\\')
			put_escape(jw, (unsigned char)c);
		else
			sc_jw_raw(jw, &c, 1);
	}
	sc_jw_lit(jw, "\"");
}

void
sc_jw_cstr(struct sc_jw *jw, const char *s)
{
	sc_jw_str(jw, s, s != NULL ? strlen(s) : 0);
}

void
sc_jw_int(struct sc_jw *jw, long long v)
{
	char num[24], *p = num + sizeof(num);
	unsigned long long u = v < 0 ? 0ull - (unsigned long long)v
	                             : (unsigned long long)v;

	/* By hand: snprintf() was a tenth of writing a report. */
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	if (v < 0)
		*--p = '-';
	sc_jw_raw(jw, p, (size_t)(num + sizeof(num) - p));
}

void
sc_jw_value(struct sc_jw *jw, const json_t *v)
{
	const char *key;
	json_t *item;
	size_t i, n;
	char *text;

	if (v == NULL) {
		jw->failed = 1;       /* as json_dumps(NULL): no text */
		return;
	}
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		sc_jw_lit(jw, "{");
		n = 0;
		/* Insertion order, as JSON_PRESERVE_ORDER gives (jansson >=
		 * 2.8 iterates objects in that order). */
		json_object_foreach((json_t *)v, key, item) {
			if (n++ > 0)
				sc_jw_lit(jw, ",");
			if (!put_escaped(jw, (const unsigned char *)key,
			    strlen(key)))
				jw->failed = 1; /* jansson checked it: never */
			sc_jw_lit(jw, ":");
			sc_jw_value(jw, item);
		}
		sc_jw_lit(jw, "}");
		break;
	case JSON_ARRAY:
		sc_jw_lit(jw, "[");
		n = json_array_size(v);
		for (i = 0; i < n; i++) {
			if (i > 0)
				sc_jw_lit(jw, ",");
			sc_jw_value(jw, json_array_get(v, i));
		}
		sc_jw_lit(jw, "]");
		break;
	case JSON_STRING:
		if (!put_escaped(jw, (const unsigned char *)json_string_value(v),
		    json_string_length(v)))
			jw->failed = 1;
		break;
	case JSON_INTEGER:
		sc_jw_int(jw, (long long)json_integer_value(v));
		break;
	case JSON_TRUE:
		sc_jw_lit(jw, "true");
		break;
	case JSON_FALSE:
		sc_jw_lit(jw, "false");
		break;
	case JSON_NULL:
		sc_jw_lit(jw, "null");
		break;
	default:
		/* A real: jansson's own number formatting, rare enough. */
		text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		if (text == NULL)
			jw->failed = 1;
		else
			sc_jw_raw(jw, text, strlen(text));
		free(text);
	}
}

char *
sc_jw_finish(struct sc_jw *jw, size_t *len)
{
	char *out = NULL;

	sc_jw_raw(jw, "", 1);
	if (!jw->failed) {
		out = jw->buf;
		if (len != NULL)
			*len = jw->len - 1;
		jw->buf = NULL;
	}
	sc_jw_clear(jw);
	return out;
}

void
sc_jw_clear(struct sc_jw *jw)
{
	sc_free(jw->buf);
	memset(jw, 0, sizeof(*jw));
}

/* The text is written behind room for the header, so that the buffer
 * becomes the shared text without another allocation and copy. */
void
sc_text_begin(struct sc_jw *jw, size_t expect)
{
	static const struct sc_text blank;

	sc_jw_expect(jw, offsetof(struct sc_text, s) + expect);
	sc_jw_raw(jw, (const char *)&blank, offsetof(struct sc_text, s));
}

struct sc_text *
sc_text_end(struct sc_jw *jw)
{
	struct sc_text *t;
	size_t len;

	if ((t = (struct sc_text *)sc_jw_finish(jw, &len)) == NULL)
		return NULL;
	t->refs = 1;
	t->len = len - offsetof(struct sc_text, s);
	return t;
}

struct sc_text *
sc_text_json(const json_t *v)
{
	struct sc_jw jw = { 0 };

	sc_text_begin(&jw, 2048);
	sc_jw_value(&jw, v);
	return sc_text_end(&jw);
}

struct sc_text *
sc_text_ref(struct sc_text *t)
{
	if (t != NULL)
		sc_ref_hold(&t->refs);
	return t;
}

void
sc_text_unref(struct sc_text *t)
{
	if (t != NULL && sc_ref_drop(&t->refs))
		sc_free(t);
}

/* ---- the report's arrays: findings and records ---------------------- */

void
sc_jw_str_fields(struct sc_jw *jw, const struct sc_jw_kv *kv, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (i > 0)
			sc_jw_lit(jw, ",");
		sc_jw_lit(jw, "\"");
		sc_jw_raw(jw, kv[i].key, strlen(kv[i].key));
		sc_jw_lit(jw, "\":");
		sc_jw_cstr(jw, kv[i].value);
	}
}

void
sc_jw_int_field(struct sc_jw *jw, const char *key, long long v)
{
	sc_jw_lit(jw, ",\"");
	sc_jw_raw(jw, key, strlen(key));
	sc_jw_lit(jw, "\":");
	sc_jw_int(jw, v);
}

static void
finding_write(struct sc_jw *jw, const sc_finding_t *f)
{
	const struct sc_jw_kv head[] = {
		{ "id", f->id },
		{ "severity", sc_severity_str(f->severity) },
		{ "category", sc_category_str(f->category) },
	}, tail[] = {
		{ "title", f->title }, { "detail", f->detail },
		{ "why", f->why }, { "fix", f->fix },
	};

	sc_jw_str_fields(jw, head, SC_ARRAY_LEN(head));
	sc_jw_int_field(jw, "points", f->points);
	/* Only when true: a batch writes millions of findings. */
	if (f->unverified)
		sc_jw_lit(jw, ",\"unverified\":true");
	sc_jw_lit(jw, ",");
	sc_jw_str_fields(jw, tail, SC_ARRAY_LEN(tail));
}

static void
record_write(struct sc_jw *jw, const sc_record_t *r)
{
	const struct sc_jw_kv head[] = {
		{ "name", r->name }, { "type", r->type },
		{ "status", sc_dns_outcome_str(r->outcome) },
	};
	size_t i;

	sc_jw_str_fields(jw, head, SC_ARRAY_LEN(head));
	if (r->authenticated)
		sc_jw_lit(jw, ",\"authenticated\":true");
	else
		sc_jw_lit(jw, ",\"authenticated\":false");
	sc_jw_int_field(jw, "elapsed_ms", r->elapsed_ms);
	sc_jw_lit(jw, ",\"data\":[");
	for (i = 0; i < r->count; i++) {
		if (i > 0)
			sc_jw_lit(jw, ",");
		sc_jw_cstr(jw, r->data[i]);
	}
	sc_jw_lit(jw, "]");
}

void
sc_json_findings(struct sc_jw *jw, const sc_finding_t *f, size_t n)
{
	size_t i;

	sc_jw_lit(jw, "[");
	for (i = 0; i < n; i++) {
		if (i > 0)
			sc_jw_lit(jw, ",");
		sc_jw_lit(jw, "{");
		finding_write(jw, &f[i]);
		sc_jw_lit(jw, "}");
	}
	sc_jw_lit(jw, "]");
}

void
sc_json_records(struct sc_jw *jw, const sc_record_t *r, size_t n)
{
	size_t i;

	sc_jw_lit(jw, "[");
	for (i = 0; i < n; i++) {
		if (i > 0)
			sc_jw_lit(jw, ",");
		sc_jw_lit(jw, "{");
		record_write(jw, &r[i]);
		sc_jw_lit(jw, "}");
	}
	sc_jw_lit(jw, "]");
}
