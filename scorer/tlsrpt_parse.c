/*
 * The TLS-RPT record parser (RFC 8460 3).  Pure: text in, struct out, no
 * I/O, no allocation; one pass over the record.
 *
 *   tlsrpt-record    = tlsrpt-version 1*(field-delim tlsrpt-field)
 *                      [field-delim]
 *   field-delim      = *WSP ";" *WSP
 *   tlsrpt-version   = %s"v=TLSRPTv1"
 *   tlsrpt-rua       = %s"rua=" tlsrpt-uri *(*WSP "," *WSP tlsrpt-uri)
 *   tlsrpt-extension = tlsrpt-ext-name "=" tlsrpt-ext-value
 *   tlsrpt-ext-name  = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".")
 *   tlsrpt-ext-value = 1*(%x21-3A / %x3C / %x3E-7E)
 *
 * Unlike DMARC the grammar is case-sensitive (%s) and allows no space
 * around "=", and senders follow it: "V=tlsrptv1" is not a record to
 * them.  Only an empty field between two ";" is let pass, as it harms no
 * sender's reading of the rest.
 */
#include <stdio.h>
#include <string.h>

#include "tlsrpt_parse.h"
#include "parse.h"



static int
ci_prefix(const char *s, size_t len, const char *word)
{
	size_t i, n = strlen(word);

	if (len < n)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c) !=
		    (unsigned char)word[i])
			return 0;
	}
	return 1;
}

static void
error_at(struct sc_tlsrpt_record *rec, size_t pos, const char *reason)
{
	if (rec->nerror++ == 0) {
		rec->pos = pos;
		snprintf(rec->reason, sizeof(rec->reason), "%s", reason);
	}
}

enum sc_tlsrpt_kind
sc_tlsrpt_kind(const char *text, size_t len)
{
	size_t i;

	if (len >= 10 && memcmp(text, "v=TLSRPTv1", 10) == 0) {
		for (i = 10; i < len && sc_is_wsp((unsigned char)text[i]); i++)
			;
		if (i == len || text[i] == ';')
			return SC_TLSRPT_RECORD;
	}
	for (i = 0; i + 6 <= len; i++)
		if (ci_prefix(text + i, len - i, "tlsrpt"))
			return SC_TLSRPT_ATTEMPT;
	return SC_TLSRPT_OTHER;
}

/* One tlsrpt-uri: RFC 8460 3 defines the schemes mailto: and https:. */
static const char *
uri_error(const char *s, size_t len, size_t *bad)
{
	size_t i, at = 0;

	*bad = 0;
	if (len == 0)
		return "an empty URI";
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= 0x20 || c >= 0x7f || c == ';') {
			*bad = i;
			return "a byte not allowed in a URI (%-encode it)";
		}
	}
	if (ci_prefix(s, len, "mailto:")) {
		for (i = 7; i < len && s[i] != '?'; i++)
			if (s[i] == '@')
				at = i;
		if (at == 0 || at == 7 || at + 1 == i)
			return "a mailto: URI without a mailbox@domain";
		return NULL;
	}
	if (ci_prefix(s, len, "https:")) {
		if (len < 9 || s[6] != '/' || s[7] != '/' || s[8] == '/')
			return "an https: URI without //host";
		return NULL;
	}
	return "a scheme other than mailto: or https:";
}

static void
parse_rua(const char *text, size_t off, size_t len,
          struct sc_tlsrpt_record *rec)
{
	size_t i = 0;

	if (len == 0) {
		error_at(rec, off, "rua= is empty: it needs a mailto: or "
		                   "https: URI");
		return;
	}
	while (i <= len) {
		size_t b = i, e, bad;
		const char *why;

		while (b < len && sc_is_wsp((unsigned char)text[off + b]))
			b++;
		for (e = b; e < len && text[off + e] != ','; e++)
			;
		i = e + 1;
		while (e > b && sc_is_wsp((unsigned char)text[off + e - 1]))
			e--;
		why = uri_error(text + off + b, e - b, &bad);
		if (why != NULL) {
			char what[48], reason[160];

			sc_excerpt(what, sizeof(what), text + off + b, e - b, 32);
			snprintf(reason, sizeof(reason),
			         "rua: the URI \"%s\" has %s", what, why);
			error_at(rec, off + b + bad, reason);
			continue;
		}
		if (rec->nrua < SC_TLSRPT_MAX_URI) {
			rec->rua[rec->nrua].off = off + b;
			rec->rua[rec->nrua].len = e - b;
			rec->nrua++;
		}
		rec->rua_total++;
	}
}

int
sc_tlsrpt_parse(const char *text, size_t len, struct sc_tlsrpt_record *rec)
{
	size_t i = 0, nseg = 0;
	int has_rua = 0;

	memset(rec, 0, sizeof(*rec));
	if (text == NULL)
		len = 0;
	while (i <= len) {
		size_t b, e, n, k;

		b = i;
		if (nseg > 0) /* field-delim: *WSP ";" *WSP */
			while (b < len && sc_is_wsp((unsigned char)text[b]))
				b++;
		for (e = b; e < len && text[e] != ';'; e++)
			;
		i = e + 1;
		n = e;
		while (n > b && sc_is_wsp((unsigned char)text[n - 1]))
			n--;
		if (nseg++ == 0) {
			if (n - b != 10 || memcmp(text + b, "v=TLSRPTv1", 10) != 0) {
				error_at(rec, b, len == 0
				         ? "the record is empty"
				         : "the record must begin with v=TLSRPTv1 "
				           "(exactly so: the version is "
				           "case-sensitive)");
				return -1; /* senders discard it (RFC 8460 3) */
			}
			continue;
		}
		if (n == b)
			continue; /* "...;" at the end, or ";;" */
		rec->nfield++;
		/* tlsrpt-ext-name, then "=" with no space */
		for (k = b; k < n && k - b < 33 &&
		            (sc_is_alnum((unsigned char)text[k]) ||
		             (k > b && strchr("_-.", text[k]) != NULL &&
		              text[k] != '\0'));
		     k++)
			;
		if (k == b || k == n || text[k] != '=') {
			char what[48], reason[160];

			sc_excerpt(what, sizeof(what), text + b, n - b, 32);
			snprintf(reason, sizeof(reason),
			         "\"%s\" is not a field of the form name=value "
			         "(no space around \"=\")", what);
			error_at(rec, k < n ? k : b, reason);
			continue;
		}
		if (k - b == 3 && memcmp(text + b, "rua", 3) == 0) {
			if (has_rua) {
				error_at(rec, b, "rua= appears twice");
				continue;
			}
			has_rua = 1;
			parse_rua(text, k + 1, n - k - 1, rec);
			continue;
		}
		/* An extension: ignored, but its value must be 1*(%x21-3A /
		 * %x3C / %x3E-7E). */
		if (k + 1 == n)
			error_at(rec, k + 1, "an extension field with an empty "
			                     "value");
		for (k = k + 1; k < n; k++) {
			unsigned char c = (unsigned char)text[k];

			if (c < 0x21 || c > 0x7e || c == '=') {
				error_at(rec, k, "a byte not allowed in a field "
				                 "value (space, \"=\", control or "
				                 "non-ASCII)");
				break;
			}
		}
	}
	if (!has_rua)
		error_at(rec, len, "the required field rua= (where reports "
		                   "go) is missing");
	return rec->nerror == 0 ? 0 : -1;
}
