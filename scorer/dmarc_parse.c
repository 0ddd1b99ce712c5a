/*
 * The DMARC record parser (RFC 7489 6.3 and 6.4, with the DMARCbis tags
 * np, psd and t).  Pure: text in, struct out, no I/O, no allocation.
 *
 * One bounded tokenizer walks the record once, tag by tag (a tag-list as
 * in RFC 6376 3.2: `name *WSP "=" *WSP value`, separated by `*WSP ";"
 * *WSP`).  Work is linear in the length of the record, whatever it holds.
 *
 * Leniency follows what receivers do, so that scorer raises no alarm a
 * receiver would not act on: tag names and keyword values are matched
 * without regard to case (the ABNF of 6.4 quotes them, and RFC 5234 quoted
 * strings are case-insensitive), only "DMARC1" is case-sensitive (%x in
 * the ABNF), empty tags between two ";" are skipped, and unknown tags are
 * ignored (6.3).  Errors are still counted and the first is reported.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "dmarc_parse.h"
#include "internal.h"
#include "parse.h"

#define BIT(n) (1u << (n))

enum tag {
	T_V, T_P, T_SP, T_NP, T_PCT, T_RUA, T_RUF, T_ADKIM, T_ASPF, T_FO,
	T_RI, T_PSD, T_T, T_UNKNOWN
};

static const char *const tag_names[] = {
	"v", "p", "sp", "np", "pct", "rua", "ruf", "adkim", "aspf", "fo",
	"ri", "psd", "t"
};

/* Remember an error.  The first is the one reported, unless a fatal one
 * comes later: what makes the record useless matters most. */
static void
error_at(struct sc_dmarc_record *rec, size_t pos, enum tag tag, int fatal,
         const char *reason)
{
	rec->nerror++;
	if (rec->nerror == 1 || (fatal && !rec->err.fatal)) {
		rec->err.pos = pos;
		rec->err.tag = tag < T_UNKNOWN ? tag_names[tag] : NULL;
		snprintf(rec->err.reason, sizeof(rec->err.reason), "%s", reason);
	}
	if (fatal)
		rec->err.fatal = 1;
}

static enum tag
tag_of(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < SC_ARRAY_LEN(tag_names); i++)
		if (sc_word_is(s, len, tag_names[i]))
			return (enum tag)i;
	return T_UNKNOWN;
}

static enum sc_dmarc_policy
policy_of(const char *s, size_t len)
{
	if (sc_word_is(s, len, "none"))
		return SC_DMARC_NONE;
	if (sc_word_is(s, len, "quarantine"))
		return SC_DMARC_QUARANTINE;
	if (sc_word_is(s, len, "reject"))
		return SC_DMARC_REJECT;
	return SC_DMARC_UNSET;
}

const char *
sc_dmarc_policy_str(enum sc_dmarc_policy p)
{
	switch (p) {
	case SC_DMARC_NONE: return "none";
	case SC_DMARC_QUARANTINE: return "quarantine";
	case SC_DMARC_REJECT: return "reject";
	default: return "unset";
	}
}

/* A host name as it appears in a URI: letters, digits, '-', '.', '_'. */
static int
host_ok(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > 253)
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!sc_is_alpha(c) && !sc_is_digit(c) && c != '-' && c != '.' &&
		    c != '_')
			return 0;
	}
	return 1;
}

/*
 * One dmarc-uri (RFC 7489 6.4): URI [ "!" 1*DIGIT [ "k" / "m" / "g" /
 * "t" ] ].  Commas and "!" inside a URI must be %-encoded (6.2), so the
 * first "!" starts the size limit.  Returns NULL when fine, else why.
 */
static const char *
parse_uri(const char *text, size_t off, size_t len, struct sc_dmarc_uri *u,
          size_t *bad)
{
	const char *s = text + off;
	size_t i, end = len, colon = 0;

	memset(u, 0, sizeof(*u));
	*bad = off;
	if (len == 0)
		return "an empty URI";
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= 0x20 || c >= 0x7f) {
			*bad = off + i;
			return "a byte that is not allowed in a URI "
			       "(space, control or non-ASCII: %-encode it)";
		}
		if (c == '!' && end == len)
			end = i;
	}
	if (end < len) {
		i = end + 1;
		if (i == len || !sc_is_digit((unsigned char)s[i])) {
			*bad = off + end;
			return "a \"!\" not followed by a size (such as !10m)";
		}
		while (i < len && sc_is_digit((unsigned char)s[i]))
			i++;
		if (i < len && strchr("kmgtKMGT", s[i]) != NULL)
			i++;
		if (i != len) {
			*bad = off + i;
			return "a size limit with a unit other than k, m, g or t";
		}
	}
	/* scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) (RFC 3986) */
	if (!sc_is_alpha((unsigned char)s[0]))
		return "no scheme (write mailto:address)";
	for (i = 1; i < end && s[i] != ':'; i++)
		if (!sc_is_alpha((unsigned char)s[i]) &&
		    !sc_is_digit((unsigned char)s[i]) && strchr("+-.", s[i]) == NULL)
			return "no scheme (write mailto:address)";
	if (i >= end || i + 1 >= end)
		return "no scheme (write mailto:address)";
	colon = i;
	u->uri.off = off;
	u->uri.len = end;
	if (sc_word_is(s, colon, "mailto")) {
		/* addr-spec: the domain is after the last "@", before "?" */
		size_t at = 0, q = end;

		for (i = colon + 1; i < end; i++) {
			if (s[i] == '?') {
				q = i;
				break;
			}
			if (s[i] == '@')
				at = i;
		}
		if (at == 0 || at == colon + 1)
			return "a mailto: URI without a mailbox@domain";
		if (!host_ok(s + at + 1, q - at - 1)) {
			*bad = off + at + 1;
			return "a mailto: URI whose domain is not a host name";
		}
		u->mailto = 1;
		u->host.off = off + at + 1;
		u->host.len = q - at - 1;
	} else if (sc_word_is(s, colon, "https") || sc_word_is(s, colon, "http")) {
		size_t h = colon + 1, e;

		if (end - h < 3 || s[h] != '/' || s[h + 1] != '/')
			return "an http(s): URI without //host";
		h += 2;
		for (e = h; e < end && strchr("/?#:", s[e]) == NULL; e++)
			if (s[e] == '@')
				h = e + 1; /* userinfo@ */
		if (!host_ok(s + h, e - h)) {
			*bad = off + h;
			return "an http(s): URI whose host is not a host name";
		}
		u->host.off = off + h;
		u->host.len = e - h;
	}
	return NULL;
}

/* rua / ruf: dmarc-uri *(*WSP "," *WSP dmarc-uri) */
static void
parse_uris(const char *text, size_t off, size_t len, enum tag tag,
           struct sc_dmarc_record *rec)
{
	struct sc_dmarc_uri *list = tag == T_RUA ? rec->rua : rec->ruf;
	size_t *n = tag == T_RUA ? &rec->nrua : &rec->nruf;
	size_t *total = tag == T_RUA ? &rec->rua_total : &rec->ruf_total;
	size_t i = 0;

	while (i <= len) {
		size_t b = i, e, bad;
		struct sc_dmarc_uri u;
		const char *why;

		while (b < len && sc_is_wsp((unsigned char)text[off + b]))
			b++;
		for (e = b; e < len && text[off + e] != ','; e++)
			;
		i = e + 1;
		while (e > b && sc_is_wsp((unsigned char)text[off + e - 1]))
			e--;
		why = parse_uri(text, off + b, e - b, &u, &bad);
		if (why != NULL) {
			char what[48], reason[160];

			sc_excerpt(what, sizeof(what), text + off + b, e - b, 32);
			snprintf(reason, sizeof(reason), "%s: the URI \"%s\" has %s",
			         tag_names[tag], what, why);
			error_at(rec, bad, tag, 0, reason);
			continue;
		}
		(*total)++;
		if (*n < SC_DMARC_MAX_URI)
			list[(*n)++] = u;
	}
}

/* fo: ("0" / "1" / "d" / "s") *(*WSP ":" *WSP ( ... )) */
static int
fo_ok(const char *s, size_t len)
{
	size_t i = 0;

	for (;;) {
		if (i >= len || strchr("01dsDS", s[i]) == NULL || s[i] == '\0')
			return 0;
		i++;
		while (i < len && sc_is_wsp((unsigned char)s[i]))
			i++;
		if (i == len)
			return 1;
		if (s[i++] != ':')
			return 0;
		while (i < len && sc_is_wsp((unsigned char)s[i]))
			i++;
	}
}

/* 1*n DIGIT, saturating at max. */
static int
number(const char *s, size_t len, size_t maxdigits, unsigned long max,
       unsigned long *out)
{
	unsigned long v = 0;
	size_t i;

	if (len == 0 || len > maxdigits)
		return 0;
	for (i = 0; i < len; i++) {
		if (!sc_is_digit((unsigned char)s[i]))
			return 0;
		v = v > (max - 9) / 10 ? max : v * 10 + (unsigned long)(s[i] - '0');
	}
	*out = v > max ? max : v;
	return 1;
}

static void
one_char(const char *s, size_t len, const char *allowed, char *out, int *ok)
{
	*ok = len == 1 && s[0] != '\0' && strchr(allowed, sc_lower((unsigned char)s[0]))
	      != NULL;
	if (*ok)
		*out = (char)sc_lower((unsigned char)s[0]);
}

static void
value_error(struct sc_dmarc_record *rec, const char *text, size_t voff,
            size_t vlen, enum tag tag, int fatal, const char *expected)
{
	char what[48], reason[160];

	sc_excerpt(what, sizeof(what), text + voff, vlen, 32);
	snprintf(reason, sizeof(reason), "%s=%s: %s", tag_names[tag], what,
	         expected);
	error_at(rec, voff, tag, fatal, reason);
}

/* One known tag's value. */
static void
tag_value(struct sc_dmarc_record *rec, const char *text, enum tag tag,
          size_t voff, size_t vlen)
{
	const char *v = text + voff;
	enum sc_dmarc_policy pol;
	unsigned long n;
	int ok;

	switch (tag) {
	case T_P:
	case T_SP:
	case T_NP:
		pol = policy_of(v, vlen);
		if (pol == SC_DMARC_UNSET) {
			value_error(rec, text, voff, vlen, tag, 1,
			            "the policy must be none, quarantine or "
			            "reject");
			return;
		}
		if (tag == T_P)
			rec->p = pol;
		else if (tag == T_SP)
			rec->sp = pol;
		else
			rec->np = pol;
		return;
	case T_PCT:
		if (!number(v, vlen, 3, 1000, &n) || n > 100) {
			value_error(rec, text, voff, vlen, tag, 0,
			            "pct must be a whole number from 0 to 100");
			return;
		}
		rec->pct = (int)n;
		rec->has_pct = 1;
		return;
	case T_RI:
		if (!number(v, vlen, 32, ULONG_MAX, &n)) {
			value_error(rec, text, voff, vlen, tag, 0,
			            "ri must be a number of seconds");
			return;
		}
		rec->ri = n;
		return;
	case T_ADKIM:
	case T_ASPF:
		one_char(v, vlen, "rs", tag == T_ADKIM ? &rec->adkim : &rec->aspf,
		         &ok);
		if (!ok)
			value_error(rec, text, voff, vlen, tag, 0,
			            "alignment must be r (relaxed) or s (strict)");
		return;
	case T_PSD:
		one_char(v, vlen, "ynu", &rec->psd, &ok);
		if (!ok)
			value_error(rec, text, voff, vlen, tag, 0,
			            "psd must be y, n or u");
		return;
	case T_T:
		one_char(v, vlen, "yn", &rec->t, &ok);
		if (!ok)
			value_error(rec, text, voff, vlen, tag, 0,
			            "t must be y or n");
		return;
	case T_FO:
		if (!fo_ok(v, vlen)) {
			value_error(rec, text, voff, vlen, tag, 0,
			            "fo must be 0, 1, d or s, joined by \":\"");
			return;
		}
		rec->fo.off = voff;
		rec->fo.len = vlen;
		return;
	case T_RUA:
	case T_RUF:
		parse_uris(text, voff, vlen, tag, rec);
		return;
	default:
		return;
	}
}

enum sc_dmarc_kind
sc_dmarc_kind(const char *text, size_t len)
{
	size_t i = 0, j;

	while (i < len && sc_is_wsp((unsigned char)text[i]))
		i++;
	/* dmarc-version = "v" *WSP "=" *WSP %x44.4d.41.52.43.31 */
	if (i < len && sc_lower((unsigned char)text[i]) == 'v') {
		j = i + 1;
		while (j < len && sc_is_wsp((unsigned char)text[j]))
			j++;
		if (j < len && text[j] == '=') {
			j++;
			while (j < len && sc_is_wsp((unsigned char)text[j]))
				j++;
			if (len - j >= 6 && memcmp(text + j, "DMARC1", 6) == 0) {
				j += 6;
				while (j < len && sc_is_wsp((unsigned char)text[j]))
					j++;
				if (j == len || text[j] == ';')
					return SC_DMARC_RECORD;
			}
			return SC_DMARC_ATTEMPT; /* v=DMARC2, v=spf1, v=dmarc1 */
		}
	}
	/* "p=reject; v=DMARC1" and the like: meant as DMARC. */
	for (j = 0; j + 5 <= len; j++)
		if (sc_word_is(text + j, 5, "dmarc"))
			return SC_DMARC_ATTEMPT;
	return SC_DMARC_OTHER;
}

int
sc_dmarc_parse(const char *text, size_t len, struct sc_dmarc_record *rec)
{
	unsigned seen = 0;
	size_t i = 0, nseg = 0;

	memset(rec, 0, sizeof(*rec));
	rec->pct = 100;
	rec->adkim = rec->aspf = 'r';
	rec->ri = 86400;
	rec->psd = 'u';
	rec->t = 'n';
	if (text == NULL)
		len = 0;
	while (i <= len) {
		size_t noff, nlen, voff, vlen, e, k;
		enum tag tag;

		while (i < len && sc_is_wsp((unsigned char)text[i]))
			i++;
		/* the segment ends at ";" or the end */
		for (e = i; e < len && text[e] != ';'; e++)
			;
		if (i == e) { /* empty: "...;" at the end, or ";;" */
			if (nseg == 0) {
				error_at(rec, i, T_V, 1,
				         len == 0 ? "the record is empty"
				                  : "the record must begin with "
				                    "v=DMARC1");
				nseg++;
			}
			i = e + 1;
			continue;
		}
		nseg++;
		rec->ntag++;
		/* tag-name = ALPHA *( ALPHA / DIGIT / "_" ) (RFC 6376 3.2) */
		noff = i;
		if (!sc_is_alpha((unsigned char)text[i])) {
			error_at(rec, i, nseg == 1 ? T_V : T_UNKNOWN, nseg == 1,
			         nseg == 1 ? "the record must begin with v=DMARC1"
			                   : "expected a tag name (such as p=)");
			i = e + 1;
			continue;
		}
		while (i < e && (sc_is_alpha((unsigned char)text[i]) ||
		                 sc_is_digit((unsigned char)text[i]) ||
		                 text[i] == '_'))
			i++;
		nlen = i - noff;
		tag = tag_of(text + noff, nlen);
		while (i < e && sc_is_wsp((unsigned char)text[i]))
			i++;
		if (i == e || text[i] != '=') {
			char what[48], reason[160];

			sc_excerpt(what, sizeof(what), text + noff, nlen, 32);
			snprintf(reason, sizeof(reason),
			         "the tag \"%s\" has no \"=\" after its name", what);
			error_at(rec, i, nseg == 1 ? T_V : tag,
			         nseg == 1 || tag <= T_NP, reason);
			i = e + 1;
			continue;
		}
		i++;
		while (i < e && sc_is_wsp((unsigned char)text[i]))
			i++;
		voff = i;
		vlen = e - i;
		while (vlen > 0 && sc_is_wsp((unsigned char)text[voff + vlen - 1]))
			vlen--;
		i = e + 1;
		/* RFC 7489 6.3: v must be the first tag, and only the first. */
		if (nseg == 1 && tag != T_V) {
			error_at(rec, noff, T_V, 1,
			         "the record must begin with v=DMARC1");
		} else if (tag == T_V) {
			if (nseg != 1)
				error_at(rec, noff, T_V, 1,
				         "v=DMARC1 must be the first tag, not a "
				         "later one");
			else if (vlen != 6 || memcmp(text + voff, "DMARC1", 6) != 0)
				value_error(rec, text, voff, vlen, T_V, 1,
				            "the version must be DMARC1");
			seen |= BIT(T_V);
			continue;
		}
		if (tag == T_UNKNOWN) {
			/* Ignored (6.3), but a control byte is no value. */
			for (k = voff; k < voff + vlen; k++)
				if ((unsigned char)text[k] < 0x20 &&
				    !sc_is_wsp((unsigned char)text[k])) {
					error_at(rec, k, T_UNKNOWN, 0,
					         "a control character (such as "
					         "NUL) inside a tag");
					break;
				}
			continue;
		}
		/* RFC 6376 3.2: a repeated tag makes the tag-list invalid; receivers
		 * that read on keep one, so only a repeated policy is fatal. */
		if (seen & BIT(tag)) {
			char reason[64];

			snprintf(reason, sizeof(reason),
			         "the tag %s= appears twice", tag_names[tag]);
			error_at(rec, noff, tag, tag <= T_NP, reason);
			continue;
		}
		seen |= BIT(tag);
		if (vlen == 0 && tag != T_RUA && tag != T_RUF) {
			value_error(rec, text, voff, vlen, tag, tag <= T_NP,
			            "the value is empty");
			continue;
		}
		tag_value(rec, text, tag, voff, vlen);
	}
	/* RFC 7489 6.3: p is required (in a record at an organizational
	 * domain; 6.6.3 step 6 treats a record without it as having none). */
	if (!(seen & BIT(T_P)) && !rec->err.fatal)
		error_at(rec, len, T_P, 1,
		         "the required tag p= (the policy) is missing");
	return rec->nerror == 0 ? 0 : -1;
}
