/*
 * Writing JSON text straight into a buffer.
 *
 * A batch writes one report per input line, so reports are serialised
 * without building a jansson tree first, and each domain's "checks" part
 * (the same for every address of the domain) is serialised once and
 * shared.  The output is byte for byte what jansson's json_dumps() with
 * JSON_COMPACT gives for the same values (tests/check_json_write.c
 * compares the two).
 */
#ifndef SC_JSON_WRITE_H
#define SC_JSON_WRITE_H

#include <stddef.h>
#include <string.h>

#include <jansson.h>

#include "scorer.h"

/* A growing buffer; the first failed allocation sticks in "failed", and
 * sc_jw_finish() then gives NULL whatever was written after it, so
 * callers check once at the end. */
struct sc_jw {
	char *buf;
	size_t len, cap;
	int failed;
};

/* About len bytes are coming: allocate them at once. */
void sc_jw_expect(struct sc_jw *jw, size_t len);
void sc_jw_raw_grow(struct sc_jw *jw, const char *s, size_t len);
/* Append s[0..len) (inline: a report is hundreds of small appends). */
static inline void
sc_jw_raw(struct sc_jw *jw, const char *s, size_t len)
{
	if (jw->cap - jw->len > len) {
		memcpy(jw->buf + jw->len, s, len);
		jw->len += len;
	} else {
		sc_jw_raw_grow(jw, s, len);
	}
}
/* s must be a string literal (the "" make anything else a compile error). */
#define sc_jw_lit(jw, s) sc_jw_raw((jw), "" s "", sizeof(s) - 1)
/* A JSON string of s[0..len): escaped as jansson does; bytes that are not
 * UTF-8 make the whole string printable ASCII with '?' for the rest (an
 * address as typed, a TXT record: a report never fails on them).  s NULL:
 * null. */
void sc_jw_str(struct sc_jw *jw, const char *s, size_t len);
void sc_jw_cstr(struct sc_jw *jw, const char *s); /* NULL: null */
void sc_jw_int(struct sc_jw *jw, long long v);
/* Any jansson value (its strings are UTF-8 already). */
void sc_jw_value(struct sc_jw *jw, const json_t *v);
/* Out of memory somewhere in a caller's own work: the text is lost too. */
static inline void
sc_jw_fail(struct sc_jw *jw)
{
	jw->failed = 1;
}

/* Objects and arrays written by hand.  sc_jw_key() and sc_jw_elem() put
 * the comma the previous member or element needs: none straight after
 * '{' or '[', which the last byte written tells, so no nesting state is
 * kept.  Keys are ours, plain ASCII literals, written as they are. */
static inline void
sc_jw_sep(struct sc_jw *jw)
{
	char last;

	if (jw->failed || jw->len == 0)
		return;
	last = jw->buf[jw->len - 1];
	if (last != '{' && last != '[')
		sc_jw_lit(jw, ",");
}
#define sc_jw_key(jw, k) (sc_jw_sep(jw), sc_jw_lit((jw), "\"" k "\":"))
#define sc_jw_elem(jw) sc_jw_sep(jw)
#define sc_jw_null(jw) sc_jw_lit((jw), "null")
static inline void
sc_jw_bool(struct sc_jw *jw, int b)
{
	if (b)
		sc_jw_lit(jw, "true");
	else
		sc_jw_lit(jw, "false");
}
/* A value that may be unknown: < 0 null, 0 false, > 0 true. */
static inline void
sc_jw_tristate(struct sc_jw *jw, int v)
{
	if (v < 0)
		sc_jw_null(jw);
	else
		sc_jw_bool(jw, v);
}

/* The text, NUL-terminated, owned by the caller (sc_free()); NULL if an
 * allocation failed.  The writer is left empty either way. */
char *sc_jw_finish(struct sc_jw *jw, size_t *len);
void sc_jw_clear(struct sc_jw *jw);

/* Immutable text shared by reference, counted atomically: a report may go
 * to another thread and outlive the context that made it. */
struct sc_text {
	unsigned long refs;
	size_t len;
	char s[];
};

/* The JSON text of v in a new shared text (refs 1); NULL on ENOMEM. */
struct sc_text *sc_text_json(const json_t *v);
/* Any text: sc_text_begin() on an empty writer, write about `expect`
 * bytes, sc_text_end() (refs 1; NULL if an allocation failed). */
void sc_text_begin(struct sc_jw *jw, size_t expect);
struct sc_text *sc_text_end(struct sc_jw *jw);
struct sc_text *sc_text_ref(struct sc_text *t);
void sc_text_unref(struct sc_text *t);

/* "key":"value" pairs, comma-separated (a NULL value is null), and
 * ,"key":N.  The keys are ours (plain ASCII), written as they are. */
struct sc_jw_kv {
	const char *key;
	const char *value;
};
void sc_jw_str_fields(struct sc_jw *jw, const struct sc_jw_kv *kv, size_t n);
void sc_jw_int_field(struct sc_jw *jw, const char *key, long long v);

/* The JSON arrays of a report's findings and records (docs/json.md). */
void sc_json_findings(struct sc_jw *jw, const sc_finding_t *f, size_t n);
void sc_json_records(struct sc_jw *jw, const sc_record_t *r, size_t n);

#endif /* SC_JSON_WRITE_H */
