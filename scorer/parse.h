/*
 * What the record parsers share (dmarc_parse.c, tlsrpt_parse.c,
 * mta_sts_parse.c, spf_parse.c): the ABNF character classes of RFC 5234
 * B.1, for bytes that may be anything, and untrusted bytes cut short and
 * made printable for a message (text.c).
 */
#ifndef SC_PARSE_H
#define SC_PARSE_H

#include <stddef.h>

static inline int
sc_is_wsp(unsigned char c)
{
	return c == ' ' || c == '\t';
}

static inline int
sc_is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static inline int
sc_is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static inline int
sc_is_alnum(unsigned char c)
{
	return sc_is_alpha(c) || sc_is_digit(c);
}

static inline unsigned char
sc_lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

/* Case-insensitive comparison of s[0..n) with a lower-case word. */
static inline int
sc_word_is(const char *s, size_t n, const char *word)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (word[i] == '\0' || sc_lower((unsigned char)s[i]) !=
		                        (unsigned char)word[i])
			return 0;
	return word[n] == '\0';
}

/* s[0..len) for a message: printable ASCII ('?' for the rest), at most
 * max bytes and "..." when cut; always NUL-terminated in buf[size]. */
void sc_excerpt(char *buf, size_t size, const char *s, size_t len,
                size_t max);

#endif
