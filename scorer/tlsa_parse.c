/*
 * TLSA records (RFC 6698), pure.  See tlsa_parse.h.
 *
 * The message walk follows RFC 1035 4.1: a 12-octet header, QDCOUNT
 * questions (name, type, class), then ANCOUNT resource records (name,
 * type, class, TTL, RDLENGTH, RDATA).  Owner names are skipped, not
 * expanded: a TLSA record is taken whatever its owner, since the
 * resolver answered the question we asked (a CNAME may come first).
 * Nothing here trusts a length it has not checked against the message.
 */
#include <string.h>

#include "tlsa_parse.h"

#define NS_T_TLSA 52
#define NS_C_IN 1

/* Skip the name at msg[*off]: labels up to a root label, or a
 * compression pointer (RFC 1035 4.1.4), which ends the name in place. */
static int
skip_name(const unsigned char *msg, size_t len, size_t *off)
{
	size_t o = *off, labels = 0;

	for (;;) {
		unsigned c;

		if (o >= len)
			return -1;
		c = msg[o];
		if ((c & 0xc0) == 0xc0) {
			if (o + 2 > len)
				return -1;
			*off = o + 2;
			return 0;
		}
		if ((c & 0xc0) != 0)
			return -1; /* 0x40/0x80: extended labels, unused */
		if (c == 0) {
			*off = o + 1;
			return 0;
		}
		/* 127 labels fill a 255-octet name: more is nonsense. */
		if (++labels > 127 || o + 1 + c > len)
			return -1;
		o += 1 + c;
	}
}

static unsigned
get16(const unsigned char *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

int
sc_tlsa_msg_parse(const unsigned char *msg, size_t len, struct sc_tlsa *out,
                  size_t max, size_t *n)
{
	size_t off = 12, i;
	unsigned qd, an;

	*n = 0;
	if (msg == NULL || len < 12)
		return -1;
	qd = get16(msg + 4);
	an = get16(msg + 6);
	for (i = 0; i < qd; i++) {
		if (skip_name(msg, len, &off) != 0 || off + 4 > len)
			return -1;
		off += 4;
	}
	for (i = 0; i < an; i++) {
		unsigned type, class, rdlen;

		if (skip_name(msg, len, &off) != 0 || off + 10 > len)
			return -1;
		type = get16(msg + off);
		class = get16(msg + off + 2);
		rdlen = get16(msg + off + 8);
		off += 10;
		if (off + rdlen > len)
			return -1;
		if (type == NS_T_TLSA && class == NS_C_IN) {
			/* RFC 6698 2.1: usage, selector, matching type,
			 * then the association data (at least one octet:
			 * an empty one can match nothing). */
			if (rdlen < 4)
				return -1;
			if (*n < max) {
				struct sc_tlsa *t = &out[(*n)++];

				t->usage = msg[off];
				t->selector = msg[off + 1];
				t->mtype = msg[off + 2];
				t->data = msg + off + 3;
				t->len = rdlen - 3;
			}
		}
		off += rdlen;
	}
	return 0;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* A decimal field 0..255 and the single space after it. */
static int
field(const char *s, size_t len, size_t *off, unsigned *v)
{
	size_t o = *off, digits = 0;
	unsigned x = 0;

	while (o < len && s[o] >= '0' && s[o] <= '9') {
		x = x * 10 + (unsigned)(s[o] - '0');
		if (++digits > 3 || x > 255)
			return -1;
		o++;
	}
	if (digits == 0 || o >= len || s[o] != ' ')
		return -1;
	*v = x;
	*off = o + 1;
	return 0;
}

int
sc_tlsa_text_parse(const char *text, size_t len, struct sc_tlsa *out,
                   unsigned char *buf, size_t bufsize)
{
	size_t off = 0, i, nhex;

	memset(out, 0, sizeof(*out));
	if (text == NULL || buf == NULL ||
	    field(text, len, &off, &out->usage) != 0 ||
	    field(text, len, &off, &out->selector) != 0 ||
	    field(text, len, &off, &out->mtype) != 0)
		return -1;
	nhex = len - off;
	if (nhex == 0 || nhex % 2 != 0 || nhex / 2 > bufsize)
		return -1;
	for (i = 0; i < nhex / 2; i++) {
		const char *h = text + off + 2 * i;
		int hi = hexval(h[0]), lo = hexval(h[1]);

		if (hi < 0 || lo < 0)
			return -1;
		buf[i] = (unsigned char)(hi << 4 | lo);
	}
	out->data = buf;
	out->len = nhex / 2;
	return 0;
}

const char *
sc_tlsa_usage_str(unsigned usage)
{
	switch (usage) {
	case SC_TLSA_PKIX_TA: return "PKIX-TA";
	case SC_TLSA_PKIX_EE: return "PKIX-EE";
	case SC_TLSA_DANE_TA: return "DANE-TA";
	case SC_TLSA_DANE_EE: return "DANE-EE";
	default: return "unassigned";
	}
}
