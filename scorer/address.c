/*
 * Address syntax: RFC 5321 Mailbox, with RFC 6531 UTF-8 local parts and
 * IDNA 2008 / UTS #46 domains.  See docs/address.md for what is accepted
 * and why.
 *
 * One bounded tokenizer over in[0..len): a pre-scan for bytes that can
 * never appear (controls, bad UTF-8), the local part, the '@', then either a
 * domain name or an address literal.  Every byte is looked at a constant
 * number of times, and input beyond INPUT_MAX is refused before anything
 * else, so hostile input costs linear time and no allocation.
 *
 * Comments and folding white space (RFC 5322 CFWS) are refused on purpose:
 * a recovery address is typed into a form and compared with what mail
 * servers see, and SMTP itself (RFC 5321 4.1.2) has no CFWS.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <idn2.h>

#include "address.h"
#include "internal.h"

/* RFC 5321 4.5.3.1.1: at most 64 octets in a local part. */
#define LOCAL_MAX 64
/* RFC 1035 2.3.4 and RFC 5321 4.5.3.1.2: 63 octets a label, 255 on the
 * wire, i.e. 253 in text form without the trailing dot. */
#define LABEL_MAX 63
#define DOMAIN_MAX 253
/* RFC 5321 4.5.3.1.3: a path is at most 256 octets with its angle
 * brackets, so a mailbox at most 254 (RFC 3696 erratum 1690). */
#define ADDRESS_MAX 254
/*
 * Longer input is refused before it is scanned or handed to libidn2.  An
 * address that fits ADDRESS_MAX in A-label form is at most 64 + 1 + 253 * 4
 * = 1077 octets as UTF-8 (every U-label code point costs at least one
 * A-label octet and at most four UTF-8 octets); only padding with code
 * points that IDNA deletes could make it longer, and nobody needs that.
 */
#define INPUT_MAX 2048
/* Room for the text of the longest IPv6 literal, with slack. */
#define LITERAL_BUF 64

struct parser {
	const unsigned char *s;
	size_t len;
	char *err;
	size_t errlen;
};

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static sc_status_t
fail(struct parser *p, const char *fmt, ...)
{
	va_list ap;

	if (p->err != NULL && p->errlen > 0) {
		va_start(ap, fmt);
		/* vsnprintf truncates and always terminates. */
		vsnprintf(p->err, p->errlen, fmt, ap);
		va_end(ap);
	}
	return SC_EINVAL;
}

static int
is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int
is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static unsigned char
to_lower(unsigned char c)
{
	/* Not tolower(): the result must not depend on the locale. */
	return (c >= 'A' && c <= 'Z') ? (unsigned char)(c - 'A' + 'a') : c;
}

static void
lower_ascii(char *s)
{
	for (; *s != '\0'; s++)
		*s = (char)to_lower((unsigned char)*s);
}

/*
 * RFC 5322 3.2.3 atext, extended by RFC 6531 3.3 with UTF8-non-ascii (the
 * pre-scan has already checked that every byte >= 0x80 is well-formed).
 */
static int
is_atext(unsigned char c)
{
	if (is_alpha(c) || is_digit(c) || c >= 0x80)
		return 1;
	return c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL;
}

/*
 * Decode one UTF-8 sequence at s[i] (RFC 3629 4, the table of well-formed
 * sequences: no overlong forms, no surrogates, nothing above U+10FFFF).
 * Returns its length, or 0 if it is malformed.
 */
static size_t
utf8_decode(const unsigned char *s, size_t len, size_t i, uint32_t *cp)
{
	unsigned char c = s[i];
	unsigned char lo = 0x80, hi = 0xBF;
	size_t n, k;
	uint32_t v;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		n = 2;
		v = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		v = c & 0x0F;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;      /* U+D800..U+DFFF are surrogates */
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		v = c & 0x07;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;      /* nothing above U+10FFFF */
	} else {
		return 0;
	}
	if (len - i < n)
		return 0;
	for (k = 1; k < n; k++) {
		unsigned char t = s[i + k];

		if (k == 1 ? (t < lo || t > hi) : (t < 0x80 || t > 0xBF))
			return 0;
		v = (v << 6) | (t & 0x3F);
	}
	*cp = v;
	return n;
}

/*
 * Refuse what may appear nowhere in a mailbox: RFC 5321 4.1.2 allows only
 * printable US-ASCII, RFC 6531 3.3 adds well-formed UTF-8.  Doing this first
 * gives the clearest reason for the bytes that matter most (NUL, CR, LF can
 * split or inject protocol lines) and lets the grammar below ignore them.
 * C1 controls are refused too: they are UTF-8, but no mailbox needs them.
 */
static sc_status_t
prescan(struct parser *p)
{
	size_t i = 0, n;
	uint32_t cp;

	while (i < p->len) {
		unsigned char c = p->s[i];

		if (c == '\0')
			return fail(p, "NUL byte at position %zu", i + 1);
		if (c == '\r' || c == '\n')
			return fail(p, "line break (CR or LF) at position %zu",
			            i + 1);
		if (c == '\t')
			return fail(p, "tab at position %zu (white space is "
			            "not accepted)", i + 1);
		if (c < 0x20 || c == 0x7F)
			return fail(p, "control character 0x%02X at position "
			            "%zu", c, i + 1);
		n = utf8_decode(p->s, p->len, i, &cp);
		if (n == 0)
			return fail(p, "invalid UTF-8 at position %zu", i + 1);
		if (cp >= 0x80 && cp <= 0x9F)
			return fail(p, "control character U+%04X at position "
			            "%zu", (unsigned)cp, i + 1);
		i += n;
	}
	return SC_OK;
}

/* A person-readable name for the character at s[i]. */
static void
describe(const struct parser *p, size_t i, char *buf, size_t size)
{
	unsigned char c = p->s[i];
	uint32_t cp;

	if (c == ' ')
		snprintf(buf, size, "space");
	else if (c < 0x80)
		snprintf(buf, size, "'%c'", c);
	else if (utf8_decode(p->s, p->len, i, &cp) > 0)
		snprintf(buf, size, "U+%04X", (unsigned)cp);
	else
		snprintf(buf, size, "0x%02X", c);
}

/* The reason for a character that the grammar does not allow at s[i]. */
static sc_status_t
bad_char(struct parser *p, size_t i)
{
	char what[16];

	switch (p->s[i]) {
	case ' ':
		return fail(p, "space at position %zu (white space is only "
		            "accepted inside a quoted local part)", i + 1);
	case '(':
		return fail(p, "comment at position %zu (comments are not "
		            "accepted)", i + 1);
	case '@':
		return fail(p, "second @ at position %zu", i + 1);
	default:
		describe(p, i, what, sizeof(what));
		return fail(p, "invalid character %s at position %zu", what,
		            i + 1);
	}
}

/*
 * RFC 5321 4.1.2: Dot-string = Atom *("."  Atom).  Stops at the '@';
 * *end is its index.
 */
static sc_status_t
parse_dot_string(struct parser *p, size_t *end)
{
	size_t i;

	for (i = 0; i < p->len && p->s[i] != '@'; i++) {
		if (p->s[i] != '.') {
			if (!is_atext(p->s[i]))
				return bad_char(p, i);
		} else if (i == 0) {
			return fail(p, "local part starts with a dot");
		} else if (p->s[i - 1] == '.') {
			return fail(p, "two dots in a row in the local part at "
			            "position %zu", i + 1);
		}
	}
	if (i == p->len)
		return fail(p, "missing @");
	if (i == 0)
		return fail(p, "local part is empty");
	if (p->s[i - 1] == '.')
		return fail(p, "local part ends with a dot");
	*end = i;
	return SC_OK;
}

/*
 * RFC 5321 4.1.2: Quoted-string = DQUOTE *QcontentSMTP DQUOTE, where
 * qtextSMTP is printable ASCII but '"' and '\' (RFC 6531 3.3 adds
 * UTF8-non-ascii) and quoted-pairSMTP is '\' with printable ASCII.  The
 * pre-scan has removed controls, so every other byte is qtextSMTP.
 */
static sc_status_t
parse_quoted(struct parser *p, size_t *end)
{
	size_t i = 1;
	char what[16];

	for (;;) {
		if (i >= p->len)
			return fail(p, "quoted local part is not closed");
		if (p->s[i] == '"')
			break;
		if (p->s[i] == '\\') {
			if (i + 1 >= p->len)
				return fail(p, "quoted local part is not "
				            "closed");
			if (p->s[i + 1] < 0x20 || p->s[i + 1] > 0x7E) {
				describe(p, i + 1, what, sizeof(what));
				return fail(p, "invalid quoted pair: %s escaped "
				            "at position %zu", what, i + 2);
			}
			i++;
		}
		i++;
	}
	i++;
	if (i == p->len)
		return fail(p, "missing @");
	if (p->s[i] == '.')
		return fail(p, "dot after the quoted string at position %zu "
		            "(quote the whole local part)", i + 1);
	if (p->s[i] != '@') {
		describe(p, i, what, sizeof(what));
		return fail(p, "%s after the quoted string at position %zu",
		            what, i + 1);
	}
	*end = i;
	return SC_OK;
}

/*
 * One label of s[start..end), RFC 5321 4.1.2: sub-domain = Let-dig
 * [Ldh-str], or a U-label (RFC 6531 3.3) that libidn2 checks later.
 * Sets *idna when the label needs IDNA processing.
 */
static sc_status_t
check_label(struct parser *p, size_t start, size_t end, int *idna)
{
	size_t i, n = end - start;
	int ascii = 1;

	if (n == 0)
		return fail(p, "empty label in domain");
	for (i = start; i < end; i++) {
		unsigned char c = p->s[i];

		if (c >= 0x80)
			ascii = 0;
		else if (!is_alpha(c) && !is_digit(c) && c != '-')
			return bad_char(p, i);
	}
	if (p->s[start] == '-')
		return fail(p, "domain label starts with a hyphen at position "
		            "%zu", start + 1);
	if (p->s[end - 1] == '-')
		return fail(p, "domain label ends with a hyphen at position "
		            "%zu", end);
	/* A U-label is measured in A-label form, after IDNA. */
	if (ascii && n > LABEL_MAX)
		return fail(p, "domain label longer than %d octets (%zu)",
		            LABEL_MAX, n);
	/* RFC 5890 2.3.1: an "xn--" label must be a valid A-label. */
	if (!ascii || (n >= 4 && to_lower(p->s[start]) == 'x' &&
	               to_lower(p->s[start + 1]) == 'n' &&
	               p->s[start + 2] == '-' && p->s[start + 3] == '-'))
		*idna = 1;
	return SC_OK;
}

/* Labels of the domain s[start..end), split at ASCII dots. */
static sc_status_t
check_labels(struct parser *p, size_t start, size_t end, int *idna)
{
	size_t i, label = start;
	sc_status_t rc;

	for (i = start; i <= end; i++) {
		if (i < end && p->s[i] != '.')
			continue;
		rc = check_label(p, label, i, idna);
		if (rc != SC_OK)
			return rc;
		label = i + 1;
	}
	return SC_OK;
}

/*
 * The A-label form that libidn2 made: UTS #46 mapping can turn code
 * points into dots or ASCII symbols, so check the result, not only the
 * input.
 */
static sc_status_t
check_alabels(struct parser *p, const char *a)
{
	const char *label = a;
	size_t n;

	for (;; a++) {
		unsigned char c = (unsigned char)*a;

		if (is_alpha(c) || is_digit(c) || c == '-')
			continue;
		if (c != '.' && c != '\0')
			return fail(p, "domain has the character 0x%02X after "
			            "IDNA mapping", c);
		n = (size_t)(a - label);
		if (n == 0)
			return fail(p, "empty label in domain after IDNA "
			            "mapping");
		if (label[0] == '-' || a[-1] == '-')
			return fail(p, "domain label starts or ends with a "
			            "hyphen after IDNA mapping");
		if (n > LABEL_MAX)
			return fail(p, "domain label longer than %d octets in "
			            "A-label form (%zu)", LABEL_MAX, n);
		if (c == '\0')
			return SC_OK;
		label = a + 1;
	}
}

/*
 * U-labels to A-labels.  IDNA 2008 with UTS #46 non-transitional
 * processing first: it keeps ß and ς distinct, as browsers and registries
 * now do.  If that fails, try transitional processing: names from the
 * IDNA 2003 era (emoji and symbol domains, still delegated under some
 * TLDs) are reached by curl and wget, which fall back the same way "for
 * IDNA 2003 compatibility", and so by mail tools built like them;
 * refusing them would call an address invalid that mail does reach.
 * Transitional mapping only runs for names that non-transitional refused,
 * so it never changes a name (faß.de stays xn--fa-hia.de, not fass.de).
 */
static sc_status_t
to_alabel(struct parser *p, const char *u, char **out)
{
	char *a = NULL;
	int rc, rc2;

	rc = idn2_to_ascii_8z(u, &a, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
	if (rc != IDN2_OK && rc != IDN2_MALLOC) {
		rc2 = idn2_to_ascii_8z(u, &a, IDN2_TRANSITIONAL);
		if (rc2 == IDN2_OK || rc2 == IDN2_MALLOC)
			rc = rc2;
	}
	if (rc == IDN2_MALLOC)
		return SC_ENOMEM;
	if (rc != IDN2_OK)
		/* The non-transitional reason: that is the standard. */
		return fail(p, "invalid internationalised domain name (%s)",
		            idn2_strerror(rc));
	/* Copy, so that the caller frees with sc_free() like the rest. */
	*out = sc_strdup(a);
	idn2_free(a);
	if (*out == NULL)
		return SC_ENOMEM;
	lower_ascii(*out);
	return SC_OK;
}

/*
 * The U-label form of A-label name A, replacing *u (the name as given).
 * UTS #46 mapping lower-cases what ASCII lower-casing cannot (Ü -> ü) and
 * normalises to NFC, so this is the name as given, lower-cased, in the form
 * a person should be shown; an A-label typed as such is shown decoded too
 * (xn--bcher-kva.de -> bücher.de), so that a homograph is visible.  If
 * libidn2 cannot convert back, the name as given stays.
 */
static sc_status_t
to_ulabel(const char *a, char **u)
{
	char *t = NULL, *copy;
	int rc;

	rc = idn2_to_unicode_8z8z(a, &t, 0);
	if (rc == IDN2_MALLOC)
		return SC_ENOMEM;
	if (rc != IDN2_OK)
		return SC_OK;
	copy = sc_strdup(t);
	idn2_free(t);
	if (copy == NULL)
		return SC_ENOMEM;
	sc_free(*u);
	*u = copy;
	return SC_OK;
}

/*
 * RFC 5321 4.1.3: IPv6-comp may not use "::" for a single group: at most
 * 6 groups besides the "::" (an IPv4 tail counts as two).  inet_pton()
 * accepts that form (RFC 4291 allows it), so count here.
 */
static int
ipv6_comp_ok(const char *t)
{
	size_t groups = 0, n;

	if (strstr(t, "::") == NULL)
		return 1;
	while (*t != '\0') {
		n = strcspn(t, ":");
		if (n > 0)
			groups += memchr(t, '.', n) != NULL ? 2 : 1;
		t += n;
		if (*t == ':')
			t++;
	}
	return groups <= 6;
}

/* strspn() for s[0..n), which is not NUL-terminated. */
static size_t
strspn_n(const unsigned char *s, size_t n, const char *set)
{
	size_t i;

	for (i = 0; i < n && s[i] != '\0' && strchr(set, s[i]) != NULL; i++)
		;
	return i;
}

/*
 * RFC 5321 4.1.3: address-literal = "[" ( IPv4-address-literal /
 * IPv6-address-literal / General-address-literal ) "]".  Only IPv4 and
 * IPv6 are accepted: no General-address-literal tag is registered.  The
 * literal must be the whole domain, s[start] being the '['.
 */
static sc_status_t
check_literal(struct parser *p, size_t start)
{
	const unsigned char *s = p->s + start + 1;
	const unsigned char *close;
	unsigned char bin[16];
	char buf[LITERAL_BUF];
	size_t n, i;
	int v6;

	close = memchr(s, ']', p->len - start - 1);
	if (close == NULL)
		return fail(p, "address literal is not closed with ']'");
	if ((size_t)(close - p->s) != p->len - 1)
		return fail(p, "characters after the address literal at "
		            "position %zu", (size_t)(close - p->s) + 2);
	n = (size_t)(close - s);
	if (n == 0)
		return fail(p, "empty address literal");
	/* ABNF strings are case-insensitive (RFC 5234 2.3). */
	for (i = 0; i < 5 && i < n && to_lower(s[i]) == "ipv6:"[i]; i++)
		;
	v6 = i == 5;
	if (v6) {
		s += 5;
		n -= 5;
	} else if (strspn_n(s, n, "0123456789.") < n) {
		if (memchr(s, ':', n) != NULL &&
		    strspn_n(s, n, "0123456789abcdefABCDEF:.") == n)
			return fail(p, "IPv6 address literal without the "
			            "\"IPv6:\" tag");
		return fail(p, "unsupported address literal (only [IPv4] "
		            "and [IPv6:...] are accepted)");
	}
	if (n >= sizeof(buf))
		return fail(p, "invalid %s address literal", v6 ? "IPv6" :
		            "IPv4");
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (inet_pton(v6 ? AF_INET6 : AF_INET, buf, bin) != 1)
		return fail(p, "invalid %s address literal", v6 ? "IPv6" :
		            "IPv4");
	if (v6 && !ipv6_comp_ok(buf))
		return fail(p, "IPv6 address literal uses \"::\" for a single "
		            "group (RFC 5321 4.1.3)");
	return SC_OK;
}

/* The domain s[start..len): an address literal or a domain name. */
static sc_status_t
parse_domain(struct parser *p, size_t start, struct sc_address *out)
{
	size_t end = p->len;
	int idna = 0;
	sc_status_t rc;

	if (start == p->len)
		return fail(p, "domain is empty");
	if (p->s[start] == '[') {
		rc = check_literal(p, start);
		if (rc != SC_OK)
			return rc;
		out->literal = 1;
	} else {
		/* RFC 1034 3.1: a trailing dot only makes the name
		 * absolute; mail resolves it the same. */
		if (p->s[end - 1] == '.')
			end--;
		if (end == start)
			return fail(p, "domain is empty");
		rc = check_labels(p, start, end, &idna);
		if (rc != SC_OK)
			return rc;
	}
	out->domain_utf8 = sc_strndup((const char *)p->s + start,
	                              end - start);
	if (out->domain_utf8 == NULL)
		return SC_ENOMEM;
	lower_ascii(out->domain_utf8);
	/* An LDH name without "xn--" labels is its own A-label form (RFC
	 * 5890 2.3.1); libidn2 would also refuse R-LDH labels such as
	 * "r3---sn-abc" that exist in the DNS. */
	if (idna)
		rc = to_alabel(p, out->domain_utf8, &out->domain_ascii);
	else if ((out->domain_ascii = sc_strdup(out->domain_utf8)) == NULL)
		rc = SC_ENOMEM;
	if (rc != SC_OK || out->literal)
		return rc;
	if (idna) {
		rc = to_ulabel(out->domain_ascii, &out->domain_utf8);
		if (rc != SC_OK)
			return rc;
	}
	rc = check_alabels(p, out->domain_ascii);
	if (rc == SC_OK && strlen(out->domain_ascii) > DOMAIN_MAX)
		rc = fail(p, "domain is longer than %d octets (%zu%s)",
		          DOMAIN_MAX, strlen(out->domain_ascii),
		          idna ? " in A-label form" : "");
	return rc;
}

sc_status_t
sc_address_parse(const char *in, size_t len, struct sc_address *out,
                 char *err, size_t errlen)
{
	struct parser p = {(const unsigned char *)in, len, err, errlen};
	size_t at = 0, i, total;
	sc_status_t rc;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (out == NULL)
		return fail(&p, "no result structure given");
	memset(out, 0, sizeof(*out));
	if (in == NULL && len > 0)
		return fail(&p, "no address given");
	if (len == 0)
		return fail(&p, "address is empty");
	if (len > INPUT_MAX)
		return fail(&p, "address is far too long (%zu octets; at most "
		            "%d)", len, ADDRESS_MAX);
	rc = prescan(&p);
	if (rc != SC_OK)
		return rc;
	if (memchr(in, '@', len) == NULL)
		return fail(&p, "missing @");
	if (p.s[0] == '"')
		rc = parse_quoted(&p, &at);
	else
		rc = parse_dot_string(&p, &at);
	if (rc != SC_OK)
		return rc;
	if (at > LOCAL_MAX)
		return fail(&p, "local part is longer than %d octets (%zu)",
		            LOCAL_MAX, at);
	out->quoted = p.s[0] == '"';
	for (i = 0; i < at; i++)
		if (p.s[i] >= 0x80)
			out->smtputf8 = 1;
	out->local = sc_strndup(in, at);
	if (out->local == NULL) {
		rc = SC_ENOMEM;
		goto done;
	}
	rc = parse_domain(&p, at + 1, out);
	if (rc != SC_OK)
		goto done;
	/* Measured as sent without SMTPUTF8 domains: the A-label form. */
	total = at + 1 + strlen(out->domain_ascii);
	if (total > ADDRESS_MAX)
		rc = fail(&p, "address is longer than %d octets (%zu)",
		          ADDRESS_MAX, total);
done:
	if (rc != SC_OK)
		sc_address_clear(out);
	return rc;
}

void
sc_address_clear(struct sc_address *a)
{
	if (a == NULL)
		return;
	sc_free(a->local);
	sc_free(a->domain_utf8);
	sc_free(a->domain_ascii);
	memset(a, 0, sizeof(*a));
}
