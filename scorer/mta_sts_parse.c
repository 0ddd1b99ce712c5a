/*
 * MTA-STS parsers (RFC 8461): the _mta-sts TXT record (3.1), the policy
 * file (3.2), MX patterns (4.1) and the media type (3.2).  Pure: bytes in,
 * a struct out.  The grammar is followed as written, since a sender that
 * rejects what we accepted would leave the domain unprotected.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "internal.h"
#include "parse.h"
#include "mta_sts_parse.h"

#define MAX_KEY 32     /* RFC 8461 3.2 sts-policy-ext-name: 1 + 31 chars */
#define MAX_DOMAIN 253 /* RFC 1035 2.3.4, presentation form without dot */
#define MAX_LABEL 63





static void
say(char *why, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
say(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (why == NULL || len == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
}

/* Case-insensitive search for needle in s[0..len). */
static int
contains_ci(const char *s, size_t len, const char *needle)
{
	size_t n = strlen(needle), i;

	for (i = 0; i + n <= len; i++)
		if (strncasecmp(s + i, needle, n) == 0)
			return 1;
	return 0;
}

/* ---- TXT (RFC 8461 3.1) ----------------------------------------------- */

/*
 * sts-text-record = sts-version 1*(sts-sep sts-field) [sts-sep]
 * sts-version     = %s"v=STSv1"
 * sts-sep         = *WSP %x3B *WSP
 * sts-field       = sts-id / sts-extension
 * sts-id          = %s"id=" 1*32(ALPHA / DIGIT)
 * sts-ext-name    = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".")
 * sts-ext-value   = 1*(%x21-3A / %x3C / %x3E-7E)
 */
static enum sc_sts_txt_kind
txt_invalid(struct sc_sts_txt *out, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static enum sc_sts_txt_kind
txt_invalid(struct sc_sts_txt *out, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(out->why, sizeof(out->why), fmt, ap);
	va_end(ap);
	out->id[0] = '\0';
	return SC_STS_TXT_INVALID;
}

static size_t
skip_wsp(const char *s, size_t len, size_t i)
{
	while (i < len && sc_is_wsp((unsigned char)s[i]))
		i++;
	return i;
}

static int
ext_name_char(unsigned char c)
{
	return sc_is_alnum(c) || c == '_' || c == '-' || c == '.';
}

static int
txt_ext_value_char(unsigned char c)
{
	return c >= 0x21 && c <= 0x7e && c != '=' && c != ';';
}

enum sc_sts_txt_kind
sc_sts_txt_parse(const char *s, size_t len, struct sc_sts_txt *out)
{
	static const char version[] = "v=STSv1";
	const size_t vlen = sizeof(version) - 1;
	size_t i, nfield = 0;
	int have_id = 0;
	char buf[64];

	memset(out, 0, sizeof(*out));
	if (s == NULL)
		len = 0;
	/* 3.1: "records that do not begin with v=STSv1; are discarded".  The
	 * version may be followed by WSP before the ";" (sts-sep). */
	if (len < vlen || memcmp(s, version, vlen) != 0 ||
	    (len > vlen && s[vlen] != ';' && !sc_is_wsp((unsigned char)s[vlen]))) {
		if (!contains_ci(s, len, "v=STS"))
			return SC_STS_TXT_OTHER;
		sc_excerpt(buf, sizeof(buf), s, len, 40);
		say(out->why, sizeof(out->why),
		    "\"%s\" does not begin with \"v=STSv1;\"", buf);
		return SC_STS_TXT_STRAY;
	}
	i = vlen;
	for (;;) {
		size_t name, nlen, val;

		i = skip_wsp(s, len, i);
		if (i == len)
			break;
		if (s[i] != ';')
			return txt_invalid(out, "character %zu: expected \";\"",
			                   i + 1);
		i = skip_wsp(s, len, i + 1);
		if (i == len)
			break; /* the optional final separator */
		name = i;
		if (!sc_is_alnum((unsigned char)s[i]))
			return txt_invalid(out, "character %zu: a field name "
			                   "must start with a letter or digit",
			                   i + 1);
		while (i < len && ext_name_char((unsigned char)s[i]))
			i++;
		nlen = i - name;
		if (nlen > MAX_KEY)
			return txt_invalid(out, "character %zu: field name "
			                   "longer than %d", name + 1, MAX_KEY);
		if (i == len || s[i] != '=')
			return txt_invalid(out, "character %zu: expected \"=\" "
			                   "after the field name", i + 1);
		val = ++i;
		nfield++;
		if (nlen == 2 && memcmp(s + name, "id", 2) == 0) {
			while (i < len && sc_is_alnum((unsigned char)s[i]))
				i++;
			if (have_id)
				return txt_invalid(out, "more than one id= field");
			if (i == val)
				return txt_invalid(out, "the id is empty");
			if (i - val > SC_STS_ID_MAX)
				return txt_invalid(out, "the id is longer than %d "
				                   "characters", SC_STS_ID_MAX);
			if (i < len && !sc_is_wsp((unsigned char)s[i]) &&
			    s[i] != ';')
				return txt_invalid(out, "character %zu: the id "
				                   "may hold only letters and "
				                   "digits", i + 1);
			memcpy(out->id, s + val, i - val);
			out->id[i - val] = '\0';
			have_id = 1;
		} else {
			while (i < len && txt_ext_value_char((unsigned char)s[i]))
				i++;
			if (i == val)
				return txt_invalid(out, "character %zu: empty "
				                   "value", i + 1);
			if (i < len && !sc_is_wsp((unsigned char)s[i]) &&
			    s[i] != ';')
				return txt_invalid(out, "character %zu: "
				                   "character not allowed in a "
				                   "value", i + 1);
		}
	}
	if (nfield == 0 || !have_id)
		return txt_invalid(out, "no id= field (RFC 8461 3.1 requires "
		                   "one)");
	out->why[0] = '\0';
	return SC_STS_TXT_VALID;
}

/* ---- MX patterns (RFC 8461 3.2, 4.1) ---------------------------------- */

/* sts-policy-mx-value = ["*."] Domain, with Domain as in RFC 5321 4.1.2:
 * dot-separated labels of letters, digits and inner hyphens. */
static int
valid_pattern(const char *s, size_t len, char *why, size_t whylen)
{
	size_t i = 0, label = 0;
	char buf[64];

	sc_excerpt(buf, sizeof(buf), s, len, 40);
	if (len >= 2 && s[0] == '*' && s[1] == '.')
		i = 2;
	if (len - i > MAX_DOMAIN) {
		say(why, whylen, "mx pattern \"%s\" is longer than %d "
		    "characters", buf, MAX_DOMAIN);
		return 0;
	}
	if (i == len) {
		say(why, whylen, "mx pattern \"%s\" names no domain", buf);
		return 0;
	}
	for (; i <= len; i++) {
		unsigned char c = i < len ? (unsigned char)s[i] : '.';

		if (c == '.') {
			if (label == 0) {
				say(why, whylen, "mx pattern \"%s\" has an "
				    "empty label%s", buf, i == len
				    ? " (a final dot is not allowed)" : "");
				return 0;
			}
			if (s[i - 1] == '-') {
				say(why, whylen, "mx pattern \"%s\": a label "
				    "ends with \"-\"", buf);
				return 0;
			}
			label = 0;
			continue;
		}
		if (!sc_is_alnum(c) && c != '-') {
			say(why, whylen, "mx pattern \"%s\" is not a host name "
			    "or \"*.\" and a domain", buf);
			return 0;
		}
		if (label == 0 && c == '-') {
			say(why, whylen, "mx pattern \"%s\": a label begins "
			    "with \"-\"", buf);
			return 0;
		}
		if (++label > MAX_LABEL) {
			say(why, whylen, "mx pattern \"%s\" has a label longer "
			    "than %d", buf, MAX_LABEL);
			return 0;
		}
	}
	return 1;
}

static size_t
without_final_dot(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && s[n - 1] == '.' ? n - 1 : n;
}

int
sc_sts_mx_match(const char *pattern, const char *host)
{
	size_t plen, hlen;
	const char *dot;

	if (pattern == NULL || host == NULL)
		return 0;
	plen = without_final_dot(pattern);
	hlen = without_final_dot(host);
	if (plen == 0 || hlen == 0)
		return 0;
	if (plen >= 2 && pattern[0] == '*' && pattern[1] == '.') {
		/* 4.1: the wildcard stands for exactly one label, the left-
		 * most: compare what follows the host's first label. */
		dot = memchr(host, '.', hlen);
		if (dot == NULL || dot == host)
			return 0;
		hlen -= (size_t)(dot - host);
		return hlen == plen - 1 &&
		       strncasecmp(dot, pattern + 1, hlen) == 0 &&
		       memchr(pattern + 1, '*', plen - 1) == NULL;
	}
	if (memchr(pattern, '*', plen) != NULL)
		return 0;
	return hlen == plen && strncasecmp(host, pattern, plen) == 0;
}

/* ---- the policy (RFC 8461 3.2) ---------------------------------------- */

/*
 * sts-policy-record  = sts-policy-field *WSP
 *                      *(sts-policy-term-eol sts-policy-field *WSP)
 *                      [sts-policy-term-eol]
 * sts-policy-term-eol = %x0D %x0A / %x0A
 * sts-policy-field-delim = ":" *WSP
 * sts-policy-ext-value = sts-policy-vchar
 *                        [*(%x20 / sts-policy-vchar) sts-policy-vchar]
 * (vchar: VCHAR or UTF-8 beyond ASCII; no control characters.)
 */

enum key { K_VERSION, K_MODE, K_MAX_AGE, K_MX, K_OTHER };

struct parse {
	struct sc_sts_policy *p;
	size_t cap;
	unsigned seen;          /* bit per known key */
	unsigned cased;         /* bit per known key seen in another case */
	char *why;
	size_t whylen;
};

static const char *const key_names[] = { "version", "mode", "max_age",
                                         "mx" };

static enum key
key_of(const char *k, size_t n, unsigned *cased)
{
	size_t i;

	for (i = 0; i < SC_ARRAY_LEN(key_names); i++) {
		if (strlen(key_names[i]) != n)
			continue;
		/* %s in the ABNF: keys are case-sensitive, so "Mode" is an
		 * unknown key, ignored; remember it for a better reason. */
		if (memcmp(k, key_names[i], n) == 0)
			return (enum key)i;
		if (strncasecmp(k, key_names[i], n) == 0)
			*cased |= 1u << i;
	}
	return K_OTHER;
}

static sc_status_t
add_mx(struct parse *ps, const char *v)
{
	struct sc_sts_policy *p = ps->p;

	if (p->nmx == ps->cap) {
		size_t cap = ps->cap ? ps->cap * 2 : 4;
		const char **m = sc_realloc(p->mx, cap * sizeof(*m));

		if (m == NULL)
			return SC_ENOMEM;
		p->mx = m;
		ps->cap = cap;
	}
	p->mx[p->nmx++] = v;
	return SC_OK;
}

/* One line, k[0..klen) ":" v[0..vlen), trailing WSP already cut; v
 * points into the private copy, so it can be NUL-terminated there. */
static sc_status_t
field(struct parse *ps, size_t line, const char *k, size_t klen, char *v,
      size_t vlen)
{
	struct sc_sts_policy *p = ps->p;
	enum key key = key_of(k, klen, &ps->cased);
	char buf[64];
	size_t i;

	sc_excerpt(buf, sizeof(buf), v, vlen, 40);
	for (i = 0; i < vlen; i++) {
		unsigned char c = (unsigned char)v[i];

		if (c < 0x20 || c == 0x7f) {
			say(ps->why, ps->whylen, "line %zu: control character "
			    "in the value", line);
			return SC_EINVAL;
		}
	}
	if (key != K_OTHER && key != K_MX && (ps->seen & (1u << key))) {
		say(ps->why, ps->whylen, "line %zu: a second %s line", line,
		    key_names[key]);
		return SC_EINVAL;
	}
	if (key != K_OTHER)
		ps->seen |= 1u << key;
	v[vlen] = '\0';
	switch (key) {
	case K_VERSION:
		if (strcmp(v, "STSv1") == 0)
			return SC_OK;
		say(ps->why, ps->whylen, "line %zu: version \"%s\" is not "
		    "STSv1", line, buf);
		return SC_EINVAL;
	case K_MODE:
		if (strcmp(v, "enforce") == 0)
			p->mode = SC_STS_MODE_ENFORCE;
		else if (strcmp(v, "testing") == 0)
			p->mode = SC_STS_MODE_TESTING;
		else if (strcmp(v, "none") == 0)
			p->mode = SC_STS_MODE_NONE;
		else {
			say(ps->why, ps->whylen, "line %zu: mode \"%s\" is not "
			    "enforce, testing or none", line, buf);
			return SC_EINVAL;
		}
		return SC_OK;
	case K_MAX_AGE: {
		unsigned long age = 0;

		/* 1*10DIGIT, at most 31557600 */
		if (vlen == 0 || vlen > 10)
			goto bad_age;
		for (i = 0; i < vlen; i++) {
			if (!sc_is_digit((unsigned char)v[i]))
				goto bad_age;
			age = age * 10 + (unsigned long)(v[i] - '0');
		}
		if (age > SC_STS_MAX_AGE_MAX) {
			say(ps->why, ps->whylen, "line %zu: max_age %s is over "
			    "the limit of %lu seconds", line, buf,
			    SC_STS_MAX_AGE_MAX);
			return SC_EINVAL;
		}
		p->max_age = age;
		return SC_OK;
	bad_age:
		say(ps->why, ps->whylen, "line %zu: max_age \"%s\" is not a "
		    "number of seconds", line, buf);
		return SC_EINVAL;
	}
	case K_MX:
		if (!valid_pattern(v, vlen, ps->why, ps->whylen)) {
			char tmp[SC_STS_WHY_LEN];

			/* prefix the line number to the pattern's reason */
			snprintf(tmp, sizeof(tmp), "%s", ps->why ? ps->why : "");
			say(ps->why, ps->whylen, "line %zu: %s", line, tmp);
			return SC_EINVAL;
		}
		return add_mx(ps, v);
	case K_OTHER:
		/* 3.2: unknown fields are ignored, but must still be fields:
		 * a non-empty value without control characters. */
		if (vlen == 0) {
			say(ps->why, ps->whylen, "line %zu: the value of \"%.*s\" "
			    "is empty", line, (int)(klen < 32 ? klen : 32), k);
			return SC_EINVAL;
		}
		return SC_OK;
	}
	return SC_OK;
}

static sc_status_t
line_of(struct parse *ps, size_t line, char *s, size_t len)
{
	size_t k = 0, v;
	char buf[64];

	if (len == 0) {
		say(ps->why, ps->whylen, "line %zu is empty", line);
		return SC_EINVAL;
	}
	if (!sc_is_alnum((unsigned char)s[0]))
		goto not_field;
	while (k < len && ext_name_char((unsigned char)s[k]))
		k++;
	if (k == len || s[k] != ':')
		goto not_field;
	if (k > MAX_KEY) {
		say(ps->why, ps->whylen, "line %zu: key longer than %d "
		    "characters", line, MAX_KEY);
		return SC_EINVAL;
	}
	v = skip_wsp(s, len, k + 1);
	while (len > v && sc_is_wsp((unsigned char)s[len - 1]))
		len--;
	return field(ps, line, s, k, s + v, len - v);
not_field:
	sc_excerpt(buf, sizeof(buf), s, len, 40);
	say(ps->why, ps->whylen, "line %zu \"%s\" is not a \"key: value\" "
	    "field", line, buf);
	return SC_EINVAL;
}

/* Only empty lines (CRLF or LF) from i to the end? */
static int
only_empty_lines(const char *s, size_t len, size_t i)
{
	for (; i < len; i++)
		if (s[i] != '\n' && !(s[i] == '\r' && i + 1 < len &&
		                      s[i + 1] == '\n'))
			return 0;
	return 1;
}

static sc_status_t
missing(struct parse *ps, enum key key)
{
	say(ps->why, ps->whylen, "no %s line%s", key_names[key],
	    (ps->cased & (1u << key)) ? " (keys are case-sensitive: a key "
	    "in other case is ignored)" : "");
	return SC_EINVAL;
}

sc_status_t
sc_sts_policy_parse(const char *text, size_t len, struct sc_sts_policy *out,
                    char *why, size_t whylen)
{
	struct parse ps;
	sc_status_t st = SC_OK;
	size_t i = 0, line = 0;
	char *s;

	say(why, whylen, "%s", "");
	if (out == NULL)
		return SC_EINVAL;
	memset(out, 0, sizeof(*out));
	memset(&ps, 0, sizeof(ps));
	ps.p = out;
	ps.why = why;
	ps.whylen = whylen;
	if (text == NULL || len == 0) {
		say(why, whylen, "the policy is empty");
		return SC_EINVAL;
	}
	/* A private copy, so that mx patterns can be cut in place. */
	if ((s = out->buf = sc_malloc(len + 1)) == NULL)
		return SC_ENOMEM;
	memcpy(s, text, len);
	s[len] = '\0';
	while (i < len && st == SC_OK) {
		char *nl = memchr(s + i, '\n', len - i);
		size_t end = nl != NULL ? (size_t)(nl - s) : len, cut = end;

		line++;
		/* CRLF or LF (sts-policy-term-eol); a lone CR is a control
		 * character in the value and is refused there. */
		if (nl != NULL && cut > i && s[cut - 1] == '\r')
			cut--;
		if (cut == i && nl != NULL && only_empty_lines(s, len, end + 1))
			break; /* trailing empty lines: tolerated */
		st = line_of(&ps, line, s + i, cut - i);
		i = nl != NULL ? end + 1 : len;
	}
	if (st == SC_OK && !(ps.seen & (1u << K_VERSION)))
		st = missing(&ps, K_VERSION);
	if (st == SC_OK && !(ps.seen & (1u << K_MODE)))
		st = missing(&ps, K_MODE);
	if (st == SC_OK && !(ps.seen & (1u << K_MAX_AGE)))
		st = missing(&ps, K_MAX_AGE);
	/* 3.2 lists mx among the fields; only a policy of mode none, which
	 * asks nothing of senders, can do without one. */
	if (st == SC_OK && out->nmx == 0 && out->mode != SC_STS_MODE_NONE) {
		say(why, whylen, "no mx line (mode %s needs at least one)",
		    sc_sts_mode_str(out->mode));
		st = SC_EINVAL;
	}
	if (st != SC_OK)
		sc_sts_policy_clear(out);
	return st;
}

void
sc_sts_policy_clear(struct sc_sts_policy *p)
{
	if (p == NULL)
		return;
	sc_free(p->mx);
	sc_free(p->buf);
	memset(p, 0, sizeof(*p));
}

const char *
sc_sts_mode_str(enum sc_sts_mode mode)
{
	switch (mode) {
	case SC_STS_MODE_NONE: return "none";
	case SC_STS_MODE_TESTING: return "testing";
	case SC_STS_MODE_ENFORCE: return "enforce";
	}
	return "?";
}

/* ---- media type (RFC 8461 3.2) ---------------------------------------- */

int
sc_sts_media_type_ok(const char *ct)
{
	static const char want[] = "text/plain";
	size_t n = sizeof(want) - 1;

	if (ct == NULL)
		return 0;
	while (sc_is_wsp((unsigned char)*ct))
		ct++;
	/* Media types are case-insensitive (RFC 9110 8.3.1); "All
	 * parameters other than charset are to be ignored" (3.2). */
	if (strncasecmp(ct, want, n) != 0)
		return 0;
	ct += n;
	while (sc_is_wsp((unsigned char)*ct))
		ct++;
	return *ct == '\0' || *ct == ';';
}
